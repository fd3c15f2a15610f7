// The firmware update's parameter care, as the vendor manual asks: back up the pack's parameters
// before it is touched, and afterwards offer to put them back or to restore the factory defaults.
// All of it goes through the parameters feature: its snapshots, its write path (validate,
// snapshot, write, read back, log) and its grant on the session's WriteAuthority.

import type { BackupRef, ParameterBackup } from '$lib/firmware';
import type { WriteOutcome, WriteReport } from '$lib/params';
import type { DeviceSession } from './session.svelte';
import { paramsFeature } from './params-feature.svelte';

/** How a restore after the update ended. */
export interface ParameterRestore {
  readonly outcome: WriteOutcome | 'unchanged';
  /** In English, from the write path (what was written, read back, or why not). */
  readonly message: string;
}

export interface FirmwareParameters {
  readonly backup: ParameterBackup;
  /** Put the backed-up values back, through the one write path. */
  restoreBackup(ref: BackupRef, address: number): Promise<ParameterRestore>;
  /** A4H: the pack's own factory defaults, through the one write path. */
  restoreDefaults(address: number): Promise<ParameterRestore>;
}

const NOT_CONNECTED: ParameterRestore = { outcome: 'not-sent', message: 'Nothing was sent: no bank is connected.' };

function summary(report: WriteReport | null): ParameterRestore {
  return report ? { outcome: report.outcome, message: report.message } : NOT_CONNECTED;
}

/** The firmware updater's view of the parameters feature of `session`. */
export function sessionFirmwareParameters(session: DeviceSession): FirmwareParameters {
  const params = paramsFeature(session);
  return {
    get backup() {
      return params.firmwareBackup;
    },
    async restoreBackup(ref, address) {
      const snapshot = (await params.snapshots(address)).find((s) => s.id === ref.id);
      if (!snapshot) return { outcome: 'not-sent', message: `The backup ${ref.label} is no longer in this browser's storage.` };
      // The update may have reset the values: compare against what the pack holds now.
      const now = await params.readPack(address);
      if (!now) return { outcome: 'not-sent', message: `Nothing was sent: pack ${address} could not be read.` };
      return summary(await params.restoreSnapshot(address, snapshot));
    },
    async restoreDefaults(address) {
      // The write path snapshots first, and for that it needs the pack's serial and values now.
      const now = await params.readPack(address);
      if (!now) return { outcome: 'not-sent', message: `Nothing was sent: pack ${address} could not be read.` };
      return summary(await params.restoreDefaults(address));
    }
  };
}

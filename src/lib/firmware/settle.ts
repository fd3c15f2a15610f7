// After a transfer fails: what went wrong, and where the pack was left. The bootloader is asked to
// leave (so a pack that still has its application boots it) and the pack is read again: C1H means
// the application runs, only 'C's mean the bootloader waits for an image, nothing means unknown.

import type { BusLease } from '../protocol/client';
import { readSoftwareVersion } from '../protocol/commands/info';
import { sleep, type Clock } from '../time/clock';
import { TransportError, type LinkTiming } from '../transport/types';
import type { ByteIo } from './byte-io';
import { FirmwareError } from './errors';
import { parsePackVersion } from './identity';
import type { BootloaderProfile, TransferStage } from './profile';
import type { PackEndState, UpdateFailureReason } from './update-state';
import { sameFirmwareVersion } from './version';

/** Pause between two C1H reads while the pack may be rebooting. */
const SETTLE_POLL_MS = 400;

/** Why a transfer ended, from the error, how far it got, and what aborted it. */
export function classifyTransferFailure(
  e: FirmwareError | TransportError,
  context: { linkDown: boolean; cancelled: boolean; stage: TransferStage; block: number }
): UpdateFailureReason {
  if (context.linkDown || e instanceof TransportError) return 'link-lost';
  if (context.cancelled) return 'cancelled';
  if (e.kind === 'timeout' && context.stage === 'waiting') return 'bootloader-silent';
  // CAN CAN at the header or the first block, or after the last: the bootloader refused the
  // image. CAN CAN in the middle is the bootloader giving up on a bad line.
  if (e.kind === 'aborted-by-device' && (context.stage !== 'sending' || context.block <= 1)) return 'refused-by-bootloader';
  return 'link-errors';
}

export interface SettleOptions {
  bus: BusLease;
  io: ByteIo;
  profile: BootloaderProfile;
  clock: Clock;
  timing: LinkTiming;
  address: number;
  /** What the pack ran before; null when unknown (a recovery). */
  fromVersion: string | null;
  /** The bootloader never asked for the image: a pack answering was perhaps never out of its application. */
  neverStarted: boolean;
  /** How long to look for the pack answering. */
  window_ms: number;
  linkOpen: () => boolean;
}

export async function settleAfterFailure(o: SettleOptions): Promise<{ packState: PackEndState; reportedVersion: string | null }> {
  const detector = o.profile.createDetector();
  const stopListening = o.bus.onData((chunk) => detector.push(chunk, o.clock.now()));
  try {
    await o.profile.leave(o.io, { clock: o.clock, timing: o.timing }).catch(() => false);
    const deadline = o.clock.now() + o.window_ms;
    while (o.clock.now() < deadline) {
      if (!o.linkOpen()) return { packState: 'unknown', reportedVersion: null };
      const r = await o.bus.exchange(readSoftwareVersion, o.address, {}, { retries: 0 });
      if (r.ok) {
        const version = parsePackVersion(r.value.version).firmwareVersion;
        if (o.fromVersion === null || sameFirmwareVersion(version, o.fromVersion)) {
          return { packState: o.neverStarted && !detector.sighting ? 'untouched' : 'old-firmware', reportedVersion: r.value.version };
        }
        return { packState: 'unexpected-version', reportedVersion: r.value.version };
      }
      await sleep(o.clock, SETTLE_POLL_MS);
    }
    return { packState: detector.sighting ? 'in-bootloader' : 'unknown', reportedVersion: null };
  } finally {
    stopListening();
  }
}

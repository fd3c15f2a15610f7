// The firmware updater's parameter backup (firmware/hooks.ts ParameterBackup), on the parameter
// engine's reader and snapshot store: every group of the pack is read through the updater's own
// bus lease and kept as a 'before-firmware' snapshot, which the parameter page lists and can
// restore like any other. A pack that cannot be read, or whose serial is unknown, throws: the
// update then stops before the pack is touched.

import type { BackupRef, BackupRequest, ParameterBackup } from '$lib/firmware';
import { readPackParams, type ParamGroupId, type SnapshotStore } from '$lib/params';

export function parameterBackup(store: SnapshotStore, o: { wallClock?: () => number } = {}): ParameterBackup {
  const wall = o.wallClock ?? Date.now;
  return {
    async snapshot(request: BackupRequest): Promise<BackupRef> {
      const read = await readPackParams(request.bus, request.address, { signal: request.signal });
      if (!read.reachable) throw new Error(`Pack ${request.address} did not answer the parameter read: ${read.problem ?? 'no reply'}.`);
      const serial = read.bmsSerial ?? request.identity.bmsSerial?.trim() ?? null;
      if (!serial) throw new Error(`Pack ${request.address} did not report its serial number, so its parameters cannot be kept for it.`);
      const failed = Object.entries(read.groups).filter(([, g]) => g?.status === 'failed' || g?.status === 'skipped');
      if (failed.length > 0) throw new Error(`Pack ${request.address}: ${failed.length} parameter group(s) could not be read (${failed[0][0]}).`);
      const groups = Object.entries(read.groups)
        .filter(([, g]) => g?.status === 'ok')
        .map(([id]) => id as ParamGroupId);
      const version = request.identity.firmwareVersion ?? request.identity.versionString ?? 'unknown';
      const time_ms = wall();
      const saved = await store.save({
        bmsSerial: serial,
        address: request.address,
        time_ms,
        reason: 'before-firmware',
        note: `Before the firmware update (running ${version})`,
        values: read.values,
        groups
      });
      const when = new Date(time_ms).toISOString().replace('T', ' ').slice(0, 16);
      return { id: saved.id, label: `Pack ${request.address}, before the firmware update from ${version}, ${when} UTC` };
    }
  };
}

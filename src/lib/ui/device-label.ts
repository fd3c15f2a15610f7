// How a stored device is named on the pages: its last address and serial number, or a note that
// it is filed by its position (no usable serial: its data follows the slot, not the pack).

import { m } from '$lib/paraglide/messages';
import type { DeviceRecord } from '$lib/session/statistics';

export function deviceLabel(key: string, record: DeviceRecord | null | undefined): string {
  if (record?.nickname) return record.nickname;
  const address = record?.lastAddress ?? Number(key.match(/#(\d+)$/)?.[1] ?? NaN);
  if (key.startsWith('sn:')) return m.recording_device_label({ address: Number.isFinite(address) ? address : '?', serial: key.slice(3) });
  return m.recording_device_by_position({ address: Number.isFinite(address) ? address : '?' });
}

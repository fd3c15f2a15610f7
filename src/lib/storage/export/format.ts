// Small text forms shared by the CSV and JSON exports.

import type { BmsDateTime } from '../../protocol/commands/datetime';

/** ISO 8601 in UTC with milliseconds ("2025-03-01T12:00:00.000Z"); empty for a non-time. */
export function isoUtc(t_ms: number): string {
  return Number.isFinite(t_ms) ? new Date(t_ms).toISOString() : '';
}

/** The pack's clock reading as it said it, ISO-shaped but without a zone ("2025-03-01T12:00:00"). */
export function packTimeText(t: BmsDateTime): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(t.second)}`;
}

/** "0x1F" (two digits by default). */
export function hex(v: number, digits = 2): string {
  return `0x${v.toString(16).toUpperCase().padStart(digits, '0')}`;
}

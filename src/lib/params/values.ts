// Typed group values (what a group's read command decodes to, what its write command encodes)
// <-> the flat values by param id that edits, snapshots, profiles and diffs use; and how a value
// is compared and shown.

import { formatBmsDateTime, type BmsDateTime } from '../protocol/commands/datetime';
import { paramGroup, type ParamGroupId, type ParamMeta, type ParamValue, type ParamValues } from './model';

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** "2025-06-01 08:00:00" -> calendar fields; null when the text is not in that form. */
export function parseParamDateTime(text: string): BmsDateTime | null {
  const m = DATETIME_RE.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  return { year, month, day, hour, minute, second };
}

/** A group's typed read reply (what its read command decodes to) -> values by param id. */
export function groupValues(id: ParamGroupId, value: unknown): Record<string, ParamValue> {
  const g = paramGroup(id);
  const out: Record<string, ParamValue> = {};
  if (g.params.length === 1 && g.params[0].type === 'datetime') {
    out[g.params[0].id] = formatBmsDateTime(value as BmsDateTime);
    return out;
  }
  const rec = value as Record<string, unknown>;
  for (const m of g.params) {
    const v = rec[m.field];
    if (typeof v === 'number' || typeof v === 'boolean') out[m.id] = v;
  }
  return out;
}

/**
 * Values by param id -> the typed request of the group's write command (writable fields only;
 * a group is always written whole). Throws a RangeError naming the first missing or unreadable
 * field; the write command itself checks ranges.
 */
export function groupRequest(id: ParamGroupId, values: ParamValues): unknown {
  const g = paramGroup(id);
  const out: Record<string, unknown> = {};
  for (const m of g.params) {
    if (!m.writable) continue;
    const v = values[m.id];
    if (v === undefined) {
      if (m.optional) {
        out[m.field] = null;
        continue;
      }
      throw new RangeError(`${m.label} (${m.id}) has no value; every writable field of "${g.title}" is written together`);
    }
    if (m.type === 'datetime') {
      const t = typeof v === 'string' ? parseParamDateTime(v) : null;
      if (!t) throw new RangeError(`${m.label} (${m.id}) must be a date and time "YYYY-MM-DD hh:mm:ss", got ${String(v)}`);
      return t;
    }
    out[m.field] = v;
  }
  return out;
}

/** The param ids of a group that this tool writes. */
export function writableParams(id: ParamGroupId): ParamMeta[] {
  return paramGroup(id).params.filter((m) => m.writable);
}

/** Two values of one parameter are the same setting (same wire count; float noise ignored). */
export function sameParamValue(m: ParamMeta, a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (m.type === 'number' && typeof a === 'number' && typeof b === 'number') return Math.round(a / m.step) === Math.round(b / m.step);
  return a === b;
}

/** "3700 mV", "on", "2025-06-01 08:00:00" — for messages and logs. */
export function formatParamValue(m: ParamMeta, v: ParamValue | undefined): string {
  if (v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'string') return v;
  const n = Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
  return m.unit ? `${n} ${m.unit}` : n;
}

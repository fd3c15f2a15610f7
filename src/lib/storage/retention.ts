// How long recorded telemetry is kept: full-resolution rows for `raw_days`, per-minute aggregates
// for `minute_days` (or for ever). With the defaults a 16-pack bank polled every 2 s takes about
// 1.2 GB after a year and 2.3 GB once three years of minutes are kept (README.md, measured).

import { isJsonValue, type JsonValue } from './json';
import { StorageError } from './errors';

export interface RetentionSettings {
  /** Days of full-resolution rows (every poll). 1..3660. */
  raw_days: number;
  /** Days of per-minute aggregates, >= raw_days; null keeps them for ever. */
  minute_days: number | null;
}

export const DEFAULT_RETENTION: RetentionSettings = { raw_days: 30, minute_days: 3 * 366 };

export const DAY_MS = 86_400_000;
export const MAX_RETENTION_DAYS = 3660;

/** Null when valid, else a sentence naming the field. */
export function retentionProblem(r: unknown): string | null {
  if (typeof r !== 'object' || r === null) return 'Retention settings must be an object.';
  const { raw_days, minute_days } = r as Record<string, unknown>;
  if (typeof raw_days !== 'number' || !Number.isInteger(raw_days) || raw_days < 1 || raw_days > MAX_RETENTION_DAYS)
    return `raw_days must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got ${String(raw_days)}.`;
  if (minute_days === null) return null;
  if (typeof minute_days !== 'number' || !Number.isInteger(minute_days) || minute_days < raw_days || minute_days > MAX_RETENTION_DAYS * 10)
    return `minute_days must be null (keep for ever) or a whole number of days from raw_days (${raw_days}) to ${MAX_RETENTION_DAYS * 10}, got ${String(minute_days)}.`;
  return null;
}

export function checkRetention(r: unknown): RetentionSettings {
  const p = retentionProblem(r);
  if (p) throw new StorageError('invalid', p);
  const { raw_days, minute_days } = r as RetentionSettings;
  return { raw_days, minute_days };
}

/** Rows that ended before these times are deleted. */
export function retentionCutoffs(r: RetentionSettings, now_ms: number): { raw_ms: number; minute_ms: number | null } {
  return { raw_ms: now_ms - r.raw_days * DAY_MS, minute_ms: r.minute_days === null ? null : now_ms - r.minute_days * DAY_MS };
}

export function retentionToJson(r: RetentionSettings): JsonValue {
  return { raw_days: r.raw_days, minute_days: r.minute_days };
}

/** A stored value back as settings; anything malformed gives the defaults. */
export function retentionFromJson(v: JsonValue | undefined): RetentionSettings {
  if (v === undefined || !isJsonValue(v) || retentionProblem(v) !== null) return { ...DEFAULT_RETENTION };
  return checkRetention(v);
}

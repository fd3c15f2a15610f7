// What the statistics are computed from: one recorded reading of one pack. The recorder's rows
// (src/lib/storage) convert to this; so do live poller updates. Plain numbers and arrays, no
// classes, so a Worker could take them as they are.

import { localTimeZone, type Period } from './calendar';

export interface StatsSample {
  /** When the reading was taken, Unix epoch ms. */
  t_ms: number;
  voltage_V: number;
  /** + charging, − discharging. */
  current_A: number;
  soc_pct: number | null;
  remaining_Ah: number | null;
  full_Ah: number | null;
  cells_mV: readonly (number | null)[];
  /** null where a sensor is absent. */
  temps_C: readonly (number | null)[];
}

export interface StatsOptions {
  period: Period;
  /** IANA zone the day, week and month buckets follow. Default: the runtime's (the user's). */
  timeZone?: string;
  /**
   * Longest time between two samples that is bridged by the trapezoid (ms). Default 120 000:
   * two minutes covers missed polls, a slow 16-pack bank at 9600 baud (a cycle every ~5 s) and
   * per-minute rows with one missing; it does not bridge a closed tab, a sleeping laptop or a
   * pulled cable, where nobody knows what the current did.
   */
  maxGap_ms?: number;
  /** |current| at or below this counts as idle, per pack (A). Default 0.5: above sensor offset and noise, below any real load. */
  idleBand_A?: number;
  /** 1 = weeks start on Monday (ISO 8601, default), 0 = Sunday. */
  weekStartsOn?: 0 | 1;
}

export interface ResolvedStatsOptions {
  period: Period;
  timeZone: string;
  maxGap_ms: number;
  idleBand_A: number;
  weekStartsOn: 0 | 1;
}

export const DEFAULT_MAX_GAP_MS = 120_000;
export const DEFAULT_IDLE_BAND_A = 0.5;

export function resolveOptions(o: StatsOptions): ResolvedStatsOptions {
  const maxGap_ms = o.maxGap_ms ?? DEFAULT_MAX_GAP_MS;
  const idleBand_A = o.idleBand_A ?? DEFAULT_IDLE_BAND_A;
  if (!(maxGap_ms > 0)) throw new RangeError(`maxGap_ms must be > 0, got ${maxGap_ms}`);
  if (!(idleBand_A >= 0)) throw new RangeError(`idleBand_A must be >= 0, got ${idleBand_A}`);
  if (o.period !== 'day' && o.period !== 'week' && o.period !== 'month')
    throw new RangeError(`period must be day, week or month, got ${String(o.period)}`);
  return { period: o.period, timeZone: o.timeZone ?? localTimeZone(), maxGap_ms, idleBand_A, weekStartsOn: o.weekStartsOn ?? 1 };
}

/**
 * The usable samples in time order: a reading without a finite time, voltage or current cannot
 * be integrated and is left out; of two readings at the same instant the later one counts.
 */
export function usableSamples(samples: readonly StatsSample[]): StatsSample[] {
  const ok = samples.filter((s) => Number.isFinite(s.t_ms) && Number.isFinite(s.voltage_V) && Number.isFinite(s.current_A));
  const sorted = ok.map((s, i) => ({ s, i })).sort((a, b) => a.s.t_ms - b.s.t_ms || a.i - b.i);
  const out: StatsSample[] = [];
  for (const { s } of sorted) {
    if (out.length > 0 && out[out.length - 1].t_ms === s.t_ms) out[out.length - 1] = s;
    else out.push(s);
  }
  return out;
}

// Cells: the spread between the highest and lowest cell, and a weak cell (the lowest under load,
// falling away from the others fastest). Pure; thresholds in rules.ts.

import type { PackAnalog } from '../protocol/types';
import { HEALTH_RULES } from './rules';
import type { Finding, ReportSample } from './types';

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (v: number) => Math.round(v);
/** One decimal, without binary-fraction tails (10.3, not 10.299999). */
const round1 = (v: number) => Math.round(v * 10) / 10;

/** Spread of one reading, and whether it sits on the flat part of the curve. */
function spreadOf(cells_mV: readonly number[]): { spread_mV: number; plateau: boolean } {
  const max = Math.max(...cells_mV);
  const min = Math.min(...cells_mV);
  return { spread_mV: max - min, plateau: min >= HEALTH_RULES.plateauLow_mV && max <= HEALTH_RULES.plateauHigh_mV };
}

/**
 * The spread: the middle of the watch's readings (one odd reading does not decide), or the last
 * reading when there were none. Judged with wider limits off the plateau.
 */
export function judgeSpread(address: number, analog: PackAnalog | null, samples: readonly ReportSample[]): Finding | null {
  const readings = samples.filter((s) => s.cells_mV.length > 1).map((s) => spreadOf(s.cells_mV));
  if (readings.length === 0 && analog && analog.cells_mV.length > 1 && !analog.empty) readings.push(spreadOf(analog.cells_mV));
  if (readings.length === 0) return null;
  const spread_mV = median(readings.map((r) => r.spread_mV));
  const largest_mV = Math.max(...readings.map((r) => r.spread_mV));
  const plateau = readings.filter((r) => r.plateau).length * 2 >= readings.length;
  const factor = plateau ? 1 : HEALTH_RULES.kneeFactor;
  const watch = HEALTH_RULES.spreadWatch_mV * factor;
  const problem = HEALTH_RULES.spreadProblem_mV * factor;
  const severity = spread_mV >= problem ? 'problem' : spread_mV >= watch ? 'watch' : 'ok';
  return {
    id: 'cell-spread',
    severity,
    pack: address,
    values: {
      spread_mV: round(spread_mV),
      largest_mV: round(largest_mV),
      limit_mV: severity === 'problem' ? problem : watch,
      plateau: plateau ? 1 : 0
    }
  };
}

/** Least-squares slope of y over t (per ms); 0 with fewer than two distinct times. */
function slope(points: readonly { t: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface WeakCellResult {
  /** Null when there were too few samples under load to judge. */
  finding: Finding | null;
  loadSamples: number;
}

/**
 * A weak cell: under load (discharging at least loadCurrent_C), the cell that is the lowest in most
 * samples, how far it sits below the middle cell on average, and how fast it falls away from it.
 * `capacity_Ah`: the pack's (for the load threshold).
 */
export function judgeWeakCell(address: number, samples: readonly ReportSample[], capacity_Ah: number): WeakCellResult {
  const threshold_A = -HEALTH_RULES.loadCurrent_C * capacity_Ah;
  const load = samples.filter((s) => s.current_A <= threshold_A && s.cells_mV.length > 1);
  if (load.length < HEALTH_RULES.minLoadSamples) return { finding: null, loadSamples: load.length };
  const cellCount = Math.min(...load.map((s) => s.cells_mV.length));
  const lowestCount = new Array<number>(cellCount).fill(0);
  for (const s of load) {
    const min = Math.min(...s.cells_mV.slice(0, cellCount));
    for (let i = 0; i < cellCount; i++) if (s.cells_mV[i] === min) lowestCount[i]++;
  }
  const cell = lowestCount.indexOf(Math.max(...lowestCount));
  const share = lowestCount[cell] / load.length;
  const gaps = load.map((s) => ({ t: s.t_ms, y: median(s.cells_mV.slice(0, cellCount)) - s.cells_mV[cell] }));
  const gap_mV = gaps.reduce((s, g) => s + g.y, 0) / gaps.length;
  const fall_mV_per_min = slope(gaps) * 60_000;
  const weak =
    share >= HEALTH_RULES.weakLowestShare && (gap_mV >= HEALTH_RULES.weakGapWatch_mV || fall_mV_per_min >= HEALTH_RULES.weakFallWatch_mV_per_min);
  const severity = !weak ? 'ok' : gap_mV >= HEALTH_RULES.weakGapProblem_mV ? 'problem' : 'watch';
  return {
    loadSamples: load.length,
    finding: {
      id: 'weak-cell',
      severity,
      pack: address,
      values: {
        cell: cell + 1,
        gap_mV: round1(gap_mV),
        fall_mV_per_min: round1(fall_mV_per_min),
        lowest_pct: round(share * 100),
        samples: load.length
      }
    }
  };
}

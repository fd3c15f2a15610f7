// The pack page's cell list: one bar per cell on an axis zoomed to the pack's own spread, so that a
// 4 mV difference is visible, with the vendor tool's marks (orange maximum, green minimum, yellow
// balancing) always spelled out in words as well.

import { m } from '$lib/paraglide/messages';
import type { AlarmLevel } from '$lib/session/types';
import { formatMillivolts } from './format';
import { cellStats, type CellStats } from './pack-summary';

export type CellMark = 'max' | 'min' | 'balancing' | 'alarm-high' | 'alarm-low' | 'alarm';

/** Each mark in words (call it: worded in the app's language when rendered). */
export const MARK_WORD: Record<CellMark, () => string> = {
  max: m.pack_mark_max,
  min: m.pack_mark_min,
  balancing: m.pack_mark_balancing,
  'alarm-high': m.pack_mark_above_limit,
  'alarm-low': m.pack_mark_below_limit,
  alarm: m.pack_mark_alarm
};

export interface CellBar {
  /** 1-based. */
  n: number;
  label: string;
  mV: number;
  text: string;
  /** Bar length, 0..1 along the axis. */
  frac: number;
  marks: CellMark[];
}

export interface CellBarsModel {
  bars: CellBar[];
  stats: CellStats | null;
  /** The axis the bars are drawn on, in mV. */
  axisLow_mV: number;
  axisHigh_mV: number;
}

/** Minimum headroom around the extremes, so equal cells show as equal half bars, not empty ones. */
const MIN_PAD_MV = 5;

export function cellBarsModel(
  cells_mV: readonly number[],
  balancingCells: readonly number[] = [],
  alarms: readonly AlarmLevel[] = []
): CellBarsModel {
  const stats = cellStats(cells_mV);
  if (!stats) return { bars: [], stats: null, axisLow_mV: 0, axisHigh_mV: 0 };
  const pad = Math.max(MIN_PAD_MV, stats.spread_mV * 0.5);
  const lo = stats.min_mV - pad;
  const hi = stats.max_mV + pad;
  const balancing = new Set(balancingCells);
  const width = String(cells_mV.length).length < 2 ? 2 : String(cells_mV.length).length;
  const bars = cells_mV.map((mV, i) => {
    const n = i + 1;
    const marks: CellMark[] = [];
    if (stats.spread_mV > 0 && mV === stats.max_mV) marks.push('max');
    if (stats.spread_mV > 0 && mV === stats.min_mV) marks.push('min');
    if (balancing.has(n)) marks.push('balancing');
    const a = alarms[i];
    if (a === 'high') marks.push('alarm-high');
    else if (a === 'low') marks.push('alarm-low');
    else if (a !== undefined && a !== 'normal') marks.push('alarm');
    return { n, label: m.pack_cell_label({ n: String(n).padStart(width, '0') }), mV, text: formatMillivolts(mV), frac: (mV - lo) / (hi - lo), marks };
  });
  return { bars, stats, axisLow_mV: lo, axisHigh_mV: hi };
}

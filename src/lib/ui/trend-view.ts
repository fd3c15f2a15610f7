// What the trend charts show and the words beside them, without uPlot: panel definitions, the
// time-range buttons, the window they select, and a text summary of each panel (latest, lowest,
// highest in the window) so the charts have an accessible equivalent.

import { m } from '$lib/paraglide/messages';
import type { TrendColumns, TrendSeriesKey } from '$lib/session/trend-buffer';
import { NO_VALUE, formatNumber, formatSpan, UNIT_SEP } from './format';

export interface SeriesSpec {
  key: TrendSeriesKey;
  /** Worded when rendered, in the app's language. */
  label: () => string;
  /** Line colour; chosen to be told apart on white and on the dark theme. */
  colour: string;
}

export interface PanelSpec {
  id: string;
  /** Worded when rendered, in the app's language. */
  title: () => string;
  unit: string;
  decimals: number;
  series: SeriesSpec[];
}

export const PANELS: readonly PanelSpec[] = [
  {
    id: 'voltage',
    title: m.monitor_voltage,
    unit: 'V',
    decimals: 2,
    series: [{ key: 'voltage_V', label: m.pack_trend_pack_voltage, colour: '#1f5fa8' }]
  },
  { id: 'current', title: m.monitor_current, unit: 'A', decimals: 1, series: [{ key: 'current_A', label: m.pack_trend_current, colour: '#7a3db8' }] },
  { id: 'soc', title: m.pack_trend_soc_title, unit: '%', decimals: 0, series: [{ key: 'soc_pct', label: m.monitor_soc, colour: '#0a7a3a' }] },
  {
    id: 'spread',
    title: m.pack_trend_spread_title,
    unit: 'mV',
    decimals: 0,
    series: [{ key: 'cellSpread_mV', label: m.pack_trend_spread, colour: '#b35806' }]
  },
  {
    id: 'temp',
    title: m.monitor_temp_legend,
    unit: '°C',
    decimals: 1,
    series: [
      { key: 'maxTemp_C', label: m.pack_trend_hottest, colour: '#c0261b' },
      { key: 'minTemp_C', label: m.pack_trend_coldest, colour: '#1d7fb8' }
    ]
  }
];

export interface RangeOption {
  id: string;
  span_ms: number;
  /** Words for the button when the span's own ("7 d" reads worse than "7 days"); default: the span. */
  label?: () => string;
}

export const RANGES: readonly RangeOption[] = [
  { id: '5m', span_ms: 5 * 60_000 },
  { id: '1h', span_ms: 3_600_000 },
  { id: '6h', span_ms: 6 * 3_600_000 },
  { id: '24h', span_ms: 24 * 3_600_000 }
];

/** A range button's words: "5 min", "1 h" / "5 分钟", "1 小时". */
export function rangeLabel(r: RangeOption): string {
  return r.label ? r.label() : formatSpan(r.span_ms);
}

export const DEFAULT_RANGE = '1h';

export interface TimeWindow {
  /** Session-clock ms. */
  from_ms: number;
  to_ms: number;
}

/** Narrowest window shown, so one or two samples do not make a zero-width axis. */
const MIN_WINDOW_MS = 30_000;

export function findRange(rangeId: string, ranges: readonly RangeOption[] = RANGES): RangeOption {
  return ranges.find((x) => x.id === rangeId) ?? ranges.find((x) => x.id === DEFAULT_RANGE) ?? ranges[0];
}

/**
 * The window a range button selects: the span ending at the newest sample (or now when empty).
 * When fewer samples than the span exist, the window starts at the oldest one instead, so a fresh
 * connection fills the chart rather than sitting as a dot at its right edge.
 */
export function rangeWindow(
  rangeId: string,
  oldest_ms: number | null,
  newest_ms: number | null,
  now_ms: number,
  ranges: readonly RangeOption[] = RANGES
): TimeWindow {
  const span = findRange(rangeId, ranges).span_ms;
  const to = newest_ms ?? now_ms;
  let from = to - span;
  if (oldest_ms !== null && oldest_ms > from) from = Math.min(oldest_ms, to - MIN_WINDOW_MS);
  return { from_ms: from, to_ms: to };
}

/** First index with t >= target in a rising array (binary search). */
export function lowerBound(t: ArrayLike<number>, target: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface SeriesSummary {
  label: string;
  latest: string;
  low: string;
  high: string;
}

export interface PanelSummary {
  id: string;
  title: string;
  series: SeriesSummary[];
  /** Samples inside the window. */
  points: number;
}

function fmt(v: number, decimals: number, unit: string): string {
  return formatNumber(v, decimals) + UNIT_SEP + unit;
}

/**
 * Latest, lowest and highest value of every series inside the window, NaN (unknown) skipped.
 * `bands`: the lowest and highest value behind each point (recorded buckets), when not the point itself.
 */
export function summarise(
  cols: TrendColumns,
  win: TimeWindow,
  bands?: { lo: Record<TrendSeriesKey, ArrayLike<number>>; hi: Record<TrendSeriesKey, ArrayLike<number>> }
): PanelSummary[] {
  const i0 = lowerBound(cols.t_ms, win.from_ms);
  const i1 = lowerBound(cols.t_ms, win.to_ms + 1e-9);
  return PANELS.map((p) => ({
    id: p.id,
    title: p.title(),
    points: Math.max(0, i1 - i0),
    series: p.series.map((s) => {
      const col = cols[s.key];
      const low = bands?.lo[s.key] ?? col;
      const high = bands?.hi[s.key] ?? col;
      let lo = Infinity;
      let hi = -Infinity;
      let latest = Number.NaN;
      for (let i = i0; i < i1; i++) {
        const v = col[i];
        if (Number.isNaN(v)) continue;
        const a = Number.isNaN(low[i]) ? v : low[i];
        const b = Number.isNaN(high[i]) ? v : high[i];
        if (a < lo) lo = a;
        if (b > hi) hi = b;
        latest = v;
      }
      const any = Number.isFinite(lo);
      return {
        label: s.label(),
        latest: any ? fmt(latest, p.decimals, p.unit) : NO_VALUE,
        low: any ? fmt(lo, p.decimals, p.unit) : NO_VALUE,
        high: any ? fmt(hi, p.decimals, p.unit) : NO_VALUE
      };
    })
  }));
}

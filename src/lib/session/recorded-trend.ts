// Recorded telemetry of one pack as trend columns: storage's chart query (min, max and mean per
// bucket, full-resolution rows for short ranges, minute aggregates for long ones) turned into the
// trend's series, a line (the bucket's mean) and a band (its lowest and highest), so a one-poll
// spike still shows on a week-long chart. Empty buckets are left out (a bucket narrower than the
// poll interval is often empty); a gap longer than a few buckets is kept as a gap.

import { CHART_SERIES, type AppStorage, type ChartData, type ChartSeries, type ChartSeriesKey } from '$lib/storage';
import type { TrendColumns, TrendSeriesKey } from './trend-buffer';

export const TREND_SERIES: readonly TrendSeriesKey[] = ['voltage_V', 'current_A', 'soc_pct', 'cellSpread_mV', 'maxTemp_C', 'minTemp_C'];

/** Which chart series each trend series is drawn from. */
const SOURCE: Record<TrendSeriesKey, ChartSeriesKey> = {
  voltage_V: 'voltage_V',
  current_A: 'current_A',
  soc_pct: 'soc_pct',
  cellSpread_mV: 'cellSpread_mV',
  maxTemp_C: 'tempMax_C',
  minTemp_C: 'tempMin_C'
};

export type TrendBand = Record<TrendSeriesKey, Float32Array>;

export interface BandedTrend {
  /** Line values (bucket means) with times in the caller's time base (see `offset_ms`). */
  cols: TrendColumns;
  /** Lowest and highest value in each bucket. */
  lo: TrendBand;
  hi: TrendBand;
  /** Width of the buckets (ms) and where they came from. */
  bucket_ms: number;
  tier: ChartData['tier'];
}

/** A time span between two points longer than this is drawn as a gap. */
export function gapThreshold_ms(bucket_ms: number): number {
  return Math.max(3 * bucket_ms, 90_000);
}

/**
 * The chart of one device as trend columns. `offset_ms` is subtracted from storage's epoch times
 * (the pack page's trends run on the session clock). Points sit at their bucket's middle.
 */
export function trendFromChart(chart: ChartData, device: string, offset_ms = 0): BandedTrend {
  const d = chart.devices.find((x) => x.device === device);
  const half = chart.bucket_ms / 2;
  const gap = gapThreshold_ms(chart.bucket_ms);
  const picks: number[] = [];
  if (d) for (let b = 0; b < chart.t_ms.length; b++) if (d.counts[b] > 0) picks.push(b);
  // One NaN point in every long gap, so the line breaks there.
  const points: (number | null)[] = [];
  for (let i = 0; i < picks.length; i++) {
    if (i > 0 && chart.t_ms[picks[i]] - chart.t_ms[picks[i - 1]] > gap) points.push(null);
    points.push(picks[i]);
  }
  const n = points.length;
  const t = new Float64Array(n);
  const mk = () => Object.fromEntries(TREND_SERIES.map((k) => [k, new Float32Array(n)])) as TrendBand;
  const value = mk();
  const lo = mk();
  const hi = mk();
  for (let i = 0; i < n; i++) {
    const b = points[i];
    if (b === null) {
      t[i] = chart.t_ms[points[i - 1]!] + chart.bucket_ms - offset_ms;
      for (const k of TREND_SERIES) value[k][i] = lo[k][i] = hi[k][i] = Number.NaN;
      continue;
    }
    t[i] = chart.t_ms[b] + half - offset_ms;
    for (const k of TREND_SERIES) {
      const s: ChartSeries = d!.series[SOURCE[k]];
      value[k][i] = s.mean[b];
      lo[k][i] = s.min[b];
      hi[k][i] = s.max[b];
    }
  }
  return { cols: { t_ms: t, ...value }, lo, hi, bucket_ms: chart.bucket_ms, tier: chart.tier };
}

/** Recorded trend of one device over [from_ms, to_ms) (epoch ms), in `buckets` buckets. */
export async function loadRecordedTrend(
  storage: AppStorage,
  device: string,
  range: { from_ms: number; to_ms: number },
  options: { buckets?: number; offset_ms?: number } = {}
): Promise<BandedTrend> {
  const chart = await storage.chart({ devices: [device], from_ms: range.from_ms, to_ms: range.to_ms, buckets: options.buckets ?? 800 });
  return trendFromChart(chart, device, options.offset_ms ?? 0);
}

/** Every series storage charts (for the Logs page's own series picks). */
export { CHART_SERIES };

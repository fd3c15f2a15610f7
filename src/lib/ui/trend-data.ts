// What a trend chart draws: the recorded part (bucketed: a line and a min–max band) followed by
// this visit's live samples (one point each, band = the value), on one time line. Recorded
// buckets from where the live samples begin are dropped: those minutes are in the live part.

import { gapThreshold_ms, TREND_SERIES, type BandedTrend, type TrendBand } from '$lib/session/recorded-trend';
import type { TrendColumns } from '$lib/session/trend-buffer';

export interface TrendData {
  cols: TrendColumns;
  /** Lowest and highest value behind each point (the value itself for a live sample). */
  lo: TrendBand;
  hi: TrendBand;
  /** Points that came from the recording (the first ones). */
  recordedPoints: number;
}

function liveOnly(live: TrendColumns): TrendData {
  const band = Object.fromEntries(TREND_SERIES.map((k) => [k, live[k]])) as TrendBand;
  return { cols: live, lo: band, hi: band, recordedPoints: 0 };
}

/** `recorded` (may be null) then `live`, both in the same time base. */
export function trendData(recorded: BandedTrend | null, live: TrendColumns): TrendData {
  if (!recorded || recorded.cols.t_ms.length === 0) return liveOnly(live);
  const rt = recorded.cols.t_ms;
  const liveStart = live.t_ms.length > 0 ? live.t_ms[0] : Infinity;
  let k = 0;
  while (k < rt.length && rt[k] < liveStart) k++;
  // Trailing gap markers of the recorded part are no use at its end.
  while (k > 0 && Number.isNaN(recorded.cols.voltage_V[k - 1])) k--;
  if (k === 0) return liveOnly(live);
  const gap = live.t_ms.length > 0 && liveStart - rt[k - 1] > gapThreshold_ms(recorded.bucket_ms) ? 1 : 0;
  const n = k + gap + live.t_ms.length;
  const t = new Float64Array(n);
  t.set(rt.subarray(0, k), 0);
  if (gap) t[k] = rt[k - 1] + recorded.bucket_ms;
  t.set(live.t_ms, k + gap);
  const join = (rec: Float32Array, liveCol: Float32Array) => {
    const out = new Float32Array(n);
    out.set(rec.subarray(0, k), 0);
    if (gap) out[k] = Number.NaN;
    out.set(liveCol, k + gap);
    return out;
  };
  const value = {} as TrendBand;
  const lo = {} as TrendBand;
  const hi = {} as TrendBand;
  for (const s of TREND_SERIES) {
    value[s] = join(recorded.cols[s], live[s]);
    lo[s] = join(recorded.lo[s], live[s]);
    hi[s] = join(recorded.hi[s], live[s]);
  }
  return { cols: { t_ms: t, ...value }, lo, hi, recordedPoints: k };
}

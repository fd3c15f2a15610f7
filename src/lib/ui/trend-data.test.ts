import { describe, expect, it } from 'vitest';
import { trendFromChart } from '$lib/session/recorded-trend';
import { TrendBuffer } from '$lib/session/trend-buffer';
import type { ChartData } from '$lib/storage';
import { trendData } from './trend-data';

/** A chart of one device: buckets of 10 s from t=0 with the given voltages (null = empty bucket). */
function chart(volts: (number | null)[], bucket_ms = 10_000): ChartData {
  const n = volts.length;
  const series = (f: (v: number) => [number, number, number]) => {
    const min = new Float64Array(n).fill(Number.NaN);
    const max = new Float64Array(n).fill(Number.NaN);
    const mean = new Float64Array(n).fill(Number.NaN);
    volts.forEach((v, i) => {
      if (v === null) return;
      [min[i], mean[i], max[i]] = f(v);
    });
    return { min, max, mean };
  };
  const s = series((v) => [v - 0.5, v, v + 0.5]);
  return {
    tier: 'raw',
    bucket_ms,
    from_ms: 0,
    to_ms: n * bucket_ms,
    t_ms: Float64Array.from({ length: n }, (_, i) => i * bucket_ms),
    devices: [
      {
        device: 'sn:A',
        counts: Uint32Array.from(volts.map((v) => (v === null ? 0 : 3))),
        series: {
          voltage_V: s,
          current_A: s,
          soc_pct: s,
          cellMin_mV: s,
          cellMax_mV: s,
          cellSpread_mV: s,
          tempMin_C: s,
          tempMax_C: s
        }
      }
    ]
  };
}

describe('recorded trend and live samples on one line', () => {
  it('drops empty buckets, keeps min and max as the band, breaks the line only at a long gap', () => {
    const volts: (number | null)[] = [50, null, 51, ...Array(20).fill(null), 52];
    const r = trendFromChart(chart(volts), 'sn:A', 1000);
    expect(Array.from(r.cols.t_ms)).toEqual([5000 - 1000, 25_000 - 1000, 30_000 - 1000, 235_000 - 1000]);
    expect(Array.from(r.cols.voltage_V)).toEqual([50, 51, Number.NaN, 52]);
    expect(Array.from(r.lo.voltage_V)).toEqual([49.5, 50.5, Number.NaN, 51.5]);
    expect(Array.from(r.hi.voltage_V)).toEqual([50.5, 51.5, Number.NaN, 52.5]);
  });

  it('the recording up to where the live samples begin, then the live samples, with a gap between when there is one', () => {
    const rec = trendFromChart(chart([50, 51, 52, 53]), 'sn:A');
    const live = new TrendBuffer(10);
    for (const t of [25_000, 26_000])
      live.push({ t_ms: t, voltage_V: 60, current_A: 1, soc_pct: 50, cellSpread_mV: 5, maxTemp_C: 20, minTemp_C: 19 });
    const d = trendData(rec, live.columns());
    expect(Array.from(d.cols.t_ms)).toEqual([5000, 15_000, 25_000, 26_000]);
    expect(Array.from(d.cols.voltage_V)).toEqual([50, 51, 60, 60]);
    expect(Array.from(d.hi.voltage_V)).toEqual([50.5, 51.5, 60, 60]);
    expect(d.recordedPoints).toBe(2);

    const later = new TrendBuffer(10);
    later.push({ t_ms: 500_000, voltage_V: 60, current_A: 1, soc_pct: 50, cellSpread_mV: 5, maxTemp_C: 20, minTemp_C: 19 });
    const g = trendData(rec, later.columns());
    expect(Array.from(g.cols.voltage_V)).toEqual([50, 51, 52, 53, Number.NaN, 60]);

    const alone = trendData(null, later.columns());
    expect(alone.recordedPoints).toBe(0);
    expect(alone.lo.voltage_V).toBe(alone.cols.voltage_V);
  });
});

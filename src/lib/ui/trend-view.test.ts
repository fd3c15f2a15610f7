import { describe, expect, it } from 'vitest';
import { TrendBuffer } from '$lib/session/trend-buffer';
import { PANELS, RANGES, findRange, rangeLabel, lowerBound, rangeWindow, summarise } from './trend-view';

describe('rangeWindow', () => {
  it('ends at the newest sample, or now when there is none', () => {
    expect(rangeWindow('5m', 0, 1_000_000, 2_000_000)).toEqual({ from_ms: 700_000, to_ms: 1_000_000 });
    expect(rangeWindow('24h', null, null, 100)).toEqual({ from_ms: 100 - 86_400_000, to_ms: 100 });
  });
  it('starts at the oldest sample when the data is shorter than the span', () => {
    expect(rangeWindow('1h', 600_000, 900_000, 900_000)).toEqual({ from_ms: 600_000, to_ms: 900_000 });
    // ...but never narrower than 30 s.
    expect(rangeWindow('1h', 895_000, 900_000, 900_000)).toEqual({ from_ms: 870_000, to_ms: 900_000 });
  });
  it('falls back to the default range for an unknown id', () => {
    expect(rangeWindow('nonsense', null, 0, 0).from_ms).toBe(-3_600_000);
    expect(findRange('nonsense').id).toBe('1h');
    expect(RANGES.map((r) => rangeLabel(r))).toEqual(['5 min', '1 h', '6 h', '24 h'].map((t) => t.replace(' ', '\u00a0')));
  });
});

describe('lowerBound', () => {
  it('finds the first index at or after the target', () => {
    const t = [10, 20, 20, 30];
    expect(lowerBound(t, 5)).toBe(0);
    expect(lowerBound(t, 20)).toBe(1);
    expect(lowerBound(t, 21)).toBe(3);
    expect(lowerBound(t, 99)).toBe(4);
    expect(lowerBound([], 1)).toBe(0);
  });
});

describe('summarise', () => {
  it('reports latest, low and high inside the window only, skipping unknown values', () => {
    const b = new TrendBuffer(10);
    const push = (t: number, v: number, soc: number | null) =>
      b.push({ t_ms: t, voltage_V: v, current_A: -v / 10, soc_pct: soc, cellSpread_mV: t / 1000, maxTemp_C: null, minTemp_C: null });
    push(1000, 40, 10); // outside the window
    push(5000, 52, 50);
    push(6000, 53, null);
    push(7000, 51.5, 48);
    const s = summarise(b.columns(), { from_ms: 5000, to_ms: 7000 });
    expect(s.map((p) => p.id)).toEqual(PANELS.map((p) => p.id));
    const volt = s.find((p) => p.id === 'voltage')!;
    expect(volt.points).toBe(3);
    expect(volt.series[0]).toEqual({ label: 'Pack voltage', latest: '51.50\u00a0V', low: '51.50\u00a0V', high: '53.00\u00a0V' });
    const soc = s.find((p) => p.id === 'soc')!;
    expect(soc.series[0]).toMatchObject({ latest: '48\u00a0%', low: '48\u00a0%', high: '50\u00a0%' });
    const temp = s.find((p) => p.id === 'temp')!;
    expect(temp.series.map((x) => x.latest)).toEqual(['—', '—']);
  });
  it('says nothing is there for an empty window', () => {
    const s = summarise(new TrendBuffer(2).columns(), { from_ms: 0, to_ms: 10 });
    expect(s[0].points).toBe(0);
    expect(s[0].series[0].latest).toBe('—');
  });
});

import { describe, expect, it } from 'vitest';
import { syntheticAnalog } from '../../../tests/fixtures/synthetic-bank';
import { DAY_AT_5S, TrendBuffer, trendSample, withGaps } from './trend-buffer';
import type { TrendSample } from './types';

const sample = (t_ms: number, over: Partial<TrendSample> = {}): TrendSample => ({
  t_ms,
  voltage_V: 52 + t_ms / 1e6,
  current_A: -t_ms / 1000,
  soc_pct: 50,
  cellSpread_mV: 5,
  maxTemp_C: 25,
  minTemp_C: 20,
  ...over
});

describe('TrendBuffer', () => {
  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new TrendBuffer(0)).toThrow(RangeError);
    expect(() => new TrendBuffer(2.5)).toThrow(RangeError);
    expect(new TrendBuffer().capacity).toBe(DAY_AT_5S);
  });

  it('returns aligned columns oldest first before it wraps', () => {
    const b = new TrendBuffer(4);
    expect(b.length).toBe(0);
    expect(b.columns().t_ms).toHaveLength(0);
    expect(b.first_ms).toBeNull();
    b.push(sample(1000));
    b.push(sample(2000));
    const c = b.columns();
    expect(b.length).toBe(2);
    expect(Array.from(c.t_ms)).toEqual([1000, 2000]);
    expect(Array.from(c.current_A)).toEqual([-1, -2]);
    for (const col of Object.values(c)) expect(col).toHaveLength(2);
    expect(b.first_ms).toBe(1000);
    expect(b.last_ms).toBe(2000);
  });

  it('overwrites the oldest samples when full and keeps order across the wrap', () => {
    const b = new TrendBuffer(3);
    for (let t = 1; t <= 7; t++) b.push(sample(t * 1000));
    expect(b.length).toBe(3);
    const c = b.columns();
    expect(Array.from(c.t_ms)).toEqual([5000, 6000, 7000]);
    expect(Array.from(c.current_A)).toEqual([-5, -6, -7]);
    expect(b.at(0)?.t_ms).toBe(5000);
    expect(b.at(2)?.t_ms).toBe(7000);
    expect(b.at(3)).toBeUndefined();
    expect(b.first_ms).toBe(5000);
  });

  it('hands out snapshots that later pushes do not change', () => {
    const b = new TrendBuffer(2);
    b.push(sample(1000));
    b.push(sample(2000));
    const before = b.columns();
    b.push(sample(3000));
    expect(Array.from(before.t_ms)).toEqual([1000, 2000]);
    expect(Array.from(b.columns().t_ms)).toEqual([2000, 3000]);
  });

  it('keeps unknown values as gaps, not zeros', () => {
    const b = new TrendBuffer(4);
    b.push(sample(1000, { soc_pct: null, maxTemp_C: null, minTemp_C: null }));
    b.push(sample(2000));
    const c = b.columns();
    expect(Number.isNaN(c.soc_pct[0])).toBe(true);
    expect(c.soc_pct[1]).toBe(50);
    expect(b.at(0)).toMatchObject({ soc_pct: null, maxTemp_C: null, minTemp_C: null });
    expect(withGaps(c.soc_pct)).toEqual([null, 50]);
    // No gaps: the typed array itself, no copy.
    expect(withGaps(c.voltage_V)).toBe(c.voltage_V);
  });

  it('refuses samples that would fold time back, and non-finite times', () => {
    const b = new TrendBuffer(4);
    expect(b.push(sample(2000))).toBe(true);
    expect(b.push(sample(1500))).toBe(false);
    expect(b.push(sample(Number.NaN))).toBe(false);
    expect(b.push(sample(2000))).toBe(true);
    expect(Array.from(b.columns().t_ms)).toEqual([2000, 2000]);
  });

  it('bumps its version on every change so views know when to redraw', () => {
    const b = new TrendBuffer(2);
    const v0 = b.version;
    b.push(sample(1));
    expect(b.version).toBe(v0 + 1);
    b.push(sample(0));
    expect(b.version).toBe(v0 + 1);
    b.clear();
    expect(b.version).toBe(v0 + 2);
    expect(b.length).toBe(0);
    b.push(sample(0));
    expect(Array.from(b.columns().t_ms)).toEqual([0]);
  });

  it('holds 24 h at 5 s for 16 packs in typed arrays of a few MB', () => {
    const packs = Array.from({ length: 16 }, () => new TrendBuffer(DAY_AT_5S));
    for (const b of packs) for (let i = 0; i < DAY_AT_5S + 10; i++) b.push(sample(i * 5000));
    const c = packs[15].columns();
    expect(c.t_ms).toHaveLength(DAY_AT_5S);
    expect(c.t_ms[0]).toBe(10 * 5000);
    expect(c.t_ms[DAY_AT_5S - 1]).toBe((DAY_AT_5S + 9) * 5000);
    // 8 bytes of time + 6 x 4 bytes of values per sample.
    const bytes = Object.values(c).reduce((n, col) => n + col.byteLength, 0) * packs.length;
    expect(bytes).toBe(DAY_AT_5S * 32 * 16);
    expect(bytes).toBeLessThan(10 * 1024 * 1024);
  });
});

describe('trendSample', () => {
  it('derives spread and temperature extremes from analog values', () => {
    const a = syntheticAnalog(3, 0);
    a.cells_mV = [3300, 3312, 3290];
    a.temps_C = [21.5, null, 30.2, 19];
    const s = trendSample(5000, a);
    expect(s).toEqual({
      t_ms: 5000,
      voltage_V: a.voltage_V,
      current_A: a.current_A,
      soc_pct: a.soc_pct,
      cellSpread_mV: 22,
      maxTemp_C: 30.2,
      minTemp_C: 19
    });
  });
  it('is null for an empty block and has null temperatures when none is fitted', () => {
    expect(trendSample(0, { ...syntheticAnalog(1, 0), empty: true })).toBeNull();
    expect(trendSample(0, { ...syntheticAnalog(1, 0), temps_C: [null, null] })).toMatchObject({ maxTemp_C: null, minTemp_C: null });
  });
});

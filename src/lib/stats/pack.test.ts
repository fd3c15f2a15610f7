import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packStats } from './pack';
import type { StatsOptions, StatsSample } from './sample';

const H = 3_600_000;
const T0 = Date.UTC(2025, 5, 10, 6); // a Tuesday, 08:00 in Berlin
const UTC_DAY: StatsOptions = { period: 'day', timeZone: 'UTC' };

function sample(t_ms: number, current_A: number, o: Partial<StatsSample> = {}): StatsSample {
  return { t_ms, voltage_V: 50, current_A, soc_pct: null, remaining_Ah: null, full_Ah: 100, cells_mV: [3300, 3310], temps_C: [25], ...o };
}

/** Readings every `step_ms` from `from` to `to` inclusive with current `current(t)`. */
function series(from: number, to: number, step_ms: number, current: (t: number) => number, o: Partial<StatsSample> = {}): StatsSample[] {
  const out: StatsSample[] = [];
  for (let t = from; t <= to; t += step_ms) out.push(sample(t, current(t), o));
  return out;
}

describe('packStats: energy, charge, cycles', () => {
  it('10 A into 50 V for an hour is 0.5 kWh and 10 Ah; 20 A out for half an hour is 0.5 kWh, 10 Ah, 0.1 cycles', () => {
    const s = [...series(T0, T0 + H, 5000, () => 10), ...series(T0 + H + 5000, T0 + 1.5 * H + 5000, 5000, () => -20)];
    const { total } = packStats(s, UTC_DAY);
    // plus the triangle of the 5 s where the current turns from +10 to -20 A
    expect(total.charged_kWh).toBeCloseTo(0.5 + (50 * 10 * (5 / 3)) / 2 / 3.6e6, 9);
    expect(total.discharged_kWh).toBeCloseTo(0.5 + (50 * 20 * (10 / 3)) / 2 / 3.6e6, 9);
    expect(total.charged_Ah).toBeCloseTo(10, 2);
    expect(total.discharged_Ah).toBeCloseTo(10, 1);
    expect(total.equivalentCycles).toBeCloseTo(0.1, 3);
  });

  it('splits an interval where the current changes sign exactly at the crossing', () => {
    const { total } = packStats([sample(T0, 10), sample(T0 + 2000, -10)], UTC_DAY);
    // two triangles: 50 V x 10 A x 1 s / 2 each way
    expect(total.charged_kWh * 3.6e6).toBeCloseTo(250, 9);
    expect(total.discharged_kWh * 3.6e6).toBeCloseTo(250, 9);
    expect(total.charged_Ah * 3600).toBeCloseTo(5, 9);
  });

  it('does not bridge a gap longer than maxGap_ms: that time is neither counted nor covered', () => {
    const s = [sample(T0, -10), sample(T0 + 60_000, -10), sample(T0 + 60_000 + 3 * H, -10), sample(T0 + 3 * H + 120_000, -10)];
    const { total } = packStats(s, UTC_DAY);
    expect(total.covered_ms).toBe(120_000);
    expect(total.discharged_Ah).toBeCloseTo((10 * 120) / 3600, 9);
    const bridged = packStats(s, { ...UTC_DAY, maxGap_ms: 4 * H });
    expect(bridged.total.covered_ms).toBe(3 * H + 120_000);
  });

  it('equivalent cycles are null without any full capacity reading', () => {
    const s = series(T0, T0 + 60_000, 5000, () => -5, { full_Ah: null });
    expect(packStats(s, UTC_DAY).total.equivalentCycles).toBeNull();
  });
});

describe('packStats: time charging, discharging, idle', () => {
  it('uses the dead band, with the crossing point found on the line between readings', () => {
    // 0 A to 2 A over 4 s: above 0.5 A for the last 3 s.
    const { total } = packStats([sample(T0, 0), sample(T0 + 4000, 2)], UTC_DAY);
    expect(total.charging_ms).toBeCloseTo(3000, 6);
    expect(total.idle_ms).toBeCloseTo(1000, 6);
    expect(total.discharging_ms).toBe(0);
    const wide = packStats([sample(T0, 0), sample(T0 + 4000, 2)], { ...UTC_DAY, idleBand_A: 3 });
    expect(wide.total.idle_ms).toBe(4000);
  });

  it('a small current inside the band is idle time but still counts as charge and energy', () => {
    const { total } = packStats(
      series(T0, T0 + H, 10_000, () => -0.3),
      UTC_DAY
    );
    expect(total.idle_ms).toBe(H);
    expect(total.discharged_Ah).toBeCloseTo(0.3, 9);
  });
});

describe('packStats: periods in the local time zone', () => {
  it('on the spring-forward day in Berlin a steady 1 A gives 23 Ah and 23 h, its neighbours 24', () => {
    const from = Date.UTC(2025, 2, 28, 23); // 2025-03-29 00:00 CET
    const to = Date.UTC(2025, 2, 30, 22); // 2025-03-31 00:00 CEST
    const { periods, total } = packStats(
      series(from, to, 60_000, () => 1),
      { period: 'day', timeZone: 'Europe/Berlin' }
    );
    expect(periods.map((p) => p.key)).toEqual(['2025-03-29', '2025-03-30', '2025-03-31']);
    expect(periods[0].charged_Ah).toBeCloseTo(24, 9);
    expect(periods[1].charged_Ah).toBeCloseTo(23, 9);
    expect(periods[1].charging_ms).toBe(23 * H);
    expect(periods[2].covered_ms).toBe(0);
    expect(total.charged_Ah).toBeCloseTo(47, 9);
  });

  it('cuts an interval that spans midnight at midnight', () => {
    const midnight = Date.UTC(2025, 5, 11);
    const { periods } = packStats([sample(midnight - 30_000, -10), sample(midnight + 90_000, -10)], UTC_DAY);
    expect(periods.map((p) => p.covered_ms)).toEqual([30_000, 90_000]);
    expect(periods[0].discharged_Ah * 3600).toBeCloseTo(300, 9);
  });

  it('lists empty periods between readings', () => {
    const { periods } = packStats([sample(T0, 1), sample(T0 + 3 * 24 * H, 1)], UTC_DAY);
    expect(periods).toHaveLength(4);
    expect(periods.slice(1, 3).every((p) => p.samples === 0 && p.covered_ms === 0 && p.cellSpreadMax_mV === null)).toBe(true);
  });
});

describe('packStats: cells, temperatures, capacity', () => {
  it('per period: lowest and highest cell, largest spread within one reading, temperature extremes', () => {
    const s = [
      sample(T0, 0, { cells_mV: [3300, 3340, null], temps_C: [24, null, 30] }),
      sample(T0 + 60_000, 0, { cells_mV: [3290, 3300, 3305], temps_C: [19.5] }),
      sample(T0 + 24 * H, 0, { cells_mV: [3400], temps_C: [] })
    ];
    const [d1, d2] = packStats(s, UTC_DAY).periods;
    expect(d1).toMatchObject({ cellMin_mV: 3290, cellMax_mV: 3340, cellSpreadMax_mV: 40, tempMin_C: 19.5, tempMax_C: 30, samples: 2 });
    // One cell is no spread; no temperature is null, not 0.
    expect(d2).toMatchObject({ cellMin_mV: 3400, cellSpreadMax_mV: null, tempMin_C: null, tempMax_C: null });
  });

  it('capacity over time: each change of full_Ah, and the value at the end of each period', () => {
    const s = [
      sample(T0, 0, { full_Ah: 101 }),
      sample(T0 + H, 0, { full_Ah: 101 }),
      sample(T0 + 25 * H, 0, { full_Ah: 100.5 }),
      sample(T0 + 26 * H, 0, { full_Ah: null })
    ];
    const r = packStats(s, UTC_DAY);
    expect(r.capacity).toEqual([
      { t_ms: T0, full_Ah: 101 },
      { t_ms: T0 + 25 * H, full_Ah: 100.5 }
    ]);
    expect(r.periods.map((p) => p.full_Ah)).toEqual([101, 100.5]);
  });

  it('ignores readings without a finite time, voltage or current, and sorts the rest', () => {
    const s = [sample(T0 + 2000, -10), sample(NaN, 5), sample(T0, -10), { ...sample(T0 + 1000, -10), voltage_V: Infinity }];
    const r = packStats(s, UTC_DAY);
    expect(r.total.samples).toBe(2);
    expect(r.total.discharged_Ah * 3600).toBeCloseTo(20, 9);
    expect(packStats([], UTC_DAY)).toEqual({ periods: [], total: expect.objectContaining({ samples: 0, charged_kWh: 0 }), capacity: [] });
  });

  it('rejects nonsense options', () => {
    expect(() => packStats([], { ...UTC_DAY, maxGap_ms: 0 })).toThrow(RangeError);
    expect(() => packStats([], { ...UTC_DAY, idleBand_A: -1 })).toThrow(RangeError);
    expect(() => packStats([], { period: 'year' as 'day' })).toThrow(RangeError);
  });
});

// ---- properties ------------------------------------------------------------------------------

const ZONES = ['UTC', 'Europe/Berlin', 'America/Santiago', 'Asia/Kolkata', 'Pacific/Chatham', 'America/New_York'];

/** Readings at random steps (some longer than the gap limit) with random currents at one voltage. */
const readingsArb = fc
  .record({
    start: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 0, 1) }),
    voltage_V: fc.double({ min: 40, max: 60, noNaN: true }),
    steps: fc.array(
      fc.record({
        dt: fc.oneof(fc.integer({ min: 1, max: 120_000 }), fc.integer({ min: 1, max: 6 * H })),
        current_A: fc.double({ min: -150, max: 150, noNaN: true })
      }),
      { minLength: 2, maxLength: 120 }
    )
  })
  .map(({ start, voltage_V, steps }) => {
    let t = start;
    return steps.map(({ dt, current_A }) => {
      t += dt;
      return sample(t, current_A, { voltage_V });
    });
  });

describe('packStats properties', () => {
  it('charge in minus charge out equals the change of the remaining capacity a coulomb counter finds', () => {
    fc.assert(
      fc.property(readingsArb, (s) => {
        // The remaining capacity a BMS would count from the same readings, bridged the same way.
        let remaining = 50;
        const withSoc = s.map((x, k) => {
          if (k > 0 && x.t_ms - s[k - 1].t_ms <= 120_000) remaining += (((s[k - 1].current_A + x.current_A) / 2) * (x.t_ms - s[k - 1].t_ms)) / H;
          return { ...x, remaining_Ah: remaining, soc_pct: (100 * remaining) / 100 };
        });
        const { total } = packStats(withSoc, UTC_DAY);
        const first = withSoc[0];
        const last = withSoc[withSoc.length - 1];
        const scale = Math.max(1, total.charged_Ah + total.discharged_Ah);
        expect(Math.abs(total.charged_Ah - total.discharged_Ah - (last.remaining_Ah - first.remaining_Ah)) / scale).toBeLessThan(1e-9);
        expect(Math.abs(total.charged_Ah - total.discharged_Ah - ((last.soc_pct - first.soc_pct) * 100) / 100) / scale).toBeLessThan(1e-9);
        // At one voltage, energy is that voltage times the charge.
        const v = first.voltage_V;
        expect(total.charged_kWh).toBeCloseTo((v * total.charged_Ah) / 1000, 6);
        expect(total.discharged_kWh).toBeCloseTo((v * total.discharged_Ah) / 1000, 6);
      }),
      { numRuns: 200 }
    );
  });

  it('the periods add up to the total, in any zone and for days, weeks and months alike', () => {
    fc.assert(
      fc.property(
        readingsArb,
        fc.constantFrom(...ZONES),
        fc.constantFrom('day' as const, 'week' as const, 'month' as const),
        (s, timeZone, period) => {
          const r = packStats(s, { period, timeZone });
          const sum = (f: (p: (typeof r.periods)[number]) => number) => r.periods.reduce((a, p) => a + f(p), 0);
          const tol = (x: number) => 1e-9 * Math.max(1, Math.abs(x));
          expect(Math.abs(sum((p) => p.charged_kWh) - r.total.charged_kWh)).toBeLessThan(tol(r.total.charged_kWh));
          expect(Math.abs(sum((p) => p.discharged_Ah) - r.total.discharged_Ah)).toBeLessThan(tol(r.total.discharged_Ah));
          expect(Math.abs(sum((p) => p.covered_ms) - r.total.covered_ms)).toBeLessThan(1e-6);
          expect(sum((p) => p.samples)).toBe(s.length);
          // The total does not depend on how it is bucketed.
          const utc = packStats(s, UTC_DAY).total;
          expect(Math.abs(utc.discharged_kWh - r.total.discharged_kWh)).toBeLessThan(tol(utc.discharged_kWh));
          for (const p of r.periods) expect(p.covered_ms).toBeLessThanOrEqual(p.end_ms - p.start_ms + 1e-6);
        }
      ),
      { numRuns: 150 }
    );
  });

  it('charging + discharging + idle is the bridged time, and the bridged time is the sum of the short gaps', () => {
    fc.assert(
      fc.property(readingsArb, fc.double({ min: 0, max: 20, noNaN: true }), (s, idleBand_A) => {
        const { total } = packStats(s, { ...UTC_DAY, idleBand_A });
        let bridged = 0;
        for (let k = 1; k < s.length; k++) if (s[k].t_ms - s[k - 1].t_ms <= 120_000) bridged += s[k].t_ms - s[k - 1].t_ms;
        expect(total.covered_ms).toBeCloseTo(bridged, 6);
        expect(total.charging_ms + total.discharging_ms + total.idle_ms).toBeCloseTo(bridged, 6);
        expect(Math.min(total.charging_ms, total.discharging_ms, total.idle_ms)).toBeGreaterThanOrEqual(-1e-6);
      }),
      { numRuns: 200 }
    );
  });

  it('a reading added on the line between two others changes nothing (at one voltage)', () => {
    fc.assert(
      fc.property(readingsArb, fc.nat(), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (s, at, f) => {
        const k = 1 + (at % (s.length - 1));
        const a = s[k - 1];
        const b = s[k];
        const t = Math.round(a.t_ms + f * (b.t_ms - a.t_ms));
        fc.pre(t > a.t_ms && t < b.t_ms && b.t_ms - a.t_ms <= 120_000);
        const mid = sample(t, a.current_A + ((b.current_A - a.current_A) * (t - a.t_ms)) / (b.t_ms - a.t_ms), { voltage_V: a.voltage_V });
        const before = packStats(s, UTC_DAY).total;
        const after = packStats([...s.slice(0, k), mid, ...s.slice(k)], UTC_DAY).total;
        expect(after.charged_Ah).toBeCloseTo(before.charged_Ah, 8);
        expect(after.discharged_kWh).toBeCloseTo(before.discharged_kWh, 8);
        expect(after.charging_ms).toBeCloseTo(before.charging_ms, 5);
      }),
      { numRuns: 200 }
    );
  });
});

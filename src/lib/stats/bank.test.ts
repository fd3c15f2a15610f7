import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bankStats } from './bank';
import { packStats } from './pack';
import type { StatsOptions, StatsSample } from './sample';

const H = 3_600_000;
const T0 = Date.UTC(2025, 5, 10, 6);
const UTC_DAY: StatsOptions = { period: 'day', timeZone: 'UTC' };

function sample(t_ms: number, current_A: number, o: Partial<StatsSample> = {}): StatsSample {
  return { t_ms, voltage_V: 50, current_A, soc_pct: null, remaining_Ah: null, full_Ah: 100, cells_mV: [3300, 3310], temps_C: [25], ...o };
}

function series(from: number, to: number, step_ms: number, current: (t: number) => number, o: Partial<StatsSample> = {}): StatsSample[] {
  const out: StatsSample[] = [];
  for (let t = from; t <= to; t += step_ms) out.push(sample(t, current(t), o));
  return out;
}

describe('bankStats', () => {
  it('two packs doing the same: twice the energy and charge, the same cycles and times', () => {
    const s = series(T0, T0 + H, 5000, (t) => (t < T0 + H / 2 ? 20 : -20));
    const one = packStats(s, UTC_DAY).total;
    const bank = bankStats(
      new Map([
        ['A', s],
        ['B', s]
      ]),
      UTC_DAY
    );
    expect(bank.total.charged_kWh).toBeCloseTo(2 * one.charged_kWh, 9);
    expect(bank.total.discharged_Ah).toBeCloseTo(2 * one.discharged_Ah, 9);
    expect(bank.total.equivalentCycles).toBeCloseTo(one.equivalentCycles!, 9);
    expect(bank.total.charging_ms).toBeCloseTo(one.charging_ms, 6);
    expect(bank.total.idle_ms).toBeCloseTo(one.idle_ms, 6);
    expect(bank.total.packs).toBe(2);
    expect(bank.perPack.get('A')!.total.charged_kWh).toBeCloseTo(one.charged_kWh, 12);
  });

  it('one pack charging another is not the bank charging: no energy through the bus, idle time', () => {
    const bank = bankStats(
      new Map([
        ['A', series(T0, T0 + H, 5000, () => 5)],
        ['B', series(T0, T0 + H, 5000, () => -5)]
      ]),
      UTC_DAY
    );
    expect(bank.total.charged_kWh).toBe(0);
    expect(bank.total.discharged_kWh).toBe(0);
    expect(bank.total.idle_ms).toBe(H);
    expect(bank.perPack.get('A')!.total.charging_ms).toBe(H);
    expect(bank.perPack.get('B')!.total.discharged_kWh).toBeCloseTo(0.25, 9);
  });

  it('packs read one after another (relay polling) add up on the merged time line', () => {
    const a = series(T0, T0 + H, 4000, () => -10);
    const b = series(T0 + 2000, T0 + H + 2000, 4000, () => -30);
    const bank = bankStats(
      new Map([
        ['A', a],
        ['B', b]
      ]),
      UTC_DAY
    );
    expect(bank.total.covered_ms).toBe(H + 2000);
    expect(bank.total.discharged_Ah).toBeCloseTo(10 + 30, 9);
    expect(bank.total.discharging_ms).toBe(H + 2000);
  });

  it('says which pack each extreme came from, and sums the capacity once every pack reported one', () => {
    const bank = bankStats(
      new Map([
        ['A', [sample(T0, 0, { cells_mV: [3300, 3390], temps_C: [22], full_Ah: 101 }), sample(T0 + 60_000, 0, { full_Ah: 101 })]],
        ['B', [sample(T0 + 30_000, 0, { cells_mV: [3250, 3260], temps_C: [31, 18], full_Ah: 99 }), sample(T0 + 90_000, 0, { full_Ah: 98.5 })]]
      ]),
      UTC_DAY
    );
    expect(bank.periods[0]).toMatchObject({ cellSpreadMax_mV: 90, cellMin_mV: 3250, cellMax_mV: 3390, tempMin_C: 18, tempMax_C: 31, packs: 2 });
    expect(bank.periods[0].where).toEqual({ cellMin: 'B', cellMax: 'A', cellSpreadMax: 'A', tempMin: 'B', tempMax: 'B' });
    expect(bank.capacity).toEqual([
      { t_ms: T0 + 30_000, full_Ah: 200 },
      { t_ms: T0 + 90_000, full_Ah: 199.5 }
    ]);
    expect(bank.periods[0].full_Ah).toBe(199.5);
    expect(bank.total.where.cellSpreadMax).toBe('A');
  });

  it('the per-pack figures use the bank buckets, so rows line up', () => {
    const bank = bankStats(
      new Map([
        ['A', [sample(T0, 1)]],
        ['B', [sample(T0 + 2 * 24 * H, 1)]]
      ]),
      UTC_DAY
    );
    expect(bank.periods.map((p) => p.key)).toEqual(['2025-06-10', '2025-06-11', '2025-06-12']);
    expect(bank.perPack.get('A')!.periods.map((p) => p.key)).toEqual(bank.periods.map((p) => p.key));
    expect(bank.periods.map((p) => p.packs)).toEqual([1, 0, 1]);
  });

  it('is empty without readings', () => {
    expect(bankStats(new Map(), UTC_DAY)).toMatchObject({ periods: [], capacity: [], total: { packs: 0, charged_kWh: 0 } });
  });
});

const packArb = fc
  .record({
    offset: fc.integer({ min: 0, max: 10_000 }),
    voltage_V: fc.double({ min: 45, max: 58, noNaN: true }),
    steps: fc.array(fc.record({ dt: fc.integer({ min: 500, max: 200_000 }), current_A: fc.double({ min: -100, max: 100, noNaN: true }) }), {
      minLength: 2,
      maxLength: 60
    })
  })
  .map(({ offset, voltage_V, steps }) => {
    let t = T0 + offset;
    return steps.map(({ dt, current_A }) => {
      t += dt;
      return sample(t, current_A, { voltage_V: voltage_V + current_A / 100 });
    });
  });

describe('bankStats properties', () => {
  it('energy in minus energy out of the bank is the packs’ own net, whatever they trade among themselves', () => {
    fc.assert(
      fc.property(fc.array(packArb, { minLength: 1, maxLength: 5 }), fc.constantFrom('UTC', 'Europe/Berlin', 'Asia/Kolkata'), (packs, timeZone) => {
        const opts: StatsOptions = { period: 'day', timeZone };
        const bank = bankStats(new Map(packs.map((s, i) => [`P${i}`, s])), opts);
        let net_kWh = 0;
        let net_Ah = 0;
        let in_kWh = 0;
        for (const s of packs) {
          const t = packStats(s, opts).total;
          net_kWh += t.charged_kWh - t.discharged_kWh;
          net_Ah += t.charged_Ah - t.discharged_Ah;
          in_kWh += t.charged_kWh;
        }
        const scale = Math.max(1, in_kWh);
        expect(Math.abs(bank.total.charged_kWh - bank.total.discharged_kWh - net_kWh) / scale).toBeLessThan(1e-9);
        expect(Math.abs(bank.total.charged_Ah - bank.total.discharged_Ah - net_Ah) / Math.max(1, Math.abs(net_Ah))).toBeLessThan(1e-6);
        // Netting can only take away from each direction.
        expect(bank.total.charged_kWh).toBeLessThanOrEqual(in_kWh * (1 + 1e-12) + 1e-12);
        expect(bank.total.charging_ms + bank.total.discharging_ms + bank.total.idle_ms).toBeCloseTo(bank.total.covered_ms, 6);
        const sum = bank.periods.reduce((a, p) => a + p.discharged_kWh, 0);
        expect(Math.abs(sum - bank.total.discharged_kWh)).toBeLessThan(1e-9 * Math.max(1, sum));
      }),
      { numRuns: 150 }
    );
  });
});

import { describe, expect, it } from 'vitest';
import { MinuteStatsBuilder, type MinuteColumns } from './minutes';

const M = 60_000;
const T0 = Date.UTC(2025, 5, 10, 22); // 22:00 UTC, midnight in Berlin

/** `n` minutes from `t0`, each with these values (per minute). */
function minutes(t0: number, n: number, v: Partial<Record<keyof MinuteColumns, number>> = {}): MinuteColumns {
  const col = (x: number) => Float64Array.from({ length: n }, () => x);
  return {
    rows: n,
    t_ms: Float64Array.from({ length: n }, (_, i) => t0 + i * M),
    samples: col(v.samples ?? 30),
    charge_Wh: col(v.charge_Wh ?? 0),
    discharge_Wh: col(v.discharge_Wh ?? 0),
    charge_Ah: col(v.charge_Ah ?? 0),
    discharge_Ah: col(v.discharge_Ah ?? 0),
    charging_s: col(v.charging_s ?? 0),
    discharging_s: col(v.discharging_s ?? 0),
    idle_s: col(v.idle_s ?? 60),
    cellMin_mV: col(v.cellMin_mV ?? 3300),
    cellMax_mV: col(v.cellMax_mV ?? 3310),
    spreadMax_mV: col(v.spreadMax_mV ?? 10),
    tempMin_C: col(v.tempMin_C ?? 20),
    tempMax_C: col(v.tempMax_C ?? 25),
    full_Ah: col(v.full_Ah ?? 100)
  };
}

describe('MinuteStatsBuilder', () => {
  it('sums the minutes of each pack into local days; the bank is the packs’ sum, its time their mean', () => {
    const b = new MinuteStatsBuilder(T0 - 86_400_000, T0 + 3 * 86_400_000, { period: 'day', timeZone: 'Europe/Berlin' });
    // Pack A charges for two hours across local midnight; B discharges for the same two hours.
    b.add('A', minutes(T0 - 60 * M, 120, { charge_Wh: 50, charge_Ah: 1, charging_s: 60, idle_s: 0, full_Ah: 101 }));
    b.add('B', minutes(T0 - 60 * M, 120, { discharge_Wh: 25, discharge_Ah: 0.5, discharging_s: 60, idle_s: 0, cellMax_mV: 3450, tempMin_C: 5 }));
    const r = b.result();
    expect(r.periods.map((p) => p.key)).toEqual(['2025-06-10', '2025-06-11']);
    expect(r.periods[0].charged_kWh).toBeCloseTo(3, 9);
    expect(r.periods[1].discharged_kWh).toBeCloseTo(1.5, 9);
    expect(r.total.charged_Ah).toBeCloseTo(120, 9);
    // Each pack spent every minute charging or discharging: the bank's hour is half each.
    expect(r.periods[0].charging_ms).toBeCloseTo(30 * M, 6);
    expect(r.periods[0].discharging_ms).toBeCloseTo(30 * M, 6);
    expect(r.total.covered_ms).toBeCloseTo(120 * M, 6);
    expect(r.total.where).toMatchObject({ cellMax: 'B', tempMin: 'B' });
    expect(r.total.cellMax_mV).toBe(3450);
    expect(r.capacity).toEqual([{ t_ms: T0 - 60 * M, full_Ah: 201 }]);
    // Cycles: discharged Ah over the bank's capacity.
    expect(r.total.equivalentCycles).toBeCloseTo(60 / 201, 6);
    expect(r.perPack.get('A')!.total.charged_kWh).toBeCloseTo(6, 9);
    expect(r.perPack.get('B')!.periods.map((p) => p.key)).toEqual(['2025-06-10', '2025-06-11']);
  });

  it('weeks and months; minutes outside the range, or without samples, are left out; chunks in any order', () => {
    const b = new MinuteStatsBuilder(Date.UTC(2025, 0, 1), Date.UTC(2025, 2, 31), { period: 'month', timeZone: 'UTC' });
    b.add('A', minutes(Date.UTC(2025, 2, 3), 10, { discharge_Wh: 100 }));
    b.add('A', minutes(Date.UTC(2025, 0, 20), 10, { discharge_Wh: 100 }));
    b.add('A', minutes(Date.UTC(2024, 11, 31), 10, { discharge_Wh: 100 }));
    b.add('A', minutes(Date.UTC(2025, 1, 3), 10, { discharge_Wh: 100, samples: 0 }));
    const r = b.result();
    expect(r.periods.map((p) => [p.key, +p.discharged_kWh.toFixed(6), p.packs])).toEqual([
      ['2025-01', 1, 1],
      ['2025-02', 0, 0],
      ['2025-03', 1, 1]
    ]);
    const w = new MinuteStatsBuilder(Date.UTC(2025, 2, 29), Date.UTC(2025, 3, 2), { period: 'week', timeZone: 'UTC' });
    w.add('A', minutes(Date.UTC(2025, 2, 30, 23, 50), 20));
    expect(w.result().periods.map((p) => p.key)).toEqual(['2025-03-24', '2025-03-31']);
  });

  it('is empty without minutes', () => {
    const r = new MinuteStatsBuilder(0, 86_400_000, { period: 'day', timeZone: 'UTC' }).result();
    expect(r).toMatchObject({ periods: [], capacity: [], total: { packs: 0, charged_kWh: 0 } });
  });
});

import { describe, expect, it } from 'vitest';
import { computeBankTotals } from './totals';
import type { PackView } from './types';
import type { PackAnalog } from '$lib/protocol/types';

function analog(over: Partial<PackAnalog> = {}): PackAnalog {
  return {
    cells_mV: Array(16).fill(3300),
    temps_C: [25, 25, 25, 25],
    tempLabels: ['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4'],
    current_A: 0,
    voltage_V: 52.8,
    remaining_Ah: 50,
    full_Ah: 100,
    design_Ah: 100,
    cycles: 10,
    soc_pct: 50,
    soh_pct: 100,
    socSource: 'computed',
    userDefinedCount: 3,
    empty: false,
    ...over
  };
}

function pack(address: number, a: PackAnalog | null, fresh = true): PackView {
  return {
    address,
    isMaster: address === 1,
    analog: a,
    status: null,
    statusUnsupported: false,
    health: {
      address,
      state: fresh ? 'ok' : 'stale',
      lastGood_ms: 0,
      freshUntil_ms: fresh ? 10_000 : null,
      noReplyCount: 0,
      badReplyCount: 0,
      consecutiveFailures: 0,
      nextProbe_ms: null,
      lastError: null
    },
    received_ms: a ? 0 : null,
    fresh,
    identity: null
  };
}

describe('computeBankTotals', () => {
  it('sums currents and per-pack power, averages voltage', () => {
    const t = computeBankTotals([pack(1, analog({ current_A: 10, voltage_V: 53 })), pack(2, analog({ current_A: 20, voltage_V: 52 }))]);
    expect(t.busCurrent_A).toBeCloseTo(30);
    expect(t.systemVoltage_V).toBeCloseTo(52.5);
    // Per-pack V*I, not mean V * sum I: 530 + 1040.
    expect(t.power_W).toBeCloseTo(1570);
    expect(t.state).toBe('charging');
    expect(t.freshPacks).toBe(2);
    expect(t.totalPacks).toBe(2);
  });

  it('weights SOC by full capacity', () => {
    const t = computeBankTotals([pack(1, analog({ soc_pct: 100, full_Ah: 200 })), pack(2, analog({ soc_pct: 40, full_Ah: 100 }))]);
    expect(t.soc_pct).toBeCloseTo(80);
  });

  it('falls back to a plain SOC mean when a pack reports no full capacity', () => {
    const t = computeBankTotals([pack(1, analog({ soc_pct: 100, full_Ah: 200 })), pack(2, analog({ soc_pct: 40, full_Ah: 0 }))]);
    expect(t.soc_pct).toBeCloseTo(70);
  });

  it('leaves out stale packs, packs without values and empty broadcast blocks', () => {
    const t = computeBankTotals([
      pack(1, analog({ current_A: -5, voltage_V: 51, soc_pct: 60 })),
      pack(2, analog({ current_A: -50, voltage_V: 40, soc_pct: 0 }), false),
      pack(3, null, false),
      pack(4, analog({ current_A: 0, voltage_V: 0, soc_pct: 0, empty: true }))
    ]);
    expect(t.busCurrent_A).toBeCloseTo(-5);
    expect(t.systemVoltage_V).toBeCloseTo(51);
    expect(t.soc_pct).toBeCloseTo(60);
    expect(t.state).toBe('discharging');
    expect(t.freshPacks).toBe(1);
    expect(t.totalPacks).toBe(4);
  });

  it('reports no data rather than zeros-as-values when nothing is fresh', () => {
    const t = computeBankTotals([pack(1, analog({ current_A: 30, soc_pct: 90 }), false)]);
    expect(t.freshPacks).toBe(0);
    expect(t.soc_pct).toBeNull();
    expect(t.busCurrent_A).toBe(0);
    expect(t.power_W).toBe(0);
    expect(t.state).toBe('standby');
  });

  it('calls a small net current standby, and the band is configurable', () => {
    const packs = [pack(1, analog({ current_A: 0.3 })), pack(2, analog({ current_A: 0.1 }))];
    expect(computeBankTotals(packs).state).toBe('standby');
    expect(computeBankTotals(packs, { standbyBand_A: 0.2 }).state).toBe('charging');
    expect(computeBankTotals([pack(1, analog({ current_A: -0.6 }))]).state).toBe('discharging');
  });

  it('ignores SOC of packs that do not report one', () => {
    const t = computeBankTotals([pack(1, analog({ soc_pct: null })), pack(2, analog({ soc_pct: 30, full_Ah: 100 }))]);
    expect(t.soc_pct).toBeCloseTo(30);
    expect(computeBankTotals([pack(1, analog({ soc_pct: null }))]).soc_pct).toBeNull();
  });

  it('rejects a nonsense standby band', () => {
    expect(() => computeBankTotals([], { standbyBand_A: -1 })).toThrow(RangeError);
    expect(() => computeBankTotals([], { standbyBand_A: Number.NaN })).toThrow(RangeError);
  });
});

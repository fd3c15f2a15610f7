import { describe, expect, it } from 'vitest';
import { ocv_mV, socFromOcv } from './ocv';
import { PackModel } from './pack-model';
import { Rng } from './rng';
import { solveBus } from './bus';
import { Gauge } from './gauge';
import { Bms } from './bms';
import { defaultParams } from './params-store';

function pack(seed = 'p', soc = 0.5): PackModel {
  return new PackModel({ rng: new Rng(seed), cellCount: 16, cellSensorCount: 4, design_Ah: 100, initialSoc: soc, ambient_C: 25 });
}

describe('Rng', () => {
  it('repeats for a seed and differs between seeds and forks', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Rng(43).next()).not.toBe(xs[0]);
    expect(new Rng(42).fork('x').next()).not.toBe(new Rng(42).fork('y').next());
    expect(new Rng(42).fork('x').next()).toBe(new Rng(42).fork('x').next());
  });

  it('normal deviates have about the right mean and spread', () => {
    const r = new Rng('n');
    const xs = Array.from({ length: 4000 }, () => r.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeGreaterThan(9.85);
    expect(mean).toBeLessThan(10.15);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });
});

describe('OCV curve', () => {
  it('is strictly increasing with a flat plateau and steep knees', () => {
    let prev = -Infinity;
    for (let s = -0.02; s <= 1.08; s += 0.001) {
      const v = ocv_mV(s);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
    expect(ocv_mV(0.8) - ocv_mV(0.3)).toBeLessThan(80);
    expect(ocv_mV(0.05) - ocv_mV(0)).toBeGreaterThan(400);
    expect(ocv_mV(1.02)).toBeGreaterThan(3650);
  });

  it('inverts', () => {
    for (const s of [0.02, 0.25, 0.5, 0.77, 0.99, 1.01]) expect(socFromOcv(ocv_mV(s))).toBeCloseTo(s, 6);
  });
});

describe('pack physics', () => {
  it('coulomb counting: 50 A for one hour moves every cell by 50 Ah of its capacity', () => {
    const p = pack();
    const before = p.cells.map((c) => c.soc * c.capacity_Ah);
    for (let i = 0; i < 3600; i++) p.step(50, 1);
    p.cells.forEach((c, i) => expect(c.soc * c.capacity_Ah - before[i]).toBeCloseTo(50, 6));
  });

  it('the gauge counts the measured current and counts a cycle per full capacity discharged', () => {
    const g = new Gauge({ design_Ah: 100, full_Ah: 100, remaining_Ah: 100, cycles: 3 });
    for (let i = 0; i < 3600; i++) g.integrate(-25, 1);
    expect(g.remaining_Ah).toBeCloseTo(75, 9);
    expect(g.soc_pct).toBeCloseTo(75, 9);
    expect(g.cumulativeDischarge_Ah).toBeCloseTo(25, 9);
    for (let i = 0; i < 4; i++) {
      g.markFull();
      for (let k = 0; k < 3600; k++) g.integrate(-25, 1);
    }
    expect(g.cycles).toBe(4);
  });

  it('terminal voltage sags under discharge and rises under charge by about I·R', () => {
    const p = pack();
    p.step(0, 1);
    const rest = p.terminal_V();
    p.step(-100, 0.001);
    const sag = rest - p.terminal_V();
    expect(sag).toBeGreaterThan(100 * p.resistance_Ohm() * 0.9);
    expect(sag).toBeLessThan(100 * p.resistance_Ohm() * 1.2);
    p.step(100, 0.001);
    expect(p.terminal_V()).toBeGreaterThan(rest);
  });

  it('temperature rises under load and relaxes back at rest', () => {
    const p = pack();
    const t0 = p.block_C;
    for (let i = 0; i < 3600; i++) p.step(-80, 1);
    expect(p.block_C).toBeGreaterThan(t0 + 1);
    expect(p.mos_C).toBeGreaterThan(p.block_C);
    const hot = p.block_C;
    for (let i = 0; i < 7200; i++) p.step(0, 1);
    expect(p.block_C).toBeLessThan(hot);
    expect(p.block_C).toBeGreaterThan(t0);
  });

  it('a poorly cooled pack runs hotter', () => {
    const a = pack('same');
    const b = pack('same');
    b.coolingFactor = 0.3;
    for (let i = 0; i < 3 * 3600; i++) {
      a.step(-60, 1);
      b.step(-60, 1);
    }
    expect(b.block_C).toBeGreaterThan(a.block_C + 1);
  });

  it('a failed sensor reads its failure value; an absent one reads null', () => {
    const p = pack();
    p.sensorFaults[1] = 'open';
    p.sensorFaults[4] = 'absent';
    const t = p.sensorTemps_C();
    expect(t).toHaveLength(6);
    expect(t[1]).toBe(-50);
    expect(t[4]).toBeNull();
    expect(t[0]).toBeCloseTo(25, 0);
  });

  it('passive balancing through the BMS narrows the spread of a high cell', () => {
    const p = pack('bal', 0.98);
    for (const c of p.cells) c.soc = 0.98;
    p.cells[3].soc = 0.995; // one cell 1.5 % high, up the knee where it shows in voltage
    const params = defaultParams();
    const bms = new Bms(() => params);
    const spread = () => {
      const v = p.cellVoltages_mV();
      return Math.max(...v) - Math.min(...v);
    };
    const start = spread();
    expect(start).toBeGreaterThan(params.balanceDelta_mV);
    let sawBleed = false;
    for (let t = 1; t <= 12 * 3600; t += 10) {
      const cells_mV = p.cellVoltages_mV();
      const st = bms.evaluate(
        {
          cells_mV,
          temps_C: p.sensorTemps_C(),
          cellSensorCount: 4,
          current_A: 0,
          packVoltage_mV: cells_mV.reduce((a, b) => a + b, 0),
          soc_pct: 90,
          chargerPresent: false
        },
        t * 1000
      );
      sawBleed ||= st.balancing[3];
      for (let i = 0; i < 16; i++) p.bleeding[i] = st.balancing[i];
      p.step(0, 10);
    }
    expect(sawBleed).toBe(true);
    expect(spread()).toBeLessThan(start / 2);
  });
});

describe('parallel bus', () => {
  const src = (emf_V: number, extra: Partial<{ canCharge: boolean; canDischarge: boolean; chargeLimit_A: number }> = {}) => ({
    emf_V,
    resistance_Ohm: 0.01,
    canCharge: true,
    canDischarge: true,
    ...extra
  });

  it('splits a load between equal packs and sums to the demand', () => {
    const s = solveBus([src(52), src(52), src(52)], { kind: 'current', current_A: -60 });
    s.currents_A.forEach((i) => expect(i).toBeCloseTo(-20, 6));
    expect(s.busVoltage_V).toBeCloseTo(52 - 0.2, 6);
  });

  it("hands a pack's share to the others when its discharge MOSFET opens", () => {
    const s = solveBus([src(52), src(52, { canDischarge: false })], { kind: 'current', current_A: -40 });
    expect(s.currents_A[0]).toBeCloseTo(-40, 6);
    expect(s.currents_A[1]).toBe(0);
  });

  it('lets packs at different charge exchange current at rest', () => {
    const s = solveBus([src(52.2), src(52.0)], { kind: 'current', current_A: 0 });
    expect(s.currents_A[0]).toBeCloseTo(-10, 6);
    expect(s.currents_A[1]).toBeCloseTo(10, 6);
  });

  it('a CC-CV charger holds its voltage once the packs reach it', () => {
    const cc = solveBus([src(52), src(52)], { kind: 'cccv', current_A: 40, voltage_V: 56 });
    expect(cc.currents_A[0] + cc.currents_A[1]).toBeCloseTo(40, 6);
    const cv = solveBus([src(55.95), src(55.9)], { kind: 'cccv', current_A: 40, voltage_V: 56 });
    expect(cv.busVoltage_V).toBe(56);
    expect(cv.currents_A[0]).toBeCloseTo(5, 6);
    expect(cv.currents_A[1]).toBeCloseTo(10, 6);
  });

  it('respects a charge limiter', () => {
    const s = solveBus([src(52, { chargeLimit_A: 10 }), src(52)], { kind: 'current', current_A: 50 });
    expect(s.currents_A[0]).toBeCloseTo(10, 6);
    expect(s.currents_A[1]).toBeCloseTo(40, 6);
  });
});

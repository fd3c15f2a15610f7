// Calibration through the write path against the simulated bank, whose sensors have a gain and
// offset error of their own: a reference meter (the simulator's true values) fixes them.

import { afterEach, describe, expect, it } from 'vitest';
import type { TrafficEntry } from '../protocol/client';
import { calibrate, CALIBRATIONS, plausibility, type CalibrationReadings } from './calibration';
import { createParamRig, type ParamRig } from './rig';
import en from '../../../messages/params/en.json';
import zh from '../../../messages/params/zh-CN.json';

let rig: ParamRig;
afterEach(() => rig?.dispose());

/** What a good meter on pack `a` would show. */
function meter(r: ParamRig, a: number) {
  const model = r.bank.packAt(a)!.model;
  const voltage_V = model.cellVoltages_mV().reduce((s, v) => s + v, 0) / 1000;
  return { voltage_V: Number(voltage_V.toFixed(2)), current_A: Number(model.current_A.toFixed(1)) };
}

function sent(r: ParamRig): TrafficEntry[] {
  const t: TrafficEntry[] = [];
  r.client.onTraffic((e) => e.dir === 'tx' && t.push(e));
  return t;
}

// One pack unless asked: packs of a parallel bank at different charge exchange current at rest,
// and the zero point needs none flowing.
const rigOptions = (scenario: 'idle' | 'charge' | 'load', extra = {}, packCount = 1) => ({
  packCount,
  bank: {
    realTimeStep_ms: 250,
    scenario: scenario === 'load' ? { name: 'load' as const, params: { load: { kind: 'current' as const, current_A: -3 } } } : scenario,
    ...extra
  }
});

describe('calibration steps', () => {
  it('every calibration has its steps in English and Simplified Chinese', () => {
    for (const c of CALIBRATIONS) {
      expect(c.steps.length).toBeGreaterThan(0);
      for (const key of c.steps) {
        expect((en as Record<string, string>)[key], key).toBeTruthy();
        expect((zh as Record<string, string>)[key], key).toBeTruthy();
      }
    }
  });
});

describe('plausibility before sending', () => {
  const r: CalibrationReadings = { voltage_V: 52, current_A: -3, remaining_Ah: 60, full_Ah: 100, design_Ah: 100, soc_pct: 60, cycles: 120 };
  it('a reference voltage must be within 5 % of the reading', () => {
    expect(plausibility({ id: 'packVoltage', measured_V: 53.5 }, r)).toEqual([]);
    expect(plausibility({ id: 'packVoltage', measured_V: 48 }, r)[0]).toMatchObject({ field: 'measured_V', blocking: true });
    expect(plausibility({ id: 'packVoltage', measured_V: 48 }, r)[0].message).toMatch(/48 V but the pack reads 52 V, 7\.7 % apart \(at most 5 %\)/);
    expect(plausibility({ id: 'packVoltage', measured_V: NaN }, r)[0].message).toBe('Enter a number.');
  });
  it('zero point only with no current; current only flowing the right way and within 10 %', () => {
    expect(plausibility({ id: 'currentZero' }, r)[0].message).toMatch(/-3 A is flowing/);
    expect(plausibility({ id: 'chargeCurrent', measured_A: 3 }, r)[0].message).toMatch(/not charging/);
    expect(plausibility({ id: 'dischargeCurrent', measured_A: 3.2 }, r)).toEqual([]);
    expect(plausibility({ id: 'dischargeCurrent', measured_A: 4 }, r)[0].message).toMatch(/4 A but the pack reads 3 A/);
  });
  it('capacities consistent; a lowered cycle count is a warning, not a refusal', () => {
    expect(plausibility({ id: 'capacity', remaining_Ah: 101, full_Ah: 100, design_Ah: 100 }, r)[0].field).toBe('remaining_Ah');
    expect(plausibility({ id: 'cycles', cycles: 10 }, r)).toEqual([expect.objectContaining({ field: 'cycles', blocking: false })]);
    expect(plausibility({ id: 'soc', soc_pct: 120 }, r)[0].field).toBe('soc_pct');
  });
});

describe('calibrating the simulated pack', () => {
  it('pack voltage: the meter reading is sent (ADH, mV), and the pack reads it afterwards', async () => {
    rig = await createParamRig(rigOptions('idle'));
    await rig.clock.advance(1000);
    const truth = meter(rig, 1);
    const tx = sent(rig);
    const res = await rig.run(calibrate(rig.path, rig.ref(1), { id: 'packVoltage', measured_V: truth.voltage_V }, { clock: rig.clock }));
    expect(res.report.outcome).toBe('written');
    const ad = tx.find((e) => e.frame?.code === 0xad)!;
    expect(ad.frame!.info).toEqual(Uint8Array.of(Math.round(truth.voltage_V * 1000) >> 8, Math.round(truth.voltage_V * 1000) & 0xff));
    expect(res.before!.voltage_V).not.toBe(truth.voltage_V);
    expect(Math.abs(res.after!.voltage_V - truth.voltage_V)).toBeLessThan(0.1);
    expect(rig.log.entries[0]).toMatchObject({ kind: 'calibration', outcome: 'written' });
  });

  it('an implausible reference is refused before anything is sent', async () => {
    rig = await createParamRig(rigOptions('idle'));
    const tx = sent(rig);
    const res = await rig.run(calibrate(rig.path, rig.ref(1), { id: 'packVoltage', measured_V: 40 }, { clock: rig.clock }));
    expect(res.report.outcome).toBe('invalid');
    expect(res.report.violations[0]).toMatchObject({ rule: 'plausibility', params: ['measured_V'] });
    expect(tx.some((e) => e.frame?.code === 0xad)).toBe(false);
  });

  it('current zero: refused while current flows; at rest the offset goes, and the AAH key form is configurable', async () => {
    rig = await createParamRig(rigOptions('load', {}, 2));
    await rig.clock.advance(1000);
    const busy = await rig.run(calibrate(rig.path, rig.ref(1), { id: 'currentZero' }, { clock: rig.clock }));
    expect(busy.report.outcome).toBe('invalid');
    rig.dispose();

    for (const [key, info] of [
      ['decimal', [0x10, 0xe1]],
      ['hex', [0x43, 0x21]]
    ] as const) {
      rig = await createParamRig(rigOptions('idle'));
      await rig.clock.advance(1000);
      const tx = sent(rig);
      const res = await rig.run(calibrate(rig.path, rig.ref(1), { id: 'currentZero' }, { clock: rig.clock, options: { zeroCurrentKey: key } }));
      expect(res.report.outcome).toBe('written');
      expect(Array.from(tx.find((e) => e.frame?.code === 0xaa)!.frame!.info)).toEqual(info);
      expect(Math.abs(res.after!.current_A)).toBeLessThanOrEqual(0.05);
      rig.dispose();
    }
  });

  it('charge current while charging, discharge current while discharging (within the documented 0.5–6 A)', async () => {
    rig = await createParamRig(rigOptions('charge', { initialSoc: 0.5 }));
    await rig.clock.advance(2000);
    const c = meter(rig, 1);
    expect(c.current_A).toBeGreaterThan(5);
    const charged = await rig.run(calibrate(rig.path, rig.ref(1), { id: 'chargeCurrent', measured_A: c.current_A }, { clock: rig.clock }));
    expect(charged.report.outcome).toBe('written');
    expect(Math.abs(charged.after!.current_A - meter(rig, 1).current_A)).toBeLessThan(0.3);
    rig.dispose();

    rig = await createParamRig(rigOptions('load'));
    await rig.clock.advance(2000);
    const d = meter(rig, 1);
    const res = await rig.run(calibrate(rig.path, rig.ref(1), { id: 'dischargeCurrent', measured_A: -d.current_A }, { clock: rig.clock }));
    expect(res.report.outcome).toBe('written');
    expect(res.before!.current_A).toBeLessThan(0);
  });

  it('capacities, SOC and cycle count read back exactly (A6H / 42H)', async () => {
    rig = await createParamRig(rigOptions('idle'));
    const cap = await rig.run(
      calibrate(rig.path, rig.ref(1), { id: 'capacity', remaining_Ah: 50, full_Ah: 98, design_Ah: 100 }, { clock: rig.clock })
    );
    expect(cap.report.outcome).toBe('written');
    expect(cap.after).toMatchObject({ full_Ah: 98, design_Ah: 100 });
    const soc = await rig.run(calibrate(rig.path, rig.ref(1), { id: 'soc', soc_pct: 80 }, { clock: rig.clock }));
    expect(soc.report.outcome).toBe('written');
    expect(soc.after!.soc_pct).toBeCloseTo(80, 0);
    expect(rig.log.entries.at(-1)!.changes[0].text).toMatch(/^51(\.\d)? % → 80 %/);
    const cycles = await rig.run(calibrate(rig.path, rig.ref(1), { id: 'cycles', cycles: 5 }, { clock: rig.clock }));
    expect(cycles.report.outcome).toBe('written');
    expect(cycles.warnings).toEqual([expect.objectContaining({ field: 'cycles', blocking: false })]);
    expect(cycles.after!.cycles).toBe(5);
  });

  it("clock: set from the computer's time and read back", async () => {
    rig = await createParamRig(rigOptions('idle'));
    const now = new Date(2026, 0, 15, 9, 30, 0);
    const res = await rig.run(calibrate(rig.path, rig.ref(1), { id: 'clock', now }, { clock: rig.clock }));
    expect(res.report.outcome).toBe('written');
    expect(res.report.kind).toBe('clock');
    expect(res.after!.clock).toMatch(/^2026-01-15 09:30:0\d$/);
    expect(res.before!.clock).toMatch(/^2025-06-01/);
  });
});

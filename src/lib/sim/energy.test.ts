// The simulator's own energy counters: integrated at the physics step from the true current and
// terminal voltage, they are the reference the app's statistics are checked against.

import { describe, expect, it } from 'vitest';
import { createSimBank } from './bank';
import { PackModel } from './pack-model';
import { Rng } from './rng';
import { VirtualClock } from '../time/clock';

describe('energy counters', () => {
  it('count current x terminal voltage, charge and discharge apart', () => {
    const m = new PackModel({ rng: new Rng('e'), cellCount: 16, cellSensorCount: 4, design_Ah: 100, initialSoc: 0.5, ambient_C: 25 });
    let ampSeconds = 0;
    let voltAmpSeconds = 0;
    for (let i = 0; i < 3600; i++) {
      m.step(-40, 1);
      ampSeconds += 40;
      voltAmpSeconds += 40 * m.terminal_V();
    }
    expect(m.energyCharged_Wh).toBe(0);
    // 40 Ah at a bit over 52 V, and no further from the step-end sum than the voltage moves in a second.
    expect(m.energyDischarged_Wh).toBeGreaterThan(40 * 50);
    expect(m.energyDischarged_Wh).toBeLessThan(40 * 54);
    expect(Math.abs(m.energyDischarged_Wh - voltAmpSeconds / 3600) / m.energyDischarged_Wh).toBeLessThan(1e-4);
    expect(ampSeconds / 3600).toBe(40);
    for (let i = 0; i < 1800; i++) m.step(30, 1);
    expect(m.energyCharged_Wh).toBeGreaterThan(15 * 50);
    expect(m.energyCharged_Wh).toBeLessThan(15 * 56);
  });

  it('the bank meters its bus: what the inverter moved, with the packs trading among themselves cancelled', () => {
    const clock = new VirtualClock();
    const bank = createSimBank({
      packCount: 4,
      seed: 'energy',
      clock,
      realTimeStep_ms: 0,
      scenario: { name: 'load', params: { load: { kind: 'current', current_A: -20 } } }
    });
    bank.step(600_000);
    const e = bank.energyCounters();
    expect(e.packs).toHaveLength(4);
    const packsOut = e.packs.reduce((s, p) => s + p.discharged_kWh, 0);
    const packsIn = e.packs.reduce((s, p) => s + p.charged_kWh, 0);
    // 4 packs x 20 A x ~52 V x 10 min
    expect(e.discharged_kWh).toBeGreaterThan(0.6);
    expect(e.discharged_kWh).toBeLessThan(0.75);
    expect(e.charged_kWh).toBe(0);
    expect(e.discharged_kWh).toBeCloseTo(packsOut - packsIn, 9);
    // At rest, packs at different charge level out through each other; the bus sees nothing.
    bank.setScenario('idle');
    const before = bank.energyCounters();
    bank.step(600_000);
    const after = bank.energyCounters();
    expect(after.charged_kWh - before.charged_kWh + after.discharged_kWh - before.discharged_kWh).toBeLessThan(1e-6);
    bank.dispose();
  });
});

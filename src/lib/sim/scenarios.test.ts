import { describe, expect, it } from 'vitest';
import { readAnalog } from '../protocol/commands/analog';
import { readStatus } from '../protocol/commands/status';
import { readPackCount } from '../protocol/commands/info';
import { setChargeMos, setDischargeMos } from '../protocol/commands/settings';
import { ALL_PACKS } from '../protocol/commands/pack-request';
import { VirtualClock } from '../time/clock';
import { createSimBank, type SimBankOptions } from './bank';
import { demandAt, HOUSEHOLD_PROFILE } from './scenarios';
import { TestHost } from './test-host';

function setup(o: Partial<SimBankOptions> = {}) {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: 3, seed: 'scen', clock, realTimeStep_ms: 0, ...o });
  return { clock, bank, host: new TestHost(bank, clock) };
}

const spread = (mV: number[]) => Math.max(...mV) - Math.min(...mV);

describe('scenarios', () => {
  it('a load profile plays its steps in a loop and scales with the pack count', () => {
    const load = { kind: 'profile' as const, steps: HOUSEHOLD_PROFILE.slice() };
    expect(demandAt(load, 0, 3)).toEqual({ kind: 'current', current_A: -45 });
    expect(demandAt(load, 650, 3)).toEqual({ kind: 'current', current_A: -120 });
    const period = HOUSEHOLD_PROFILE.reduce((s, x) => s + x.duration_s, 0);
    expect(demandAt(load, period + 1, 3)).toEqual(demandAt(load, 1, 3));
  });

  it('under load the packs discharge, share the current and the gauge falls', async () => {
    const { bank, host } = setup({ scenario: { name: 'load', params: { load: { kind: 'current', current_A: -30 } } } });
    const before = bank.packs.map((p) => p.gauge.soc_pct);
    bank.step(600_000);
    const r = (await host.send(readAnalog, { command: ALL_PACKS }, 1)).value!;
    for (const p of r.packs) {
      expect(p.current_A).toBeLessThan(-25);
      expect(p.current_A).toBeGreaterThan(-35);
    }
    bank.packs.forEach((p, i) => expect(p.gauge.soc_pct).toBeLessThan(before[i] - 4));
  });

  // Three hours of physics in one go: about 4 s of CPU alone, more on a machine shared with other test runs.
  it('charge: a CC-CV charger fills the bank, the current tapers and the packs report fully charged', { timeout: 30_000 }, () => {
    const { bank } = setup({ initialSoc: 0.9, scenario: 'charge' });
    bank.step(3 * 3600_000);
    for (const p of bank.packs) {
      expect(p.status.protection2 & 0x80).toBe(0x80);
      expect(p.gauge.soc_pct).toBeCloseTo(100, 0);
      expect(Math.abs(p.readings.current_A)).toBeLessThan(3);
    }
  });

  it('weak cell: the chosen cell sags first under load and recovers when the scenario changes', () => {
    const { bank } = setup({
      initialSoc: 0.5,
      scenario: { name: 'weak-cell', params: { pack: 2, cell: 5, load: { kind: 'current', current_A: -40 } } }
    });
    bank.step(50 * 60_000);
    const cells = bank.packAt(2)!.readings.cells_mV;
    expect(cells.indexOf(Math.min(...cells))).toBe(4);
    expect(spread(cells)).toBeGreaterThan(50);
    expect(spread(bank.packAt(1)!.readings.cells_mV)).toBeLessThan(spread(cells));
    bank.setScenario('idle');
    expect(bank.packAt(2)!.model.cells[4].capacity_Ah).toBeGreaterThan(95);
  });

  it('hot pack: runs hotter than its neighbours under the same load', async () => {
    const { bank, host } = setup({ initialSoc: 0.9, scenario: { name: 'hot-pack', params: { pack: 3, load: { kind: 'current', current_A: -60 } } } });
    bank.step(10 * 60_000);
    const r = (await host.send(readAnalog, { command: ALL_PACKS }, 1)).value!;
    const t1 = r.packs[0].temps_C[0]!;
    const t3 = r.packs[2].temps_C[0]!;
    expect(t3).toBeGreaterThan(t1 + 8);
    // And it keeps heating under the load, more than its neighbour does.
    bank.step(30 * 60_000);
    const later = (await host.send(readAnalog, { command: ALL_PACKS }, 1)).value!;
    expect(later.packs[2].temps_C[0]! - t3).toBeGreaterThan(later.packs[0].temps_C[0]! - t1);
  });

  it('failed sensor: reads out of range, the pack flags an NTC fault and marks the sensor alarm', async () => {
    const { bank, host } = setup({ scenario: { name: 'failed-sensor', params: { pack: 1, sensor: 2 } } });
    bank.step(1000);
    const a = (await host.send(readAnalog, { command: 1 }, 1)).value!.packs[0];
    expect(a.temps_C[1]).toBe(-50);
    const s = (await host.send(readStatus, { command: 1 }, 1)).value!.packs[0];
    expect(s.bytes.fault & 0x04).toBe(0x04);
    expect(s.alarmCodes?.temps[1]).toBe(0xf0);
    // A broken sensor must not trip the low-temperature protections.
    expect(s.chargeMosOn && s.dischargeMosOn).toBe(true);
  });

  it('offline slave comes back when the scenario changes', async () => {
    const { bank, host } = setup({ scenario: 'offline-slave' });
    expect((await host.send(readAnalog, { command: 3 }, 3)).frame).toBeNull();
    bank.setScenario('idle');
    expect((await host.send(readAnalog, { command: 3 }, 3)).frame?.code).toBe(0);
    expect((await host.send(readPackCount, {}, 1)).value).toEqual({ packCount: 3 });
  });

  it('rejects unknown scenarios and packs', () => {
    const { bank } = setup();
    // @ts-expect-error an unknown name is a type error too
    expect(() => bank.setScenario('fire')).toThrow(RangeError);
    expect(() => bank.setScenario('hot-pack', { pack: 9 })).toThrow(RangeError);
    expect(() => bank.setScenario('hot-pack', { also: [{ name: 'weak-cell', params: { pack: 9 } }] })).toThrow(RangeError);
    expect(() => bank.setScenario('hot-pack', { pack: 2, also: [{ name: 'hot-pack', params: { pack: 2 } }] })).toThrow(/two hot-pack/);
  });

  it('a hot pack and a weak cell in another pack at once; both go away when the scenario changes', () => {
    const { bank } = setup({
      initialSoc: 0.5,
      scenario: {
        name: 'hot-pack',
        params: { pack: 3, load: { kind: 'current', current_A: -40 }, also: [{ name: 'weak-cell', params: { pack: 2, cell: 5 } }] }
      }
    });
    expect(bank.scenario.conditions.map((c) => `${c.kind}@${c.pack}`)).toEqual(['hot-pack@3', 'weak-cell@2']);
    bank.step(50 * 60_000);
    const weak = bank.packAt(2)!.readings.cells_mV;
    expect(weak.indexOf(Math.min(...weak))).toBe(4);
    expect(bank.packAt(3)!.model.block_C).toBeGreaterThan(bank.packAt(1)!.model.block_C + 8);
    bank.setScenario('idle');
    expect(bank.packAt(2)!.model.cells[4].capacity_Ah).toBeGreaterThan(95);
    expect(bank.packAt(3)!.model.coolingFactor).toBe(1);
  });
});

describe('MOSFET control rules (9AH / 9BH)', () => {
  it('refuses to switch one MOSFET off while the other is forced off, with RTN 09 and the state', async () => {
    const { host } = setup({ packCount: 1 });
    const off = await host.send(setChargeMos, { on: false }, 1);
    expect(off.frame?.code).toBe(0);
    expect(off.value!.indication.chargeMosOn).toBe(false);
    const refused = await host.send(setDischargeMos, { on: false }, 1);
    expect(refused.frame?.code).toBe(0x09);
    expect(refused.frame?.info).toEqual(Uint8Array.of(0x04));
    expect((await host.send(setChargeMos, { on: true }, 1)).value!.indication.chargeMosOn).toBe(true);
  });

  it('refuses charge MOS off while discharging; a forced-off discharge MOSFET stops the load share', async () => {
    const { host, bank } = setup({ packCount: 2, scenario: { name: 'load', params: { load: { kind: 'current', current_A: -20 } } } });
    bank.step(2000);
    expect((await host.send(setChargeMos, { on: false }, 1)).frame?.code).toBe(0x09);
    expect((await host.send(setDischargeMos, { on: false }, 1)).frame?.code).toBe(0);
    bank.step(2000);
    expect(bank.packAt(1)!.readings.current_A).toBeCloseTo(0, 0);
    expect(bank.packAt(2)!.readings.current_A).toBeLessThan(-35);
  });
});

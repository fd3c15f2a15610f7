// Known simulator states produce exact decoded numbers (issue 15). The simulator answers through
// the same codecs, so this pins the chain state -> wire -> frame reader -> decoder against values
// written by hand (fixtures/sim-states.ts); the first state is the PbmsTools capture, whose reply
// must be the captured frame byte for byte. A second table runs the physics through scenarios and
// compares every pack's decoded values with its internal state, within the wire's resolution.

import { describe, expect, it } from 'vitest';
import { createSimBank, type SimBank } from '../sim/bank';
import type { ScenarioName } from '../sim/scenarios';
import { TestHost } from '../sim/test-host';
import { VirtualClock } from '../time/clock';
import { readAnalog } from './commands/analog';
import { ALL_PACKS } from './commands/pack-request';
import { readStatus } from './commands/status';
import { KNOWN_STATES, type KnownState } from './fixtures/sim-states';
import type { AnalogReply, PackAnalog, StatusReply } from './types';

function rig(firmware: KnownState['firmware'] | Partial<KnownState['firmware']>, scenario: ScenarioName = 'idle', seed = 'known-states') {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: 3, seed, clock, realTimeStep_ms: 0, scenario, firmware, baud: 115_200 });
  return { clock, bank, host: new TestHost(bank, clock) };
}

function putState(bank: SimBank, address: number, s: KnownState['readings']): void {
  const pack = bank.packAt(address)!;
  pack.readings = { cells_mV: [...s.cells_mV], temps_C: [...s.temps_C], current_A: s.current_A, packVoltage_mV: s.packVoltage_mV };
  pack.gauge.setCapacities(s.remaining_Ah, s.full_Ah, s.design_Ah);
  pack.gauge.cycles = s.cycles;
  if (s.cumulativeCharge_Ah !== undefined) pack.gauge.cumulativeCharge_Ah = s.cumulativeCharge_Ah;
  if (s.cumulativeDischarge_Ah !== undefined) pack.gauge.cumulativeDischarge_Ah = s.cumulativeDischarge_Ah;
}

/** The fields a KnownAnalog names, taken from a decoded pack. */
function picked(p: PackAnalog) {
  return {
    cells_mV: p.cells_mV,
    temps_C: p.temps_C,
    tempLabels: p.tempLabels,
    current_A: p.current_A,
    voltage_V: p.voltage_V,
    remaining_Ah: p.remaining_Ah,
    full_Ah: p.full_Ah,
    design_Ah: p.design_Ah,
    cycles: p.cycles,
    soc_pct: p.soc_pct,
    soh_pct: p.soh_pct,
    socSource: p.socSource,
    userDefinedCount: p.userDefinedCount,
    ...(p.tail?.cumulativeCharge_Ah !== undefined ? { cumulativeCharge_Ah: p.tail.cumulativeCharge_Ah } : {}),
    ...(p.tail?.cumulativeDischarge_Ah !== undefined ? { cumulativeDischarge_Ah: p.tail.cumulativeDischarge_Ah } : {})
  };
}

async function analog(host: TestHost, adr: number, command: number): Promise<AnalogReply> {
  const x = await host.send(readAnalog, { command }, adr);
  if (!x.value) throw new Error(`no 42H reply from ${adr} for ${command}`);
  return x.value;
}

async function status(host: TestHost, adr: number, command: number): Promise<StatusReply> {
  const x = await host.send(readStatus, { command }, adr);
  if (!x.value) throw new Error(`no 44H reply from ${adr} for ${command}`);
  return x.value;
}

describe('known states decode to exactly the numbers written down', () => {
  it.each(KNOWN_STATES.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const { bank, host } = rig(s.firmware);
    putState(bank, 1, s.readings);
    putState(bank, 2, s.readings);

    // Asked directly, relayed by the master, and in the master's broadcast: the same numbers.
    const direct = (await analog(host, 1, 1)).packs[0];
    const relayed = (await analog(host, 1, 2)).packs[0];
    const all = await analog(host, 1, ALL_PACKS);
    expect(all.packs).toHaveLength(3);
    for (const p of [direct, relayed, all.packs[0], all.packs[1]]) {
      expect(picked(p)).toEqual(s.expected);
      expect(p.unitNotes).toBeUndefined();
      expect(p.empty).toBe(false);
    }
    if (s.wire !== undefined) {
      const x = await host.send(readAnalog, { command: 1 }, 1);
      expect(String.fromCharCode(...x.raw)).toBe(s.wire);
    }
    bank.dispose();
  });

  it('the P = 9 port voltage is the terminal voltage the pack model holds, to the millivolt', async () => {
    const s = KNOWN_STATES.find((k) => k.firmware.tail === 'p9')!;
    const { bank, host } = rig(s.firmware);
    putState(bank, 1, s.readings);
    const p = (await analog(host, 1, 1)).packs[0];
    expect(p.tail?.portVoltage_V).toBe(Math.round(bank.packAt(1)!.model.terminal_V() * 1000) / 1000);
    expect(p.tail?.portCurrent_A).toBe(48.5);
    bank.dispose();
  });

  it('44H: status bytes the BMS holds come back as the same bytes and the flags they mean', async () => {
    const { bank, host } = rig({ tail: 'p9', cellCount: 16, tempCount: 6 });
    const st = bank.packAt(2)!.status;
    Object.assign(st, {
      protection1: 0x41,
      protection2: 0x80,
      fault: 0x04,
      warning1: 0x02,
      warning2: 0x80,
      fault8: 0x20,
      indication9: 0x01,
      fault10: 0x01,
      // Discharge MOSFET on, heater on (§6.5 bits 2 and 7); the booleans follow the byte on the wire.
      indication: 0x84
    });
    st.balancing = st.balancing.map((_, i) => i === 2 || i === 11);
    const p = (await status(host, 1, 2)).packs[0];
    expect(p.bytes).toMatchObject({
      protection1: 0x41,
      protection2: 0x80,
      fault: 0x04,
      warning1: 0x02,
      warning2: 0x80,
      fault8: 0x20,
      indication9: 0x01,
      fault10: 0x01
    });
    expect(p.balancingCells).toEqual([3, 12]);
    expect(p.flags.filter((f) => f.source !== 'indication' && f.source !== 'control').map((f) => f.id)).toEqual([
      'cellOverVoltageProtect',
      'shortCircuitProtect',
      'fullyCharged',
      'ntcFault',
      'cellUnderVoltageWarning',
      'lowSocWarning',
      'masterSlaveOffline',
      'bluetoothConnected',
      'twelveVoltFault'
    ]);
    expect([p.chargeMosOn, p.dischargeMosOn, p.heaterOn]).toEqual([false, true, true]);
    bank.dispose();
  });
});

describe('running packs decode to their internal state within the wire resolution', () => {
  const cases: [ScenarioName, KnownState['firmware']][] = [
    ['idle', { tail: 'p3', cellCount: 16, tempCount: 6 }],
    ['load', { tail: 'p9', cellCount: 16, tempCount: 6 }],
    ['charge', { tail: 'p3', cellCount: 15, tempCount: 8 }],
    ['weak-cell', { tail: 'p9', cellCount: 16, tempCount: 8 }],
    ['hot-pack', { tail: 'p3', cellCount: 16, tempCount: 6 }],
    ['failed-sensor', { tail: 'p9', cellCount: 15, tempCount: 6 }]
  ];

  it.each(cases)(
    '%s, %o',
    async (scenario, firmware) => {
      const { bank, host } = rig(firmware, scenario, `running-${scenario}`);
      bank.step(20 * 60_000);
      const all = await analog(host, 1, ALL_PACKS);
      const stat = await status(host, 1, ALL_PACKS);
      expect(all.packs).toHaveLength(3);
      for (const [i, pack] of bank.members().entries()) {
        const r = pack.readings;
        const g = pack.gauge;
        for (const p of [all.packs[i], (await analog(host, pack.address, pack.address)).packs[0]]) {
          expect(p.cells_mV).toEqual(r.cells_mV.slice(0, firmware.cellCount));
          expect(p.temps_C).toHaveLength(firmware.tempCount);
          p.temps_C.forEach((t, k) => {
            const want = r.temps_C[k];
            if (want === null) expect(t).toBeNull();
            else expect(Math.abs((t ?? NaN) - want)).toBeLessThanOrEqual(0.05 + 1e-9);
          });
          expect(Math.abs(p.current_A - Math.max(-327.68, Math.min(327.67, r.current_A)))).toBeLessThanOrEqual(0.005 + 1e-9);
          expect(p.voltage_V).toBe(r.packVoltage_mV / 1000);
          expect(Math.abs(p.remaining_Ah - g.remaining_Ah)).toBeLessThanOrEqual(0.005 + 1e-9);
          expect(Math.abs(p.full_Ah - g.full_Ah)).toBeLessThanOrEqual(0.005 + 1e-9);
          expect(p.design_Ah).toBe(g.design_Ah);
          expect(p.cycles).toBe(g.cycles);
          if (firmware.tail === 'p9') {
            expect(p.soc_pct).toBe(Math.round(g.soc_pct));
            expect(p.soh_pct).toBe(Math.round(g.soh_pct));
          }
          // The simulator's own packs are consistent: no unit is ever second-guessed.
          expect(p.unitNotes).toBeUndefined();
        }
        const s = stat.packs[i];
        const st = pack.status;
        expect(s.bytes).toMatchObject({
          protection1: st.protection1,
          protection2: st.protection2,
          indication: st.indication,
          control: st.control,
          fault: st.fault,
          warning1: st.warning1,
          warning2: st.warning2
        });
        expect(s.balancingCells).toEqual(st.balancing.flatMap((on, k) => (on && k < firmware.cellCount ? [k + 1] : [])));
        expect([s.chargeMosOn, s.dischargeMosOn, s.heaterOn]).toEqual([st.chargeMosOn, st.dischargeMosOn, st.heaterOn]);
      }
      bank.dispose();
    },
    20_000
  );
});

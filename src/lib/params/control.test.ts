import { afterEach, describe, expect, it } from 'vitest';
import type { TrafficEntry } from '../protocol/client';
import { DEFAULT_DECODE_OPTIONS } from '../protocol/types';
import { mosRefusal, readControls, setControl, type ControlId } from './control';
import { createParamRig, type ParamRig } from './rig';

let rig: ParamRig;
afterEach(() => rig?.dispose());

const o = () => ({ decodeOptions: DEFAULT_DECODE_OPTIONS, clock: rig.clock });

function writes(r: ParamRig): TrafficEntry[] {
  const t: TrafficEntry[] = [];
  r.client.onTraffic((e) => e.dir === 'tx' && e.frame && ![0x44, 0xc2, 0x6b, 0xeb].includes(e.frame.code) && t.push(e));
  return t;
}

const hex = (e: TrafficEntry) =>
  `${e.frame!.code.toString(16).toUpperCase()} ${Array.from(e.frame!.info, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join('')}`;

describe('reading the controls', () => {
  it('every control with its state from the pack, or why it has none', async () => {
    rig = await createParamRig({ packCount: 2 });
    const r = await rig.run(rig.client.exclusive((bus) => readControls(bus, 2, DEFAULT_DECODE_OPTIONS)));
    const by = Object.fromEntries(r.controls.map((c) => [c.id, c]));
    expect(Object.fromEntries(r.controls.map((c) => [c.id, c.value]))).toEqual({
      chargeMos: true,
      dischargeMos: true,
      buzzer: false,
      ledAlarm: true,
      chargeLimiter: true,
      limitGear: 'high',
      staticBalancing: null,
      activeBalancing: false,
      heater: false,
      shutdown: false,
      canProtocol: 'PYLON_CAN',
      rs485Protocol: 'PYLON_485',
      protocolMode: 'manual'
    });
    expect(by.heater).toMatchObject({ writable: false, note: expect.stringMatching(/no command to switch the heating film/) });
    expect(by.staticBalancing).toMatchObject({ writable: true, note: expect.stringMatching(/reports its state nowhere/) });
    expect(by.canProtocol.options!.find((x) => x.value === 'GROWATT_CAN')!.label).toBe('GROWATT_CAN (Growatt)');
    expect(r.problems).toEqual([]);
  });

  it('a pack without an active balancer: greyed with the reason', async () => {
    rig = await createParamRig({ packCount: 1, bank: { firmware: { activeBalancer: false } } });
    const r = await rig.run(rig.client.exclusive((bus) => readControls(bus, 1, DEFAULT_DECODE_OPTIONS)));
    expect(r.controls.find((c) => c.id === 'activeBalancing')).toMatchObject({ value: null, writable: false, note: expect.stringMatching(/RTN 04/) });
    const res = await rig.run(setControl(rig.path, rig.ref(1), 'activeBalancing', true, o()));
    expect(res.outcome).toBe('invalid');
    expect(res.message).toMatch(/no active balancer/);
  });
});

describe('changing a control: sent, then confirmed by reading the state again', () => {
  const cases: [ControlId, boolean | string, string][] = [
    ['buzzer', true, '99 0D'],
    ['ledAlarm', false, '99 07'],
    ['chargeLimiter', false, '99 0B'],
    ['limitGear', 'low', '99 09'],
    ['activeBalancing', true, '6A 01'],
    ['canProtocol', 'GROWATT_CAN', 'EC 02FF01'],
    ['rs485Protocol', 'VOLTRONIC_485', 'EC FF0301'],
    ['protocolMode', 'automatic', 'EC FFFF00'],
    ['chargeMos', false, '9A 01']
  ];
  for (const [id, value, wire] of cases) {
    it(`${id} → ${String(value)} (${wire})`, async () => {
      rig = await createParamRig({ packCount: 1 });
      const tx = writes(rig);
      const res = await rig.run(setControl(rig.path, rig.ref(1), id, value, o()));
      expect(res.outcome, res.message).toBe('written');
      expect(tx.map(hex)).toEqual([wire]);
      const after = await rig.run(rig.client.exclusive((bus) => readControls(bus, 1, DEFAULT_DECODE_OPTIONS)));
      expect(after.controls.find((c) => c.id === id)!.value).toBe(value);
      expect(rig.log.entries[0]).toMatchObject({ kind: 'control', outcome: 'written' });
    });
  }

  it('asking for the state the pack already has sends nothing', async () => {
    rig = await createParamRig({ packCount: 1 });
    const tx = writes(rig);
    const res = await rig.run(setControl(rig.path, rig.ref(1), 'buzzer', false, o()));
    expect(res.outcome).toBe('unchanged');
    expect(tx).toEqual([]);
  });

  it('RTN 09: charge MOSFET off while discharging is refused, and the refusal is explained', async () => {
    rig = await createParamRig({
      packCount: 1,
      bank: { realTimeStep_ms: 250, scenario: { name: 'load', params: { load: { kind: 'current', current_A: -20 } } } }
    });
    await rig.clock.advance(1000);
    const res = await rig.run(setControl(rig.path, rig.ref(1), 'chargeMos', false, o()));
    expect(res.outcome).toBe('refused');
    expect(res.steps[0].rtn).toBe(0x09);
    expect(res.message).toContain(mosRefusal('charge'));
    expect(mosRefusal('charge')).toMatch(
      /will not switch the charge MOSFET off while the discharge MOSFET is forced off, or while the pack is discharging/
    );
    expect(rig.bank.packAt(1)!.bms.chargeForcedOff).toBe(false);
  });

  it('the heater cannot be switched: refused before anything is sent, with the reason', async () => {
    rig = await createParamRig({ packCount: 1 });
    const tx = writes(rig);
    const res = await rig.run(setControl(rig.path, rig.ref(1), 'heater', true, o()));
    expect(res.outcome).toBe('invalid');
    expect(res.message).toMatch(/runs it by itself/);
    expect(tx).toEqual([]);
  });

  it('passive balancing: acknowledged but "unverified", never "written"', async () => {
    rig = await createParamRig({ packCount: 1 });
    const res = await rig.run(setControl(rig.path, rig.ref(1), 'staticBalancing', false, o()));
    expect(res.outcome).toBe('unverified');
    expect(rig.log.entries[0].outcome).toBe('unverified');
    expect(rig.bank.packAt(1)!.bms.switches.staticBalancing).toBe(false);
  });

  it('shutdown at rest: the pack goes quiet, which confirms it', async () => {
    rig = await createParamRig({ packCount: 1, bank: { realTimeStep_ms: 250 } });
    const res = await rig.run(setControl(rig.path, rig.ref(1), 'shutdown', true, o()));
    expect(res.outcome, res.message).toBe('written');
    expect(rig.bank.packAt(1)!.power).toBe('off');
  });

  it('shutdown with current flowing: the pack restarts instead, and that is reported', async () => {
    rig = await createParamRig({
      packCount: 1,
      bank: { realTimeStep_ms: 250, scenario: { name: 'load', params: { load: { kind: 'current', current_A: -20 } } } }
    });
    await rig.clock.advance(1000);
    const res = await rig.run(setControl(rig.path, rig.ref(1), 'shutdown', true, o()));
    expect(res.outcome).toBe('mismatch');
    expect(res.message).toMatch(/restarts instead of shutting down while current flows/);
  });

  it('a value that is not one of the options is refused with the reason', async () => {
    rig = await createParamRig({ packCount: 1 });
    const res = await rig.run(setControl(rig.path, rig.ref(1), 'canProtocol', 'NOT_A_PROTOCOL', o()));
    expect(res.outcome).toBe('invalid');
    expect(res.message).toMatch(/NOT_A_PROTOCOL is not a CAN protocol/);
  });
});

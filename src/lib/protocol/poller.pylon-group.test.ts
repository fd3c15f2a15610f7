// Issue 15, Pylontech groups: a group master answers 42H / 44H with COMMAND FF for every module of
// its group in one frame; each module becomes a pack of the bank with its own freshness. Through
// the real client and poller on virtual time, against a group on a fake RS485 bus.

import { describe, expect, it } from 'vitest';
import type { BankTopology, PackUpdate, PollCycle } from './bank-types';
import { PaceClient } from './client';
import { FakeTransport } from './fixtures/fake-transport';
import { PYLON_GROUP_US2000_3 } from './fixtures/telemetry-frames';
import { groupModuleAnalog, PylonGroupBus, type PylonGroupOptions } from './fixtures/pylon-group';
import { isLive } from './pack-health';
import { BankPoller, type BankPollerOptions } from './poller';
import { DEFAULT_DECODE_OPTIONS, VER_20 } from './types';
import { VirtualClock } from '../time/clock';

function setup(bus: PylonGroupOptions = {}, poller: BankPollerOptions = {}) {
  const clock = new VirtualClock();
  const transport = new FakeTransport({ clock });
  const group = new PylonGroupBus(bus);
  transport.responder = group.respond;
  const client = new PaceClient(transport, { clock, ver: VER_20, decodeOptions: { ...DEFAULT_DECODE_OPTIONS, profile: 'pylon' } });
  const p = new BankPoller(client, { masterAddress: group.master, addressing: 'direct', interval_ms: 1000, ...poller });
  const updates: PackUpdate[] = [];
  const topologies: BankTopology[] = [];
  const cycles: PollCycle[] = [];
  p.onUpdate((u) => updates.push(u));
  p.onTopology((t) => topologies.push(t));
  p.onCycle((c) => cycles.push(c));
  const cyclesFrom = (n: number) => {
    const target = cycles.length + n;
    return clock.run(new Promise<void>((resolve) => p.onCycle(() => cycles.length >= target && resolve())), 600_000);
  };
  return { clock, transport, group, client, poller: p, updates, topologies, cycles, cyclesFrom };
}

const asks = (frames: { adr: number; code: number; info: Uint8Array }[]) =>
  frames.map((f) => `${f.code.toString(16)}@${f.adr.toString(16)}:${(f.info[0] ?? 0).toString(16)}`);

describe('a Pylontech group answering COMMAND FF', () => {
  it('three modules at 02..04 become three packs, each with its own values from the group frame', async () => {
    const s = setup();
    s.poller.start();
    await s.cyclesFrom(2);
    expect(s.topologies.at(-1)).toMatchObject({
      masterAddress: 2,
      addresses: [2, 3, 4],
      broadcast: true,
      pylonGroup: 0,
      profile: 'pylon',
      ver: 0x20
    });
    for (const [i, address] of [2, 3, 4].entries()) {
      const analog = s.updates.filter((u) => u.address === address && u.analog).at(-1)!.analog!;
      const want = groupModuleAnalog(i);
      expect(analog.cells_mV).toEqual(want.cells_mV);
      expect(analog.current_A).toBe(want.current_A);
      expect(analog.remaining_Ah).toBe(want.remaining_Ah);
      expect(analog.cycles).toBe(want.cycles);
      expect(analog.voltage_V).toBeCloseTo(want.voltage_V, 3);
      const status = s.updates.filter((u) => u.address === address && u.status).at(-1)!.status!;
      expect(status.flags.some((f) => f.id === 'buzzerOn')).toBe(address === 3);
    }
    const now = s.clock.now();
    expect(s.poller.health().map((h) => [h.address, h.state, isLive(h, now)])).toEqual([
      [2, 'ok', true],
      [3, 'ok', true],
      [4, 'ok', true]
    ]);
    expect(s.cycles.at(-1)).toMatchObject({ answered: [2, 3, 4], missed: [] });
    await s.clock.run(s.poller.stop());
  });

  it('after discovery each cycle is one 42H FF and one 44H FF to the master; no module is asked alone', async () => {
    const s = setup();
    s.poller.start();
    await s.cyclesFrom(1);
    const before = s.group.requests.length;
    await s.cyclesFrom(3);
    const telemetry = asks(s.group.requests.slice(before)).filter((a) => a.startsWith('42') || a.startsWith('44'));
    expect(telemetry).toEqual(['42@2:ff', '44@2:ff', '42@2:ff', '44@2:ff', '42@2:ff', '44@2:ff']);
    await s.clock.run(s.poller.stop());
  });

  it('group 1 (DIP) has its master at 12H: its four modules are packs 12H..15H', async () => {
    const s = setup({ group: 1, modules: 4 });
    s.poller.start();
    await s.cyclesFrom(1);
    expect(s.topologies.at(-1)).toMatchObject({ masterAddress: 0x12, addresses: [0x12, 0x13, 0x14, 0x15], broadcast: true, pylonGroup: 1 });
    const cells = [0x12, 0x13, 0x14, 0x15].map((a) => s.updates.find((u) => u.address === a && u.analog)!.analog!.cells_mV[0]);
    expect(cells).toEqual([3300, 3310, 3320, 3330]);
    await s.clock.run(s.poller.stop());
  });

  it('a module that leaves the group: no neighbour’s values are shown as its own, and the group is found again', async () => {
    const s = setup({ modules: 3 });
    s.poller.start();
    await s.cyclesFrom(2);
    // The middle module leaves: the master now counts two blocks, 02's and 04's, with no addresses.
    s.group.present[1] = false;
    const from = s.updates.length;
    await s.cyclesFrom(1);
    const during = s.updates.slice(from);
    // Nobody's block is given to 03 (it would be 04's), and 04 gets nothing (its block came second).
    expect(during.filter((u) => u.address === 3 && u.analog)).toEqual([]);
    expect(during.filter((u) => u.address === 4 && u.analog)).toEqual([]);
    expect(during.filter((u) => u.address === 2 && u.analog).at(-1)!.analog!.cells_mV[0]).toBe(3300);
    const h = new Map(s.poller.health().map((x) => [x.address, x]));
    expect(isLive(h.get(3)!, s.clock.now())).toBe(false);
    expect(h.get(3)!.lastError).toMatch(/counted 2 module\(s\), 3 were found/);
    // The next discovery sees a group of two. (Which module left, the frame cannot tell: blocks
    // come in address order, so the remaining one is taken as 03 — UNCERTAIN, §10.2.)
    await s.clock.run(new Promise<void>((r) => s.poller.onTopology((t) => t.addresses.length === 2 && r())), 60_000);
    expect(s.topologies.at(-1)).toMatchObject({ addresses: [2, 3], broadcast: true, pylonGroup: 0 });
    await s.clock.run(s.poller.stop());
  });

  it('a silent group goes stale at its first unanswered request, every module at once', async () => {
    const s = setup();
    s.poller.start();
    await s.cyclesFrom(2);
    s.group.silent = true;
    await s.clock.run(new Promise<void>((r) => s.poller.onHealth((h) => h.address === 4 && h.state !== 'ok' && r())), 60_000);
    const now = s.clock.now();
    expect(s.poller.health().every((h) => h.state !== 'ok' && !isLive(h, now))).toBe(true);
    s.group.silent = false;
    await s.clock.run(new Promise<void>((r) => s.poller.onCycle((c) => c.answered.length === 3 && r())), 120_000);
    expect(s.poller.health().every((h) => isLive(h, s.clock.now()))).toBe(true);
    await s.clock.run(s.poller.stop());
  });
});

describe('a real group reply through the poller', () => {
  it('three US2000 modules (python-pylontech capture) become packs 02..04 with the captured values', async () => {
    const s = setup({ modules: 3, groupAnalogText: PYLON_GROUP_US2000_3.text });
    s.poller.start();
    await s.cyclesFrom(2);
    expect(s.topologies.at(-1)).toMatchObject({ addresses: [2, 3, 4], broadcast: true, pylonGroup: 0 });
    const last = (address: number) => s.updates.filter((u) => u.address === address && u.analog).at(-1)!.analog!;
    expect([2, 3, 4].map((a) => last(a).cells_mV[0])).toEqual([3303, 3298, 3298]);
    expect([2, 3, 4].map((a) => last(a).current_A)).toEqual([-2.6, -2.5, -2.7]);
    expect([2, 3, 4].map((a) => last(a).voltage_V)).toEqual([49.545, 49.52, 49.504]);
    expect([2, 3, 4].map((a) => [last(a).remaining_Ah, last(a).full_Ah, last(a).design_Ah])).toEqual([
      [33.5, 50, null],
      [33.5, 50, null],
      [33.5, 50, null]
    ]);
    expect(s.poller.health().every((h) => h.state === 'ok' && isLive(h, s.clock.now()))).toBe(true);
    await s.clock.run(s.poller.stop());
  });
});

describe('when the group form is not used', () => {
  it("groupQuery 'none' asks every module at its own address and never sends COMMAND FF", async () => {
    const s = setup({}, { groupQuery: 'none' });
    s.poller.start();
    await s.cyclesFrom(2);
    expect(s.topologies.at(-1)).toMatchObject({ addresses: [2, 3, 4], broadcast: false });
    expect(s.topologies.at(-1)!.pylonGroup).toBeUndefined();
    expect(s.group.requests.some((r) => r.info[0] === 0xff)).toBe(false);
    expect(s.updates.find((u) => u.address === 4 && u.analog)!.analog!.cells_mV[0]).toBe(3320);
    await s.clock.run(s.poller.stop());
  });

  it('a master that ignores COMMAND FF: the modules are found one by one, in the group’s own addresses', async () => {
    const s = setup({ group: 2, modules: 2, answersGroup: false });
    s.poller.start();
    await s.cyclesFrom(1);
    expect(s.topologies.at(-1)).toMatchObject({ masterAddress: 0x22, addresses: [0x22, 0x23], broadcast: false });
    // Only the group's addresses were probed (ADR 0 and 1 are reserved in the Pylontech numbering).
    const probed = new Set(s.group.requests.filter((r) => r.code === 0x42 && r.info[0] !== 0xff).map((r) => r.adr));
    expect([...probed].every((a) => a >= 0x22 && a <= 0x2f)).toBe(true);
    await s.clock.run(s.poller.stop());
  });

  it('an address that is not a group master is never asked for the group', async () => {
    const s = setup({ modules: 3 }, { masterAddress: 3 });
    s.poller.start();
    await s.cyclesFrom(1);
    expect(s.group.requests.some((r) => r.info[0] === 0xff)).toBe(false);
    expect(s.topologies.at(-1)).toMatchObject({ masterAddress: 3, broadcast: false });
    expect(s.topologies.at(-1)!.addresses).toEqual(expect.arrayContaining([3, 2, 4]));
    await s.clock.run(s.poller.stop());
  });
});

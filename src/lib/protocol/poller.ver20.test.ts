// Issue 16, point 3: a VER 20 module (Pylontech UP2500, 8 cells) at address 2 that answers 42H and
// refuses 44H with RTN 04, polled through the real client and poller on virtual time.

import { describe, expect, it } from 'vitest';
import type { BankTopology, PackUpdate, PollCycle } from './bank-types';
import { PaceClient } from './client';
import { FakeTransport } from './fixtures/fake-transport';
import { MODULE_ADR, UP2500_ANALOG_TEXT, Ver20Module, type Ver20ModuleOptions } from './fixtures/ver20-module';
import { BankPoller, type Addressing } from './poller';
import { isLive } from './pack-health';
import { DEFAULT_DECODE_OPTIONS, VER_20 } from './types';
import { VirtualClock } from '../time/clock';

function setup(module: Ver20ModuleOptions = {}, addressing: Addressing = 'direct') {
  const clock = new VirtualClock();
  const transport = new FakeTransport({ clock });
  const pack = new Ver20Module(module);
  transport.responder = pack.respond;
  const client = new PaceClient(transport, { clock, ver: VER_20, decodeOptions: { ...DEFAULT_DECODE_OPTIONS, profile: 'pylon' } });
  const poller = new BankPoller(client, { masterAddress: MODULE_ADR, addressing, interval_ms: 1000 });
  const updates: PackUpdate[] = [];
  const topologies: BankTopology[] = [];
  const cycles: PollCycle[] = [];
  poller.onUpdate((u) => updates.push(u));
  poller.onTopology((t) => topologies.push(t));
  poller.onCycle((c) => cycles.push(c));
  const cyclesFrom = (n: number) => {
    const target = cycles.length + n;
    return clock.run(new Promise<void>((resolve) => poller.onCycle(() => cycles.length >= target && resolve())), 600_000);
  };
  return { clock, transport, pack, client, poller, updates, topologies, cycles, cyclesFrom };
}

describe('a VER 20 module at address 2 that refuses 44H', () => {
  it('is the only pack found, however it answers requests for other addresses', async () => {
    for (const [module, addressing] of [
      [{ echo: 'own' }, 'direct'],
      [{ echo: 'asked' }, 'direct'],
      [{ echo: 'own' }, 'relay']
    ] as const) {
      const s = setup(module, addressing);
      s.poller.start();
      await s.cyclesFrom(1);
      expect(s.topologies.at(-1)?.addresses, `${module.echo} echo, ${addressing} addressing`).toEqual([2]);
      expect(s.topologies.at(-1)).toMatchObject({ masterAddress: 2, ver: 0x20, profile: 'pylon' });
      await s.clock.run(s.poller.stop());
    }
  });

  it('keeps its analog values live while 44H is refused, says status is not supported, and stops asking for it', async () => {
    const s = setup();
    s.poller.start();
    await s.cyclesFrom(4);
    const mine = s.updates.filter((u) => u.address === MODULE_ADR);
    expect(mine.some((u) => u.statusUnsupported)).toBe(true);
    expect(mine.every((u) => u.status === undefined)).toBe(true);
    const h = s.poller.health()[0];
    expect(h).toMatchObject({ address: 2, state: 'ok', consecutiveFailures: 0, lastError: null });
    expect(isLive(h, s.clock.now())).toBe(true);
    expect(s.cycles.slice(-3).every((c) => c.answered.join() === '2' && c.missed.length === 0)).toBe(true);
    // 44H was asked once; since then only 42H goes out.
    const asked44 = s.pack.requests.filter((r) => r.code === 0x44);
    expect(asked44).toHaveLength(1);
    await s.clock.run(s.poller.stop());
  });

  it('reports what its reply carries and nothing it does not: no design capacity, temperatures named by its 8 cells', async () => {
    const s = setup();
    s.poller.start();
    await s.cyclesFrom(1);
    const analog = s.updates.find((u) => u.analog)!.analog!;
    expect(UP2500_ANALOG_TEXT.startsWith('~20024600')).toBe(true);
    expect(analog.cells_mV).toEqual([3300, 3301, 3299, 3300, 3302, 3300, 3301, 3299]);
    expect(analog.voltage_V).toBeCloseTo(26.402, 3);
    expect(analog.current_A).toBeCloseTo(-5.0, 3);
    expect(analog.full_Ah).toBe(50);
    expect(analog.design_Ah).toBeNull();
    expect(analog.soh_pct).toBeNull();
    expect(analog.soc_pct).toBe(75);
    expect(analog.tempLabels).toEqual(['BMS board', 'Cells 1–2', 'Cells 3–4', 'Cells 5–6', 'Cells 7–8']);
    expect(analog.temps_C).toEqual([27, 25, 25.2, 24.9, 25.1]);
    await s.clock.run(s.poller.stop());
  });

  it('a silent module is stale at its first unanswered request and live again at its first reply', async () => {
    const s = setup();
    s.poller.start();
    await s.cyclesFrom(3);
    s.pack.silent = true;
    const silentFrom = s.clock.now();
    await s.clock.run(new Promise<void>((r) => s.poller.onHealth((h) => h.state !== 'ok' && r())), 60_000);
    const lastReply = s.updates.filter((u) => u.analog).at(-1)!.received_ms;
    expect(s.clock.now() - lastReply).toBeLessThanOrEqual(s.poller.refreshInterval_ms + s.client.deadlineFor(20, 61));
    expect(s.clock.now()).toBeGreaterThan(silentFrom);
    s.pack.silent = false;
    await s.clock.run(new Promise<void>((r) => s.poller.onHealth((h) => h.state === 'ok' && r())), 60_000);
    expect(isLive(s.poller.health()[0], s.clock.now())).toBe(true);
    await s.clock.run(s.poller.stop());
  });
});

describe('a VER 20 module whose firmware sends its current in 10 mA (the layout documents 100 mA)', () => {
  it('is read in 10 mA once a high current gives it away, and stays so when the current drops (the decoder says so)', async () => {
    const s = setup();
    // -2000 words: -200 A at 100 mA would be 4 C of a 50 Ah module; at 10 mA, -20 A.
    s.pack.current_raw = -2000;
    s.poller.start();
    await s.cyclesFrom(2);
    // The first reply tells by itself; later ones are read in the unit it taught.
    const high = s.updates.find((u) => u.analog)!.analog!;
    expect(high.current_A).toBe(-20);
    expect(high.unitNotes).toEqual([expect.objectContaining({ field: 'current', factor: 0.1, unit: '10 mA' })]);
    expect(high.unitNotes![0].message).toMatch(/^current read in 10 mA units: 200\.0 A would be 4\.0 C of a 50\.00 Ah module$/);

    // -500 words: -5 A at 10 mA. Read at the documented 100 mA it would be -50 A (1 C), which no test could tell.
    s.pack.current_raw = -500;
    const before = s.updates.length;
    await s.cyclesFrom(2);
    const low = s.updates.slice(before).filter((u) => u.analog);
    expect(low.length).toBeGreaterThan(0);
    for (const u of low) {
      expect(u.analog!.current_A).toBe(-5);
      expect(u.analog!.unitNotes).toEqual([
        { field: 'current', factor: 0.1, unit: '10 mA', message: 'current read in 10 mA units, as learned from an earlier reply' }
      ]);
    }
    await s.clock.run(s.poller.stop());
  });

  it('a module that sends the documented 100 mA is never rescaled', async () => {
    const s = setup();
    s.poller.start();
    await s.cyclesFrom(3);
    const analog = s.updates.filter((u) => u.analog).map((u) => u.analog!);
    expect(analog.length).toBeGreaterThan(0);
    for (const a of analog) {
      expect(a.current_A).toBe(-5);
      expect(a.unitNotes).toBeUndefined();
    }
    expect(s.client.decodeOptions.unitOverrides).toBeUndefined();
    await s.clock.run(s.poller.stop());
  });
});

// BankState on its own: what the poller streams is applied once per cycle, at most once per frame,
// liveness follows the values' age, and each pack's trend has its own revision.

import { describe, expect, it } from 'vitest';
import { syntheticAnalog, syntheticStatus } from '../../../tests/fixtures/synthetic-bank';
import type { BankTopology, PackHealth, PackUpdate } from '$lib/protocol/bank-types';
import { VirtualClock } from '$lib/time/clock';
import { BankState, type FrameScheduler } from './bank-state.svelte';

const TOPOLOGY: BankTopology = { masterAddress: 1, addresses: [1, 2, 3, 4], broadcast: false, profile: 'pace', ver: 0x25, cid1: 0x46 };

function health(address: number, received_ms: number, fresh_ms = 3000, state: PackHealth['state'] = 'ok'): PackHealth {
  return {
    address,
    state,
    lastGood_ms: received_ms,
    freshUntil_ms: received_ms + fresh_ms,
    noReplyCount: 0,
    badReplyCount: 0,
    consecutiveFailures: 0,
    nextProbe_ms: null,
    lastError: null
  };
}

function values(address: number, t_ms: number, tick: number): PackUpdate {
  return {
    address,
    received_ms: t_ms,
    analog: syntheticAnalog(address, tick),
    status: syntheticStatus(address, tick),
    health: health(address, t_ms)
  };
}

/** Let the microtask the apply waits for run. */
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

function setup(frame: FrameScheduler | null = null) {
  const clock = new VirtualClock(10_000);
  let up = true;
  const bank = new BankState({ clock, linkUp: () => up, frame });
  bank.topologyFound(TOPOLOGY);
  return { clock, bank, setLink: (v: boolean) => (up = v) };
}

/** One relay cycle: every pack reports in turn, 100 ms apart, then the cycle ends. */
async function cycle(s: ReturnType<typeof setup>, tick: number): Promise<void> {
  for (const a of TOPOLOGY.addresses) {
    s.bank.update(values(a, s.clock.now(), tick));
    await s.clock.advance(100);
  }
  s.bank.requestApply();
  await settle();
}

describe('BankState', () => {
  it('applies a cycle of per-pack updates once, at the end of the cycle', async () => {
    const s = setup();
    await cycle(s, 0); // the packs turn live: applied as they do
    const before = s.bank.applies;
    const packs = s.bank.packs;
    for (const a of TOPOLOGY.addresses) {
      s.bank.update(values(a, s.clock.now(), 1));
      await s.clock.advance(100);
      await settle();
      // Mid-cycle, what is shown has not moved.
      expect(s.bank.packs).toBe(packs);
    }
    s.bank.requestApply();
    await settle();
    expect(s.bank.applies).toBe(before + 1);
    expect(s.bank.packs).not.toBe(packs);
    expect(s.bank.packs.map((p) => p.analog?.cells_mV[0])).toEqual(TOPOLOGY.addresses.map((a) => syntheticAnalog(a, 1).cells_mV[0]));
    expect(s.bank.packs.every((p) => p.fresh)).toBe(true);
  });

  it('each pack has its own trend revision: a sample of pack 2 leaves pack 1 alone', async () => {
    const s = setup();
    await cycle(s, 0);
    const r1 = s.bank.trendRevision(1);
    const r2 = s.bank.trendRevision(2);
    s.bank.update(values(2, s.clock.now(), 5));
    s.bank.requestApply();
    await settle();
    expect(s.bank.trendRevision(2)).toBe(r2 + 1);
    expect(s.bank.trendRevision(1)).toBe(r1);
    expect(s.bank.trend(2)?.length).toBe(2);
  });

  it('a pack turns stale by itself when its values get older than freshUntil_ms, with nothing from the poller', async () => {
    const s = setup();
    s.bank.update(values(1, s.clock.now(), 0));
    s.bank.requestApply();
    await settle();
    expect(s.bank.pack(1)?.fresh).toBe(true);
    await s.clock.advance(2999);
    expect(s.bank.pack(1)?.fresh).toBe(true);
    await s.clock.advance(1);
    await settle();
    expect(s.bank.pack(1)?.fresh).toBe(false);
    expect(s.bank.totals.freshPacks).toBe(0);
  });

  it('newer values still waiting for the cycle to end keep a pack live without an apply', async () => {
    const s = setup();
    s.bank.update(values(1, s.clock.now(), 0));
    s.bank.requestApply();
    await settle();
    const applies = s.bank.applies;
    await s.clock.advance(2500);
    s.bank.update(values(1, s.clock.now(), 1)); // live until 2500 + 3000 from here
    await s.clock.advance(1000); // past the first values' age limit
    await settle();
    expect(s.bank.pack(1)?.fresh).toBe(true);
    expect(s.bank.applies).toBe(applies);
  });

  it('a pack that stops being live is applied at once, mid-cycle', async () => {
    const s = setup();
    await cycle(s, 0);
    const applies = s.bank.applies;
    s.bank.update({ address: 3, received_ms: s.clock.now(), health: { ...health(3, s.clock.now() - 400), state: 'stale', lastError: 'No reply' } });
    await settle();
    expect(s.bank.applies).toBe(applies + 1);
    expect(s.bank.pack(3)?.fresh).toBe(false);
    expect(s.bank.pack(1)?.fresh).toBe(true);
  });

  it('a pack going from stale to offline is shown at once too, not at the end of the cycle', async () => {
    const s = setup();
    await cycle(s, 0);
    const t = s.clock.now();
    s.bank.update({ address: 4, received_ms: t, health: { ...health(4, t - 5000), state: 'stale', consecutiveFailures: 1 } });
    await settle();
    const applies = s.bank.applies;
    s.bank.update({
      address: 4,
      received_ms: t,
      health: { ...health(4, t - 5000), state: 'offline', consecutiveFailures: 3, nextProbe_ms: t + 2000 }
    });
    await settle();
    expect(s.bank.applies).toBe(applies + 1);
    expect(s.bank.pack(4)?.health.state).toBe('offline');
  });

  it('nothing is live while the link is down', async () => {
    const s = setup();
    await cycle(s, 0);
    s.setLink(false);
    s.bank.linkChanged();
    expect(s.bank.packs.some((p) => p.fresh)).toBe(false);
    expect(s.bank.pack(1)?.analog).not.toBeNull();
  });

  it('never applies twice in one frame: a second cycle in the same frame waits for the next', async () => {
    const frames: (() => void)[] = [];
    const s = setup((cb) => frames.push(cb));
    /** Frames go by until nothing waits for one. */
    const frameGoesBy = () => frames.splice(0).forEach((f) => f());
    await cycle(s, 0);
    while (frames.length) frameGoesBy();
    const applies = s.bank.applies;
    for (const a of TOPOLOGY.addresses) s.bank.update(values(a, s.clock.now(), 1));
    s.bank.requestApply();
    await settle();
    expect(s.bank.applies).toBe(applies + 1);
    for (const a of TOPOLOGY.addresses) s.bank.update(values(a, s.clock.now(), 2));
    s.bank.requestApply();
    await settle();
    expect(s.bank.applies).toBe(applies + 1);
    expect(s.bank.pack(1)?.analog?.cells_mV[0]).toBe(syntheticAnalog(1, 1).cells_mV[0]);
    frameGoesBy();
    expect(s.bank.applies).toBe(applies + 2);
    expect(s.bank.pack(1)?.analog?.cells_mV[0]).toBe(syntheticAnalog(1, 2).cells_mV[0]);
  });
});

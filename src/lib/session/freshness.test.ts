// Issue 16: a silent bank must stop looking live within one poll. A DeviceSession (real client,
// poller and bank state, as the app wires them) polls a simulated 8-pack bank at 9600 baud on
// virtual time; the bank goes silent at several points of the cycle. No pack may show as live
// more than one cycle plus one reply deadline after its last reply, and the first good reply
// after the silence makes it live again.

import { describe, expect, it } from 'vitest';
import { readAnalog } from '$lib/protocol/commands/analog';
import { ALL_PACKS } from '$lib/protocol/commands/pack-request';
import { frameWireLength } from '$lib/protocol/frame';
import type { PaceClient } from '$lib/protocol/client';
import type { BankPoller } from '$lib/protocol/poller';
import { createSimBank, type SimBank } from '$lib/sim/bank';
import { VirtualClock } from '$lib/time/clock';
import { SimTransport } from '$lib/transport/sim';
import { wireTime_ms } from '$lib/protocol/timing';
import { attachPaceLink } from './pace-link';
import type { LinkFactory } from './ports';
import { DeviceSession } from './session.svelte';
import { SettingsStore } from './settings.svelte';
import { MemoryStorage } from './storage';

const PACKS = 8;
const STEP_MS = 5;

type When = 'after-42H-reply' | 'after-44H-reply' | 'mid-request' | 'mid-reply';

interface Rig {
  clock: VirtualClock;
  bank: SimBank;
  session: DeviceSession<PaceClient, BankPoller>;
  client: PaceClient;
  poller: BankPoller;
  /** Clock time of each pack's last reply (analog or status). */
  lastReply: Map<number, number>;
}

async function rig(broadcast: boolean, settle_ms = broadcast ? 25_000 : 60_000, packs = PACKS): Promise<Rig> {
  const clock = new VirtualClock(0);
  const bank = createSimBank({ packCount: packs, seed: `silence-${broadcast}`, clock, baud: 9600, firmware: { broadcast }, scenario: 'load' });
  const transport = new SimTransport(bank, { clock });
  const links: LinkFactory<PaceClient, BankPoller> = {
    request: async () => transport,
    remembered: async () => null,
    setBaud: async () => undefined,
    probe: async () => true,
    attach: (t, o) => attachPaceLink(t, o)
  };
  const storage = new MemoryStorage();
  const session = new DeviceSession({ links, clock, storage, settings: new SettingsStore(storage), frame: null });
  expect(await clock.run(session.connect({ kind: 'sim' }))).toBe(true);
  const client = session.client!;
  const poller = session.poller!;
  const lastReply = new Map<number, number>();
  poller.onUpdate((u) => {
    if (u.analog || u.status) lastReply.set(u.address, u.received_ms);
  });
  // Past discovery, the identity reads and a few measured cycles.
  await clock.advance(settle_ms);
  if (settle_ms > 0) expect(session.packs.filter((p) => p.fresh)).toHaveLength(packs);
  return { clock, bank, session, client, poller, lastReply };
}

/** Silence the bank at the given point of the next poll exchange; resolves when it went silent. */
function silenceAt(r: Rig, when: When): Promise<void> {
  return new Promise<void>((resolve) => {
    const go = () => {
      off();
      r.bank.inject({ kind: 'silence', on: true });
      resolve();
    };
    const off = r.client.onTraffic((e) => {
      const code = e.frame?.code;
      if (when === 'after-42H-reply' && e.dir === 'rx' && lastTxCode === 0x42) go();
      else if (when === 'after-44H-reply' && e.dir === 'rx' && lastTxCode === 0x44) go();
      else if (e.dir === 'tx') {
        lastTxCode = code;
        if (code !== 0x42) return;
        if (when === 'mid-request') r.clock.setTimeout(go, wireTime_ms(e.bytes.length / 2, r.client.timing));
        // Half way through the reply: turnaround, then half its length on the wire.
        else if (when === 'mid-reply') r.clock.setTimeout(go, wireTime_ms(e.bytes.length, r.client.timing) + 20 + wireTime_ms(60, r.client.timing));
      }
    });
    let lastTxCode: number | undefined;
  });
}

/** Step virtual time until `done` holds, recording when each pack stopped being live. */
async function watch(r: Rig, limit_ms: number, done: () => boolean): Promise<Map<number, number>> {
  const staleAt = new Map<number, number>();
  const end = r.clock.now() + limit_ms;
  while (r.clock.now() < end) {
    for (const p of r.session.packs) if (!p.fresh && !staleAt.has(p.address)) staleAt.set(p.address, r.clock.now());
    if (done()) break;
    await r.clock.advance(STEP_MS);
  }
  return staleAt;
}

function analogDeadline(r: Rig, broadcast: boolean, address: number): number {
  const req = { command: broadcast ? ALL_PACKS : address };
  return r.client.deadlineFor(frameWireLength(readAnalog.encodeRequest(req).length), readAnalog.expectedReplyBytes(req, PACKS));
}

describe('a bank that goes silent stops looking live within one cycle plus one deadline', () => {
  const cases: [boolean, When][] = [
    [true, 'after-42H-reply'],
    [true, 'after-44H-reply'],
    [true, 'mid-request'],
    [true, 'mid-reply'],
    [false, 'after-42H-reply'],
    [false, 'mid-reply']
  ];
  for (const [broadcast, when] of cases) {
    it(`${broadcast ? 'broadcast' : 'relay'}: silent ${when}`, { timeout: 30_000 }, async () => {
      const r = await rig(broadcast);
      const cycle_ms = r.poller.refreshInterval_ms;
      let lastTx_ms = 0;
      r.client.onTraffic((e) => {
        if (e.dir === 'tx' && e.frame?.code === 0x42) lastTx_ms = e.t_ms;
      });
      await r.clock.run(silenceAt(r, when), 30_000);
      const silentAt = r.clock.now();
      const staleAt = await watch(r, 30_000, () => r.session.packs.every((p) => !p.fresh));
      expect(r.session.packs.every((p) => !p.fresh)).toBe(true);
      for (const address of r.session.packs.map((p) => p.address)) {
        const last = r.lastReply.get(address)!;
        const bound = cycle_ms + analogDeadline(r, broadcast, address);
        const liveAfter = staleAt.get(address)! - last;
        expect(liveAfter, `pack ${address}: live ${liveAfter} ms after its last reply, bound ${bound} ms`).toBeLessThanOrEqual(bound + STEP_MS);
      }
      if (when === 'mid-request' || when === 'mid-reply') {
        // The 42H in flight is the exchange that would have refreshed them: its first attempt
        // without a reply makes them stale, not the last of its retries.
        const first = Math.min(...staleAt.values());
        expect(first - lastTx_ms).toBeLessThanOrEqual(analogDeadline(r, broadcast, r.session.packs[0].address) + STEP_MS);
      }
      // The totals add no stale pack.
      expect(r.session.totals.freshPacks).toBe(0);
      expect(r.session.totals.busCurrent_A).toBe(0);
      expect(silentAt).toBeGreaterThan(0);

      // Recovery: every pack is live again at its first good reply (a retry of the exchange the
      // silence broke counts: the values before it may still be young enough).
      r.bank.inject({ kind: 'silence', on: false });
      const firstReply = new Map<number, number>();
      const off = r.poller.onUpdate((u) => {
        if ((u.analog || u.status) && !firstReply.has(u.address)) firstReply.set(u.address, u.received_ms);
      });
      const liveAt = new Map<number, number>();
      const end = r.clock.now() + 60_000;
      while (r.clock.now() < end && liveAt.size < PACKS) {
        await r.clock.advance(STEP_MS);
        for (const p of r.session.packs) if (p.fresh && !liveAt.has(p.address)) liveAt.set(p.address, r.clock.now());
      }
      off();
      expect(liveAt.size).toBe(PACKS);
      for (const [address, t] of liveAt) expect(t - firstReply.get(address)!, `pack ${address}`).toBeLessThanOrEqual(STEP_MS);
      await r.clock.run(r.session.disconnect());
      r.bank.dispose();
    });
  }
});

describe('one bank update per poll cycle', () => {
  it('relay: eight packs report one by one, the pages see one new `packs` per cycle', { timeout: 30_000 }, async () => {
    const r = await rig(false);
    // Start counting at a cycle's end.
    await r.clock.run(new Promise<void>((resolve) => r.poller.onCycle(() => resolve())));
    await r.clock.advance(0);
    const seen = new Set<unknown>([r.session.packs]);
    let updates = 0;
    let cycles = 0;
    const offUpdate = r.poller.onUpdate(() => {
      updates++;
      seen.add(r.session.packs);
    });
    const offCycle = r.poller.onCycle(() => cycles++);
    const revisions = () => r.session.packs.map((p) => r.session.trendRevision(p.address));
    const before = revisions();
    while (cycles < 5) await r.clock.advance(50);
    await r.clock.advance(1);
    seen.add(r.session.packs);
    offUpdate();
    offCycle();
    // 16 updates a cycle (42H and 44H of 8 packs), one apply at each cycle's end.
    expect(updates).toBeGreaterThanOrEqual(5 * 2 * PACKS);
    expect(seen.size).toBe(5 + 1);
    // Each pack's trend moved once per cycle, on its own counter.
    expect(revisions().map((v, i) => v - before[i])).toEqual(Array(PACKS).fill(5));
    await r.clock.run(r.session.disconnect());
    r.bank.dispose();
  });
});

describe('relay polling: one silent pack is stale, and nothing else', () => {
  for (const packs of [4, PACKS]) {
    it(
      `${packs} packs: from the first cycle on, no pack blinks stale while the bank answers (identity reads between cycles included)`,
      { timeout: 30_000 },
      async () => {
        const r = await rig(false, 0, packs);
        let allLive = false;
        const staleAfterLive = new Set<number>();
        const end = r.clock.now() + 60_000;
        while (r.clock.now() < end) {
          await r.clock.advance(STEP_MS);
          if (!allLive) allLive = r.session.packs.length === packs && r.session.packs.every((p) => p.fresh);
          else for (const p of r.session.packs) if (!p.fresh) staleAfterLive.add(p.address);
        }
        expect(allLive).toBe(true);
        expect([...staleAfterLive]).toEqual([]);
        await r.clock.run(r.session.disconnect());
        r.bank.dispose();
      }
    );
  }

  it(
    'a slave back online is identified between two cycles, and the packs polled before it do not blink stale meanwhile',
    { timeout: 30_000 },
    async () => {
      const r = await rig(false, 0, 4);
      // Out before the poller read its identity (one pack per cycle after discovery).
      await r.clock.run(new Promise<void>((resolve) => r.poller.onTopology(() => resolve())));
      r.bank.inject({ kind: 'link-cable', address: 3, connected: false });
      await r.clock.advance(10_000);
      expect(r.session.pack(3)?.identity).toBeNull();
      r.bank.inject({ kind: 'link-cable', address: 3, connected: true });
      const staleAt = await watch(r, 20_000, () => false);
      expect(r.session.pack(3)?.identity?.bmsSerial).toBe(r.bank.packAt(3)!.identity.bmsSerial);
      expect([...staleAt.keys()].filter((a) => a !== 3)).toEqual([]);
      await r.clock.run(r.session.disconnect());
      r.bank.dispose();
    }
  );

  it(
    'a slave whose link cable comes out (RTN 91 from the master) turns stale within one cycle plus one deadline; the others stay live (fault matrix: slave-offline × monitoring, relay)',
    { timeout: 30_000 },
    async () => {
      const r = await rig(false);
      const cycle_ms = r.poller.refreshInterval_ms;
      r.bank.inject({ kind: 'link-cable', address: 5, connected: false });
      const staleAt = await watch(r, 20_000, () => false);
      expect([...staleAt.keys()]).toEqual([5]);
      const liveAfter = staleAt.get(5)! - r.lastReply.get(5)!;
      expect(liveAfter).toBeLessThanOrEqual(cycle_ms + analogDeadline(r, false, 5) + STEP_MS);
      await r.clock.run(r.session.disconnect());
      r.bank.dispose();
    }
  );
});

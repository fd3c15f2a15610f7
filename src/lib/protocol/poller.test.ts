import { describe, expect, it } from 'vitest';
import type { BankTopology, PackHealth, PackUpdate, PollCycle } from './bank-types';
import { PaceClient, type PaceClientOptions, type TrafficEntry } from './client';
import { BankPoller, type BankPollerOptions, type PackIdentityReport, type PollerStatus } from './poller';
import { readCellOverVoltage } from './commands/protection';
import { createSimBank, type SimBankOptions } from '../sim/bank';
import { SimTransport } from '../transport/sim';
import { VirtualClock } from '../time/clock';
import { TransportError } from '../transport/types';

interface SetupOptions {
  packCount: number;
  bank?: Partial<SimBankOptions>;
  client?: PaceClientOptions;
  poller?: BankPollerOptions;
}

async function setup(o: SetupOptions) {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: o.packCount, seed: `poller-${o.packCount}`, clock, ...o.bank });
  const transport = new SimTransport(bank, { clock });
  await transport.open();
  const client = new PaceClient(transport, { clock, ...o.client });
  const poller = new BankPoller(client, { interval_ms: 1000, ...o.poller });
  const updates: PackUpdate[] = [];
  const cycles: PollCycle[] = [];
  const topologies: BankTopology[] = [];
  const identities: PackIdentityReport[] = [];
  const statuses: PollerStatus[] = [];
  const tx: TrafficEntry[] = [];
  poller.onUpdate((u) => updates.push(u));
  poller.onCycle((c) => cycles.push(c));
  poller.onTopology((t) => topologies.push(t));
  poller.onIdentity((i) => identities.push(i));
  poller.onStatus((s) => statuses.push(s));
  client.onTraffic((e) => {
    if (e.dir === 'tx') tx.push(e);
  });

  /** Drive virtual time until `n` more cycles have ended (or `until` holds after a cycle). */
  const cyclesFrom = (n: number, limit_ms = 600_000) => {
    const target = cycles.length + n;
    return clock.run(
      new Promise<void>((resolve) => {
        const off = poller.onCycle(() => {
          if (cycles.length >= target) {
            off();
            resolve();
          }
        });
      }),
      limit_ms
    );
  };
  const until = (predicate: () => boolean, limit_ms = 600_000) =>
    clock.run(
      new Promise<void>((resolve) => {
        const check = () => {
          if (predicate()) {
            offs.forEach((f) => f());
            resolve();
          }
        };
        const offs = [poller.onUpdate(check), poller.onCycle(check), poller.onStatus(check), poller.onTopology(check)];
        check();
      }),
      limit_ms
    );
  const stop = async () => {
    await clock.run(poller.stop());
    bank.dispose();
  };
  return { clock, bank, transport, client, poller, updates, cycles, topologies, identities, statuses, tx, cyclesFrom, until, stop };
}

/** COMMAND byte of a 42H/44H request as text, e.g. "FF" or "03". */
function commandOf(e: TrafficEntry): string {
  return e.frame ? (e.frame.info.length === 1 ? e.frame.info[0].toString(16).toUpperCase().padStart(2, '0') : '-') : '?';
}

function cid2Of(e: TrafficEntry): number {
  return e.frame?.code ?? -1;
}

describe('BankPoller: discovery', () => {
  it('one pack: 90H says 1, polled as a single pack, identity read once', async () => {
    const s = await setup({ packCount: 1 });
    s.poller.start();
    await s.cyclesFrom(3);
    expect(s.topologies).toHaveLength(1);
    expect(s.topologies[0]).toMatchObject({ masterAddress: 1, addresses: [1], broadcast: false, ver: 0x25, cid1: 0x46, profile: 'pace' });
    const u = s.updates.filter((x) => x.analog);
    expect(u.length).toBeGreaterThanOrEqual(3);
    expect(u[0].analog?.cells_mV).toHaveLength(16);
    expect(s.updates.some((x) => x.status?.chargeMosOn)).toBe(true);
    expect(s.identities).toHaveLength(1);
    expect(s.identities[0].address).toBe(1);
    expect(s.identities[0].softwareVersion).toMatch(/P16S100A/);
    expect(s.identities[0].bmsSerial).toBeTruthy();
    expect(s.cycles.at(-1)).toMatchObject({ answered: [1], missed: [] });
    await s.stop();
  });

  it('two packs with broadcast firmware: FF for both 42H and 44H, one exchange each per cycle', async () => {
    const s = await setup({ packCount: 2 });
    s.poller.start();
    await s.cyclesFrom(3);
    expect(s.topologies[0]).toMatchObject({ masterAddress: 1, addresses: [1, 2], broadcast: true });
    const last = s.cycles.at(-1)!;
    const inCycle = s.tx.filter((e) => e.t_ms >= last.started_ms && e.t_ms <= last.ended_ms);
    expect(inCycle.map((e) => `${cid2Of(e).toString(16)}:${commandOf(e)}`)).toEqual(['42:FF', '44:FF']);
    expect(last.answered).toEqual([1, 2]);
    for (const a of [1, 2]) {
      const mine = s.updates.filter((u) => u.address === a);
      expect(mine.some((u) => u.analog && u.health.state === 'ok')).toBe(true);
      expect(mine.some((u) => u.status && u.health.state === 'ok')).toBe(true);
    }
    await s.stop();
  });

  it('sixteen packs: one broadcast finds the whole bank and every pack streams values', async () => {
    const s = await setup({ packCount: 16 });
    s.poller.start();
    await s.cyclesFrom(2);
    const addresses = Array.from({ length: 16 }, (_, i) => i + 1);
    expect(s.topologies[0]).toMatchObject({ addresses, broadcast: true });
    expect(s.cycles.at(-1)!.answered).toEqual(addresses);
    for (const a of addresses) {
      const analog = s.updates.filter((u) => u.address === a && u.analog).at(-1)!.analog!;
      expect(analog.cells_mV).toHaveLength(16);
      expect(analog.voltage_V).toBeGreaterThan(48);
      expect(analog.voltage_V).toBeLessThan(58);
      expect(analog.cycles).toBe(s.bank.packAt(a)!.gauge.cycles);
    }
    expect(s.poller.health().every((h) => h.state === 'ok')).toBe(true);
    expect(s.transport.status.state).toBe('open');
    await s.stop();
  });

  it('falls back to relay when the firmware has no broadcast, and polls each pack by address', async () => {
    const s = await setup({ packCount: 3, bank: { firmware: { broadcast: false } } });
    s.poller.start();
    await s.cyclesFrom(2);
    expect(s.topologies[0]).toMatchObject({ masterAddress: 1, addresses: [1, 2, 3], broadcast: false });
    const last = s.cycles.at(-1)!;
    const inCycle = s.tx.filter((e) => e.t_ms >= last.started_ms && e.t_ms <= last.ended_ms);
    expect(inCycle.map((e) => `${e.frame?.adr}:${cid2Of(e).toString(16)}:${commandOf(e)}`)).toEqual([
      '1:42:01',
      '1:44:01',
      '1:42:02',
      '1:44:02',
      '1:42:03',
      '1:44:03'
    ]);
    expect(last.answered).toEqual([1, 2, 3]);
    expect(s.updates.filter((u) => u.address === 3 && u.analog).at(-1)!.analog!.cycles).toBe(s.bank.packAt(3)!.gauge.cycles);
    await s.stop();
  });

  it('relay fallback finds all sixteen packs', async () => {
    const s = await setup({ packCount: 16, bank: { firmware: { broadcast: false } } });
    s.poller.start();
    await s.cyclesFrom(1);
    expect(s.topologies[0].broadcast).toBe(false);
    expect(s.topologies[0].addresses).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(s.cycles.at(-1)!.answered).toHaveLength(16);
    await s.stop();
  });

  it("mode 'relay' polls per address even when the master could broadcast", async () => {
    const s = await setup({ packCount: 2, poller: { mode: 'relay' } });
    s.poller.start();
    await s.cyclesFrom(1);
    expect(s.topologies[0].broadcast).toBe(false);
    expect(s.tx.some((e) => commandOf(e) === 'FF')).toBe(false);
    await s.stop();
  });

  it('finds slaves with gaps in their addresses by probing', async () => {
    const s = await setup({ packCount: 3, bank: { addresses: [1, 2, 5], firmware: { broadcast: false } } });
    s.poller.start();
    await s.cyclesFrom(1);
    expect(s.topologies[0].addresses).toEqual([1, 2, 5]);
    await s.stop();
  });
});

describe('BankPoller: discovery without the usual answers', () => {
  it('firmware that ignores 90H: the master is found by its own 42H and the bank by the broadcast', async () => {
    const s = await setup({ packCount: 3 });
    const write = s.transport.write.bind(s.transport);
    // "~25014690..." : CID2 90 sits at characters 7-8.
    s.transport.write = async (bytes: Uint8Array) => {
      if (String.fromCharCode(bytes[7], bytes[8]) === '90') return;
      return write(bytes);
    };
    s.poller.start();
    await s.cyclesFrom(1);
    expect(s.topologies[0]).toMatchObject({ addresses: [1, 2, 3], broadcast: true });
    expect(s.cycles.at(-1)!.answered).toEqual([1, 2, 3]);
    await s.stop();
  });

  it('a stand-alone pack at address 0 is polled as a single pack', async () => {
    const s = await setup({ packCount: 1, bank: { addresses: [0] }, poller: { masterAddress: 0 } });
    s.poller.start();
    await s.cyclesFrom(1);
    expect(s.topologies[0]).toMatchObject({ masterAddress: 0, addresses: [0], broadcast: false });
    expect(s.updates.some((u) => u.address === 0 && u.analog && u.health.state === 'ok')).toBe(true);
    await s.stop();
  });

  it("addressing 'direct' sends per-pack requests to each pack's own address", async () => {
    const s = await setup({ packCount: 3, bank: { firmware: { broadcast: false } }, poller: { addressing: 'direct' } });
    s.poller.start();
    await s.cyclesFrom(2);
    const last = s.cycles.at(-1)!;
    const inCycle = s.tx.filter((e) => e.t_ms >= last.started_ms && e.t_ms <= last.ended_ms);
    expect(inCycle.map((e) => `${e.frame?.adr}:${commandOf(e)}`)).toEqual(['1:01', '1:01', '2:02', '2:02', '3:03', '3:03']);
    expect(last.answered).toEqual([1, 2, 3]);
    await s.stop();
  });

  it('nobody on the line: discovery says so and retries with back-off', async () => {
    const s = await setup({ packCount: 1, poller: { masterAddress: 9, probeBackoff_ms: [3000, 7000] } });
    s.poller.start();
    await s.until(() => s.poller.status.state === 'retrying');
    expect(s.poller.status.message).toMatch(/No pack answered at address 9/);
    const first = s.clock.now();
    const before = s.tx.length;
    await s.until(() => s.tx.length > before);
    expect(s.tx.at(-1)!.t_ms - first).toBeGreaterThanOrEqual(3000);
    expect(s.topologies).toHaveLength(0);
    await s.stop();
  });
});

describe('BankPoller: health', () => {
  it('a slave taken offline is stale after one missed cycle, offline after three, and its values are not re-emitted', async () => {
    const s = await setup({ packCount: 3 });
    s.poller.start();
    await s.cyclesFrom(2);
    s.bank.setScenario('offline-slave', { pack: 3 });
    const from = s.updates.length;
    await s.cyclesFrom(1);
    const h3 = s.poller.health().find((h) => h.address === 3)!;
    expect(h3.state).toBe('stale');
    expect(h3.consecutiveFailures).toBe(1);
    expect(h3.lastError).toMatch(/offline/);
    // Every update for pack 3 since it went away carries health only, and from its first missed
    // poll on none says it is ok (one before that may only say how long its last values stay
    // live: an identity read between cycles delays its next poll).
    const since = () => s.updates.slice(from).filter((u) => u.address === 3);
    expect(since().length).toBeGreaterThan(0);
    expect(since().every((u) => !u.analog && !u.status)).toBe(true);
    const firstMiss = since().findIndex((u) => u.health.state !== 'ok');
    expect(firstMiss).toBeGreaterThanOrEqual(0);
    expect(
      since()
        .slice(firstMiss)
        .every((u) => u.health.state !== 'ok')
    ).toBe(true);
    expect(s.cycles.at(-1)!.missed).toEqual([3]);
    // The others carry on.
    expect(s.cycles.at(-1)!.answered).toEqual([1, 2]);
    await s.cyclesFrom(2);
    expect(s.poller.health().find((h) => h.address === 3)!.state).toBe('offline');
    expect(since().every((u) => !u.analog && !u.status)).toBe(true);
    // Back online: fresh values again.
    s.bank.setScenario('idle');
    await s.cyclesFrom(1);
    expect(s.poller.health().find((h) => h.address === 3)!.state).toBe('ok');
    expect(s.updates.at(-1)!.health.state).toBe('ok');
    await s.stop();
  });

  it('relay: an offline slave is re-probed with back-off instead of every cycle', async () => {
    const backoff = [5000, 20_000];
    const s = await setup({ packCount: 3, bank: { firmware: { broadcast: false } }, poller: { probeBackoff_ms: backoff } });
    s.poller.start();
    await s.cyclesFrom(1);
    s.bank.setScenario('offline-slave', { pack: 2 });
    await s.until(() => s.poller.health().find((h) => h.address === 2)!.state === 'offline');
    const h = s.poller.health().find((x) => x.address === 2)!;
    expect(h.nextProbe_ms).not.toBeNull();
    const wentOffline = s.clock.now();
    expect(h.nextProbe_ms! - wentOffline).toBeCloseTo(backoff[0], 0);
    const asked = () => s.tx.filter((e) => commandOf(e) === '02' && e.t_ms > wentOffline).map((e) => e.t_ms);
    await s.clock.run(new Promise<void>((r) => s.clock.setTimeout(r, 60_000)));
    const probes = asked();
    // 60 s with a 5 s then 20 s back-off: three one-request probes, not two requests every cycle.
    expect(probes).toHaveLength(3);
    expect(probes[0] - wentOffline).toBeGreaterThanOrEqual(backoff[0]);
    expect(probes[1] - probes[0]).toBeGreaterThanOrEqual(backoff[1]);
    expect(probes[2] - probes[1]).toBeGreaterThanOrEqual(backoff[1]);
    expect(s.cycles.filter((c) => c.started_ms > wentOffline).length).toBeGreaterThan(probes.length * 3);
    await s.stop();
  });

  it('a pulled cable mid-cycle: stops sending, marks every pack stale, re-discovers when the link is back', async () => {
    const s = await setup({ packCount: 16 });
    s.poller.start();
    await s.cyclesFrom(1);
    // Pull it half way through the next broadcast reply.
    s.transport.unplug(900);
    await s.until(() => s.poller.status.state === 'waiting-link');
    const pulled = s.clock.now();
    expect(s.transport.status.state).toBe('lost');
    expect(s.poller.health().every((h) => h.state === 'stale')).toBe(true);
    expect(s.poller.health().every((h) => /unplugged/.test(h.lastError ?? ''))).toBe(true);
    const lastFresh = new Map(s.updates.filter((u) => u.analog).map((u) => [u.address, u.received_ms]));
    await s.clock.advance(20_000);
    expect(s.tx.filter((e) => e.t_ms > pulled)).toHaveLength(0);
    expect(s.updates.filter((u) => u.received_ms > pulled && (u.analog || u.status))).toHaveLength(0);
    s.transport.replug();
    const topologiesBefore = s.topologies.length;
    await s.cyclesFrom(1);
    expect(s.topologies.length).toBe(topologiesBefore + 1);
    expect(s.poller.health().every((h) => h.state === 'ok')).toBe(true);
    for (const [address, t] of lastFresh) expect(s.updates.filter((u) => u.address === address && u.analog).at(-1)!.received_ms).toBeGreaterThan(t);
    await s.stop();
  });

  it('writes that fail while the port still says open: back off, then recover', async () => {
    const s = await setup({ packCount: 2, poller: { probeBackoff_ms: [2000, 4000] } });
    s.poller.start();
    await s.cyclesFrom(1);
    const write = s.transport.write.bind(s.transport);
    let failing = true;
    let attempts = 0;
    s.transport.write = async (bytes: Uint8Array) => {
      if (!failing) return write(bytes);
      attempts++;
      throw new TransportError('write-failed', 'The USB adapter refused the write.');
    };
    await s.until(() => s.poller.status.state === 'retrying');
    expect(s.poller.status.message).toMatch(/refused the write/);
    await s.clock.advance(10_000);
    // Backing off: a few tries in 10 s, not a busy loop.
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThan(8);
    failing = false;
    await s.cyclesFrom(1);
    expect(s.cycles.at(-1)!.answered).toEqual([1, 2]);
    expect(s.poller.status.state).toBe('polling');
    await s.stop();
  });

  it('a stalled link: timeouts make the packs stale, and polling recovers when the bank talks again', async () => {
    const s = await setup({ packCount: 2, poller: { probeBackoff_ms: [1000, 2000] } });
    s.poller.start();
    await s.cyclesFrom(1);
    s.bank.inject({ kind: 'stall', duration_ms: 30_000 });
    await s.until(() => s.poller.health().every((h) => h.state !== 'ok'));
    expect(s.client.stats.timeouts).toBeGreaterThan(0);
    await s.until(() => s.clock.now() > 40_000 && s.poller.health().every((h) => h.state === 'ok'));
    const before = s.cycles.length;
    await s.cyclesFrom(2);
    expect(s.cycles.length).toBe(before + 2);
    expect(s.cycles.at(-1)!.answered).toEqual([1, 2]);
    await s.stop();
  });

  it('an echoing USB-RS485 adapter: every echo is skipped and the poll carries on', async () => {
    const s = await setup({ packCount: 3 });
    s.bank.inject({ kind: 'echo', on: true });
    s.poller.start();
    await s.cyclesFrom(3);
    expect(s.client.stats.echoes).toBeGreaterThanOrEqual(s.tx.length - 1);
    expect(s.client.stats.timeouts).toBe(0);
    expect(s.cycles.at(-1)!.answered).toEqual([1, 2, 3]);
    await s.stop();
  });

  it('a noisy link: bad frames are counted per pack and the poll carries on', async () => {
    const s = await setup({ packCount: 3, bank: { firmware: { broadcast: false } } });
    s.poller.start();
    await s.cyclesFrom(1);
    s.bank.inject({ kind: 'byte-errors', flipRate: 0.002, dropRate: 0.001 });
    await s.cyclesFrom(30);
    const health = s.poller.health();
    const bad = health.reduce((n, h) => n + h.badReplyCount, 0);
    expect(s.client.stats.badFrames).toBeGreaterThan(0);
    expect(bad).toBeGreaterThan(0);
    expect(health.filter((h) => h.badReplyCount > 0).length).toBeGreaterThan(1);
    // Most cycles still get every pack.
    const full = s.cycles.slice(-30).filter((c) => c.missed.length === 0).length;
    expect(full).toBeGreaterThan(20);
    s.bank.inject({ kind: 'clear' });
    await s.cyclesFrom(2);
    expect(s.poller.health().every((h) => h.state === 'ok')).toBe(true);
    await s.stop();
  });
});

describe('BankPoller: control', () => {
  it('pause() waits for the exchange in flight, then nothing is sent until resume', async () => {
    const s = await setup({ packCount: 2 });
    s.poller.start();
    await s.cyclesFrom(1);
    const resume = await s.clock.run(s.poller.pause());
    const paused = s.clock.now();
    expect(s.poller.status.state).toBe('paused');
    await s.clock.advance(15_000);
    expect(s.tx.filter((e) => e.t_ms > paused)).toHaveLength(0);
    resume();
    await s.cyclesFrom(1);
    expect(s.tx.filter((e) => e.t_ms > paused).length).toBeGreaterThan(0);
    await s.stop();
  });

  it('refresh() starts a cycle now instead of after the interval', async () => {
    const s = await setup({ packCount: 1, poller: { interval_ms: 60_000, readIdentity: false } });
    s.poller.start();
    await s.cyclesFrom(1);
    const t = s.clock.now();
    s.poller.refresh();
    await s.cyclesFrom(1);
    expect(s.cycles.at(-1)!.started_ms - t).toBeLessThan(100);
    await s.stop();
  });

  it('exclusive work through the client slots in between poll exchanges without collisions', async () => {
    const s = await setup({ packCount: 16, poller: { interval_ms: 0 } });
    s.poller.start();
    await s.cyclesFrom(1);
    const { readCellOverVoltage } = await import('./commands/protection');
    const states: string[] = [];
    s.poller.onStatus((st) => states.push(st.state));
    const value = await s.clock.run(s.client.exclusive((bus) => bus.call(readCellOverVoltage, 1, undefined)));
    expect(value).toEqual(s.bank.packAt(1)!.params.cellOverVoltage);
    expect(states).toEqual(['paused', 'polling']);
    await s.cyclesFrom(2);
    expect(s.client.stats.badFrames).toBe(0);
    expect(s.client.stats.timeouts).toBe(0);
    expect(s.cycles.at(-1)!.answered).toHaveLength(16);
    await s.stop();
  });

  it('exclusive work in the middle of an identity read between cycles does not make the values live longer (fault matrix: dropped-bytes × history-read)', async () => {
    const s = await setup({ packCount: 3 });
    let live: PackHealth | undefined;
    let work: Promise<void> | null = null;
    // The first cycle ends; the identity read of pack 1 starts right after it. As its C1H leaves,
    // a history page asks for the bus and holds it 1.5 s (between the C1H and the C2H), while
    // pack 2's values are still live.
    const off = s.client.onTraffic((e) => {
      if (e.dir !== 'tx' || cid2Of(e) !== 0xc1 || work) return;
      live = s.poller.health().find((h) => h.address === 2);
      work = s.client.exclusive(async (bus) => {
        await bus.call(readCellOverVoltage, 1, undefined);
        await new Promise<void>((resolve) => s.clock.setTimeout(resolve, 1500));
      });
    });
    // Pack 2's health as the identity read ends (before the next cycle polls it again).
    let after: PackHealth | undefined;
    let at_ms = 0;
    const offIdentity = s.poller.onIdentity(() => {
      after ??= s.poller.health().find((h) => h.address === 2);
      at_ms ||= s.clock.now();
    });
    s.poller.start();
    await s.until(() => after !== undefined);
    off();
    offIdentity();
    await s.clock.run(work!);
    expect(live?.state).toBe('ok');
    expect(after!.lastGood_ms).toBe(live!.lastGood_ms);
    expect(at_ms).toBeLessThan(after!.freshUntil_ms!);
    // Extended by what the identity read itself cost on the bus (well under a second), not by the hold.
    expect(after!.freshUntil_ms! - live!.freshUntil_ms!).toBeGreaterThan(0);
    expect(after!.freshUntil_ms! - live!.freshUntil_ms!).toBeLessThan(1000);
    await s.stop();
  });

  it('stop() ends the loop and abandons the exchange in flight', async () => {
    const s = await setup({ packCount: 16, poller: { interval_ms: 0 } });
    s.poller.start();
    await s.cyclesFrom(1);
    await s.clock.advance(500);
    await s.clock.run(s.poller.stop());
    expect(s.poller.running).toBe(false);
    expect(s.poller.status.state).toBe('idle');
    const n = s.tx.length;
    await s.clock.advance(10_000);
    expect(s.tx.length).toBe(n);
    s.bank.dispose();
  });

  it('rejects nonsense options up front', async () => {
    const s = await setup({ packCount: 1 });
    expect(() => new BankPoller(s.client, { interval_ms: -1 })).toThrow(RangeError);
    expect(() => new BankPoller(s.client, { maxPacks: 0 })).toThrow(RangeError);
    expect(() => new BankPoller(s.client, { staleAfterMisses: 3, offlineAfterMisses: 2 })).toThrow(RangeError);
    expect(() => new BankPoller(s.client, { probeBackoff_ms: [] })).toThrow(RangeError);
    s.bank.dispose();
  });
});

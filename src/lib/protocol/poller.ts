// The bus poller: finds out who is on the bus, then reads 42H and 44H for every pack over and over,
// streaming each pack's values as they arrive. It speaks only through the client, so it shares the
// bus fairly with everything else and yields to exclusive work. Health rules (design.md
// "Polling"): a pack that stops answering is stale at once (its old values are never re-emitted
// as fresh), offline after a few misses, and then re-probed with back-off.

import type { BankTopology, PackHealth, PackUpdate, PollCycle } from './bank-types';
import { backoffDelay_ms, checkSchedule } from './backoff';
import type { ExchangeReport, ExchangeResult, PaceClient } from './client';
import type { Command } from './command';
import { readAnalog } from './commands/analog';
import { readPackCount, readProductInfo, readSoftwareVersion } from './commands/info';
import { ALL_PACKS } from './commands/pack-request';
import { readStatus } from './commands/status';
import type { ProtocolError } from './errors';
import type { AnalogReply, PackAnalog, PackStatus } from './types';
import type { Clock, TimerId } from '../time/clock';
import type { TransportStatus, Unsubscribe } from '../transport/types';

export type PollMode = 'auto' | 'broadcast' | 'relay';

export type PollerState =
  /** Not started, or stopped. */
  | 'idle'
  /** Finding out who is on the bus (90H, then a broadcast or a relay probe). */
  | 'discovering'
  | 'polling'
  /** pause() holds it. */
  | 'paused'
  /** The transport is not open; waiting for it to come back. */
  | 'waiting-link'
  /** Discovery failed; it will try again after a back-off. */
  | 'retrying';

export interface PollerStatus {
  state: PollerState;
  /** Why, in words, when something is wrong. */
  message: string | null;
}

/** C1H/C2H identity of one pack; null fields where the pack did not say. */
export interface PackIdentityReport {
  address: number;
  softwareVersion: string | null;
  bluetoothName: string | null;
  bmsSerial: string | null;
  packSerial: string | null;
}

export interface BankPollerOptions {
  /** Time source. Default: the client's clock. */
  clock?: Clock;
  /** Address of the pack the cable is plugged into. Default 1 (0 = stand-alone pack). */
  masterAddress?: number;
  /** Pause between cycles (ms). Default 1000. */
  interval_ms?: number;
  /** 'auto' tries a broadcast and falls back to relay. Default 'auto'. */
  mode?: PollMode;
  /** Highest pack count and address probed. Default 16. */
  maxPacks?: number;
  /** Missed polls after which a pack is stale. Default 1 (at once). */
  staleAfterMisses?: number;
  /** Missed polls after which a pack is offline and only re-probed with back-off. Default 3. */
  offlineAfterMisses?: number;
  /** Delays (ms) between re-probes of an offline pack, and between failed discoveries; the last repeats. Default [2000, 5000, 15000, 30000]. */
  probeBackoff_ms?: readonly number[];
  /**
   * How per-pack (non-broadcast) requests are addressed: 'relay' sends them to the master with
   * COMMAND = the pack (PACE over RS232 or the host port); 'direct' sends ADR = COMMAND = the pack
   * (every pack on one RS485 bus, Pylontech numbering). Default 'relay'.
   */
  addressing?: 'relay' | 'direct';
  /** Retries per poll request. Default: the client's. */
  retries?: number;
  /** Read C1H/C2H once per pack (one pack per cycle, after the poll). Default true. */
  readIdentity?: boolean;
}

interface PackEntry {
  health: PackHealth;
  /** Failed re-probes since the pack went offline (indexes the back-off schedule). */
  probeStep: number;
  identityRead: boolean;
}

interface Discovery {
  topology: BankTopology;
  /** 42H values read while probing; the first cycle uses them instead of asking again. */
  analog: Map<number, PackAnalog>;
  /** The broadcast 42H reply read while probing. */
  broadcastAnalog: AnalogReply | null;
}

class LinkDown extends Error {}
class Stopped extends Error {}

const DEFAULT_BACKOFF_MS = [2000, 5000, 15000, 30000];
/** Retries for discovery probes: a noisy link should not hide a pack, a missing one should not cost much. */
const PROBE_RETRIES = 1;

function copyHealth(h: PackHealth): PackHealth {
  return { ...h };
}

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

export class BankPoller {
  readonly #client: PaceClient;
  readonly #clock: Clock;
  readonly #masterAddress: number;
  readonly #interval_ms: number;
  readonly #mode: PollMode;
  readonly #maxPacks: number;
  readonly #staleAfter: number;
  readonly #offlineAfter: number;
  readonly #backoff: readonly number[];
  readonly #retries: number | undefined;
  readonly #readIdentity: boolean;
  readonly #addressing: 'relay' | 'direct';

  #running = false;
  #loopDone: Promise<void> = Promise.resolve();
  #abort = new AbortController();
  #status: PollerStatus = { state: 'idle', message: null };
  #topology: BankTopology | null = null;
  readonly #packs = new Map<number, PackEntry>();
  #needDiscovery = true;
  #discoveryStep = 0;
  #cycleFailed = new Set<number>();
  #inFlight: Promise<unknown> | null = null;
  #pauses = 0;
  #gateWaiters: (() => void)[] = [];
  #wake: (() => void) | null = null;
  #refreshRequested = false;
  #unsubscribeExclusive: Unsubscribe | null = null;

  readonly #updateListeners = new Set<(u: PackUpdate) => void>();
  readonly #cycleListeners = new Set<(c: PollCycle) => void>();
  readonly #topologyListeners = new Set<(t: BankTopology) => void>();
  readonly #healthListeners = new Set<(h: PackHealth) => void>();
  readonly #identityListeners = new Set<(i: PackIdentityReport) => void>();
  readonly #statusListeners = new Set<(s: PollerStatus) => void>();

  constructor(client: PaceClient, options: BankPollerOptions = {}) {
    this.#client = client;
    this.#clock = options.clock ?? client.clock;
    this.#masterAddress = options.masterAddress ?? 1;
    if (!Number.isInteger(this.#masterAddress) || this.#masterAddress < 0 || this.#masterAddress > 0xfe) {
      throw new RangeError(`masterAddress must be an integer in 0..254, got ${this.#masterAddress}`);
    }
    this.#interval_ms = options.interval_ms ?? 1000;
    if (!Number.isFinite(this.#interval_ms) || this.#interval_ms < 0) throw new RangeError(`interval_ms must be >= 0, got ${this.#interval_ms}`);
    this.#mode = options.mode ?? 'auto';
    if (!['auto', 'broadcast', 'relay'].includes(this.#mode))
      throw new RangeError(`mode must be auto, broadcast or relay, got ${String(this.#mode)}`);
    this.#maxPacks = positiveInt('maxPacks', options.maxPacks ?? 16, 1);
    if (this.#maxPacks > 32) throw new RangeError(`maxPacks must be at most 32, got ${this.#maxPacks}`);
    this.#staleAfter = positiveInt('staleAfterMisses', options.staleAfterMisses ?? 1, 1);
    this.#offlineAfter = positiveInt('offlineAfterMisses', options.offlineAfterMisses ?? 3, 1);
    if (this.#offlineAfter < this.#staleAfter) throw new RangeError('offlineAfterMisses must be >= staleAfterMisses');
    this.#backoff = checkSchedule('probeBackoff_ms', options.probeBackoff_ms ?? DEFAULT_BACKOFF_MS);
    if (options.retries !== undefined) positiveInt('retries', options.retries, 0);
    this.#retries = options.retries;
    this.#readIdentity = options.readIdentity ?? true;
    this.#addressing = options.addressing ?? 'relay';
    if (this.#addressing !== 'relay' && this.#addressing !== 'direct')
      throw new RangeError(`addressing must be relay or direct, got ${String(this.#addressing)}`);
  }

  get status(): PollerStatus {
    return this.#status;
  }

  get topology(): BankTopology | null {
    return this.#topology;
  }

  /** Health of every known pack, in topology order. */
  health(): PackHealth[] {
    return [...this.#packs.values()].map((p) => copyHealth(p.health));
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    // Exclusive work (a settings write, a firmware update) holds the bus: say so while it does.
    this.#unsubscribeExclusive = this.#client.onExclusive((active) => {
      if (!this.#running) return;
      if (active) this.#setStatus('paused', 'Another task holds the bus (writing settings or updating firmware).');
      else if (this.#status.state === 'paused' && this.#pauses === 0) this.#setStatus(this.#topology ? 'polling' : 'discovering', null);
    });
    this.#needDiscovery = true;
    this.#discoveryStep = 0;
    this.#loopDone = this.#loop();
  }

  /** Stop polling; the request in flight is abandoned. Resolves once the loop has ended. */
  async stop(): Promise<void> {
    if (!this.#running) return this.#loopDone;
    this.#running = false;
    this.#abort.abort();
    this.#wake?.();
    this.#releaseGate();
    this.#unsubscribeExclusive?.();
    this.#unsubscribeExclusive = null;
    await this.#loopDone;
    this.#setStatus('idle', null);
  }

  /**
   * Hold the poller for exclusive work: resolves once the exchange in flight (if any) has ended,
   * with a function that resumes polling. Calls nest; polling resumes when all are released.
   */
  async pause(): Promise<() => void> {
    this.#pauses++;
    if (this.#running) this.#setStatus('paused', null);
    while (this.#inFlight) await this.#inFlight.catch(() => undefined);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#pauses--;
      if (this.#pauses > 0) return;
      if (this.#running && this.#status.state === 'paused') this.#setStatus(this.#topology ? 'polling' : 'discovering', null);
      this.#releaseGate();
    };
  }

  /** Poll now instead of waiting out the interval. */
  refresh(): void {
    this.#refreshRequested = true;
    this.#wake?.();
  }

  onUpdate(listener: (u: PackUpdate) => void): Unsubscribe {
    return this.#add(this.#updateListeners, listener);
  }
  onCycle(listener: (c: PollCycle) => void): Unsubscribe {
    return this.#add(this.#cycleListeners, listener);
  }
  onTopology(listener: (t: BankTopology) => void): Unsubscribe {
    return this.#add(this.#topologyListeners, listener);
  }
  onHealth(listener: (h: PackHealth) => void): Unsubscribe {
    return this.#add(this.#healthListeners, listener);
  }
  onIdentity(listener: (i: PackIdentityReport) => void): Unsubscribe {
    return this.#add(this.#identityListeners, listener);
  }
  onStatus(listener: (s: PollerStatus) => void): Unsubscribe {
    return this.#add(this.#statusListeners, listener);
  }

  #add<T>(set: Set<(v: T) => void>, listener: (v: T) => void): Unsubscribe {
    set.add(listener);
    return () => set.delete(listener);
  }

  #emit<T>(set: Set<(v: T) => void>, value: T): void {
    for (const l of [...set]) {
      try {
        l(value);
      } catch (e) {
        // A listener's bug must not stop the polling; surface it where errors are seen.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  #setStatus(state: PollerState, message: string | null): void {
    if (this.#status.state === state && this.#status.message === message) return;
    this.#status = { state, message };
    this.#emit(this.#statusListeners, this.#status);
  }

  // ---- the loop ----

  async #loop(): Promise<void> {
    try {
      while (this.#running) {
        try {
          if (this.#client.transport.status.state !== 'open') {
            this.#linkDown(this.#client.transport.status);
            await this.#waitForLink();
            continue;
          }
          let discovery: Discovery | null = null;
          if (this.#needDiscovery) {
            discovery = await this.#discover();
            if (!discovery) {
              await this.#idle(backoffDelay_ms(this.#backoff, this.#discoveryStep++));
              continue;
            }
            this.#discoveryStep = 0;
            this.#needDiscovery = false;
          }
          await this.#cycle(discovery);
          if (this.#packs.size > 0 && [...this.#packs.values()].every((p) => p.health.state === 'offline')) {
            // Nobody answers: the bank may have been re-cabled or re-addressed. Start over, gently.
            this.#needDiscovery = true;
            await this.#idle(backoffDelay_ms(this.#backoff, this.#discoveryStep++));
            continue;
          }
          await this.#identityStep();
          if (this.#refreshRequested) this.#refreshRequested = false;
          else await this.#idle(this.#interval_ms);
        } catch (e) {
          if (e instanceof Stopped) break;
          if (e instanceof LinkDown) {
            const status = this.#client.transport.status;
            if (status.state !== 'open') {
              this.#linkDown(status);
              continue;
            }
            // The transport failed a write but says it is open: do not hammer it.
            this.#needDiscovery = true;
            this.#setStatus('retrying', e.message);
          } else {
            this.#needDiscovery = true;
            this.#setStatus('retrying', `Polling failed: ${e instanceof Error ? e.message : String(e)}`);
          }
          await this.#idle(backoffDelay_ms(this.#backoff, this.#discoveryStep++));
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** The link went away: every value is old now, and the bank must be found again afterwards. */
  #linkDown(status: TransportStatus): void {
    this.#needDiscovery = true;
    const why = status.message ?? `The link is ${status.state}${status.reason ? ` (${status.reason})` : ''}.`;
    this.#setStatus('waiting-link', why);
    for (const [address, entry] of this.#packs) {
      const h = entry.health;
      const changed = h.state === 'ok' || h.lastError !== why;
      if (h.state === 'ok') h.state = 'stale';
      h.lastError = why;
      if (changed) this.#emitHealthOnly(address, entry);
    }
  }

  #waitForLink(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        unsubscribe();
        this.#wake = null;
        resolve();
      };
      const unsubscribe = this.#client.transport.onStatus((s) => {
        if (s.state === 'open') done();
      });
      this.#wake = () => {
        if (!this.#running) done();
      };
      if (this.#client.transport.status.state === 'open' || !this.#running) done();
    });
  }

  /** Sleep on the clock, cut short by refresh(), stop() or a lost link. */
  #idle(ms: number): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: TimerId | null = null;
      const done = () => {
        if (timer !== null) this.#clock.clearTimeout(timer);
        timer = null;
        unsubscribe();
        this.#wake = null;
        resolve();
      };
      const unsubscribe = this.#client.transport.onStatus((s) => {
        if (s.state !== 'open') done();
      });
      this.#wake = () => {
        this.#refreshRequested = false;
        done();
      };
      timer = this.#clock.setTimeout(done, ms);
    });
  }

  async #gate(): Promise<void> {
    while (this.#pauses > 0 && this.#running) {
      await new Promise<void>((resolve) => this.#gateWaiters.push(resolve));
    }
    if (!this.#running) throw new Stopped();
    if (this.#status.state === 'paused') this.#setStatus(this.#topology ? 'polling' : 'discovering', null);
  }

  #releaseGate(): void {
    const waiters = this.#gateWaiters.splice(0);
    for (const w of waiters) w();
  }

  /** One exchange through the client, respecting pause() and stop(). */
  async #ask<Req, Res>(
    cmd: Command<Req, Res>,
    adr: number,
    req: Req,
    opts: { packCount?: number; retries?: number } = {}
  ): Promise<ExchangeResult<Res>> {
    await this.#gate();
    const p = this.#client.exchange(cmd, adr, req, {
      signal: this.#abort.signal,
      packCount: opts.packCount,
      retries: opts.retries ?? this.#retries
    });
    this.#inFlight = p;
    let result: ExchangeResult<Res>;
    try {
      result = await p;
    } finally {
      this.#inFlight = null;
    }
    if (!result.ok) {
      if (result.error.kind === 'aborted' || !this.#running) throw new Stopped();
      if (result.error.kind === 'transport') throw new LinkDown(result.error.message);
    }
    return result;
  }

  // ---- discovery ----

  async #discover(): Promise<Discovery | null> {
    this.#setStatus('discovering', null);
    const master = this.#masterAddress;
    const analog = new Map<number, PackAnalog>();
    let ver = 0;
    let cid1 = 0;
    const heard = (frame: { ver: number; cid1: number }) => {
      ver ||= frame.ver;
      cid1 ||= frame.cid1;
    };

    // 90H: how many packs the master sees. Pylon-style firmware may not know it (RTN 04 or
    // silence); then the master's own 42H decides whether anyone is there at all.
    const countResult = await this.#ask(readPackCount, master, {}, { retries: PROBE_RETRIES });
    let count: number | null = null;
    let replyAdr = master;
    if (countResult.ok) {
      count = countResult.value.packCount;
      replyAdr = countResult.reply.adr;
      heard(countResult.reply);
    }
    let ownKnown = false;
    const readOwn = async (address: number): Promise<boolean> => {
      const r = await this.#ask(readAnalog, address, { command: address }, { retries: PROBE_RETRIES });
      const pack = r.ok ? r.value.packs[0] : undefined;
      if (!r.ok || !pack || pack.empty) return false;
      analog.set(address, pack);
      heard(r.reply);
      return true;
    };
    if (!countResult.ok) {
      ownKnown = await readOwn(master);
      if (!ownKnown) {
        this.#setStatus('retrying', `No pack answered at address ${master}: ${countResult.error.message}`);
        return null;
      }
    }

    // A stand-alone pack (it reports address 0) or a bank of one.
    if (replyAdr === 0 || count === 1 || this.#maxPacks === 1) {
      const address = replyAdr;
      if (!analog.has(address) && !(await readOwn(address)) && !countResult.ok) {
        this.#setStatus('retrying', `Discovery failed: the pack at address ${address} did not answer 42H.`);
        return null;
      }
      return this.#adopt({ masterAddress: address, addresses: [address], broadcast: false, ver, cid1 }, analog, null);
    }

    if (this.#mode !== 'relay') {
      const r = await this.#ask(readAnalog, master, { command: ALL_PACKS }, { packCount: count ?? this.#maxPacks, retries: PROBE_RETRIES });
      const packs = r.ok ? r.value.packs.length : 0;
      if (r.ok && packs > 1) {
        heard(r.reply);
        const n = Math.min(packs, this.#maxPacks);
        // Broadcast blocks carry no address; they come in address order from the master up
        // (reference §5.5, UNCERTAIN for banks with gaps in their DIP addresses).
        const addresses = Array.from({ length: n }, (_, i) => master + i);
        return this.#adopt({ masterAddress: master, addresses, broadcast: true, ver, cid1 }, analog, r.value);
      }
      if (this.#mode === 'broadcast') {
        const why = r.ok ? `the broadcast (42H FF) returned ${packs} pack` : r.error.message;
        this.#setStatus('retrying', `Discovery failed in broadcast mode: ${why}`);
        return null;
      }
    }

    // Relay: the master first, then every other address until the count is found. When the count
    // is unknown every address is asked once; a missing one costs a single deadline.
    if (!ownKnown) ownKnown = await readOwn(master);
    const addresses: number[] = ownKnown || countResult.ok ? [master] : [];
    for (let a = 1; a <= this.#maxPacks && (count === null || addresses.length < count); a++) {
      if (a === master) continue;
      const r = await this.#ask(readAnalog, this.#relayAdr(master, a), { command: a }, { retries: count === null ? 0 : PROBE_RETRIES });
      const pack = r.ok ? r.value.packs[0] : undefined;
      if (!r.ok || !pack || pack.empty) continue;
      analog.set(a, pack);
      addresses.push(a);
      heard(r.reply);
    }
    if (addresses.length === 0) {
      this.#setStatus('retrying', 'Discovery failed: no pack answered 42H on any address.');
      return null;
    }
    return this.#adopt({ masterAddress: master, addresses, broadcast: false, ver, cid1 }, analog, null);
  }

  /** The ADR a relay request for `address` goes to. */
  #relayAdr(master: number, address: number): number {
    return this.#addressing === 'direct' ? address : master;
  }

  #adopt(
    t: { masterAddress: number; addresses: number[]; broadcast: boolean; ver: number; cid1: number },
    analog: Map<number, PackAnalog>,
    broadcastAnalog: AnalogReply | null
  ): Discovery {
    const topology: BankTopology = {
      masterAddress: t.masterAddress,
      addresses: t.addresses,
      broadcast: t.broadcast,
      profile: this.#client.decodeOptions.profile,
      ver: t.ver,
      cid1: t.cid1
    };
    // Keep the history of packs that are still there; forget the ones that are not.
    for (const address of [...this.#packs.keys()]) if (!t.addresses.includes(address)) this.#packs.delete(address);
    const known = new Map(this.#packs);
    this.#packs.clear();
    for (const address of t.addresses) {
      const entry = known.get(address) ?? {
        health: {
          address,
          state: 'stale',
          lastGood_ms: null,
          noReplyCount: 0,
          badReplyCount: 0,
          consecutiveFailures: 0,
          nextProbe_ms: null,
          lastError: null
        },
        probeStep: 0,
        identityRead: false
      };
      if (t.broadcast) entry.health.nextProbe_ms = null;
      this.#packs.set(address, entry);
    }
    this.#topology = topology;
    this.#emit(this.#topologyListeners, topology);
    this.#setStatus('polling', null);
    return { topology, analog, broadcastAnalog };
  }

  // ---- one cycle ----

  async #cycle(discovery: Discovery | null): Promise<void> {
    const topology = this.#topology;
    if (!topology) return;
    const started_ms = this.#clock.now();
    this.#cycleFailed = new Set();
    const polled = new Set<number>();
    if (topology.broadcast) {
      await this.#broadcastCycle(topology, discovery?.broadcastAnalog ?? null, polled);
    } else {
      await this.#relayCycle(topology, discovery?.analog ?? new Map(), polled);
    }
    const answered = topology.addresses.filter((a) => polled.has(a) && !this.#cycleFailed.has(a));
    const missed = topology.addresses.filter((a) => !answered.includes(a));
    this.#emit(this.#cycleListeners, { started_ms, ended_ms: this.#clock.now(), answered, missed });
  }

  async #broadcastCycle(topology: BankTopology, prefetched: AnalogReply | null, polled: Set<number>): Promise<void> {
    const n = topology.addresses.length;
    for (const a of topology.addresses) polled.add(a);
    const a = prefetched ? null : await this.#ask(readAnalog, topology.masterAddress, { command: ALL_PACKS }, { packCount: n });
    const analog = prefetched ?? (a?.ok ? a.value : null);
    if (analog)
      this.#spreadBroadcast(
        topology,
        analog.packs,
        a?.report ?? null,
        (address, pack) => ({ analog: pack }),
        (p) => p.empty
      );
    else if (a && !a.ok) for (const address of topology.addresses) this.#fail(address, a.error, a.report);

    const s = await this.#ask(readStatus, topology.masterAddress, { command: ALL_PACKS }, { packCount: n });
    if (s.ok)
      this.#spreadBroadcast(
        topology,
        s.value.packs,
        s.report,
        (address, pack) => ({ status: pack }),
        (p) => p.empty
      );
    else for (const address of topology.addresses) this.#fail(address, s.error, s.report);
  }

  #spreadBroadcast<P>(
    topology: BankTopology,
    packs: P[],
    report: ExchangeReport | null,
    values: (address: number, pack: P) => { analog?: PackAnalog; status?: PackStatus },
    isEmpty: (p: P) => boolean
  ): void {
    if (packs.length !== topology.addresses.length) this.#needDiscovery = true;
    topology.addresses.forEach((address, i) => {
      const pack = packs[i];
      if (report && report.badFrames > 0) this.#packs.get(address)!.health.badReplyCount += report.badFrames;
      if (pack === undefined) this.#fail(address, `The broadcast reply had ${packs.length} packs; this pack was not in it.`, null);
      else if (isEmpty(pack)) this.#fail(address, 'The master reports this pack offline (an all-zero block in the broadcast).', null);
      else this.#succeed(address, values(address, pack), null);
    });
  }

  async #relayCycle(topology: BankTopology, prefetched: Map<number, PackAnalog>, polled: Set<number>): Promise<void> {
    for (const address of topology.addresses) {
      const entry = this.#packs.get(address);
      if (!entry) continue;
      const h = entry.health;
      if (h.state === 'offline' && h.nextProbe_ms !== null && this.#clock.now() < h.nextProbe_ms) continue;
      polled.add(address);
      const cached = prefetched.get(address);
      if (cached) {
        this.#succeed(address, { analog: cached }, null);
      } else {
        const a = await this.#ask(readAnalog, this.#relayAdr(topology.masterAddress, address), { command: address });
        const pack = a.ok ? a.value.packs[0] : undefined;
        if (a.ok && pack && !pack.empty) this.#succeed(address, { analog: pack }, a.report);
        else {
          this.#fail(address, a.ok ? 'The reply held no values for this pack.' : a.error, a.report);
        }
        // A pack that did not answer 42H will not answer 44H either: do not spend a second deadline
        // on it, and an offline pack's probe is one request.
        if (!a.ok && (a.error.kind === 'timeout' || a.error.kind === 'echo' || entry.health.state === 'offline')) continue;
      }
      const s = await this.#ask(readStatus, this.#relayAdr(topology.masterAddress, address), { command: address });
      const status = s.ok ? s.value.packs[0] : undefined;
      if (s.ok && status && !status.empty) this.#succeed(address, { status }, s.report);
      else this.#fail(address, s.ok ? 'The reply held no status for this pack.' : s.error, s.report);
    }
  }

  // ---- health ----

  #succeed(address: number, values: { analog?: PackAnalog; status?: PackStatus }, report: ExchangeReport | null): void {
    const entry = this.#packs.get(address);
    if (!entry) return;
    const h = entry.health;
    const now = this.#clock.now();
    if (report) h.badReplyCount += report.badFrames;
    // A pack that failed earlier in this cycle stays stale until a whole poll goes through.
    if (!this.#cycleFailed.has(address)) {
      h.state = 'ok';
      h.consecutiveFailures = 0;
      h.lastGood_ms = now;
      h.nextProbe_ms = null;
      h.lastError = null;
      entry.probeStep = 0;
    }
    const update: PackUpdate = { address, received_ms: now, health: copyHealth(h) };
    if (values.analog) update.analog = values.analog;
    if (values.status) update.status = values.status;
    this.#emit(this.#updateListeners, update);
    this.#emit(this.#healthListeners, copyHealth(h));
  }

  #fail(address: number, error: ProtocolError | string, report: ExchangeReport | null): void {
    const entry = this.#packs.get(address);
    if (!entry) return;
    const h = entry.health;
    const now = this.#clock.now();
    const message = typeof error === 'string' ? error : error.message;
    const kind = typeof error === 'string' ? 'timeout' : error.kind;
    if (report) h.badReplyCount += report.badFrames;
    if (kind === 'decode' || (kind === 'checksum' && !report)) h.badReplyCount++;
    if (kind === 'timeout' || kind === 'echo' || kind === 'rtn' || kind === 'unsupported') h.noReplyCount++;
    const wasOffline = h.state === 'offline';
    if (!this.#cycleFailed.has(address)) {
      this.#cycleFailed.add(address);
      h.consecutiveFailures++;
    }
    if (h.consecutiveFailures >= this.#offlineAfter) h.state = 'offline';
    else if (h.consecutiveFailures >= this.#staleAfter) h.state = 'stale';
    h.lastError = message;
    if (h.state === 'offline' && this.#topology && !this.#topology.broadcast) {
      // Entering offline, or a re-probe that failed: wait longer before the next try.
      if (!wasOffline) entry.probeStep = 0;
      if (!wasOffline || h.nextProbe_ms === null || now >= h.nextProbe_ms) {
        h.nextProbe_ms = now + backoffDelay_ms(this.#backoff, entry.probeStep);
        entry.probeStep++;
      }
    } else {
      h.nextProbe_ms = null;
    }
    this.#emitHealthOnly(address, entry);
  }

  /** An update with health only: the pack's old values must never travel as if fresh. */
  #emitHealthOnly(address: number, entry: PackEntry): void {
    const health = copyHealth(entry.health);
    this.#emit(this.#updateListeners, { address, received_ms: this.#clock.now(), health });
    this.#emit(this.#healthListeners, copyHealth(entry.health));
  }

  // ---- identity ----

  /** C1H/C2H for one pack that has not been asked yet; tolerated when unsupported. */
  async #identityStep(): Promise<void> {
    if (!this.#readIdentity) return;
    const next = [...this.#packs.entries()].find(([, e]) => !e.identityRead && e.health.state === 'ok');
    if (!next) return;
    const [address, entry] = next;
    entry.identityRead = true;
    const report: PackIdentityReport = { address, softwareVersion: null, bluetoothName: null, bmsSerial: null, packSerial: null };
    // These commands reach only the pack on the cable; a reply from another address is not this pack's.
    const v = await this.#ask(readSoftwareVersion, address, {}, { retries: PROBE_RETRIES });
    if (v.ok && v.reply.adr === address) {
      report.softwareVersion = v.value.version;
      report.bluetoothName = v.value.bluetoothName ?? null;
    }
    const p = await this.#ask(readProductInfo, address, {}, { retries: PROBE_RETRIES });
    if (p.ok && p.reply.adr === address) {
      report.bmsSerial = p.value.bmsSerial;
      report.packSerial = p.value.packSerial ?? null;
    }
    this.#emit(this.#identityListeners, report);
  }
}

// The bus poller: finds out who is on the bus (discovery.ts), then reads 42H and 44H for every
// pack over and over, streaming each pack's values as they arrive. It speaks only through the
// client, so it shares the bus fairly with everything else and yields to exclusive work. How
// trustworthy each pack's values are is pack-health.ts: stale at the first attempt that gets no
// reply, offline after a few missed polls (then re-probed with back-off), and live only while
// younger than one refresh interval plus one reply deadline.

import type { BankTopology, PackHealth, PackIdentityReport, PackUpdate, PollCycle, PollerState, PollerStatus } from './bank-types';
import { backoffDelay_ms, checkSchedule } from './backoff';
import type { AttemptFailure, ExchangeResult, PaceClient } from './client';
import type { Command } from './command';
import { learnedUnits } from './commands/units';
import { DIALECT_HEADERS } from './detect';
import { discoverBank, readIdentity, type Addressing, type FoundBank, type GroupQuery, type PollMode } from './discovery';
import type { ProtocolError } from './errors';
import { frameWireLength } from './frame';
import * as health from './pack-health';
import { broadcastCycle, estimatedCycle_ms, relayCycle, type CycleHost, type PackValues } from './poll-cycle';
import { PollGate, Stopped } from './poll-gate';
import type { PackAnalog } from './types';
import type { Clock } from '../time/clock';
import { Listeners } from '../transport/link-events';
import type { TransportStatus, Unsubscribe } from '../transport/types';

export type { PackIdentityReport, PollerState, PollerStatus } from './bank-types';
export type { Addressing, GroupQuery, PollMode } from './discovery';

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
  /** How per-pack (non-broadcast) requests are addressed (discovery.ts). Default 'relay'. */
  addressing?: Addressing;
  /** Retries per poll request. Default: the client's. */
  retries?: number;
  /** Read C1H/C2H once per pack (one pack per cycle, after the poll). Default true. */
  readIdentity?: boolean;
  /** What COMMAND FF to the master answers (discovery.ts GroupQuery). Default: the client's profile's (detect.ts DIALECT_HEADERS). */
  groupQuery?: GroupQuery;
}

class LinkDown extends Error {}

const DEFAULT_BACKOFF_MS = [2000, 5000, 15000, 30000];

export class BankPoller {
  readonly #client: PaceClient;
  readonly #clock: Clock;
  readonly #masterAddress: number;
  readonly #interval_ms: number;
  readonly #mode: PollMode;
  readonly #maxPacks: number;
  readonly #rules: health.HealthRules;
  readonly #retries: number | undefined;
  readonly #readIdentity: boolean;
  readonly #addressing: Addressing;
  readonly #groupQuery: GroupQuery | undefined;

  readonly #gate: PollGate;
  readonly #cycleHost: CycleHost;
  #loopDone: Promise<void> = Promise.resolve();
  #abort = new AbortController();
  #status: PollerStatus = { state: 'idle', message: null };
  #topology: BankTopology | null = null;
  readonly #packs = new Map<number, health.PackHealthState>();
  readonly #identityRead = new Set<number>();
  /** Packs that refused 44H with RTN 04 (or every pack, when the broadcast 44H was refused). */
  readonly #noStatus = new Set<number>();
  #needDiscovery = true;
  #discoveryStep = 0;
  #inFlight: Promise<unknown> | null = null;
  #unsubscribeExclusive: Unsubscribe | null = null;

  // The refresh interval: start-to-start time of the last two cycles, minus time held by pause()
  // or exclusive work (a firmware update must not make the next values count as live for minutes).
  #lastCycleStart_ms: number | null = null;
  #heldAtLastStart_ms = 0;
  // Time spent on an identity read between two cycles: it delays every other pack's next poll once,
  // so it extends their values' life when it happens (pack-health.ts heldUp) and is not counted
  // as cycle length (the next gap between cycles may have none).
  #delayed_ms = 0;
  #delayedAtLastStart_ms = 0;
  #refreshInterval_ms: number | null = null;

  // A listener that throws does not stop the polling; its error surfaces where errors are seen.
  readonly #updates = new Listeners<PackUpdate>();
  readonly #cycles = new Listeners<PollCycle>();
  readonly #topologies = new Listeners<BankTopology>();
  readonly #healths = new Listeners<PackHealth>();
  readonly #identities = new Listeners<PackIdentityReport>();
  readonly #statuses = new Listeners<PollerStatus>();

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
    this.#maxPacks = options.maxPacks ?? 16;
    if (!Number.isInteger(this.#maxPacks) || this.#maxPacks < 1 || this.#maxPacks > 32)
      throw new RangeError(`maxPacks must be an integer in 1..32, got ${this.#maxPacks}`);
    this.#rules = health.checkRules({
      staleAfterMisses: options.staleAfterMisses ?? 1,
      offlineAfterMisses: options.offlineAfterMisses ?? 3,
      probeBackoff_ms: checkSchedule('probeBackoff_ms', options.probeBackoff_ms ?? DEFAULT_BACKOFF_MS)
    });
    if (options.retries !== undefined && (!Number.isInteger(options.retries) || options.retries < 0))
      throw new RangeError(`retries must be an integer >= 0, got ${options.retries}`);
    this.#retries = options.retries;
    this.#readIdentity = options.readIdentity ?? true;
    this.#addressing = options.addressing ?? 'relay';
    if (options.groupQuery !== undefined && !['bank', 'pylon-group', 'none'].includes(options.groupQuery))
      throw new RangeError(`groupQuery must be bank, pylon-group or none, got ${String(options.groupQuery)}`);
    this.#groupQuery = options.groupQuery;
    if (this.#addressing !== 'relay' && this.#addressing !== 'direct')
      throw new RangeError(`addressing must be relay or direct, got ${String(this.#addressing)}`);
    this.#gate = new PollGate(this.#clock, client.transport);
    this.#cycleHost = {
      ask: (cmd, adr, req, opts) => this.#ask(cmd, adr, req, opts),
      succeed: (address, values, badFrames, deadline_ms) => this.#succeed(address, values, badFrames, deadline_ms),
      fail: (address, error, badFrames) => this.#fail(address, error, badFrames),
      deadlineOf: (cmd, command, packCount) => this.#deadlineOf(cmd, command, packCount),
      health: (address) => this.#packs.get(address),
      skip: (address) => {
        const s = this.#packs.get(address);
        return s !== undefined && health.skipUntilProbe(s, this.#clock.now());
      },
      noStatus: this.#noStatus,
      addressing: this.#addressing,
      rediscover: () => {
        this.#needDiscovery = true;
      }
    };
  }

  get status(): PollerStatus {
    return this.#status;
  }

  get topology(): BankTopology | null {
    return this.#topology;
  }

  /** Health of every known pack, in topology order. */
  health(): PackHealth[] {
    return [...this.#packs.values()].map((p) => ({ ...p.health }));
  }

  get running(): boolean {
    return this.#gate.running;
  }

  /** Expected time (ms) from one refresh of a pack to the next (PollCycle.refreshInterval_ms). */
  get refreshInterval_ms(): number {
    return this.#refreshInterval_ms ?? (this.#topology ? estimatedCycle_ms(this.#topology, this.#cycleHost) : 0) + this.#interval_ms;
  }

  start(): void {
    if (this.#gate.running) return;
    this.#gate.start();
    this.#abort = new AbortController();
    // Exclusive work (a settings write, a firmware update) holds the bus: say so while it does.
    this.#unsubscribeExclusive = this.#client.onExclusive((active) => {
      if (!this.#gate.running) return;
      this.#gate.hold(active);
      if (active) this.#setStatus('paused', 'Another task holds the bus (writing settings or updating firmware).');
      else if (this.#status.state === 'paused' && !this.#gate.paused) this.#setStatus(this.#topology ? 'polling' : 'discovering', null);
    });
    this.#needDiscovery = true;
    this.#discoveryStep = 0;
    this.#loopDone = this.#loop();
  }

  /** Stop polling; the request in flight is abandoned. Resolves once the loop has ended. */
  async stop(): Promise<void> {
    if (!this.#gate.running) return this.#loopDone;
    this.#gate.stop();
    this.#abort.abort();
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
    const release = this.#gate.pause();
    if (this.#gate.running) this.#setStatus('paused', null);
    while (this.#inFlight) await this.#inFlight.catch(() => undefined);
    return () => {
      release();
      if (!this.#gate.paused && this.#gate.running && this.#status.state === 'paused' && !this.#client.exclusiveActive)
        this.#setStatus(this.#topology ? 'polling' : 'discovering', null);
    };
  }

  /** Poll now instead of waiting out the interval. */
  refresh(): void {
    this.#gate.refresh();
  }

  onUpdate(listener: (u: PackUpdate) => void): Unsubscribe {
    return this.#updates.add(listener);
  }
  onCycle(listener: (c: PollCycle) => void): Unsubscribe {
    return this.#cycles.add(listener);
  }
  onTopology(listener: (t: BankTopology) => void): Unsubscribe {
    return this.#topologies.add(listener);
  }
  onHealth(listener: (h: PackHealth) => void): Unsubscribe {
    return this.#healths.add(listener);
  }
  onIdentity(listener: (i: PackIdentityReport) => void): Unsubscribe {
    return this.#identities.add(listener);
  }
  onStatus(listener: (s: PollerStatus) => void): Unsubscribe {
    return this.#statuses.add(listener);
  }

  #setStatus(state: PollerState, message: string | null): void {
    if (this.#status.state === state && this.#status.message === message) return;
    this.#status = { state, message };
    this.#statuses.emit(this.#status);
  }

  // ---- the loop ----

  async #loop(): Promise<void> {
    try {
      while (this.#gate.running) {
        try {
          if (this.#client.transport.status.state !== 'open') {
            this.#linkDown(this.#client.transport.status);
            await this.#gate.waitForLink();
            continue;
          }
          let found: FoundBank | null = null;
          if (this.#needDiscovery) {
            found = await this.#discover();
            if (!found) {
              await this.#gate.idle(backoffDelay_ms(this.#rules.probeBackoff_ms, this.#discoveryStep++));
              continue;
            }
            this.#discoveryStep = 0;
            this.#needDiscovery = false;
          }
          await this.#cycle(found);
          if (this.#packs.size > 0 && [...this.#packs.values()].every((p) => p.health.state === 'offline')) {
            // Nobody answers: the bank may have been re-cabled or re-addressed. Start over, gently.
            this.#needDiscovery = true;
            await this.#gate.idle(backoffDelay_ms(this.#rules.probeBackoff_ms, this.#discoveryStep++));
            continue;
          }
          await this.#identityStep();
          await this.#gate.betweenCycles(this.#interval_ms);
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
          await this.#gate.idle(backoffDelay_ms(this.#rules.probeBackoff_ms, this.#discoveryStep++));
        }
      }
    } finally {
      this.#gate.stop();
    }
  }

  /** The link went away: every value is old now, and the bank must be found again afterwards. */
  #linkDown(status: TransportStatus): void {
    this.#needDiscovery = true;
    this.#lastCycleStart_ms = null;
    const why = status.message ?? `The link is ${status.state}${status.reason ? ` (${status.reason})` : ''}.`;
    this.#setStatus('waiting-link', why);
    for (const address of this.#packs.keys()) this.#transition(address, (s) => health.linkDown(s, why));
  }

  /**
   * One exchange through the client, respecting pause() and stop(). `covers`: the packs whose
   * values this exchange refreshes; its first attempt that gets no reply makes them stale at once.
   */
  async #ask<Req, Res>(
    cmd: Command<Req, Res>,
    adr: number,
    req: Req,
    opts: { packCount?: number; retries?: number; covers?: readonly number[] } = {}
  ): Promise<ExchangeResult<Res>> {
    await this.#gate.pass();
    if (this.#status.state === 'paused' && !this.#client.exclusiveActive) this.#setStatus(this.#topology ? 'polling' : 'discovering', null);
    const covers = opts.covers ?? [];
    const p = this.#client.exchange(cmd, adr, req, {
      signal: this.#abort.signal,
      packCount: opts.packCount,
      retries: opts.retries ?? this.#retries,
      onAttemptFailed: covers.length ? (f) => this.#attemptFailed(covers, f) : undefined
    });
    this.#inFlight = p;
    let result: ExchangeResult<Res>;
    try {
      result = await p;
    } finally {
      this.#inFlight = null;
    }
    if (!result.ok) {
      if (result.error.kind === 'aborted' || !this.#gate.running) throw new Stopped();
      if (result.error.kind === 'transport') throw new LinkDown(result.error.message);
    }
    return result;
  }

  /** Exchanges with `asked` cost `lost_ms` that no cycle plans for: every other pack's next poll comes that much later. */
  #delay(asked: readonly number[], lost_ms: number): void {
    if (!(lost_ms > 0)) return;
    this.#delayed_ms += lost_ms;
    const now = this.#clock.now();
    for (const address of this.#packs.keys()) if (!asked.includes(address)) this.#transition(address, (s) => health.heldUp(s, now, lost_ms));
  }

  #attemptFailed(covers: readonly number[], f: AttemptFailure): void {
    if (f.kind !== 'timeout' && f.kind !== 'echo') return;
    const why = f.willRetry ? `${f.message} Asking again.` : f.message;
    for (const address of covers) this.#transition(address, (s) => health.attemptFailed(s, why));
  }

  // ---- discovery ----

  async #discover(): Promise<FoundBank | null> {
    this.#setStatus('discovering', null);
    const outcome = await discoverBank((cmd, adr, req, opts) => this.#ask(cmd, adr, req, opts), {
      masterAddress: this.#masterAddress,
      mode: this.#mode,
      maxPacks: this.#maxPacks,
      addressing: this.#addressing,
      groupQuery: this.#groupQuery ?? DIALECT_HEADERS[this.#client.decodeOptions.profile].groupQuery
    });
    if (!outcome.ok) {
      this.#setStatus('retrying', outcome.message);
      return null;
    }
    const bank = outcome.bank;
    const topology: BankTopology = {
      masterAddress: bank.masterAddress,
      addresses: bank.addresses,
      broadcast: bank.broadcast,
      profile: this.#client.decodeOptions.profile,
      ver: bank.ver,
      cid1: bank.cid1,
      ...(bank.pylonGroup !== null ? { pylonGroup: bank.pylonGroup } : {})
    };
    // Keep the history of packs that are still there; forget the ones that are not.
    const known = new Map(this.#packs);
    this.#packs.clear();
    for (const address of bank.addresses) {
      const s = known.get(address) ?? health.initialHealth(address);
      this.#packs.set(address, bank.broadcast ? health.clearProbe(s) : s);
    }
    for (const a of [...this.#identityRead]) if (!bank.addresses.includes(a)) this.#identityRead.delete(a);
    // Whether a pack knows 44H is asked again on a new topology.
    this.#noStatus.clear();
    this.#lastCycleStart_ms = null;
    this.#refreshInterval_ms = null;
    this.#topology = topology;
    this.#topologies.emit(topology);
    this.#setStatus('polling', null);
    return bank;
  }

  /** The deadline the client derives for a 42H/44H exchange of this bank. */
  #deadlineOf(cmd: Command<{ command: number }, unknown>, command: number, packCount: number): number {
    const req = { command };
    return this.#client.deadlineFor(frameWireLength(cmd.encodeRequest(req).length), cmd.expectedReplyBytes(req, packCount));
  }

  // ---- one cycle ----

  async #cycle(found: FoundBank | null): Promise<void> {
    const topology = this.#topology;
    if (!topology) return;
    const started_ms = this.#clock.now();
    const held_ms = this.#gate.held_ms;
    if (this.#lastCycleStart_ms !== null) {
      this.#refreshInterval_ms =
        started_ms - this.#lastCycleStart_ms - (held_ms - this.#heldAtLastStart_ms) - (this.#delayed_ms - this.#delayedAtLastStart_ms);
    }
    this.#delayedAtLastStart_ms = this.#delayed_ms;
    // The first cycle after discovery uses the values discovery already read: shorter than any
    // other, it is no measure of the next (the estimate stays until a whole cycle was timed).
    this.#lastCycleStart_ms = found ? null : started_ms;
    this.#heldAtLastStart_ms = held_ms;
    for (const [address, s] of this.#packs) this.#packs.set(address, health.startCycle(s));

    const polled = topology.broadcast
      ? await broadcastCycle(this.#cycleHost, topology, found?.broadcastAnalog ?? null)
      : await relayCycle(this.#cycleHost, topology, found?.analog ?? new Map());
    const answered = topology.addresses.filter((a) => polled.has(a) && !this.#packs.get(a)?.failedThisCycle);
    const missed = topology.addresses.filter((a) => !answered.includes(a));
    this.#cycles.emit({ started_ms, ended_ms: this.#clock.now(), answered, missed, refreshInterval_ms: this.refreshInterval_ms });
  }

  // ---- health ----

  #transition(address: number, step: (s: health.PackHealthState) => health.PackHealthState): void {
    const s = this.#packs.get(address);
    if (!s) return;
    const next = step(s);
    if (next === s) return;
    this.#packs.set(address, next);
    if (next.health !== s.health) this.#emitHealthOnly(address, next.health);
  }

  /** `analogDeadline_ms`: the deadline of the exchange that refreshes this pack's analog values. */
  #succeed(address: number, values: PackValues, badFrames: number, analogDeadline_ms: number | null): void {
    const s = this.#packs.get(address);
    if (!s) return;
    const now = this.#clock.now();
    const freshFor = values.analog && analogDeadline_ms !== null ? health.freshFor_ms(this.refreshInterval_ms, analogDeadline_ms) : null;
    const next = health.succeeded(s, now, freshFor, badFrames);
    this.#packs.set(address, next);
    if (values.analog) this.#learnUnits(values.analog);
    const update: PackUpdate = { address, received_ms: now, health: next.health, ...values };
    this.#updates.emit(update);
    this.#healths.emit(next.health);
  }

  /**
   * A unit the decoder can only tell at high current (commands/units.ts learnedUnits: a Pylontech
   * current sent in 10 mA) is kept for the bank's next replies, so the current does not jump by
   * ten when it drops below the test. The decoder says so in each block's unitNotes.
   */
  #learnUnits(analog: PackAnalog): void {
    const learned = learnedUnits([analog]);
    const options = this.#client.decodeOptions;
    if (learned.current === undefined || options.unitOverrides?.current !== undefined) return;
    this.#client.decodeOptions = { ...options, unitOverrides: { ...options.unitOverrides, ...learned } };
  }

  #fail(address: number, error: ProtocolError | string, badFrames: number): void {
    const failure = typeof error === 'string' ? { kind: 'timeout', message: error } : { kind: error.kind, message: error.message };
    const backoff = this.#topology !== null && !this.#topology.broadcast;
    const s = this.#packs.get(address);
    if (!s) return;
    const next = health.failed(s, this.#clock.now(), { ...failure, badFrames }, this.#rules, backoff);
    this.#packs.set(address, next);
    this.#emitHealthOnly(address, next.health);
  }

  /** An update with health only: the pack's old values must never travel as if fresh. */
  #emitHealthOnly(address: number, h: PackHealth): void {
    this.#updates.emit({ address, received_ms: this.#clock.now(), health: h });
    this.#healths.emit(h);
  }

  // ---- identity ----

  /** C1H/C2H for one pack that has not been asked yet (one per cycle); tolerated when unsupported. */
  async #identityStep(): Promise<void> {
    if (!this.#readIdentity) return;
    const address = [...this.#packs.keys()].find((a) => !this.#identityRead.has(a) && this.#packs.get(a)?.health.state === 'ok');
    if (address === undefined) return;
    this.#identityRead.add(address);
    const started_ms = this.#clock.now();
    const held_ms = this.#gate.held_ms;
    const report = await readIdentity((cmd, adr, req, opts) => this.#ask(cmd, adr, req, opts), address);
    // The bank answered: this read between two cycles delays every other pack's next poll. (When
    // it did not, the line may be silent altogether: nobody's values are extended.) Time the
    // poller was held meanwhile (exclusive work) extends nothing: held time never counts.
    const spent_ms = this.#clock.now() - started_ms - (this.#gate.held_ms - held_ms);
    if (report.softwareVersion !== null || report.bmsSerial !== null) this.#delay([address], spent_ms);
    this.#identities.emit(report);
  }
}

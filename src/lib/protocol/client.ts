// The request/response client: the one owner of the bus (design.md "One request in flight on the
// bus at a time, owned by the client"). Everything that talks to packs asks it. It turns a command
// into a request, waits its turn (bus-queue.ts), keeps the half-duplex line quiet between
// exchanges, sends and reads one attempt at a time (exchange-attempt.ts), judges the reply,
// retries, logs (traffic-log.ts), and refuses writes its guard does not allow (write-guard.ts).

import type { Command } from './command';
import { BusQueue, type RequestPriority } from './bus-queue';
import { ProtocolError } from './errors';
import { classifyIncoming } from './reply-check';
import { ExchangeAttempt, type AttemptCounters, type AttemptOutcome, type LineState } from './exchange-attempt';
import {
  checkByte,
  checkNonNegative,
  checkRetries,
  commandSpec,
  rawSpec,
  runExchange,
  valueOf,
  type CallOptions,
  type ExchangeHost,
  type ExchangeReport,
  type ExchangeResult,
  type ExchangeSpec,
  type RawOptions,
  type SpecDefaults
} from './exchange';
import { FrameReader, type Frame } from './frame';
import { hardCap_ms, idleGap_ms, replyDeadline_ms, wireTime_ms, type DeadlinePolicy } from './timing';
import { TrafficLog, type TrafficEntry } from './traffic-log';
import { CID1_LFP, DEFAULT_DECODE_OPTIONS, VER_PACE, type DecodeOptions } from './types';
import type { WriteAttempt, WriteGuard } from './write-guard';
import { realClock, sleep, type Clock } from '../time/clock';
import type { LinkTiming, Transport, TransportStatus, Unsubscribe } from '../transport/types';

export type { RequestPriority } from './bus-queue';
export type { AttemptFailure, CallOptions, ExchangeReport, ExchangeResult, RawOptions } from './exchange';
export type { TrafficEntry } from './traffic-log';
export type { WriteAttempt, WriteGuard } from './write-guard';

export interface PaceClientOptions {
  /** Time source. Default realClock. */
  clock?: Clock;
  /** VER byte of requests. Default 0x25 (PACE). */
  ver?: number;
  /** CID1 of requests. Default 0x46 (LiFePO4). */
  cid1?: number;
  /** Extra attempts after the first for call(). Default 2. */
  retries?: number;
  /** Allowance for the pack's reply delay (ms). Default 50. */
  turnaround_ms?: number;
  /**
   * Shortest time between the starts of two requests (ms). Default 50: nkinnan's request throttle,
   * which keeps PACE firmware from locking up under back-to-back requests.
   */
  minGap_ms?: number;
  /**
   * Silence on the line before a request may go out (ms), so we never talk over a reply that is
   * still arriving on the half-duplex bus. Default: 3 character times plus the link's latency, at
   * least 8 ms.
   */
  quietGap_ms?: number;
  /** Multiplier on the expected exchange time. Default 1.5. */
  safetyFactor?: number;
  /** Shortest deadline (ms). Default 250. */
  deadlineFloor_ms?: number;
  /** Shortest silence that ends a reply that had started (ms). Default 50. */
  idleGap_ms?: number;
  /** Decoder settings for the uncertain fields. Default DEFAULT_DECODE_OPTIONS. */
  decodeOptions?: DecodeOptions;
  /** What the frame reader does with a bad LCHKSUM. Default 'reject'. */
  lengthChecksum?: 'reject' | 'warn';
  /** Traffic entries kept for recentTraffic(). Default 500. */
  trafficCapacity?: number;
}

export interface ClientStats {
  /** Requests put on the wire, retries included. */
  requests: number;
  /** Attempts that got no complete reply before their deadline. */
  timeouts: number;
  /** Frames that failed checksum / length / format checks. */
  badFrames: number;
  /** Adapter echoes skipped. */
  echoes: number;
  /** Attempts beyond the first. */
  retries: number;
}

/**
 * The same counts for exchanges made while exclusive() work held the bus (a firmware transfer, a
 * write and its read-back). Kept apart: a pack rebooting into its bootloader misses replies on
 * purpose, and the work reports its own failures, so they say nothing about the link's health.
 */
export type LeaseStats = Omit<ClientStats, 'retries'>;

/** The bus, held by exclusive(): requests made through it skip the queue. Writes still meet the guard. */
export interface BusLease {
  call<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts?: CallOptions): Promise<Res>;
  exchange<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts?: CallOptions): Promise<ExchangeResult<Res>>;
  raw(frame: Frame | Uint8Array, opts?: RawOptions): Promise<Frame>;
  /** Unframed bytes (bootloader transfers). Logged as TX. */
  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** Every received chunk while the lease is held. */
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
}

const DEFAULTS = { retries: 2, turnaround_ms: 50, minGap_ms: 50, safetyFactor: 1.5, deadlineFloor_ms: 250, idleGap_ms: 50, trafficCapacity: 500 };

const DEFAULT_QUIET_MIN_MS = 8;
/**
 * Longest we wait for a quiet line before sending anyway (ms). A master pack polling its slaves
 * pauses every few hundred ms; a line that never pauses is noise, and waiting longer cannot help.
 */
const QUIET_WAIT_CAP_MS = 2000;

export class PaceClient {
  readonly #transport: Transport;
  readonly #clock: Clock;
  readonly #ver: number;
  readonly #cid1: number;
  readonly #retries: number;
  readonly #policy: DeadlinePolicy;
  readonly #minGap_ms: number;
  readonly #quietGap_ms: number | null;
  readonly #idleMin_ms: number;
  readonly #reader: FrameReader;
  readonly #bus = new BusQueue();
  readonly #log: TrafficLog;
  readonly #line: LineState = { lastRx_ms: -Infinity, lineFreeAt_ms: -Infinity, lastTxStart_ms: -Infinity };
  readonly #totals: AttemptCounters = { requests: 0, timeouts: 0, badFrames: 0, echoes: 0 };
  readonly #leaseTotals: AttemptCounters = { requests: 0, timeouts: 0, badFrames: 0, echoes: 0 };
  #retriesUsed = 0;
  #decodeOptions: DecodeOptions;
  #guard: WriteGuard | null = null;
  #attempt: ExchangeAttempt | null = null;
  readonly #leaseData = new Set<(chunk: Uint8Array) => void>();
  readonly #unsubscribe: Unsubscribe[];
  #disposed = false;
  readonly #specDefaults: SpecDefaults;
  readonly #host: ExchangeHost;

  constructor(transport: Transport, options: PaceClientOptions = {}) {
    this.#transport = transport;
    this.#clock = options.clock ?? realClock;
    this.#ver = checkByte('ver', options.ver ?? VER_PACE);
    this.#cid1 = checkByte('cid1', options.cid1 ?? CID1_LFP);
    this.#retries = checkRetries(options.retries ?? DEFAULTS.retries);
    this.#policy = {
      turnaround_ms: checkNonNegative('turnaround_ms', options.turnaround_ms ?? DEFAULTS.turnaround_ms),
      safetyFactor: options.safetyFactor ?? DEFAULTS.safetyFactor,
      floor_ms: checkNonNegative('deadlineFloor_ms', options.deadlineFloor_ms ?? DEFAULTS.deadlineFloor_ms)
    };
    if (!Number.isFinite(this.#policy.safetyFactor) || this.#policy.safetyFactor < 1) {
      throw new RangeError(`safetyFactor must be >= 1, got ${this.#policy.safetyFactor}`);
    }
    this.#minGap_ms = checkNonNegative('minGap_ms', options.minGap_ms ?? DEFAULTS.minGap_ms);
    this.#quietGap_ms = options.quietGap_ms === undefined ? null : checkNonNegative('quietGap_ms', options.quietGap_ms);
    this.#idleMin_ms = checkNonNegative('idleGap_ms', options.idleGap_ms ?? DEFAULTS.idleGap_ms);
    this.#log = new TrafficLog(options.trafficCapacity ?? DEFAULTS.trafficCapacity);
    this.#decodeOptions = options.decodeOptions ?? DEFAULT_DECODE_OPTIONS;
    this.#reader = new FrameReader({ lengthChecksum: options.lengthChecksum ?? 'reject' });
    this.#unsubscribe = [transport.onData((chunk) => this.#onData(chunk)), transport.onStatus((s) => this.#onStatus(s))];
    this.#specDefaults = { ver: this.#ver, cid1: this.#cid1, retries: this.#retries, decodeOptions: () => this.#decodeOptions };
    this.#host = {
      clock: this.#clock,
      transport,
      log: this.#log,
      deadlineFor: (requestBytes, replyInfoBytes) => this.deadlineFor(requestBytes, replyInfoBytes),
      // Null while no guard is installed: then nothing is looked up for a write at all.
      refuse: null,
      waitQuiet: (signal) => this.#waitQuiet(signal),
      attempt: (spec, deadline_ms, report) => this.#attemptOnce(spec, deadline_ms, report),
      retried: () => {
        this.#retriesUsed++;
      }
    };
  }

  get transport(): Transport {
    return this.#transport;
  }

  get clock(): Clock {
    return this.#clock;
  }

  get timing(): LinkTiming {
    return this.#transport.timing;
  }

  get decodeOptions(): DecodeOptions {
    return this.#decodeOptions;
  }

  /** Profile detection may change how replies decode after discovery. */
  set decodeOptions(options: DecodeOptions) {
    this.#decodeOptions = options;
  }

  /** Counts of the exchanges made outside exclusive() work: the link's health. */
  get stats(): Readonly<ClientStats> {
    return { ...this.#totals, retries: this.#retriesUsed };
  }

  /** Counts of the exchanges made inside exclusive() work (see LeaseStats). */
  get leaseStats(): Readonly<LeaseStats> {
    return { ...this.#leaseTotals };
  }

  /** Requests waiting for the bus (not counting the one running). */
  get queued(): number {
    return this.#bus.waiting;
  }

  /** True while exclusive() work holds the bus. */
  get exclusiveActive(): boolean {
    return this.#bus.exclusiveActive;
  }

  /**
   * Install the guard every non-read request must pass (null: none, every write allowed). Checked
   * when the request's turn comes, so a guard tightened meanwhile still stops a queued write.
   */
  setWriteGuard(guard: WriteGuard | null): void {
    this.#guard = guard;
    this.#host.refuse = guard ? (attempt) => this.#refuse(attempt) : null;
  }

  /** The deadline (ms from the first request byte) this client derives for a request and reply size. */
  deadlineFor(requestBytes: number, replyInfoBytes: number): number {
    return replyDeadline_ms({ requestBytes, replyInfoBytes }, this.#transport.timing, this.#policy);
  }

  /** Send a command and decode its reply. Throws ProtocolError. */
  async call<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts: CallOptions = {}): Promise<Res> {
    return valueOf(await this.exchange(cmd, adr, req, opts));
  }

  /** Like call(), but never throws a ProtocolError: the result says what happened and what it cost. */
  exchange<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts: CallOptions = {}): Promise<ExchangeResult<Res>> {
    const spec = this.#commandSpec(cmd, adr, req, opts);
    return this.#bus.run(() => this.#runExchange(spec), opts.priority ?? 'normal', opts.signal, spec.details);
  }

  /**
   * Send one frame (or raw bytes) and return the first frame that is not our own echo, whatever
   * its RTN (the debug console shows it as it is). Default: no retries.
   */
  async raw(frame: Frame | Uint8Array, opts: RawOptions = {}): Promise<Frame> {
    const spec = this.#rawSpec(frame, opts);
    return valueOf(await this.#bus.run(() => this.#runExchange(spec), opts.priority ?? 'interactive', opts.signal, {}));
  }

  /**
   * Run `fn` while it alone holds the bus (writes with read-back, flashing). Requests made with
   * client.call() inside fn would wait for fn to finish: use the lease it is given instead.
   */
  exclusive<T>(fn: (bus: BusLease) => Promise<T>, opts: { signal?: AbortSignal; priority?: RequestPriority } = {}): Promise<T> {
    return this.#bus.exclusive(
      async () => {
        let held = true;
        const check = () => {
          if (!held) throw new Error('The bus lease was used after exclusive() finished.');
        };
        const subs = new Set<(chunk: Uint8Array) => void>();
        const lease: BusLease = {
          call: async (cmd, adr, req, o = {}) => {
            check();
            return valueOf(await this.#runExchange(this.#commandSpec(cmd, adr, req, o)));
          },
          exchange: (cmd, adr, req, o = {}) => {
            check();
            return this.#runExchange(this.#commandSpec(cmd, adr, req, o));
          },
          raw: async (frame, o = {}) => {
            check();
            return valueOf(await this.#runExchange(this.#rawSpec(frame, o)));
          },
          write: async (bytes, signal) => {
            check();
            this.#refuse({ via: 'bytes', kind: 'unknown', commands: [], cid2: null, adr: null, what: `${bytes.length} unframed bytes` });
            const t = this.#clock.now();
            this.#log.tx(t, bytes.slice());
            await this.#transport.write(bytes, signal);
            const line = this.#line;
            line.lineFreeAt_ms = Math.max(line.lineFreeAt_ms, t + wireTime_ms(bytes.length, this.timing), this.#clock.now());
          },
          onData: (listener) => {
            check();
            subs.add(listener);
            this.#leaseData.add(listener);
            return () => {
              subs.delete(listener);
              this.#leaseData.delete(listener);
            };
          }
        };
        try {
          return await fn(lease);
        } finally {
          held = false;
          for (const l of subs) this.#leaseData.delete(l);
        }
      },
      opts.priority ?? 'interactive',
      opts.signal
    );
  }

  /** Raw TX/RX and errors as they happen. */
  onTraffic(listener: (entry: TrafficEntry) => void): Unsubscribe {
    return this.#log.onEntry(listener);
  }

  /** Exclusive work starts (true) or ends (false); the poller yields meanwhile. */
  onExclusive(listener: (active: boolean) => void): Unsubscribe {
    return this.#bus.onExclusive(listener);
  }

  /** The last `trafficCapacity` traffic entries, oldest first. */
  recentTraffic(): TrafficEntry[] {
    return this.#log.recent();
  }

  /** Stop listening to the transport and fail everything queued. The transport stays open. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const u of this.#unsubscribe) u();
    this.#attempt?.lost({ state: 'closed', reason: 'user', message: 'the client was disposed' });
    this.#bus.dispose(new ProtocolError('transport', 'The client was closed before the request was sent.'));
  }

  /** Silence required before sending, for this link's speed. */
  get quietGap_ms(): number {
    const timing = this.#transport.timing;
    // Links that hand bytes over in bursts (USB latency timer, BLE interval) are silent between
    // bursts for up to their latency: only a longer silence means the line is idle.
    return this.#quietGap_ms ?? Math.max(DEFAULT_QUIET_MIN_MS, wireTime_ms(3, timing) + (timing.latency_ms ?? 0));
  }

  // ---- running exchanges ----

  #commandSpec<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts: CallOptions): ExchangeSpec<Res> {
    return commandSpec(cmd, adr, req, opts, this.#specDefaults);
  }

  #rawSpec(frame: Frame | Uint8Array, opts: RawOptions): ExchangeSpec<Frame> {
    return rawSpec(frame, opts);
  }

  #runExchange<T>(spec: ExchangeSpec<T>): Promise<ExchangeResult<T>> {
    return runExchange(spec, this.#host);
  }

  /** Throws 'write-refused' when the guard says no; logs the refusal. */
  #refuse(attempt: WriteAttempt): void {
    const reason = this.#guard?.(attempt) ?? null;
    if (reason === null) return;
    const message = `Not sent: ${attempt.what} would change the pack, and ${reason}`;
    this.#log.error(this.#clock.now(), message);
    throw new ProtocolError('write-refused', message, { cid2: attempt.cid2 ?? undefined, adr: attempt.adr ?? undefined });
  }

  /**
   * Wait until minGap_ms has passed since the last request started and the line has been silent
   * for quietGap_ms (our own request sent, no reply still arriving).
   */
  async #waitQuiet(signal: AbortSignal | undefined): Promise<void> {
    const started = this.#clock.now();
    const line = this.#line;
    for (;;) {
      const now = this.#clock.now();
      const quiet = this.quietGap_ms;
      const target = Math.max(line.lastTxStart_ms + this.#minGap_ms, line.lastRx_ms + quiet, line.lineFreeAt_ms + quiet);
      if (now >= target || now - started >= QUIET_WAIT_CAP_MS) return;
      await sleep(this.#clock, Math.min(target, started + QUIET_WAIT_CAP_MS) - now, signal);
    }
  }

  async #attemptOnce(spec: ExchangeSpec<unknown>, deadline_ms: number, report: ExchangeReport): Promise<AttemptOutcome> {
    const timing = this.#transport.timing;
    for (const ev of this.#reader.flush()) this.#log.received(this.#clock.now(), ev, 'stale input dropped before sending: ');
    const attempt = new ExchangeAttempt(
      {
        clock: this.#clock,
        transport: this.#transport,
        line: this.#line,
        log: this.#log,
        pending: () => this.#reader.pending,
        totals: this.#bus.exclusiveActive ? this.#leaseTotals : this.#totals
      },
      {
        request: spec.request,
        bytes: spec.bytes,
        signal: spec.options.signal,
        deadline_ms,
        cap_ms: Math.max(deadline_ms, hardCap_ms(spec.bytes.length, timing, this.#policy)),
        idle_ms: idleGap_ms(timing, this.#idleMin_ms),
        // Raw bytes have no request frame to compare with (their spec names no CID2).
        classify: spec.details.cid2 === undefined ? undefined : (frame) => classifyIncoming(spec.request, frame, this.#decodeOptions)
      }
    );
    this.#attempt = attempt;
    try {
      const outcome = attempt.run();
      report.started_ms ??= attempt.started_ms;
      return await outcome;
    } finally {
      if (this.#attempt === attempt) this.#attempt = null;
      report.timeouts += attempt.counts.timeouts;
      report.badFrames += attempt.counts.badFrames;
      report.echoes += attempt.counts.echoes;
    }
  }

  // ---- input ----

  #onData(chunk: Uint8Array): void {
    const now = this.#clock.now();
    this.#line.lastRx_ms = now;
    for (const l of [...this.#leaseData]) l(chunk);
    for (const ev of this.#reader.push(chunk)) {
      this.#log.received(now, ev);
      this.#attempt?.event(ev);
    }
  }

  #onStatus(status: TransportStatus): void {
    if (status.state === 'open') return;
    this.#reader.reset();
    this.#attempt?.lost(status);
  }
}

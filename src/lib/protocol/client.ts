// The request/response client: the one owner of the bus (design.md "One request in flight on the
// bus at a time, owned by the client"). Everything that talks to packs asks it; it queues, keeps
// the half-duplex line quiet between exchanges, flushes stale input, sends, reads until a whole
// frame arrives or a deadline derived from the baud rate passes, matches, retries, and logs.

import type { Command } from './command';
import { DecodeError } from './command';
import { ProtocolError } from './errors';
import { FrameReader, encodeFrame, type Frame, type ReaderEvent } from './frame';
import { printableAscii } from './hex';
import { classifyReply, isEchoOf } from './rtn';
import { hardCap_ms, idleGap_ms, replyDeadline_ms, wireTime_ms, type DeadlinePolicy } from './timing';
import { CID1_LFP, DEFAULT_DECODE_OPTIONS, VER_PACE, type DecodeOptions } from './types';
import { realClock, sleep, type Clock, type TimerId } from '../time/clock';
import type { LinkTiming, Transport, TransportStatus, Unsubscribe } from '../transport/types';
import { TransportError } from '../transport/types';

export type RequestPriority = 'normal' | 'interactive';

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

export interface CallOptions {
  signal?: AbortSignal;
  /** Replace the derived deadline (ms from the first request byte). A reply still arriving extends it. */
  timeout_ms?: number;
  /** Extra attempts after the first. Default: the client's `retries` (raw(): 0). */
  retries?: number;
  /** 'interactive' jumps ahead of queued polling. Default 'normal'. */
  priority?: RequestPriority;
  /** Packs in the bank, so a broadcast's reply size (and deadline) can be estimated. */
  packCount?: number;
  /** Override the client's VER / CID1 for this request. */
  ver?: number;
  cid1?: number;
}

export interface RawOptions extends CallOptions {
  /** Expected reply INFO size in bytes, for the deadline. Default 64. */
  expectedReplyBytes?: number;
}

/** What one exchange cost; the poller counts these per pack. */
export interface ExchangeReport {
  /** Requests sent (1 + retries used). */
  attempts: number;
  /** Attempts that ended with nothing but silence or a cut-off frame. */
  timeouts: number;
  /** Frames that failed checksum / length / format checks. */
  badFrames: number;
  /** Copies of our own request that came back. */
  echoes: number;
  /** Clock time the first request went out (null if none was sent) and the exchange ended. */
  started_ms: number | null;
  ended_ms: number;
  /** Deadline of each attempt (ms from its first request byte), before any extension. */
  deadline_ms: number;
}

export type ExchangeResult<Res> =
  { ok: true; value: Res; reply: Frame; report: ExchangeReport } | { ok: false; error: ProtocolError; reply?: Frame; report: ExchangeReport };

export interface TrafficEntry {
  /** Clock time (ms). */
  t_ms: number;
  dir: 'tx' | 'rx' | 'error';
  bytes: Uint8Array;
  /** Printable wire text (CR as \r). */
  text: string;
  frame?: Frame;
  /** What went wrong (dir 'error'). */
  error?: string;
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

/** The bus, held by exclusive(): requests made through it skip the queue. */
export interface BusLease {
  call<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts?: CallOptions): Promise<Res>;
  exchange<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts?: CallOptions): Promise<ExchangeResult<Res>>;
  raw(frame: Frame | Uint8Array, opts?: RawOptions): Promise<Frame>;
  /** Unframed bytes (bootloader transfers). Logged as TX. */
  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** Every received chunk while the lease is held. */
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
}

const DEFAULTS = {
  retries: 2,
  turnaround_ms: 50,
  minGap_ms: 50,
  safetyFactor: 1.5,
  deadlineFloor_ms: 250,
  idleGap_ms: 50,
  trafficCapacity: 500
} as const;

const RAW_DEFAULT_REPLY_BYTES = 64;
const DEFAULT_QUIET_MIN_MS = 8;
/**
 * Longest we wait for a quiet line before sending anyway (ms). A master pack polling its slaves
 * pauses every few hundred ms; a line that never pauses is noise, and waiting longer cannot help.
 */
const QUIET_WAIT_CAP_MS = 2000;
/**
 * A deadline timer that fires this much later than asked means the thread was stalled (a page
 * rendering, a throttled background tab) or, in demo mode, the simulated bank was frozen with it.
 * The reply may be waiting in the input queue behind the timer: a stall is not the device's
 * silence, so the deadline is extended instead of failing the attempt (seen in the browser: a
 * 250 ms stall turned a reply into a timeout, a retry, and the reply processed twice).
 */
const STALL_LATE_MS = 50;
const STALL_GRANTS_MAX = 3;

type Verdict<T> = { kind: 'ok'; value: T } | { kind: 'retry'; error: ProtocolError } | { kind: 'fail'; error: ProtocolError };

interface ExchangeSpec<T> {
  request: Frame;
  bytes: Uint8Array;
  replyInfoBytes: number;
  /** e.g. "readAnalog (42H) to address 1" */
  what: string;
  cid2: number;
  adr: number;
  retries: number;
  timeout_ms?: number;
  signal?: AbortSignal;
  judge(frame: Frame): Verdict<T>;
}

type AttemptOutcome =
  | { type: 'frame'; frame: Frame }
  | { type: 'timeout'; message: string }
  | { type: 'echo' }
  | { type: 'bad'; message: string }
  | { type: 'aborted' }
  | { type: 'transport'; message: string; cause?: unknown };

interface AttemptSink {
  event(ev: ReaderEvent): void;
  lost(status: TransportStatus): void;
}

interface QueueEntry {
  priority: RequestPriority;
  start(): void;
  cancel(error: ProtocolError): void;
}

function hex2(n: number): string {
  return (n & 0xff).toString(16).toUpperCase().padStart(2, '0');
}

function checkNonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  return value;
}

function checkByte(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${name} must be a byte (0..255), got ${value}`);
  return value;
}

function abortedError(details: { cid2?: number; adr?: number } = {}): ProtocolError {
  return new ProtocolError('aborted', 'The request was cancelled.', details);
}

function transportMessage(status: TransportStatus): string {
  const why = status.message ? `: ${status.message}` : status.reason ? ` (${status.reason})` : '';
  return `The link is ${status.state}${why}.`;
}

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
  readonly #trafficCapacity: number;
  #decodeOptions: DecodeOptions;

  readonly #queue: QueueEntry[] = [];
  #running = false;
  #exclusive = false;
  #sink: AttemptSink | null = null;
  #leaseData = new Set<(chunk: Uint8Array) => void>();
  #lastRx_ms = -Infinity;
  #lineFreeAt_ms = -Infinity;
  #lastTxStart_ms = -Infinity;
  #disposed = false;

  readonly #stats: ClientStats = { requests: 0, timeouts: 0, badFrames: 0, echoes: 0, retries: 0 };
  readonly #traffic: TrafficEntry[] = [];
  #trafficHead = 0;
  readonly #trafficListeners = new Set<(entry: TrafficEntry) => void>();
  readonly #exclusiveListeners = new Set<(active: boolean) => void>();
  readonly #unsubscribe: Unsubscribe[];

  constructor(transport: Transport, options: PaceClientOptions = {}) {
    this.#transport = transport;
    this.#clock = options.clock ?? realClock;
    this.#ver = checkByte('ver', options.ver ?? VER_PACE);
    this.#cid1 = checkByte('cid1', options.cid1 ?? CID1_LFP);
    const retries = options.retries ?? DEFAULTS.retries;
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`retries must be an integer >= 0, got ${retries}`);
    this.#retries = retries;
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
    const cap = options.trafficCapacity ?? DEFAULTS.trafficCapacity;
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`trafficCapacity must be an integer >= 1, got ${cap}`);
    this.#trafficCapacity = cap;
    this.#decodeOptions = options.decodeOptions ?? DEFAULT_DECODE_OPTIONS;
    this.#reader = new FrameReader({ lengthChecksum: options.lengthChecksum ?? 'reject' });
    this.#unsubscribe = [transport.onData((chunk) => this.#onData(chunk)), transport.onStatus((s) => this.#onStatus(s))];
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

  get stats(): Readonly<ClientStats> {
    return { ...this.#stats };
  }

  /** Requests waiting for the bus (not counting the one running). */
  get queued(): number {
    return this.#queue.length;
  }

  /** True while exclusive() work holds the bus. */
  get exclusiveActive(): boolean {
    return this.#exclusive;
  }

  /** The deadline (ms from the first request byte) this client derives for a request and reply size. */
  deadlineFor(requestBytes: number, replyInfoBytes: number): number {
    return replyDeadline_ms({ requestBytes, replyInfoBytes }, this.#transport.timing, this.#policy);
  }

  /** Send a command and decode its reply. Throws ProtocolError. */
  async call<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts: CallOptions = {}): Promise<Res> {
    const result = await this.exchange(cmd, adr, req, opts);
    if (!result.ok) throw result.error;
    return result.value;
  }

  /** Like call(), but never throws a ProtocolError: the result says what happened and what it cost. */
  exchange<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts: CallOptions = {}): Promise<ExchangeResult<Res>> {
    const spec = this.#commandSpec(cmd, adr, req, opts);
    return this.#enqueue(() => this.#runExchange(spec), opts.priority ?? 'normal', opts.signal, { cid2: cmd.cid2, adr });
  }

  /**
   * Send one frame (or raw bytes) and return the first frame that is not our own echo, whatever
   * its RTN (the debug console shows it as it is). Default: no retries.
   */
  async raw(frame: Frame | Uint8Array, opts: RawOptions = {}): Promise<Frame> {
    const spec = this.#rawSpec(frame, opts);
    const result = await this.#enqueue(() => this.#runExchange(spec), opts.priority ?? 'interactive', opts.signal, {});
    if (!result.ok) throw result.error;
    return result.value;
  }

  /**
   * Run `fn` while it alone holds the bus (writes with read-back, flashing). Requests made with
   * client.call() inside fn would wait for fn to finish: use the lease it is given instead.
   */
  exclusive<T>(fn: (bus: BusLease) => Promise<T>, opts: { signal?: AbortSignal; priority?: RequestPriority } = {}): Promise<T> {
    return this.#enqueue(
      async () => {
        let held = true;
        const guard = () => {
          if (!held) throw new Error('The bus lease was used after exclusive() finished.');
        };
        const subs = new Set<(chunk: Uint8Array) => void>();
        const lease: BusLease = {
          call: async (cmd, adr, req, o = {}) => {
            guard();
            const r = await this.#runExchange(this.#commandSpec(cmd, adr, req, o));
            if (!r.ok) throw r.error;
            return r.value;
          },
          exchange: (cmd, adr, req, o = {}) => {
            guard();
            return this.#runExchange(this.#commandSpec(cmd, adr, req, o));
          },
          raw: async (frame, o = {}) => {
            guard();
            const r = await this.#runExchange(this.#rawSpec(frame, o));
            if (!r.ok) throw r.error;
            return r.value;
          },
          write: async (bytes, signal) => {
            guard();
            const t = this.#clock.now();
            this.#log({ t_ms: t, dir: 'tx', bytes: bytes.slice(), text: printableAscii(bytes) });
            await this.#transport.write(bytes, signal);
            this.#lineFreeAt_ms = Math.max(this.#lineFreeAt_ms, t + wireTime_ms(bytes.length, this.timing), this.#clock.now());
          },
          onData: (listener) => {
            guard();
            subs.add(listener);
            this.#leaseData.add(listener);
            return () => {
              subs.delete(listener);
              this.#leaseData.delete(listener);
            };
          }
        };
        this.#setExclusive(true);
        try {
          return await fn(lease);
        } finally {
          held = false;
          for (const l of subs) this.#leaseData.delete(l);
          this.#setExclusive(false);
        }
      },
      opts.priority ?? 'interactive',
      opts.signal,
      {}
    );
  }

  /** Raw TX/RX and errors as they happen. */
  onTraffic(listener: (entry: TrafficEntry) => void): Unsubscribe {
    this.#trafficListeners.add(listener);
    return () => this.#trafficListeners.delete(listener);
  }

  /** Exclusive work starts (true) or ends (false); the poller yields meanwhile. */
  onExclusive(listener: (active: boolean) => void): Unsubscribe {
    this.#exclusiveListeners.add(listener);
    return () => this.#exclusiveListeners.delete(listener);
  }

  /** The last `trafficCapacity` traffic entries, oldest first. */
  recentTraffic(): TrafficEntry[] {
    if (this.#traffic.length < this.#trafficCapacity) return this.#traffic.slice();
    return [...this.#traffic.slice(this.#trafficHead), ...this.#traffic.slice(0, this.#trafficHead)];
  }

  /** Stop listening to the transport and fail everything queued. The transport stays open. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const u of this.#unsubscribe) u();
    this.#sink?.lost({ state: 'closed', reason: 'user', message: 'the client was disposed' });
    const queued = this.#queue.splice(0);
    for (const e of queued) e.cancel(new ProtocolError('transport', 'The client was closed before the request was sent.'));
  }

  // ---- building exchanges ----

  #commandSpec<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts: CallOptions): ExchangeSpec<Res> {
    checkByte('adr', adr);
    const request: Frame = {
      ver: checkByte('ver', opts.ver ?? this.#ver),
      adr,
      cid1: checkByte('cid1', opts.cid1 ?? this.#cid1),
      code: cmd.cid2,
      info: cmd.encodeRequest(req)
    };
    const what = `${cmd.id} (${hex2(cmd.cid2)}H) to address ${adr}`;
    const details = { cid2: cmd.cid2, adr };
    return {
      request,
      bytes: encodeFrame(request),
      replyInfoBytes: cmd.expectedReplyBytes(req, opts.packCount),
      what,
      cid2: cmd.cid2,
      adr,
      retries: this.#retriesFrom(opts.retries, this.#retries),
      timeout_ms: opts.timeout_ms,
      signal: opts.signal,
      judge: (frame): Verdict<Res> => {
        const verdict = classifyReply(frame, cmd.cid2);
        if (!verdict.ok) {
          const { kind, rtn } = verdict.error;
          const error = new ProtocolError(kind, `${verdict.error.message} (${what})`, { ...details, rtn });
          // RTN 02/03: our request arrived corrupted; sending it again can work.
          return rtn === 0x02 || rtn === 0x03 ? { kind: 'retry', error } : { kind: 'fail', error };
        }
        try {
          return { kind: 'ok', value: cmd.decodeReply(frame.info, { request: req, options: this.#decodeOptions }) };
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          const prefix = e instanceof DecodeError ? 'The reply does not fit' : 'The reply could not be decoded as';
          return { kind: 'fail', error: new ProtocolError('decode', `${prefix} ${what}: ${why}`, { ...details, cause: e }) };
        }
      }
    };
  }

  #rawSpec(frame: Frame | Uint8Array, opts: RawOptions): ExchangeSpec<Frame> {
    const bytes = frame instanceof Uint8Array ? frame.slice() : encodeFrame(frame);
    const request: Frame = frame instanceof Uint8Array ? { ver: 0, adr: 0, cid1: 0, code: 0, info: new Uint8Array(0) } : frame;
    const replyInfoBytes = opts.expectedReplyBytes ?? RAW_DEFAULT_REPLY_BYTES;
    checkNonNegative('expectedReplyBytes', replyInfoBytes);
    return {
      request,
      bytes,
      replyInfoBytes,
      what: frame instanceof Uint8Array ? `raw bytes "${printableAscii(bytes)}"` : `raw frame ${hex2(frame.code)}H to address ${frame.adr}`,
      cid2: request.code,
      adr: request.adr,
      retries: this.#retriesFrom(opts.retries, 0),
      timeout_ms: opts.timeout_ms,
      signal: opts.signal,
      judge: (reply) => ({ kind: 'ok', value: reply })
    };
  }

  #retriesFrom(value: number | undefined, fallback: number): number {
    const r = value ?? fallback;
    if (!Number.isInteger(r) || r < 0) throw new RangeError(`retries must be an integer >= 0, got ${r}`);
    return r;
  }

  // ---- the queue ----

  #enqueue<T>(
    run: () => Promise<T>,
    priority: RequestPriority,
    signal: AbortSignal | undefined,
    details: { cid2?: number; adr?: number }
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#disposed) {
        reject(new ProtocolError('transport', 'The client is closed.', details));
        return;
      }
      if (signal?.aborted) {
        reject(abortedError(details));
        return;
      }
      const onAbort = () => {
        const i = this.#queue.indexOf(entry);
        if (i >= 0) {
          this.#queue.splice(i, 1);
          reject(abortedError(details));
        }
      };
      const entry: QueueEntry = {
        priority,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          run()
            .then(resolve, reject)
            .finally(() => {
              this.#running = false;
              this.#pump();
            });
        },
        cancel: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (priority === 'interactive') {
        // Ahead of polling, behind other interactive work, so two dialogs keep their order.
        let i = 0;
        while (i < this.#queue.length && this.#queue[i].priority === 'interactive') i++;
        this.#queue.splice(i, 0, entry);
      } else {
        this.#queue.push(entry);
      }
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#running) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#running = true;
    next.start();
  }

  #setExclusive(active: boolean): void {
    this.#exclusive = active;
    for (const l of [...this.#exclusiveListeners]) l(active);
  }

  // ---- one exchange: attempts with retries ----

  async #runExchange<T>(spec: ExchangeSpec<T>): Promise<ExchangeResult<T>> {
    const timing = this.#transport.timing;
    const deadline_ms =
      spec.timeout_ms ?? replyDeadline_ms({ requestBytes: spec.bytes.length, replyInfoBytes: spec.replyInfoBytes }, timing, this.#policy);
    checkNonNegative('timeout_ms', deadline_ms);
    const report: ExchangeReport = { attempts: 0, timeouts: 0, badFrames: 0, echoes: 0, started_ms: null, ended_ms: this.#clock.now(), deadline_ms };
    const details = { cid2: spec.cid2, adr: spec.adr };
    const finish = (error: ProtocolError, reply?: Frame): ExchangeResult<T> => {
      report.ended_ms = this.#clock.now();
      this.#log({ t_ms: report.ended_ms, dir: 'error', bytes: new Uint8Array(0), text: '', error: error.message });
      return { ok: false, error, reply, report };
    };

    let lastError: ProtocolError | null = null;
    let lastReply: Frame | undefined;
    for (let attempt = 0; attempt <= spec.retries; attempt++) {
      if (spec.signal?.aborted) return finish(abortedError(details));
      if (this.#transport.status.state !== 'open') {
        return finish(new ProtocolError('transport', `${transportMessage(this.#transport.status)} Cannot send ${spec.what}.`, details));
      }
      if (attempt > 0) this.#stats.retries++;
      try {
        await this.#waitQuiet(spec.signal);
      } catch {
        return finish(abortedError(details));
      }
      report.attempts++;
      const outcome = await this.#attempt(spec, deadline_ms, report);
      switch (outcome.type) {
        case 'frame': {
          const verdict = spec.judge(outcome.frame);
          if (verdict.kind === 'ok') {
            report.ended_ms = this.#clock.now();
            return { ok: true, value: verdict.value, reply: outcome.frame, report };
          }
          lastReply = outcome.frame;
          if (verdict.kind === 'fail') return finish(verdict.error, outcome.frame);
          lastError = verdict.error;
          break;
        }
        case 'aborted':
          return finish(abortedError(details));
        case 'transport':
          return finish(new ProtocolError('transport', `${outcome.message} ${spec.what} was not answered.`, { ...details, cause: outcome.cause }));
        case 'echo':
          lastError = new ProtocolError(
            'echo',
            `Only our own request came back for ${spec.what}: the adapter echoes what it sends (or its RX and TX lines are bridged), and no pack answered.`,
            details
          );
          break;
        case 'bad':
          lastError = new ProtocolError(
            'checksum',
            `The reply to ${spec.what} was corrupted (${outcome.message}). Check the cable, the bus termination and the baud rate.`,
            details
          );
          break;
        case 'timeout':
          lastError = new ProtocolError('timeout', `No reply to ${spec.what} within ${Math.round(deadline_ms)} ms${outcome.message}.`, details);
          break;
      }
      if (attempt < spec.retries)
        this.#log({ t_ms: this.#clock.now(), dir: 'error', bytes: new Uint8Array(0), text: '', error: `${lastError.message} Retrying.` });
    }
    return finish(lastError ?? new ProtocolError('timeout', `No reply to ${spec.what}.`, details), lastReply);
  }

  /** Silence required before sending, for this link's speed. */
  get quietGap_ms(): number {
    const timing = this.#transport.timing;
    // Links that hand bytes over in bursts (USB latency timer, BLE interval) are silent between
    // bursts for up to their latency: only a longer silence means the line is idle.
    return this.#quietGap_ms ?? Math.max(DEFAULT_QUIET_MIN_MS, wireTime_ms(3, timing) + (timing.latency_ms ?? 0));
  }

  /**
   * Wait until minGap_ms has passed since the last request started and the line has been silent
   * for quietGap_ms (our own request sent, no reply still arriving).
   */
  async #waitQuiet(signal: AbortSignal | undefined): Promise<void> {
    const started = this.#clock.now();
    for (;;) {
      const now = this.#clock.now();
      const quiet = this.quietGap_ms;
      const target = Math.max(this.#lastTxStart_ms + this.#minGap_ms, this.#lastRx_ms + quiet, this.#lineFreeAt_ms + quiet);
      if (now >= target || now - started >= QUIET_WAIT_CAP_MS) return;
      await sleep(this.#clock, Math.min(target, started + QUIET_WAIT_CAP_MS) - now, signal);
    }
  }

  /** One request on the wire and the wait for its reply. Every timer and listener ends in finally. */
  async #attempt<T>(spec: ExchangeSpec<T>, deadline_ms: number, report: ExchangeReport): Promise<AttemptOutcome> {
    const clock = this.#clock;
    const timing = this.#transport.timing;
    const idle_ms = idleGap_ms(timing, this.#idleMin_ms);
    for (const ev of this.#reader.flush()) this.#log(this.#entryFor(ev, 'stale input dropped before sending: '));

    const t0 = clock.now();
    report.started_ms ??= t0;
    this.#lastTxStart_ms = t0;
    const cap_ms = Math.max(deadline_ms, hardCap_ms(spec.bytes.length, timing, this.#policy));
    let echoSeen = false;
    let badMessage: string | null = null;
    let badFrames = 0;
    let deadlineTimer: TimerId | null = null;
    let quietTimer: TimerId | null = null;
    let settle!: (o: AttemptOutcome) => void;
    const outcome = new Promise<AttemptOutcome>((resolve) => (settle = resolve));
    let settled = false;
    const end = (o: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      settle(o);
    };
    const silenceOutcome = (): AttemptOutcome => {
      if (badMessage) return { type: 'bad', message: badMessage };
      if (echoSeen) return { type: 'echo' };
      const pending = this.#reader.pending;
      return { type: 'timeout', message: pending > 0 ? ` (the reply stopped after ${pending} bytes)` : '' };
    };
    let deadlineDue_ms = t0 + deadline_ms;
    let stallGrants = 0;
    const armDeadline = (at_ms: number) => {
      deadlineDue_ms = at_ms;
      deadlineTimer = clock.setTimeout(onDeadline, at_ms - clock.now());
    };
    const onDeadline = () => {
      deadlineTimer = null;
      const now = clock.now();
      const late_ms = now - deadlineDue_ms;
      if (late_ms > STALL_LATE_MS && stallGrants < STALL_GRANTS_MAX) {
        stallGrants++;
        armDeadline(now + Math.max(idle_ms, Math.min(late_ms, deadline_ms)));
        return;
      }
      const sinceRx = now - this.#lastRx_ms;
      // A reply that has started and is still flowing gets to finish (long broadcasts at 9600 baud).
      if (this.#reader.pending > 0 && sinceRx < idle_ms && now < t0 + cap_ms) {
        armDeadline(Math.min(this.#lastRx_ms + idle_ms, t0 + cap_ms));
        return;
      }
      end(silenceOutcome());
    };
    const onQuietCheck = () => {
      quietTimer = null;
      const now = clock.now();
      if (now - this.#lastRx_ms >= idle_ms) end(silenceOutcome());
      else quietTimer = clock.setTimeout(onQuietCheck, this.#lastRx_ms + idle_ms - now);
    };
    const onAbort = () => end({ type: 'aborted' });

    this.#sink = {
      event: (ev) => {
        if (ev.type === 'frame') {
          if (isEchoOf(ev.raw, spec.bytes)) {
            echoSeen = true;
            report.echoes++;
            this.#stats.echoes++;
            return;
          }
          end({ type: 'frame', frame: ev.frame });
          return;
        }
        if (ev.kind === 'garbage') return;
        badFrames++;
        report.badFrames++;
        this.#stats.badFrames++;
        badMessage = badFrames > 1 ? `${badFrames} bad frames, the last: ${ev.message}` : ev.message;
        // The corrupted reply is over once the line goes quiet; retry then rather than wait out the deadline.
        if (quietTimer === null) quietTimer = clock.setTimeout(onQuietCheck, idle_ms);
      },
      lost: (status) => end({ type: 'transport', message: transportMessage(status) })
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    armDeadline(t0 + deadline_ms);
    try {
      this.#stats.requests++;
      this.#log({ t_ms: t0, dir: 'tx', bytes: spec.bytes, text: printableAscii(spec.bytes), frame: spec.request });
      try {
        await this.#transport.write(spec.bytes, spec.signal);
      } catch (e) {
        if (spec.signal?.aborted) end({ type: 'aborted' });
        else end({ type: 'transport', message: e instanceof TransportError ? e.message : `Writing failed: ${String(e)}`, cause: e });
      }
      this.#lineFreeAt_ms = Math.max(this.#lineFreeAt_ms, t0 + wireTime_ms(spec.bytes.length, timing));
      if (spec.signal?.aborted) end({ type: 'aborted' });
      const o = await outcome;
      if (o.type === 'timeout') {
        report.timeouts++;
        this.#stats.timeouts++;
      }
      return o;
    } finally {
      this.#sink = null;
      if (deadlineTimer !== null) clock.clearTimeout(deadlineTimer);
      if (quietTimer !== null) clock.clearTimeout(quietTimer);
      spec.signal?.removeEventListener('abort', onAbort);
    }
  }

  // ---- input ----

  #onData(chunk: Uint8Array): void {
    this.#lastRx_ms = this.#clock.now();
    for (const l of [...this.#leaseData]) l(chunk);
    const events = this.#reader.push(chunk);
    for (const ev of events) {
      this.#log(this.#entryFor(ev, ''));
      this.#sink?.event(ev);
    }
  }

  #onStatus(status: TransportStatus): void {
    if (status.state === 'open') return;
    this.#reader.reset();
    this.#sink?.lost(status);
  }

  #entryFor(ev: ReaderEvent, prefix: string): TrafficEntry {
    const t_ms = this.#clock.now();
    if (ev.type === 'frame') return { t_ms, dir: 'rx', bytes: ev.raw, text: printableAscii(ev.raw), frame: ev.frame };
    return { t_ms, dir: 'error', bytes: ev.raw, text: printableAscii(ev.raw), error: `${prefix}${ev.kind}: ${ev.message}` };
  }

  #log(entry: TrafficEntry): void {
    if (this.#traffic.length < this.#trafficCapacity) {
      this.#traffic.push(entry);
    } else {
      this.#traffic[this.#trafficHead] = entry;
      this.#trafficHead = (this.#trafficHead + 1) % this.#trafficCapacity;
    }
    for (const l of [...this.#trafficListeners]) l(entry);
  }
}

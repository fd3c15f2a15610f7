// One request on the wire and the wait for its reply: send, then read until a whole frame that is
// not our own echo arrives, the line goes quiet after a corrupted one, or the deadline derived from
// the baud rate passes (extended while a long reply is still flowing, and when the thread itself
// was stalled). Every timer and listener ends when the attempt does.

import type { Frame, ReaderEvent } from './frame';
import { isEchoOf } from './frame';
import type { IncomingCheck } from './reply-check';
import type { TrafficLog } from './traffic-log';
import { wireTime_ms } from './timing';
import type { Clock, TimerId } from '../time/clock';
import { TransportError, type Transport, type TransportStatus } from '../transport/types';

export type AttemptOutcome =
  | { type: 'frame'; frame: Frame }
  | { type: 'timeout'; message: string }
  | { type: 'echo' }
  | { type: 'bad'; message: string }
  | { type: 'aborted' }
  | { type: 'transport'; message: string; cause?: unknown };

/** The line as the client tracks it across attempts (clock ms). */
export interface LineState {
  /** Last byte received. */
  lastRx_ms: number;
  /** Our own last request byte is off the wire. */
  lineFreeAt_ms: number;
  /** Last request started. */
  lastTxStart_ms: number;
}

/** What an attempt counts, for the exchange's report and the client's totals. */
export interface AttemptCounters {
  requests: number;
  timeouts: number;
  badFrames: number;
  echoes: number;
}

export interface AttemptEnv {
  clock: Clock;
  transport: Transport;
  line: LineState;
  log: TrafficLog;
  /** Bytes of a frame still being received (the client's frame reader). */
  pending(): number;
  /** Totals across the client's life. */
  totals: AttemptCounters;
}

export interface AttemptPlan {
  request: Frame;
  bytes: Uint8Array;
  signal?: AbortSignal;
  /** ms from the first request byte before silence ends the attempt. */
  deadline_ms: number;
  /** Absolute limit (ms from the first request byte), however long a reply keeps trickling. */
  cap_ms: number;
  /** Silence that ends a reply that had started (ms). */
  idle_ms: number;
  /**
   * What a valid frame that is not byte for byte our request is (reply-check.ts classifyIncoming):
   * our echo, another master's request on the bus (both: keep waiting), or the answer. Absent for
   * raw bytes, where every frame that is not the echo is the answer.
   */
  classify?: (frame: Frame) => IncomingCheck;
}

/**
 * A deadline timer that fires this much later than asked means the thread was stalled (a page
 * rendering, a throttled background tab) or, in demo mode, the simulated bank was frozen with it.
 * The reply may be waiting in the input queue behind the timer: a stall is not the device's
 * silence, so the deadline is extended instead of failing the attempt (seen in the browser: a
 * 250 ms stall turned a reply into a timeout, a retry, and the reply processed twice).
 */
const STALL_LATE_MS = 50;
const STALL_GRANTS_MAX = 3;

export function transportMessage(status: TransportStatus): string {
  const why = status.message ? `: ${status.message}` : status.reason ? ` (${status.reason})` : '';
  return `The link is ${status.state}${why}.`;
}

export class ExchangeAttempt {
  readonly #env: AttemptEnv;
  readonly #plan: AttemptPlan;
  /** What this attempt alone saw (the exchange's report adds them up). */
  readonly counts: AttemptCounters = { requests: 0, timeouts: 0, badFrames: 0, echoes: 0 };
  #t0 = 0;
  #echoSeen = false;
  #badMessage: string | null = null;
  #badFrames = 0;
  #deadlineTimer: TimerId | null = null;
  #quietTimer: TimerId | null = null;
  #deadlineDue_ms = 0;
  #stallGrants = 0;
  #settle: ((o: AttemptOutcome) => void) | null = null;

  constructor(env: AttemptEnv, plan: AttemptPlan) {
    this.#env = env;
    this.#plan = plan;
  }

  /** Clock time the request went out (after run() started). */
  get started_ms(): number {
    return this.#t0;
  }

  /** Send and wait. The client routes received frames to event() and link loss to lost() meanwhile. */
  async run(): Promise<AttemptOutcome> {
    const { clock, transport, line, log } = this.#env;
    const plan = this.#plan;
    this.#t0 = clock.now();
    line.lastTxStart_ms = this.#t0;
    const outcome = new Promise<AttemptOutcome>((resolve) => (this.#settle = resolve));
    const onAbort = () => this.#end({ type: 'aborted' });
    plan.signal?.addEventListener('abort', onAbort, { once: true });
    this.#armDeadline(this.#t0 + plan.deadline_ms);
    try {
      this.#count('requests');
      log.tx(this.#t0, plan.bytes, plan.request);
      try {
        await transport.write(plan.bytes, plan.signal);
      } catch (e) {
        if (plan.signal?.aborted) this.#end({ type: 'aborted' });
        else this.#end({ type: 'transport', message: e instanceof TransportError ? e.message : `Writing failed: ${String(e)}`, cause: e });
      }
      line.lineFreeAt_ms = Math.max(line.lineFreeAt_ms, this.#t0 + wireTime_ms(plan.bytes.length, transport.timing));
      if (plan.signal?.aborted) this.#end({ type: 'aborted' });
      const o = await outcome;
      if (o.type === 'timeout') this.#count('timeouts');
      return o;
    } finally {
      this.#settle = null;
      if (this.#deadlineTimer !== null) clock.clearTimeout(this.#deadlineTimer);
      if (this.#quietTimer !== null) clock.clearTimeout(this.#quietTimer);
      plan.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A reader event while this attempt waits. */
  event(ev: ReaderEvent): void {
    if (ev.type === 'frame') {
      const check = isEchoOf(ev.raw, this.#plan.bytes) ? null : this.#plan.classify?.(ev.frame);
      if (check === null || check?.kind === 'echo') {
        this.#echoSeen = true;
        this.#count('echoes');
        return;
      }
      if (check?.kind === 'foreign-request') {
        // Not our answer (which may still follow), and no corruption either: said in the log only.
        this.#env.log.error(this.#env.clock.now(), `Ignored ${check.message}.`);
        return;
      }
      this.#end({ type: 'frame', frame: ev.frame });
      return;
    }
    if (ev.kind === 'garbage') return;
    this.#badFrames++;
    this.#count('badFrames');
    this.#badMessage = this.#badFrames > 1 ? `${this.#badFrames} bad frames, the last: ${ev.message}` : ev.message;
    // The corrupted reply is over once the line goes quiet; retry then rather than wait out the deadline.
    if (this.#quietTimer === null) this.#quietTimer = this.#env.clock.setTimeout(() => this.#onQuietCheck(), this.#plan.idle_ms);
  }

  /** The link went away while this attempt waited. */
  lost(status: TransportStatus): void {
    this.#end({ type: 'transport', message: transportMessage(status) });
  }

  #count(what: keyof AttemptCounters): void {
    this.counts[what]++;
    this.#env.totals[what]++;
  }

  #end(o: AttemptOutcome): void {
    const settle = this.#settle;
    this.#settle = null;
    settle?.(o);
  }

  #silenceOutcome(): AttemptOutcome {
    if (this.#badMessage) return { type: 'bad', message: this.#badMessage };
    if (this.#echoSeen) return { type: 'echo' };
    const pending = this.#env.pending();
    return { type: 'timeout', message: pending > 0 ? ` (the reply stopped after ${pending} bytes)` : '' };
  }

  #armDeadline(at_ms: number): void {
    const clock = this.#env.clock;
    this.#deadlineDue_ms = at_ms;
    this.#deadlineTimer = clock.setTimeout(() => this.#onDeadline(), at_ms - clock.now());
  }

  #onDeadline(): void {
    const { clock, line } = this.#env;
    const { deadline_ms, cap_ms, idle_ms } = this.#plan;
    this.#deadlineTimer = null;
    const now = clock.now();
    const late_ms = now - this.#deadlineDue_ms;
    if (late_ms > STALL_LATE_MS && this.#stallGrants < STALL_GRANTS_MAX) {
      this.#stallGrants++;
      this.#armDeadline(now + Math.max(idle_ms, Math.min(late_ms, deadline_ms)));
      return;
    }
    // A reply that has started and is still flowing gets to finish (long broadcasts at 9600 baud).
    // Compared as `now < quietAt`, the same sum the timer is armed with: `now - lastRx < idle`
    // can disagree with it by one rounding step, which re-armed a 0 ms timer forever on the
    // virtual clock.
    const quietAt_ms = line.lastRx_ms + idle_ms;
    if (this.#env.pending() > 0 && now < quietAt_ms && now < this.#t0 + cap_ms) {
      this.#armDeadline(Math.min(quietAt_ms, this.#t0 + cap_ms));
      return;
    }
    this.#end(this.#silenceOutcome());
  }

  #onQuietCheck(): void {
    const { clock, line } = this.#env;
    this.#quietTimer = null;
    const now = clock.now();
    // One sum for the test and the delay (see #onDeadline): they must never disagree.
    const quietAt_ms = line.lastRx_ms + this.#plan.idle_ms;
    if (now >= quietAt_ms) this.#end(this.#silenceOutcome());
    else this.#quietTimer = clock.setTimeout(() => this.#onQuietCheck(), quietAt_ms - now);
  }
}

// Records every poll of every pack without ever making the poll wait. record() only checks the
// sample, turns it into a row of integers and queues it: it returns at once whatever IndexedDB is
// doing. Every `flushEvery_ms` the queue goes into per-device chunks in memory (recording-buffer.ts)
// and what changed is written in ONE transaction (raw rows, minute aggregates, the recording
// entry, the device's last sighting): either the whole flush is stored or none of it, and what
// earlier flushes stored is never touched by a later failure.
//
// A full disk (quota) or a closed database stops the recorder with that reason; other failures
// are retried on the next flush and stop it after `maxConsecutiveFailures`. If IndexedDB falls so
// far behind that `maxPending` samples wait, it stops with 'backlog' rather than eat the memory.
// The state is always readable (`state`, `stats`) and announced through onChange.

import { realClock, type Clock, type TimerId } from '../time/clock';
import { StorageError, toStorageError } from './errors';
import { DEFAULT_INTEGRATION, type IntegrationOptions } from './minute-aggregate';
import type { PersistOutcome } from './quota';
import { RecordingBuffers } from './recording-buffer';
import type { RetentionSettings } from './retention';
import type { PruneResult, TelemetryBatch } from './telemetry';
import { layoutOf, sampleProblem, sampleToRow, type TelemetrySample } from './telemetry-row';
import type { Queued } from './recording-buffer';

/** What the recorder needs from the storage; AppStorage provides it, tests pass fakes. */
export interface RecorderStore {
  telemetry: {
    writeBatch(batch: TelemetryBatch): Promise<void>;
    prune(retention: RetentionSettings, now_ms: number): Promise<PruneResult>;
    getRetention(): Promise<RetentionSettings>;
  };
  persistence: { request(): Promise<PersistOutcome> };
}

export interface RecorderOptions {
  /** Label of the bank being recorded (devices.bankLabelFor). */
  bank: string;
  /** Timers (flush, prune). Default the real clock. */
  clock?: Clock;
  /** Wall time, Unix epoch ms (session ids, retention). Default Date.now. */
  now?: () => number;
  /** Time between writes (at most a day); null = only when flush() is called. Default 10 000 ms: a crash loses at most this much. */
  flushEvery_ms?: number | null;
  /** Samples allowed to wait for IndexedDB before recording stops ('backlog'). Default 20 000. */
  maxPending?: number;
  /** Rows per full-resolution chunk. Default 240 (8 min at a 2 s poll, 20 min at 5 s). */
  chunkRows?: number;
  /** Energy / time integration of the minute aggregates. Default 60 s max gap, 0.5 A idle band. */
  integration?: Partial<IntegrationOptions>;
  /** Time between retention runs; null = never. Default 1 h (and once at start). */
  pruneEvery_ms?: number | null;
  /** Ask the browser for persistent storage at start. Default true. */
  requestPersistence?: boolean;
  /** Failed flushes in a row before stopping (quota stops at once). Default 3. */
  maxConsecutiveFailures?: number;
  /** Session id; default a fresh one. */
  session?: string;
}

export type StopReasonKind = 'user' | 'quota' | 'closed' | 'failed' | 'backlog';

export interface StopReason {
  kind: StopReasonKind;
  message: string;
  /** Rows received but never stored (zero after a clean stop). */
  lost: number;
  error: StorageError | null;
}

export type RecorderState =
  { kind: 'idle' } | { kind: 'recording'; session: string; since_ms: number } | { kind: 'stopped'; session: string | null; reason: StopReason };

export interface RecorderStats {
  /** Rows committed to IndexedDB. */
  written: number;
  /** Rows queued, not yet in a flush. */
  pending: number;
  /** Rows in memory whose flush has not committed yet. */
  unsaved: number;
  /** Samples older than (or as old as) the device's previous one, skipped. */
  outOfOrder: number;
  /** Samples refused by the check (bad time, empty block, ...). */
  rejected: number;
  lastRejection: string | null;
  /** Wall time of the last committed flush. */
  lastFlush_ms: number | null;
  /** Last flush or prune error while still recording. */
  lastError: string | null;
  persistence: PersistOutcome | null;
  lastPrune: PruneResult | null;
}

function newSessionId(now_ms: number): string {
  const rnd =
    typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
      ? crypto.randomUUID().slice(0, 8)
      : Math.random().toString(36).slice(2, 10);
  return `${new Date(now_ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${rnd}`;
}

export class Recorder {
  readonly #store: RecorderStore;
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #opts: Required<Omit<RecorderOptions, 'integration' | 'session' | 'clock' | 'now' | 'pruneEvery_ms' | 'flushEvery_ms'>> & {
    flushEvery_ms: number | null;
    pruneEvery_ms: number | null;
    integration: IntegrationOptions;
  };
  readonly #sessionOverride: string | undefined;
  #state: RecorderState = { kind: 'idle' };
  #pending: Queued[] = [];
  #buffers: RecordingBuffers | null = null;
  #flushing: Promise<void> | null = null;
  #flushTimer: TimerId | null = null;
  #pruneTimer: TimerId | null = null;
  #failures = 0;
  readonly #listeners = new Set<(state: RecorderState, stats: RecorderStats) => void>();
  readonly #stats: RecorderStats = {
    written: 0,
    pending: 0,
    unsaved: 0,
    outOfOrder: 0,
    rejected: 0,
    lastRejection: null,
    lastFlush_ms: null,
    lastError: null,
    persistence: null,
    lastPrune: null
  };

  constructor(store: RecorderStore, options: RecorderOptions) {
    const positive = (name: string, v: number | undefined, dflt: number, max = Number.MAX_SAFE_INTEGER): number => {
      const x = v ?? dflt;
      if (!Number.isFinite(x) || x <= 0 || x > max)
        throw new RangeError(`Recorder option ${name} must be a number from 1 to ${max}, got ${String(v)}`);
      return x;
    };
    // Timers hold at most 2^31 - 1 ms; a day is far below that and far above any sensible period.
    const DAY = 86_400_000;
    if (!options.bank) throw new RangeError('Recorder needs the bank label');
    this.#store = store;
    this.#clock = options.clock ?? realClock;
    this.#now = options.now ?? Date.now;
    this.#sessionOverride = options.session;
    const pruneEvery = options.pruneEvery_ms === undefined ? 3_600_000 : options.pruneEvery_ms;
    if (pruneEvery !== null) positive('pruneEvery_ms', pruneEvery, 1, DAY);
    this.#opts = {
      bank: options.bank,
      flushEvery_ms: options.flushEvery_ms === null ? null : positive('flushEvery_ms', options.flushEvery_ms, 10_000, DAY),
      maxPending: Math.floor(positive('maxPending', options.maxPending, 20_000)),
      chunkRows: Math.floor(positive('chunkRows', options.chunkRows, 240)),
      pruneEvery_ms: pruneEvery,
      requestPersistence: options.requestPersistence ?? true,
      maxConsecutiveFailures: Math.floor(positive('maxConsecutiveFailures', options.maxConsecutiveFailures, 3)),
      integration: { ...DEFAULT_INTEGRATION, ...options.integration }
    };
  }

  get state(): RecorderState {
    return this.#state;
  }

  get stats(): RecorderStats {
    return { ...this.#stats, pending: this.#pending.length, unsaved: this.#unsaved() };
  }

  /** Called on every state change and after every flush. Returns the unsubscribe function. */
  onChange(listener: (state: RecorderState, stats: RecorderStats) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts a recording session. Does nothing while already recording; a stopped recorder cannot restart (make a new one). */
  start(): void {
    if (this.#state.kind === 'recording') return;
    if (this.#state.kind === 'stopped') throw new StorageError('invalid', 'This recorder has stopped; start a new one.');
    const now = this.#now();
    const session = this.#sessionOverride ?? newSessionId(now);
    this.#state = { kind: 'recording', session, since_ms: now };
    this.#buffers = new RecordingBuffers({ bank: this.#opts.bank, session, chunkRows: this.#opts.chunkRows, integration: this.#opts.integration });
    this.#scheduleFlush();
    if (this.#opts.requestPersistence)
      void this.#store.persistence.request().then((p) => {
        this.#stats.persistence = p;
        this.#emit();
      });
    if (this.#opts.pruneEvery_ms !== null) void this.#prune();
    this.#emit();
  }

  /** Queues one sample; returns at once. False when not recording or the sample was refused. */
  record(sample: TelemetrySample): boolean {
    if (this.#state.kind !== 'recording') return false;
    const problem = sampleProblem(sample);
    if (problem) {
      this.#stats.rejected++;
      this.#stats.lastRejection = `${sample.device || '?'}: ${problem}`;
      return false;
    }
    if (this.#pending.length >= this.#opts.maxPending) {
      this.#stop({
        kind: 'backlog',
        message: `Recording stopped: the browser’s storage fell behind (${this.#pending.length} samples waiting to be written).`,
        error: null
      });
      return false;
    }
    const layout = layoutOf(sample);
    this.#pending.push({ device: sample.device, address: sample.address, layout, row: sampleToRow(sample, layout) });
    return true;
  }

  /** Writes everything queued now. Resolves when it is stored (or the recorder stopped). */
  flush(): Promise<void> {
    return this.#flush(false);
  }

  /** `final` also writes every open chunk whole (stop). */
  #flush(final: boolean): Promise<void> {
    // One flush at a time; a caller arriving meanwhile waits for it and then flushes what came after.
    if (this.#flushing) return this.#flushing.then(() => this.#flush(final));
    if (this.#state.kind !== 'recording') return Promise.resolve();
    this.#flushing = this.#flushOnce(final).finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /** Writes what is queued and stops. Resolves with the final state. */
  async stop(): Promise<RecorderState> {
    if (this.#state.kind !== 'recording') return this.#state;
    this.#clearTimers();
    await this.#flush(true);
    if (this.#state.kind === 'recording') {
      const lost = this.#pending.length + this.#unsaved();
      this.#stop({
        kind: lost > 0 ? 'failed' : 'user',
        message: lost > 0 ? `Recording stopped; the last ${lost} samples could not be written (${this.#stats.lastError}).` : 'Recording stopped.',
        error: null
      });
    }
    return this.#state;
  }

  #emit(): void {
    const stats = this.stats;
    for (const l of this.#listeners) l(this.#state, stats);
  }

  #clearTimers(): void {
    if (this.#flushTimer !== null) this.#clock.clearTimeout(this.#flushTimer);
    if (this.#pruneTimer !== null) this.#clock.clearTimeout(this.#pruneTimer);
    this.#flushTimer = this.#pruneTimer = null;
  }

  #stop(reason: Omit<StopReason, 'lost'>): void {
    if (this.#state.kind !== 'recording') return;
    const lost = this.#pending.length + this.#unsaved();
    this.#clearTimers();
    this.#state = { kind: 'stopped', session: this.#state.session, reason: { ...reason, lost } };
    this.#pending = [];
    this.#buffers?.clear();
    this.#emit();
  }

  #scheduleFlush(): void {
    if (this.#opts.flushEvery_ms === null) return;
    this.#flushTimer = this.#clock.setTimeout(() => {
      this.#flushTimer = null;
      void this.flush().then(() => {
        if (this.#state.kind === 'recording' && this.#flushTimer === null) this.#scheduleFlush();
      });
    }, this.#opts.flushEvery_ms);
  }

  async #prune(): Promise<void> {
    try {
      const retention = await this.#store.telemetry.getRetention();
      this.#stats.lastPrune = await this.#store.telemetry.prune(retention, this.#now());
    } catch (e) {
      this.#stats.lastError = toStorageError(e, 'pruning old telemetry').message;
    }
    if (this.#state.kind === 'recording' && this.#opts.pruneEvery_ms !== null)
      this.#pruneTimer = this.#clock.setTimeout(() => void this.#prune(), this.#opts.pruneEvery_ms);
    this.#emit();
  }

  #unsaved(): number {
    return this.#buffers?.unsavedRows ?? 0;
  }

  async #flushOnce(final: boolean): Promise<void> {
    const buffers = this.#buffers;
    if (this.#state.kind !== 'recording' || !buffers) return;
    const queued = this.#pending;
    this.#pending = [];
    for (const q of queued) if (!buffers.append(q)) this.#stats.outOfOrder++;
    const prepared = buffers.prepare(final);
    if (!prepared) return;
    try {
      await this.#store.telemetry.writeBatch(prepared.batch);
    } catch (e) {
      const err = toStorageError(e, 'saving telemetry');
      this.#stats.lastError = err.message;
      if (err.kind === 'quota') this.#stop({ kind: 'quota', message: err.message, error: err });
      else if (err.kind === 'closed' || err.kind === 'version' || err.kind === 'unavailable')
        this.#stop({ kind: 'closed', message: err.message, error: err });
      else if (++this.#failures >= this.#opts.maxConsecutiveFailures)
        this.#stop({ kind: 'failed', message: `Recording stopped after ${this.#failures} failed writes: ${err.message}`, error: err });
      else this.#emit();
      return;
    }
    prepared.commit();
    this.#failures = 0;
    this.#stats.written += prepared.rows;
    // Stopped meanwhile (backlog): these rows were counted lost, but they made it.
    // (TypeScript still narrows #state to 'recording' from before the await.)
    const st = this.#state as RecorderState;
    if (st.kind === 'stopped') this.#state = { ...st, reason: { ...st.reason, lost: Math.max(0, st.reason.lost - prepared.rows) } };
    this.#stats.lastFlush_ms = this.#now();
    this.#stats.lastError = null;
    this.#emit();
  }
}

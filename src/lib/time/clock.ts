// Time as a dependency. The client, poller, transports and simulator take a Clock so that tests and
// benchmarks run on virtual time (deterministic, instant) while the app runs on the real one.

export type TimerId = number;

export interface Clock {
  /** Milliseconds on this clock's time line. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

/** The browser's / Node's clock. */
export const realClock: Clock = {
  now: () => (typeof performance !== 'undefined' ? performance.now() : Date.now()),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms) as unknown as TimerId,
  clearTimeout: (id) => globalThis.clearTimeout(id as unknown as ReturnType<typeof globalThis.setTimeout>)
};

/** Resolve after `ms` on `clock`; rejects with the signal's reason when aborted. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(id);
      reject(signal?.reason);
    };
    const id = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms)
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface VirtualTimer {
  id: TimerId;
  at: number;
  seq: number;
  fn: () => void;
}

/** Let every queued promise continuation run (macrotask boundary). */
function macrotask(): Promise<void> {
  const si = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (si ? si(resolve) : globalThis.setTimeout(resolve, 0)));
}

/**
 * A clock whose time only moves when told to. `run()` drives async code to completion by
 * alternating "let promises settle" and "jump to the next timer", so a 16-pack poll that takes
 * 5 s of wire time completes in milliseconds of real time, with exact timing.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #nextId = 1;
  #timers: VirtualTimer[] = [];

  constructor(start_ms = 0) {
    this.#now = start_ms;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    const at = this.#now + Math.max(0, Number.isFinite(ms) ? ms : 0);
    const t: VirtualTimer = { id, at, seq: this.#seq++, fn };
    // Keep sorted by (at, seq); timers are few, so insertion sort is fine.
    let i = this.#timers.length;
    while (i > 0 && (this.#timers[i - 1].at > at || (this.#timers[i - 1].at === at && this.#timers[i - 1].seq > t.seq))) i--;
    this.#timers.splice(i, 0, t);
    return id;
  }

  clearTimeout(id: TimerId): void {
    const i = this.#timers.findIndex((t) => t.id === id);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /** Number of timers waiting. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Time of the next timer, or null. */
  get nextTimerAt(): number | null {
    return this.#timers.length ? this.#timers[0].at : null;
  }

  /** Run timers due now or earlier, letting promises settle between them. */
  async #runDue(until: number): Promise<void> {
    await macrotask();
    while (this.#timers.length && this.#timers[0].at <= until) {
      const t = this.#timers.shift()!;
      this.#now = Math.max(this.#now, t.at);
      t.fn();
      await macrotask();
    }
  }

  /** Move time forward by `ms`, firing every timer on the way in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await this.#runDue(target);
    this.#now = Math.max(this.#now, target);
    await macrotask();
  }

  /**
   * Drive time until `promise` settles, jumping straight to each next timer. Throws if it has not
   * settled after `limit_ms` of virtual time or when nothing is left that could settle it.
   */
  async run<T>(promise: Promise<T>, limit_ms = 3_600_000): Promise<T> {
    let settled = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    promise.then(
      (v) => {
        settled = true;
        value = v;
      },
      (e: unknown) => {
        settled = true;
        failed = true;
        error = e;
      }
    );
    const deadline = this.#now + limit_ms;
    await macrotask();
    while (!settled) {
      const next = this.nextTimerAt;
      if (next === null) {
        await macrotask();
        if (settled) break;
        if (this.nextTimerAt === null) throw new Error('VirtualClock.run: promise can never settle (no timers left)');
        continue;
      }
      if (next > deadline) throw new Error(`VirtualClock.run: not settled after ${limit_ms} ms of virtual time`);
      await this.#runDue(next);
    }
    if (failed) throw error;
    return value as T;
  }
}

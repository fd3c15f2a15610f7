// A section of a page that is off screen does not need a refresh's values in the frame that
// follows the refresh: nobody can see them. It takes them in idle time instead, at most
// `maxLag_ms` late, and at once when it comes near the viewport or the page is printed. The
// frame after a refresh is then spent on what is on screen only (on the overview, the heatmaps
// below the cards cost more than the cards themselves).

/** Runs a callback when the thread is idle, or after `timeout_ms` at the latest. Returns a cancel. */
export type IdleScheduler = (callback: () => void, timeout_ms: number) => () => void;

const platformIdle: IdleScheduler = (callback, timeout_ms) => {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(() => callback(), { timeout: timeout_ms });
    return () => cancelIdleCallback(handle);
  }
  // Safari has no requestIdleCallback; a short timer still lets the frame go first.
  const handle = setTimeout(callback, Math.min(timeout_ms, 50));
  return () => clearTimeout(handle);
};

/**
 * Shares one request to `base` among every callback scheduled with the same timeout until it
 * runs. Sixteen off-screen cards then cost one requestIdleCallback per refresh instead of
 * sixteen (each costs tens of microseconds in the refresh's frame), and they all catch up in
 * one idle task, so Svelte renders them together. A callback scheduled while a batch runs goes
 * to the next batch.
 */
export function batchedIdle(base: IdleScheduler): IdleScheduler {
  const batches = new Map<number, { callbacks: Set<() => void>; cancel: () => void }>();
  return (callback, timeout_ms) => {
    let batch = batches.get(timeout_ms);
    if (!batch) {
      const callbacks = new Set<() => void>();
      const cancel = base(() => {
        batches.delete(timeout_ms);
        for (const c of callbacks) c();
      }, timeout_ms);
      batch = { callbacks, cancel };
      batches.set(timeout_ms, batch);
    }
    const own = batch;
    // A wrapper, so that the same function scheduled twice is two entries.
    const entry = () => callback();
    own.callbacks.add(entry);
    return () => {
      own.callbacks.delete(entry);
      if (own.callbacks.size === 0 && batches.get(timeout_ms) === own) {
        batches.delete(timeout_ms);
        own.cancel();
      }
    };
  };
}

export const browserIdle: IdleScheduler = batchedIdle(platformIdle);

export interface CatchUpOptions {
  /** Longest an off-screen section lags behind its source, ms. */
  maxLag_ms?: number;
  idle?: IdleScheduler;
}

/**
 * Hands the newest offered value to `apply`: at once while near the screen, otherwise once, in
 * idle time, however many values were offered meanwhile (only the newest counts).
 */
export class CatchUp<T> {
  readonly #apply: (value: T) => void;
  readonly #idle: IdleScheduler;
  readonly #maxLag_ms: number;
  #near = true;
  #pending: { value: T } | null = null;
  #cancel: (() => void) | null = null;

  constructor(apply: (value: T) => void, options: CatchUpOptions = {}) {
    this.#apply = apply;
    this.#idle = options.idle ?? browserIdle;
    this.#maxLag_ms = options.maxLag_ms ?? 500;
  }

  get near(): boolean {
    return this.#near;
  }

  /** True while a value waits for idle time. */
  get behind(): boolean {
    return this.#pending !== null;
  }

  offer(value: T): void {
    if (this.#near) {
      this.#drop();
      this.#apply(value);
      return;
    }
    this.#pending = { value };
    this.#cancel ??= this.#idle(() => {
      this.#cancel = null;
      this.flush();
    }, this.#maxLag_ms);
  }

  /** From an IntersectionObserver: coming near the viewport applies a waiting value at once. */
  setNear(near: boolean): void {
    this.#near = near;
    if (near) this.flush();
  }

  /** Applies a waiting value now (before printing, say). */
  flush(): void {
    const pending = this.#pending;
    this.#drop();
    if (pending) this.#apply(pending.value);
  }

  dispose(): void {
    this.#drop();
  }

  #drop(): void {
    this.#pending = null;
    this.#cancel?.();
    this.#cancel = null;
  }
}

// How much room the app has, and asking the browser not to evict its data. Browsers evict
// "best-effort" origins when the disk runs low (least recently used first); a persisted origin is
// only cleared by the user. Chrome and Edge grant persistence silently to sites that look
// important (installed PWA, bookmarked, notifications); Firefox asks the user; Safari decides alone.
// So the answer may be "denied", and the app records anyway, saying what that means.

/** The part of navigator.storage this module uses; injectable for tests. */
export interface StorageManagerLike {
  estimate?(): Promise<{ usage?: number; quota?: number }>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

export interface StorageUsage {
  /** False when the browser does not report usage (old Safari, some webviews). */
  supported: boolean;
  /** Bytes this origin uses (all its storage, not only IndexedDB); null when unknown. */
  usage_B: number | null;
  /** Bytes the browser will let this origin use; null when unknown. */
  quota_B: number | null;
  /** quota - usage, never negative; null when unknown. */
  free_B: number | null;
  /** usage / quota in 0..1; null when unknown. */
  usedFraction: number | null;
  /** True when the browser promised not to evict the data; null when it cannot say. */
  persisted: boolean | null;
}

export type PersistOutcome =
  | { kind: 'already'; message: string }
  | { kind: 'granted'; message: string }
  | { kind: 'denied'; message: string }
  | { kind: 'unsupported'; message: string };

function defaultManager(): StorageManagerLike | null {
  try {
    const nav = (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator;
    return nav?.storage ?? null;
  } catch {
    return null;
  }
}

export class Persistence {
  readonly #manager: StorageManagerLike | null;
  #asked: Promise<PersistOutcome> | null = null;

  constructor(manager: StorageManagerLike | null = defaultManager()) {
    this.#manager = manager;
  }

  async estimate(): Promise<StorageUsage> {
    const m = this.#manager;
    const persisted = await this.persisted();
    if (!m?.estimate) return { supported: false, usage_B: null, quota_B: null, free_B: null, usedFraction: null, persisted };
    try {
      const e = await m.estimate();
      const usage = typeof e.usage === 'number' && Number.isFinite(e.usage) ? e.usage : null;
      const quota = typeof e.quota === 'number' && Number.isFinite(e.quota) && e.quota > 0 ? e.quota : null;
      return {
        supported: usage !== null || quota !== null,
        usage_B: usage,
        quota_B: quota,
        free_B: usage !== null && quota !== null ? Math.max(0, quota - usage) : null,
        usedFraction: usage !== null && quota !== null ? Math.min(1, usage / quota) : null,
        persisted
      };
    } catch {
      return { supported: false, usage_B: null, quota_B: null, free_B: null, usedFraction: null, persisted };
    }
  }

  async persisted(): Promise<boolean | null> {
    const m = this.#manager;
    if (!m?.persisted) return null;
    try {
      return await m.persisted();
    } catch {
      return null;
    }
  }

  /**
   * Asks once per page for persistent storage (later calls return the first answer). Never throws.
   * Call it from a user action where possible: Firefox shows a prompt, others decide silently.
   */
  request(): Promise<PersistOutcome> {
    this.#asked ??= this.#request();
    return this.#asked;
  }

  async #request(): Promise<PersistOutcome> {
    const m = this.#manager;
    if (!m?.persist) return { kind: 'unsupported', message: 'This browser cannot promise to keep the data; it may clear it when the disk runs low.' };
    if ((await this.persisted()) === true) return { kind: 'already', message: 'The browser keeps this app’s data until you clear it.' };
    try {
      if (await m.persist()) return { kind: 'granted', message: 'The browser will keep this app’s data until you clear it.' };
    } catch {
      // Treated like a refusal.
    }
    return {
      kind: 'denied',
      message:
        'The browser did not promise to keep the data: it may clear recordings when the disk runs low. ' +
        'Installing the app or bookmarking it makes Chrome and Edge more likely to agree; export what matters.'
    };
  }
}

// A note, written before FF 50 and kept until the pack is known to be fine, of which pack was
// being flashed with which image. When a pack is found waiting in its bootloader on the next
// connect (the tab was closed, the cable pulled, the power cut), the journal says what it was
// and which cached image restarts the update. localStorage is enough for a few hundred bytes and
// survives a crash of the tab; any get/set/remove store works (a Map in tests).

import type { PackEndState } from './update-state';

export interface FlashJournalEntry {
  readonly id: string;
  readonly address: number;
  readonly model: string;
  readonly board: string | null;
  readonly bmsSerial: string | null;
  readonly fromVersion: string | null;
  readonly targetVersion: string;
  /** Cache key of the file the image came from. */
  readonly imageSha256: string;
  readonly fileName: string;
  readonly profileId: string;
  /** Wall-clock time the update started (epoch ms). */
  readonly startedAt_ms: number;
  /** How far it got: FF 50 sent, blocks going out, image accepted. */
  readonly stage: 'entering' | 'transferring' | 'committed';
  /** Set when the update ended without knowing the pack is fine. */
  readonly outcome: PackEndState | null;
}

/** The subset of the Web Storage API the journal uses; window.localStorage fits. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface FlashJournal {
  begin(entry: Omit<FlashJournalEntry, 'id' | 'stage' | 'outcome'>): Promise<FlashJournalEntry>;
  update(id: string, change: Partial<Pick<FlashJournalEntry, 'stage' | 'outcome'>>): Promise<void>;
  /** The pack is fine (updated, or back on its old firmware): forget the entry. */
  finish(id: string): Promise<void>;
  /** Updates that did not end cleanly, newest first. */
  pending(): Promise<FlashJournalEntry[]>;
}

export const JOURNAL_KEY = 'packservice.firmware.journal';

const STAGES = new Set(['entering', 'transferring', 'committed']);
const OUTCOMES = new Set(['untouched', 'old-firmware', 'new-firmware-unconfirmed', 'unexpected-version', 'in-bootloader', 'unknown']);

function isEntry(v: unknown): v is FlashJournalEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  const str = (k: string) => typeof e[k] === 'string';
  const strOrNull = (k: string) => e[k] === null || typeof e[k] === 'string';
  return (
    str('id') &&
    Number.isInteger(e.address) &&
    str('model') &&
    strOrNull('board') &&
    strOrNull('bmsSerial') &&
    strOrNull('fromVersion') &&
    str('targetVersion') &&
    typeof e.imageSha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(e.imageSha256) &&
    str('fileName') &&
    str('profileId') &&
    typeof e.startedAt_ms === 'number' &&
    STAGES.has(e.stage as string) &&
    (e.outcome === null || OUTCOMES.has(e.outcome as string))
  );
}

/** A journal in a Web-Storage-like store, under one key. Entries that do not parse are dropped. */
export class StorageFlashJournal implements FlashJournal {
  readonly #storage: StorageLike;
  readonly #key: string;
  readonly #now: () => number;
  #counter = 0;

  constructor(storage: StorageLike, options: { key?: string; now_ms?: () => number } = {}) {
    this.#storage = storage;
    this.#key = options.key ?? JOURNAL_KEY;
    this.#now = options.now_ms ?? Date.now;
  }

  #read(): FlashJournalEntry[] {
    let raw: string | null;
    try {
      raw = this.#storage.getItem(this.#key);
    } catch {
      return [];
    }
    if (!raw) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  #write(entries: FlashJournalEntry[]): void {
    if (entries.length === 0) this.#storage.removeItem(this.#key);
    else this.#storage.setItem(this.#key, JSON.stringify(entries));
  }

  async begin(entry: Omit<FlashJournalEntry, 'id' | 'stage' | 'outcome'>): Promise<FlashJournalEntry> {
    const full: FlashJournalEntry = {
      ...entry,
      id: `${this.#now().toString(36)}-${(this.#counter++).toString(36)}`,
      stage: 'entering',
      outcome: null
    };
    // One entry per pack address: a new update of the same pack replaces an older note.
    this.#write([...this.#read().filter((e) => e.address !== entry.address), full]);
    return full;
  }

  async update(id: string, change: Partial<Pick<FlashJournalEntry, 'stage' | 'outcome'>>): Promise<void> {
    this.#write(this.#read().map((e) => (e.id === id ? { ...e, ...change } : e)));
  }

  async finish(id: string): Promise<void> {
    this.#write(this.#read().filter((e) => e.id !== id));
  }

  async pending(): Promise<FlashJournalEntry[]> {
    return this.#read().sort((a, b) => b.startedAt_ms - a.startedAt_ms);
  }
}

/** A StorageLike in memory (tests; a browser without localStorage). */
export class MemoryStorage implements StorageLike {
  readonly #map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.#map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#map.set(key, value);
  }
  removeItem(key: string): void {
    this.#map.delete(key);
  }
}

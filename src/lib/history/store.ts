// The narrow storage interface the history reader and the clear gate need. The IndexedDB store
// (src/lib/storage) implements it; MemoryHistoryStore is the reference implementation the tests
// use, and store-contract.ts is the suite both must pass.

import { historyRecordKey, type PackHistoryRecord } from './record';

/** What the store holds of one device's history (device = BMS serial number). */
export interface HistoryCoverage {
  /** historyRecordKey() of every stored record. */
  keys: ReadonlySet<string>;
  /**
   * The stored records are everything the pack held at the last read: that read reached the end
   * of the pack's log, or met records already stored while the copy was complete. False after a
   * read that was cancelled, failed or capped once it had added records (there may be a gap).
   */
  complete: boolean;
  /** Goes up by one with every putMany() that adds a record; 0 when nothing was ever added. */
  revision: number;
  /** The revision the last export of this device's whole history covered; null when never exported. */
  exportedRevision: number | null;
}

export interface HistoryStore {
  coverage(device: string): Promise<HistoryCoverage>;
  /**
   * Add records; those whose key is already stored are skipped (reading twice adds nothing).
   * Either all new records of the call are stored or none (a quota error throws and loses nothing).
   */
  putMany(device: string, records: readonly PackHistoryRecord[]): Promise<{ added: number }>;
  setComplete(device: string, complete: boolean): Promise<void>;
}

/** A store that can also say what it holds and record an export (the pages and tests need these). */
export interface HistoryArchive extends HistoryStore {
  /** The device's records, newest first (pack time, then key, descending). */
  records(device: string): Promise<PackHistoryRecord[]>;
  /** Call after an export that held every stored record of the device. */
  markExported(device: string, revision: number): Promise<void>;
}

interface DeviceEntry {
  records: Map<string, PackHistoryRecord>;
  complete: boolean;
  revision: number;
  exportedRevision: number | null;
}

/** Newest first; records of the same second by key, so the order never depends on insertion. */
export function compareNewestFirst(a: PackHistoryRecord, b: PackHistoryRecord): number {
  if (a.packTime_ms !== b.packTime_ms) return b.packTime_ms - a.packTime_ms;
  const ka = historyRecordKey(a);
  const kb = historyRecordKey(b);
  return ka < kb ? 1 : ka > kb ? -1 : 0;
}

export class MemoryHistoryStore implements HistoryArchive {
  readonly #devices = new Map<string, DeviceEntry>();
  /** Tests: make the next putMany() fail like a full disk. */
  failNextPut: Error | null = null;

  #entry(device: string): DeviceEntry {
    let e = this.#devices.get(device);
    if (!e) {
      e = { records: new Map(), complete: false, revision: 0, exportedRevision: null };
      this.#devices.set(device, e);
    }
    return e;
  }

  async coverage(device: string): Promise<HistoryCoverage> {
    const e = this.#devices.get(device);
    if (!e) return { keys: new Set(), complete: false, revision: 0, exportedRevision: null };
    return { keys: new Set(e.records.keys()), complete: e.complete, revision: e.revision, exportedRevision: e.exportedRevision };
  }

  async putMany(device: string, records: readonly PackHistoryRecord[]): Promise<{ added: number }> {
    if (this.failNextPut) {
      const err = this.failNextPut;
      this.failNextPut = null;
      throw err;
    }
    const e = this.#entry(device);
    const fresh = new Map<string, PackHistoryRecord>();
    for (const r of records) {
      const key = historyRecordKey(r);
      if (!e.records.has(key) && !fresh.has(key)) fresh.set(key, structuredClone(r));
    }
    for (const [key, r] of fresh) e.records.set(key, r);
    if (fresh.size > 0) e.revision++;
    return { added: fresh.size };
  }

  async setComplete(device: string, complete: boolean): Promise<void> {
    this.#entry(device).complete = complete;
  }

  async records(device: string): Promise<PackHistoryRecord[]> {
    const e = this.#devices.get(device);
    return e ? [...e.records.values()].map((r) => structuredClone(r)).sort(compareNewestFirst) : [];
  }

  async markExported(device: string, revision: number): Promise<void> {
    this.#entry(device).exportedRevision = revision;
  }
}

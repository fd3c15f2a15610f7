// The packs' own event records (A1H), kept per device without duplicates. A record's key is
// [device, record time, SHA-256 of its bytes], so reading the log again (the pack numbers records
// from the newest, so the same record comes back under another index) adds nothing, while two
// different records stamped with the same second are both kept. The pack's clock has no time zone:
// time_ms is its reading taken as UTC, for sorting and ranges; show `time` as the pack said it.

import type { BmsDateTime } from '../protocol/commands/datetime';
import { dateTimeProblem } from '../protocol/commands/datetime';
import type { HistoryRecord } from '../protocol/commands/history';
import type { Database } from './database';
import { StorageError } from './errors';
import { sha256Hex } from './hash';
import type { HistoryEntryRecord } from './records';

export interface HistoryInput {
  record: HistoryRecord;
  /** The record's INFO bytes as received. */
  raw: Uint8Array;
  address: number;
  /** When it was read (Unix epoch ms). */
  readAt_ms: number;
}

export interface HistoryAddResult {
  added: number;
  duplicates: number;
}

export interface HistoryFilter {
  device?: string;
  /** Pack-clock range (time_ms). */
  from_ms?: number;
  to_ms?: number;
  /** Default 'newest' first. */
  order?: 'newest' | 'oldest';
  limit?: number;
}

/** Records per transaction: a failure (full disk) keeps every earlier batch. */
const BATCH = 200;

export function packTimeToMs(t: BmsDateTime): number {
  const ms = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return Number.isFinite(ms) ? ms : 0;
}

export class HistoryRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  /**
   * Stores records of one device, skipping those already stored. Records go in batches of 200,
   * each its own transaction: if one fails (quota), the batches before it stay stored, and running
   * the same call again later stores only what is missing.
   */
  async addMany(device: string, items: readonly HistoryInput[]): Promise<HistoryAddResult> {
    if (!device) throw new StorageError('invalid', 'History records need a device key.');
    // Hash before any transaction: awaiting Web Crypto inside one would let it commit early.
    const entries: HistoryEntryRecord[] = [];
    for (const it of items) {
      if (!(it.raw instanceof Uint8Array)) throw new StorageError('invalid', 'A history record needs its raw bytes.');
      entries.push({
        device,
        time_ms: packTimeToMs(it.record.time),
        hash: await sha256Hex(it.raw),
        time: { ...it.record.time },
        timeValid: dateTimeProblem(it.record.time) === null,
        record: it.record,
        raw: new Uint8Array(it.raw),
        address: it.address,
        readAt_ms: it.readAt_ms
      });
    }
    let added = 0;
    let duplicates = 0;
    const seen = new Set<string>();
    for (let i = 0; i < entries.length; i += BATCH) {
      const part = entries.slice(i, i + BATCH);
      const r = await this.#db.run(['history'], 'readwrite', 'saving history records', async (tx) => {
        const store = tx.objectStore('history');
        // All lookups first, then all puts: requests queue in one go instead of one round trip each.
        const stored = await Promise.all(part.map((e) => store.getKey([device, e.time_ms, e.hash])));
        let a = 0;
        let d = 0;
        const puts: Promise<unknown>[] = [];
        part.forEach((e, j) => {
          const id = `${e.time_ms}|${e.hash}`;
          if (seen.has(id) || stored[j] !== undefined) {
            d++;
            return;
          }
          seen.add(id);
          puts.push(store.put(e));
          a++;
        });
        await Promise.all(puts);
        return { a, d };
      });
      added += r.a;
      duplicates += r.d;
    }
    return { added, duplicates };
  }

  /** Records matching the filter (newest first by default). */
  async list(filter: HistoryFilter = {}): Promise<HistoryEntryRecord[]> {
    const out: HistoryEntryRecord[] = [];
    for await (const e of this.iterate(filter)) {
      out.push(e);
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  /** The same, read a page at a time (for exports of any size). */
  async *iterate(filter: HistoryFilter = {}): AsyncGenerator<HistoryEntryRecord> {
    const from = filter.from_ms ?? -Infinity;
    const to = filter.to_ms ?? Infinity;
    const newest = (filter.order ?? 'newest') === 'newest';
    const page = 256;
    let after: [string, number, string] | null = null;
    for (;;) {
      const rows: HistoryEntryRecord[] = await this.#db.run(['history'], 'readonly', 'reading history records', async (tx) => {
        const store = tx.objectStore('history');
        // By device: the primary key [device, time, hash]; across devices: the time index.
        const source = filter.device === undefined ? store.index('time_ms') : store;
        const lo: IDBValidKey = filter.device === undefined ? from : [filter.device, from];
        const hi: IDBValidKey = filter.device === undefined ? to : [filter.device, to, []];
        const skip = after;
        const resume: IDBValidKey | null = skip === null ? null : filter.device === undefined ? skip[1] : skip;
        const range = resume === null ? IDBKeyRange.bound(lo, hi) : newest ? IDBKeyRange.bound(lo, resume) : IDBKeyRange.bound(resume, hi);
        const got: HistoryEntryRecord[] = [];
        let cursor = await source.openCursor(range, newest ? 'prev' : 'next');
        // Resume after the last record of the previous page (its primary key identifies it).
        if (skip !== null) {
          while (cursor && indexedDB.cmp(cursor.primaryKey, skip) !== 0) cursor = await cursor.continue();
          if (cursor) cursor = await cursor.continue();
        }
        while (cursor && got.length < page) {
          got.push(cursor.value);
          cursor = await cursor.continue();
        }
        return got;
      });
      for (const r of rows) yield r;
      if (rows.length < page) return;
      const last = rows[rows.length - 1];
      after = [last.device, last.time_ms, last.hash];
    }
  }

  async count(device?: string): Promise<number> {
    return this.#db.run(['history'], 'readonly', 'counting history records', (tx) => {
      const store = tx.objectStore('history');
      return device === undefined ? store.count() : store.count(IDBKeyRange.bound([device, -Infinity], [device, Infinity, []]));
    });
  }

  /** Deletes this app's stored copy of one device's records (not the pack's). */
  async deleteDevice(device: string): Promise<void> {
    await this.#db.run(['history'], 'readwrite', 'deleting history records', (tx) =>
      tx.objectStore('history').delete(IDBKeyRange.bound([device, -Infinity], [device, Infinity, []]))
    );
  }
}

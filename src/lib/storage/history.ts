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

/**
 * What this app knows about its copy of one device's history, beside the records: whether the
 * copy is the pack's whole log (the last read reached its end), a counter that goes up with every
 * add that stored something, and the counter's value the last whole export covered. The clear
 * gate of the history engine decides from these; kept in `kv` under HISTORY_STATE_PREFIX + device
 * and written in the same transaction as the records they describe.
 */
export interface HistoryCopyState {
  complete: boolean;
  revision: number;
  exportedRevision: number | null;
}

export const HISTORY_STATE_PREFIX = 'history.state.';

const EMPTY_STATE: HistoryCopyState = { complete: false, revision: 0, exportedRevision: null };

function stateFromJson(v: unknown): HistoryCopyState {
  if (typeof v !== 'object' || v === null) return { ...EMPTY_STATE };
  const o = v as Record<string, unknown>;
  const revision = Number.isInteger(o.revision) && (o.revision as number) >= 0 ? (o.revision as number) : 0;
  const exported = Number.isInteger(o.exportedRevision) ? (o.exportedRevision as number) : null;
  return { complete: o.complete === true, revision, exportedRevision: exported };
}

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
   * the same call again later stores only what is missing. Each batch that stores something moves
   * the copy's revision on (HistoryCopyState).
   */
  async addMany(device: string, items: readonly HistoryInput[]): Promise<HistoryAddResult> {
    if (!device) throw new StorageError('invalid', 'History records need a device key.');
    const entries = await this.#entries(device, items);
    let added = 0;
    let duplicates = 0;
    const seen = new Set<string>();
    for (let i = 0; i < entries.length; i += BATCH) {
      const part = entries.slice(i, i + BATCH);
      const r = await this.#db.run(['history', 'kv'], 'readwrite', 'saving history records', async (tx) => {
        const store = tx.objectStore('history');
        const kv = tx.objectStore('kv');
        // All lookups first, then all puts: requests queue in one go instead of one round trip each.
        const [stored, rec] = await Promise.all([
          Promise.all(part.map((e) => store.getKey([device, e.time_ms, e.hash]))),
          kv.get(HISTORY_STATE_PREFIX + device)
        ]);
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
        // Stored records the last export did not hold: the copy's revision moves on (see HistoryCopyState).
        if (a > 0) {
          const state = stateFromJson(rec?.value);
          puts.push(kv.put({ key: HISTORY_STATE_PREFIX + device, value: { ...state, revision: state.revision + 1 }, updated_ms: Date.now() }));
        }
        await Promise.all(puts);
        return { a, d };
      });
      added += r.a;
      duplicates += r.d;
    }
    return { added, duplicates };
  }

  /**
   * Stores the new records of one call in ONE transaction, together with the copy's state (its
   * revision goes up by one when anything was added): either every new record is stored or, on
   * any failure (a full disk), none of them and the state is unchanged. For reads of a page of
   * records at a time (the history reader's pages are a few records); addMany suits large imports.
   */
  async addAll(device: string, items: readonly HistoryInput[]): Promise<HistoryAddResult & { state: HistoryCopyState }> {
    if (!device) throw new StorageError('invalid', 'History records need a device key.');
    const entries = await this.#entries(device, items);
    return this.#db.run(['history', 'kv'], 'readwrite', 'saving history records', async (tx) => {
      const store = tx.objectStore('history');
      const kv = tx.objectStore('kv');
      const [stored, rec] = await Promise.all([
        Promise.all(entries.map((e) => store.getKey([device, e.time_ms, e.hash]))),
        kv.get(HISTORY_STATE_PREFIX + device)
      ]);
      const seen = new Set<string>();
      const puts: Promise<unknown>[] = [];
      let duplicates = 0;
      entries.forEach((e, j) => {
        const id = `${e.time_ms}|${e.hash}`;
        if (seen.has(id) || stored[j] !== undefined) {
          duplicates++;
          return;
        }
        seen.add(id);
        puts.push(store.put(e));
      });
      let state = stateFromJson(rec?.value);
      if (puts.length > 0) {
        state = { ...state, revision: state.revision + 1 };
        puts.push(kv.put({ key: HISTORY_STATE_PREFIX + device, value: { ...state }, updated_ms: Date.now() }));
      }
      await Promise.all(puts);
      return { added: seen.size, duplicates, state };
    });
  }

  /** The copy's state (see HistoryCopyState); the empty state for a device never stored. */
  async copyState(device: string): Promise<HistoryCopyState> {
    const rec = await this.#db.run(['kv'], 'readonly', 'reading the history state', (tx) => tx.objectStore('kv').get(HISTORY_STATE_PREFIX + device));
    return stateFromJson(rec?.value);
  }

  /** Changes the copy's complete flag and/or export mark (not its revision, which only adds move). */
  async updateCopyState(device: string, change: Partial<Pick<HistoryCopyState, 'complete' | 'exportedRevision'>>): Promise<HistoryCopyState> {
    if (!device) throw new StorageError('invalid', 'History state needs a device key.');
    return this.#db.run(['kv'], 'readwrite', 'saving the history state', async (tx) => {
      const kv = tx.objectStore('kv');
      const state = { ...stateFromJson((await kv.get(HISTORY_STATE_PREFIX + device))?.value), ...change };
      await kv.put({ key: HISTORY_STATE_PREFIX + device, value: { ...state }, updated_ms: Date.now() });
      return state;
    });
  }

  async #entries(device: string, items: readonly HistoryInput[]): Promise<HistoryEntryRecord[]> {
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
    return entries;
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

  /** Deletes this app's stored copy of one device's records (not the pack's), and its state. */
  async deleteDevice(device: string): Promise<void> {
    await this.#db.run(['history', 'kv'], 'readwrite', 'deleting history records', async (tx) => {
      await tx.objectStore('history').delete(IDBKeyRange.bound([device, -Infinity], [device, Infinity, []]));
      await tx.objectStore('kv').delete(HISTORY_STATE_PREFIX + device);
    });
  }

  /** Devices with stored records, and how many each. */
  async devices(): Promise<Map<string, number>> {
    const keys = await this.#db.run(['history'], 'readonly', 'listing history records', (tx) => tx.objectStore('history').getAllKeys());
    const out = new Map<string, number>();
    for (const k of keys) out.set(k[0], (out.get(k[0]) ?? 0) + 1);
    return out;
  }
}

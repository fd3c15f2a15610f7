// The log of every write to a pack: what, which pack, old → new, what was read back, the result.
// Append-only from the app's side; entries are never edited.

import type { Database } from './database';
import { StorageError } from './errors';
import { jsonProblem } from './json';
import type { WriteLogRecord } from './records';

export type WriteLogInput = Omit<WriteLogRecord, 'id'>;

const RESULTS = new Set<WriteLogRecord['result']>(['ok', 'mismatch', 'failed', 'not-confirmed', 'refused']);

export class WriteLogRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async add(entry: WriteLogInput): Promise<number> {
    if (!entry.device) throw new StorageError('invalid', 'A write-log entry needs a device key.');
    if (!entry.what) throw new StorageError('invalid', 'A write-log entry needs to say what was written.');
    if (!Number.isFinite(entry.t_ms)) throw new StorageError('invalid', 'A write-log entry needs a time.');
    if (!RESULTS.has(entry.result)) throw new StorageError('invalid', `Unknown write result "${String(entry.result)}".`);
    for (const [field, v] of [
      ['old', entry.old],
      ['new', entry.new],
      ['readBack', entry.readBack],
      ['detail', entry.detail ?? null]
    ] as const) {
      const p = jsonProblem(v, field);
      if (p) throw new StorageError('invalid', `Write-log ${field} is not plain JSON: ${p}`);
    }
    return this.#db.run(['writeLog'], 'readwrite', 'saving the write log', (tx) => tx.objectStore('writeLog').add(entry as WriteLogRecord));
  }

  /** Entries, newest first; of one device and/or time range when given. */
  async list(filter: { device?: string; from_ms?: number; to_ms?: number; limit?: number } = {}): Promise<WriteLogRecord[]> {
    const out: WriteLogRecord[] = [];
    for await (const e of this.iterate(filter)) {
      out.push(e);
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  /** The same, newest first, a page at a time. */
  async *iterate(filter: { device?: string; from_ms?: number; to_ms?: number } = {}): AsyncGenerator<WriteLogRecord> {
    const from = filter.from_ms ?? -Infinity;
    let to = filter.to_ms ?? Infinity;
    let beforeId = Infinity;
    for (;;) {
      const page = await this.#db.run(['writeLog'], 'readonly', 'reading the write log', async (tx) => {
        const store = tx.objectStore('writeLog');
        const range = filter.device === undefined ? IDBKeyRange.bound(from, to) : IDBKeyRange.bound([filter.device, from], [filter.device, to]);
        const source = filter.device === undefined ? store.index('t_ms') : store.index('device_time');
        const got: WriteLogRecord[] = [];
        let c = await source.openCursor(range, 'prev');
        while (c && got.length < 256) {
          // Entries at the page boundary's time with ids already returned are skipped.
          if (!(c.value.t_ms === to && c.value.id >= beforeId)) got.push(c.value);
          c = await c.continue();
        }
        return got;
      });
      for (const e of page) yield e;
      if (page.length < 256) return;
      const last = page[page.length - 1];
      to = last.t_ms;
      beforeId = last.id;
    }
  }
}

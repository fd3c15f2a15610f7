// Parameter snapshots: a pack's values before every write (and on request), so any write can be
// compared and undone. Values are plain JSON per parameter group, as the parameter layer shapes
// them; the raw frames they were decoded from are kept so a later decoder can read them again.

import type { Database } from './database';
import { StorageError } from './errors';
import { jsonProblem } from './json';
import type { SnapshotRecord } from './records';

export type SnapshotInput = Omit<SnapshotRecord, 'id'>;

export class SnapshotRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores a snapshot; resolves with its id once it is committed (write only after that). */
  async add(input: SnapshotInput): Promise<number> {
    if (!input.device) throw new StorageError('invalid', 'A snapshot needs a device key.');
    if (!Number.isFinite(input.taken_ms)) throw new StorageError('invalid', 'A snapshot needs the time it was taken.');
    const problem = jsonProblem(input.values, 'values');
    if (problem) throw new StorageError('invalid', `Snapshot values are not plain JSON: ${problem}`);
    for (const f of input.frames)
      if (!(f.bytes instanceof Uint8Array)) throw new StorageError('invalid', `Snapshot frame "${f.label}" has no bytes.`);
    const record = { ...input, frames: input.frames.map((f) => ({ label: f.label, bytes: new Uint8Array(f.bytes) })) };
    return this.#db.run(['snapshots'], 'readwrite', 'saving a parameter snapshot', async (tx) => {
      // autoIncrement assigns the id; the record type has it as required, so add without it.
      const id = await tx.objectStore('snapshots').add(record as SnapshotRecord);
      return id;
    });
  }

  async get(id: number): Promise<SnapshotRecord | null> {
    return (await this.#db.run(['snapshots'], 'readonly', 'reading a snapshot', (tx) => tx.objectStore('snapshots').get(id))) ?? null;
  }

  /** Snapshots, newest first; of one device when given. */
  async list(filter: { device?: string; limit?: number } = {}): Promise<SnapshotRecord[]> {
    return this.#db.run(['snapshots'], 'readonly', 'listing snapshots', async (tx) => {
      const store = tx.objectStore('snapshots');
      const cursorSource = filter.device === undefined ? store.index('taken_ms') : store.index('device_time');
      const range = filter.device === undefined ? null : IDBKeyRange.bound([filter.device, -Infinity], [filter.device, Infinity]);
      const out: SnapshotRecord[] = [];
      let c = await cursorSource.openCursor(range, 'prev');
      while (c && (filter.limit === undefined || out.length < filter.limit)) {
        out.push(c.value);
        c = await c.continue();
      }
      return out;
    });
  }

  /** The newest snapshot of a device (optionally of one reason), or null. */
  async latest(device: string, reason?: SnapshotRecord['reason']): Promise<SnapshotRecord | null> {
    for (const s of await this.list({ device })) if (reason === undefined || s.reason === reason) return s;
    return null;
  }

  async delete(id: number): Promise<void> {
    await this.#db.run(['snapshots'], 'readwrite', 'deleting a snapshot', (tx) => tx.objectStore('snapshots').delete(id));
  }
}

// Saved reports (diagnose reports made here or opened from a file). The list shows a small
// summary; the body (which can hold every raw frame of a session) is only read when opened.

import type { Database } from './database';
import { StorageError } from './errors';
import { jsonProblem, type JsonObject, type JsonValue } from './json';
import type { ReportRecord } from './records';

export interface ReportInput {
  created_ms: number;
  kind: string;
  title: string;
  ticket: string | null;
  summary: JsonObject;
}

export class ReportRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async add(meta: ReportInput, body: JsonValue): Promise<number> {
    if (!meta.kind || !meta.title) throw new StorageError('invalid', 'A report needs a kind and a title.');
    for (const [field, v] of [
      ['summary', meta.summary],
      ['body', body]
    ] as const) {
      const p = jsonProblem(v, field);
      if (p) throw new StorageError('invalid', `Report ${field} is not plain JSON: ${p}`);
    }
    const size_B = new TextEncoder().encode(JSON.stringify(body)).length;
    return this.#db.run(['reports', 'reportBodies'], 'readwrite', 'saving a report', async (tx) => {
      const id = await tx.objectStore('reports').add({ ...meta, size_B } as ReportRecord);
      await tx.objectStore('reportBodies').put({ id, body });
      return id;
    });
  }

  /** Reports, newest first (no bodies). */
  async list(): Promise<ReportRecord[]> {
    const all = await this.#db.run(['reports'], 'readonly', 'listing reports', (tx) => tx.objectStore('reports').index('created_ms').getAll());
    return all.reverse();
  }

  async body(id: number): Promise<JsonValue | null> {
    const rec = await this.#db.run(['reportBodies'], 'readonly', 'reading a report', (tx) => tx.objectStore('reportBodies').get(id));
    return rec?.body ?? null;
  }

  async delete(id: number): Promise<void> {
    await this.#db.run(['reports', 'reportBodies'], 'readwrite', 'deleting a report', async (tx) => {
      await Promise.all([tx.objectStore('reports').delete(id), tx.objectStore('reportBodies').delete(id)]);
    });
  }
}

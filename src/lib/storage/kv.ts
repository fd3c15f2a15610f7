// A small key/value store for settings that belong with the data rather than in localStorage:
// the installer PIN hash, extension profiles, the retention setting. Values are plain JSON. Keys
// are namespaced by the owner ("installer.pinHash", "extensions.profiles", "telemetry.retention").
// typedKey() gives one key a checked type, so a malformed stored value reads as the fallback
// instead of reaching the page.

import type { Database } from './database';
import { StorageError } from './errors';
import { jsonProblem, type JsonValue } from './json';

export class KvRepository {
  readonly #db: Database;
  readonly #now: () => number;
  constructor(db: Database, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  async get(key: string): Promise<JsonValue | undefined> {
    const rec = await this.#db.run(['kv'], 'readonly', `reading setting ${key}`, (tx) => tx.objectStore('kv').get(key));
    return rec?.value;
  }

  async set(key: string, value: JsonValue): Promise<void> {
    if (!key) throw new StorageError('invalid', 'A setting needs a key.');
    const problem = jsonProblem(value, key);
    if (problem) throw new StorageError('invalid', `Setting ${key} is not plain JSON: ${problem}`);
    await this.#db.run(['kv'], 'readwrite', `saving setting ${key}`, async (tx) => {
      await tx.objectStore('kv').put({ key, value, updated_ms: this.#now() });
    });
  }

  async delete(key: string): Promise<void> {
    await this.#db.run(['kv'], 'readwrite', `deleting setting ${key}`, (tx) => tx.objectStore('kv').delete(key));
  }

  /** Keys starting with `prefix`. */
  async keys(prefix = ''): Promise<string[]> {
    const all = await this.#db.run(['kv'], 'readonly', 'listing settings', (tx) => tx.objectStore('kv').getAllKeys());
    return all.filter((k) => k.startsWith(prefix)).sort();
  }
}

export interface TypedKey<T extends JsonValue> {
  readonly key: string;
  /** The stored value, or the fallback when absent or malformed. */
  get(): Promise<T>;
  set(value: T): Promise<void>;
  delete(): Promise<void>;
}

/** A key whose values pass `guard`; anything else reads as `fallback`. */
export function typedKey<T extends JsonValue>(kv: KvRepository, key: string, guard: (v: JsonValue) => v is T, fallback: T): TypedKey<T> {
  return {
    key,
    async get() {
      const v = await kv.get(key);
      return v !== undefined && guard(v) ? v : fallback;
    },
    async set(value: T) {
      if (!guard(value)) throw new StorageError('invalid', `Setting ${key}: the value does not have the expected shape.`);
      await kv.set(key, value);
    },
    delete: () => kv.delete(key)
  };
}

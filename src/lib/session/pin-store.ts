// The installer PIN's hash, kept in the app's key-value store. Only the salted PBKDF2 hash is
// stored (params/installer.ts); a malformed stored record reads as "no PIN set", so a damaged
// store asks for a new PIN instead of locking the installer out for good.

import type { PinRecord, PinStore } from '$lib/params/installer';
import type { AppStorage, JsonValue } from '$lib/storage';

const KEY = 'installer.pin';

function isPinRecord(v: JsonValue | undefined): v is JsonValue & PinRecord {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const r = v as Record<string, JsonValue>;
  return (
    r.version === 1 &&
    r.algorithm === 'PBKDF2-SHA-256' &&
    typeof r.iterations === 'number' &&
    r.iterations > 0 &&
    typeof r.salt === 'string' &&
    typeof r.hash === 'string'
  );
}

export class KvPinStore implements PinStore {
  readonly #database: () => Promise<AppStorage>;

  constructor(database: () => Promise<AppStorage>) {
    this.#database = database;
  }

  async load(): Promise<PinRecord | null> {
    const v = await (await this.#database()).kv.get(KEY);
    return isPinRecord(v) ? { version: 1, algorithm: 'PBKDF2-SHA-256', iterations: v.iterations, salt: v.salt, hash: v.hash } : null;
  }

  async save(record: PinRecord): Promise<void> {
    await (await this.#database()).kv.set(KEY, { ...record });
  }
}

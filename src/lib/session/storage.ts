// The slice of Web Storage the session uses, injectable so tests pass a Map-backed fake and the
// app survives browsers where localStorage throws (private mode, blocked cookies).

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** window.localStorage when it can be used, else null. Touching it can throw (SecurityError). */
export function browserStorage(): KeyValueStorage | null {
  try {
    if (typeof localStorage === 'undefined') return null;
    return localStorage;
  } catch {
    return null;
  }
}

/** A Map-backed storage for tests and for browsers without usable localStorage. */
export class MemoryStorage implements KeyValueStorage {
  readonly #map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.#map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#map.set(key, String(value));
  }
  removeItem(key: string): void {
    this.#map.delete(key);
  }
}

/** Read a key; a storage that throws reads as empty. */
export function readKey(storage: KeyValueStorage | null, key: string): string | null {
  if (!storage) return null;
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

/** Write a key; returns an error message instead of throwing (quota, blocked storage). */
export function writeKey(storage: KeyValueStorage | null, key: string, value: string | null): string | null {
  if (!storage) return 'This browser does not allow saving settings (storage is blocked); they last until the tab closes.';
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
    return null;
  } catch (e) {
    return `Could not save settings: ${e instanceof Error ? e.message : String(e)}`;
  }
}

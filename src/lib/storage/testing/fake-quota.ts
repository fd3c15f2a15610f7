// A full disk for fake-indexeddb, for tests: once the budget is spent, every further put/add fails
// inside IndexedDB the way a browser's does: the request errors with a QuotaExceededError (or the
// name given, e.g. Firefox's NS_ERROR_DOM_QUOTA_REACHED), and the transaction aborts with it,
// rolling back everything it wrote. The spec and Chrome report it on the transaction; this fails
// the request first, which aborts the transaction all the same.
//
// It patches fake-indexeddb's internal record store (the one function every put/add runs through),
// so it sits below idb and below our code, which therefore runs unchanged. Test-only.

import { IDBObjectStore as FakeObjectStore } from 'fake-indexeddb';
import { serialize } from 'node:v8';

interface RawRecord {
  key: unknown;
  value: unknown;
}

interface RawObjectStore {
  storeRecord(record: RawRecord, noOverwrite: boolean, rollbackLog?: (() => void)[]): unknown;
}

export interface FakeQuota {
  /** Puts that succeeded so far. */
  readonly writes: number;
  /** Bytes (structured-clone size of value and key) of the puts that succeeded and were not rolled back. */
  readonly used_B: number;
  /** Puts refused so far. */
  readonly refused: number;
  /** Lets every write through again (space was freed). */
  lift(): void;
  /** Puts the original store function back. */
  restore(): void;
}

export interface FakeQuotaOptions {
  /** Refuse every put after this many successful ones. */
  failAfterWrites?: number;
  /** Refuse a put that would take the bytes used above this. */
  budget_B?: number;
  /** DOMException name to fail with. Default 'QuotaExceededError'. */
  errorName?: string;
}

/** The prototype every raw object store shares, found through a throwaway database. */
async function rawStorePrototype(): Promise<RawObjectStore> {
  const name = `fake-quota-probe-${Math.random().toString(36).slice(2)}`;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('s');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const store = db.transaction('s', 'readonly').objectStore('s');
  if (!(store instanceof FakeObjectStore)) throw new Error('fake quota: indexedDB is not fake-indexeddb');
  const raw = (store as unknown as { _rawObjectStore: RawObjectStore })._rawObjectStore;
  db.close();
  await new Promise<void>((resolve) => {
    const del = indexedDB.deleteDatabase(name);
    del.onsuccess = del.onerror = () => resolve();
  });
  return Object.getPrototypeOf(raw) as RawObjectStore;
}

export async function installFakeQuota(options: FakeQuotaOptions): Promise<FakeQuota> {
  const proto = await rawStorePrototype();
  const original = proto.storeRecord;
  let writes = 0;
  let used = 0;
  let refused = 0;
  let lifted = false;
  const errorName = options.errorName ?? 'QuotaExceededError';
  proto.storeRecord = function (this: RawObjectStore, record: RawRecord, noOverwrite: boolean, rollbackLog?: (() => void)[]) {
    // A rollback puts the overwritten record back without a log: that is freeing, not using, space.
    if (rollbackLog === undefined) return original.call(this, record, noOverwrite, rollbackLog);
    const size = serialize(record.value).length + serialize(record.key).length;
    const overCount = options.failAfterWrites !== undefined && writes >= options.failAfterWrites;
    const overBytes = options.budget_B !== undefined && used + size > options.budget_B;
    if (!lifted && (overCount || overBytes)) {
      refused++;
      throw new DOMException('The quota has been exceeded (fake).', errorName);
    }
    const result = original.call(this, record, noOverwrite, rollbackLog);
    writes++;
    used += size;
    // Rolled back with its transaction: the space is free again.
    rollbackLog?.push(() => {
      used -= size;
    });
    return result;
  };
  return {
    get writes() {
      return writes;
    },
    get used_B() {
      return used;
    },
    get refused() {
      return refused;
    },
    lift() {
      lifted = true;
    },
    restore() {
      proto.storeRecord = original;
    }
  };
}

// Opening the one database: run the migrations a stored older version needs, refuse a newer one
// with a clear error, and step aside when another tab wants to upgrade. Also the one helper every
// repository uses to run a transaction, so that an abort (quota!) always surfaces as the
// transaction's own error, classified, and never as an unhandled rejection of some request.

import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { realClock, type Clock, type TimerId } from '../time/clock';
import { StorageError, errorName, toStorageError } from './errors';
import { DB_NAME, MIGRATIONS, checkMigrations, type Db, type Migration, type PackServiceDB, type StoreName } from './schema';

export interface OpenDatabaseOptions {
  /** Database name. Default "packservice" (tests pass their own). */
  name?: string;
  /** Schema steps; default the app's. Tests pass older or newer lists. */
  migrations?: readonly Migration[];
  /** Another tab holds an older version open; called once while waiting for it. */
  onBlocked?: () => void;
  /** How long to wait for other tabs before giving up with kind 'blocked'. Default 10 000 ms. */
  blockedTimeout_ms?: number;
  /** Time source for the blocked timeout. Default the real clock. */
  clock?: Clock;
  /** This connection was closed (another tab upgraded the schema, or the browser shut it). */
  onClosed?: (error: StorageError) => void;
}

/** An open connection and whether it is still usable. */
export class Database {
  readonly db: Db;
  readonly name: string;
  #closed: StorageError | null = null;
  readonly #onClosed: ((error: StorageError) => void) | undefined;

  constructor(db: Db, name: string, onClosed?: (error: StorageError) => void) {
    this.db = db;
    this.name = name;
    this.#onClosed = onClosed;
  }

  /** Null while open; else why it closed. */
  get closed(): StorageError | null {
    return this.#closed;
  }

  /** Marks the connection unusable (idempotent) and tells the owner. */
  markClosed(error: StorageError): void {
    if (this.#closed) return;
    this.#closed = error;
    this.db.close();
    this.#onClosed?.(error);
  }

  close(): void {
    this.markClosed(new StorageError('closed', 'The storage was closed by the app.'));
  }

  /** Throws the reason when closed; repositories call it before each transaction. */
  ensureOpen(): void {
    if (this.#closed) throw this.#closed;
  }

  /**
   * Runs `body` in one transaction over `stores` and resolves once it has committed. On any
   * failure nothing `body` wrote is kept (IndexedDB rolls the transaction back) and the error is a
   * StorageError; `doing` names the work for the message.
   */
  async run<S extends StoreName, M extends IDBTransactionMode, T>(
    stores: S[],
    mode: M,
    doing: string,
    body: (tx: IDBPTransaction<PackServiceDB, S[], M>) => Promise<T>
  ): Promise<T> {
    this.ensureOpen();
    let tx: IDBPTransaction<PackServiceDB, S[], M>;
    try {
      tx = this.db.transaction(stores, mode);
    } catch (e) {
      throw this.#classify(e, doing);
    }
    // tx.done must have a handler from the start: when body throws, it still rejects later.
    const done = tx.done.then(
      () => null,
      (e: unknown) => e ?? new Error('transaction aborted')
    );
    let result: T;
    try {
      result = await body(tx);
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // Already finished or aborting: the original error says why.
      }
      await done;
      // A request's AbortError only echoes the transaction's error; prefer the real cause.
      throw this.#classify(tx.error ?? e, doing);
    }
    const failure = await done;
    if (failure !== null) throw this.#classify(tx.error ?? failure, doing);
    return result;
  }

  #classify(e: unknown, doing: string): StorageError {
    if (this.#closed) return this.#closed;
    const err = toStorageError(e, doing);
    if (err.kind === 'closed') this.markClosed(err);
    return err;
  }
}

/** Versions of databases this browser holds, where it can tell (indexedDB.databases()). */
async function storedVersion(name: string): Promise<number | null> {
  try {
    if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return null;
    const all = await indexedDB.databases();
    return all.find((d) => d.name === name)?.version ?? null;
  } catch {
    return null;
  }
}

/** Opens (creating or upgrading) the database. Throws a StorageError. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const name = options.name ?? DB_NAME;
  const migrations = options.migrations ?? MIGRATIONS;
  checkMigrations(migrations);
  if (migrations.length === 0) throw new RangeError('at least one migration is needed');
  const version = migrations[migrations.length - 1].version;
  if (typeof indexedDB === 'undefined') throw new StorageError('unavailable', 'This browser has no IndexedDB, so nothing can be stored.');

  let database: Database | null = null;
  let gaveUp = false;
  let migrationError: unknown = null;
  const clock = options.clock ?? realClock;
  let blockedTimer: TimerId | undefined;
  const opening = openDB<PackServiceDB>(name, version, {
    async upgrade(db, oldVersion, newVersion, tx) {
      // idb does not abort the upgrade when this callback throws: without the abort, the steps
      // done before the error would commit and leave a half-migrated database. The open request
      // reports the abort; the transaction's own promise would otherwise go unhandled.
      tx.done.catch(() => undefined);
      try {
        for (const m of migrations) {
          if (m.version > oldVersion && m.version <= (newVersion ?? version)) {
            await m.run(db as unknown as IDBPDatabase<unknown>, tx as unknown as IDBPTransaction<unknown, string[], 'versionchange'>);
          }
        }
      } catch (e) {
        migrationError = e;
        try {
          tx.abort();
        } catch {
          // Already aborted by the failed request.
        }
      }
    },
    blocked() {
      options.onBlocked?.();
    },
    blocking() {
      // A newer version of the app is opening the database in another tab: get out of its way.
      database?.markClosed(
        new StorageError('closed', 'A newer version of this app was opened in another tab and updated the stored data. Reload this tab.')
      );
    },
    terminated() {
      database?.markClosed(new StorageError('closed', 'The browser closed the database (storage was cleared, or the disk failed). Reload the page.'));
    }
  });

  const timeout = new Promise<never>((_, reject) => {
    blockedTimer = clock.setTimeout(() => {
      gaveUp = true;
      reject(
        new StorageError(
          'blocked',
          'The stored data needs an update, but another tab of this app still has it open. Close the other tabs of this app and reload.'
        )
      );
    }, options.blockedTimeout_ms ?? 10_000);
  });
  // If we gave up waiting, a connection that opens later is closed at once.
  opening.then(
    (db) => {
      if (gaveUp) db.close();
    },
    () => undefined
  );

  let db: Db;
  try {
    db = await Promise.race([opening, timeout]);
  } catch (e) {
    if (e instanceof StorageError) throw e;
    if (migrationError !== null)
      throw new StorageError(
        'failed',
        `Updating the stored data to schema version ${version} failed, so nothing was changed: ${String(migrationError)}. ` +
          'The previous version of the app can still read it.',
        { cause: migrationError }
      );
    if (errorName(e) === 'VersionError') {
      const stored = await storedVersion(name);
      throw new StorageError(
        'version',
        `The data stored in this browser has schema version ${stored ?? 'newer than ' + version}, newer than this app's ${version}: ` +
          'it was written by a newer version of the app. Reload the page to get it; this version will not touch the data.',
        { cause: e }
      );
    }
    throw toStorageError(e, 'opening the database');
  } finally {
    if (blockedTimer !== undefined) clock.clearTimeout(blockedTimer);
  }
  database = new Database(db, name, options.onClosed);
  return database;
}

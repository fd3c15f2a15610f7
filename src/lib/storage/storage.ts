// openStorage(): the one entry point. Opens (and if needed upgrades) the database and hands out a
// small repository per kind of data, plus the storage estimate and persistence request. Open it
// once per page and share it (the session owns it); every method throws StorageError.

import { openDatabase, type Database, type OpenDatabaseOptions } from './database';
import { DeviceRepository } from './devices';
import { FirmwareRepository } from './firmware-store';
import { HistoryRepository } from './history';
import { KvRepository } from './kv';
import { Persistence, type PersistOutcome, type StorageManagerLike, type StorageUsage } from './quota';
import { Recorder, type RecorderOptions } from './recorder';
import { ReportRepository } from './reports';
import { SnapshotRepository } from './snapshots';
import { TelemetryRepository } from './telemetry';
import { queryChart, type ChartData, type ChartRequest } from './chart-query';
import { WriteLogRepository } from './write-log';
import type { StorageError } from './errors';

export interface OpenStorageOptions extends OpenDatabaseOptions {
  /** navigator.storage or a fake; default navigator.storage where present. */
  storageManager?: StorageManagerLike | null;
  /** Wall time, Unix epoch ms. Default Date.now. */
  now?: () => number;
}

/** Named AppStorage, not Storage, to keep clear of the DOM's Storage (localStorage) type. */
export interface AppStorage {
  readonly devices: DeviceRepository;
  readonly telemetry: TelemetryRepository;
  readonly history: HistoryRepository;
  readonly snapshots: SnapshotRepository;
  readonly writeLog: WriteLogRepository;
  readonly firmware: FirmwareRepository;
  readonly reports: ReportRepository;
  readonly kv: KvRepository;
  readonly persistence: Persistence;
  /** Bytes used and free for this origin, and whether the data is persisted. */
  estimate(): Promise<StorageUsage>;
  /** Asks the browser once to keep the data (the recorder does this when it starts). */
  requestPersistence(): Promise<PersistOutcome>;
  /** Chart columns of recorded telemetry (chart-query.ts). */
  chart(request: ChartRequest): Promise<ChartData>;
  /** A recorder for one bank, writing into this storage. */
  recorder(options: RecorderOptions): Recorder;
  /** Null while usable; else why the connection closed (another tab upgraded it, ...). */
  readonly closed: StorageError | null;
  close(): void;
  /** The database name (tests and diagnostics). */
  readonly name: string;
}

class OpenedStorage implements AppStorage {
  readonly #db: Database;
  readonly devices: DeviceRepository;
  readonly telemetry: TelemetryRepository;
  readonly history: HistoryRepository;
  readonly snapshots: SnapshotRepository;
  readonly writeLog: WriteLogRepository;
  readonly firmware: FirmwareRepository;
  readonly reports: ReportRepository;
  readonly kv: KvRepository;
  readonly persistence: Persistence;

  constructor(db: Database, persistence: Persistence, now: () => number) {
    this.#db = db;
    this.kv = new KvRepository(db, now);
    this.devices = new DeviceRepository(db);
    this.telemetry = new TelemetryRepository(db, this.kv);
    this.history = new HistoryRepository(db);
    this.snapshots = new SnapshotRepository(db);
    this.writeLog = new WriteLogRepository(db);
    this.firmware = new FirmwareRepository(db);
    this.reports = new ReportRepository(db);
    this.persistence = persistence;
  }

  get name(): string {
    return this.#db.name;
  }

  get closed(): StorageError | null {
    return this.#db.closed;
  }

  estimate(): Promise<StorageUsage> {
    return this.persistence.estimate();
  }

  requestPersistence(): Promise<PersistOutcome> {
    return this.persistence.request();
  }

  chart(request: ChartRequest): Promise<ChartData> {
    return queryChart(this.telemetry, request);
  }

  recorder(options: RecorderOptions): Recorder {
    return new Recorder(this, options);
  }

  close(): void {
    this.#db.close();
  }
}

export async function openStorage(options: OpenStorageOptions = {}): Promise<AppStorage> {
  const db = await openDatabase(options);
  const persistence = new Persistence(options.storageManager === undefined ? undefined : options.storageManager);
  return new OpenedStorage(db, persistence, options.now ?? Date.now);
}

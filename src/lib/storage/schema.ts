// The database's shape for idb's typed API, and the migrations that build it. One database for the
// whole app; its version is the index of the last migration. Changing the schema means appending a
// migration (never editing a shipped one) and adding a test that opens the previous version with
// data in it and upgrades (schema.test.ts shows how).

import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type {
  CatalogRecord,
  DeviceRecord,
  FirmwareBlobRecord,
  FirmwareImageRecord,
  HistoryEntryRecord,
  KvRecord,
  MinuteChunkRecord,
  RawChunkRecord,
  RecordingRecord,
  ReportBodyRecord,
  ReportRecord,
  SnapshotRecord,
  WriteLogRecord
} from './records';

export const DB_NAME = 'packservice';

/** [device, start_ms, session] */
export type ChunkKey = [string, number, string];

export interface PackServiceDB extends DBSchema {
  devices: { key: string; value: DeviceRecord; indexes: { lastSeen_ms: number; bmsSerial: string } };
  telemetryRaw: { key: ChunkKey; value: RawChunkRecord; indexes: { end_ms: number } };
  telemetryMinute: { key: ChunkKey; value: MinuteChunkRecord; indexes: { end_ms: number } };
  recordings: { key: [string, string]; value: RecordingRecord; indexes: { device_start: [string, number]; start_ms: number; end_ms: number } };
  history: { key: [string, number, string]; value: HistoryEntryRecord; indexes: { time_ms: number } };
  snapshots: { key: number; value: SnapshotRecord; indexes: { device_time: [string, number]; taken_ms: number } };
  writeLog: { key: number; value: WriteLogRecord; indexes: { device_time: [string, number]; t_ms: number } };
  firmwareImages: { key: string; value: FirmwareImageRecord; indexes: { added_ms: number } };
  firmwareBlobs: { key: string; value: FirmwareBlobRecord };
  firmwareCatalog: { key: string; value: CatalogRecord };
  reports: { key: number; value: ReportRecord; indexes: { created_ms: number } };
  reportBodies: { key: number; value: ReportBodyRecord };
  kv: { key: string; value: KvRecord };
}

export type StoreName = StoreNames<PackServiceDB>;
export type Db = IDBPDatabase<PackServiceDB>;

/**
 * One schema step. Runs inside the upgrade transaction; it may create and delete stores and
 * indexes and rewrite records through `tx` (awaiting only IndexedDB requests, or the upgrade
 * transaction commits early). Typed loosely on purpose: a migration sees the schema of its own
 * time, not today's.
 */
export interface Migration {
  /** The version this step produces (1 for the first). */
  version: number;
  describe: string;
  run(db: IDBPDatabase<unknown>, tx: IDBPTransaction<unknown, string[], 'versionchange'>): Promise<void> | void;
}

const v1: Migration = {
  version: 1,
  describe: 'devices, telemetry (raw + minute), recordings, history, snapshots, write log, firmware, reports, kv',
  run(db) {
    const devices = db.createObjectStore('devices', { keyPath: 'key' });
    devices.createIndex('lastSeen_ms', 'lastSeen_ms');
    devices.createIndex('bmsSerial', 'bmsSerial');

    for (const name of ['telemetryRaw', 'telemetryMinute']) {
      const s = db.createObjectStore(name, { keyPath: ['device', 'start_ms', 'session'] });
      s.createIndex('end_ms', 'end_ms');
    }

    const recordings = db.createObjectStore('recordings', { keyPath: ['session', 'device'] });
    recordings.createIndex('device_start', ['device', 'start_ms']);
    recordings.createIndex('start_ms', 'start_ms');
    recordings.createIndex('end_ms', 'end_ms');

    const history = db.createObjectStore('history', { keyPath: ['device', 'time_ms', 'hash'] });
    history.createIndex('time_ms', 'time_ms');

    const snapshots = db.createObjectStore('snapshots', { keyPath: 'id', autoIncrement: true });
    snapshots.createIndex('device_time', ['device', 'taken_ms']);
    snapshots.createIndex('taken_ms', 'taken_ms');

    const writeLog = db.createObjectStore('writeLog', { keyPath: 'id', autoIncrement: true });
    writeLog.createIndex('device_time', ['device', 't_ms']);
    writeLog.createIndex('t_ms', 't_ms');

    const images = db.createObjectStore('firmwareImages', { keyPath: 'sha256' });
    images.createIndex('added_ms', 'added_ms');
    db.createObjectStore('firmwareBlobs', { keyPath: 'sha256' });
    db.createObjectStore('firmwareCatalog', { keyPath: 'url' });

    const reports = db.createObjectStore('reports', { keyPath: 'id', autoIncrement: true });
    reports.createIndex('created_ms', 'created_ms');
    db.createObjectStore('reportBodies', { keyPath: 'id' });

    db.createObjectStore('kv', { keyPath: 'key' });
  }
};

/** Every schema step, oldest first. The last one's version is the app's schema version. */
export const MIGRATIONS: readonly Migration[] = [v1];

export const DB_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Checks a migration list: versions 1, 2, 3, ... with none missing. Throws a RangeError otherwise. */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new RangeError(`migration ${i} produces version ${m.version}; expected ${i + 1}`);
  });
}

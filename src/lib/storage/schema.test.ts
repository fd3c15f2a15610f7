import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { IDBPDatabase } from 'idb';
import { openDatabase } from './database';
import { StorageError } from './errors';
import { DB_VERSION, MIGRATIONS, checkMigrations, type Migration } from './schema';
import { openStorage, type AppStorage } from './storage';
import { VirtualClock } from '../time/clock';
import { bankSample, deviceKeyOf } from './testing/bank-day';

let n = 0;
const uniqueName = () => `schema-test-${n++}`;
const opened: AppStorage[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

const T0 = Date.UTC(2025, 5, 1, 12);

/**
 * What a next schema version could look like: an index on the pack serial, and every stored
 * device given a field the new code expects. Written against the untyped API, as migrations are.
 */
const v2: Migration = {
  version: 2,
  describe: 'test: devices by pack serial, and a backfilled field',
  async run(_db, tx) {
    const devices = tx.objectStore('devices');
    devices.createIndex('packSerial', 'packSerial');
    let c = await devices.openCursor();
    while (c) {
      await c.update({ ...(c.value as object), migratedInV2: true });
      c = await c.continue();
    }
  }
};

async function fillEveryStore(s: AppStorage): Promise<void> {
  await s.devices.noteSighting({
    key: { key: deviceKeyOf(1), kind: 'serial', reason: null },
    address: 1,
    bank: 'bank:sn:X',
    seen_ms: T0,
    packSerial: 'PK1',
    softwareVersion: 'P16S100A-1812-1.00'
  });
  const rec = s.recorder({ bank: 'bank:sn:X', flushEvery_ms: null, pruneEvery_ms: null, requestPersistence: false, now: () => T0 });
  rec.start();
  for (let i = 0; i < 90; i++) rec.record(bankSample(1, T0 + i * 2000));
  await rec.stop();
  await s.history.addMany(deviceKeyOf(1), [
    {
      record: {
        time: { year: 2025, month: 6, day: 1, hour: 3, minute: 4, second: 5 },
        cells_mV: [3300, 3301],
        temps_C: [25, null],
        current_A: -1.5,
        voltage_V: 52.1,
        remaining_Ah: 50,
        full_Ah: 100,
        status: { protection1: 0, protection2: 0, fault: 0, warning1: 0, warning2: 0, indication: 0, fault8: null, fault10: null },
        cycles: 12,
        statusRecord: 1
      },
      raw: Uint8Array.from([1, 2, 3]),
      address: 1,
      readAt_ms: T0
    }
  ]);
  await s.snapshots.add({
    device: deviceKeyOf(1),
    address: 1,
    taken_ms: T0,
    reason: 'before-write',
    note: null,
    values: { cell: { ovp_V: 3.65 } },
    frames: [{ label: '47H', bytes: Uint8Array.from([0x7e]) }]
  });
  await s.writeLog.add({
    t_ms: T0,
    device: deviceKeyOf(1),
    address: 1,
    what: 'cell.ovp_V',
    command: 'writeCellOvp',
    old: 3.65,
    new: 3.6,
    readBack: 3.6,
    result: 'ok',
    message: null,
    snapshotId: 1
  });
  await s.firmware.put(
    {
      name: 'fw.bin',
      format: 'bin',
      source: 'file',
      url: null,
      model: null,
      hardwarePattern: null,
      version: '1.01',
      releaseNotes: null,
      added_ms: T0,
      extra: {}
    },
    Uint8Array.from([9, 8, 7])
  );
  await s.firmware.putCatalog('https://example.test/catalog.json', { images: [] }, T0);
  await s.reports.add({ created_ms: T0, kind: 'diagnose', title: 'Ticket 1', ticket: '1', summary: { packs: 1 } }, { hello: 'world' });
  await s.kv.set('installer.pinHash', { salt: 'ab', hash: 'cd' });
}

async function expectEveryStoreIntact(s: AppStorage): Promise<void> {
  const dev = await s.devices.get(deviceKeyOf(1));
  expect(dev).toMatchObject({ packSerial: 'PK1', model: 'P16S100A', cellCount: 16 });
  const rows = [];
  for await (const r of s.telemetry.samples(deviceKeyOf(1), { from_ms: T0, to_ms: T0 + 3_600_000 })) rows.push(r);
  expect(rows).toHaveLength(90);
  expect(rows[89].cells_mV).toEqual(bankSample(1, T0 + 89 * 2000).analog.cells_mV);
  expect(await s.telemetry.recordings({ device: deviceKeyOf(1) })).toHaveLength(1);
  expect(await s.history.count(deviceKeyOf(1))).toBe(1);
  expect((await s.snapshots.list())[0].values).toEqual({ cell: { ovp_V: 3.65 } });
  expect((await s.writeLog.list())[0]).toMatchObject({ old: 3.65, new: 3.6, result: 'ok' });
  const [img] = await s.firmware.list();
  expect(Array.from((await s.firmware.bytes(img.sha256))!)).toEqual([9, 8, 7]);
  expect((await s.firmware.getCatalog('https://example.test/catalog.json'))?.json).toEqual({ images: [] });
  const [rep] = await s.reports.list();
  expect(await s.reports.body(rep.id)).toEqual({ hello: 'world' });
  expect(await s.kv.get('installer.pinHash')).toEqual({ salt: 'ab', hash: 'cd' });
}

describe('schema and migrations', () => {
  it('the migration list is complete and numbered 1, 2, 3, ...', () => {
    expect(() => checkMigrations(MIGRATIONS)).not.toThrow();
    expect(DB_VERSION).toBe(MIGRATIONS.length);
    expect(() => checkMigrations([MIGRATIONS[0], { ...v2, version: 3 }])).toThrow(/expected 2/);
  });

  it('creates every store on first open and keeps data across close and reopen', async () => {
    const name = uniqueName();
    const s = await openStorage({ name, storageManager: null });
    await fillEveryStore(s);
    s.close();
    const again = await openStorage({ name, storageManager: null });
    opened.push(again);
    await expectEveryStoreIntact(again);
  });

  it('upgrades an older version with data in every store: the data stays, the new step ran', async () => {
    const name = uniqueName();
    const old = await openStorage({ name, storageManager: null, migrations: [MIGRATIONS[0]] });
    await fillEveryStore(old);
    old.close();

    const upgraded = await openStorage({ name, storageManager: null, migrations: [...MIGRATIONS, { ...v2, version: MIGRATIONS.length + 1 }] });
    opened.push(upgraded);
    await expectEveryStoreIntact(upgraded);
    // The migration's own work: a new index, and the backfilled field.
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = raw.transaction('devices');
    expect(Array.from(tx.objectStore('devices').indexNames)).toContain('packSerial');
    const dev = await new Promise<Record<string, unknown>>((resolve) => {
      const r = tx.objectStore('devices').index('packSerial').get('PK1');
      r.onsuccess = () => resolve(r.result as Record<string, unknown>);
    });
    expect(dev.migratedInV2).toBe(true);
    raw.close();
  });

  it('a failing migration leaves the old version and its data untouched', async () => {
    const name = uniqueName();
    const old = await openStorage({ name, storageManager: null });
    await fillEveryStore(old);
    old.close();
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      describe: 'test: throws halfway',
      run(db) {
        (db as IDBPDatabase<unknown>).deleteObjectStore('kv');
        throw new Error('migration bug');
      }
    };
    const err = await openStorage({ name, storageManager: null, migrations: [...MIGRATIONS, broken] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ kind: 'failed' });
    expect((err as StorageError).message).toMatch(/nothing was changed.*migration bug/);
    const back = await openStorage({ name, storageManager: null });
    opened.push(back);
    await expectEveryStoreIntact(back);
  });

  it('refuses a database written by a newer version with a clear error and does not touch it', async () => {
    const name = uniqueName();
    const newer = await openStorage({ name, storageManager: null, migrations: [...MIGRATIONS, { ...v2, version: MIGRATIONS.length + 1 }] });
    await newer.kv.set('x', 1);
    newer.close();
    const err = await openStorage({ name, storageManager: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe('version');
    expect((err as StorageError).message).toMatch(/newer version of the app/);
    expect((err as StorageError).message).toContain(String(MIGRATIONS.length + 1));
    const still = await openStorage({ name, storageManager: null, migrations: [...MIGRATIONS, { ...v2, version: MIGRATIONS.length + 1 }] });
    opened.push(still);
    expect(await still.kv.get('x')).toBe(1);
  });

  it('steps aside when another tab upgrades: this connection closes and says why', async () => {
    const name = uniqueName();
    const closedWith: StorageError[] = [];
    const s = await openStorage({ name, storageManager: null, onClosed: (e) => closedWith.push(e) });
    await s.kv.set('a', 1);
    const newerTab = await openStorage({ name, storageManager: null, migrations: [...MIGRATIONS, { ...v2, version: MIGRATIONS.length + 1 }] });
    opened.push(newerTab);
    expect(closedWith).toHaveLength(1);
    expect(s.closed?.kind).toBe('closed');
    await expect(s.kv.get('a')).rejects.toMatchObject({ kind: 'closed' });
    expect(await newerTab.kv.get('a')).toBe(1);
  });

  it('gives up with kind "blocked" when an older connection will not close', async () => {
    const name = uniqueName();
    // A connection with no versionchange handler, like an old tab of a build that never closes.
    const holder = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        void MIGRATIONS[0].run(req.result as unknown as IDBPDatabase<unknown>, undefined as never);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const clock = new VirtualClock();
    let blockedCalls = 0;
    const opening = openDatabase({
      name,
      clock,
      blockedTimeout_ms: 5000,
      onBlocked: () => blockedCalls++,
      migrations: [...MIGRATIONS, { ...v2, version: 2 }]
    });
    const err = await clock.run(opening.catch((e: unknown) => e));
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe('blocked');
    expect((err as StorageError).message).toMatch(/Close the other tabs/);
    expect(blockedCalls).toBe(1);
    holder.close();
  });
});

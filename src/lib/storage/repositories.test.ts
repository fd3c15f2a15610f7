import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { bankDeviceKeys, bankLabelFor, deviceKeyFor, serialProblem, splitSoftwareVersion } from './devices';
import { sha256Hex } from './hash';
import { typedKey } from './kv';
import type { JsonValue } from './json';
import { openStorage, type AppStorage } from './storage';

const T0 = Date.UTC(2025, 5, 1, 10);
let n = 0;
const open: AppStorage[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function storage(): Promise<AppStorage> {
  const s = await openStorage({ name: `repos-test-${n++}`, storageManager: null, now: () => T0 });
  open.push(s);
  return s;
}

describe('device keys', () => {
  it.each([
    ['P1812A2301000123', null],
    ['  PK-0042 ', null],
    [null, /no serial/],
    ['', /blank/],
    ['   ', /blank/],
    ['AB', /too short/],
    ['0000000000', /repeats/],
    ['FFFFFFFFFFFF', /repeats/],
    ['P18\\x01\\x02', /printable/],
    ['P18\u0000ABC', /printable/]
  ])('serial %j → %s', (serial, problem) => {
    const p = serialProblem(serial);
    if (problem === null) expect(p).toBeNull();
    else expect(p).toMatch(problem);
  });

  it('keys a pack by its serial, wherever it sits', () => {
    expect(deviceKeyFor(' P1812A23 ', 'bank:x', 3)).toEqual({ key: 'sn:P1812A23', kind: 'serial', reason: null });
    expect(deviceKeyFor('P1812A23', 'other bank', 9).key).toBe('sn:P1812A23');
  });

  it('falls back to bank label + address, marked, with the reason', () => {
    expect(deviceKeyFor(null, 'bank:sn:MASTER1', 4)).toEqual({ key: 'addr:bank:sn:MASTER1#4', kind: 'address', reason: 'no-serial' });
    expect(deviceKeyFor('000000', 'Demo bank', 2)).toEqual({ key: 'addr:Demo bank#2', kind: 'address', reason: 'unusable-serial' });
  });

  it('labels a bank by its master’s serial, else by the link', () => {
    expect(bankLabelFor('MASTER01', 'USB 1a86:7523')).toBe('bank:sn:MASTER01');
    expect(bankLabelFor('', 'USB 1a86:7523')).toBe('USB 1a86:7523');
    expect(bankLabelFor(null, '  ')).toBe('unknown link');
  });

  it('keys neither of two packs that report the same serial by it (cloned boards)', () => {
    const keys = bankDeviceKeys(
      [
        { address: 1, bmsSerial: 'SAME0001' },
        { address: 2, bmsSerial: 'SAME0001' },
        { address: 3, bmsSerial: 'UNIQUE03' },
        { address: 4, bmsSerial: null }
      ],
      'bank:sn:UNIQUE03'
    );
    expect(keys.get(1)).toEqual({ key: 'addr:bank:sn:UNIQUE03#1', kind: 'address', reason: 'duplicate-serial' });
    expect(keys.get(2)?.reason).toBe('duplicate-serial');
    expect(keys.get(3)).toEqual({ key: 'sn:UNIQUE03', kind: 'serial', reason: null });
    expect(keys.get(4)?.reason).toBe('no-serial');
  });

  it('splits the usual C1H version string, and gives nulls for any other shape', () => {
    expect(splitSoftwareVersion('P16S100A-31916-1.06')).toEqual({ model: 'P16S100A', hardwareVersion: '31916', firmwareVersion: '1.06' });
    expect(splitSoftwareVersion('PACE V2')).toEqual({ model: null, hardwareVersion: null, firmwareVersion: null });
    expect(splitSoftwareVersion(null).model).toBeNull();
  });
});

describe('devices', () => {
  it('remembers a pack across banks and addresses, keeping identity fields not read this time', async () => {
    const s = await storage();
    const key = deviceKeyFor('P1812A23', 'bank:a', 1);
    await s.devices.noteSighting({
      key,
      address: 1,
      bank: 'bank:a',
      seen_ms: T0,
      packSerial: 'PK1',
      softwareVersion: 'P16S100A-1812-1.00',
      bmsSerial: 'P1812A23'
    });
    const moved = await s.devices.noteSighting({ key, address: 5, bank: 'bank:b', seen_ms: T0 + 1000 });
    expect(moved).toMatchObject({
      lastAddress: 5,
      lastBank: 'bank:b',
      packSerial: 'PK1',
      model: 'P16S100A',
      firmwareVersion: '1.00',
      firstSeen_ms: T0
    });
    // A late report of an older sighting does not move it back.
    await s.devices.noteSighting({ key, address: 1, bank: 'bank:a', seen_ms: T0 + 500 });
    expect((await s.devices.get(key.key))?.lastAddress).toBe(5);
    expect((await s.devices.inBank('bank:b')).map((d) => d.key)).toEqual(['sn:P1812A23']);
    await s.devices.setNickname(key.key, ' Garage left ');
    expect((await s.devices.get(key.key))?.nickname).toBe('Garage left');
    await expect(s.devices.setNickname('sn:nobody', 'x')).rejects.toMatchObject({ kind: 'invalid' });
    expect(await s.devices.list()).toHaveLength(1);
  });
});

describe('parameter snapshots and the write log', () => {
  it('stores a snapshot before a write and lists newest first per device', async () => {
    const s = await storage();
    const base = {
      address: 3,
      reason: 'before-write' as const,
      note: null,
      frames: [{ label: '47H', bytes: new TextEncoder().encode('~25014647...\r') }]
    };
    const first = await s.snapshots.add({ ...base, device: 'sn:A', taken_ms: T0, values: { cell: { ovp_V: 3.65 } } });
    const second = await s.snapshots.add({ ...base, device: 'sn:A', taken_ms: T0 + 10, values: { cell: { ovp_V: 3.6 } }, reason: 'manual' });
    await s.snapshots.add({ ...base, device: 'sn:B', taken_ms: T0 + 5, values: {} });
    expect(second).toBeGreaterThan(first);
    expect((await s.snapshots.list({ device: 'sn:A' })).map((x) => x.id)).toEqual([second, first]);
    expect((await s.snapshots.latest('sn:A', 'before-write'))?.values).toEqual({ cell: { ovp_V: 3.65 } });
    expect(new TextDecoder().decode((await s.snapshots.get(first))!.frames[0].bytes)).toBe('~25014647...\r');
    expect(await s.snapshots.list({ limit: 2 })).toHaveLength(2);
    await s.snapshots.delete(first);
    expect(await s.snapshots.get(first)).toBeNull();
  });

  it('refuses snapshot values that are not plain JSON, naming the path', async () => {
    const s = await storage();
    const bad = { cell: { ovp_V: Number.NaN } } as unknown as Record<string, JsonValue>;
    await expect(
      s.snapshots.add({ device: 'sn:A', address: 1, taken_ms: T0, reason: 'manual', note: null, values: bad, frames: [] })
    ).rejects.toMatchObject({
      kind: 'invalid',
      message: /values\.cell\.ovp_V/
    });
  });

  it('logs writes with old → new, read-back and result; newest first, filtered, paged', async () => {
    const s = await storage();
    for (let i = 0; i < 300; i++)
      await s.writeLog.add({
        t_ms: T0 + Math.floor(i / 2),
        device: i % 2 ? 'sn:A' : 'sn:B',
        address: 1,
        what: 'cell.ovp_V',
        command: 'writeCellVoltage',
        old: 3.65,
        new: 3.6,
        readBack: i === 7 ? 3.65 : 3.6,
        result: i === 7 ? 'mismatch' : 'ok',
        message: null,
        snapshotId: null
      });
    const all = await s.writeLog.list();
    expect(all).toHaveLength(300);
    expect(new Set(all.map((e) => e.id)).size).toBe(300);
    for (let i = 1; i < all.length; i++) expect(all[i].t_ms).toBeLessThanOrEqual(all[i - 1].t_ms);
    expect(await s.writeLog.list({ device: 'sn:A' })).toHaveLength(150);
    expect((await s.writeLog.list()).find((e) => e.result === 'mismatch')?.readBack).toBe(3.65);
    expect(await s.writeLog.list({ from_ms: T0 + 10, to_ms: T0 + 11 })).toHaveLength(4);
    await expect(s.writeLog.add({ ...all[0], result: 'maybe' as 'ok' })).rejects.toMatchObject({ kind: 'invalid' });
  });
});

describe('firmware cache', () => {
  const meta = {
    name: 'P16S100A-1.02.bin',
    format: 'bin',
    source: 'catalog' as const,
    url: 'https://example.test/fw/1.02.bin',
    model: 'P16S100A',
    hardwarePattern: '1812',
    version: '1.02',
    releaseNotes: 'Fixes balancing.',
    added_ms: T0,
    extra: { crc32: 'ABCD1234' }
  };

  it('keys an image by the SHA-256 of its bytes and gives the bytes back checked', async () => {
    const s = await storage();
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff);
    const rec = await s.firmware.put({ ...meta, expectedSha256: (await sha256Hex(bytes)).toUpperCase() }, bytes);
    expect(rec.sha256).toBe(await sha256Hex(bytes));
    expect(rec.size_B).toBe(4096);
    expect(await s.firmware.bytes(rec.sha256)).toEqual(bytes);
    expect(await s.firmware.list()).toEqual([rec]);
    expect(await s.firmware.totalBytes()).toBe(4096);
    await s.firmware.delete(rec.sha256);
    expect(await s.firmware.bytes(rec.sha256)).toBeNull();
    expect(await s.firmware.list()).toEqual([]);
  });

  it('refuses an image whose bytes do not match the expected hash, storing nothing', async () => {
    const s = await storage();
    const err = await s.firmware.put({ ...meta, expectedSha256: 'a'.repeat(64) }, Uint8Array.from([1, 2, 3])).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'integrity', message: /damaged or not this image/ });
    expect(await s.firmware.list()).toEqual([]);
    await expect(s.firmware.put(meta, new Uint8Array(0))).rejects.toMatchObject({ kind: 'invalid' });
    await expect(s.firmware.bytes('not-a-hash')).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('caches the catalog JSON by URL', async () => {
    const s = await storage();
    await s.firmware.putCatalog('https://example.test/c.json', { version: 1, images: [{ name: 'a' }] }, T0, 'W/"1"');
    expect(await s.firmware.getCatalog('https://example.test/c.json')).toEqual({
      url: 'https://example.test/c.json',
      fetched_ms: T0,
      etag: 'W/"1"',
      json: { version: 1, images: [{ name: 'a' }] }
    });
    expect(await s.firmware.getCatalog('https://other.test/')).toBeNull();
  });
});

describe('reports and key/value settings', () => {
  it('lists reports without their bodies and opens one on demand', async () => {
    const s = await storage();
    const body = { schema: 1, packs: Array.from({ length: 16 }, (_, i) => ({ address: i + 1, frames: ['~2501...'] })) };
    const id = await s.reports.add({ created_ms: T0, kind: 'diagnose', title: 'Ticket 4711', ticket: '4711', summary: { packs: 16 } }, body);
    const [meta] = await s.reports.list();
    expect(meta).toMatchObject({ id, title: 'Ticket 4711', summary: { packs: 16 } });
    expect(meta.size_B).toBe(JSON.stringify(body).length);
    expect(await s.reports.body(id)).toEqual(body);
    await s.reports.delete(id);
    expect(await s.reports.list()).toEqual([]);
    expect(await s.reports.body(id)).toBeNull();
  });

  it('keeps settings as JSON and reads a malformed typed value as its fallback', async () => {
    const s = await storage();
    await s.kv.set('installer.pinHash', { salt: '00ff', hash: 'abcd', iterations: 100000 });
    await s.kv.set('extensions.profiles', []);
    expect(await s.kv.keys('installer.')).toEqual(['installer.pinHash']);
    const isPin = (v: JsonValue): v is { salt: string; hash: string; iterations: number } =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.salt === 'string' && typeof v.hash === 'string';
    const pin = typedKey(s.kv, 'installer.pinHash', isPin, { salt: '', hash: '', iterations: 0 });
    expect((await pin.get()).hash).toBe('abcd');
    await s.kv.set('installer.pinHash', 42);
    expect((await pin.get()).hash).toBe('');
    await pin.delete();
    expect(await s.kv.get('installer.pinHash')).toBeUndefined();
    await expect(s.kv.set('x', { f: () => 1 } as unknown as JsonValue)).rejects.toMatchObject({ kind: 'invalid' });
  });
});

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError, isQuotaError, toStorageError } from './errors';
import type { HistoryInput } from './history';
import { Persistence } from './quota';
import { openStorage, type AppStorage } from './storage';
import { installFakeQuota, type FakeQuota } from './testing/fake-quota';
import { bankSample, deviceKeyOf } from './testing/bank-day';

const T0 = Date.UTC(2025, 5, 1, 10);
let n = 0;
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

async function storage(): Promise<AppStorage> {
  const s = await openStorage({ name: `quota-test-${n++}`, storageManager: null });
  cleanup.push(() => s.close());
  return s;
}

async function quota(options: Parameters<typeof installFakeQuota>[0]): Promise<FakeQuota> {
  const q = await installFakeQuota(options);
  cleanup.unshift(() => q.restore());
  return q;
}

const manual = { bank: 'bank:test', flushEvery_ms: null, pruneEvery_ms: null, requestPersistence: false, now: () => T0 } as const;

async function allRows(s: AppStorage, packs: number) {
  const rows = [];
  for (let a = 1; a <= packs; a++) for await (const r of s.telemetry.samples(deviceKeyOf(a), { from_ms: T0, to_ms: T0 + 86_400_000 })) rows.push(r);
  return rows;
}

describe('a full disk while recording', () => {
  it('keeps every row of the flushes before it, stores nothing of the failed flush, and stops with kind "quota"', async () => {
    const s = await storage();
    const rec = s.recorder(manual);
    rec.start();
    let q: FakeQuota | null = null;
    let flushes = 0;
    for (let cycle = 0; cycle < 100 && rec.state.kind === 'recording'; cycle++) {
      for (let a = 1; a <= 4; a++) rec.record(bankSample(a, T0 + cycle * 2000));
      if (cycle % 5 === 4) {
        // The disk fills up in the middle of the 4th flush: 3 of its puts succeed, the 4th fails.
        if (flushes === 3) q = await quota({ failAfterWrites: 3 });
        await rec.flush();
        flushes++;
      }
    }
    if (!q) throw new Error('quota never installed');
    expect(flushes).toBe(4);
    expect(q.writes).toBe(3);
    expect(q.refused).toBe(1);
    expect(rec.state).toMatchObject({ kind: 'stopped', reason: { kind: 'quota' } });
    if (rec.state.kind !== 'stopped') throw new Error('not stopped');
    expect(rec.state.reason.message).toMatch(/no more room/);
    expect(rec.state.reason.error).toBeInstanceOf(StorageError);
    // 3 flushes of 5 cycles × 4 packs committed; the 4th left nothing behind.
    expect(rec.stats.written).toBe(60);
    expect(rec.state.reason.lost).toBe(20);
    q.restore();
    const rows = await allRows(s, 4);
    expect(rows).toHaveLength(60);
    for (let a = 1; a <= 4; a++) {
      const mine = rows.filter((r) => r.address === a);
      expect(mine.map((r) => r.t_ms)).toEqual(Array.from({ length: 15 }, (_, i) => T0 + i * 2000));
      expect(mine[14].cells_mV).toEqual(bankSample(a, T0 + 14 * 2000).analog.cells_mV);
    }
    const recordings = await s.telemetry.recordings();
    expect(recordings.map((r) => r.rows)).toEqual([15, 15, 15, 15]);
  });

  it('treats a byte budget running out, and Firefox’s NS_ERROR_DOM_QUOTA_REACHED, the same way', async () => {
    const s = await storage();
    const rec = s.recorder(manual);
    rec.start();
    const q = await quota({ budget_B: 40_000, errorName: 'NS_ERROR_DOM_QUOTA_REACHED' });
    for (let cycle = 0; cycle < 2000 && rec.state.kind === 'recording'; cycle++) {
      for (let a = 1; a <= 16; a++) rec.record(bankSample(a, T0 + cycle * 2000));
      if (cycle % 5 === 4) await rec.flush();
    }
    expect(rec.state).toMatchObject({ kind: 'stopped', reason: { kind: 'quota' } });
    expect(q.used_B).toBeLessThanOrEqual(40_000);
    q.restore();
    expect(await allRows(s, 16)).toHaveLength(rec.stats.written);
    expect(rec.stats.written % 80).toBe(0);
  });

  it('history records: earlier batches stay, the failed batch leaves nothing, and a re-run adds only what is missing', async () => {
    const s = await storage();
    const items: HistoryInput[] = Array.from({ length: 500 }, (_, i) => ({
      record: {
        time: { year: 2025, month: 1, day: 1 + Math.floor(i / 24), hour: i % 24, minute: 0, second: 0 },
        cells_mV: [3300, 3301, 3302],
        temps_C: [20],
        current_A: 0,
        voltage_V: 9.9,
        remaining_Ah: 50,
        full_Ah: 100,
        status: { protection1: 0, protection2: 0, fault: 0, warning1: 0, warning2: 0, indication: 0, fault8: null, fault10: null },
        cycles: i,
        statusRecord: null
      },
      raw: Uint8Array.from([i & 0xff, i >> 8, 7]),
      address: 2,
      readAt_ms: T0
    }));
    const q = await quota({ failAfterWrites: 250 });
    const err = await s.history.addMany('sn:H1', items).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe('quota');
    expect(await s.history.count('sn:H1')).toBe(200);
    q.lift();
    expect(await s.history.addMany('sn:H1', items)).toEqual({ added: 300, duplicates: 200 });
    expect(await s.history.count('sn:H1')).toBe(500);
  });

  it('other repositories report a full disk as kind "quota" too, and keep what they had', async () => {
    const s = await storage();
    await s.kv.set('a', 1);
    await quota({ failAfterWrites: 0 });
    await expect(s.kv.set('b', 2)).rejects.toMatchObject({ kind: 'quota' });
    await expect(
      s.snapshots.add({ device: 'sn:X1', address: 1, taken_ms: T0, reason: 'before-write', note: null, values: {}, frames: [] })
    ).rejects.toMatchObject({ kind: 'quota' });
    expect(await s.kv.get('a')).toBe(1);
    expect(await s.kv.get('b')).toBeUndefined();
    expect(await s.snapshots.list()).toEqual([]);
  });
});

describe('quota error classification', () => {
  it.each([
    ['QuotaExceededError', true],
    ['NS_ERROR_DOM_QUOTA_REACHED', true],
    ['NS_ERROR_FILE_NO_DEVICE_SPACE', true],
    ['UnknownError', false],
    ['AbortError', false]
  ])('%s → quota: %s', (name, isQuota) => {
    const e = new DOMException('x', name);
    expect(isQuotaError(e)).toBe(isQuota);
    expect(toStorageError(e, 'saving').kind === 'quota').toBe(isQuota);
  });

  it('recognises the legacy code 22 and Firefox’s 1014 on look-alike errors', () => {
    expect(isQuotaError({ name: 'Error', code: 22 })).toBe(true);
    expect(isQuotaError({ name: 'Error', code: 1014 })).toBe(true);
    expect(isQuotaError(new Error('quota exceeded'))).toBe(false);
  });

  it('maps other IndexedDB errors to kinds with the operation named', () => {
    expect(toStorageError(new DOMException('v', 'VersionError'), 'opening').kind).toBe('version');
    expect(toStorageError(new DOMException('c', 'InvalidStateError'), 'reading').kind).toBe('closed');
    expect(toStorageError(new DOMException('s', 'SecurityError'), 'opening').kind).toBe('unavailable');
    expect(toStorageError(new DOMException('d', 'DataCloneError'), 'saving a snapshot').message).toMatch(/saving a snapshot/);
    const same = new StorageError('integrity', 'x');
    expect(toStorageError(same, 'y')).toBe(same);
  });
});

describe('storage estimate and persistence', () => {
  it('reports usage, quota, free space and persistence from navigator.storage', async () => {
    const p = new Persistence({ estimate: () => Promise.resolve({ usage: 250, quota: 1000 }), persisted: () => Promise.resolve(true) });
    expect(await p.estimate()).toEqual({ supported: true, usage_B: 250, quota_B: 1000, free_B: 750, usedFraction: 0.25, persisted: true });
  });

  it('says "not supported" instead of inventing numbers when the browser cannot tell', async () => {
    expect(await new Persistence(null).estimate()).toEqual({
      supported: false,
      usage_B: null,
      quota_B: null,
      free_B: null,
      usedFraction: null,
      persisted: null
    });
    const throwing = new Persistence({ estimate: () => Promise.reject(new Error('nope')) });
    expect((await throwing.estimate()).supported).toBe(false);
  });

  it.each([
    ['already persisted', { persisted: () => Promise.resolve(true), persist: () => Promise.resolve(true) }, 'already'],
    ['granted', { persisted: () => Promise.resolve(false), persist: () => Promise.resolve(true) }, 'granted'],
    ['denied', { persisted: () => Promise.resolve(false), persist: () => Promise.resolve(false) }, 'denied'],
    ['persist() throws', { persisted: () => Promise.resolve(false), persist: () => Promise.reject(new Error('x')) }, 'denied'],
    ['no API', {}, 'unsupported']
  ])('request(): %s', async (_name, manager, kind) => {
    const outcome = await new Persistence(manager).request();
    expect(outcome.kind).toBe(kind);
    expect(outcome.message.length).toBeGreaterThan(10);
  });
});

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeHistoryRecord, decodeHistoryRecord, type HistoryRecord } from '../protocol/commands/history';
import type { HistoryInput } from './history';
import { openStorage, type AppStorage } from './storage';

const T0 = Date.UTC(2025, 5, 1, 10);
let n = 0;
const open: AppStorage[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function storage(): Promise<AppStorage> {
  const s = await openStorage({ name: `history-test-${n++}`, storageManager: null });
  open.push(s);
  return s;
}

function record(i: number, patch: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    time: { year: 2025, month: 3, day: 1 + Math.floor(i / 24), hour: i % 24, minute: 7, second: 30 },
    cells_mV: Array.from({ length: 16 }, (_, c) => 3300 + c + i),
    temps_C: [21.5, 22, 22.5, 23, 30.1, null],
    current_A: -12.34,
    voltage_V: 52.811,
    remaining_Ah: 61.2,
    full_Ah: 99.5,
    status: { protection1: i % 3 === 0 ? 0x04 : 0, protection2: 0, fault: 0, warning1: 0, warning2: 0, indication: 0, fault8: null, fault10: null },
    cycles: 100 + i,
    statusRecord: i === 0 ? 1 : 0,
    ...patch
  };
}

/** As the reader will hand them over: the decoded record and the INFO bytes it came from. */
function read(i: number, patch: Partial<HistoryRecord> = {}, address = 1): HistoryInput {
  const raw = encodeHistoryRecord(record(i, patch));
  return { record: decodeHistoryRecord(raw), raw, address, readAt_ms: T0 + i };
}

describe('BMS history records', () => {
  it('reading the same records twice adds nothing', async () => {
    const s = await storage();
    const batch = Array.from({ length: 30 }, (_, i) => read(i));
    expect(await s.history.addMany('sn:A', batch)).toEqual({ added: 30, duplicates: 0 });
    // The pack numbers records from the newest: the second read returns them in another order.
    expect(await s.history.addMany('sn:A', [...batch].reverse())).toEqual({ added: 0, duplicates: 30 });
    // ... and with two new ones on top.
    expect(await s.history.addMany('sn:A', [read(30), read(31), ...batch])).toEqual({ added: 2, duplicates: 30 });
    expect(await s.history.count('sn:A')).toBe(32);
  });

  it('keeps two different records stamped with the same second, and a duplicate inside one batch once', async () => {
    const s = await storage();
    const a = read(5);
    const b = read(5, { current_A: 80 });
    expect(await s.history.addMany('sn:A', [a, b, a])).toEqual({ added: 2, duplicates: 1 });
    const stored = await s.history.list({ device: 'sn:A' });
    expect(stored.map((e) => e.record.current_A).sort()).toEqual([-12.34, 80]);
    expect(stored[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the same record of two packs apart (device is part of the key)', async () => {
    const s = await storage();
    await s.history.addMany('sn:A', [read(1)]);
    await s.history.addMany('sn:B', [read(1)]);
    expect(await s.history.count('sn:A')).toBe(1);
    expect(await s.history.count()).toBe(2);
  });

  it('stores the decoded record, its raw bytes and the pack time as read, flagging a garbage clock', async () => {
    const s = await storage();
    const bad = read(2, { time: { year: 2000, month: 0, day: 0, hour: 25, minute: 0, second: 0 } });
    await s.history.addMany('sn:A', [read(1), bad]);
    const [newest, oldest] = await s.history.list({ device: 'sn:A' });
    expect(newest.time).toEqual(record(1).time);
    expect(newest.timeValid).toBe(true);
    expect(newest.record.cells_mV).toEqual(record(1).cells_mV);
    expect(decodeHistoryRecord(newest.raw)).toEqual(newest.record);
    expect(newest.time_ms).toBe(Date.UTC(2025, 2, 1, 1, 7, 30));
    expect(oldest.timeValid).toBe(false);
    expect(oldest.address).toBe(1);
  });

  it('lists by device, time range and order, and pages through more than a page without losing or repeating any', async () => {
    const s = await storage();
    await s.history.addMany(
      'sn:A',
      Array.from({ length: 300 }, (_, i) => read(i))
    );
    await s.history.addMany(
      'sn:B',
      Array.from({ length: 150 }, (_, i) => read(i, { cycles: 1 }, 2))
    );
    const newestA = await s.history.list({ device: 'sn:A' });
    // Pages are 256 records: both lists cross a page boundary.
    expect(newestA).toHaveLength(300);
    expect(newestA.map((e) => e.record.cycles)).toEqual(Array.from({ length: 300 }, (_, i) => 100 + 299 - i));
    const oldestAll = await s.history.list({ order: 'oldest' });
    expect(oldestAll).toHaveLength(450);
    for (let i = 1; i < oldestAll.length; i++) expect(oldestAll[i].time_ms).toBeGreaterThanOrEqual(oldestAll[i - 1].time_ms);
    expect(new Set(oldestAll.map((e) => `${e.device}|${e.time_ms}|${e.hash}`)).size).toBe(450);
    const day2 = await s.history.list({ device: 'sn:B', from_ms: Date.UTC(2025, 2, 2), to_ms: Date.UTC(2025, 2, 3) - 1 });
    expect(day2).toHaveLength(24);
    expect(await s.history.list({ device: 'sn:A', limit: 5 })).toHaveLength(5);
  });

  it('deletes one device’s stored copy only', async () => {
    const s = await storage();
    await s.history.addMany('sn:A', [read(1), read(2)]);
    await s.history.addMany('sn:B', [read(1)]);
    await s.history.deleteDevice('sn:A');
    expect(await s.history.count('sn:A')).toBe(0);
    expect(await s.history.count('sn:B')).toBe(1);
  });

  it('refuses records without raw bytes or device', async () => {
    const s = await storage();
    await expect(s.history.addMany('', [read(1)])).rejects.toMatchObject({ kind: 'invalid' });
    await expect(s.history.addMany('sn:A', [{ ...read(1), raw: undefined as unknown as Uint8Array }])).rejects.toMatchObject({ kind: 'invalid' });
  });
});

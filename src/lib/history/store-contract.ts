// The suite every HistoryStore passes: MemoryHistoryStore here, the IndexedDB store in
// src/lib/storage (its test calls runHistoryStoreContract with a fresh fake-indexeddb database per
// test). What the reader and the clear gate rely on is written down here once.

import { describe, expect, it } from 'vitest';
import { encodeHistoryRecord, type HistoryRecord } from '../protocol/commands/history';
import { historyRecordKey, toPackRecord, type PackHistoryRecord } from './record';
import type { HistoryArchive } from './store';

/** A decoded record at `second` seconds into 2025-03-01, with a little variety in its values. */
export function sampleRecord(second: number, overrides: Partial<HistoryRecord> = {}): PackHistoryRecord {
  const record: HistoryRecord = {
    time: { year: 2025, month: 3, day: 1, hour: Math.floor(second / 3600) % 24, minute: Math.floor(second / 60) % 60, second: second % 60 },
    cells_mV: Array.from({ length: 16 }, (_, i) => 3300 + ((second + i) % 7)),
    temps_C: [21.5, 21.6, 21.4, 21.7, 24, 20.5],
    current_A: -3.2,
    voltage_V: 52.85,
    remaining_Ah: 61.2,
    full_Ah: 101.5,
    status: { protection1: 0, protection2: 0, fault: 0, warning1: 0, warning2: 0, indication: 0x06, fault8: null, fault10: null },
    cycles: 120,
    statusRecord: 0,
    ...overrides
  };
  return toPackRecord(record, encodeHistoryRecord(record));
}

export interface HistoryStoreHarness {
  /** A new, empty store; called once per test. */
  create(): Promise<HistoryArchive>;
}

export function runHistoryStoreContract(name: string, harness: HistoryStoreHarness): void {
  describe(`${name}: HistoryStore contract`, () => {
    it('starts empty and incomplete for an unknown device', async () => {
      const s = await harness.create();
      expect(await s.coverage('P1')).toEqual({ keys: new Set(), complete: false, revision: 0, exportedRevision: null });
      expect(await s.records('P1')).toEqual([]);
    });

    it('adds records once: the same record again, or twice in one call, adds nothing', async () => {
      const s = await harness.create();
      const a = sampleRecord(10);
      const b = sampleRecord(20);
      expect(await s.putMany('P1', [a, b, a])).toEqual({ added: 2 });
      expect(await s.putMany('P1', [b, a])).toEqual({ added: 0 });
      expect(await s.putMany('P1', [sampleRecord(30), b])).toEqual({ added: 1 });
      const c = await s.coverage('P1');
      expect(c.keys).toEqual(new Set([a, b, sampleRecord(30)].map(historyRecordKey)));
    });

    it('keeps two different records of the same second apart, and one device apart from another', async () => {
      const s = await harness.create();
      const a = sampleRecord(10);
      const b = sampleRecord(10, { current_A: 5 });
      expect(historyRecordKey(a)).not.toBe(historyRecordKey(b));
      expect(await s.putMany('P1', [a, b])).toEqual({ added: 2 });
      expect(await s.putMany('P2', [a])).toEqual({ added: 1 });
      expect((await s.coverage('P1')).keys.size).toBe(2);
      expect((await s.coverage('P2')).keys.size).toBe(1);
    });

    it('gives the records back as stored, newest first', async () => {
      const s = await harness.create();
      const recs = [sampleRecord(5), sampleRecord(500), sampleRecord(50)];
      await s.putMany('P1', recs);
      const back = await s.records('P1');
      expect(back.map((r) => r.packTime_ms)).toEqual([500, 50, 5].map((sec) => recs[0].packTime_ms - 5000 + sec * 1000));
      expect(back[0]).toEqual(recs[1]);
    });

    it('counts a revision per call that adds, and none for a call that adds nothing', async () => {
      const s = await harness.create();
      await s.putMany('P1', [sampleRecord(1), sampleRecord(2)]);
      expect((await s.coverage('P1')).revision).toBe(1);
      await s.putMany('P1', [sampleRecord(1)]);
      expect((await s.coverage('P1')).revision).toBe(1);
      await s.putMany('P1', [sampleRecord(3)]);
      expect((await s.coverage('P1')).revision).toBe(2);
    });

    it('remembers whether the copy is complete and which revision was exported', async () => {
      const s = await harness.create();
      await s.putMany('P1', [sampleRecord(1)]);
      await s.setComplete('P1', true);
      await s.markExported('P1', 1);
      expect(await s.coverage('P1')).toMatchObject({ complete: true, revision: 1, exportedRevision: 1 });
      await s.setComplete('P1', false);
      expect((await s.coverage('P1')).complete).toBe(false);
    });
  });
}

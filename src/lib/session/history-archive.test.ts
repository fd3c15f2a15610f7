// The history engine's store contract, run against the IndexedDB storage through the bridge the
// app uses, plus what only a real store can show: a full disk in the middle of a put.

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { runHistoryStoreContract, sampleRecord } from '$lib/history/store-contract';
import { openStorage, type AppStorage } from '$lib/storage';
import { installFakeQuota } from '$lib/storage/testing/fake-quota';
import { StoredHistoryArchive } from './history-archive';

let n = 0;
const open: AppStorage[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function storage(): Promise<AppStorage> {
  const s = await openStorage({ name: `history-archive-${n++}`, storageManager: null });
  open.push(s);
  return s;
}

const keyFor = (serial: string) => `sn:${serial}`;

runHistoryStoreContract('StoredHistoryArchive (IndexedDB)', {
  create: async () => new StoredHistoryArchive(await storage(), { keyFor, address: 1, now: () => 1_700_000_000_000 })
});

describe('StoredHistoryArchive', () => {
  it('files records under the storage device key, with the address and read time', async () => {
    const s = await storage();
    const a = new StoredHistoryArchive(s, { keyFor, address: 3, now: () => 1234 });
    await a.putMany('P1', [sampleRecord(1), sampleRecord(2)]);
    const stored = await s.history.list({ device: 'sn:P1' });
    expect(stored).toHaveLength(2);
    expect(stored.map((e) => [e.address, e.readAt_ms])).toEqual([
      [3, 1234],
      [3, 1234]
    ]);
    expect(await s.history.copyState('sn:P1')).toEqual({ complete: false, revision: 1, exportedRevision: null });
  });

  it('a full disk in the middle of a put stores none of its records and leaves the state as it was', async () => {
    const s = await storage();
    const a = new StoredHistoryArchive(s, { keyFor, address: 1 });
    await a.putMany('P1', [sampleRecord(1)]);
    await a.setComplete('P1', true);
    const q = await installFakeQuota({ failAfterWrites: 1 });
    try {
      await expect(a.putMany('P1', [sampleRecord(2), sampleRecord(3), sampleRecord(4)])).rejects.toMatchObject({ kind: 'quota' });
    } finally {
      q.restore();
    }
    const c = await a.coverage('P1');
    expect(c.keys.size).toBe(1);
    expect(c).toMatchObject({ complete: true, revision: 1 });
    expect(await a.putMany('P1', [sampleRecord(2), sampleRecord(3)])).toEqual({ added: 2 });
  });

  it('records added by the batch import (addMany) also move the revision on, so an older export no longer counts', async () => {
    const s = await storage();
    const a = new StoredHistoryArchive(s, { keyFor, address: 1 });
    await a.putMany('P1', [sampleRecord(1)]);
    await a.markExported('P1', 1);
    const r = sampleRecord(9);
    const { hexToBytes } = await import('$lib/protocol/hex');
    await s.history.addMany('sn:P1', [{ record: r.record, raw: hexToBytes(r.raw_hex)!, address: 1, readAt_ms: 0 }]);
    expect(await a.coverage('P1')).toMatchObject({ revision: 2, exportedRevision: 1 });
  });
});

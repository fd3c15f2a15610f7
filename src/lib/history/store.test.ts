import { describe, expect, it } from 'vitest';
import { runHistoryStoreContract, sampleRecord } from './store-contract';
import { MemoryHistoryStore } from './store';

runHistoryStoreContract('MemoryHistoryStore', { create: async () => new MemoryHistoryStore() });

describe('MemoryHistoryStore', () => {
  it('a failed put stores none of its records', async () => {
    const s = new MemoryHistoryStore();
    await s.putMany('P1', [sampleRecord(1)]);
    s.failNextPut = new Error('full');
    await expect(s.putMany('P1', [sampleRecord(2), sampleRecord(3)])).rejects.toThrow('full');
    expect((await s.coverage('P1')).keys.size).toBe(1);
    expect(await s.putMany('P1', [sampleRecord(2)])).toEqual({ added: 1 });
  });

  it('hands out copies: changing what it returned changes nothing stored', async () => {
    const s = new MemoryHistoryStore();
    const r = sampleRecord(1);
    await s.putMany('P1', [r]);
    r.record.cells_mV[0] = 0;
    const [back] = await s.records('P1');
    back.record.cells_mV[1] = 0;
    expect((await s.records('P1'))[0].record.cells_mV.slice(0, 2)).toEqual([3301, 3302]);
  });
});

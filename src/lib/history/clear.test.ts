// B3H only after the records are stored and exported, checked by the engine so no page can skip
// it, and once more on the wire in the same bus lease as the clear.

import { describe, expect, it } from 'vitest';
import { PaceClient } from '../protocol/client';
import { clearHistory } from '../protocol/commands/history';
import { createSimBank, type SimBankOptions } from '../sim/bank';
import { VirtualClock } from '../time/clock';
import { SimTransport } from '../transport/sim';
import { clearPackHistory, clearRefusal } from './clear';
import { readPackHistory } from './reader';
import { MemoryHistoryStore } from './store';
import { sampleRecord } from './store-contract';
import { scripted, type ScriptedReply } from './testing';
import { padAscii } from '../protocol/commands/info';
import { hexToBytes } from '../protocol/hex';

async function rig(o: Partial<SimBankOptions> = {}) {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: 3, seed: 'history-clear', clock, baud: 115_200, pastHistory_days: 20, ...o });
  const transport = new SimTransport(bank, { clock });
  await clock.run(transport.open());
  const client = new PaceClient(transport, { clock });
  const store = new MemoryHistoryStore();
  const pack = bank.packAt(2)!;
  const device = pack.identity.bmsSerial;
  const read = (maxRecords?: number) => clock.run(readPackHistory(client, { address: 2, store, maxRecords }), 3_600_000);
  const clear = (address = 2, dev = device) => clock.run(clearPackHistory(client, { address, device: dev, store }));
  const exportAll = async () => store.markExported(device, (await store.coverage(device)).revision);
  return { clock, bank, client, store, pack, device, read, clear, exportAll };
}

describe('clearRefusal', () => {
  const keys = new Set(['1:a']);
  it('refuses until something is stored, the copy is complete and exported after the last record', () => {
    expect(clearRefusal({ keys: new Set(), complete: true, revision: 0, exportedRevision: 0 })).toEqual({ reason: 'nothing-stored' });
    expect(clearRefusal({ keys, complete: false, revision: 1, exportedRevision: 1 })).toEqual({ reason: 'incomplete' });
    expect(clearRefusal({ keys, complete: true, revision: 1, exportedRevision: null })).toEqual({ reason: 'not-exported' });
    expect(clearRefusal({ keys, complete: true, revision: 2, exportedRevision: 1 })).toEqual({ reason: 'not-exported' });
    expect(clearRefusal({ keys, complete: true, revision: 2, exportedRevision: 2 })).toBeNull();
  });

  it('B3H is not a read: the client write guard and installer mode apply to it', () => {
    expect(clearHistory.kind).not.toBe('read');
  });
});

/** Virtual time runs on the CPU: a busy machine may need more than vitest's 5 s. */
describe('clearPackHistory', { timeout: 30_000 }, () => {
  it('refuses before the read, before the export, and clears after both; the stored copy stays', async () => {
    const r = await rig();
    const size = r.pack.history.size;
    expect(await r.clear()).toMatchObject({ ok: false, refusal: { reason: 'nothing-stored' } });
    await r.read();
    expect(await r.clear()).toMatchObject({ ok: false, refusal: { reason: 'not-exported' } });
    expect(r.pack.history.size).toBe(size);
    await r.exportAll();
    expect(await r.clear()).toEqual({ ok: true, device: r.device, address: 2, verified: 'empty' });
    expect(r.pack.history.size).toBe(0);
    expect((await r.store.coverage(r.device)).keys.size).toBe(size);
    expect((await r.store.coverage(r.device)).complete).toBe(false);
    // The log starts again; the next read takes only what is new, to the end.
    r.bank.inject({ kind: 'reboot', address: 2 });
    await r.clock.advance(3000);
    expect(await r.read()).toMatchObject({ stop: 'end', read: 1, added: 1, complete: true });
    r.bank.dispose();
  });

  it('refuses when the pack wrote a record since the read, and clears nothing', async () => {
    const r = await rig();
    await r.read();
    await r.exportAll();
    r.bank.inject({ kind: 'reboot', address: 2 });
    await r.clock.advance(3000);
    const size = r.pack.history.size;
    expect(await r.clear()).toMatchObject({ ok: false, refusal: { reason: 'new-records' } });
    expect(r.pack.history.size).toBe(size);
    r.bank.dispose();
  });

  it('refuses a capped read (the copy may miss the oldest records)', async () => {
    const r = await rig();
    await r.read(10);
    await r.exportAll();
    expect(await r.clear()).toMatchObject({ ok: false, refusal: { reason: 'incomplete' } });
    r.bank.dispose();
  });

  it('refuses when another pack sits at the address now', async () => {
    const r = await rig();
    await r.read();
    await r.exportAll();
    const other = r.bank.packAt(3)!;
    expect(await r.clear(3)).toMatchObject({ ok: false, refusal: { reason: 'other-pack', found: other.identity.bmsSerial } });
    expect(other.history.size).toBeGreaterThan(0);
    r.bank.dispose();
  });

  it('reads back the end of the log as RTN 07 on firmware that says so', async () => {
    const r = await rig({ firmware: { historyEnd: 'rtn07' } });
    await r.read();
    await r.exportAll();
    expect(await r.clear()).toMatchObject({ ok: true, verified: 'empty' });
    r.bank.dispose();
  });
});

describe('clearPackHistory on firmware the simulator does not model', () => {
  const serial = padAscii('P1812SCRIPTED');
  const log = [sampleRecord(20), sampleRecord(10)];
  /** A pack whose log is `log` whatever B3H does; `onClear` is its answer to B3H. */
  const pack = (onClear: () => ScriptedReply) =>
    scripted((cid2, _adr, req) => {
      if (cid2 === 0xc2) return { info: serial };
      if (cid2 === 0xb3) return onClear();
      const rec = log[(req as { index: number }).index];
      return rec ? { info: hexToBytes(rec.raw_hex)! } : {};
    });

  async function storedAndExported(client: ReturnType<typeof pack>) {
    const store = new MemoryHistoryStore();
    expect(await readPackHistory(client, { address: 1, store })).toMatchObject({ stop: 'end', added: 2 });
    await store.markExported('P1812SCRIPTED', 1);
    return store;
  }

  it('a pack that acknowledges B3H but still holds its records is reported, not taken as cleared', async () => {
    const client = pack(() => ({}));
    const store = await storedAndExported(client);
    const r = await clearPackHistory(client, { address: 1, device: 'P1812SCRIPTED', store });
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && 'error' in r && r.error.message).toMatch(/still holds/);
    expect((await store.coverage('P1812SCRIPTED')).complete).toBe(true);
  });

  it('a refused B3H (RTN 09) is reported with its RTN and nothing more is sent', async () => {
    const client = pack(() => ({ rtn: 0x09 }));
    const store = await storedAndExported(client);
    client.sent.length = 0;
    const r = await clearPackHistory(client, { address: 1, device: 'P1812SCRIPTED', store });
    expect(!r.ok && 'error' in r && r.error).toMatchObject({ kind: 'rtn', rtn: 0x09 });
    expect(client.sent).toEqual([0xc2, 0xa1, 0xb3]);
  });
});

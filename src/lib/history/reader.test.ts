// The history reader against the simulated bank, through the real SimTransport and PaceClient on
// virtual time: what it reads is what the packs hold, newest first, once.

import { describe, expect, it } from 'vitest';
import { PaceClient } from '../protocol/client';
import { encodeHistoryRecord } from '../protocol/commands/history';
import { padAscii } from '../protocol/commands/info';
import { BankPoller, type PackIdentityReport } from '../protocol/poller';
import type { PollCycle } from '../protocol/bank-types';
import { createSimBank, type SimBankOptions } from '../sim/bank';
import { dateTimeOf } from '../sim/responder';
import { VirtualClock } from '../time/clock';
import { SimTransport } from '../transport/sim';
import { readPackHistory, historyReach, type HistoryReadProgress, type ReadHistoryOptions } from './reader';
import { historyRecordKey } from './record';
import { MemoryHistoryStore } from './store';
import { scripted } from './testing';

async function rig(o: Partial<SimBankOptions> = {}) {
  const clock = new VirtualClock();
  // 115200 baud and a month of past (~100 records) keep a read short in real time; the logic is
  // the same at 9600 with 400 records.
  const bank = createSimBank({ packCount: 3, seed: 'history-reader', clock, baud: 115_200, pastHistory_days: 30, ...o });
  const transport = new SimTransport(bank, { clock });
  await clock.run(transport.open());
  const client = new PaceClient(transport, { clock });
  const store = new MemoryHistoryStore();
  const read = (opts: Partial<ReadHistoryOptions> = {}) => clock.run(readPackHistory(client, { address: 1, store, ...opts }), 24 * 3_600_000);
  return { clock, bank, client, store, read };
}

/** The pack's own log, newest first, as the keys the reader must produce. */
function packTimes(bank: ReturnType<typeof createSimBank>, address: number): number[] {
  const h = bank.packAt(address)!.history;
  const out: number[] = [];
  for (let i = 0; i < h.size; i++) out.push(Math.floor(h.get(i)!.time_ms / 1000) * 1000);
  return out;
}

/** Virtual time runs on the CPU: a busy machine may need more than vitest's 5 s for a long log. */
const SIM_TEST_TIMEOUT_ms = 30_000;

describe('readPackHistory', { timeout: SIM_TEST_TIMEOUT_ms }, () => {
  it('reads the whole log of a pack, decoded, newest first, and stores it once', async () => {
    const r = await rig();
    const pack = r.bank.packAt(1)!;
    const progress: HistoryReadProgress[] = [];
    const result = await r.read({ onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ device: pack.identity.bmsSerial, address: 1, stop: 'end', complete: true, problem: null });
    expect(result.read).toBe(pack.history.size);
    expect(result.added).toBe(pack.history.size);
    expect(pack.history.size).toBeGreaterThan(50);

    const stored = await r.store.records(pack.identity.bmsSerial);
    expect(stored.map((s) => s.packTime_ms)).toEqual(packTimes(r.bank, 1));
    const newest = pack.history.get(0)!;
    expect(stored[0].record.time).toEqual(dateTimeOf(newest.time_ms));
    expect(stored[0].record.cells_mV).toEqual(newest.cells_mV);
    expect(stored[0].record.cycles).toBe(newest.cycles);
    // The oldest record is the power-on the invented past starts with.
    expect(stored[stored.length - 1].event.kind).toBe('power-on');
    expect(new Set(stored.map((s) => s.event.kind)).size).toBeGreaterThanOrEqual(3);

    expect(progress[0].phase).toBe('identifying');
    const reads = progress.map((p) => p.read);
    expect(reads).toEqual([...reads].sort((a, b) => a - b));
    expect(progress[progress.length - 1]).toMatchObject({ read: result.read, added: result.added, device: pack.identity.bmsSerial });
    r.bank.dispose();
  });

  it('reading twice adds nothing, and a second "new" read stops after one page (8) of known records', async () => {
    const r = await rig();
    const first = await r.read();
    const again = await r.read();
    expect(again).toMatchObject({ stop: 'overlap', added: 0, read: 8, complete: true });
    const all = await r.read({ mode: 'all' });
    expect(all).toMatchObject({ stop: 'end', added: 0, read: first.read, complete: true });
    expect((await r.store.coverage(first.device!)).keys.size).toBe(first.read);
    r.bank.dispose();
  });

  it('an incremental read takes only the records written since, however far the indexes moved', async () => {
    const r = await rig();
    const pack = r.bank.packAt(1)!;
    await r.read();
    // Three reboots, three power-on records: every old record is now three indexes further up.
    for (let i = 0; i < 3; i++) {
      r.bank.inject({ kind: 'reboot', address: 1 });
      await r.clock.advance(3000);
    }
    const next = await r.read();
    expect(next).toMatchObject({ stop: 'overlap', added: 3, read: 3 + 8, complete: true });
    const stored = await r.store.records(pack.identity.bmsSerial);
    expect(stored.slice(0, 3).every((s) => s.event.kind === 'power-on')).toBe(true);
    expect(stored.map((s) => s.packTime_ms)).toEqual(packTimes(r.bank, 1));
    r.bank.dispose();
  });

  it('a record written between two pages moves the rest up; nothing is skipped and nothing stored twice', async () => {
    const r = await rig();
    const pack = r.bank.packAt(1)!;
    const writtenAt = new Set<number>();
    const result = await r.read({
      pageSize: 8,
      onProgress: (p) => {
        // At the end of the first and the third page the firmware writes a record (as it does
        // on a status change).
        if ((p.read === 8 || p.read === 24) && !writtenAt.has(p.read)) {
          writtenAt.add(p.read);
          pack.history.push(pack.snapshotEntry(false));
        }
      }
    });
    const written = writtenAt.size;
    expect(written).toBe(2);
    expect(result.stop).toBe('end');
    // The two pushed-up records were read twice but stored once; the two new ones are not in
    // this read (they are at indexes already passed) and come with the next one.
    expect(result.read).toBe(pack.history.size);
    expect(result.added).toBe(pack.history.size - 2);
    const next = await r.read();
    expect(next.added).toBe(2);
    const stored = await r.store.records(pack.identity.bmsSerial);
    expect(stored.map(historyRecordKey)).toHaveLength(new Set(stored.map(historyRecordKey)).size);
    expect(stored.map((s) => s.packTime_ms)).toEqual(packTimes(r.bank, 1));
    r.bank.dispose();
  });

  it('cancel stops at once and keeps what was read; the next read does not trust the gap and goes to the end', async () => {
    const r = await rig();
    const pack = r.bank.packAt(1)!;
    const ac = new AbortController();
    const result = await r.read({ signal: ac.signal, onProgress: (p) => p.read === 40 && ac.abort() });
    expect(result).toMatchObject({ stop: 'cancelled', read: 40, added: 40, complete: false });
    const next = await r.read();
    expect(next).toMatchObject({ stop: 'end', added: pack.history.size - 40, complete: true });
    // Cancelled before it began: nothing read, nothing changed.
    ac.abort();
    const none = await r.read({ signal: ac.signal });
    expect(none).toMatchObject({ stop: 'cancelled', read: 0, added: 0, device: null });
    expect((await r.store.coverage(pack.identity.bmsSerial)).complete).toBe(true);
    r.bank.dispose();
  });

  it('stops at the cap, and says the copy is not complete', async () => {
    const r = await rig();
    const capped = await r.read({ maxRecords: 20 });
    expect(capped).toMatchObject({ stop: 'cap', read: 20, added: 20, complete: false });
    r.bank.dispose();
  });

  it('takes RTN 07 as the end of the log (Seplos-style firmware)', async () => {
    const r = await rig({ firmware: { historyEnd: 'rtn07' } });
    const result = await r.read();
    expect(result).toMatchObject({ stop: 'end', complete: true, read: r.bank.packAt(1)!.history.size });
    r.bank.dispose();
  });

  it('reads a slave on the link bus, where every pack answers its own address', async () => {
    const r = await rig();
    const result = await r.read({ address: 3, expectedSerial: r.bank.packAt(3)!.identity.bmsSerial });
    expect(result).toMatchObject({ stop: 'end', device: r.bank.packAt(3)!.identity.bmsSerial });
    expect((await r.store.records(result.device!)).map((s) => s.packTime_ms)).toEqual(packTimes(r.bank, 3));
    r.bank.dispose();
  });

  it("on the master's RS232 port, reads the master and refuses a slave (the master would answer for it)", async () => {
    const r = await rig({ port: 'rs232' });
    expect((await r.read({ address: 1 })).stop).toBe('end');
    const slave = await r.read({ address: 2 });
    expect(slave).toMatchObject({ stop: 'error', read: 0, device: null, problem: { kind: 'other-pack', address: 2, answeredBy: 1 } });
    r.bank.dispose();
  });

  it('refuses an address nobody answers, and a pack that is not the one expected', async () => {
    const r = await rig();
    expect((await r.read({ address: 9 })).problem).toMatchObject({ kind: 'no-answer', address: 9 });
    const wrong = await r.read({ address: 2, expectedSerial: r.bank.packAt(3)!.identity.bmsSerial });
    expect(wrong.problem).toEqual({
      kind: 'wrong-pack',
      address: 2,
      expected: r.bank.packAt(3)!.identity.bmsSerial,
      found: r.bank.packAt(2)!.identity.bmsSerial
    });
    r.bank.dispose();
  });

  it('reads the stand-alone pack at ADR 0 and follows the address it answers with', async () => {
    const r = await rig({ packCount: 1, addresses: [0] });
    const result = await r.read({ address: 0 });
    expect(result).toMatchObject({ stop: 'end', read: r.bank.packs[0].history.size });
    r.bank.dispose();
  });

  it('a full disk in the middle keeps every record stored before it and leaves the copy incomplete', async () => {
    const r = await rig();
    const serial = r.bank.packAt(1)!.identity.bmsSerial;
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const result = await r.read({
      onProgress: (p) => {
        if (p.read === 20) r.store.failNextPut = quota;
      }
    });
    expect(result).toMatchObject({ stop: 'error', added: 16, complete: false, problem: { kind: 'store', message: quota.message } });
    expect((await r.store.coverage(serial)).keys.size).toBe(16);
    r.bank.dispose();
  });

  it('gives the bus back between pages, so polling goes on during a long read', async () => {
    const r = await rig({ baud: 9600 });
    const poller = new BankPoller(r.client, { clock: r.clock, interval_ms: 1000 });
    const cycles: PollCycle[] = [];
    const updates: number[] = [];
    poller.onCycle((c) => cycles.push(c));
    poller.onUpdate((u) => u.address === 1 && u.analog && updates.push(u.received_ms));
    poller.start();
    while (cycles.length < 2) await r.clock.advance(500);
    const before = cycles.length;
    const started = r.clock.now();
    const result = await r.read();
    const ended = r.clock.now();
    await r.clock.run(poller.stop());
    expect(result.stop).toBe('end');
    // At 9600 baud a record takes ~0.25 s: the read spans many poll cycles, and they ran, every
    // pack answering, with fresh values at most a few pages apart.
    const during = updates.filter((t) => t >= started && t <= ended);
    const gaps = during.slice(1).map((t, i) => t - during[i]);
    console.info(
      JSON.stringify({ read_ms: ended - started, records: result.read, cycles: cycles.length - before, max_update_gap_ms: Math.max(...gaps) })
    );
    expect(ended - started).toBeGreaterThan(20_000);
    expect(cycles.length - before).toBeGreaterThanOrEqual(3);
    expect(Math.max(...gaps)).toBeLessThan(10_000);
    expect(cycles.every((c) => c.missed.length === 0)).toBe(true);
    r.bank.dispose();
  });
});

describe('historyReach', () => {
  it("from the poller's identity: on the master's RS232 port only the master is readable; on the link bus every pack", async () => {
    for (const port of ['rs232', 'bus'] as const) {
      const r = await rig({ port });
      const poller = new BankPoller(r.client, { clock: r.clock, interval_ms: 1000 });
      const identities = new Map<number, PackIdentityReport>();
      poller.onIdentity((i) => identities.set(i.address, i));
      poller.start();
      while (identities.size < 3) await r.clock.advance(500);
      await r.clock.run(poller.stop());
      const reach = [1, 2, 3].map((a) => historyReach(identities.get(a)));
      expect(reach).toEqual(port === 'rs232' ? ['readable', 'not-on-cable', 'not-on-cable'] : ['readable', 'readable', 'readable']);
      // And the reader agrees on the wire.
      expect((await r.read({ address: 3, maxRecords: 1 })).stop).toBe(port === 'rs232' ? 'error' : 'cap');
      r.bank.dispose();
    }
  });

  it('readable once the pack gave its serial at its own address, not before, not when it did not', () => {
    expect(historyReach({ bmsSerial: 'P1812ABC' })).toBe('readable');
    expect(historyReach({ bmsSerial: null })).toBe('not-on-cable');
    expect(historyReach(undefined)).toBe('unknown');
  });
});

const SERIAL_INFO = padAscii('P1812SCRIPTED');

describe('readPackHistory on firmware the simulator does not model', () => {
  const sample = encodeHistoryRecord({
    time: { year: 2025, month: 3, day: 1, hour: 10, minute: 0, second: 0 },
    cells_mV: Array.from({ length: 16 }, () => 3300),
    temps_C: [20, 20, 20, 20, 21, 19],
    current_A: 0,
    voltage_V: 52.8,
    remaining_Ah: 50,
    full_Ah: 100,
    status: { protection1: 0, protection2: 0, fault: 0, warning1: 0, warning2: 0, indication: 6, fault8: null, fault10: null },
    cycles: 10,
    statusRecord: null
  });

  it('stops with "repeating" when the pack answers every index with the same record', async () => {
    const store = new MemoryHistoryStore();
    const client = scripted((cid2) => ({ info: cid2 === 0xc2 ? SERIAL_INFO : sample }));
    const r = await readPackHistory(client, { address: 1, store, pageSize: 4 });
    expect(r).toMatchObject({ stop: 'repeating', read: 5, added: 1, complete: false });
  });

  it('says the firmware keeps no readable log when A1H gets RTN 04', async () => {
    const client = scripted((cid2) => (cid2 === 0xc2 ? { info: SERIAL_INFO } : { rtn: 0x04 }));
    const r = await readPackHistory(client, { address: 1, store: new MemoryHistoryStore() });
    expect(r).toMatchObject({ stop: 'error', read: 0, problem: { kind: 'unsupported', address: 1 } });
  });

  it('refuses a pack without a serial number, since records are kept per serial', async () => {
    const blank = scripted(() => ({ info: padAscii('') }));
    expect((await readPackHistory(blank, { address: 1, store: new MemoryHistoryStore() })).problem).toEqual({ kind: 'no-serial', address: 1 });
    const noC2 = scripted(() => ({ rtn: 0x04 }));
    expect((await readPackHistory(noC2, { address: 1, store: new MemoryHistoryStore() })).problem).toEqual({ kind: 'no-serial', address: 1 });
  });

  it('a lease that throws in the middle of a page keeps the records of that page', async () => {
    const store = new MemoryHistoryStore();
    let n = 0;
    const client = scripted((cid2) => {
      if (cid2 === 0xc2) return { info: SERIAL_INFO };
      if (++n > 3) throw new Error('link gone');
      const rec = sample.slice();
      rec[5] = n; // a different second each
      return { info: rec };
    });
    const r = await readPackHistory(client, { address: 1, store });
    expect(r).toMatchObject({ stop: 'error', read: 3, added: 3, problem: { kind: 'protocol', message: 'Record 3: link gone' } });
    expect((await store.coverage('P1812SCRIPTED')).keys.size).toBe(3);
  });

  it('stops when a record comes from another address than the serial did', async () => {
    let n = 0;
    const client = scripted((cid2) => (cid2 === 0xc2 ? { info: SERIAL_INFO } : { info: sample, adr: n++ < 2 ? 1 : 2 }));
    const r = await readPackHistory(client, { address: 1, store: new MemoryHistoryStore() });
    expect(r).toMatchObject({ stop: 'error', read: 2, problem: { kind: 'other-pack', answeredBy: 2 } });
  });

  it('a record that does not decode stops the read with the index and the reason; what came before is stored', async () => {
    const store = new MemoryHistoryStore();
    const client = scripted((cid2, _adr, req) => {
      if (cid2 === 0xc2) return { info: SERIAL_INFO };
      const index = (req as { index: number }).index;
      if (index === 0) return { info: sample };
      return { info: sample.slice(0, 20) };
    });
    const r = await readPackHistory(client, { address: 1, store });
    expect(r).toMatchObject({ stop: 'error', read: 1, added: 1, problem: { kind: 'protocol' } });
    expect(r.problem?.kind === 'protocol' && r.problem.message).toMatch(/^Record 1: .*DecodeError/);
  });
});

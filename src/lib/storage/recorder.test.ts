import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/clock';
import { StorageError } from './errors';
import type { PersistOutcome } from './quota';
import { Recorder, type RecorderStore } from './recorder';
import { DAY_MS, DEFAULT_RETENTION } from './retention';
import { openStorage, type AppStorage } from './storage';
import type { TelemetryBatch } from './telemetry';
import { bankSample, deviceKeyOf } from './testing/bank-day';

const T0 = Date.UTC(2025, 5, 1, 10);
let n = 0;
const open: AppStorage[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function storage(): Promise<AppStorage> {
  const s = await openStorage({ name: `recorder-test-${n++}`, storageManager: null });
  open.push(s);
  return s;
}

const manual = { bank: 'bank:test', flushEvery_ms: null, pruneEvery_ms: null, requestPersistence: false, now: () => T0 } as const;

async function samplesOf(s: AppStorage, address: number, from = T0 - DAY_MS, to = T0 + DAY_MS) {
  const out = [];
  for await (const r of s.telemetry.samples(deviceKeyOf(address), { from_ms: from, to_ms: to })) out.push(r);
  return out;
}

/** A store whose writes never finish (IndexedDB stuck), counting calls. */
function stuckStore(): RecorderStore & { writes: number } {
  const store = {
    writes: 0,
    telemetry: {
      writeBatch: () => {
        store.writes++;
        return new Promise<void>(() => undefined);
      },
      prune: () => Promise.resolve({ rawChunks: 0, minuteChunks: 0, recordings: 0 }),
      getRetention: () => Promise.resolve(DEFAULT_RETENTION)
    },
    persistence: { request: () => Promise.resolve<PersistOutcome>({ kind: 'granted', message: '' }) }
  };
  return store;
}

describe('Recorder', () => {
  it('record() returns at once while IndexedDB is stuck, and stops with "backlog" instead of growing without bound', async () => {
    const store = stuckStore();
    const rec = new Recorder(store, { ...manual, maxPending: 100 });
    rec.start();
    for (let i = 0; i < 16; i++) expect(rec.record(bankSample(1, T0 + i * 2000))).toBe(true);
    void rec.flush(); // hangs for ever
    await Promise.resolve();
    expect(store.writes).toBe(1);
    let accepted = 0;
    for (let i = 16; i < 200; i++) if (rec.record(bankSample(1, T0 + i * 2000))) accepted++;
    expect(accepted).toBe(100);
    expect(rec.state).toMatchObject({ kind: 'stopped', reason: { kind: 'backlog' } });
    const stopped = rec.state;
    // The 16 in the stuck write and the 100 queued: none of them is known to be stored.
    if (stopped.kind === 'stopped') expect(stopped.reason.lost).toBe(116);
    expect(rec.record(bankSample(1, T0 + 999_000))).toBe(false);
  });

  it('a slow write that commits after a backlog stop is counted written, not lost', async () => {
    let release: () => void = () => undefined;
    const slow: RecorderStore = {
      ...stuckStore(),
      telemetry: { ...stuckStore().telemetry, writeBatch: () => new Promise<void>((r) => (release = r)) }
    };
    const rec = new Recorder(slow, { ...manual, maxPending: 20 });
    rec.start();
    for (let i = 0; i < 16; i++) rec.record(bankSample(1, T0 + i * 2000));
    const flushing = rec.flush();
    for (let i = 16; i < 40; i++) rec.record(bankSample(1, T0 + i * 2000));
    // 16 in the write that has not committed yet, 20 queued behind it.
    expect(rec.state).toMatchObject({ kind: 'stopped', reason: { kind: 'backlog', lost: 36 } });
    release();
    await flushing;
    expect(rec.stats.written).toBe(16);
    expect(rec.state).toMatchObject({ kind: 'stopped', reason: { kind: 'backlog', lost: 20 } });
  });

  it('flushes on its clock every flushEvery_ms, one transaction per flush, and says so', async () => {
    const s = await storage();
    const clock = new VirtualClock(0);
    const batches: TelemetryBatch[] = [];
    const spy: RecorderStore = {
      telemetry: {
        writeBatch: (b) => {
          batches.push(b);
          return s.telemetry.writeBatch(b);
        },
        prune: (r, t) => s.telemetry.prune(r, t),
        getRetention: () => s.telemetry.getRetention()
      },
      persistence: s.persistence
    };
    const rec = new Recorder(spy, { ...manual, clock, flushEvery_ms: 10_000 });
    const seen: number[] = [];
    rec.onChange((_state, stats) => seen.push(stats.written));
    rec.start();
    for (let i = 0; i < 5; i++) for (let a = 1; a <= 3; a++) rec.record(bankSample(a, T0 + i * 2000));
    await clock.advance(9_999);
    expect(batches).toHaveLength(0);
    await clock.advance(1);
    await rec.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0].raw).toHaveLength(3);
    expect(batches[0].recordings.map((r) => r.rows)).toEqual([5, 5, 5]);
    expect(rec.stats.written).toBe(15);
    expect(seen).toContain(15);
    // Nothing new: the next tick writes nothing.
    await clock.advance(10_000);
    await rec.flush();
    expect(batches).toHaveLength(1);
    await rec.stop();
  });

  it('rewrites the open chunk in place and seals it when full: 600 rows at 240 per chunk are 3 records', async () => {
    const s = await storage();
    const rec = s.recorder({ ...manual, chunkRows: 240 });
    rec.start();
    for (let i = 0; i < 600; i++) {
      rec.record(bankSample(1, T0 + i * 2000));
      if (i % 10 === 9) await rec.flush();
    }
    await rec.stop();
    expect((await s.telemetry.counts()).rawChunks).toBe(3);
    const rows = await samplesOf(s, 1);
    expect(rows).toHaveLength(600);
    expect(rows.map((r) => r.t_ms)).toEqual(Array.from({ length: 600 }, (_, i) => T0 + i * 2000));
    // 20 minutes of data: 20 minute aggregates in one hour chunk.
    const minutes = [];
    for await (const m of s.telemetry.minutes(deviceKeyOf(1), { from_ms: T0, to_ms: T0 + DAY_MS })) minutes.push(m);
    expect(minutes).toHaveLength(20);
    expect(minutes.reduce((a, m) => a + m.samples, 0)).toBe(600);
  });

  it("writes each flush's new rows as a small tail, readable at once, and merges the tails into one chunk at the end", async () => {
    const s = await storage();
    const rec = s.recorder(manual);
    rec.start();
    for (let i = 0; i < 100; i++) {
      rec.record(bankSample(1, T0 + i * 2000));
      if (i % 10 === 9) await rec.flush();
    }
    // Mid-recording (as after a crash): ten tails, every row readable in order.
    expect((await s.telemetry.counts()).rawChunks).toBe(10);
    expect((await samplesOf(s, 1)).map((r) => r.t_ms)).toEqual(Array.from({ length: 100 }, (_, i) => T0 + i * 2000));
    // Minute aggregates are written once a minute completes: 3 full minutes and the 4th so far.
    const minutes = [];
    for await (const m of s.telemetry.minutes(deviceKeyOf(1), { from_ms: T0, to_ms: T0 + DAY_MS })) minutes.push(m.samples);
    expect(minutes.slice(0, 3)).toEqual([30, 30, 30]);
    await rec.stop();
    expect((await s.telemetry.counts()).rawChunks).toBe(1);
    expect((await samplesOf(s, 1)).map((r) => r.t_ms)).toEqual(Array.from({ length: 100 }, (_, i) => T0 + i * 2000));
    const after = [];
    for await (const m of s.telemetry.minutes(deviceKeyOf(1), { from_ms: T0, to_ms: T0 + DAY_MS })) after.push(m.samples);
    expect(after).toEqual([30, 30, 30, 10]);
  });

  it('widens a chunk when status bytes appear, starts a new one when the cell count changes, and reads all back', async () => {
    const s = await storage();
    const rec = s.recorder(manual);
    rec.start();
    rec.record(bankSample(1, T0, { noStatus: true }));
    rec.record(bankSample(1, T0 + 2000));
    rec.record(bankSample(1, T0 + 4000, { noStatus: true }));
    rec.record(bankSample(1, T0 + 6000, { cells: 15 }));
    await rec.stop();
    const rows = await samplesOf(s, 1);
    expect(rows.map((r) => [r.cells_mV.length, r.statusBytes === null])).toEqual([
      [16, true],
      [16, false],
      [16, true],
      [15, false]
    ]);
    expect((await s.devices.get(deviceKeyOf(1)))?.cellCount).toBe(16);
    // One 16-cell chunk (status columns added when the first status came), one 15-cell chunk;
    // the same for the minute aggregates, whose two parts of one minute both survive.
    expect(await s.telemetry.counts()).toMatchObject({ rawChunks: 2, minuteChunks: 2 });
    const minutes = [];
    for await (const m of s.telemetry.minutes(deviceKeyOf(1), { from_ms: T0, to_ms: T0 + 60_000 })) minutes.push(m);
    expect(minutes.map((m) => [m.t_ms, m.samples, m.cellMeans_mV.length])).toEqual([
      [T0, 3, 16],
      [T0, 1, 15]
    ]);
    expect(minutes[0].statusBytesOr?.control).toBe(0x06);
  });

  it('skips samples older than the last one and refuses malformed ones, counting both', async () => {
    const s = await storage();
    const rec = s.recorder(manual);
    rec.start();
    rec.record(bankSample(1, T0 + 4000));
    rec.record(bankSample(1, T0 + 2000));
    rec.record(bankSample(1, T0 + 4000));
    expect(rec.record({ ...bankSample(1, T0 + 6000), t_ms: Number.NaN })).toBe(false);
    const empty = bankSample(2, T0);
    empty.analog.empty = true;
    expect(rec.record(empty)).toBe(false);
    await rec.flush();
    expect(rec.stats).toMatchObject({ written: 1, outOfOrder: 2, rejected: 2 });
    expect(rec.stats.lastRejection).toMatch(/empty/);
    await rec.stop();
  });

  it('stop() writes what is queued, ends "user" with nothing lost, and takes no more samples', async () => {
    const s = await storage();
    const rec = s.recorder(manual);
    rec.start();
    for (let i = 0; i < 7; i++) rec.record(bankSample(4, T0 + i * 5000));
    const final = await rec.stop();
    expect(final).toMatchObject({ kind: 'stopped', reason: { kind: 'user', lost: 0 } });
    expect(await samplesOf(s, 4)).toHaveLength(7);
    expect(rec.record(bankSample(4, T0 + 100_000))).toBe(false);
    expect(() => rec.start()).toThrow(StorageError);
    const [recording] = await s.telemetry.recordings({ device: deviceKeyOf(4) });
    expect(recording).toMatchObject({ rows: 7, start_ms: T0, end_ms: T0 + 30_000, address: 4, bank: 'bank:test' });
  });

  it('asks for persistent storage once when recording starts and reports the answer', async () => {
    let asked = 0;
    const s = await openStorage({
      name: `recorder-test-${n++}`,
      storageManager: {
        persisted: () => Promise.resolve(false),
        persist: () => {
          asked++;
          return Promise.resolve(true);
        }
      }
    });
    open.push(s);
    const rec = s.recorder({ ...manual, requestPersistence: true });
    rec.start();
    await rec.flush();
    await new Promise((r) => setTimeout(r, 0));
    expect(rec.stats.persistence?.kind).toBe('granted');
    const again = s.recorder({ ...manual, requestPersistence: true });
    again.start();
    await again.stop();
    await rec.stop();
    expect(asked).toBe(1);
  });

  it('prunes at start what the retention setting no longer keeps', async () => {
    const s = await storage();
    const old = T0 - 10 * DAY_MS;
    const first = s.recorder({ ...manual, now: () => old });
    first.start();
    for (let i = 0; i < 40; i++) first.record(bankSample(1, old + i * 5000));
    await first.stop();
    await s.telemetry.setRetention({ raw_days: 2, minute_days: 30 });
    const rec = s.recorder({ ...manual, pruneEvery_ms: 3_600_000 });
    const done = new Promise<void>((resolve) => rec.onChange((_s, stats) => stats.lastPrune && resolve()));
    rec.start();
    await done;
    expect(rec.stats.lastPrune).toEqual({ rawChunks: 1, minuteChunks: 0, recordings: 0 });
    expect(await samplesOf(s, 1, old - DAY_MS, T0)).toHaveLength(0);
    const minutes = [];
    for await (const m of s.telemetry.minutes(deviceKeyOf(1), { from_ms: old - DAY_MS, to_ms: T0 })) minutes.push(m);
    expect(minutes.length).toBeGreaterThan(0);
    await rec.stop();
  });

  it('retries a failed flush on the next one: nothing lost, nothing twice', async () => {
    const s = await storage();
    let failNext = true;
    const flaky: RecorderStore = {
      telemetry: {
        writeBatch: (b) => {
          if (failNext) {
            failNext = false;
            return Promise.reject(new DOMException('disk hiccup', 'UnknownError'));
          }
          return s.telemetry.writeBatch(b);
        },
        prune: (r, t) => s.telemetry.prune(r, t),
        getRetention: () => s.telemetry.getRetention()
      },
      persistence: s.persistence
    };
    const rec = new Recorder(flaky, manual);
    rec.start();
    for (let i = 0; i < 5; i++) rec.record(bankSample(1, T0 + i * 2000));
    await rec.flush();
    expect(rec.state.kind).toBe('recording');
    expect(rec.stats).toMatchObject({ written: 0, unsaved: 5 });
    expect(rec.stats.lastError).toMatch(/UnknownError/);
    for (let i = 5; i < 8; i++) rec.record(bankSample(1, T0 + i * 2000));
    await rec.flush();
    expect(rec.stats).toMatchObject({ written: 8, unsaved: 0, lastError: null });
    await rec.stop();
    expect((await samplesOf(s, 1)).map((r) => r.t_ms)).toEqual(Array.from({ length: 8 }, (_, i) => T0 + i * 2000));
  });

  it('stops with "failed" after maxConsecutiveFailures failed flushes', async () => {
    const failing: RecorderStore = {
      ...stuckStore(),
      telemetry: { ...stuckStore().telemetry, writeBatch: () => Promise.reject(new Error('broken')) }
    };
    const rec = new Recorder(failing, { ...manual, maxConsecutiveFailures: 2 });
    rec.start();
    rec.record(bankSample(1, T0));
    await rec.flush();
    expect(rec.state.kind).toBe('recording');
    await rec.flush();
    expect(rec.state).toMatchObject({ kind: 'stopped', reason: { kind: 'failed', lost: 1 } });
  });

  it('refuses nonsense options', () => {
    const store = stuckStore();
    expect(() => new Recorder(store, { ...manual, bank: '' })).toThrow(RangeError);
    expect(() => new Recorder(store, { ...manual, flushEvery_ms: 0 })).toThrow(RangeError);
    expect(() => new Recorder(store, { ...manual, flushEvery_ms: 1e12 })).toThrow(RangeError);
    expect(() => new Recorder(store, { ...manual, chunkRows: -1 })).toThrow(RangeError);
  });
});

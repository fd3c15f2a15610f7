// Bench group "idb": the storage layer on fake-indexeddb in Node (an in-memory IndexedDB written in
// JavaScript that structured-clones every value in and out, as browsers do; not Chrome's LevelDB
// backend, whose speed differs). Wall-clock figures, median of several runs where stated.
//
//   write_rows_per_s        recording throughput: 16 packs polled every 2 s for 2 h (57 600 rows)
//                           through the Recorder with a flush every 10 s of data, as the app
//                           records (each flush rewrites the devices' open chunks). Rows / wall s,
//                           from the first record() to the last committed flush. Target >= 2000.
//   query_day_ms            one day of 16 packs at one row per pack per 5 s (276 480 rows) into
//                           chart-ready columns (1000 buckets, min/max/mean of 8 series per pack),
//                           reading EVERY full-resolution row (tier 'raw'). Median of 5. Target <= 300.
//   query_day_cpu_ms        the same query's CPU time (process.cpuUsage, median): on this shared
//                           2-core machine wall time also holds whatever else ran meanwhile.
//   query_day_minute_ms     the same chart as the app draws it by default for a day (tier 'auto',
//                           which reads the per-minute aggregates). Median of 5.
//   bytes_per_row           stored bytes per pack sample (16 cells, 6 temperatures, 9 status
//                           bytes) of that day at 5 s: every stored record's V8 structured-clone
//                           size (v8.serialize: the serializer Chrome's IndexedDB uses for values)
//                           plus its key's, over the full-resolution chunks, the per-minute
//                           aggregates and the recording entries, divided by the rows. Before any
//                           compression the browser may add. Target <= 120.
//   bytes_per_row_raw       the full-resolution chunks alone.
//   bytes_per_row_2s        bytes_per_row of the 2 s dataset above.
//   bytes_per_minute        per-minute aggregate chunks: bytes per pack-minute.
//   year_*_GB               a 16-pack bank for a year from those figures: everything at full
//                           resolution (full_res), or with the default retention (30 days full
//                           resolution + a year of minute aggregates), at 5 s and at 2 s.
//   steady_retained_*_GB    the same bank once the default retention is full (30 days full
//                           resolution + 3 years of minute aggregates).

import 'fake-indexeddb/auto';
import { serialize } from 'node:v8';
import { performance } from 'node:perf_hooks';
import type { BenchFigures } from '../bench';
import { openStorage, type AppStorage } from '../../src/lib/storage/storage';
import { bankSample, deviceKeyOf } from '../../src/lib/storage/testing/bank-day';
import { DEFAULT_RETENTION } from '../../src/lib/storage/retention';

const PACKS = 16;
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2025, 5, 1);
let dbCounter = 0;

const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function fresh(): Promise<AppStorage> {
  return openStorage({ name: `bench-idb-${process.pid}-${dbCounter++}`, storageManager: null });
}

/** Records `cycles` polls of the bank, `every_ms` apart, flushing after every `flushEvery` polls. */
async function record(storage: AppStorage, cycles: number, every_ms: number, flushEvery: number): Promise<{ rows: number; seconds: number }> {
  const rec = storage.recorder({ bank: 'bench', flushEvery_ms: null, pruneEvery_ms: null, requestPersistence: false });
  rec.start();
  const t = performance.now();
  let rows = 0;
  for (let c = 0; c < cycles; c++) {
    for (let a = 1; a <= PACKS; a++) if (rec.record(bankSample(a, T0 + c * every_ms))) rows++;
    if ((c + 1) % flushEvery === 0) await rec.flush();
  }
  const final = await rec.stop();
  const seconds = (performance.now() - t) / 1000;
  if (final.kind !== 'stopped' || final.reason.kind !== 'user') throw new Error(`recording ended badly: ${JSON.stringify(final)}`);
  if (rec.stats.written !== rows) throw new Error(`wrote ${rec.stats.written} of ${rows} rows`);
  return { rows, seconds };
}

/** Structured-clone bytes (value + key) of every record in the telemetry stores. */
async function storedBytes(storage: AppStorage): Promise<{ raw: number; minute: number; recordings: number; minuteRows: number }> {
  const req = indexedDB.open(storage.name);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const sum = (store: string) =>
    new Promise<{ bytes: number; rows: number }>((resolve, reject) => {
      let bytes = 0;
      let rows = 0;
      const cur = db.transaction(store).objectStore(store).openCursor();
      cur.onerror = () => reject(cur.error);
      cur.onsuccess = () => {
        const c = cur.result;
        if (!c) return resolve({ bytes, rows });
        bytes += serialize(c.value).length + serialize(c.primaryKey).length;
        rows += typeof c.value.rows === 'number' ? c.value.rows : 0;
        c.continue();
      };
    });
  const raw = await sum('telemetryRaw');
  const minute = await sum('telemetryMinute');
  const recordings = await sum('recordings');
  db.close();
  return { raw: raw.bytes, minute: minute.bytes, recordings: recordings.bytes, minuteRows: minute.rows };
}

export async function run(): Promise<BenchFigures> {
  // Throughput at the real poll rate, flushing every 10 s of data.
  const w = await fresh();
  const write = await record(w, 3600, 2000, 5);
  const bytes2s = await storedBytes(w);
  w.close();

  // One day at 5 s for the query and the size.
  const q = await fresh();
  // Flushed every 4 min of data: the stored result is the same as with 10 s flushes (open chunks
  // are rewritten in place), and the setup takes seconds instead of minutes.
  const day = await record(q, DAY_MS / 5000, 5000, 48);
  const bytes5s = await storedBytes(q);
  const devices = Array.from({ length: PACKS }, (_, i) => deviceKeyOf(i + 1));
  const timeQuery = async (tier: 'raw' | 'auto') => {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      const chart = await q.chart({ devices, from_ms: T0, to_ms: T0 + DAY_MS, buckets: 1000, tier });
      times.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
      const n = chart.devices.reduce((s, d) => s + d.counts.reduce((a, b) => a + b, 0), 0);
      const expected = tier === 'raw' ? day.rows : PACKS * 1440;
      if (n !== expected) throw new Error(`${tier} chart saw ${n} rows, expected ${expected}`);
    }
    return { wall: median(times), cpu: median(cpu) };
  };
  const queryRaw = await timeQuery('raw');
  const queryAuto = await timeQuery('auto');
  q.close();

  const perRow5 = (bytes5s.raw + bytes5s.minute + bytes5s.recordings) / day.rows;
  const perRowRaw5 = bytes5s.raw / day.rows;
  const perRow2 = (bytes2s.raw + bytes2s.minute + bytes2s.recordings) / write.rows;
  const perRowRaw2 = bytes2s.raw / write.rows;
  const perMinute = bytes5s.minute / bytes5s.minuteRows;
  const year = 365 * DAY_MS;
  const rowsPerYear = (every_ms: number) => (PACKS * year) / every_ms;
  const retained = (perRowRaw: number, every_ms: number, minuteDays: number) =>
    perRowRaw * ((PACKS * DEFAULT_RETENTION.raw_days * DAY_MS) / every_ms) + perMinute * PACKS * minuteDays * 1440;
  const fullMinuteDays = DEFAULT_RETENTION.minute_days ?? 365;
  const GB = 1e9;

  const writeRate = write.rows / write.seconds;
  return {
    write_rows_per_s: Math.round(writeRate),
    write_rows_per_s_target: '>= 2000',
    write_rows_per_s_pass: writeRate >= 2000,
    query_day_ms: round(queryRaw.wall),
    query_day_ms_target: '<= 300',
    query_day_ms_pass: queryRaw.wall <= 300,
    query_day_cpu_ms: round(queryRaw.cpu),
    query_day_minute_ms: round(queryAuto.wall),
    bytes_per_row: round(perRow5),
    bytes_per_row_target: '<= 120',
    bytes_per_row_pass: perRow5 <= 120,
    bytes_per_row_raw: round(perRowRaw5),
    bytes_per_row_2s: round(perRow2),
    bytes_per_row_raw_2s: round(perRowRaw2),
    bytes_per_minute: round(perMinute),
    year_full_res_5s_GB: round((perRowRaw5 * rowsPerYear(5000) + perMinute * PACKS * 365 * 1440) / GB, 2),
    year_full_res_2s_GB: round((perRowRaw2 * rowsPerYear(2000) + perMinute * PACKS * 365 * 1440) / GB, 2),
    year_retained_5s_GB: round(retained(perRowRaw5, 5000, 365) / GB, 2),
    year_retained_2s_GB: round(retained(perRowRaw2, 2000, 365) / GB, 2),
    steady_retained_5s_GB: round(retained(perRowRaw5, 5000, fullMinuteDays) / GB, 2),
    steady_retained_2s_GB: round(retained(perRowRaw2, 2000, fullMinuteDays) / GB, 2),
    backend: 'fake-indexeddb 6.2.8 in Node'
  };
}

import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uplotColumns } from './chart-query';
import { DAY_MS } from './retention';
import { openStorage, type AppStorage } from './storage';
import { bankSample, deviceKeyOf } from './testing/bank-day';
import type { TelemetrySample } from './telemetry-row';

const T0 = Date.UTC(2025, 5, 1, 0);
const HOUR = 3_600_000;
let n = 0;
const open: AppStorage[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function storage(): Promise<AppStorage> {
  const s = await openStorage({ name: `telemetry-test-${n++}`, storageManager: null });
  open.push(s);
  return s;
}

const manual = { bank: 'bank:test', flushEvery_ms: null, pruneEvery_ms: null, requestPersistence: false, now: () => T0 } as const;

async function recordAll(s: AppStorage, samples: TelemetrySample[], flushEvery = 50): Promise<void> {
  const rec = s.recorder(manual);
  rec.start();
  samples.forEach((x, i) => {
    rec.record(x);
    if (i % flushEvery === flushEvery - 1) void rec.flush();
  });
  const final = await rec.stop();
  if (final.kind !== 'stopped' || final.reason.kind !== 'user') throw new Error(JSON.stringify(final));
}

/** 3 packs, 6 hours at 5 s, with a one-poll current spike on pack 2 at 02:00:05. */
function sixHours(): TelemetrySample[] {
  const out: TelemetrySample[] = [];
  for (let i = 0; i < (6 * HOUR) / 5000; i++)
    for (let a = 1; a <= 3; a++) {
      const s = bankSample(a, T0 + i * 5000);
      if (a === 2 && i === (2 * HOUR) / 5000 + 1) s.analog.current_A = 180;
      out.push(s);
    }
  return out;
}

describe('telemetry queries', () => {
  let s: AppStorage;
  const data = sixHours();
  beforeAll(async () => {
    s = await openStorage({ name: `telemetry-shared-${n++}`, storageManager: null });
    await recordAll(s, data, 48);
    return () => s.close();
  });

  it('samples() returns exactly the rows recorded in the range, boundaries included', async () => {
    const from = T0 + HOUR + 2500;
    const to = T0 + 2 * HOUR;
    const rows = [];
    for await (const r of s.telemetry.samples(deviceKeyOf(2), { from_ms: from, to_ms: to })) rows.push(r);
    const expected = data.filter((x) => x.address === 2 && x.t_ms >= from && x.t_ms <= to);
    expect(rows.map((r) => r.t_ms)).toEqual(expected.map((x) => x.t_ms));
    expect(rows.at(-1)?.cells_mV).toEqual(expected.at(-1)?.analog.cells_mV);
  });

  it('minutes() has one aggregate per minute with every sample counted', async () => {
    const mins = [];
    for await (const m of s.telemetry.minutes(deviceKeyOf(1), { from_ms: T0, to_ms: T0 + 6 * HOUR })) mins.push(m);
    expect(mins).toHaveLength(360);
    expect(mins.every((m) => m.samples === 12)).toBe(true);
    expect(mins.map((m) => m.t_ms)).toEqual(Array.from({ length: 360 }, (_, i) => T0 + i * 60_000));
  });

  it('a short range charts from the full-resolution rows, min ≤ mean ≤ max in every bucket', async () => {
    const chart = await s.chart({ devices: [deviceKeyOf(1)], from_ms: T0 + HOUR, to_ms: T0 + HOUR + 600_000, buckets: 60 });
    expect(chart.tier).toBe('raw');
    expect(chart.bucket_ms).toBe(10_000);
    expect(chart.t_ms).toHaveLength(60);
    const v = chart.devices[0].series.voltage_V;
    for (let b = 0; b < chart.t_ms.length; b++) {
      if (chart.devices[0].counts[b] === 0) continue;
      expect(v.min[b]).toBeLessThanOrEqual(v.mean[b]);
      expect(v.mean[b]).toBeLessThanOrEqual(v.max[b]);
    }
    // The first bucket's extremes, worked out from the samples themselves.
    const first = data.filter((x) => x.address === 1 && x.t_ms >= T0 + HOUR && x.t_ms < T0 + HOUR + 10_000);
    const lows = first.map((x) => Math.min(...x.analog.cells_mV));
    const highs = first.map((x) => Math.max(...x.analog.cells_mV));
    const cs = chart.devices[0].series;
    expect(cs.cellMin_mV.min[0]).toBe(Math.min(...lows));
    expect(cs.cellMax_mV.max[0]).toBe(Math.max(...highs));
    expect(cs.cellSpread_mV.max[0]).toBe(Math.max(...first.map((_, i) => highs[i] - lows[i])));
    expect(cs.tempMax_C.max[0]).toBe(Math.max(...first.flatMap((x) => x.analog.temps_C.map((t) => Math.round(t! * 10) / 10))));
    // [from, to): the sample at exactly `to` belongs to the next chart.
    expect(chart.devices[0].counts.reduce((a, b) => a + b, 0)).toBe(120);
  });

  it('a long range charts from the minute aggregates, and a one-poll spike survives in both tiers', async () => {
    for (const tier of ['raw', 'auto'] as const) {
      const chart = await s.chart({ devices: [deviceKeyOf(1), deviceKeyOf(2)], from_ms: T0, to_ms: T0 + 6 * HOUR, buckets: 100, tier });
      expect(chart.tier).toBe(tier === 'raw' ? 'raw' : 'minute');
      const spiky = chart.devices.find((d) => d.device === deviceKeyOf(2))!;
      const quiet = chart.devices.find((d) => d.device === deviceKeyOf(1))!;
      expect(Math.max(...spiky.series.current_A.max.filter((x) => !Number.isNaN(x)))).toBe(180);
      expect(Math.max(...quiet.series.current_A.max.filter((x) => !Number.isNaN(x)))).toBeLessThan(40);
      // The mean is diluted by the bucket, the max is not.
      const b = chart.t_ms.findIndex((t, i) => t <= T0 + 2 * HOUR + 5000 && T0 + 2 * HOUR + 5000 < t + chart.bucket_ms && i >= 0);
      expect(spiky.series.current_A.mean[b]).toBeLessThan(180);
    }
  });

  it('minute buckets are whole minutes on the clock', async () => {
    const chart = await s.chart({ devices: [deviceKeyOf(3)], from_ms: T0 + 30_000, to_ms: T0 + 6 * HOUR, buckets: 200 });
    expect(chart.tier).toBe('minute');
    expect(chart.bucket_ms % 60_000).toBe(0);
    expect(chart.t_ms[0] % 60_000).toBe(0);
  });

  it('empty buckets are NaN, and uplotColumns turns them into gaps with x in seconds', async () => {
    const chart = await s.chart({ devices: [deviceKeyOf(1)], from_ms: T0 + 5 * HOUR, to_ms: T0 + 7 * HOUR, buckets: 120, tier: 'minute' });
    const [x, mean, max] = uplotColumns(chart, [
      { device: deviceKeyOf(1), key: 'soc_pct', stat: 'mean' },
      { device: deviceKeyOf(1), key: 'tempMax_C', stat: 'max' }
    ]);
    expect(x).toHaveLength(120);
    expect(x[0]).toBe((T0 + 5 * HOUR + 30_000) / 1000);
    expect(mean.slice(0, 60).every((v) => v !== null)).toBe(true);
    expect(mean.slice(60).every((v) => v === null)).toBe(true);
    expect(max[0]).toBeGreaterThan(20);
    expect(() => uplotColumns(chart, [{ device: 'sn:nobody', key: 'soc_pct', stat: 'mean' }])).toThrow(/not in this chart/);
  });

  it('lists recording sessions by device and date, and knows each device’s extent', async () => {
    const all = await s.telemetry.recordings();
    expect(all.map((r) => r.device).sort()).toEqual([1, 2, 3].map(deviceKeyOf));
    expect(all.every((r) => r.rows === 6 * 720)).toBe(true);
    expect(await s.telemetry.recordings({ device: deviceKeyOf(2), from_ms: T0 + 7 * HOUR })).toEqual([]);
    expect(await s.telemetry.recordings({ device: deviceKeyOf(2), from_ms: T0 + 5 * HOUR, to_ms: T0 + 8 * HOUR })).toHaveLength(1);
    expect(await s.telemetry.extent(deviceKeyOf(3))).toEqual({ from_ms: T0, to_ms: T0 + 6 * HOUR - 5000 });
    expect(await s.telemetry.extent('sn:nobody')).toBeNull();
  });

  it('refuses a reversed range and a silly bucket count', async () => {
    await expect(s.chart({ devices: [deviceKeyOf(1)], from_ms: T0 + 10, to_ms: T0, buckets: 10 })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(s.chart({ devices: [deviceKeyOf(1)], from_ms: T0, to_ms: T0 + 10, buckets: 1 })).rejects.toMatchObject({ kind: 'invalid' });
    const it = s.telemetry.samples(deviceKeyOf(1), { from_ms: 5, to_ms: 1 });
    await expect(it.next()).rejects.toMatchObject({ kind: 'invalid' });
  });
});

describe('telemetry retention and deletion', () => {
  it('prunes full-resolution rows after raw_days and minute aggregates after minute_days', async () => {
    const s = await storage();
    const samples: TelemetrySample[] = [];
    for (let day = 0; day < 5; day++) for (let i = 0; i < 24; i++) samples.push(bankSample(1, T0 + day * DAY_MS + i * 5000));
    await recordAll(s, samples);
    const now = T0 + 5 * DAY_MS;
    const result = await s.telemetry.prune({ raw_days: 2, minute_days: 4 }, now);
    expect(result.rawChunks).toBe(3);
    expect(result.minuteChunks).toBe(1);
    const rows = [];
    for await (const r of s.telemetry.samples(deviceKeyOf(1), { from_ms: T0, to_ms: now })) rows.push(r.t_ms);
    expect(new Set(rows.map((t) => Math.floor((t - T0) / DAY_MS)))).toEqual(new Set([3, 4]));
    const mins = [];
    for await (const m of s.telemetry.minutes(deviceKeyOf(1), { from_ms: T0, to_ms: now })) mins.push(m.t_ms);
    expect(new Set(mins.map((t) => Math.floor((t - T0) / DAY_MS)))).toEqual(new Set([1, 2, 3, 4]));
    // A long chart still shows the pruned days from their minutes.
    const chart = await s.chart({ devices: [deviceKeyOf(1)], from_ms: T0 + DAY_MS, to_ms: T0 + DAY_MS + 120_000, buckets: 4 });
    expect(chart.tier).toBe('minute');
    expect(chart.devices[0].counts.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('stores and validates the retention setting', async () => {
    const s = await storage();
    expect(await s.telemetry.getRetention()).toEqual({ raw_days: 30, minute_days: 1098 });
    await s.telemetry.setRetention({ raw_days: 7, minute_days: null });
    expect(await s.telemetry.getRetention()).toEqual({ raw_days: 7, minute_days: null });
    await expect(s.telemetry.setRetention({ raw_days: 0, minute_days: null })).rejects.toMatchObject({ kind: 'invalid', message: /raw_days/ });
    await expect(s.telemetry.setRetention({ raw_days: 10, minute_days: 5 })).rejects.toMatchObject({ kind: 'invalid', message: /minute_days/ });
    await s.kv.set('telemetry.retention', 'garbage');
    expect(await s.telemetry.getRetention()).toEqual({ raw_days: 30, minute_days: 1098 });
  });

  it('deletes one device’s part of a recording session and nothing else', async () => {
    const s = await storage();
    const samples: TelemetrySample[] = [];
    for (let i = 0; i < 600; i++) for (const a of [1, 2]) samples.push(bankSample(a, T0 + i * 5000));
    await recordAll(s, samples);
    const [rec1] = await s.telemetry.recordings({ device: deviceKeyOf(1) });
    await s.telemetry.deleteRecording(rec1.session, deviceKeyOf(1));
    expect(await s.telemetry.recordings({ device: deviceKeyOf(1) })).toEqual([]);
    expect(await s.telemetry.extent(deviceKeyOf(1))).toBeNull();
    let left = 0;
    for await (const _ of s.telemetry.samples(deviceKeyOf(2), { from_ms: T0, to_ms: T0 + DAY_MS })) left++;
    expect(left).toBe(600);
  });
});

// Recorded telemetry as chart columns: the range cut into equal buckets, and per bucket the min,
// max and mean of each series, so a one-poll spike still shows on a week-long chart (a chart that
// draws the min–max band plus the mean line loses nothing a person would look for). Short ranges
// read the full-resolution rows; ranges whose buckets are a minute or longer read the per-minute
// aggregates (their min/max are the minute's extremes, so spikes survive there too). A raw query
// that finds nothing (rows already pruned) falls back to the minutes.

import { MCOL, MINUTE_MS, MinuteChunkView, minuteScale } from './minute-aggregate';
import { ColumnReader } from './column-codec';
import { StorageError } from './errors';
import type { TelemetryRepository, TimeRange } from './telemetry';
import { COL, rawColumnCount, rawOffsets, TEMP_SCALE } from './telemetry-row';

export const CHART_SERIES = ['voltage_V', 'current_A', 'soc_pct', 'cellMin_mV', 'cellMax_mV', 'cellSpread_mV', 'tempMin_C', 'tempMax_C'] as const;
export type ChartSeriesKey = (typeof CHART_SERIES)[number];

/** Per bucket; NaN where the bucket holds no value. */
export interface ChartSeries {
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
}

export interface DeviceChart {
  device: string;
  /** Samples (raw tier) or sampled minutes (minute tier) per bucket. */
  counts: Uint32Array;
  series: Record<ChartSeriesKey, ChartSeries>;
}

export interface ChartData {
  tier: 'raw' | 'minute';
  bucket_ms: number;
  from_ms: number;
  to_ms: number;
  /** Start of each bucket, Unix epoch ms. */
  t_ms: Float64Array;
  devices: DeviceChart[];
}

/** from_ms is included, to_ms is not: [from_ms, to_ms). */
export interface ChartRequest extends TimeRange {
  devices: readonly string[];
  /** How many buckets (about the chart's width in pixels). Default 600, 2..20 000. */
  buckets?: number;
  /** 'auto' picks by bucket width. Default 'auto'. */
  tier?: 'auto' | 'raw' | 'minute';
}

/** Series index in the Bucketer's flat arrays. */
const S = Object.fromEntries(CHART_SERIES.map((k, i) => [k, i])) as Record<ChartSeriesKey, number>;
const N_SERIES = CHART_SERIES.length;

/** Running min / max / weighted sum per series and bucket, in flat arrays (series-major). */
class Bucketer {
  readonly count: number;
  readonly from: number;
  readonly width: number;
  readonly counts: Uint32Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly sum: Float64Array;
  readonly weight: Float64Array;

  constructor(count: number, from: number, width: number) {
    this.count = count;
    this.from = from;
    this.width = width;
    this.counts = new Uint32Array(count);
    this.min = new Float64Array(count * N_SERIES).fill(Infinity);
    this.max = new Float64Array(count * N_SERIES).fill(-Infinity);
    this.sum = new Float64Array(count * N_SERIES);
    this.weight = new Float64Array(count * N_SERIES);
  }

  bucketOf(t: number): number {
    const b = Math.floor((t - this.from) / this.width);
    return b >= 0 && b < this.count ? b : -1;
  }

  /** Adds a value with its own min and max (a minute's extremes) and a weighted mean. */
  add(series: number, b: number, lo: number, hi: number, mean: number, w: number): void {
    const i = series * this.count + b;
    // NaN compares false, so a missing value changes nothing.
    if (lo < this.min[i]) this.min[i] = lo;
    if (hi > this.max[i]) this.max[i] = hi;
    if (mean === mean) {
      this.sum[i] += mean * w;
      this.weight[i] += w;
    }
  }

  /** One value (a sample): min = max = mean. */
  add1(series: number, b: number, v: number): void {
    if (v !== v) return;
    const i = series * this.count + b;
    if (v < this.min[i]) this.min[i] = v;
    if (v > this.max[i]) this.max[i] = v;
    this.sum[i] += v;
    this.weight[i] += 1;
  }

  finish(device: string): DeviceChart {
    const series = {} as Record<ChartSeriesKey, ChartSeries>;
    const n = this.count;
    for (const k of CHART_SERIES) {
      const at = S[k] * n;
      const min = this.min.slice(at, at + n);
      const max = this.max.slice(at, at + n);
      const mean = new Float64Array(n);
      for (let b = 0; b < n; b++) {
        if (min[b] === Infinity) min[b] = Number.NaN;
        if (max[b] === -Infinity) max[b] = Number.NaN;
        const w = this.weight[at + b];
        mean[b] = w > 0 ? this.sum[at + b] / w : Number.NaN;
      }
      series[k] = { min, max, mean };
    }
    return { device, counts: this.counts, series };
  }
}

/** Decode buffers reused from chunk to chunk: a day of 16 packs is a thousand chunks. */
class Scratch {
  #bufs: Float64Array[] = [];
  #size = 0;
  /** `count` buffers of at least `rows` values each. */
  take(count: number, rows: number): Float64Array[] {
    if (rows > this.#size) {
      this.#size = Math.max(rows, this.#size * 2);
      this.#bufs = [];
    }
    while (this.#bufs.length < count) this.#bufs.push(new Float64Array(this.#size));
    return this.#bufs.slice(0, count);
  }
}

async function bucketRaw(repo: TelemetryRepository, device: string, range: TimeRange, bk: Bucketer): Promise<number> {
  let n = 0;
  const scratch = new Scratch();
  for await (const chunk of repo.chunks('telemetryRaw', device, range)) {
    const reader = new ColumnReader(chunk.data);
    const layout = chunk.layout;
    if (reader.columnCount !== rawColumnCount(layout)) throw new RangeError(`a chunk of ${device} does not match its layout`);
    const off = rawOffsets(layout);
    const bufs = scratch.take(5 + layout.cellCount + layout.tempCount, reader.rows);
    const [t, volt, cur, soc, mean] = [COL.t_ms, COL.voltage_V, COL.current_A, COL.soc_pct, COL.cellMean_mV].map((c, i) => reader.column(c, bufs[i]));
    // Cells stay differences from the row's mean: min and max of the differences plus the mean
    // are the extreme cells, without adding the mean to every cell first.
    const cells = Array.from({ length: layout.cellCount }, (_, i) => reader.column(off.cells + i, bufs[5 + i]));
    const temps = Array.from({ length: layout.tempCount }, (_, i) => reader.column(off.temps + i, bufs[5 + layout.cellCount + i]));
    for (let r = 0; r < reader.rows; r++) {
      const b = bk.bucketOf(t[r]);
      if (b < 0) continue;
      n++;
      bk.counts[b]++;
      bk.add1(S.voltage_V, b, volt[r] / 1000);
      bk.add1(S.current_A, b, cur[r] / 100);
      bk.add1(S.soc_pct, b, soc[r] / 10);
      let lo = Infinity;
      let hi = -Infinity;
      for (let c = 0; c < cells.length; c++) {
        const x = cells[c][r];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      if (lo !== Infinity) {
        bk.add1(S.cellMin_mV, b, mean[r] + lo);
        bk.add1(S.cellMax_mV, b, mean[r] + hi);
        bk.add1(S.cellSpread_mV, b, hi - lo);
      }
      let tlo = Infinity;
      let thi = -Infinity;
      for (let c = 0; c < temps.length; c++) {
        const x = temps[c][r];
        if (x < tlo) tlo = x;
        if (x > thi) thi = x;
      }
      if (tlo !== Infinity) {
        bk.add1(S.tempMin_C, b, tlo / TEMP_SCALE);
        bk.add1(S.tempMax_C, b, thi / TEMP_SCALE);
      }
    }
  }
  return n;
}

async function bucketMinutes(repo: TelemetryRepository, device: string, range: TimeRange, bk: Bucketer): Promise<number> {
  let n = 0;
  for await (const chunk of repo.chunks('telemetryMinute', device, range)) {
    const v = new MinuteChunkView(chunk.data, chunk.layout);
    const col = (name: keyof typeof MCOL) => {
      const c = v.column(MCOL[name]);
      const s = minuteScale(name);
      return s === 1 ? c : c.map((x) => x / s);
    };
    const t = col('t_ms');
    const w = col('samples');
    const [vLo, vHi, vMean] = [col('voltageMin_V'), col('voltageMax_V'), col('voltageMean_V')];
    const [iLo, iHi, iMean] = [col('currentMin_A'), col('currentMax_A'), col('currentMean_A')];
    const [sLo, sHi, sMean] = [col('socMin_pct'), col('socMax_pct'), col('socMean_pct')];
    const [cMin, cMax, spMax, spMean] = [col('cellMin_mV'), col('cellMax_mV'), col('spreadMax_mV'), col('spreadMean_mV')];
    const [tMin, tMax] = [col('tempMin_C'), col('tempMax_C')];
    for (let r = 0; r < v.rows; r++) {
      const b = bk.bucketOf(t[r]);
      if (b < 0) continue;
      n++;
      bk.counts[b]++;
      bk.add(S.voltage_V, b, vLo[r], vHi[r], vMean[r], w[r]);
      bk.add(S.current_A, b, iLo[r], iHi[r], iMean[r], w[r]);
      bk.add(S.soc_pct, b, sLo[r], sHi[r], sMean[r], w[r]);
      // Per minute only the extremes of these are kept: the minute's lowest cell, highest cell,
      // largest spread (with its mean), coldest and hottest sensor.
      bk.add(S.cellMin_mV, b, cMin[r], cMin[r], cMin[r], 1);
      bk.add(S.cellMax_mV, b, cMax[r], cMax[r], cMax[r], 1);
      bk.add(S.cellSpread_mV, b, spMean[r], spMax[r], spMean[r], w[r]);
      bk.add(S.tempMin_C, b, tMin[r], tMin[r], tMin[r], 1);
      bk.add(S.tempMax_C, b, tMax[r], tMax[r], tMax[r], 1);
    }
  }
  return n;
}

/** Chart columns for `devices` over the range (see the module comment). */
export async function queryChart(repo: TelemetryRepository, req: ChartRequest): Promise<ChartData> {
  const buckets = req.buckets ?? 600;
  if (!Number.isInteger(buckets) || buckets < 2 || buckets > 20_000) throw new StorageError('invalid', `buckets must be 2..20000, got ${buckets}.`);
  if (!Number.isFinite(req.from_ms) || !Number.isFinite(req.to_ms) || req.to_ms <= req.from_ms)
    throw new StorageError('invalid', `The chart range ${req.from_ms}..${req.to_ms} is empty.`);
  const span = req.to_ms - req.from_ms;
  const rawWidth = Math.max(1, Math.ceil(span / buckets));
  const tier = req.tier ?? 'auto';
  const wantRaw = tier === 'raw' || (tier === 'auto' && rawWidth < MINUTE_MS);
  if (wantRaw) {
    const out = await run(repo, req, 'raw', rawWidth);
    const total = out.devices.reduce((n, d) => n + d.counts.reduce((a, b) => a + b, 0), 0);
    if (total > 0 || tier === 'raw') return out;
  }
  // Minute buckets: whole minutes, aligned to the clock, so no minute is split between two.
  const width = Math.max(MINUTE_MS, Math.ceil(rawWidth / MINUTE_MS) * MINUTE_MS);
  const from = Math.floor(req.from_ms / MINUTE_MS) * MINUTE_MS;
  return run(repo, { ...req, from_ms: from }, 'minute', width);
}

async function run(repo: TelemetryRepository, req: ChartRequest, tier: 'raw' | 'minute', width: number): Promise<ChartData> {
  const count = Math.max(1, Math.ceil((req.to_ms - req.from_ms) / width));
  const t = new Float64Array(count);
  for (let b = 0; b < count; b++) t[b] = req.from_ms + b * width;
  const range = { from_ms: req.from_ms, to_ms: req.from_ms + count * width - 1 };
  const devices: DeviceChart[] = [];
  for (const device of req.devices) {
    const bk = new Bucketer(count, req.from_ms, width);
    if (tier === 'raw') await bucketRaw(repo, device, range, bk);
    else await bucketMinutes(repo, device, range, bk);
    devices.push(bk.finish(device));
  }
  return { tier, bucket_ms: width, from_ms: range.from_ms, to_ms: range.to_ms, t_ms: t, devices };
}

/**
 * Columns for uPlot: x in seconds (uPlot's default time scale), then the picked series with
 * null where a bucket is empty (uPlot draws a gap there).
 */
export function uplotColumns(
  data: ChartData,
  picks: readonly { device: string; key: ChartSeriesKey; stat: keyof ChartSeries }[]
): [Float64Array, ...(number | null)[][]] {
  const x = new Float64Array(data.t_ms.length);
  for (let i = 0; i < x.length; i++) x[i] = (data.t_ms[i] + data.bucket_ms / 2) / 1000;
  const ys = picks.map((p) => {
    const d = data.devices.find((dd) => dd.device === p.device);
    if (!d) throw new StorageError('invalid', `Device ${p.device} is not in this chart.`);
    return Array.from(d.series[p.key][p.stat], (v) => (Number.isNaN(v) ? null : v));
  });
  return [x, ...ys];
}

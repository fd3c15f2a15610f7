// A fixed-size ring of TrendSamples stored column by column in typed arrays, so that 24 h of one
// sample per 5 s for 16 packs (17,280 x 16 samples) costs a few MB and no per-sample objects, and
// the chart gets its columns without a conversion pass. Missing values (SOC unknown, no sensor)
// are NaN inside; columns() hands them out as NaN and `withGaps` turns them into uPlot's nulls.

import type { TrendSample } from './types';

/** 24 h at one sample per 5 s. */
export const DAY_AT_5S = 17_280;

export interface TrendColumns {
  /** Sample times on the session clock, oldest first, strictly as pushed. */
  t_ms: Float64Array;
  voltage_V: Float32Array;
  current_A: Float32Array;
  /** NaN where unknown. */
  soc_pct: Float32Array;
  cellSpread_mV: Float32Array;
  /** NaN where no sensor is fitted. */
  maxTemp_C: Float32Array;
  minTemp_C: Float32Array;
}

export type TrendSeriesKey = Exclude<keyof TrendColumns, 't_ms'>;

const orNaN = (v: number | null): number => (v === null ? Number.NaN : v);

export class TrendBuffer {
  readonly capacity: number;
  #t: Float64Array;
  #cols: Record<TrendSeriesKey, Float32Array>;
  /** Index the next sample goes to. */
  #head = 0;
  #length = 0;
  /** Bumped on every push and clear, so views can tell cheaply whether to redraw. */
  #version = 0;

  constructor(capacity: number = DAY_AT_5S) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`TrendBuffer capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#t = new Float64Array(capacity);
    this.#cols = {
      voltage_V: new Float32Array(capacity),
      current_A: new Float32Array(capacity),
      soc_pct: new Float32Array(capacity),
      cellSpread_mV: new Float32Array(capacity),
      maxTemp_C: new Float32Array(capacity),
      minTemp_C: new Float32Array(capacity)
    };
  }

  get length(): number {
    return this.#length;
  }

  get version(): number {
    return this.#version;
  }

  /** Time of the newest sample, null when empty. */
  get last_ms(): number | null {
    return this.#length === 0 ? null : this.#t[(this.#head - 1 + this.capacity) % this.capacity];
  }

  /** Time of the oldest sample still held, null when empty. */
  get first_ms(): number | null {
    return this.#length === 0 ? null : this.#t[this.#start()];
  }

  /**
   * Appends one sample, overwriting the oldest when full. A sample older than the newest one is
   * refused (returns false): uPlot needs rising x values, and a late reply must not fold time back.
   */
  push(sample: TrendSample): boolean {
    const last = this.last_ms;
    if (!Number.isFinite(sample.t_ms) || (last !== null && sample.t_ms < last)) return false;
    const i = this.#head;
    this.#t[i] = sample.t_ms;
    this.#cols.voltage_V[i] = sample.voltage_V;
    this.#cols.current_A[i] = sample.current_A;
    this.#cols.soc_pct[i] = orNaN(sample.soc_pct);
    this.#cols.cellSpread_mV[i] = sample.cellSpread_mV;
    this.#cols.maxTemp_C[i] = orNaN(sample.maxTemp_C);
    this.#cols.minTemp_C[i] = orNaN(sample.minTemp_C);
    this.#head = (i + 1) % this.capacity;
    if (this.#length < this.capacity) this.#length++;
    this.#version++;
    return true;
  }

  clear(): void {
    this.#head = 0;
    this.#length = 0;
    this.#version++;
  }

  /** The i-th sample, oldest first. */
  at(i: number): TrendSample | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.#length) return undefined;
    const k = (this.#start() + i) % this.capacity;
    const nul = (v: number) => (Number.isNaN(v) ? null : v);
    return {
      t_ms: this.#t[k],
      voltage_V: this.#cols.voltage_V[k],
      current_A: this.#cols.current_A[k],
      soc_pct: nul(this.#cols.soc_pct[k]),
      cellSpread_mV: this.#cols.cellSpread_mV[k],
      maxTemp_C: nul(this.#cols.maxTemp_C[k]),
      minTemp_C: nul(this.#cols.minTemp_C[k])
    };
  }

  /**
   * A snapshot of every column, oldest first, all the same length. Copies (two `set` calls per
   * column), so later pushes never change arrays a chart already holds.
   */
  columns(): TrendColumns {
    return {
      t_ms: this.#ordered(this.#t, new Float64Array(this.#length)),
      voltage_V: this.#ordered(this.#cols.voltage_V, new Float32Array(this.#length)),
      current_A: this.#ordered(this.#cols.current_A, new Float32Array(this.#length)),
      soc_pct: this.#ordered(this.#cols.soc_pct, new Float32Array(this.#length)),
      cellSpread_mV: this.#ordered(this.#cols.cellSpread_mV, new Float32Array(this.#length)),
      maxTemp_C: this.#ordered(this.#cols.maxTemp_C, new Float32Array(this.#length)),
      minTemp_C: this.#ordered(this.#cols.minTemp_C, new Float32Array(this.#length))
    };
  }

  #start(): number {
    return this.#length < this.capacity ? 0 : this.#head;
  }

  #ordered<T extends Float64Array | Float32Array>(src: T, out: T): T {
    const start = this.#start();
    const firstPart = Math.min(this.#length, this.capacity - start);
    out.set(src.subarray(start, start + firstPart), 0);
    if (firstPart < this.#length) out.set(src.subarray(0, this.#length - firstPart), firstPart);
    return out;
  }
}

/** A TrendSample from a pack's analog values; null when the block carries no measurement. */
export function trendSample(
  t_ms: number,
  analog: {
    voltage_V: number;
    current_A: number;
    soc_pct: number | null;
    cells_mV: readonly number[];
    temps_C: readonly (number | null)[];
    empty: boolean;
  }
): TrendSample | null {
  if (analog.empty) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of analog.cells_mV) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let tMax: number | null = null;
  let tMin: number | null = null;
  for (const t of analog.temps_C) {
    if (t === null) continue;
    if (tMax === null || t > tMax) tMax = t;
    if (tMin === null || t < tMin) tMin = t;
  }
  return {
    t_ms,
    voltage_V: analog.voltage_V,
    current_A: analog.current_A,
    soc_pct: analog.soc_pct,
    cellSpread_mV: analog.cells_mV.length > 0 ? max - min : 0,
    maxTemp_C: tMax,
    minTemp_C: tMin
  };
}

/**
 * uPlot draws a gap for null but not for NaN (it would join the line across it), so a column
 * with gaps becomes a plain array with nulls. Columns without gaps are returned as they are.
 */
export function withGaps(col: Float32Array | Float64Array): Float32Array | Float64Array | (number | null)[] {
  let hasNaN = false;
  for (let i = 0; i < col.length; i++) {
    if (Number.isNaN(col[i])) {
      hasNaN = true;
      break;
    }
  }
  if (!hasNaN) return col;
  const out: (number | null)[] = new Array(col.length);
  for (let i = 0; i < col.length; i++) out[i] = Number.isNaN(col[i]) ? null : col[i];
  return out;
}

// Per-minute aggregates of one pack: what is kept for years after the full-resolution rows are
// pruned. Each minute keeps min / max / mean of voltage, current and SOC, the lowest and highest
// cell (and which), the cell spread, temperature extremes, each cell's and sensor's mean, the
// last capacities and cycle count, the OR of every status byte (so a protection that flickered
// for one poll is still seen), and what statistics need and cannot get back from means: charge and
// discharge in Ah and Wh and the time spent charging, discharging and idle, integrated between
// consecutive samples (trapezoid: each half of an interval belongs to its end sample). An interval
// longer than `maxGap_ms` (link lost, app closed) is not integrated: unknown, not zero.

import { ColumnReader, encodeColumns, type ColumnInput } from './column-codec';
import type { RawChunkLayout } from './records';
import { COL, TEMP_SCALE, rawOffsets } from './telemetry-row';

export const MINUTE_MS = 60_000;

export const MINUTE_FIXED = [
  ['t_ms', 1],
  ['samples', 1],
  ['voltageMin_V', 1000],
  ['voltageMax_V', 1000],
  ['voltageMean_V', 1000],
  ['currentMin_A', 100],
  ['currentMax_A', 100],
  ['currentMean_A', 100],
  ['socMin_pct', 10],
  ['socMax_pct', 10],
  ['socMean_pct', 10],
  ['cellMin_mV', 1],
  ['cellMax_mV', 1],
  ['cellMinNo', 1],
  ['cellMaxNo', 1],
  ['spreadMax_mV', 1],
  ['spreadMean_mV', 1],
  ['tempMin_C', TEMP_SCALE],
  ['tempMax_C', TEMP_SCALE],
  ['charge_Ah', 10_000],
  ['discharge_Ah', 10_000],
  ['charge_Wh', 100],
  ['discharge_Wh', 100],
  ['charging_s', 10],
  ['discharging_s', 10],
  ['idle_s', 10],
  ['remaining_Ah', 1000],
  ['full_Ah', 1000],
  ['cycles', 1],
  ['soh_pct', 10],
  ['chargeMosOff', 1],
  ['dischargeMosOff', 1],
  ['cellMean_mV', 1]
] as const;

export type MinuteFixedName = (typeof MINUTE_FIXED)[number][0];
export const MCOL = Object.fromEntries(MINUTE_FIXED.map(([n], i) => [n, i])) as Record<MinuteFixedName, number>;
const MINUTE_FIXED_COUNT = MINUTE_FIXED.length;
const SCALE = Object.fromEntries(MINUTE_FIXED.map(([n, s]) => [n, s])) as Record<MinuteFixedName, number>;

export function minuteColumnCount(layout: RawChunkLayout): number {
  return MINUTE_FIXED_COUNT + layout.cellCount + layout.tempCount + layout.statusKeys.length;
}

function minuteOffsets(layout: RawChunkLayout): { cells: number; temps: number; status: number } {
  return {
    cells: MINUTE_FIXED_COUNT,
    temps: MINUTE_FIXED_COUNT + layout.cellCount,
    status: MINUTE_FIXED_COUNT + layout.cellCount + layout.tempCount
  };
}

/** One minute of one pack, decoded. Null where no sample of the minute had the value. */
export interface MinuteAggregate {
  device: string;
  /** Start of the minute (Unix epoch ms). */
  t_ms: number;
  samples: number;
  voltageMin_V: number | null;
  voltageMax_V: number | null;
  voltageMean_V: number | null;
  currentMin_A: number | null;
  currentMax_A: number | null;
  currentMean_A: number | null;
  socMin_pct: number | null;
  socMax_pct: number | null;
  socMean_pct: number | null;
  cellMin_mV: number | null;
  cellMax_mV: number | null;
  /** 1-based number of the lowest / highest cell at the sample where the extreme occurred. */
  cellMinNo: number | null;
  cellMaxNo: number | null;
  spreadMax_mV: number | null;
  spreadMean_mV: number | null;
  tempMin_C: number | null;
  tempMax_C: number | null;
  /** Integrated over the minute's intervals (see the module comment); 0 when none were integrated. */
  charge_Ah: number;
  discharge_Ah: number;
  charge_Wh: number;
  discharge_Wh: number;
  charging_s: number;
  discharging_s: number;
  idle_s: number;
  /** The minute's last reported values. */
  remaining_Ah: number | null;
  full_Ah: number | null;
  cycles: number | null;
  soh_pct: number | null;
  /** True when a MOSFET was reported off in any sample of the minute. */
  chargeMosOff: boolean | null;
  dischargeMosOff: boolean | null;
  cellMeans_mV: (number | null)[];
  tempMeans_C: (number | null)[];
  tempLabels: string[];
  /** Every status byte OR-ed over the minute; null when no status was recorded. */
  statusBytesOr: Record<string, number> | null;
}

export interface IntegrationOptions {
  /** Longest interval between two samples that is still integrated. */
  maxGap_ms: number;
  /** |current| at or below this counts as idle. */
  idleCurrent_A: number;
}

export const DEFAULT_INTEGRATION: IntegrationOptions = { maxGap_ms: 60_000, idleCurrent_A: 0.5 };

class Stat {
  min = Infinity;
  max = -Infinity;
  sum = 0;
  n = 0;
  add(v: number): void {
    if (Number.isNaN(v)) return;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.sum += v;
    this.n++;
  }
  get mean(): number {
    return this.n > 0 ? this.sum / this.n : Number.NaN;
  }
  get lo(): number {
    return this.n > 0 ? this.min : Number.NaN;
  }
  get hi(): number {
    return this.n > 0 ? this.max : Number.NaN;
  }
}

/** Sums one minute of rows (stored integers, as sampleToRow makes them) into one aggregate row. */
export class MinuteAccumulator {
  readonly minute_ms: number;
  #layout: RawChunkLayout;
  samples = 0;
  readonly #voltage = new Stat();
  readonly #current = new Stat();
  readonly #soc = new Stat();
  readonly #spread = new Stat();
  readonly #cellMean = new Stat();
  readonly #cells: Stat[];
  readonly #temps: Stat[];
  #cellMin = Infinity;
  #cellMinNo = Number.NaN;
  #cellMax = -Infinity;
  #cellMaxNo = Number.NaN;
  #tempMin = Infinity;
  #tempMax = -Infinity;
  #chargeAh = 0;
  #dischargeAh = 0;
  #chargeWh = 0;
  #dischargeWh = 0;
  #charging_ms = 0;
  #discharging_ms = 0;
  #idle_ms = 0;
  #last: Float64Array | null = null;
  #chargeMosOff = Number.NaN;
  #dischargeMosOff = Number.NaN;
  #statusOr: number[];

  constructor(minute_ms: number, layout: RawChunkLayout) {
    this.minute_ms = minute_ms;
    this.#layout = layout;
    this.#cells = Array.from({ length: layout.cellCount }, () => new Stat());
    this.#temps = Array.from({ length: layout.tempCount }, () => new Stat());
    this.#statusOr = new Array<number>(layout.statusKeys.length).fill(Number.NaN);
  }

  get layout(): RawChunkLayout {
    return this.#layout;
  }

  /** Takes on a layout with more status bytes (mergeLayouts); what was OR-ed so far is kept by name. */
  extendLayout(to: RawChunkLayout): void {
    const from = this.#layout;
    this.#statusOr = to.statusKeys.map((k) => {
      const j = from.statusKeys.indexOf(k);
      return j >= 0 ? this.#statusOr[j] : Number.NaN;
    });
    this.#layout = to;
  }

  /** Adds `row`; `prev` is the device's previous row (any minute) or null. */
  add(row: Float64Array, prev: Float64Array | null, opts: IntegrationOptions): void {
    const off = rawOffsets(this.layout);
    this.samples++;
    this.#last = row;
    this.#voltage.add(row[COL.voltage_V]);
    this.#current.add(row[COL.current_A]);
    this.#soc.add(row[COL.soc_pct]);
    this.#cellMean.add(row[COL.cellMean_mV]);
    let lo = Infinity;
    let hi = -Infinity;
    let loNo = 0;
    let hiNo = 0;
    for (let i = 0; i < this.layout.cellCount; i++) {
      const v = row[off.cells + i];
      this.#cells[i].add(v);
      if (Number.isNaN(v)) continue;
      if (v < lo) [lo, loNo] = [v, i + 1];
      if (v > hi) [hi, hiNo] = [v, i + 1];
    }
    if (lo !== Infinity) {
      this.#spread.add(hi - lo);
      if (lo < this.#cellMin) [this.#cellMin, this.#cellMinNo] = [lo, loNo];
      if (hi > this.#cellMax) [this.#cellMax, this.#cellMaxNo] = [hi, hiNo];
    }
    for (let i = 0; i < this.layout.tempCount; i++) {
      const v = row[off.temps + i];
      this.#temps[i].add(v);
      if (Number.isNaN(v)) continue;
      if (v < this.#tempMin) this.#tempMin = v;
      if (v > this.#tempMax) this.#tempMax = v;
    }
    const cm = row[COL.chargeMosOn];
    if (!Number.isNaN(cm)) this.#chargeMosOff = Math.max(Number.isNaN(this.#chargeMosOff) ? 0 : this.#chargeMosOff, cm === 0 ? 1 : 0);
    const dm = row[COL.dischargeMosOn];
    if (!Number.isNaN(dm)) this.#dischargeMosOff = Math.max(Number.isNaN(this.#dischargeMosOff) ? 0 : this.#dischargeMosOff, dm === 0 ? 1 : 0);
    for (let i = 0; i < this.layout.statusKeys.length; i++) {
      const v = row[off.status + i];
      if (Number.isNaN(v)) continue;
      const was = this.#statusOr[i];
      // Status bytes are at most 32 bits wide; >>> 0 keeps the OR unsigned.
      this.#statusOr[i] = Number.isNaN(was) ? v : (was | v) >>> 0;
    }
    if (prev) this.#integrate(prev, row, opts);
  }

  #integrate(p: Float64Array, c: Float64Array, opts: IntegrationOptions): void {
    const dt_ms = c[COL.t_ms] - p[COL.t_ms];
    if (!(dt_ms > 0 && dt_ms <= opts.maxGap_ms)) return;
    const half_h = dt_ms / 2 / 3_600_000;
    for (const e of [p, c]) {
      const i_A = e[COL.current_A] / 100;
      if (Number.isNaN(i_A)) continue;
      const v_V = e[COL.voltage_V] / 1000;
      if (i_A > opts.idleCurrent_A) this.#charging_ms += dt_ms / 2;
      else if (i_A < -opts.idleCurrent_A) this.#discharging_ms += dt_ms / 2;
      else this.#idle_ms += dt_ms / 2;
      if (i_A > 0) {
        this.#chargeAh += i_A * half_h;
        if (!Number.isNaN(v_V)) this.#chargeWh += v_V * i_A * half_h;
      } else if (i_A < 0) {
        this.#dischargeAh += -i_A * half_h;
        if (!Number.isNaN(v_V)) this.#dischargeWh += -v_V * i_A * half_h;
      }
    }
  }

  /** The aggregate as stored integers, NaN where missing. */
  toRow(): Float64Array {
    const out = new Float64Array(minuteColumnCount(this.layout));
    const last = this.#last;
    const r = Math.round;
    out[MCOL.t_ms] = this.minute_ms;
    out[MCOL.samples] = this.samples;
    out[MCOL.voltageMin_V] = this.#voltage.lo;
    out[MCOL.voltageMax_V] = this.#voltage.hi;
    out[MCOL.voltageMean_V] = r(this.#voltage.mean);
    out[MCOL.currentMin_A] = this.#current.lo;
    out[MCOL.currentMax_A] = this.#current.hi;
    out[MCOL.currentMean_A] = r(this.#current.mean);
    out[MCOL.socMin_pct] = this.#soc.lo;
    out[MCOL.socMax_pct] = this.#soc.hi;
    out[MCOL.socMean_pct] = r(this.#soc.mean);
    out[MCOL.cellMin_mV] = this.#cellMin === Infinity ? Number.NaN : this.#cellMin;
    out[MCOL.cellMax_mV] = this.#cellMax === -Infinity ? Number.NaN : this.#cellMax;
    out[MCOL.cellMinNo] = this.#cellMinNo;
    out[MCOL.cellMaxNo] = this.#cellMaxNo;
    out[MCOL.spreadMax_mV] = this.#spread.hi;
    out[MCOL.spreadMean_mV] = r(this.#spread.mean);
    out[MCOL.tempMin_C] = this.#tempMin === Infinity ? Number.NaN : this.#tempMin;
    out[MCOL.tempMax_C] = this.#tempMax === -Infinity ? Number.NaN : this.#tempMax;
    out[MCOL.charge_Ah] = r(this.#chargeAh * SCALE.charge_Ah);
    out[MCOL.discharge_Ah] = r(this.#dischargeAh * SCALE.discharge_Ah);
    out[MCOL.charge_Wh] = r(this.#chargeWh * SCALE.charge_Wh);
    out[MCOL.discharge_Wh] = r(this.#dischargeWh * SCALE.discharge_Wh);
    out[MCOL.charging_s] = r((this.#charging_ms / 1000) * SCALE.charging_s);
    out[MCOL.discharging_s] = r((this.#discharging_ms / 1000) * SCALE.discharging_s);
    out[MCOL.idle_s] = r((this.#idle_ms / 1000) * SCALE.idle_s);
    out[MCOL.remaining_Ah] = last ? last[COL.remaining_Ah] : Number.NaN;
    out[MCOL.full_Ah] = last ? last[COL.full_Ah] : Number.NaN;
    out[MCOL.cycles] = last ? last[COL.cycles] : Number.NaN;
    out[MCOL.soh_pct] = last ? last[COL.soh_pct] : Number.NaN;
    out[MCOL.chargeMosOff] = this.#chargeMosOff;
    out[MCOL.dischargeMosOff] = this.#dischargeMosOff;
    const mean = r(this.#cellMean.mean);
    out[MCOL.cellMean_mV] = mean;
    const off = minuteOffsets(this.layout);
    // Stored as absolute means here; encodeMinuteRows turns them into differences from cellMean.
    for (let i = 0; i < this.layout.cellCount; i++) out[off.cells + i] = r(this.#cells[i].mean);
    for (let i = 0; i < this.layout.tempCount; i++) out[off.temps + i] = r(this.#temps[i].mean);
    for (let i = 0; i < this.layout.statusKeys.length; i++) out[off.status + i] = this.#statusOr[i];
    return out;
  }
}

/** First status column of a minute row in `layout`. */
export function minuteStatusAt(layout: RawChunkLayout): number {
  return minuteOffsets(layout).status;
}

/** Encodes aggregate rows (MinuteAccumulator.toRow) of one layout. */
export function encodeMinuteRows(rows: readonly Float64Array[], layout: RawChunkLayout): Uint8Array {
  const n = rows.length;
  const off = minuteOffsets(layout);
  const columns: ColumnInput[] = [];
  for (let c = 0; c < minuteColumnCount(layout); c++) {
    const values = new Float64Array(n);
    const isCell = c >= off.cells && c < off.temps;
    for (let r = 0; r < n; r++) values[r] = isCell ? rows[r][c] - rows[r][MCOL.cellMean_mV] : rows[r][c];
    columns.push({ values, delta: c === MCOL.t_ms });
  }
  return encodeColumns(columns, n);
}

/** Decoded columns of a minute chunk, in stored integers (cell means absolute). */
export class MinuteChunkView {
  readonly layout: RawChunkLayout;
  readonly rows: number;
  readonly #reader: ColumnReader;
  readonly #cache = new Map<number, Float64Array>();

  constructor(data: Uint8Array, layout: RawChunkLayout) {
    this.layout = layout;
    this.#reader = new ColumnReader(data);
    this.rows = this.#reader.rows;
    if (this.#reader.columnCount !== minuteColumnCount(layout))
      throw new RangeError(`minute chunk has ${this.#reader.columnCount} columns, its layout says ${minuteColumnCount(layout)}`);
  }

  column(c: number): Float64Array {
    const hit = this.#cache.get(c);
    if (hit) return hit;
    const off = minuteOffsets(this.layout);
    const out = this.#reader.column(c);
    if (c >= off.cells && c < off.temps) {
      const mean = this.column(MCOL.cellMean_mV);
      for (let i = 0; i < out.length; i++) out[i] += mean[i];
    }
    this.#cache.set(c, out);
    return out;
  }

  /** Fixed column by name, in real units (V, A, %, Ah, Wh, s). */
  value(name: MinuteFixedName, r: number): number | null {
    const v = this.column(MCOL[name])[r];
    return Number.isNaN(v) ? null : v / SCALE[name];
  }

  aggregate(device: string, r: number): MinuteAggregate {
    const off = minuteOffsets(this.layout);
    const v = (name: MinuteFixedName) => this.value(name, r);
    const zero = (name: MinuteFixedName) => this.value(name, r) ?? 0;
    const flag = (name: MinuteFixedName) => {
      const x = this.value(name, r);
      return x === null ? null : x !== 0;
    };
    const cellMeans: (number | null)[] = [];
    for (let i = 0; i < this.layout.cellCount; i++) {
      const x = this.column(off.cells + i)[r];
      cellMeans.push(Number.isNaN(x) ? null : x);
    }
    const tempMeans: (number | null)[] = [];
    for (let i = 0; i < this.layout.tempCount; i++) {
      const x = this.column(off.temps + i)[r];
      tempMeans.push(Number.isNaN(x) ? null : x / TEMP_SCALE);
    }
    let statusBytesOr: Record<string, number> | null = null;
    for (let i = 0; i < this.layout.statusKeys.length; i++) {
      const x = this.column(off.status + i)[r];
      if (Number.isNaN(x)) continue;
      statusBytesOr ??= {};
      statusBytesOr[this.layout.statusKeys[i]] = x;
    }
    return {
      device,
      t_ms: this.column(MCOL.t_ms)[r],
      samples: this.column(MCOL.samples)[r],
      voltageMin_V: v('voltageMin_V'),
      voltageMax_V: v('voltageMax_V'),
      voltageMean_V: v('voltageMean_V'),
      currentMin_A: v('currentMin_A'),
      currentMax_A: v('currentMax_A'),
      currentMean_A: v('currentMean_A'),
      socMin_pct: v('socMin_pct'),
      socMax_pct: v('socMax_pct'),
      socMean_pct: v('socMean_pct'),
      cellMin_mV: v('cellMin_mV'),
      cellMax_mV: v('cellMax_mV'),
      cellMinNo: v('cellMinNo'),
      cellMaxNo: v('cellMaxNo'),
      spreadMax_mV: v('spreadMax_mV'),
      spreadMean_mV: v('spreadMean_mV'),
      tempMin_C: v('tempMin_C'),
      tempMax_C: v('tempMax_C'),
      charge_Ah: zero('charge_Ah'),
      discharge_Ah: zero('discharge_Ah'),
      charge_Wh: zero('charge_Wh'),
      discharge_Wh: zero('discharge_Wh'),
      charging_s: zero('charging_s'),
      discharging_s: zero('discharging_s'),
      idle_s: zero('idle_s'),
      remaining_Ah: v('remaining_Ah'),
      full_Ah: v('full_Ah'),
      cycles: v('cycles'),
      soh_pct: v('soh_pct'),
      chargeMosOff: flag('chargeMosOff'),
      dischargeMosOff: flag('dischargeMosOff'),
      cellMeans_mV: cellMeans,
      tempMeans_C: tempMeans,
      tempLabels: [...this.layout.tempLabels],
      statusBytesOr
    };
  }
}

/** Scale of a fixed minute column (stored integer = value × scale). */
export function minuteScale(name: MinuteFixedName): number {
  return SCALE[name];
}

// Packs columns of integers (NaN = missing) into one small byte array, each column with the
// narrowest width that holds it: "frame of reference" encoding. A column whose values in this chunk
// span 0..255 above their minimum costs one byte per row whatever their size (a pack voltage of
// 52 123 mV that moves 40 mV in ten minutes is one byte); a column that does not change costs nothing
// per row (cycle count, full capacity, most status bytes); a column can be delta-coded first (the
// sample times, whose differences are the poll interval). Lossless for integers: callers scale
// values to integers first (mV, 10 mA, 0.1 °C), and anything else falls back to raw float64.
//
// Layout (little-endian):
//   u8 format (1) | u32 rows | u16 columns | per column: u8 mode, f64 base unless mode is
//   ALL_NULL or F64, f64 first value when delta-coded | the columns' data, one after another.
// mode: low 4 bits = bytes per value (1..4), or CONST (0), F64 (8), ALL_NULL (15);
//       bit 4 = the column has missing values, coded as all ones (the width is chosen so that no
//       value's offset reaches it); bit 5 = delta-coded.

const FORMAT = 1;
const MODE_CONST = 0;
const MODE_F64 = 8;
const MODE_ALL_NULL = 15;
const FLAG_NULLS = 0x10;
const FLAG_DELTA = 0x20;

export interface ColumnInput {
  /** Integers, NaN where missing. Length >= the row count. */
  values: Float64Array;
  /** Store differences from the previous present value (times, counters). */
  delta?: boolean;
}

interface Plan {
  mode: number;
  base: number;
  width: number;
  hasNull: boolean;
  /** Values after the delta transform (or the input when not delta-coded). */
  coded: Float64Array;
  /** First present value of a delta-coded column (its own delta is stored as 0). */
  first: number;
}

function widthFor(span: number): number {
  if (span < 0x100) return 1;
  if (span < 0x10000) return 2;
  if (span < 0x1000000) return 3;
  if (span < 0x100000000) return 4;
  return 0;
}

/** Differences from the previous present value, or null when they would not be exact integers. */
function deltas(values: Float64Array, rows: number): { coded: Float64Array; first: number } | null {
  const coded = new Float64Array(rows);
  let prev = Number.NaN;
  let first = Number.NaN;
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      coded[i] = Number.NaN;
      continue;
    }
    if (!Number.isSafeInteger(v)) return null;
    if (Number.isNaN(prev)) {
      first = v;
      coded[i] = 0;
    } else {
      const d = v - prev;
      if (!Number.isSafeInteger(d)) return null;
      coded[i] = d;
    }
    prev = v;
  }
  return { coded, first };
}

function plan(col: ColumnInput, rows: number): Plan {
  let coded = col.values;
  let first = Number.NaN;
  let delta = 0;
  if (col.delta) {
    const d = deltas(col.values, rows);
    if (d) {
      ({ coded, first } = d);
      delta = FLAG_DELTA;
    }
  }
  let min = Infinity;
  let max = -Infinity;
  let hasNull = false;
  let integers = true;
  for (let i = 0; i < rows; i++) {
    const v = coded[i];
    if (Number.isNaN(v)) {
      hasNull = true;
      continue;
    }
    if (!Number.isSafeInteger(v)) integers = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return { mode: MODE_ALL_NULL, base: 0, width: 0, hasNull: true, coded, first };
  // Only integer columns are delta-coded (deltas() refuses others), so F64 never carries the flag.
  if (!integers) return { mode: MODE_F64, base: 0, width: 8, hasNull, coded: col.values, first };
  if (min === max && !hasNull) return { mode: MODE_CONST | delta, base: min, width: 0, hasNull, coded, first };
  const width = widthFor(max - min + (hasNull ? 1 : 0));
  if (width === 0) return { mode: MODE_F64, base: 0, width: 8, hasNull, coded: col.values, first };
  return { mode: width | delta | (hasNull ? FLAG_NULLS : 0), base: min, width, hasNull, coded, first };
}

/** Packs `rows` rows of `columns`. */
export function encodeColumns(columns: readonly ColumnInput[], rows: number): Uint8Array {
  if (!Number.isInteger(rows) || rows < 0 || rows > 0xffffffff) throw new RangeError(`row count ${rows} is out of range`);
  if (columns.length > 0xffff) throw new RangeError(`${columns.length} columns is more than a chunk can hold`);
  const plans = columns.map((c, i) => {
    if (c.values.length < rows) throw new RangeError(`column ${i} has ${c.values.length} values for ${rows} rows`);
    return plan(c, rows);
  });
  let size = 1 + 4 + 2;
  for (const p of plans) {
    const m = p.mode & 0x0f;
    size += 1 + (m === MODE_ALL_NULL || m === MODE_F64 ? 0 : 8) + (p.mode & FLAG_DELTA ? 8 : 0) + p.width * rows;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint8(0, FORMAT);
  view.setUint32(1, rows, true);
  view.setUint16(5, columns.length, true);
  let at = 7;
  for (const p of plans) {
    view.setUint8(at++, p.mode);
    const m = p.mode & 0x0f;
    if (m !== MODE_ALL_NULL && m !== MODE_F64) {
      view.setFloat64(at, p.base, true);
      at += 8;
    }
    if (p.mode & FLAG_DELTA) {
      view.setFloat64(at, p.first, true);
      at += 8;
    }
  }
  for (const p of plans) {
    const m = p.mode & 0x0f;
    if (m === MODE_F64) {
      for (let i = 0; i < rows; i++, at += 8) view.setFloat64(at, p.coded[i], true);
      continue;
    }
    if (p.width === 0) continue;
    const nullCode = 2 ** (8 * p.width) - 1;
    for (let i = 0; i < rows; i++) {
      const v = p.coded[i];
      let off = Number.isNaN(v) ? nullCode : v - p.base;
      for (let b = 0; b < p.width; b++) {
        out[at++] = off & 0xff;
        off = Math.floor(off / 256);
      }
    }
  }
  return out;
}

interface ColumnEntry {
  mode: number;
  base: number;
  first: number;
  /** Byte offset of this column's data. */
  data: number;
  width: number;
}

/** Random access to the columns of an encoded chunk; each column is decoded only when asked for. */
export class ColumnReader {
  readonly rows: number;
  readonly columnCount: number;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #entries: ColumnEntry[] = [];

  constructor(bytes: Uint8Array) {
    if (bytes.length < 7) throw new RangeError(`an encoded chunk is at least 7 bytes, got ${bytes.length}`);
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const format = this.#view.getUint8(0);
    if (format !== FORMAT) throw new RangeError(`unknown chunk format ${format}`);
    this.rows = this.#view.getUint32(1, true);
    this.columnCount = this.#view.getUint16(5, true);
    let at = 7;
    const modes: { mode: number; base: number; first: number }[] = [];
    for (let c = 0; c < this.columnCount; c++) {
      if (at >= bytes.length) throw new RangeError('encoded chunk is truncated in its header');
      const mode = this.#view.getUint8(at++);
      const m = mode & 0x0f;
      let base = 0;
      let first = Number.NaN;
      if (at + 8 * (m !== MODE_ALL_NULL && m !== MODE_F64 ? 1 : 0) + 8 * (mode & FLAG_DELTA ? 1 : 0) > bytes.length)
        throw new RangeError('encoded chunk is truncated in its header');
      if (m !== MODE_ALL_NULL && m !== MODE_F64) {
        base = this.#view.getFloat64(at, true);
        at += 8;
      }
      if (mode & FLAG_DELTA) {
        first = this.#view.getFloat64(at, true);
        at += 8;
      }
      modes.push({ mode, base, first });
    }
    for (const { mode, base, first } of modes) {
      const m = mode & 0x0f;
      const width = m === MODE_F64 ? 8 : m === MODE_ALL_NULL || m === MODE_CONST ? 0 : m;
      this.#entries.push({ mode, base, first, data: at, width });
      at += width * this.rows;
    }
    if (at > bytes.length) throw new RangeError(`encoded chunk is truncated: needs ${at} bytes, has ${bytes.length}`);
  }

  /** Column `c` as numbers, NaN where missing. Writes into `out` when given (length >= rows). */
  column(c: number, out: Float64Array = new Float64Array(this.rows)): Float64Array {
    const e = this.#entries[c];
    if (!e) throw new RangeError(`column ${c} does not exist (chunk has ${this.columnCount})`);
    const rows = this.rows;
    const m = e.mode & 0x0f;
    if (m === MODE_ALL_NULL) {
      out.fill(Number.NaN, 0, rows);
      return out;
    }
    if (m === MODE_F64) {
      for (let i = 0; i < rows; i++) out[i] = this.#view.getFloat64(e.data + i * 8, true);
    } else if (m === MODE_CONST) {
      out.fill(e.base, 0, rows);
    } else {
      const b = this.#bytes;
      const base = e.base;
      const at = e.data;
      const nullCode = e.mode & FLAG_NULLS ? 2 ** (8 * m) - 1 : -1;
      // One loop per width, no calls inside: this is the hot path of every chart query.
      switch (m) {
        case 1:
          for (let i = 0; i < rows; i++) {
            const off = b[at + i];
            out[i] = off === nullCode ? Number.NaN : base + off;
          }
          break;
        case 2:
          for (let i = 0, j = at; i < rows; i++, j += 2) {
            const off = b[j] | (b[j + 1] << 8);
            out[i] = off === nullCode ? Number.NaN : base + off;
          }
          break;
        case 3:
          for (let i = 0, j = at; i < rows; i++, j += 3) {
            const off = b[j] | (b[j + 1] << 8) | (b[j + 2] << 16);
            out[i] = off === nullCode ? Number.NaN : base + off;
          }
          break;
        default:
          for (let i = 0, j = at; i < rows; i++, j += 4) {
            const off = (b[j] | (b[j + 1] << 8) | (b[j + 2] << 16)) + b[j + 3] * 0x1000000;
            out[i] = off === nullCode ? Number.NaN : base + off;
          }
      }
    }
    if (e.mode & FLAG_DELTA) {
      // The first present value's delta is 0 and the value itself is in the header.
      let prev = Number.NaN;
      for (let i = 0; i < rows; i++) {
        const d = out[i];
        if (Number.isNaN(d)) continue;
        prev = Number.isNaN(prev) ? e.first : prev + d;
        out[i] = prev;
      }
    }
    return out;
  }
}

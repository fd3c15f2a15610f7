// A chunk of full-resolution rows of one device, as bytes: the rows turned into columns, cells as
// differences from the row's cell mean (a pack's cells sit within a few tens of mV of each other
// while the mean moves by hundreds over a charge, so the differences fit one byte), times
// delta-coded, then column-codec packs each column as narrowly as it goes.

import { ColumnReader, encodeColumns, type ColumnInput } from './column-codec';
import type { RawChunkLayout } from './records';
import { COL, rawColumnCount, rawOffsets } from './telemetry-row';

/** Encodes `rows` (as sampleToRow makes them, all in `layout`). */
export function encodeRawRows(rows: readonly Float64Array[], layout: RawChunkLayout): Uint8Array {
  const n = rows.length;
  const count = rawColumnCount(layout);
  const off = rawOffsets(layout);
  const columns: ColumnInput[] = [];
  for (let c = 0; c < count; c++) {
    const values = new Float64Array(n);
    const isCell = c >= off.cells && c < off.temps;
    for (let r = 0; r < n; r++) {
      const v = rows[r][c];
      values[r] = isCell ? v - rows[r][COL.cellMean_mV] : v;
    }
    columns.push({ values, delta: c === COL.t_ms });
  }
  return encodeColumns(columns, n);
}

/** Decoded columns of a raw chunk: every column in stored integers, NaN where missing. */
export class RawChunkView {
  readonly layout: RawChunkLayout;
  readonly rows: number;
  readonly #reader: ColumnReader;
  readonly #cache = new Map<number, Float64Array>();

  constructor(data: Uint8Array, layout: RawChunkLayout) {
    this.layout = layout;
    this.#reader = new ColumnReader(data);
    this.rows = this.#reader.rows;
    if (this.#reader.columnCount !== rawColumnCount(layout))
      throw new RangeError(`chunk has ${this.#reader.columnCount} columns, its layout says ${rawColumnCount(layout)}`);
  }

  /** Column `c` in stored units (cells as absolute mV, not differences). */
  column(c: number): Float64Array {
    const hit = this.#cache.get(c);
    if (hit) return hit;
    const off = rawOffsets(this.layout);
    const out = this.#reader.column(c);
    if (c >= off.cells && c < off.temps) {
      const mean = this.column(COL.cellMean_mV);
      for (let i = 0; i < out.length; i++) out[i] += mean[i];
    }
    this.#cache.set(c, out);
    return out;
  }

  /** Row `r` as sampleToRow made it. */
  row(r: number): Float64Array {
    const count = rawColumnCount(this.layout);
    const out = new Float64Array(count);
    for (let c = 0; c < count; c++) out[c] = this.column(c)[r];
    return out;
  }
}

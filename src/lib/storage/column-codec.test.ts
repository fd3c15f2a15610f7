import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ColumnReader, encodeColumns, type ColumnInput } from './column-codec';

const col = (values: number[], delta = false): ColumnInput => ({ values: Float64Array.from(values), delta });

function roundTrip(columns: ColumnInput[], rows: number): Float64Array[] {
  const reader = new ColumnReader(encodeColumns(columns, rows));
  expect(reader.rows).toBe(rows);
  expect(reader.columnCount).toBe(columns.length);
  return columns.map((_, i) => reader.column(i));
}

/** Bytes per row a single column costs (total minus the 7-byte header, per-column mode and base). */
function dataBytes(values: number[], delta = false): number {
  const withCol = encodeColumns([col(values, delta)], values.length).length;
  return withCol - 7 - 1 - 8 - (delta ? 8 : 0);
}

describe('column codec', () => {
  it.each([
    ['constant', [52123, 52123, 52123], 0],
    ['one byte of spread', [52000, 52100, 52255], 1],
    ['two bytes of spread', [0, 65535, 100], 2],
    ['three bytes', [0, 16777215], 3],
    ['four bytes', [-2147483648, 2147483647], 4],
    ['negative values', [-32768, -1, -300], 2]
  ])('%s: round-trips and takes the narrowest width', (_name, values, width) => {
    expect(roundTrip([col(values)], values.length)[0]).toEqual(Float64Array.from(values));
    expect(dataBytes(values)).toBe(width * values.length);
  });

  it('codes missing values (NaN) without widening when there is room, and widens when there is not', () => {
    const withNull = [10, Number.NaN, 12, Number.NaN];
    expect(Array.from(roundTrip([col(withNull)], 4)[0])).toEqual(withNull);
    expect(dataBytes(withNull)).toBe(4);
    // 0..255 fills one byte, so the null code needs a second one.
    const full = [0, 255, Number.NaN];
    expect(Array.from(roundTrip([col(full)], 3)[0])).toEqual(full);
    expect(dataBytes(full)).toBe(6);
  });

  it('stores an all-missing column in no bytes at all', () => {
    const values = [Number.NaN, Number.NaN];
    const bytes = encodeColumns([col(values)], 2);
    expect(bytes.length).toBe(7 + 1);
    expect(Array.from(new ColumnReader(bytes).column(0))).toEqual(values);
  });

  it('delta-codes times: poll intervals cost one byte each, the absolute time only the base', () => {
    const t0 = Date.UTC(2025, 0, 1);
    const times = Array.from({ length: 100 }, (_, i) => t0 + i * 2000 + (i % 7) * 13);
    expect(roundTrip([col(times, true)], times.length)[0]).toEqual(Float64Array.from(times));
    expect(dataBytes(times, true)).toBeLessThanOrEqual(2 * times.length);
    expect(dataBytes(times, false)).toBe(3 * times.length);
  });

  it('delta coding skips missing values', () => {
    const values = [100, Number.NaN, 103, 110, Number.NaN, Number.NaN, 90];
    expect(Array.from(roundTrip([col(values, true)], values.length)[0])).toEqual(values);
  });

  it('falls back to float64 for values that are not integers or span more than 32 bits', () => {
    const frac = [1.5, 2.25, Number.NaN];
    expect(Array.from(roundTrip([col(frac)], 3)[0])).toEqual(frac);
    const wide = [0, 2 ** 40];
    expect(Array.from(roundTrip([col(wide)], 2)[0])).toEqual(wide);
  });

  it('keeps columns apart and reads only what is asked for', () => {
    const a = [1, 2, 3];
    const b = [1000, Number.NaN, 70000];
    const c = [5, 5, 5];
    const out = roundTrip([col(a), col(b), col(c)], 3);
    expect(Array.from(out[0])).toEqual(a);
    expect(Array.from(out[1])).toEqual(b);
    expect(Array.from(out[2])).toEqual(c);
  });

  it('encodes zero rows', () => {
    const r = new ColumnReader(encodeColumns([col([]), col([])], 0));
    expect(r.rows).toBe(0);
    expect(r.column(1).length).toBe(0);
  });

  it('refuses truncated or foreign bytes with a RangeError', () => {
    const bytes = encodeColumns([col([1, 300, 70000])], 3);
    expect(() => new ColumnReader(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    const foreign = Uint8Array.from(bytes);
    foreign[0] = 9;
    expect(() => new ColumnReader(foreign)).toThrow(/format/);
    expect(() => new ColumnReader(new Uint8Array(3))).toThrow(RangeError);
    expect(() => new ColumnReader(bytes).column(1)).toThrow(/does not exist/);
  });

  it('round-trips any mix of integers, missing values and delta coding (property)', () => {
    const value = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 }) },
      { weight: 2, arbitrary: fc.integer({ min: -300, max: 300 }) },
      { weight: 1, arbitrary: fc.constant(Number.NaN) },
      // −0 is the same reading as 0 (an integer column has no negative zero); x + 0 turns −0 into 0.
      { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).map((x) => x + 0) }
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(value, { minLength: 0, maxLength: 40 }), fc.boolean()), { minLength: 1, maxLength: 6 }), (spec) => {
        const rows = Math.min(...spec.map(([v]) => v.length));
        const columns = spec.map(([v, delta]) => col(v.slice(0, rows), delta));
        const out = roundTrip(columns, rows);
        columns.forEach((c, i) => expect(Array.from(out[i])).toEqual(Array.from(c.values)));
      }),
      { numRuns: 300 }
    );
  });
});

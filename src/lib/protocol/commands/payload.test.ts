import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { checkField, fromCount, InfoReader, InfoWriter, tempFromRaw, tempToRaw, toCount, type FieldSpec } from './payload';

const SPEC: FieldSpec = { field: 'x_mV', label: 'Thing', unit: 'mV', min: 10, max: 20, step: 0.5 };

describe('checkField', () => {
  it('accepts the ends and the steps, rejects the rest with field, value, range and unit', () => {
    expect(() => checkField(10, SPEC)).not.toThrow();
    expect(() => checkField(20, SPEC)).not.toThrow();
    expect(() => checkField(12.5, SPEC)).not.toThrow();
    expect(() => checkField(9.5, SPEC)).toThrowError('Thing (x_mV) = 9.5 mV is outside the allowed range 10..20 mV');
    expect(() => checkField(12.25, SPEC)).toThrowError('Thing (x_mV) = 12.25 mV is not a multiple of 0.5 mV (allowed range 10..20 mV)');
    expect(() => checkField(Number.POSITIVE_INFINITY, SPEC)).toThrowError(/must be a number/);
    expect(() => checkField('12' as unknown as number, SPEC)).toThrowError(/must be a number/);
  });

  it('decimal steps do not trip on floating point noise', () => {
    const temp: FieldSpec = { field: 't_C', label: 'T', unit: '°C', min: -35, max: 30, step: 0.1 };
    for (let raw = -350; raw <= 300; raw++) expect(() => checkField(raw / 10, temp)).not.toThrow();
    const ah: FieldSpec = { field: 'c_Ah', label: 'C', unit: 'Ah', min: 0, max: 655.35, step: 0.01 };
    expect(() => checkField(103.46, ah)).not.toThrow();
    expect(() => checkField(0.07, ah)).not.toThrow();
  });
});

describe('InfoReader / InfoWriter', () => {
  it('reads big-endian u8/u16/s16/u32 and reports where a short INFO ends', () => {
    const info = new InfoWriter().u8(0x12).u16(0xcccd).s16(-225).u32(0x6d606d60).finish();
    const r = new InfoReader(info, 'test reply');
    expect([r.u8('a'), r.u16('b'), r.s16('c'), r.u32('d')]).toEqual([0x12, 0xcccd, -225, 0x6d606d60]);
    expect(r.remaining).toBe(0);
    expect(() => r.u8('e')).toThrowError(DecodeError);
    expect(() => new InfoReader(Uint8Array.of(1), 'x').u16('voltage')).toThrowError(/x: INFO ends at byte 1 but voltage needs bytes 0\.\.1/);
  });

  it('refuses raw values that do not fit their width', () => {
    expect(() => new InfoWriter().u8(256)).toThrowError(RangeError);
    expect(() => new InfoWriter().u16(-1)).toThrowError(RangeError);
    expect(() => new InfoWriter().s16(40000)).toThrowError(RangeError);
    expect(() => new InfoWriter().u16(1.5)).toThrowError(RangeError);
  });

  it('u32/s16 round-trip for any value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -0x8000, max: 0x7fff }), (u, s) => {
        const r = new InfoReader(new InfoWriter().u32(u).s16(s).finish(), 't');
        return r.u32('u') === u && r.s16('s') === s;
      })
    );
  });
});

describe('unit conversions', () => {
  it('temperature 0.1 K with 2730 offset both ways', () => {
    expect(tempFromRaw(2932)).toBe(20.2);
    expect(tempToRaw(20.2)).toBe(2932);
    expect(tempToRaw(-25)).toBe(0x09b0);
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x7fff }), (raw) => tempToRaw(tempFromRaw(raw)) === raw));
  });

  it('counts survive decimal LSBs exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -32768, max: 65535 }),
        (n) => toCount(fromCount(n, 0.01), 0.01) === n && toCount(fromCount(n, 0.001), 0.001) === n
      )
    );
    expect(fromCount(10346, 0.01)).toBe(103.46);
    expect(fromCount(55767, 0.001)).toBe(55.767);
  });
});

import { describe, expect, it } from 'vitest';
import { CRC32_INIT, crc16Xmodem, crc32, crc32Final, crc32Update } from './crc';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('crc16Xmodem', () => {
  it('matches the catalogue check value for "123456789"', () => {
    expect(crc16Xmodem(ascii('123456789'))).toBe(0x31c3);
  });

  it('matches further known values', () => {
    expect(crc16Xmodem(ascii('A'))).toBe(0x58e5);
    expect(crc16Xmodem(new Uint8Array(0))).toBe(0);
    // Init 0 and no final XOR: a block of zeros (YMODEM's empty end-of-batch block) sums to 0.
    expect(crc16Xmodem(new Uint8Array(128))).toBe(0);
  });

  it('continues a running checksum across pieces and honours start/end', () => {
    const bytes = ascii('123456789');
    const first = crc16Xmodem(bytes, 0, 4);
    expect(crc16Xmodem(bytes, 4, 9, first)).toBe(0x31c3);
    const padded = ascii('xx123456789yy');
    expect(crc16Xmodem(padded, 2, 11)).toBe(0x31c3);
  });

  it('appended big-endian, the CRC of data plus CRC is zero (the receiver check)', () => {
    const data = ascii('hello, bootloader');
    const c = crc16Xmodem(data);
    const framed = new Uint8Array([...data, c >> 8, c & 0xff]);
    expect(crc16Xmodem(framed)).toBe(0);
  });
});

describe('crc32', () => {
  it('matches the catalogue check value for "123456789"', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
  });

  it('matches further known values and is unsigned', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(ascii('123456789'))).toBeGreaterThan(0x7fffffff);
  });

  it('gives the same result fed in pieces', () => {
    const bytes = new Uint8Array(5000).map((_, i) => (i * 31 + 7) & 0xff);
    let state = CRC32_INIT;
    for (let at = 0; at < bytes.length; at += 333) state = crc32Update(state, bytes, at, Math.min(bytes.length, at + 333));
    expect(crc32Final(state)).toBe(crc32(bytes));
    expect(crc32(bytes, 10, 20)).toBe(crc32(bytes.slice(10, 20)));
  });
});

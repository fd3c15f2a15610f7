import { describe, expect, it } from 'vitest';
import { crc16Xmodem } from './crc';
import {
  SOH,
  STX,
  SUB,
  blockSizeFor,
  blockWireLength,
  checkBlock,
  encodeBlock,
  encodeEndOfBatchBlock,
  encodeHeaderBlock,
  parseHeaderBlock
} from './ymodem-block';

describe('YMODEM blocks', () => {
  it('lays out a 1 KiB block: STX, seq, complement, data padded with SUB, CRC big-endian', () => {
    const data = Uint8Array.of(1, 2, 3);
    const block = encodeBlock(0x101, data, 1024);
    expect(block.length).toBe(1029);
    expect(Array.from(block.subarray(0, 6))).toEqual([STX, 0x01, 0xfe, 1, 2, 3]);
    expect(block.subarray(6, 1027).every((b) => b === SUB)).toBe(true);
    const crc = crc16Xmodem(block, 3, 1027);
    expect([block[1027], block[1028]]).toEqual([crc >> 8, crc & 0xff]);
  });

  it('lays out a 128-byte block with SOH', () => {
    const block = encodeBlock(7, new Uint8Array(128).fill(0x41), 128);
    expect(block.length).toBe(blockWireLength(128));
    expect(Array.from(block.subarray(0, 3))).toEqual([SOH, 7, 0xf8]);
    expect(() => encodeBlock(1, new Uint8Array(129), 128)).toThrow(RangeError);
  });

  it('checks blocks: good, bad CRC, bad complement, wrong length, not a block', () => {
    const good = encodeBlock(3, Uint8Array.of(9, 9, 9), 128);
    const ok = checkBlock(good);
    expect(ok.ok && ok.seq).toBe(3);
    expect(ok.ok && Array.from(ok.data.subarray(0, 4))).toEqual([9, 9, 9, SUB]);

    const crc = good.slice();
    crc[50] ^= 0x01;
    expect(checkBlock(crc)).toEqual({ ok: false, reason: 'crc' });
    const complement = good.slice();
    complement[2] ^= 0x01;
    expect(checkBlock(complement)).toEqual({ ok: false, reason: 'sequence-complement' });
    expect(checkBlock(good.subarray(0, 132))).toEqual({ ok: false, reason: 'length' });
    expect(checkBlock(Uint8Array.of(0x55, 1, 2))).toEqual({ ok: false, reason: 'header' });
    expect(blockSizeFor(SOH)).toBe(128);
    expect(blockSizeFor(STX)).toBe(1024);
    expect(blockSizeFor(0x04)).toBeNull();
  });

  it('block 0 carries the base name and the decimal size, NUL-padded', () => {
    const block = encodeHeaderBlock('C:\\downloads\\P16S100A 1.07.pkfw', 204_928);
    expect(block[0]).toBe(SOH);
    expect(block[1]).toBe(0);
    const text = new TextDecoder().decode(block.subarray(3, 3 + 25));
    expect(text).toBe('P16S100A_1.07.pkfw\u0000204928');
    expect(block.subarray(3 + 25, 131).every((b) => b === 0)).toBe(true);
    const check = checkBlock(block);
    expect(check.ok && parseHeaderBlock(check.data)).toEqual({ name: 'P16S100A_1.07.pkfw', size_bytes: 204_928 });
  });

  it('block 0 moves to 1 KiB for a long name', () => {
    const block = encodeHeaderBlock('x'.repeat(200), 5);
    expect(block[0]).toBe(STX);
    const check = checkBlock(block);
    expect(check.ok && parseHeaderBlock(check.data).name).toHaveLength(200);
    expect(() => encodeHeaderBlock('x'.repeat(1100), 5)).toThrow(RangeError);
    expect(() => encodeHeaderBlock('a', -1)).toThrow(RangeError);
  });

  it('parses header fields after the size, a missing size, and the end-of-batch block', () => {
    const withMore = new TextEncoder().encode('fw.bin\u00001234 14371500000 100644\u0000');
    expect(parseHeaderBlock(withMore)).toEqual({ name: 'fw.bin', size_bytes: 1234 });
    expect(parseHeaderBlock(new TextEncoder().encode('fw.bin\u0000\u0000'))).toEqual({ name: 'fw.bin', size_bytes: null });
    const end = checkBlock(encodeEndOfBatchBlock());
    expect(end.ok && end.seq).toBe(0);
    expect(end.ok && parseHeaderBlock(end.data)).toEqual({ name: '', size_bytes: null });
  });
});

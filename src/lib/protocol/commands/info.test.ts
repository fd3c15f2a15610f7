import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { encodeFrame } from '../frame';
import { asciiBytes, bytesToHex } from '../hex';
import { DEFAULT_DECODE_OPTIONS } from '../types';
import * as F from '../fixtures/telemetry-frames';
import { asciiField, padAscii, readPackCount, readProductInfo, readSoftwareVersion } from './info';

const ctx = { request: {}, options: DEFAULT_DECODE_OPTIONS };

describe('90H / C1H / C2H requests', () => {
  const cases: [F.FrameFixture, number, number][] = [
    [F.REQ_COUNT_MASTER, 0x01, 0x90],
    [F.REQ_COUNT_SLAVE2, 0x02, 0x90],
    [F.REQ_COUNT_SCAN_0B, 0x0b, 0x90],
    [F.REQ_VERSION, 0x01, 0xc1],
    [F.REQ_SERIALS, 0x01, 0xc2]
  ];
  it.each(cases)('%o', (fixture, adr, cid2) => {
    const cmd = cid2 === 0x90 ? readPackCount : cid2 === 0xc1 ? readSoftwareVersion : readProductInfo;
    expect(encodeFrame({ ver: 0x25, adr, cid1: 0x46, code: cmd.cid2, info: cmd.encodeRequest({}) })).toEqual(asciiBytes(fixture.text));
    expect(cmd.decodeRequest(F.frameOf(fixture).info)).toEqual({});
  });

  it('rejects INFO on a request that has none', () => {
    expect(() => readPackCount.decodeRequest(Uint8Array.of(1))).toThrow(DecodeError);
  });
});

describe('90H pack count', () => {
  it('reads 2 packs from the master and 1 from a slave (issue #24)', () => {
    expect(readPackCount.decodeReply(F.frameOf(F.COUNT_MASTER).info, ctx)).toEqual({ packCount: 2 });
    expect(readPackCount.decodeReply(F.frameOf(F.COUNT_SLAVE).info, ctx)).toEqual({ packCount: 1 });
    expect(F.frameOf(F.COUNT_SLAVE).adr).toBe(2);
  });

  it('re-encodes the captured replies', () => {
    expect(readPackCount.encodeReply({ packCount: 2 }, {}, DEFAULT_DECODE_OPTIONS)).toEqual(F.frameOf(F.COUNT_MASTER).info);
  });

  it('refuses INFO that is not a count', () => {
    expect(() => readPackCount.decodeReply(new Uint8Array(0), ctx)).toThrow(DecodeError);
    expect(() => readPackCount.decodeReply(Uint8Array.of(1, 2), ctx)).toThrow(DecodeError);
    expect(() => readPackCount.decodeReply(Uint8Array.of(0x40), ctx)).toThrow(/at most 32/);
  });
});

describe('C1H software version', () => {
  it('reads "P16S100A-1812-1.00" from the 20-character capture', () => {
    const r = readSoftwareVersion.decodeReply(F.frameOf(F.VERSION_PBMSTOOLS).info, ctx);
    expect(r).toEqual({ version: 'P16S100A-1812-1.00' });
  });

  it('reads the Bluetooth name of 40-character V3.1 replies', () => {
    const info = Uint8Array.from([...padAscii('P16S100A-31916-1.06'), ...padAscii('PC-1234')]);
    expect(readSoftwareVersion.decodeReply(info, ctx)).toEqual({ version: 'P16S100A-31916-1.06', bluetoothName: 'PC-1234' });
    expect(readSoftwareVersion.encodeReply({ version: 'P16S100A-31916-1.06', bluetoothName: 'PC-1234' }, {}, DEFAULT_DECODE_OPTIONS)).toEqual(info);
  });

  it('encodes a version that decodes to the same value', () => {
    const info = readSoftwareVersion.encodeReply({ version: 'P16S100A-1812-1.00' }, {}, DEFAULT_DECODE_OPTIONS);
    expect(info.length).toBe(20);
    expect(readSoftwareVersion.decodeReply(info, ctx)).toEqual({ version: 'P16S100A-1812-1.00' });
  });

  it('shows non-printable bytes inside a field instead of dropping them', () => {
    expect(asciiField(Uint8Array.of(0x41, 0x01, 0x42, 0x20, 0x00))).toBe('A\\x01B');
  });

  it('refuses an empty reply', () => {
    expect(() => readSoftwareVersion.decodeReply(new Uint8Array(0), ctx)).toThrow(DecodeError);
  });
});

describe('C2H serial numbers', () => {
  it('reads BMS serial 1812101380309D and an empty pack serial', () => {
    const r = readProductInfo.decodeReply(F.frameOf(F.SERIALS_PBMSTOOLS).info, ctx);
    expect(r).toEqual({ bmsSerial: '1812101380309D', packSerial: '' });
  });

  it('re-encodes the capture byte for byte', () => {
    const info = F.frameOf(F.SERIALS_PBMSTOOLS).info;
    const r = readProductInfo.decodeReply(info, ctx);
    expect(bytesToHex(readProductInfo.encodeReply(r, {}, DEFAULT_DECODE_OPTIONS))).toBe(bytesToHex(info));
  });

  it('accepts a 20-character reply with the BMS serial only', () => {
    expect(readProductInfo.decodeReply(padAscii('ABC123'), ctx)).toEqual({ bmsSerial: 'ABC123' });
  });

  it('refuses a serial that does not fit the field', () => {
    expect(() => readProductInfo.encodeReply({ bmsSerial: 'X'.repeat(21) }, {}, DEFAULT_DECODE_OPTIONS)).toThrow(RangeError);
  });
});

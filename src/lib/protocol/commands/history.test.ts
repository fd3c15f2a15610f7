import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { ProtocolError } from '../errors';
import { bytesToHex } from '../hex';
import { RTN } from '../rtn';
import { DEFAULT_DECODE_OPTIONS } from '../types';
import { decodeCaptured, decodeCapturedRequest, replyText, requestText, WRITE_ACK_TEXT } from '../fixtures/capture-helpers';
import {
  clearHistory,
  decodeHistoryRecord,
  encodeHistoryRecord,
  isEndOfHistoryError,
  isPowerOnRecord,
  readHistory,
  type HistoryRecord
} from './history';

/**
 * PbmsTools 2.4 capture (syssi/esphome-pace-bms docs/pbmstools-communication.md, decoded in
 * reference §8.4), LENID 0x090 = 72 bytes:
 *   18 02 1D 02 00 38        2024-02-29 02:00:56
 *   10 + 16 x u16            cells 3479..3456 mV
 *   06 + 6 x u16             0B74.. temps 20.2 .. 20.7 °C
 *   FF6E D9D7 286A 286A      -1.46 A, 55.767 V, 103.46 Ah, 103.46 Ah
 *   00 00 00 00 00 06        prot1, prot2, fault, warn1, warn2, indication (C+D FET on)
 *   0043                     67 cycles
 *   FF FF FFFF               fault 8, fault 10, status record: not supported
 */
const RECORD_REPLY =
  '~25004600709018021D020038100D970D990D9A0D990D990D970D990D980D990D980D800D980D980D990D980D98060B740B750B770B760B710B79FF6ED9D7286A286A0000000000060043FFFFFFFFDDE3\r';

const RECORD: HistoryRecord = {
  time: { year: 2024, month: 2, day: 29, hour: 2, minute: 0, second: 56 },
  cells_mV: [3479, 3481, 3482, 3481, 3481, 3479, 3481, 3480, 3481, 3480, 3456, 3480, 3480, 3481, 3480, 3480],
  temps_C: [20.2, 20.3, 20.5, 20.4, 19.9, 20.7],
  current_A: -1.46,
  voltage_V: 55.767,
  remaining_Ah: 103.46,
  full_Ah: 103.46,
  status: { protection1: 0, protection2: 0, fault: 0, warning1: 0, warning2: 0, indication: 0x06, fault8: null, fault10: null },
  cycles: 67,
  statusRecord: null
};

describe('A1H history record (§8.4)', () => {
  it('builds the captured request for index 0x018F', () => {
    expect(requestText(readHistory, { index: 0x018f }, 0)).toBe('~250046A1C004018FFCA7\r');
    expect(decodeCapturedRequest(readHistory, '~250046A1C004018FFCA7\r')).toEqual({ index: 399 });
  });

  it('decodes the captured record to the stated values', () => {
    const { frame, value } = decodeCaptured(readHistory, RECORD_REPLY, { index: 0x018f });
    expect(frame.info.length).toBe(72);
    expect(value).toEqual({ kind: 'record', record: RECORD });
    if (value.kind !== 'record') throw new Error('unreachable');
    const cells = value.record.cells_mV.filter((v) => v !== null);
    expect(Math.max(...cells)).toBe(3482);
    expect(Math.min(...cells)).toBe(3456);
    expect(isPowerOnRecord(value.record)).toBe(false);
  });

  it('re-encodes the record to the captured bytes', () => {
    const { frame, value } = decodeCaptured(readHistory, RECORD_REPLY);
    expect(replyText(readHistory, value, { index: 0x018f }, frame)).toBe(RECORD_REPLY);
    expect(readHistory.expectedReplyBytes({ index: 0 })).toBeGreaterThanOrEqual(72);
  });

  it('reads the empty reply as "no more records" and rebuilds it', () => {
    const { frame, value } = decodeCaptured(readHistory, WRITE_ACK_TEXT, { index: 400 });
    expect(value).toEqual({ kind: 'end' });
    expect(replyText(readHistory, value, { index: 400 }, frame)).toBe(WRITE_ACK_TEXT);
  });

  it('recognises RTN 07 as the end of the log and nothing else', () => {
    expect(isEndOfHistoryError(new ProtocolError('rtn', 'no data', { rtn: RTN.noData, cid2: 0xa1 }))).toBe(true);
    expect(isEndOfHistoryError(new ProtocolError('rtn', 'bad', { rtn: RTN.invalidData, cid2: 0xa1 }))).toBe(false);
    expect(isEndOfHistoryError(new ProtocolError('timeout', 'late'))).toBe(false);
    expect(isEndOfHistoryError(new Error('x'))).toBe(false);
  });

  it('keeps supported tail fields and the power-on bit', () => {
    const rec: HistoryRecord = { ...RECORD, temps_C: [25, null], status: { ...RECORD.status, fault8: 0x20, fault10: 0x01 }, statusRecord: 0x0001 };
    const info = encodeHistoryRecord(rec);
    const back = decodeHistoryRecord(info);
    expect(back).toEqual(rec);
    expect(isPowerOnRecord(back)).toBe(true);
    // 25 °C = 2980 (0BA4) x 0.1 K; 0x8000 marks the missing sensor
    expect(bytesToHex(info.slice(6 + 1 + 32 + 1, 6 + 1 + 32 + 1 + 4))).toBe('0BA48000');
  });

  it('reads FF / FFFF as "not supported" in every field that has no valid all-ones value, never as 0', () => {
    const rec: HistoryRecord = {
      ...RECORD,
      cells_mV: [null, ...RECORD.cells_mV.slice(1)],
      temps_C: [null, 21.5],
      voltage_V: null,
      remaining_Ah: null,
      full_Ah: null,
      status: { protection1: null, protection2: null, fault: null, warning1: null, warning2: null, indication: null, fault8: null, fault10: null },
      cycles: null,
      statusRecord: null
    };
    const info = encodeHistoryRecord(rec);
    // cell 1 FFFF; the status bytes after the four u16 values are all FF
    expect(bytesToHex(info.slice(7, 9))).toBe('FFFF');
    const statusAt = 6 + 1 + 32 + 1 + 4 + 8;
    expect(bytesToHex(info.slice(statusAt - 6, statusAt + 6))).toBe('FFFFFFFFFFFFFFFFFFFFFFFF');
    expect(decodeHistoryRecord(info)).toEqual(rec);
    // A sensor field of FFFF is not a temperature of 6280 °C.
    const withFfffTemp = info.slice();
    withFfffTemp.set([0xff, 0xff], 6 + 1 + 32 + 1 + 2);
    expect(decodeHistoryRecord(withFfffTemp).temps_C).toEqual([null, null]);
    // The current is signed: FFFF is -0.01 A, a real reading.
    const minus = info.slice();
    minus.set([0xff, 0xff], 6 + 1 + 32 + 1 + 4);
    expect(decodeHistoryRecord(minus).current_A).toBe(-0.01);
  });

  it('decodes an older record that ends after the indication byte', () => {
    const full = encodeHistoryRecord(RECORD);
    const short = full.slice(0, full.length - 6);
    const rec = decodeHistoryRecord(short);
    expect(rec.cycles).toBeNull();
    expect(rec.status.fault8).toBeNull();
    expect(rec.statusRecord).toBeNull();
    expect(rec.voltage_V).toBe(55.767);
  });

  it('throws DecodeError for a truncated record and RangeError for a bad index', () => {
    const info = encodeHistoryRecord(RECORD).slice(0, 20);
    expect(() => readHistory.decodeReply(info, { request: undefined, options: DEFAULT_DECODE_OPTIONS })).toThrowError(DecodeError);
    expect(() => readHistory.encodeRequest({ index: 65536 })).toThrowError(/index.*65536.*0\.\.65535/);
    expect(() => readHistory.encodeRequest({ index: -1 })).toThrowError(RangeError);
    expect(() => readHistory.decodeRequest(Uint8Array.of(1))).toThrowError(DecodeError);
  });
});

describe('B3H clear history', () => {
  it('is dangerous, has no INFO and takes the empty acknowledgement', () => {
    expect(clearHistory.kind).toBe('dangerous');
    expect(requestText(clearHistory, undefined, 0)).toBe('~250046B30000FD9A\r');
    const { frame, value } = decodeCaptured(clearHistory, WRITE_ACK_TEXT);
    expect(replyText(clearHistory, value, undefined, frame)).toBe(WRITE_ACK_TEXT);
    expect(() => clearHistory.decodeRequest(Uint8Array.of(0))).toThrowError(DecodeError);
  });
});

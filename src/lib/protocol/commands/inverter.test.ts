import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { encodeFrameText } from '../frame';
import { DEFAULT_DECODE_OPTIONS } from '../types';
import { decodeCaptured, decodeCapturedRequest, parseCaptured, replyText, requestText, WRITE_ACK_TEXT } from '../fixtures/capture-helpers';
import {
  AUTOMATIC_INVERTER_PROTOCOLS,
  CAN_PROTOCOLS,
  canProtocol,
  readInverterProtocols,
  RS485_PROTOCOLS,
  rs485Protocol,
  setInverterProtocols
} from './inverter';
import { pairSuite } from '../fixtures/pair-suite';

pairSuite({
  name: 'EB/EC inverter protocols (PbmsTools capture, §12)',
  read: readInverterProtocols,
  write: setInverterProtocols,
  // the PACE V3.1 text prints FD97 here, which does not verify; FD88 is the captured frame
  readRequest: '~250046EB0000FD88\r',
  // CAN 13 AFORE | 485 14 RONGKE | 00 automatic
  reply: '~25004600A006131400FC6F\r',
  value: { can: 0x13, rs485: 0x14, mode: 'automatic' },
  // nkinnan's write example (same three bytes written back); checksum verified by the reader
  writeRequest: '~250046ECA006131400FC47\r'
});

describe('inverter protocol frames from the V3.1 document (responses verify, requests recomputed)', () => {
  it('example 3: SE_CAN + PYLON_485, manual', () => {
    const { frame, value } = decodeCaptured(readInverterProtocols, '~25014600A006040101FC71\r');
    expect(frame.adr).toBe(1);
    expect(value).toEqual({ can: 0x04, rs485: 0x01, mode: 'manual' });
    expect(canProtocol(value.can!)?.name).toBe('SE_CAN');
    expect(rs485Protocol(value.rs485!)?.name).toBe('PYLON_485');
    expect(replyText(readInverterProtocols, value, undefined, frame)).toBe('~25014600A006040101FC71\r');
  });

  it('example 4: GROWATT_CAN + PYLON_485, automatic', () => {
    const { value } = decodeCaptured(readInverterProtocols, '~25014600A006020100FC74\r');
    expect(value).toEqual({ can: 0x02, rs485: 0x01, mode: 'automatic' });
  });

  it('example 1: automatic = FF FF 00, with the corrected checksum', () => {
    const text = requestText(setInverterProtocols, AUTOMATIC_INVERTER_PROTOCOLS, 0);
    expect(text).toBe('~250046ECA006FFFF00FBF8\r');
    expect(decodeCapturedRequest(setInverterProtocols, text)).toEqual({ can: null, rs485: null, mode: 'automatic' });
  });

  it('example 2: VICTRON_CAN + PHOCOS_485 manual verifies when we build it', () => {
    const text = requestText(setInverterProtocols, { can: 0x03, rs485: 0x05, mode: 'manual' }, 0);
    expect(text.slice(0, 19)).toBe('~250046ECA006030501');
    expect(parseCaptured(text).info).toEqual(Uint8Array.of(3, 5, 1));
    // the document's printed checksum (FC56) is wrong, as the reference warns
    expect(text).not.toBe('~250046ECA006030501FC56\r');
  });

  it('the write ack (V3.1 example response at ADR 01) decodes', () => {
    const { value } = decodeCaptured(setInverterProtocols, '~250146000000FDAE\r');
    expect(value.extra.length).toBe(0);
    expect(WRITE_ACK_TEXT).toBe(encodeFrameText({ ver: 0x25, adr: 0, cid1: 0x46, code: 0, info: new Uint8Array(0) }));
  });
});

describe('inverter protocol tables and validation', () => {
  it('tables are ordered, unique, and match the reference ids', () => {
    for (const t of [CAN_PROTOCOLS, RS485_PROTOCOLS]) t.forEach((p, i) => expect(p.id).toBe(i));
    expect(CAN_PROTOCOLS.length).toBe(0x19);
    expect(RS485_PROTOCOLS.length).toBe(0x17);
    expect(canProtocol(0x01)?.name).toBe('PYLON_CAN');
    expect(rs485Protocol(0x03)?.name).toBe('VOLTRONIC_485');
    expect(rs485Protocol(0x17)).toBeUndefined();
  });

  it('refuses unknown ids and modes; null leaves a part unchanged (FF)', () => {
    expect(() => setInverterProtocols.encodeRequest({ can: 0x19, rs485: null, mode: 'manual' })).toThrowError(/can.*25.*0\.\.24/);
    expect(() => setInverterProtocols.encodeRequest({ can: null, rs485: 0x17, mode: 'manual' })).toThrowError(/rs485/);
    expect(() => setInverterProtocols.encodeRequest({ can: null, rs485: null, mode: 'auto' as 'automatic' })).toThrowError(/mode/);
    expect(Array.from(setInverterProtocols.encodeRequest({ can: 0x01, rs485: null, mode: null }))).toEqual([0x01, 0xff, 0xff]);
  });

  it('a type byte other than 00/01/FF is a decode error', () => {
    expect(() => readInverterProtocols.decodeReply(Uint8Array.of(0, 0, 2), { request: undefined, options: DEFAULT_DECODE_OPTIONS })).toThrowError(
      DecodeError
    );
  });
});

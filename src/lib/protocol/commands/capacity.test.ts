import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { decodeCaptured, decodeCapturedRequest, replyText, requestText, WRITE_ACK_TEXT } from '../fixtures/capture-helpers';
import { readCapacities, setCapacities, setChargeCutoff, setCycleCount } from './capacity';

describe('A6 capacities (§8.2 capture)', () => {
  const reply = '~25004600400C183C286A2710FB0E\r';

  it('builds the read request and decodes 62.04 / 103.46 / 100.00 Ah', () => {
    expect(requestText(readCapacities, undefined, 0)).toBe('~250046A60000FD98\r');
    const { frame, value } = decodeCaptured(readCapacities, reply);
    expect(value).toEqual({ remaining_Ah: 62.04, full_Ah: 103.46, design_Ah: 100 });
    expect(replyText(readCapacities, value, undefined, frame)).toBe(reply);
  });
});

describe('A7 set capacities', () => {
  it('encodes 10 mAh units and round-trips the request', () => {
    const req = { remaining_Ah: 62.04, full_Ah: 103.46, design_Ah: 100 };
    const text = requestText(setCapacities, req, 0);
    expect(text).toMatch(/^~250046A7400C183C286A2710[0-9A-F]{4}\r$/);
    expect(decodeCapturedRequest(setCapacities, text)).toEqual(req);
    expect(setCapacities.kind).toBe('dangerous');
  });

  it('refuses values the wire cannot carry and remaining above full', () => {
    expect(() => setCapacities.encodeRequest({ remaining_Ah: 1.005, full_Ah: 100, design_Ah: 100 })).toThrowError(
      /remaining_Ah.*1\.005 Ah.*multiple of 0\.01 Ah/
    );
    expect(() => setCapacities.encodeRequest({ remaining_Ah: 10, full_Ah: 700, design_Ah: 100 })).toThrowError(/full_Ah.*700 Ah.*0\.\.655\.35 Ah/);
    expect(() => setCapacities.encodeRequest({ remaining_Ah: 101, full_Ah: 100, design_Ah: 100 })).toThrowError(/remaining_Ah.*above.*full_Ah/);
  });

  it('accepts the empty acknowledgement', () => {
    const { frame, value } = decodeCaptured(setCapacities, WRITE_ACK_TEXT);
    expect(replyText(setCapacities, value, { remaining_Ah: 1, full_Ah: 1, design_Ah: 1 }, frame)).toBe(WRITE_ACK_TEXT);
  });
});

describe('A5 charge cut-off SOC and BD cycle count', () => {
  it('A5 sends one byte in 74..97 %', () => {
    const text = requestText(setChargeCutoff, { chargeCutoffSoc_pct: 90 }, 0);
    expect(text).toMatch(/^~250046A5E0025A[0-9A-F]{4}\r$/);
    expect(decodeCapturedRequest(setChargeCutoff, text)).toEqual({ chargeCutoffSoc_pct: 90 });
    expect(() => setChargeCutoff.encodeRequest({ chargeCutoffSoc_pct: 73 })).toThrowError(/chargeCutoffSoc_pct.*73 %.*74\.\.97 %/);
    expect(() => setChargeCutoff.encodeRequest({ chargeCutoffSoc_pct: 98 })).toThrowError(RangeError);
  });

  it('BD sends a u16 cycle count', () => {
    expect(Array.from(setCycleCount.encodeRequest({ cycles: 0x0143 }))).toEqual([0x01, 0x43]);
    expect(setCycleCount.decodeRequest(Uint8Array.of(0x01, 0x43))).toEqual({ cycles: 323 });
    expect(() => setCycleCount.encodeRequest({ cycles: 65536 })).toThrowError(/cycles.*65536/);
    expect(() => setCycleCount.decodeRequest(Uint8Array.of(0x01))).toThrowError(DecodeError);
    expect(setCycleCount.kind).toBe('dangerous');
  });
});

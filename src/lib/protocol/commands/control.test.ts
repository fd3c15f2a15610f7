import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions } from '../types';
import { decodeCaptured, decodeCapturedRequest, parseCaptured, replyText, requestText, WRITE_ACK_TEXT } from '../fixtures/capture-helpers';
import {
  CONTROL_SWITCH_CODES,
  controlSwitch,
  decodeControlStatus,
  decodeIndicationStatus,
  encodeControlStatus,
  encodeIndicationStatus,
  setChargeMos,
  setDischargeMos,
  shutdown,
  type ControlSwitch
} from './control';

const FORCED_OFF: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS, controlPolarity: 'forced-off' };

/** PbmsTools 2.4 switch exchanges (§7.1), ADR 00. */
const SWITCHES: { action: ControlSwitch; request: string; reply: string; check: Record<string, unknown> }[] = [
  { action: 'ledAlarmOn', request: '~25004699E00206FD20\r', reply: '~25004600C0040602FCD0\r', check: { ledAlarmEnabled: true } },
  { action: 'ledAlarmOff', request: '~25004699E00207FD1F\r', reply: '~25004600C0040722FCCD\r', check: { ledAlarmEnabled: false } },
  { action: 'limitGearHigh', request: '~25004699E00208FD1E\r', reply: '~25004600C0040830FCCD\r', check: { limitGear: 'high' } },
  { action: 'limitGearLow', request: '~25004699E00209FD1D\r', reply: '~25004600C0040938FCC4\r', check: { limitGear: 'low' } },
  { action: 'chargeLimiterOn', request: '~25004699E0020AFD15\r', reply: '~25004600C0040A22FCC3\r', check: { chargeLimiterEnabled: true } },
  { action: 'chargeLimiterOff', request: '~25004699E0020BFD14\r', reply: '~25004600C0040B32FCC1\r', check: { chargeLimiterEnabled: false } },
  { action: 'buzzerOff', request: '~25004699E0020CFD13\r', reply: '~25004600C0040C00FCC5\r', check: { buzzerEnabled: false } },
  { action: 'buzzerOn', request: '~25004699E0020DFD12\r', reply: '~25004600C0040D01FCC3\r', check: { buzzerEnabled: true } }
];

describe('99H control switch against captures', () => {
  for (const s of SWITCHES) {
    it(`${s.action}: request bytes, echo + control status, round trip`, () => {
      expect(requestText(controlSwitch, { action: s.action }, 0)).toBe(s.request);
      expect(decodeCapturedRequest(controlSwitch, s.request)).toEqual({ action: s.action });
      const { frame, value } = decodeCaptured(controlSwitch, s.reply, { action: s.action });
      expect(value.echo).toBe(CONTROL_SWITCH_CODES[s.action]);
      expect(value.status).toMatchObject(s.check);
      expect(replyText(controlSwitch, value, { action: s.action }, frame)).toBe(s.reply);
      // the other polarity must reproduce the bytes too
      const other = controlSwitch.decodeReply(frame.info, { request: undefined, options: FORCED_OFF });
      expect(replyText(controlSwitch, other, { action: s.action }, frame, FORCED_OFF)).toBe(s.reply);
    });
  }

  it('decodes the LED-off status 0x22 fully', () => {
    expect(decodeControlStatus(0x22, DEFAULT_DECODE_OPTIONS)).toEqual({
      buzzerEnabled: false,
      chargeMosEnabled: true,
      dischargeMosEnabled: false,
      limitGear: 'high',
      chargeLimiterEnabled: true,
      ledAlarmEnabled: false,
      systemLockEnabled: false,
      testMode: false
    });
  });

  it('control polarity option flips only the MOSFET bits', () => {
    const doc = decodeControlStatus(0x02, DEFAULT_DECODE_OPTIONS);
    const forced = decodeControlStatus(0x02, FORCED_OFF);
    expect(doc.chargeMosEnabled).toBe(true);
    expect(forced.chargeMosEnabled).toBe(false);
    expect(forced.dischargeMosEnabled).toBe(true);
    expect({ ...forced, chargeMosEnabled: true, dischargeMosEnabled: false }).toEqual(doc);
  });

  it('every status byte survives decode -> encode under both polarities', () => {
    for (let b = 0; b < 256; b++) {
      expect(encodeControlStatus(decodeControlStatus(b, DEFAULT_DECODE_OPTIONS), DEFAULT_DECODE_OPTIONS)).toBe(b);
      expect(encodeControlStatus(decodeControlStatus(b, FORCED_OFF), FORCED_OFF)).toBe(b);
    }
  });

  it('accepts the empty reply the V3.1 document describes', () => {
    expect(controlSwitch.decodeReply(new Uint8Array(0), { request: undefined, options: DEFAULT_DECODE_OPTIONS })).toEqual({
      echo: null,
      status: null
    });
    expect(controlSwitch.encodeReply({ echo: null, status: null }, { action: 'buzzerOn' }, DEFAULT_DECODE_OPTIONS).length).toBe(0);
  });

  it('encodes the V3.1-only switches and user-defined codes', () => {
    expect(Array.from(controlSwitch.encodeRequest({ action: 'staticBalancingOn' }))).toEqual([0x02]);
    expect(Array.from(controlSwitch.encodeRequest({ action: 'systemLockOn' }))).toEqual([0x05]);
    expect(Array.from(controlSwitch.encodeRequest({ action: 'canProtocolSofar' }))).toEqual([0x12]);
    expect(Array.from(controlSwitch.encodeRequest({ userDefined: 0xd3 }))).toEqual([0xd3]);
    expect(controlSwitch.decodeRequest(Uint8Array.of(0xd3))).toEqual({ userDefined: 0xd3 });
    expect(() => controlSwitch.encodeRequest({ userDefined: 0xe0 })).toThrowError(/userDefined.*224.*208\.\.223/);
    expect(() => controlSwitch.encodeRequest({ action: 'nope' as ControlSwitch })).toThrowError(RangeError);
    expect(() => controlSwitch.decodeRequest(Uint8Array.of(0x01))).toThrowError(DecodeError);
  });
});

describe('9AH / 9BH MOSFET control against captures (§7.2)', () => {
  it('charge MOS on -> indication 0x26 (ACin, DFET, CFET)', () => {
    expect(requestText(setChargeMos, { on: true }, 0)).toBe('~2500469AE00200FD1E\r');
    const { frame, value } = decodeCaptured(setChargeMos, '~25004600E00226FD30\r', { on: true });
    expect(value.indication).toEqual({
      currentLimiting: false,
      chargeMosOn: true,
      dischargeMosOn: true,
      packPowerSupply: false,
      chargerReversed: false,
      chargerPresent: true,
      shutdown: false,
      heaterOn: false
    });
    expect(replyText(setChargeMos, value, { on: true }, frame)).toBe('~25004600E00226FD30\r');
  });

  it('charge MOS off -> indication 0x24 (CFET cleared)', () => {
    expect(requestText(setChargeMos, { on: false }, 0)).toBe('~2500469AE00201FD1D\r');
    expect(decodeCapturedRequest(setChargeMos, '~2500469AE00201FD1D\r')).toEqual({ on: false });
    const { frame, value } = decodeCaptured(setChargeMos, '~25004600E00224FD32\r');
    expect(value.indication.chargeMosOn).toBe(false);
    expect(value.indication.dischargeMosOn).toBe(true);
    expect(replyText(setChargeMos, value, { on: false }, frame)).toBe('~25004600E00224FD32\r');
  });

  it('discharge MOS on, and the refused off (RTN 09) still carries a decodable indication', () => {
    expect(requestText(setDischargeMos, { on: true }, 0)).toBe('~2500469BE00200FD1D\r');
    expect(requestText(setDischargeMos, { on: false }, 0)).toBe('~2500469BE00201FD1C\r');
    const on = decodeCaptured(setDischargeMos, '~25004600E00204FD34\r');
    expect(on.value.indication.dischargeMosOn).toBe(true);
    expect(replyText(setDischargeMos, on.value, { on: true }, on.frame)).toBe('~25004600E00204FD34\r');
    const refused = decodeCaptured(setDischargeMos, '~25004609E00204FD2B\r');
    expect(refused.frame.code).toBe(0x09);
    expect(refused.value.indication.dischargeMosOn).toBe(true);
    expect(replyText(setDischargeMos, refused.value, { on: false }, refused.frame)).toBe('~25004609E00204FD2B\r');
  });

  it('rejects malformed requests and replies', () => {
    expect(() => setChargeMos.decodeRequest(Uint8Array.of(2))).toThrowError(DecodeError);
    expect(() => setChargeMos.decodeRequest(new Uint8Array(0))).toThrowError(DecodeError);
    expect(() => setChargeMos.decodeReply(new Uint8Array(0), { request: undefined, options: DEFAULT_DECODE_OPTIONS })).toThrowError(DecodeError);
    expect(() => setChargeMos.encodeRequest({ on: 'yes' as unknown as boolean })).toThrowError(RangeError);
  });

  it('indication bits round-trip for every byte', () => {
    for (let b = 0; b < 256; b++) expect(encodeIndicationStatus(decodeIndicationStatus(b))).toBe(b);
    expect(decodeIndicationStatus(0x80).heaterOn).toBe(true);
    expect(decodeIndicationStatus(0x01).currentLimiting).toBe(true);
  });
});

describe('9CH shutdown (§7.3)', () => {
  it('sends 01 like PbmsTools and accepts the empty acknowledgement', () => {
    expect(requestText(shutdown, undefined, 0)).toBe('~2500469CE00201FD1B\r');
    expect(shutdown.kind).toBe('write');
    const { frame, value } = decodeCaptured(shutdown, WRITE_ACK_TEXT);
    expect(value.extra.length).toBe(0);
    expect(replyText(shutdown, value, undefined, frame)).toBe(WRITE_ACK_TEXT);
  });

  it('decodes both the PbmsTools request and the documented empty one', () => {
    expect(decodeCapturedRequest(shutdown, '~2500469CE00201FD1B\r')).toBeUndefined();
    expect(shutdown.decodeRequest(new Uint8Array(0))).toBeUndefined();
    expect(() => shutdown.decodeRequest(Uint8Array.of(2))).toThrowError(DecodeError);
    expect(parseCaptured('~2500469CE00201FD1B\r').code).toBe(0x9c);
  });
});

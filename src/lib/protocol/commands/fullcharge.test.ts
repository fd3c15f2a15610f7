import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_OPTIONS } from '../types';
import { bytesToHex } from '../hex';
import { readFullCharge, setFullCharge } from './fullcharge';
import { pairSuite } from '../fixtures/pair-suite';
import { requestText } from '../fixtures/capture-helpers';

pairSuite({
  name: 'AF/AE full charge and low SOC (§8.2 capture, LENID 0A)',
  read: readFullCharge,
  write: setFullCharge,
  readRequest: '~250046AF0000FD88\r',
  // DAC0 = 56000 mV | 07D0 = 2000 mA | 05 = 5 %
  reply: '~25004600600ADAC007D005FB60\r',
  value: { fullChargeVoltage_mV: 56000, fullChargeCurrent_mA: 2000, lowSocAlarm_pct: 5 },
  writeRequest: '~250046AE600ADAC007D005FB3A\r'
});

describe('full charge 4-byte form (LENID 08)', () => {
  it('decodes a reply without the low-SOC byte and re-encodes it short', () => {
    const info = Uint8Array.of(0xda, 0xc0, 0x07, 0xd0);
    const v = readFullCharge.decodeReply(info, { request: undefined, options: DEFAULT_DECODE_OPTIONS });
    expect(v).toEqual({ fullChargeVoltage_mV: 56000, fullChargeCurrent_mA: 2000, lowSocAlarm_pct: null });
    expect(bytesToHex(readFullCharge.encodeReply(v, undefined, DEFAULT_DECODE_OPTIONS))).toBe('DAC007D0');
  });

  it('writes LENID 08 when lowSocAlarm_pct is null', () => {
    const text = requestText(setFullCharge, { fullChargeVoltage_mV: 56000, fullChargeCurrent_mA: 2000, lowSocAlarm_pct: null });
    expect(text.slice(7, 13)).toBe('AE8008');
    expect(setFullCharge.decodeRequest(Uint8Array.of(0xda, 0xc0, 0x07, 0xd0))).toEqual({
      fullChargeVoltage_mV: 56000,
      fullChargeCurrent_mA: 2000,
      lowSocAlarm_pct: null
    });
  });

  it('validates every field', () => {
    expect(() => setFullCharge.encodeRequest({ fullChargeVoltage_mV: 56000, fullChargeCurrent_mA: 400, lowSocAlarm_pct: 5 })).toThrowError(
      /fullChargeCurrent_mA.*400 mA.*500\.\.5000 mA/
    );
    expect(() => setFullCharge.encodeRequest({ fullChargeVoltage_mV: 66000, fullChargeCurrent_mA: 2000, lowSocAlarm_pct: 5 })).toThrowError(
      /fullChargeVoltage_mV/
    );
    expect(() => setFullCharge.encodeRequest({ fullChargeVoltage_mV: 56000, fullChargeCurrent_mA: 2000, lowSocAlarm_pct: 101 })).toThrowError(
      /lowSocAlarm_pct.*101 %.*0\.\.100 %/
    );
  });
});

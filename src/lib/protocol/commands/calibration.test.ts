import { describe, expect, it } from 'vitest';
import { DecodeError, type AnyCommand } from '../command';
import { bytesToHex } from '../hex';
import { decodeCaptured, decodeCapturedRequest, replyText, requestText, WRITE_ACK_TEXT } from '../fixtures/capture-helpers';
import {
  calibrateChargeCurrent,
  calibrateDischargeCurrent,
  calibrateReference,
  calibrateTotalVoltage,
  calibrateZeroCurrent,
  calibrationCommands,
  createCalibrationCommands,
  DEFAULT_CALIBRATION_OPTIONS
} from './calibration';

describe('calibration commands (A9H–ADH)', () => {
  it('are all dangerous, 2-byte requests with an empty acknowledgement', () => {
    expect(calibrationCommands.map((c) => c.cid2)).toEqual([0xa9, 0xaa, 0xab, 0xac, 0xad]);
    for (const c of calibrationCommands) {
      expect(c.kind).toBe('dangerous');
      const cmd: AnyCommand = c;
      const { frame, value } = decodeCaptured(cmd, WRITE_ACK_TEXT);
      expect(replyText(cmd, value, undefined, frame)).toBe(WRITE_ACK_TEXT);
    }
  });

  it('AAH zero-current key defaults to decimal 4321 (0x10E1), hex form on request or by option', () => {
    expect(DEFAULT_CALIBRATION_OPTIONS.zeroCurrentKey).toBe('decimal');
    expect(bytesToHex(calibrateZeroCurrent.encodeRequest({}))).toBe('10E1');
    expect(requestText(calibrateZeroCurrent, {}, 0)).toMatch(/^~250046AAC00410E1[0-9A-F]{4}\r$/);
    expect(bytesToHex(calibrateZeroCurrent.encodeRequest({ key: 'hex' }))).toBe('4321');
    const hexSet = createCalibrationCommands({ zeroCurrentKey: 'hex' });
    expect(bytesToHex(hexSet.calibrateZeroCurrent.encodeRequest({}))).toBe('4321');
    expect(calibrateZeroCurrent.decodeRequest(Uint8Array.of(0x10, 0xe1))).toEqual({ key: 'decimal' });
    expect(calibrateZeroCurrent.decodeRequest(Uint8Array.of(0x43, 0x21))).toEqual({ key: 'hex' });
    expect(() => calibrateZeroCurrent.decodeRequest(Uint8Array.of(0x12, 0x34))).toThrowError(DecodeError);
  });

  it('ABH discharge current: 0 resets, else raw 50..600 in 10 mA units (0.5..6 A)', () => {
    expect(bytesToHex(calibrateDischargeCurrent.encodeRequest({ current_A: 0 }))).toBe('0000');
    expect(bytesToHex(calibrateDischargeCurrent.encodeRequest({ current_A: 5 }))).toBe('01F4');
    const text = requestText(calibrateDischargeCurrent, { current_A: 2.5 }, 0);
    expect(decodeCapturedRequest(calibrateDischargeCurrent, text)).toEqual({ current_A: 2.5 });
    expect(() => calibrateDischargeCurrent.encodeRequest({ current_A: 6.01 })).toThrowError(/current_A.*6\.01 A.*0\.5\.\.6 A.*or 0 to reset/);
    expect(() => calibrateDischargeCurrent.encodeRequest({ current_A: 0.4 })).toThrowError(RangeError);
    expect(() => calibrateDischargeCurrent.encodeRequest({ current_A: 1.005 })).toThrowError(/multiple of 0\.01 A/);
  });

  it('ACH charge current: raw 50..15000 (0.5..150 A)', () => {
    expect(bytesToHex(calibrateChargeCurrent.encodeRequest({ current_A: 150 }))).toBe('3A98');
    expect(() => calibrateChargeCurrent.encodeRequest({ current_A: 150.01 })).toThrowError(/0\.5\.\.150 A/);
  });

  it('the current unit is an option (UNCERTAIN in the document)', () => {
    const mA = createCalibrationCommands({ currentLsb_mA: 1 });
    expect(bytesToHex(mA.calibrateChargeCurrent.encodeRequest({ current_A: 15 }))).toBe('3A98');
    expect(() => mA.calibrateChargeCurrent.encodeRequest({ current_A: 16 })).toThrowError(/0\.05\.\.15 A/);
    expect(() => createCalibrationCommands({ currentLsb_mA: 0 })).toThrowError(RangeError);
    expect(() => createCalibrationCommands({ zeroCurrentKey: 'oct' as 'hex' })).toThrowError(TypeError);
  });

  it('ADH total voltage in mV and A9H reference in mV', () => {
    expect(bytesToHex(calibrateTotalVoltage.encodeRequest({ voltage_mV: 53589 }))).toBe('D155');
    expect(calibrateTotalVoltage.decodeRequest(Uint8Array.of(0xd1, 0x55))).toEqual({ voltage_mV: 53589 });
    expect(() => calibrateTotalVoltage.encodeRequest({ voltage_mV: 70000 })).toThrowError(/voltage_mV.*70000 mV.*20000\.\.65000 mV/);
    const tenMv = createCalibrationCommands({ voltageLsb_mV: 10 });
    expect(bytesToHex(tenMv.calibrateTotalVoltage.encodeRequest({ voltage_mV: 53590 }))).toBe('14EF');
    expect(() => tenMv.calibrateTotalVoltage.encodeRequest({ voltage_mV: 53589 })).toThrowError(/multiple of 10 mV/);
    expect(bytesToHex(calibrateReference.encodeRequest({ reference_mV: 3300 }))).toBe('0CE4');
    expect(() => calibrateReference.encodeRequest({ reference_mV: 0 })).toThrowError(/reference_mV/);
  });
});

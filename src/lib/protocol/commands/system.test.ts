import { describe, expect, it } from 'vitest';
import { DecodeError, type AnyCommand } from '../command';
import { decodeCaptured, decodeCapturedRequest, replyText, requestText, WRITE_ACK_TEXT } from '../fixtures/capture-helpers';
import {
  decodeRestoreSelection,
  encodeRestoreSelection,
  enterFirmwareUpgrade,
  restoreDefaults,
  restoreSystemDefaults,
  setCellCount,
  systemCommands
} from './system';

const NONE = { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false };

describe('system commands', () => {
  it('every one is dangerous and answers with the empty acknowledgement', () => {
    for (const c of systemCommands) {
      expect(c.kind).toBe('dangerous');
      const cmd: AnyCommand = c;
      const { frame, value } = decodeCaptured(cmd, WRITE_ACK_TEXT);
      expect(replyText(cmd, value, undefined, frame)).toBe(WRITE_ACK_TEXT);
    }
  });

  it('A4H restore defaults carries no INFO', () => {
    expect(requestText(restoreDefaults, undefined, 0)).toBe('~250046A40000FD9A\r');
    expect(() => restoreDefaults.decodeRequest(Uint8Array.of(1))).toThrowError(DecodeError);
  });

  it('B4H cell count accepts 13..16 only', () => {
    const text = requestText(setCellCount, { cells: 16 }, 0);
    expect(text).toMatch(/^~250046B4E00210[0-9A-F]{4}\r$/);
    expect(decodeCapturedRequest(setCellCount, text)).toEqual({ cells: 16 });
    expect(() => setCellCount.encodeRequest({ cells: 12 })).toThrowError(/cells.*12 cells.*13\.\.16 cells/);
    expect(() => setCellCount.encodeRequest({ cells: 17 })).toThrowError(RangeError);
  });

  it('FFH 50H XX firmware-upgrade entry carries the recoverable-parameter bitmask', () => {
    expect(Array.from(enterFirmwareUpgrade.encodeRequest({ restore: NONE }))).toEqual([0x50, 0x00]);
    const all = { capacity: true, cellAndNtcCount: true, protectionParameters: true, protocol: true };
    expect(Array.from(enterFirmwareUpgrade.encodeRequest({ restore: all }))).toEqual([0x50, 0x0f]);
    expect(Array.from(enterFirmwareUpgrade.encodeRequest({ restore: { ...NONE, protectionParameters: true } }))).toEqual([0x50, 0x04]);
    const text = requestText(enterFirmwareUpgrade, { restore: { ...NONE, capacity: true, protocol: true } }, 1);
    expect(text).toMatch(/^~250146FFC0045009[0-9A-F]{4}\r$/);
    expect(decodeCapturedRequest(enterFirmwareUpgrade, text)).toEqual({ restore: { ...NONE, capacity: true, protocol: true } });
  });

  it('restore-selection bits round-trip and reserved bits are refused', () => {
    for (let b = 0; b < 16; b++) expect(encodeRestoreSelection(decodeRestoreSelection(b))).toBe(b);
    expect(() => decodeRestoreSelection(0x10)).toThrowError(DecodeError);
    expect(() => enterFirmwareUpgrade.encodeRequest({ restore: { ...NONE, capacity: 'yes' as unknown as boolean } })).toThrowError(
      /restore\.capacity/
    );
  });

  it('FFH 02H restore system defaults, and the two FF commands refuse each other', () => {
    expect(requestText(restoreSystemDefaults, undefined, 0)).toMatch(/^~250046FFE00202[0-9A-F]{4}\r$/);
    expect(restoreSystemDefaults.decodeRequest(Uint8Array.of(0x02))).toBeUndefined();
    expect(() => restoreSystemDefaults.decodeRequest(Uint8Array.of(0x50, 0x00))).toThrowError(DecodeError);
    expect(() => enterFirmwareUpgrade.decodeRequest(Uint8Array.of(0x02))).toThrowError(DecodeError);
    expect(() => enterFirmwareUpgrade.decodeRequest(Uint8Array.of(0x50))).toThrowError(DecodeError);
  });
});

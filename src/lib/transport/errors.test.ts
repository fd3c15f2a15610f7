import { describe, expect, it } from 'vitest';
import { expandUuid, profileForService, shortUuid, checkProfiles, BLE_UART_PROFILES } from './ble-profiles';
import {
  classifyBleConnectError,
  classifyBleRequestError,
  classifySerialOpenError,
  classifySerialRequestError,
  isRecoverableReadError
} from './errors';
import { TransportError } from './types';

const dom = (name: string) => new DOMException(`message text that must not matter (${name})`, name);

describe('error classification', () => {
  it('classifies serial picker errors by name, keeping the DOMException as cause', () => {
    const cancelled = classifySerialRequestError(dom('NotFoundError'));
    expect(cancelled).toBeInstanceOf(TransportError);
    expect(cancelled.kind).toBe('picker-cancelled');
    expect(cancelled.cause).toBeInstanceOf(DOMException);
    expect(classifySerialRequestError(dom('SecurityError')).kind).toBe('permission');
  });

  it('classifies serial open errors: busy, in use, gone, permission', () => {
    expect(classifySerialOpenError(dom('InvalidStateError')).kind).toBe('busy');
    expect(classifySerialOpenError(dom('NetworkError')).kind).toBe('in-use');
    expect(classifySerialOpenError(dom('NotFoundError')).kind).toBe('gone');
    expect(classifySerialOpenError(dom('SecurityError')).kind).toBe('permission');
    for (const e of ['InvalidStateError', 'NetworkError', 'NotFoundError', 'SecurityError']) {
      expect(classifySerialOpenError(dom(e)).link).toBe('serial');
    }
  });

  it('does not look at message text: the same message with another name classifies differently', () => {
    const a = new DOMException('Failed to open serial port.', 'NetworkError');
    const b = new DOMException('Failed to open serial port.', 'InvalidStateError');
    expect(classifySerialOpenError(a).kind).not.toBe(classifySerialOpenError(b).kind);
  });

  it('passes an already classified TransportError through unchanged', () => {
    const te = new TransportError('gone', 'x', { link: 'ble' });
    expect(classifySerialOpenError(te)).toBe(te);
    expect(classifyBleConnectError(te)).toBe(te);
  });

  it('classifies Bluetooth chooser and connect errors', () => {
    expect(classifyBleRequestError(dom('NotFoundError')).kind).toBe('picker-cancelled');
    expect(classifyBleRequestError(dom('SecurityError')).kind).toBe('permission');
    expect(classifyBleConnectError(dom('NetworkError')).kind).toBe('gone');
    expect(classifyBleConnectError(dom('NotFoundError')).kind).toBe('no-service');
    expect(classifyBleConnectError(dom('NotSupportedError')).kind).toBe('no-service');
    expect(classifyBleRequestError(dom('NotFoundError')).link).toBe('ble');
  });

  it('knows which serial read errors leave the port usable', () => {
    for (const name of ['BufferOverrunError', 'FramingError', 'BreakError', 'ParityError']) expect(isRecoverableReadError(dom(name))).toBe(true);
    for (const name of ['NetworkError', 'UnknownError', 'AbortError']) expect(isRecoverableReadError(dom(name))).toBe(false);
    expect(isRecoverableReadError('FramingError')).toBe(false);
    expect(isRecoverableReadError(null)).toBe(false);
  });
});

describe('BLE UART profiles', () => {
  it('expands 16-bit UUIDs onto the Bluetooth base UUID', () => {
    expect(expandUuid(0xffe0)).toBe('0000ffe0-0000-1000-8000-00805f9b34fb');
    expect(expandUuid('FFE1')).toBe('0000ffe1-0000-1000-8000-00805f9b34fb');
    expect(expandUuid('0x2902')).toBe('00002902-0000-1000-8000-00805f9b34fb');
    expect(expandUuid('6E400001-B5A3-F393-E0A9-E50E24DCCA9E')).toBe('6e400001-b5a3-f393-e0a9-e50e24dcca9e');
    expect(() => expandUuid('ffe')).toThrow(RangeError);
    expect(shortUuid('0000fff0-0000-1000-8000-00805f9b34fb')).toBe('FFF0');
    expect(shortUuid('6e400001-b5a3-f393-e0a9-e50e24dcca9e')).toBe('6e400001-b5a3-f393-e0a9-e50e24dcca9e');
  });

  it('describes the four bridges of the reference as data', () => {
    const table = BLE_UART_PROFILES.map((p) => [p.id, shortUuid(p.service), shortUuid(p.notify), shortUuid(p.write), p.writeChunk_bytes]);
    expect(table).toEqual([
      ['hm10', 'FFE0', 'FFE1', 'FFE1', 20],
      ['ff00', 'FF00', 'FF01', 'FF02', 20],
      ['nus', '6e400001-b5a3-f393-e0a9-e50e24dcca9e', '6e400003-b5a3-f393-e0a9-e50e24dcca9e', '6e400002-b5a3-f393-e0a9-e50e24dcca9e', 20],
      ['fff0', 'FFF0', 'FFF1', 'FFF2', 20]
    ]);
    expect(profileForService('ff00')?.id).toBe('ff00');
    expect(profileForService(0x180d)).toBeUndefined();
  });

  it('rejects malformed custom profiles up front', () => {
    expect(() => checkProfiles([])).toThrow(RangeError);
    expect(() => checkProfiles([{ ...BLE_UART_PROFILES[0], writeChunk_bytes: 0 }])).toThrow(/writeChunk_bytes/);
    expect(() => checkProfiles([{ ...BLE_UART_PROFILES[0], service: 'FFE0' }])).toThrow(/full and lower-case/);
  });
});

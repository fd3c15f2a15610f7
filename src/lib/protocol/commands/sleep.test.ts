import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../hex';
import { pairSuite } from '../fixtures/pair-suite';
import { readSleep, setSleep } from './sleep';

pairSuite({
  name: 'A0/A8 cell sleep (§8.2 capture)',
  read: readSleep,
  write: setSleep,
  readRequest: '~250046A00000FD9E\r',
  // cell voltage 0C1C = 3100 mV | delay 0005 = 5 min
  reply: '~2500460080080C1C0005FBF3\r',
  value: { cellVoltage_mV: 3100, delay_min: 5 },
  writeRequest: '~250046A880080C1C0005FBDA\r'
});

describe('sleep write validation', () => {
  it('checks voltage and delay in minutes', () => {
    expect(() => setSleep.encodeRequest({ cellVoltage_mV: 3100, delay_min: 0 })).toThrowError(/delay_min.*0 min.*1\.\.120 min/);
    expect(() => setSleep.encodeRequest({ cellVoltage_mV: 4001, delay_min: 5 })).toThrowError(/cellVoltage_mV.*4001 mV/);
    expect(() => setSleep.encodeRequest({ cellVoltage_mV: 3100, delay_min: 2.5 })).toThrowError(/multiple of 1 min/);
    expect(bytesToHex(setSleep.encodeRequest({ cellVoltage_mV: 3000, delay_min: 120 }))).toBe('0BB80078');
  });
});

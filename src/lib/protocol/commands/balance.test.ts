import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../hex';
import { readBalance, setBalance } from './balance';
import { pairSuite } from '../fixtures/pair-suite';

pairSuite({
  name: 'B6/B5 balancing (§8.2 capture)',
  read: readBalance,
  write: setBalance,
  readRequest: '~250046B60000FD97\r',
  // start 0D48 = 3400 mV | delta 001E = 30 mV
  reply: '~2500460080080D48001EFBE9\r',
  value: { startVoltage_mV: 3400, startDelta_mV: 30 },
  writeRequest: '~250046B580080D48001EFBD2\r'
});

describe('balancing write validation', () => {
  it('checks both fields against the PbmsTools ranges', () => {
    expect(() => setBalance.encodeRequest({ startVoltage_mV: 3299, startDelta_mV: 30 })).toThrowError(/startVoltage_mV.*3299 mV.*3300\.\.4500 mV/);
    expect(() => setBalance.encodeRequest({ startVoltage_mV: 3400, startDelta_mV: 501 })).toThrowError(/startDelta_mV.*501 mV.*20\.\.500 mV/);
    expect(() => setBalance.encodeRequest({ startVoltage_mV: 3400.5, startDelta_mV: 30 })).toThrowError(/multiple of 1 mV/);
    expect(bytesToHex(setBalance.encodeRequest({ startVoltage_mV: 3450, startDelta_mV: 20 }))).toBe('0D7A0014');
  });
});

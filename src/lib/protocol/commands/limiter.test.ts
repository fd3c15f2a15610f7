import { describe, expect, it } from 'vitest';
import { readLimiter, setLimiter } from './limiter';
import { pairSuite } from '../fixtures/pair-suite';

pairSuite({
  name: 'ED/EE charge limiter start current (§8.2 capture)',
  read: readLimiter,
  write: setLimiter,
  readRequest: '~250046ED0000FD86\r',
  // 0064 = 100 A
  reply: '~25004600C0040064FCCE\r',
  value: { startCurrent_A: 100 },
  writeRequest: '~250046EEC0040064FCA4\r'
});

describe('limiter write validation', () => {
  it('refuses currents outside 5..150 A', () => {
    expect(() => setLimiter.encodeRequest({ startCurrent_A: 4 })).toThrowError(/startCurrent_A.*4 A.*5\.\.150 A/);
    expect(() => setLimiter.encodeRequest({ startCurrent_A: 151 })).toThrowError(RangeError);
    expect(Array.from(setLimiter.encodeRequest({ startCurrent_A: 150 }))).toEqual([0x00, 0x96]);
  });
});

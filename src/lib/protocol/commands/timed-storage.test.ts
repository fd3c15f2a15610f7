// Timed storage B7H–BCH. No capture exists; the frames below are built by hand from the V3.1
// document's layouts (checksums computed independently of frame.ts) and pin the codecs to them.

import { describe, expect, it } from 'vitest';
import { pairSuite } from '../fixtures/pair-suite';
import {
  readStorageEnd,
  readStorageInterval,
  readStorageStart,
  setStorageEnd,
  setStorageInterval,
  setStorageStart,
  STORAGE_INTERVAL_SPEC,
  timedStorageCommands
} from './timed-storage';

pairSuite({
  name: 'B8/B7 timed storage interval',
  read: readStorageInterval,
  write: setStorageInterval,
  readRequest: '~250046B80000FD95\r',
  // interval 1E = 30
  reply: '~25004600E0021EFD22\r',
  value: { interval_min: 30 },
  writeRequest: '~250046B7E0021EFD09\r'
});

pairSuite({
  name: 'BA/B9 timed storage start time',
  read: readStorageStart,
  write: setStorageStart,
  readRequest: '~250046BA0000FD8C\r',
  // 19 06 01 08 00 00 = 2025-06-01 08:00:00
  reply: '~25004600400C190601080000FB3F\r',
  value: { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 },
  writeRequest: '~250046B9400C190601080000FB24\r'
});

pairSuite({
  name: 'BC/BB timed storage end time',
  read: readStorageEnd,
  write: setStorageEnd,
  readRequest: '~250046BC0000FD8A\r',
  reply: '~25004600400C190701080000FB3E\r',
  value: { year: 2025, month: 7, day: 1, hour: 8, minute: 0, second: 0 },
  writeRequest: '~250046BB400C190701080000FB1A\r'
});

describe('timed storage', () => {
  it('reads are the even codes, writes the odd codes (B7–BC)', () => {
    expect(timedStorageCommands.map((c) => [c.cid2.toString(16), c.kind])).toEqual([
      ['b8', 'read'],
      ['b7', 'write'],
      ['ba', 'read'],
      ['b9', 'write'],
      ['bc', 'read'],
      ['bb', 'write']
    ]);
  });

  it('refuses an interval outside 0..120 and an impossible date before sending', () => {
    expect(STORAGE_INTERVAL_SPEC).toMatchObject({ min: 0, max: 120 });
    expect(() => setStorageInterval.encodeRequest({ interval_min: 121 })).toThrowError(/Timed storage interval \(interval_min\) = 121 min/);
    expect(Array.from(setStorageInterval.encodeRequest({ interval_min: 0 }))).toEqual([0]);
    expect(() => setStorageStart.encodeRequest({ year: 2025, month: 2, day: 30, hour: 0, minute: 0, second: 0 })).toThrowError(
      /Timed storage start time: Date\/time day = 30 is outside the allowed range 1\.\.28/
    );
  });
});

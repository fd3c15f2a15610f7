import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_OPTIONS } from '../types';
import { bmsDateTimeFromDate, bmsDateTimeToDate, dateTimeProblem, formatBmsDateTime, readDateTime, setDateTime } from './datetime';
import { pairSuite } from '../fixtures/pair-suite';

pairSuite({
  name: 'B1/B2 date and time (§8.3 capture)',
  read: readDateTime,
  write: setDateTime,
  readRequest: '~250046B10000FD9C\r',
  // 18 08 15 05 1D 1F = 2024-08-21 05:29:31
  reply: '~25004600400C180815051D1FFB10\r',
  value: { year: 2024, month: 8, day: 21, hour: 5, minute: 29, second: 31 },
  // 18 08 14 0E 0F 25 = 2024-08-20 14:15:37
  writeRequest: '~250046B2400C1808140E0F25FAFC\r',
  writeValue: { year: 2024, month: 8, day: 20, hour: 14, minute: 15, second: 37 }
});

describe('date/time validation and helpers', () => {
  const ok = { year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59 };

  it('accepts a leap day and refuses impossible dates, naming the field', () => {
    expect(dateTimeProblem(ok)).toBeNull();
    expect(() => setDateTime.encodeRequest({ ...ok, year: 2023 })).toThrowError(/day = 29.*1\.\.28/);
    expect(() => setDateTime.encodeRequest({ ...ok, month: 13 })).toThrowError(/month = 13.*1\.\.12/);
    expect(() => setDateTime.encodeRequest({ ...ok, year: 2100 })).toThrowError(/year = 2100.*2000\.\.2099/);
    expect(() => setDateTime.encodeRequest({ ...ok, hour: 24 })).toThrowError(/hour/);
    expect(() => setDateTime.encodeRequest({ ...ok, second: 1.5 })).toThrowError(/second/);
  });

  it('still decodes a garbage clock so the UI can show it', () => {
    const v = readDateTime.decodeReply(Uint8Array.of(0, 0, 0, 99, 99, 99), { request: undefined, options: DEFAULT_DECODE_OPTIONS });
    expect(v).toEqual({ year: 2000, month: 0, day: 0, hour: 99, minute: 99, second: 99 });
    expect(dateTimeProblem(v)).toMatch(/month/);
  });

  it('converts to and from local Date and formats', () => {
    const d = new Date(2024, 7, 21, 5, 29, 31);
    const t = bmsDateTimeFromDate(d);
    expect(t).toEqual({ year: 2024, month: 8, day: 21, hour: 5, minute: 29, second: 31 });
    expect(bmsDateTimeToDate(t).getTime()).toBe(d.getTime());
    expect(formatBmsDateTime(t)).toBe('2024-08-21 05:29:31');
  });
});

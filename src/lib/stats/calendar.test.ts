import { describe, expect, it } from 'vitest';
import { bucketsBetween, dateIn, startOfDate } from './calendar';

const H = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

describe('startOfDate', () => {
  it('is local midnight as an instant, on either side of UTC', () => {
    expect(iso(startOfDate({ year: 2025, month: 6, day: 1 }, 'UTC'))).toBe('2025-06-01T00:00:00.000Z');
    expect(iso(startOfDate({ year: 2025, month: 6, day: 1 }, 'Asia/Shanghai'))).toBe('2025-05-31T16:00:00.000Z');
    expect(iso(startOfDate({ year: 2025, month: 6, day: 1 }, 'America/New_York'))).toBe('2025-06-01T04:00:00.000Z');
    expect(iso(startOfDate({ year: 2025, month: 6, day: 1 }, 'Asia/Kolkata'))).toBe('2025-05-31T18:30:00.000Z');
    expect(iso(startOfDate({ year: 2025, month: 6, day: 1 }, 'Pacific/Kiritimati'))).toBe('2025-05-31T10:00:00.000Z');
  });

  it('starts at 01:00 on a day whose midnight does not exist (Chile springs forward at 24:00)', () => {
    const t = startOfDate({ year: 2024, month: 9, day: 8 }, 'America/Santiago');
    expect(iso(t)).toBe('2024-09-08T04:00:00.000Z');
    expect(dateIn(t - 1, 'America/Santiago')).toEqual({ year: 2024, month: 9, day: 7 });
    expect(dateIn(t, 'America/Santiago')).toEqual({ year: 2024, month: 9, day: 8 });
  });

  it('throws for a zone the runtime does not know', () => {
    expect(() => startOfDate({ year: 2025, month: 1, day: 1 }, 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('bucketsBetween', () => {
  it('a spring-forward day has 23 hours and a fall-back day 25 (Berlin)', () => {
    const b = bucketsBetween(Date.UTC(2025, 2, 29, 12), Date.UTC(2025, 2, 31, 12), { timeZone: 'Europe/Berlin', period: 'day', weekStartsOn: 1 });
    expect(b.map((x) => x.key)).toEqual(['2025-03-29', '2025-03-30', '2025-03-31']);
    expect(b.map((x) => (x.end_ms - x.start_ms) / H)).toEqual([24, 23, 24]);
    expect(iso(b[1].start_ms)).toBe('2025-03-29T23:00:00.000Z');
    const fall = bucketsBetween(Date.UTC(2025, 9, 26, 12), Date.UTC(2025, 9, 26, 13), { timeZone: 'Europe/Berlin', period: 'day', weekStartsOn: 1 });
    expect(fall).toEqual([{ key: '2025-10-26', start_ms: Date.UTC(2025, 9, 25, 22), end_ms: Date.UTC(2025, 9, 26, 23) }]);
  });

  it('buckets are contiguous and cover the range', () => {
    const from = Date.UTC(2025, 0, 3, 5);
    const to = Date.UTC(2025, 4, 20, 5);
    for (const period of ['day', 'week', 'month'] as const) {
      const b = bucketsBetween(from, to, { timeZone: 'Europe/Berlin', period, weekStartsOn: 1 });
      expect(b[0].start_ms).toBeLessThanOrEqual(from);
      expect(b[b.length - 1].end_ms).toBeGreaterThan(to);
      for (let i = 1; i < b.length; i++) expect(b[i].start_ms).toBe(b[i - 1].end_ms);
    }
  });

  it('weeks start on Monday by default, on Sunday when asked; the key is the first day', () => {
    // 2025-03-30 is a Sunday (and Berlin's spring-forward day).
    const t = Date.UTC(2025, 2, 30, 12);
    const mon = bucketsBetween(t, t, { timeZone: 'Europe/Berlin', period: 'week', weekStartsOn: 1 });
    expect(mon.map((x) => x.key)).toEqual(['2025-03-24']);
    expect((mon[0].end_ms - mon[0].start_ms) / H).toBe(7 * 24 - 1);
    const sun = bucketsBetween(t, t, { timeZone: 'Europe/Berlin', period: 'week', weekStartsOn: 0 });
    expect(sun.map((x) => x.key)).toEqual(['2025-03-30']);
  });

  it('months run from the first to the first, across the year end', () => {
    const b = bucketsBetween(Date.UTC(2024, 11, 15), Date.UTC(2025, 1, 2), { timeZone: 'Asia/Shanghai', period: 'month', weekStartsOn: 1 });
    expect(b.map((x) => x.key)).toEqual(['2024-12', '2025-01', '2025-02']);
    expect(iso(b[1].start_ms)).toBe('2024-12-31T16:00:00.000Z');
    expect((b[1].end_ms - b[1].start_ms) / H).toBe(31 * 24);
  });

  it('is empty for a reversed range', () => {
    expect(bucketsBetween(10, 5, { timeZone: 'UTC', period: 'day', weekStartsOn: 1 })).toEqual([]);
  });
});

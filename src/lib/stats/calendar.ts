// Day, week and month buckets in a time zone, as instants. A local day is not 24 hours: it is 23
// or 25 on a daylight-saving change, and in zones that switch at midnight it does not start at
// 00:00. So a bucket's start is found as "the first instant whose local date is that date"
// (a search over Intl's answer), never as midnight UTC plus an offset.

export type Period = 'day' | 'week' | 'month';

export interface Bucket {
  /** 'YYYY-MM-DD' (day; week: its first day) or 'YYYY-MM' (month). */
  key: string;
  /** First instant of the bucket, Unix epoch ms. */
  start_ms: number;
  /** First instant of the next bucket. */
  end_ms: number;
}

export interface CalendarDate {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws a RangeError for a zone the runtime does not know, which is what a caller should see.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      calendar: 'gregory',
      numberingSystem: 'latn'
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The runtime's own zone (the user's, in a browser). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The calendar date an instant falls on in `timeZone`. */
export function dateIn(t_ms: number, timeZone: string): CalendarDate {
  let year = 0;
  let month = 0;
  let day = 0;
  for (const p of formatter(timeZone).formatToParts(t_ms)) {
    if (p.type === 'year') year = Number(p.value);
    else if (p.type === 'month') month = Number(p.value);
    else if (p.type === 'day') day = Number(p.value);
  }
  return { year, month, day };
}

const ordinal = (d: CalendarDate) => d.year * 10_000 + d.month * 100 + d.day;

/** Calendar arithmetic, zone-free: `d` plus `days` (may be negative). */
export function addDays(d: CalendarDate, days: number): CalendarDate {
  const u = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: u.getUTCDate() };
}

function addMonths(d: CalendarDate, months: number): CalendarDate {
  const u = new Date(Date.UTC(d.year, d.month - 1 + months, 1));
  return { year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: 1 };
}

/** 0 = Sunday .. 6 = Saturday. */
function weekday(d: CalendarDate): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

/** UTC offsets run from −12 h to +14 h: a date's first instant lies within this of its UTC midnight. */
const SEARCH_SPAN_ms = 16 * 3_600_000;

/** The first instant (ms) whose local date in `timeZone` is `d` or later. */
export function startOfDate(d: CalendarDate, timeZone: string): number {
  const target = ordinal(d);
  const utcMidnight = Date.UTC(d.year, d.month - 1, d.day);
  let lo = utcMidnight - SEARCH_SPAN_ms;
  let hi = utcMidnight + SEARCH_SPAN_ms;
  // Invariant: the date at lo is before d, at hi it is d or later. Zone changes happen on whole
  // seconds, so the search can stop at one second and finish on the millisecond.
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (mid <= lo || mid >= hi) break;
    if (ordinal(dateIn(mid, timeZone)) < target) lo = mid;
    else hi = mid;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ordinal(dateIn(mid, timeZone)) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface CalendarOptions {
  timeZone: string;
  period: Period;
  /** 1 = Monday (ISO 8601), 0 = Sunday. */
  weekStartsOn: 0 | 1;
}

function periodStartDate(d: CalendarDate, o: CalendarOptions): CalendarDate {
  switch (o.period) {
    case 'day':
      return d;
    case 'week':
      return addDays(d, -((weekday(d) - o.weekStartsOn + 7) % 7));
    case 'month':
      return { year: d.year, month: d.month, day: 1 };
  }
}

function nextPeriodDate(d: CalendarDate, o: CalendarOptions): CalendarDate {
  switch (o.period) {
    case 'day':
      return addDays(d, 1);
    case 'week':
      return addDays(d, 7);
    case 'month':
      return addMonths(d, 1);
  }
}

function keyOf(d: CalendarDate, period: Period): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return period === 'month' ? `${d.year}-${p2(d.month)}` : `${d.year}-${p2(d.month)}-${p2(d.day)}`;
}

/** Every bucket from the one holding `from_ms` to the one holding `to_ms`, in order. */
export function bucketsBetween(from_ms: number, to_ms: number, o: CalendarOptions): Bucket[] {
  if (!(to_ms >= from_ms)) return [];
  const out: Bucket[] = [];
  let date = periodStartDate(dateIn(from_ms, o.timeZone), o);
  let start = startOfDate(date, o.timeZone);
  for (;;) {
    const next = nextPeriodDate(date, o);
    const end = startOfDate(next, o.timeZone);
    out.push({ key: keyOf(date, o.period), start_ms: start, end_ms: end });
    if (end > to_ms) return out;
    date = next;
    start = end;
  }
}

// BMS clock B1H (read) / B2H (write), reference §8.3: six binary bytes YY MM DD hh mm ss with
// YY = year − 2000. The pack has no time zone; the tool sets it to the installer's local time.

import type { Command } from '../command';
import { InfoReader, InfoWriter, readCommand, writeCommand, type WriteAck } from './payload';

/** Calendar time as the pack keeps it (no zone). Plain numbers, so a garbage clock still decodes. */
export interface BmsDateTime {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Null when valid, else a sentence naming the bad field. Year range per V3.1 doc: 2000–2099. */
export function dateTimeProblem(t: BmsDateTime): string | null {
  const checks: [keyof BmsDateTime, number, number][] = [
    ['year', 2000, 2099],
    ['month', 1, 12],
    ['day', 1, Number.isInteger(t.year) && Number.isInteger(t.month) && t.month >= 1 && t.month <= 12 ? daysInMonth(t.year, t.month) : 31],
    ['hour', 0, 23],
    ['minute', 0, 59],
    ['second', 0, 59]
  ];
  for (const [field, min, max] of checks) {
    const v = t[field];
    if (!Number.isInteger(v) || v < min || v > max) return `Date/time ${field} = ${String(v)} is outside the allowed range ${min}..${max}`;
  }
  return null;
}

/** The local calendar time of `date` (what "set the pack clock to now" sends). */
export function bmsDateTimeFromDate(date: Date): BmsDateTime {
  return {
    year: date.getFullYear(),
    month: date.getMonth() + 1,
    day: date.getDate(),
    hour: date.getHours(),
    minute: date.getMinutes(),
    second: date.getSeconds()
  };
}

/** Interpret a pack time as local time. */
export function bmsDateTimeToDate(t: BmsDateTime): Date {
  return new Date(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

/** "2024-08-21 05:29:31" */
export function formatBmsDateTime(t: BmsDateTime): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.year}-${p(t.month)}-${p(t.day)} ${p(t.hour)}:${p(t.minute)}:${p(t.second)}`;
}

/** Read 6 date/time bytes (shared with the history record). */
export function decodeDateTimeBytes(r: InfoReader): BmsDateTime {
  return {
    year: 2000 + r.u8('year'),
    month: r.u8('month'),
    day: r.u8('day'),
    hour: r.u8('hour'),
    minute: r.u8('minute'),
    second: r.u8('second')
  };
}

export function encodeDateTimeBytes(w: InfoWriter, t: BmsDateTime): InfoWriter {
  return w
    .u8(t.year - 2000)
    .u8(t.month)
    .u8(t.day)
    .u8(t.hour)
    .u8(t.minute)
    .u8(t.second);
}

/** B1H: read the pack clock. */
export const readDateTime: Command<void, BmsDateTime> = readCommand({
  cid2: 0xb1,
  id: 'readDateTime',
  title: 'Date and time',
  decode: decodeDateTimeBytes,
  encode: (t) => encodeDateTimeBytes(new InfoWriter(), t).finish(),
  replyBytes: 6
});

/** B2H: set the pack clock. */
export const setDateTime: Command<BmsDateTime, WriteAck> = writeCommand({
  cid2: 0xb2,
  id: 'setDateTime',
  title: 'Date and time',
  kind: 'write',
  encode: (t) => {
    const problem = dateTimeProblem(t);
    if (problem) throw new RangeError(problem);
    return encodeDateTimeBytes(new InfoWriter(), t).finish();
  },
  decode: decodeDateTimeBytes
});

export const dateTimeCommands = [readDateTime, setDateTime] as const;

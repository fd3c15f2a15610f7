// Numbers, units, durations and dates as the reader's language writes them (Intl), for the report
// summary and the diagnose pages. Units Intl does not know (mV, A, Ah, V) follow the number after a
// space; °C and % follow each language's own habit.

import type { ReportLocale } from './types';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: ReportLocale, digits: number, fixed = false): Intl.NumberFormat {
  const key = `${locale}|${digits}|${fixed}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: fixed ? digits : 0 });
    numberFormats.set(key, f);
  }
  return f;
}

/** `fixed`: always `digits` decimals ("52.80"), so a table's column lines up; else as few as needed. */
export function formatNumber(value: number, locale: ReportLocale, digits = 1, fixed = false): string {
  return numberFormat(locale, digits, fixed).format(value);
}

/** "3,412 mV", "52.3 V", "-15.2 A", "98 Ah". */
export function withUnit(value: number, unit: 'mV' | 'V' | 'A' | 'Ah' | 'mV/min', locale: ReportLocale, digits = 1, fixed = false): string {
  return `${formatNumber(value, locale, digits, fixed)} ${unit}`;
}

export function formatTemp(value_C: number, locale: ReportLocale, fixed = false): string {
  return `${formatNumber(value_C, locale, 1, fixed)} °C`;
}

/** A difference of temperatures ("12 °C" with no sign). */
export function formatTempDelta(delta_C: number, locale: ReportLocale): string {
  return formatTemp(Math.abs(delta_C), locale);
}

/** 87.5 -> "87.5%" / "87.5%" (per the language's percent pattern). */
export function formatPercent(value_pct: number, locale: ReportLocale, digits = 1): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(value_pct / 100);
}

/** A span of time in the largest unit that keeps it readable: "45 seconds", "12 minutes", "3 hours", "2 days". */
export function formatDuration(seconds: number, locale: ReportLocale): string {
  const s = Math.abs(seconds);
  const [value, unit] = s < 120 ? [s, 'second'] : s < 2 * 3600 ? [s / 60, 'minute'] : s < 2 * 86_400 ? [s / 3600, 'hour'] : [s / 86_400, 'day'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long', maximumFractionDigits: 0 }).format(Math.round(value));
}

/** A moment, in the reader's time zone: "12 Mar 2026, 14:03:12". */
export function formatDateTime(epoch_ms: number, locale: ReportLocale, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(new Date(epoch_ms));
}

/** Clock time only: "14:03:12". */
export function formatTime(epoch_ms: number, locale: ReportLocale, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(new Date(epoch_ms));
}

/** A list joined the language's way: "1, 2 and 3" / "1、2和3". */
export function formatList(items: readonly string[], locale: ReportLocale): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}

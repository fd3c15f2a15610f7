// Numbers as people read them on the pages: fixed decimals per quantity, the unit after a
// no-break space (so "52.43 V" never wraps between number and unit), a real minus sign, and one
// placeholder for "no value" so a missing reading never looks like a zero. Digits, separators and
// words (ages, spans, pack names) follow the app's language (locale.svelte.ts); SI units do not
// change with the language.

import { m } from '$lib/paraglide/messages';
// The app's language: Paraglide's getLocale, which locale.svelte.ts points at a rune (so a switch
// re-renders), and which is plain English where nothing switched it (Node scripts, benchmarks).
import { getLocale as currentLocale } from '$lib/paraglide/runtime';

type Locale = ReturnType<typeof currentLocale>;

/** Shown where a value is unknown, not fitted or not yet read. */
export const NO_VALUE = '—';
/** Joins a number and its unit; never breaks across lines. */
export const UNIT_SEP = '\u00a0';
const MINUS = '\u2212';

function usable(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A fixed-decimals number with a typographic minus. Rounds half away from zero and never prints
 * "-0.0": a current of -0.004 A is 0.00 A, not a discharge.
 */
export function formatNumber(value: number, decimals: number): string {
  const factor = 10 ** decimals;
  const rounded = Math.round(Math.abs(value) * factor) / factor;
  const text = numberFormat(currentLocale(), decimals).format(rounded);
  return value < 0 && rounded !== 0 ? MINUS + text : text;
}

const formats = new Map<string, Intl.NumberFormat>();

/**
 * One formatter per language and decimals. Grouping only from five digits ("12,345 mV" but
 * "3271 mV"), as the vendor tool and installers write cell voltages.
 */
function numberFormat(locale: Locale, decimals: number): Intl.NumberFormat {
  const key = `${locale}:${decimals}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: 'min2' });
    formats.set(key, f);
  }
  return f;
}

/** Sentences as one text: a space after each in English, none after Chinese full stops. */
export function joinSentences(sentences: readonly string[]): string {
  return sentences.join(currentLocale() === 'zh-CN' ? '' : ' ');
}

/** A whole number in the current language's digits: counts, ages, addresses. */
export function formatInteger(n: number): string {
  return formatNumber(Math.round(n), 0);
}

function withUnit(value: number | null | undefined, decimals: number, unit: string): string {
  return usable(value) ? formatNumber(value, decimals) + UNIT_SEP + unit : NO_VALUE;
}

/** Pack or system voltage: "52.43 V". */
export function formatVoltage(voltage_V: number | null | undefined, decimals = 2): string {
  return withUnit(voltage_V, decimals, 'V');
}

/** Current, + charging, − discharging: "−2.25 A". `signed` adds "+" for charging. */
export function formatCurrent(current_A: number | null | undefined, opts: { decimals?: number; signed?: boolean } = {}): string {
  if (!usable(current_A)) return NO_VALUE;
  return opts.signed ? formatDeviation(current_A, 'A', opts.decimals ?? 2) : withUnit(current_A, opts.decimals ?? 2, 'A');
}

/** State of charge / health: "86 %". */
export function formatPercent(pct: number | null | undefined, decimals = 0): string {
  return withUnit(pct, decimals, '%');
}

/** Temperature: "24.1 °C". */
export function formatTemp(temp_C: number | null | undefined, decimals = 1): string {
  return withUnit(temp_C, decimals, '°C');
}

/** Cell voltage or a voltage difference in millivolts: "3271 mV". */
export function formatMillivolts(mV: number | null | undefined, decimals = 0): string {
  return withUnit(mV, decimals, 'mV');
}

/** A signed deviation from a reference, always with its sign: "+12 mV", "−3 mV", "0 mV". */
export function formatDeviation(delta: number | null | undefined, unit: string, decimals = 0): string {
  if (!usable(delta)) return NO_VALUE;
  const text = formatNumber(delta, decimals);
  const zero = Math.round(Math.abs(delta) * 10 ** decimals) === 0;
  return (delta > 0 && !zero ? '+' : '') + text + UNIT_SEP + unit;
}

/** Capacity: "48.2 Ah". */
export function formatCapacity(capacity_Ah: number | null | undefined, decimals = 1): string {
  return withUnit(capacity_Ah, decimals, 'Ah');
}

/** Power, switching to kW at 1000 W: "850 W", "−2.41 kW". */
export function formatPower(power_W: number | null | undefined): string {
  if (!usable(power_W)) return NO_VALUE;
  if (Math.abs(power_W) >= 999.5) return formatNumber(power_W / 1000, 2) + UNIT_SEP + 'kW';
  return formatNumber(power_W, 0) + UNIT_SEP + 'W';
}

/**
 * A count with its noun, from a message per form: "1 cycle", "140 cycles", "140 次". `one` and
 * `other` take the count already formatted; languages without plural forms give both the same text.
 */
export function formatCount(
  n: number | null | undefined,
  words: { one: (i: { count: string }) => string; other: (i: { count: string }) => string }
): string {
  if (!usable(n)) return NO_VALUE;
  const count = Math.round(n);
  return (count === 1 ? words.one : words.other)({ count: formatInteger(count) });
}

/**
 * How old a value is, short enough for a badge: "just now", "4 s", "2 min", "1 h 5 min", "3 d".
 * Negative ages (clock skew between producer and reader) count as "just now".
 */
export function formatAge(age_ms: number | null | undefined): string {
  if (!usable(age_ms)) return NO_VALUE;
  const s = Math.floor(Math.max(0, age_ms) / 1000);
  if (s < 2) return m.format_just_now();
  if (s < 60) return m.format_seconds({ n: formatInteger(s) });
  const min = Math.floor(s / 60);
  if (min < 60) return m.format_minutes({ n: formatInteger(min) });
  const h = Math.floor(min / 60);
  if (h < 24) {
    const rest = min % 60;
    return rest ? m.format_hours_minutes({ h: formatInteger(h), min: formatInteger(rest) }) : m.format_hours({ n: formatInteger(h) });
  }
  return m.format_days({ n: formatInteger(Math.floor(h / 24)) });
}

/** "4 s ago", "just now": an age said as a moment in the past. */
export function formatAgo(age_ms: number | null | undefined): string {
  if (!usable(age_ms) || age_ms < 2000) return formatAge(age_ms);
  return m.format_ago({ age: formatAge(age_ms) });
}

/** A span of time for range buttons and axis captions: "5 min", "1 h", "24 h". */
export function formatSpan(span_ms: number): string {
  const min = Math.round(span_ms / 60_000);
  if (min < 60) return m.format_minutes({ n: formatInteger(min) });
  const h = min / 60;
  return m.format_hours({ n: formatNumber(h, Number.isInteger(h) ? 0 : 1) });
}

/** A pack address as the DIP switch and the vendor tool show it: "0x01". */
export function formatAddressHex(address: number): string {
  return '0x' + address.toString(16).toUpperCase().padStart(2, '0');
}

/** Human name of a pack in headings and labels: "Pack 3", "3号电池包". */
export function packName(address: number): string {
  return m.format_pack_name({ address: String(address) });
}

const dateTimes = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(locale: Locale, kind: 'time' | 'seconds' | 'datetime' | 'date'): Intl.DateTimeFormat {
  const key = `${locale}:${kind}`;
  let f = dateTimes.get(key);
  if (!f) {
    const time: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    const date: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' };
    const options =
      kind === 'time'
        ? time
        : kind === 'seconds'
          ? { ...time, second: '2-digit' as const }
          : kind === 'date'
            ? date
            : { ...date, ...time, second: '2-digit' as const };
    f = new Intl.DateTimeFormat(locale, options);
    dateTimes.set(key, f);
  }
  return f;
}

/** Wall-clock time of day in the current language, 24-hour: "14:05", or "14:05:09" with seconds. */
export function formatTime(epoch_ms: number, withSeconds = false): string {
  return dateTimeFormat(currentLocale(), withSeconds ? 'seconds' : 'time').format(epoch_ms);
}

/** A calendar date in the current language: "3 Mar 2026" / "2026年3月3日". */
export function formatDate(epoch_ms: number): string {
  return dateTimeFormat(currentLocale(), 'date').format(epoch_ms);
}

/** Date and time to the second, for "when was this read": "Mar 3, 2026, 14:05:09" / "2026年3月3日 14:05:09". */
export function formatDateTime(epoch_ms: number): string {
  return dateTimeFormat(currentLocale(), 'datetime').format(epoch_ms);
}

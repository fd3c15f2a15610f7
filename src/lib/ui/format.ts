// Numbers as people read them on the pages: fixed decimals per quantity, the unit after a
// no-break space (so "52.43 V" never wraps between number and unit), a real minus sign, and one
// placeholder for "no value" so a missing reading never looks like a zero.

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
  const text = rounded.toFixed(decimals);
  return value < 0 && rounded !== 0 ? MINUS + text : text;
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
  const zero = Number(text) === 0;
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

/** A count with its noun, singular when 1: "1 cycle", "140 cycles". */
export function formatCount(n: number | null | undefined, singular: string, plural = singular + 's'): string {
  if (!usable(n)) return NO_VALUE;
  return `${Math.round(n)}${UNIT_SEP}${Math.round(n) === 1 ? singular : plural}`;
}

/**
 * How old a value is, short enough for a badge: "just now", "4 s", "2 min", "1 h 5 min", "3 d".
 * Negative ages (clock skew between producer and reader) count as "just now".
 */
export function formatAge(age_ms: number | null | undefined): string {
  if (!usable(age_ms)) return NO_VALUE;
  const s = Math.floor(Math.max(0, age_ms) / 1000);
  if (s < 2) return 'just now';
  if (s < 60) return `${s}${UNIT_SEP}s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min}${UNIT_SEP}min`;
  const h = Math.floor(min / 60);
  if (h < 24) {
    const rest = min % 60;
    return rest ? `${h}${UNIT_SEP}h ${rest}${UNIT_SEP}min` : `${h}${UNIT_SEP}h`;
  }
  return `${Math.floor(h / 24)}${UNIT_SEP}d`;
}

/** A span of time for range buttons and axis captions: "5 min", "1 h", "24 h". */
export function formatSpan(span_ms: number): string {
  const min = Math.round(span_ms / 60_000);
  if (min < 60) return `${min}${UNIT_SEP}min`;
  const h = min / 60;
  return `${Number.isInteger(h) ? h : h.toFixed(1)}${UNIT_SEP}h`;
}

/** A pack address as the DIP switch and the vendor tool show it: "0x01". */
export function formatAddressHex(address: number): string {
  return '0x' + address.toString(16).toUpperCase().padStart(2, '0');
}

/** Human name of a pack in headings and labels. */
export function packName(address: number): string {
  return `Pack ${address}`;
}

// Number forms of the statistics page, in the user's language.

import { getLocale } from '$lib/paraglide/runtime';

export function fixed(v: number | null | undefined, decimals: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return new Intl.NumberFormat(getLocale(), { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(v);
}

/** kWh with enough digits to be useful for small and large figures. */
export function kWh(v: number): string {
  return fixed(v, Math.abs(v) < 10 ? 3 : Math.abs(v) < 1000 ? 2 : 0);
}

/** "2 h 05 min", "35 min", "40 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}\u00a0s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min}\u00a0min`;
  const h = Math.floor(min / 60);
  return `${h}\u00a0h ${String(min % 60).padStart(2, '0')}\u00a0min`;
}

export function hours(ms: number): string {
  return fixed(ms / 3_600_000, 1);
}

export function span(lo: number | null, hi: number | null, decimals: number, unit: string): string {
  if (lo === null || hi === null) return '—';
  return `${fixed(lo, decimals)} – ${fixed(hi, decimals)}\u00a0${unit}`;
}

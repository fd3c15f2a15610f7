// A stored record's cells in words and numbers, for the table (and its tests).

import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { changeWords, eventKindWords, flagWords, isNotable, type HistoryEventKind, type HistoryRow } from '$lib/session/history-feature.svelte';

/**
 * The pack's clock as it reads (it has no zone: its fields were stored as if UTC), as a date and a
 * time of day, so a table can set them on two lines.
 */
export function packTimeParts(r: HistoryRow): { date: string; time: string } {
  const date = new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(r.rec.packTime_ms);
  const time = new Intl.DateTimeFormat(getLocale(), { timeStyle: 'medium', timeZone: 'UTC' }).format(r.rec.packTime_ms);
  return { date, time: r.rec.timeValid ? time : m.history_time_invalid({ time }) };
}

/** What the record says happened: power-on, flags set and cleared since the pack's record before. */
export function happened(r: HistoryRow): string[] {
  const lines: string[] = [];
  if (r.rec.event.powerOn) lines.push(eventKindWords('power-on'));
  lines.push(...changeWords(r.change, r.changeFlags));
  if (lines.length === 0) {
    const active = r.rec.event.flags.filter(isNotable);
    lines.push(active.length ? m.history_active({ flags: active.map((f) => flagWords(f)).join(', ') }) : m.history_no_change());
  }
  return lines;
}

export function kindTone(kind: HistoryEventKind): string {
  switch (kind) {
    case 'fault':
    case 'protection':
      return 'status-bad';
    case 'warning':
      return 'status-warn';
    case 'power-on':
      return 'status-info';
    case 'full':
      return 'status-ok';
    case 'normal':
      return 'status-stale';
  }
}

const fmt = (v: number | null | undefined, d: number, unit: string) =>
  v === null || v === undefined || !Number.isFinite(v)
    ? '—'
    : `${new Intl.NumberFormat(getLocale(), { minimumFractionDigits: d, maximumFractionDigits: d }).format(v)}${unit ? `\u00a0${unit}` : ''}`;

/** Lowest–highest; the unit is left off when it is empty (a column header that names it). */
export function rangeText(values: readonly (number | null)[], d: number, unit = ''): string {
  const ok = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (ok.length === 0) return '—';
  const lo = Math.min(...ok);
  const hi = Math.max(...ok);
  return lo === hi ? fmt(lo, d, unit) : `${fmt(lo, d, '')}–${fmt(hi, d, unit)}`;
}

export function valueText(v: number | null | undefined, d: number, unit: string): string {
  return fmt(v, d, unit);
}

export function socText(r: HistoryRow): string {
  const { remaining_Ah, full_Ah } = r.rec.record;
  return remaining_Ah !== null && full_Ah !== null && full_Ah > 0 ? fmt((100 * remaining_Ah) / full_Ah, 0, '%') : '—';
}

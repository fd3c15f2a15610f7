// The record filters of the history page: by type (event kind) and by pack-clock date.

import type { HistoryEventKind, HistoryRow } from '$lib/session/history-feature.svelte';

export interface HistoryFilterState {
  /** Kinds shown; empty = all. */
  kinds: HistoryEventKind[];
  /** 'YYYY-MM-DD' on the pack's clock, or '' for open. */
  from: string;
  to: string;
}

export function emptyFilters(): HistoryFilterState {
  return { kinds: [], from: '', to: '' };
}

/** A date input's value as pack-clock ms (the clock's fields read as UTC), or null. */
export function dayStart(value: string): number | null {
  const m = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

export function applyFilters(rows: readonly HistoryRow[], f: HistoryFilterState): HistoryRow[] {
  const from = dayStart(f.from);
  const toDay = dayStart(f.to);
  const to = toDay === null ? null : toDay + 86_400_000;
  const kinds = new Set(f.kinds);
  return rows.filter(
    (r) =>
      (kinds.size === 0 || kinds.has(r.rec.event.kind)) && (from === null || r.rec.packTime_ms >= from) && (to === null || r.rec.packTime_ms < to)
  );
}

// How trustworthy a pack's numbers are right now. Every page asks this one function, so a pack
// that stopped answering can never be drawn as live on one page and stale on another.

import { m } from '$lib/paraglide/messages';
import type { PackView } from '$lib/session/types';
import { formatAge, formatAgo } from './format';

export type Freshness =
  /** Answered the last poll; the numbers are current. */
  | 'live'
  /** Missed a poll or the link is down: the numbers shown are old. */
  | 'stale'
  /** Not answering; re-probed with back-off. Its last numbers are not shown as values. */
  | 'offline'
  /** Never answered with values yet (or only with an all-zero block). */
  | 'nodata'
  /** From an opened diagnose report: the numbers as they were read then (not live now). */
  | 'report';

export type FreshnessInput = Pick<PackView, 'analog' | 'fresh' | 'health' | 'received_ms' | 'fromReport'>;

export function packFreshness(view: FreshnessInput): Freshness {
  if (view.health.state === 'offline') return 'offline';
  // A master reports an unreachable slave as an all-zero block; that is no reading at all.
  if (!view.analog || view.analog.empty) return 'nodata';
  if (view.fromReport) return view.health.state === 'ok' ? 'report' : 'stale';
  return view.fresh && view.health.state === 'ok' ? 'live' : 'stale';
}

/** Whether numbers of this pack may be drawn in colour and full contrast (live, or a report's as read). */
export function isLive(f: Freshness): boolean {
  return f === 'live' || f === 'report';
}

/** Whether the last known values are worth showing at all (greyed). */
export function hasValues(f: Freshness): boolean {
  return f === 'live' || f === 'stale' || f === 'report';
}

const WORD: Record<Freshness, () => string> = {
  live: m.monitor_fresh_live,
  stale: m.monitor_fresh_stale,
  offline: m.monitor_fresh_offline,
  nodata: m.monitor_fresh_nodata,
  report: m.monitor_fresh_report
};

export function freshnessWord(f: Freshness): string {
  return WORD[f]();
}

/** Age of the newest values on `now_ms` (same clock as `received_ms`), null when never received. */
export function valueAge_ms(view: Pick<PackView, 'received_ms'>, now_ms: number): number | null {
  return view.received_ms === null ? null : Math.max(0, now_ms - view.received_ms);
}

/** One line for badges and screen readers: "Live, 2 s old", "Stale, values 40 s old", "Offline, last seen 5 min ago". */
export function freshnessSentence(view: FreshnessInput, now_ms: number): string {
  const f = packFreshness(view);
  const age = valueAge_ms(view, now_ms);
  switch (f) {
    case 'live':
      return age === null || age < 2000 ? m.monitor_fresh_live() : m.monitor_fresh_live_age({ age: formatAge(age) });
    case 'stale':
      // Right after a missed poll the values are seconds old; say why they are not live instead.
      return age === null || age < 2000 ? m.monitor_fresh_stale_missed() : m.monitor_fresh_stale_age({ age: formatAge(age) });
    case 'offline':
      return view.health.lastGood_ms === null
        ? m.monitor_fresh_offline_never()
        : m.monitor_fresh_offline_seen({ ago: formatAgo(now_ms - view.health.lastGood_ms) });
    case 'nodata':
      return m.monitor_fresh_nodata();
    case 'report':
      return m.monitor_fresh_report();
  }
}

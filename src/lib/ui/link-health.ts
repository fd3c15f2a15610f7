// Words and status classes for the link health strip. Pure, so the wording is tested and the
// strip, the connect page and the screen-reader announcement all say the same thing.

import type { LinkHealth, SessionPhase, TransportInfo } from '$lib/session/types';
import { formatAge } from './format';

export type StatusTone = 'ok' | 'warn' | 'bad' | 'stale' | 'info';

export interface PhaseLook {
  /** Short word(s) in the pill. */
  label: string;
  /** A glyph that carries the state without colour (hidden from screen readers; the label says it). */
  icon: string;
  tone: StatusTone;
}

const LOOK: Record<SessionPhase, PhaseLook> = {
  idle: { label: 'Not connected', icon: '○', tone: 'stale' },
  connecting: { label: 'Connecting…', icon: '↻', tone: 'info' },
  discovering: { label: 'Finding packs…', icon: '↻', tone: 'info' },
  live: { label: 'Connected', icon: '✓', tone: 'ok' },
  lost: { label: 'Link lost', icon: '✕', tone: 'bad' },
  // Still "lost" to the person: the values are old until the link is back.
  reconnecting: { label: 'Link lost, reconnecting…', icon: '↻', tone: 'warn' },
  error: { label: 'Connection failed', icon: '✕', tone: 'bad' },
  // Nothing is connected: the values come from a saved diagnose report (its banner says when).
  report: { label: 'Report', icon: '▤', tone: 'info' }
};

export function phaseLook(phase: SessionPhase): PhaseLook {
  return LOOK[phase];
}

/** "Last reply 4 s ago", "No reply yet", or null when not connected (or showing a report). */
export function lastReplyText(link: Pick<LinkHealth, 'phase' | 'lastReply_ms'>, now_ms: number): string | null {
  if (link.phase === 'idle' || link.phase === 'error' || link.phase === 'connecting') return null;
  // A report's replies are as old as the report: "just now" would read as live (its banner gives the time).
  if (link.phase === 'report') return null;
  if (link.lastReply_ms === null) return 'No reply yet';
  const age = formatAge(now_ms - link.lastReply_ms);
  return age === 'just now' ? 'Last reply just now' : `Last reply ${age} ago`;
}

/**
 * The sentence a screen reader hears when the link changes state. Deliberately without the
 * ticking age, so the live region speaks on changes only.
 */
export function announcement(link: Pick<LinkHealth, 'phase' | 'message' | 'reconnects'>, info: TransportInfo | null): string {
  const via = info ? ` via ${info.label}` : '';
  switch (link.phase) {
    case 'idle':
      return 'Not connected.';
    case 'connecting':
      return 'Connecting.';
    case 'discovering':
      return `Connected${via}. Finding packs.`;
    case 'live':
      return link.reconnects > 0 ? `Reconnected${via}. Values are live again.` : `Connected${via}. Values are live.`;
    case 'lost':
      return `Link lost${link.message ? `: ${link.message}` : '.'} Values shown are old.`;
    case 'reconnecting':
      return `Reconnecting${link.message ? `: ${link.message}` : '.'} Values shown are old.`;
    case 'error':
      return `Connection failed${link.message ? `: ${link.message}` : '.'}`;
    case 'report':
      return 'Showing a saved report: the values are as they were read then.';
  }
}

/** "3 timeouts", "1 bad frame": counters worth showing only when non-zero, except on request. */
export function countText(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

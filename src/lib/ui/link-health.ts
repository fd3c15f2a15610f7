// Words and status classes for the link health strip. Pure, so the wording is tested and the
// strip, the connect page and the screen-reader announcement all say the same thing. Worded in
// the app's language when called (messages/link/).

import { m } from '$lib/paraglide/messages';
import type { LinkHealth, SessionPhase, TransportInfo } from '$lib/session/types';
import { formatAgo, formatInteger } from './format';

export type StatusTone = 'ok' | 'warn' | 'bad' | 'stale' | 'info';

export interface PhaseLook {
  /** Short word(s) in the pill. */
  label: string;
  /** A glyph that carries the state without colour (hidden from screen readers; the label says it). */
  icon: string;
  tone: StatusTone;
}

const LOOK: Record<SessionPhase, { label: () => string; icon: string; tone: StatusTone }> = {
  idle: { label: m.link_phase_idle, icon: '○', tone: 'stale' },
  connecting: { label: m.link_phase_connecting, icon: '↻', tone: 'info' },
  discovering: { label: m.link_phase_discovering, icon: '↻', tone: 'info' },
  live: { label: m.link_phase_live, icon: '✓', tone: 'ok' },
  lost: { label: m.link_phase_lost, icon: '✕', tone: 'bad' },
  // Still "lost" to the person: the values are old until the link is back.
  reconnecting: { label: m.link_phase_reconnecting, icon: '↻', tone: 'warn' },
  error: { label: m.link_phase_error, icon: '✕', tone: 'bad' },
  // Nothing is connected: the values come from a saved diagnose report (its banner says when).
  report: { label: m.link_phase_report, icon: '▤', tone: 'info' }
};

export function phaseLook(phase: SessionPhase): PhaseLook {
  const look = LOOK[phase];
  return { label: look.label(), icon: look.icon, tone: look.tone };
}

/** "Last reply 4 s ago", "No reply yet", or null when not connected (or showing a report). */
export function lastReplyText(link: Pick<LinkHealth, 'phase' | 'lastReply_ms'>, now_ms: number): string | null {
  if (link.phase === 'idle' || link.phase === 'error' || link.phase === 'connecting') return null;
  // A report's replies are as old as the report: "just now" would read as live (its banner gives the time).
  if (link.phase === 'report') return null;
  if (link.lastReply_ms === null) return m.link_no_reply_yet();
  return m.link_last_reply({ ago: formatAgo(now_ms - link.lastReply_ms) });
}

/**
 * A device as a person reads it. Transports label themselves in English ("Demo bank (16 packs)",
 * "Serial port", "Bluetooth device"); the words among the names and ids are said here in the
 * app's language. Chip names, Bluetooth names and ids stay as they are.
 */
export function deviceLabel(info: Pick<TransportInfo, 'kind' | 'label'>): string {
  if (info.kind === 'sim') {
    const count = /\((\d+)/.exec(info.label)?.[1];
    return count === undefined ? m.link_demo_bank() : m.link_demo_bank_packs({ count: formatInteger(Number(count)) });
  }
  if (info.kind === 'serial') {
    if (info.label === 'Serial port') return m.link_serial_port();
    return info.label.replace(/^USB serial \(/, `USB ${m.link_serial_word()} (`);
  }
  return info.label.replace(/^Bluetooth device/, m.link_bluetooth_device());
}

/**
 * The sentence a screen reader hears when the link changes state. Deliberately without the
 * ticking age, so the live region speaks on changes only.
 */
export function announcement(link: Pick<LinkHealth, 'phase' | 'message' | 'reconnects'>, info: TransportInfo | null): string {
  const device = info ? deviceLabel(info) : null;
  return sentence(link.phase, device, link.message, link.reconnects);
}

function sentence(phase: SessionPhase, device: string | null, message: string | null, reconnects: number): string {
  switch (phase) {
    case 'idle':
      return m.link_say_idle();
    case 'connecting':
      return m.link_say_connecting();
    case 'discovering':
      return device ? m.link_say_discovering_via({ device }) : m.link_say_discovering();
    case 'live':
      if (reconnects > 0) return device ? m.link_say_reconnected_via({ device }) : m.link_say_reconnected();
      return device ? m.link_say_live_via({ device }) : m.link_say_live();
    case 'lost':
      return message ? m.link_say_lost_because({ message }) : m.link_say_lost();
    case 'reconnecting':
      return message ? m.link_say_reconnecting_because({ message }) : m.link_say_reconnecting();
    case 'error':
      return message ? m.link_say_error_because({ message }) : m.link_say_error();
    case 'report':
      return m.link_say_report();
  }
}

export type LinkCounter = 'timeouts' | 'badFrames' | 'reconnects';

const COUNTERS: Record<LinkCounter, { one: (i: { count: string }) => string; other: (i: { count: string }) => string }> = {
  timeouts: { one: m.link_timeouts_one, other: m.link_timeouts_other },
  badFrames: { one: m.link_bad_frames_one, other: m.link_bad_frames_other },
  reconnects: { one: m.link_reconnects_one, other: m.link_reconnects_other }
};

/** "3 timeouts", "1 bad frame": the strip's counters. */
export function countText(n: number, counter: LinkCounter): string {
  const words = COUNTERS[counter];
  return (n === 1 ? words.one : words.other)({ count: formatInteger(n) });
}

// The recorder's state in words (messages/recording), and the small number formats the recording,
// logs and statistics pages share: bytes, dates and times in the user's language.

import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import type { PersistOutcome, RecordingPhase, StopReason } from '$lib/session/recording.svelte';

/** "1.2 GB", "340 kB", decimal units as disks and browsers count them. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${new Intl.NumberFormat(getLocale(), { maximumFractionDigits: digits }).format(v)}\u00a0${units[u]}`;
}

/** A date and time in the user's zone and language ("12 Jun 2025, 14:05"). */
export function formatDateTime(t_ms: number, withSeconds = false): string {
  return new Intl.DateTimeFormat(getLocale(), {
    dateStyle: 'medium',
    timeStyle: withSeconds ? 'medium' : 'short'
  }).format(t_ms);
}

/** A time of day in the user's zone ("14:05"). */
export function formatTime(t_ms: number): string {
  return new Intl.DateTimeFormat(getLocale(), { timeStyle: 'short' }).format(t_ms);
}

/** A calendar date in the user's zone ("12 Jun 2025"). */
export function formatDate(t_ms: number): string {
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium' }).format(t_ms);
}

export function formatInteger(n: number): string {
  return new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 0 }).format(n);
}

export function stopWords(r: StopReason): string {
  switch (r.kind) {
    case 'quota':
      return m.recording_stop_quota({ lost: formatInteger(r.lost) });
    case 'closed':
      return m.recording_stop_closed({ message: r.message });
    case 'failed':
      return m.recording_stop_failed({ message: r.error?.message ?? r.message });
    case 'backlog':
      return m.recording_stop_backlog({ lost: formatInteger(r.lost) });
    case 'user':
      return m.recording_stop_user();
  }
}

export function phaseWords(p: RecordingPhase, o: { written: number; waiting: number }): string {
  switch (p.kind) {
    case 'off':
      return m.recording_state_off();
    case 'disabled':
      return m.recording_state_disabled();
    case 'unavailable':
      return m.recording_state_unavailable({ message: p.message });
    case 'waiting':
      return m.recording_state_waiting({ count: formatInteger(o.waiting) });
    case 'recording':
      return m.recording_state_recording({ time: formatDateTime(p.since_ms), rows: formatInteger(o.written) });
    case 'stopped':
      return stopWords(p.reason);
  }
}

export function persistenceWords(p: PersistOutcome | null, persisted: boolean | null): string | null {
  if (persisted === true || p?.kind === 'granted' || p?.kind === 'already') return m.recording_persist_granted();
  if (p?.kind === 'denied' || persisted === false) return m.recording_persist_denied();
  if (p?.kind === 'unsupported') return m.recording_persist_unsupported();
  return null;
}

/** Whether the phase is a problem the person should see on every page. */
export function phaseIsProblem(p: RecordingPhase): boolean {
  return p.kind === 'unavailable' || (p.kind === 'stopped' && p.reason.kind !== 'user');
}

// Words the parameter, calibration and control pages share: message keys handed over by the
// engine (levels, outcomes, notes) looked up by name, an outcome's tag and colour, a pack's name.

import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import {
  INSTALLER_MESSAGE_KEYS,
  OUTCOME_MESSAGE_KEYS,
  type InstallerState,
  type ParamLevel,
  type Violation,
  type WriteOutcome
} from '$lib/session/params-api';

type Message = (params?: Record<string, string | number>) => string;

/** A message by its key (the engine names keys as strings); the key itself when it does not exist. */
export function msg(key: string, params: Record<string, string | number> = {}): string {
  const f = (m as unknown as Record<string, Message | undefined>)[key];
  return typeof f === 'function' ? f(params) : key;
}

/**
 * A broken rule in the user's language, from the engine's code and the values it names (labels
 * and values as the engine formats them). The engine's English where it gives no code.
 */
export function violationText(v: Violation): string {
  if (!v.words) return v.message;
  const { code, values } = v.words;
  const extra: Record<string, string> = {};
  if (values.relation) extra.relation = msg(`params_rule_rel_${values.relation}`);
  if (values.reason) extra.reason = msg(`params_rule_reason_${values.reason}`);
  return msg(`params_rule_${code}`, { ...values, ...extra });
}

export type Outcome = WriteOutcome | 'unchanged';

/** "Written", "Not confirmed", … */
export function outcomeTag(o: Outcome): string {
  return msg(`params_tag_${o.replaceAll('-', '_')}`);
}

/** The sentence saying what the outcome means. */
export function outcomeWords(o: Outcome): string {
  return msg(OUTCOME_MESSAGE_KEYS[o]);
}

/** The status pill class and glyph of an outcome (the word is what a screen reader reads). */
export function outcomeStyle(o: Outcome): { cls: string; glyph: string } {
  switch (o) {
    case 'written':
      return { cls: 'status-ok', glyph: '✓' };
    case 'unchanged':
      return { cls: 'status-info', glyph: '=' };
    case 'unverified':
    case 'not-confirmed':
      return { cls: 'status-warn', glyph: '!' };
    case 'not-sent':
      return { cls: 'status-stale', glyph: '⏸' };
    default:
      return { cls: 'status-bad', glyph: '✕' };
  }
}

export function levelTag(level: ParamLevel): string {
  return msg(`params_level_tag_${level}`);
}

export function packLabel(address: number): string {
  return m.params_pack({ address });
}

/** Local time of an epoch-ms instant in the app's language, with the date unless it is today. */
export function timeText(ms: number, now_ms = Date.now()): string {
  const d = new Date(ms);
  return d.toDateString() === new Date(now_ms).toDateString() ? d.toLocaleTimeString(getLocale()) : d.toLocaleString(getLocale());
}

export const ON_OFF = (): { on: string; off: string } => ({ on: m.params_on(), off: m.params_off() });

/**
 * Why a write control cannot be used now, in words, or null when it can: nothing connected,
 * installer mode not set up or locked, or another operation on this pack still running.
 */
export function writeBlocked(o: { connected: boolean; installer: InstallerState; busy: boolean }): string | null {
  if (!o.connected) return m.params_blocked_not_connected();
  if (o.installer === 'no-pin') return msg(INSTALLER_MESSAGE_KEYS.noPin);
  if (o.installer === 'locked') return msg(INSTALLER_MESSAGE_KEYS.locked);
  if (o.busy) return m.params_blocked_busy();
  return null;
}

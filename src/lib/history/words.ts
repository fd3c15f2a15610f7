// The history engine's results in words, in the user's language (messages/history/*.json through
// Paraglide). The engine itself deals in ids; pages call these and stay thin.

import { m } from '../paraglide/messages';
import type { FlagSource } from '../protocol/commands/status-flags';
import type { ClearRefusal, ClearResult } from './clear';
import type { HistoryChange, HistoryEventKind, HistoryFlag } from './events';
import type { HistoryReach, HistoryReadProblem, HistoryReadResult } from './reader';

export type Locale = 'en' | 'zh-CN';

export interface WordOptions {
  /** Default: the app's current language. */
  locale?: Locale;
}

type Message = (inputs?: Record<string, unknown>, options?: { locale?: Locale }) => string;
const messages = m as unknown as Record<string, Message | undefined>;

function say(key: string, inputs: Record<string, unknown>, o: WordOptions): string {
  const msg = messages[key];
  if (!msg) throw new Error(`no message ${key}`);
  return msg(inputs, o.locale ? { locale: o.locale } : undefined);
}

/** "cellOverVoltageProtect" -> "cell_over_voltage_protect", the message key's tail. */
export function flagKey(id: string): string {
  return `history_flag_${id.replace(/([A-Z])/g, '_$1').toLowerCase()}`;
}

export function eventKindWords(kind: HistoryEventKind, o: WordOptions = {}): string {
  return say(`history_kind_${kind.replace('-', '_')}`, {}, o);
}

export function byteWords(source: FlagSource | string, o: WordOptions = {}): string {
  return messages[`history_byte_${source}`] ? say(`history_byte_${source}`, {}, o) : source;
}

/** A flag's name; a bit no table names is said as "<byte> bit <n> (not documented)". */
export function flagWords(flag: Pick<HistoryFlag, 'id' | 'source' | 'bit'>, o: WordOptions = {}): string {
  const key = flagKey(flag.id);
  if (messages[key]) return say(key, {}, o);
  return say('history_flag_undocumented', { byte: byteWords(flag.source, o), bit: flag.bit }, o);
}

/**
 * "Set: …" and "Cleared: …" lines of a record's change (changesSince), empty lines left out.
 * `flags`: the flags of both records, where the ids of the change come from.
 */
export function changeWords(change: HistoryChange, flags: readonly Pick<HistoryFlag, 'id' | 'source' | 'bit'>[], o: WordOptions = {}): string[] {
  const named = (ids: readonly string[]) =>
    ids
      .map((id) => {
        const flag = flags.find((f) => f.id === id);
        return flag ? flagWords(flag, o) : id;
      })
      .join(', ');
  const out: string[] = [];
  if (change.raised.length) out.push(say('history_raised', { flags: named(change.raised) }, o));
  if (change.cleared.length) out.push(say('history_cleared_flags', { flags: named(change.cleared) }, o));
  return out;
}

export function notRecordedWords(source: FlagSource, o: WordOptions = {}): string {
  return say('history_byte_not_recorded', { byte: byteWords(source, o) }, o);
}

export function notSupportedWords(o: WordOptions = {}): string {
  return say('history_value_not_supported', {}, o);
}

export function progressWords(p: { read: number; added: number }, o: WordOptions = {}): string {
  return say('history_progress', { read: p.read, added: p.added }, o);
}

export function problemWords(p: HistoryReadProblem, o: WordOptions = {}): string {
  switch (p.kind) {
    case 'no-answer':
      return say('history_problem_no_answer', { address: p.address }, o);
    case 'other-pack':
      return say('history_problem_other_pack', { address: p.address, answeredBy: p.answeredBy }, o);
    case 'wrong-pack':
      return say('history_problem_wrong_pack', { address: p.address, found: p.found, expected: p.expected }, o);
    case 'no-serial':
      return say('history_problem_no_serial', { address: p.address }, o);
    case 'unsupported':
      return say('history_problem_unsupported', {}, o);
    case 'protocol':
      return say('history_problem_protocol', { message: p.message }, o);
    case 'store':
      return say('history_problem_store', { message: p.message }, o);
  }
}

/** How a read ended, and why when it failed. */
export function readOutcomeWords(r: Pick<HistoryReadResult, 'stop' | 'read' | 'problem'>, o: WordOptions = {}): string {
  if (r.problem) return problemWords(r.problem, o);
  switch (r.stop) {
    case 'end':
      return say('history_stop_end', {}, o);
    case 'overlap':
      return say('history_stop_overlap', {}, o);
    case 'cap':
      return say('history_stop_cap', { count: r.read }, o);
    case 'repeating':
      return say('history_stop_repeating', {}, o);
    case 'cancelled':
      return say('history_stop_cancelled', {}, o);
    case 'error':
      return say('history_stop_error', {}, o);
  }
}

/** Why a pack's log cannot be read from here; null when it can (or it is not known yet). */
export function reachWords(reach: HistoryReach, o: WordOptions = {}): string | null {
  return reach === 'not-on-cable' ? say('history_reach_not_on_cable', {}, o) : null;
}

export function clearRefusalWords(r: ClearRefusal, o: WordOptions = {}): string {
  switch (r.reason) {
    case 'nothing-stored':
      return say('history_clear_nothing_stored', {}, o);
    case 'incomplete':
      return say('history_clear_incomplete', {}, o);
    case 'not-exported':
      return say('history_clear_not_exported', {}, o);
    case 'new-records':
      return say('history_clear_new_records', {}, o);
    case 'other-pack':
      return say('history_clear_other_pack', { found: r.found ?? '?' }, o);
    case 'no-answer':
      return say('history_clear_no_answer', { message: r.message }, o);
  }
}

export function clearResultWords(r: ClearResult, o: WordOptions = {}): string {
  if (r.ok) return say(r.verified === 'empty' ? 'history_clear_done' : 'history_clear_done_restarted', {}, o);
  if ('refusal' in r) return clearRefusalWords(r.refusal, o);
  return say('history_clear_failed', { message: r.error.message }, o);
}

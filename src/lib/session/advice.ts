// What a person can do when a connection cannot be made, worded from what the layers below
// report: a TransportError's kind and link, or a bank that does not answer. The transports only
// say what happened; the words for people live here (and in support.ts, for the browser), in the
// app's language (messages/connect/).

import { m } from '$lib/paraglide/messages';
import { TransportError, type TransportErrorKind, type TransportKind } from '$lib/transport/types';

/** Text in the app's language, worded when read (so a language switch re-words it). */
export type Words = () => string;

type AdviceTable = Partial<Record<TransportErrorKind, Words>>;

const SERIAL: AdviceTable = {
  'picker-cancelled': m.connect_advice_serial_not_listed,
  permission: m.connect_advice_serial_permission,
  'in-use': m.connect_advice_serial_in_use,
  busy: m.connect_advice_serial_busy,
  gone: m.connect_advice_serial_gone,
  unsupported: m.connect_advice_serial_unsupported
};

const BLE: AdviceTable = {
  'picker-cancelled': m.connect_advice_ble_not_listed,
  permission: m.connect_advice_ble_permission,
  unavailable: m.connect_advice_ble_unavailable,
  busy: m.connect_advice_ble_move_closer,
  gone: m.connect_advice_ble_move_closer,
  'no-service': m.connect_advice_ble_no_service,
  unsupported: m.connect_advice_ble_unsupported
};

const SIM: AdviceTable = {
  gone: m.connect_advice_sim_gone
};

/** Whatever the link: the same advice. */
const ANY: AdviceTable = {
  'not-open': m.connect_advice_not_open,
  lost: m.connect_advice_lost,
  'write-failed': m.connect_advice_write_failed
};

const BY_LINK: Record<TransportKind, AdviceTable> = { serial: SERIAL, ble: BLE, sim: SIM };

/** What to do about a failed transport operation, as words; null when there is nothing useful to say. */
export function transportAdviceWords(error: Pick<TransportError, 'kind' | 'link'>): Words | null {
  const own = error.link ? BY_LINK[error.link][error.kind] : undefined;
  return own ?? ANY[error.kind] ?? null;
}

/** What to do about a failed transport operation; empty when there is nothing useful to say. */
export function transportAdvice(error: Pick<TransportError, 'kind' | 'link'>): string {
  return transportAdviceWords(error)?.() ?? '';
}

/** What happened, by kind: the transport's own message is factual English for logs and reports. */
const WHAT: Record<TransportErrorKind, Words> = {
  'picker-cancelled': m.connect_error_picker_cancelled,
  unsupported: m.connect_error_unsupported,
  unavailable: m.connect_error_unavailable,
  permission: m.connect_error_permission,
  'in-use': m.connect_error_in_use,
  busy: m.connect_error_busy,
  gone: m.connect_error_gone,
  'no-service': m.connect_error_no_service,
  'not-open': m.connect_error_not_open,
  'write-failed': m.connect_error_write_failed,
  lost: m.connect_error_lost
};

export function transportErrorWords(kind: TransportErrorKind): Words {
  return WHAT[kind];
}

/** A connect that reached the device but found no bank that answers. */
export const NO_ANSWER_ADVICE: Words = m.connect_advice_no_answer;

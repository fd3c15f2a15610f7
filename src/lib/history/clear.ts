// Clearing a pack's event log (B3H) loses it for good, so the engine allows it only when a copy
// is safe: every record the pack holds is stored, and an export was made after the last record
// was stored. clearRefusal() says why not (a page greys its button with the reason);
// clearPackHistory() checks again, then, inside one bus lease so nothing can slip in between,
// confirms it is the same pack, that it has written nothing since the last read, sends B3H
// through the client (a write: the client's write guard applies) and reads back that the log is
// empty.

import type { BusLease } from '../protocol/client';
import { clearHistory, isEndOfHistoryError, readHistory } from '../protocol/commands/history';
import { readProductInfo } from '../protocol/commands/info';
import { ProtocolError } from '../protocol/errors';
import { historyRecordKey, toPackRecord } from './record';
import type { HistoryClient } from './reader';
import type { HistoryCoverage, HistoryStore } from './store';

export type ClearRefusal =
  /** Nothing of this pack's log is stored. */
  | { reason: 'nothing-stored' }
  /** The last read stopped before the end of the log: the stored copy may have a gap. */
  | { reason: 'incomplete' }
  /** Records were stored after the last export (or there was none). */
  | { reason: 'not-exported' }
  /** The pack wrote records since the last read: read again (then export) first. */
  | { reason: 'new-records' }
  /** The pack at that address is not this device, or another address answered. */
  | { reason: 'other-pack'; found: string | null }
  /** The pack did not answer. */
  | { reason: 'no-answer'; message: string };

/** Why the stored copy does not allow clearing the pack yet; null when it does. */
export function clearRefusal(c: HistoryCoverage): ClearRefusal | null {
  if (c.keys.size === 0) return { reason: 'nothing-stored' };
  if (!c.complete) return { reason: 'incomplete' };
  if (c.exportedRevision === null || c.exportedRevision < c.revision) return { reason: 'not-exported' };
  return null;
}

export type ClearResult =
  | { ok: true; device: string; address: number; verified: 'empty' | 'restarted' }
  | { ok: false; device: string; address: number; refusal: ClearRefusal }
  /** B3H was refused or not confirmed; what is stored is untouched. */
  | { ok: false; device: string; address: number; error: ProtocolError | Error };

export interface ClearHistoryOptions {
  address: number;
  /** BMS serial the stored records belong to. */
  device: string;
  store: HistoryStore;
  signal?: AbortSignal;
}

type LeaseOutcome = { refusal: ClearRefusal } | { verified: 'empty' | 'restarted' } | { error: ProtocolError | Error };

async function clearInLease(bus: BusLease, o: ClearHistoryOptions, stored: ReadonlySet<string>): Promise<LeaseOutcome> {
  const { address, device, signal } = o;
  const id = await bus.exchange(readProductInfo, address, {}, { signal });
  if (!id.ok) {
    if (id.error.kind === 'aborted') return { error: id.error };
    return { refusal: { reason: 'no-answer', message: id.error.message } };
  }
  if ((address !== 0 && id.reply.adr !== address) || id.value.bmsSerial.trim() !== device) {
    return { refusal: { reason: 'other-pack', found: id.value.bmsSerial.trim() || null } };
  }
  const adr = id.reply.adr;

  const newest = await bus.exchange(readHistory, adr, { index: 0 }, { signal });
  if (!newest.ok && !isEndOfHistoryError(newest.error)) return { error: newest.error };
  if (newest.ok && newest.value.kind === 'record') {
    const key = historyRecordKey(toPackRecord(newest.value.record, newest.reply.info));
    if (!stored.has(key)) return { refusal: { reason: 'new-records' } };
  }

  const ack = await bus.exchange(clearHistory, adr, undefined, { signal });
  if (!ack.ok) return { error: ack.error };

  // Read back: the log is empty, or it starts again with a record the pack wrote just now (one we
  // have not stored). The newest stored record at index 0 means the clear did not happen.
  const after = await bus.exchange(readHistory, adr, { index: 0 }, { signal });
  if (!after.ok) {
    if (isEndOfHistoryError(after.error)) return { verified: 'empty' };
    return {
      error: new ProtocolError(after.error.kind, `The pack took the clear command but reading it back failed: ${after.error.message}`, after.error)
    };
  }
  if (after.value.kind === 'end') return { verified: 'empty' };
  const key = historyRecordKey(toPackRecord(after.value.record, after.reply.info));
  if (stored.has(key)) return { error: new Error('The pack acknowledged the clear command but still holds its records.') };
  return { verified: 'restarted' };
}

/** Clear the pack's log if, and only if, clearRefusal() allows it and the pack still matches. */
export async function clearPackHistory(client: HistoryClient, o: ClearHistoryOptions): Promise<ClearResult> {
  const { address, device } = o;
  const coverage = await o.store.coverage(device);
  const refusal = clearRefusal(coverage);
  if (refusal) return { ok: false, device, address, refusal };
  let out: LeaseOutcome;
  try {
    out = await client.exclusive((bus) => clearInLease(bus, o, coverage.keys), { signal: o.signal });
  } catch (e) {
    out = { error: e instanceof Error ? e : new Error(String(e)) };
  }
  if ('refusal' in out) return { ok: false, device, address, refusal: out.refusal };
  if ('error' in out) return { ok: false, device, address, error: out.error };
  // The pack's log starts again: the next read goes to the end of the new one. Should the store
  // fail to take the flag, that read still does (none of its records can be stored already).
  await o.store.setComplete(device, false).catch(() => undefined);
  return { ok: true, device, address, verified: out.verified };
}

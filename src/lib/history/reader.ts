// Reads a pack's event log (A1H, index 0 = newest, reference §8.4) into a HistoryStore, with
// progress and cancel. It holds the client's bus lease one page at a time: a full log is 400
// records, 100 s at 9600 baud, and between pages the poller gets the bus so the live values do
// not go stale meanwhile. Giving the bus up is safe because the index is never an identity: when
// the pack writes a record between two pages, every older record moves one index up, so the next
// page starts with a record already read (recognised by its key), and nothing is skipped.
//
// Which packs: A1H, like every command but 42H/44H, reaches only the pack that receives it
// directly (§10.1). Over a master's RS232 port that is the master alone, and the master answers
// any ADR with its own address; on the link bus every pack answers its own address. So the reader
// first asks the pack its serial number (C2H) at that address and reads only if the answer comes
// from that address, then checks every record comes from the same one.

import type { BusLease } from '../protocol/client';
import { isEndOfHistoryError, readHistory } from '../protocol/commands/history';
import { readProductInfo } from '../protocol/commands/info';
import { ProtocolError } from '../protocol/errors';
import { historyRecordKey, toPackRecord, type PackHistoryRecord } from './record';
import type { HistoryStore } from './store';

/** What the reader needs of the client (PaceClient has it). */
export interface HistoryClient {
  exclusive<T>(fn: (bus: BusLease) => Promise<T>, opts?: { signal?: AbortSignal; priority?: 'normal' | 'interactive' }): Promise<T>;
}

export type HistoryReadMode =
  /** Stop at a page of records the store already holds (the default). */
  | 'new'
  /** Read to the end of the pack's log whatever is stored. */
  | 'all';

export interface ReadHistoryOptions {
  /** The pack's address (0 = the stand-alone pack on the cable). */
  address: number;
  store: HistoryStore;
  /** BMS serial the caller expects there (the poller's identity); another pack is refused. */
  expectedSerial?: string;
  signal?: AbortSignal;
  onProgress?: (p: HistoryReadProgress) => void;
  /** Default 'new'. */
  mode?: HistoryReadMode;
  /**
   * Records read per bus lease, and the length of the run of already-stored records that ends a
   * 'new' read. Default 8.
   */
  pageSize?: number;
  /** Most records read in one go (a pack that never says "end" must not hold us forever). Default 1000. */
  maxRecords?: number;
}

export type HistoryReadStop =
  /** The pack said there are no more records (empty reply, or RTN 07). */
  | 'end'
  /** A page of records the store already held: the rest was read before. */
  | 'overlap'
  /** maxRecords read. */
  | 'cap'
  /** A page of records this read had already seen: the pack ignores the index. */
  | 'repeating'
  | 'cancelled'
  | 'error';

export type HistoryReadProblem =
  /** Nothing answered at that address: the pack is not on the cable (or is off). */
  | { kind: 'no-answer'; address: number; message: string }
  /** Another address answered (an RS232 port answers for its own pack whatever ADR says). */
  | { kind: 'other-pack'; address: number; answeredBy: number }
  /** The pack at that address is not the one expected (packs were swapped or re-addressed). */
  | { kind: 'wrong-pack'; address: number; expected: string; found: string }
  /** C2H gave no serial number, and records are kept per serial. */
  | { kind: 'no-serial'; address: number }
  /** RTN 04 to A1H: this firmware keeps no log readable over the protocol. */
  | { kind: 'unsupported'; address: number }
  /** The link failed in the middle (timeouts, corrupted replies, a reply that does not decode). */
  | { kind: 'protocol'; address: number; message: string }
  /** The store refused the records (a full disk); what was stored before is kept. */
  | { kind: 'store'; address: number; message: string };

export interface HistoryReadProgress {
  phase: 'identifying' | 'reading';
  /** BMS serial, once known. */
  device: string | null;
  /** Records read so far in this read. */
  read: number;
  /** Of those, new to the store. */
  added: number;
  maxRecords: number;
}

export interface HistoryReadResult {
  /** BMS serial; null when the pack could not be identified. */
  device: string | null;
  address: number;
  stop: HistoryReadStop;
  read: number;
  added: number;
  /** The store's copy is complete after this read (see HistoryCoverage.complete). */
  complete: boolean;
  problem: HistoryReadProblem | null;
}

const DEFAULT_PAGE_SIZE = 8;
const DEFAULT_MAX_RECORDS = 1000;

/**
 * Whether a pack's log can be read, from what the poller learned: it answered C2H at its own
 * address (its serial is known), or it did not, because only the pack on the cable answers.
 * The reader checks again on the wire; this lets a page grey the button beforehand.
 */
export type HistoryReach = 'readable' | 'not-on-cable' | 'unknown';

export function historyReach(identity: { bmsSerial: string | null } | undefined): HistoryReach {
  if (!identity) return 'unknown';
  return identity.bmsSerial ? 'readable' : 'not-on-cable';
}

function isAbort(e: unknown): boolean {
  return e instanceof ProtocolError && e.kind === 'aborted';
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be an integer >= 1, got ${v}`);
  return v;
}

type Identity = { serial: string; replyAdr: number } | { problem: HistoryReadProblem };

async function identify(bus: BusLease, address: number, signal: AbortSignal | undefined): Promise<Identity> {
  const r = await bus.exchange(readProductInfo, address, {}, { signal });
  if (!r.ok) {
    if (isAbort(r.error)) throw r.error;
    if (r.error.kind === 'timeout' || r.error.kind === 'echo') return { problem: { kind: 'no-answer', address, message: r.error.message } };
    if (r.error.kind === 'unsupported') return { problem: { kind: 'no-serial', address } };
    return { problem: { kind: 'protocol', address, message: r.error.message } };
  }
  // ADR 0 means "whoever is on the cable": its reply carries its real address, used from here on.
  if (address !== 0 && r.reply.adr !== address) return { problem: { kind: 'other-pack', address, answeredBy: r.reply.adr } };
  const serial = r.value.bmsSerial.trim();
  if (!serial) return { problem: { kind: 'no-serial', address } };
  return { serial, replyAdr: r.reply.adr };
}

export async function readPackHistory(client: HistoryClient, o: ReadHistoryOptions): Promise<HistoryReadResult> {
  const { address, store, signal } = o;
  const pageSize = positiveInt('pageSize', o.pageSize ?? DEFAULT_PAGE_SIZE);
  const maxRecords = positiveInt('maxRecords', o.maxRecords ?? DEFAULT_MAX_RECORDS);
  const mode = o.mode ?? 'new';
  let device: string | null = null;
  let read = 0;
  let added = 0;
  const progress = (phase: HistoryReadProgress['phase']) => o.onProgress?.({ phase, device, read, added, maxRecords });
  const done = (stop: HistoryReadStop, problem: HistoryReadProblem | null = null, complete = false): HistoryReadResult => ({
    device,
    address,
    stop,
    read,
    added,
    complete,
    problem
  });

  progress('identifying');
  let id: Identity;
  try {
    id = await client.exclusive((bus) => identify(bus, address, signal), { signal });
  } catch (e) {
    if (isAbort(e) || signal?.aborted) return done('cancelled');
    return done('error', { kind: 'protocol', address, message: e instanceof Error ? e.message : String(e) });
  }
  if ('problem' in id) return done('error', id.problem);
  device = id.serial;
  const serial = id.serial;
  if (o.expectedSerial !== undefined && o.expectedSerial.trim() !== serial) {
    return done('error', { kind: 'wrong-pack', address, expected: o.expectedSerial.trim(), found: serial });
  }

  let wasComplete: boolean;
  let stored: ReadonlySet<string>;
  try {
    const c = await store.coverage(serial);
    wasComplete = c.complete;
    stored = c.keys;
  } catch (e) {
    return done('error', { kind: 'store', address, message: e instanceof Error ? e.message : String(e) });
  }

  const seen = new Set<string>();
  const run = {
    index: 0,
    /** Consecutive records the store already held. */
    storedRun: 0,
    /** Consecutive records this read had already seen. */
    repeatRun: 0,
    stop: null as HistoryReadStop | null,
    problem: null as HistoryReadProblem | null
  };
  const fail = (p: HistoryReadProblem) => {
    run.stop = 'error';
    run.problem = p;
  };

  /** One record; false when the read stops here. */
  const readOne = async (bus: BusLease, fresh: PackHistoryRecord[]): Promise<boolean> => {
    const index = run.index;
    const r = await bus.exchange(readHistory, id.replyAdr, { index }, { signal });
    if (r.reply && r.reply.adr !== id.replyAdr) {
      fail({ kind: 'other-pack', address, answeredBy: r.reply.adr });
      return false;
    }
    if (!r.ok) {
      if (isEndOfHistoryError(r.error)) run.stop = 'end';
      else if (isAbort(r.error)) run.stop = 'cancelled';
      else if (r.error.kind === 'unsupported' && index === 0) fail({ kind: 'unsupported', address });
      else fail({ kind: 'protocol', address, message: `Record ${index}: ${r.error.message}` });
      return false;
    }
    if (r.value.kind === 'end') {
      run.stop = 'end';
      return false;
    }
    const rec = toPackRecord(r.value.record, r.reply.info);
    const key = historyRecordKey(rec);
    run.index++;
    read++;
    if (stored.has(key)) {
      run.storedRun++;
      run.repeatRun = 0;
    } else if (seen.has(key)) {
      // Moved up by a record written since it was read. A whole page of them means the pack
      // answers every index with the same records.
      run.repeatRun++;
    } else {
      run.storedRun = 0;
      run.repeatRun = 0;
      seen.add(key);
      fresh.push(rec);
    }
    progress('reading');
    // Stored records end a read only when the stored copy has no gap below them.
    if (mode === 'new' && wasComplete && run.storedRun >= pageSize) run.stop = 'overlap';
    else if (run.repeatRun >= pageSize) run.stop = 'repeating';
    return run.stop === null;
  };

  const readPage = async (bus: BusLease): Promise<PackHistoryRecord[]> => {
    const fresh: PackHistoryRecord[] = [];
    try {
      for (let k = 0; k < pageSize; k++) {
        if (signal?.aborted) run.stop = 'cancelled';
        else if (run.index >= maxRecords) run.stop = 'cap';
        if (run.stop !== null || !(await readOne(bus, fresh))) break;
      }
    } catch (e) {
      // Whatever went wrong, the records of this page already read are kept.
      fail({ kind: 'protocol', address, message: `Record ${run.index}: ${e instanceof Error ? e.message : String(e)}` });
    }
    return fresh;
  };

  while (run.stop === null) {
    let fresh: PackHistoryRecord[];
    try {
      // In turn with the poller's requests (first come, first served), not ahead of them: a
      // poll cycle runs between two pages.
      fresh = await client.exclusive(readPage, { signal, priority: 'normal' });
    } catch (e) {
      // The lease was never granted (cancelled while queued, or the client closed).
      if (isAbort(e) || signal?.aborted) run.stop = 'cancelled';
      else fail({ kind: 'protocol', address, message: e instanceof Error ? e.message : String(e) });
      break;
    }
    if (fresh.length === 0) continue;
    try {
      added += (await store.putMany(serial, fresh)).added;
    } catch (e) {
      fail({ kind: 'store', address, message: e instanceof Error ? e.message : String(e) });
    }
    progress('reading');
  }
  const stop: HistoryReadStop = run.stop ?? 'error';

  // Reaching the end makes the copy complete; meeting stored records keeps what it was; stopping
  // anywhere else after adding records may leave a gap below them, which the next read must fill.
  const complete = stop === 'end' || ((stop === 'overlap' || added === 0) && wasComplete);
  if (complete !== wasComplete) {
    try {
      await store.setComplete(serial, complete);
    } catch (e) {
      return done('error', run.problem ?? { kind: 'store', address, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return done(stop, run.problem, complete);
}

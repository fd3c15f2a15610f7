// History read: a slave's whole event log (A1H) read into a history store by the app's reader on
// the session's client, a page per bus lease; the fault starts with the 12th A1H request, in the
// second page, so the first page is stored before it. A read the fault stopped must say so (stop
// 'error' or 'cancelled' with its problem, and not complete); it is then read again, as a person
// would, once the bank is back. In the end the store must hold exactly the pack's records (by
// time and bytes, computed from the simulated pack's own log), and every record stored before the
// fault must still be there.

import { readHistory } from '../../src/lib/protocol/commands/history';
import { DEFAULT_DECODE_OPTIONS } from '../../src/lib/protocol/types';
import { readPackHistory, type HistoryReadResult } from '../../src/lib/history/reader';
import { historyRecordKey, toPackRecord, type PackHistoryRecord } from '../../src/lib/history/record';
import { MemoryHistoryStore } from '../../src/lib/history/store';
import { historyRecord } from '../../src/lib/sim/responder';
import type { FaultSpec } from './faults';
import { armFault, outcome, requestIn, type Outcome, type Workload } from './workload';
import type { World } from './world';

const TARGET = 2;
const RECOVERY_LIMIT_ms = 60_000;
/** A1H requests before the fault starts: into the second page of eight. */
const TRIGGER_REQUEST = 12;

/** The store, noting which records it held when the fault started. */
class WatchedStore extends MemoryHistoryStore {
  readonly keys = new Set<string>();
  override async putMany(device: string, records: readonly PackHistoryRecord[]): Promise<{ added: number }> {
    const r = await super.putMany(device, records);
    for (const rec of records) this.keys.add(historyRecordKey(rec));
    return r;
  }
}

/** The keys the pack's own log gives, computed from the simulator's records. */
function packKeys(world: World): Set<string> {
  const pack = world.bank.packAt(TARGET)!;
  const keys = new Set<string>();
  for (let i = 0; i < pack.history.size; i++) {
    const reply = historyRecord(pack.history.get(i)!, pack.tempCount, world.bank.firmware.tail);
    const info = readHistory.encodeReply(reply, { index: i }, DEFAULT_DECODE_OPTIONS);
    if (reply.kind === 'record') keys.add(historyRecordKey(toPackRecord(reply.record, info)));
  }
  return keys;
}

function describeRead(r: HistoryReadResult): string {
  return `stop "${r.stop}", ${r.read} read, ${r.added} added, ${r.complete ? 'complete' : 'not complete'}${r.problem ? ` (${r.problem.kind})` : ''}`;
}

async function run(world: World, fault: FaultSpec): Promise<Outcome> {
  const client = world.session.client;
  const serial = world.bank.packAt(TARGET)!.identity.bmsSerial;
  if (!client) return outcome('no client', { unmet: ['the session has no client'] });
  const store = new WatchedStore();
  let storedBefore: Set<string> = new Set();

  await world.markStoredRows();
  const armed = armFault(
    world,
    fault,
    TARGET,
    (bytes) => {
      const hit = requestIn(bytes)?.code === readHistory.cid2;
      if (hit) storedBefore = new Set(store.keys);
      return hit;
    },
    TRIGGER_REQUEST
  );
  const unmet: string[] = [];
  // A record the pack writes while a read runs (a reboot's power-on record) may be read next time.
  let truthAtStart = packKeys(world);
  const first = await world.run('readPackHistory', readPackHistory(client, { address: TARGET, store, expectedSerial: serial }));
  if (armed.started) await world.run(`${fault.id}`, armed.done);
  else unmet.push(`the fault never started (fewer than ${TRIGGER_REQUEST} A1H requests)`);
  const recovered = await world.until(() => world.allLive(), RECOVERY_LIMIT_ms);
  if (!recovered) unmet.push(`not every pack live ${RECOVERY_LIMIT_ms / 1000} s after the fault`);
  if (!first.ok) return outcome('the reader threw', { unmet });

  const reads = [first.value];
  if (!first.value.complete) {
    if (first.value.stop === 'end' || first.value.stop === 'overlap') unmet.push(`the first read ended "${first.value.stop}" but not complete`);
    if (first.value.stop === 'error' && !first.value.problem) unmet.push('the first read failed without saying why');
    truthAtStart = packKeys(world);
    const again = await world.run('readPackHistory (again)', readPackHistory(client, { address: TARGET, store, expectedSerial: serial }));
    if (again.ok) reads.push(again.value);
  }
  const last = reads[reads.length - 1];
  if (!last.complete) unmet.push(`the history is not complete after reading again: ${describeRead(last)}`);

  const truth = packKeys(world);
  const stored = new Set((await store.records(serial)).map(historyRecordKey));
  const missing = [...truthAtStart].filter((k) => !stored.has(k)).length;
  const foreign = [...stored].filter((k) => !truth.has(k)).length;
  if (last.complete && missing > 0) unmet.push(`the read says complete but ${missing} of the pack's ${truth.size} records are not stored`);
  if (foreign > 0) unmet.push(`${foreign} stored records are not in the pack's log (corrupted or invented)`);
  const lost = [...storedBefore].filter((k) => !stored.has(k)).length;
  return outcome(`${reads.map(describeRead).join('; then ')}; ${stored.size} stored of the pack's ${truth.size}`, { lostRows: lost, unmet });
}

export const historyRead: Workload = { id: 'history-read', target: TARGET, run };

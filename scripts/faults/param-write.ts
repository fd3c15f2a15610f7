// Parameter write: the cell over-voltage group of a slave written through the app's one write
// path (identity, snapshot, write, read back, log) on the session's client, with installer mode
// unlocked and the path registered with the session's write authority, as the parameters page
// does. The fault starts when the write command (D0H) leaves the host.
//
// Judged against the simulated pack's real parameters: a write reported 'written' must be there;
// one reported as not sent, refused or different must not have changed the pack; 'not-confirmed'
// is honest either way, and once the link is back the write path's recheck() must settle it with
// the truth. Writes still unconfirmed with the bank back and answering are an unmet expectation.

import { readPackParams } from '../../src/lib/params/reader';
import { MemorySnapshotStore, MemoryWriteLog } from '../../src/lib/params/stores';
import type { StepResult } from '../../src/lib/params/write-path';
import { WritePath } from '../../src/lib/params/write-path';
import { writeParams } from '../../src/lib/params/param-writes';
import { readCellOverVoltage, setCellOverVoltage } from '../../src/lib/protocol/commands/protection';
import type { VoltageProtection } from '../../src/lib/protocol/commands/protection';
import { DEFAULT_DECODE_OPTIONS } from '../../src/lib/protocol/types';
import { ScopedGrant } from '../../src/lib/session/write-authority';
import type { FaultSpec } from './faults';
import { armFault, outcome, requestIn, wireLog, type Outcome, type Workload, type WireExchange } from './workload';
import type { World } from './world';

const TARGET = 2;
const EDITS = { 'cellOverVoltage.alarm_mV': 3400, 'cellOverVoltage.protect_mV': 3450, 'cellOverVoltage.release_mV': 3350 };
const RECOVERY_LIMIT_ms = 60_000;

function holds(p: Pick<VoltageProtection, 'alarm_mV' | 'protect_mV' | 'release_mV'>): boolean {
  return p.alarm_mV === 3400 && p.protect_mV === 3450 && p.release_mV === 3350;
}

function packHolds(world: World): boolean {
  return holds(world.bank.packAt(TARGET)!.params.cellOverVoltage);
}

/** A D1H reply from the pack, after `since_ms`, that reads the new values: what "read back equal" means on the wire. */
function readBackEqual(exchanges: readonly WireExchange[], since_ms: number): boolean {
  return exchanges.some((x) => {
    if (x.at_ms < since_ms || x.request.code !== readCellOverVoltage.cid2 || x.request.adr !== TARGET || x.reply.code !== 0) return false;
    try {
      return holds(readCellOverVoltage.decodeReply(x.reply.info, { request: undefined, options: DEFAULT_DECODE_OPTIONS }));
    } catch {
      return false;
    }
  });
}

async function run(world: World, fault: FaultSpec): Promise<Outcome> {
  const client = world.session.client;
  if (!client) return outcome('no client', { unmet: ['the session has no client'] });
  // As the parameters feature wires it: the path sends only inside its grant, registered with the
  // session's write authority.
  const grant = new ScopedGrant('the parameter write path');
  world.session.writes.register(grant);
  const path = new WritePath({
    bus: client,
    grant,
    snapshots: new MemorySnapshotStore(),
    log: new MemoryWriteLog(),
    wallClock: () => world.wall(),
    permit: () => world.installer.permit()
  });

  const read = await world.run(
    'readPackParams',
    client.exclusive((bus) => readPackParams(bus, TARGET, { clock: world.clock }))
  );
  if (!read.ok || !read.value.bmsSerial)
    return outcome('could not read the pack before writing', { unmet: ['the parameters could not be read before the fault'] });
  const base = read.value.values;
  const heldBefore = packHolds(world);

  await world.markStoredRows();
  const wire = wireLog(world);
  let lastWrite_ms = -Infinity;
  const offWrite = world.onWrite((bytes) => {
    if (requestIn(bytes)?.code === setCellOverVoltage.cid2) lastWrite_ms = world.clock.now();
  });
  const armed = armFault(world, fault, TARGET, (bytes) => requestIn(bytes)?.code === setCellOverVoltage.cid2);
  const written = await world.run(
    'writeParams',
    writeParams(path, { pack: { address: TARGET, bmsSerial: read.value.bmsSerial }, base, edits: { ...base, ...EDITS }, cellCount: 16 })
  );
  if (armed.started) await world.run(`${fault.id}`, armed.done);
  const recovered = await world.until(() => world.allLive(), RECOVERY_LIMIT_ms);

  const unmet: string[] = [];
  const problems: string[] = [];
  if (!armed.started) unmet.push('the fault never started (the write was not sent)');
  if (!recovered) unmet.push(`not every pack live ${RECOVERY_LIMIT_ms / 1000} s after the fault`);
  if (!written.ok) return outcome('the write path threw', { unmet });

  const report = written.value;
  const holdsAfterWrite = packHolds(world);
  const judge = (what: string, claimed: string, holds: boolean, since_ms: number) => {
    if (claimed === 'written' && !holds) problems.push(`${what} reported "written" but the pack does not hold the values`);
    else if (claimed === 'written' && !readBackEqual(wire.exchanges, since_ms))
      problems.push(`${what} reported "written" without a read-back of the new values on the wire`);
    if ((claimed === 'not-sent' || claimed === 'invalid' || claimed === 'refused' || claimed === 'unchanged') && holds && !heldBefore)
      problems.push(`${what} reported "${claimed}" but the pack took the values`);
    if (claimed === 'mismatch' && holds) problems.push(`${what} reported "mismatch" but the pack holds exactly the values sent`);
  };
  judge('the write', report.outcome, holdsAfterWrite, lastWrite_ms);
  if (report.logErrors.length > 0) unmet.push(`log entries not stored: ${report.logErrors.join(' ')}`);

  let rechecked: StepResult[] = [];
  if (path.unconfirmed.length > 0 && recovered) {
    const since = world.clock.now();
    const r = await world.run('recheck', path.recheck());
    if (r.ok) rechecked = r.value;
    const holds = packHolds(world);
    for (const s of rechecked) judge('the recheck', s.outcome, holds, since);
    if (path.unconfirmed.length > 0) unmet.push(`${path.unconfirmed.length} write(s) still not confirmed with the bank back and answering`);
  }
  const unverified = problems.length;
  wire.stop();
  offWrite();
  const truth = packHolds(world) ? 'the pack holds the new values' : 'the pack kept its old values';
  const recheckText = rechecked.length ? `; after the link came back: ${rechecked.map((s) => `"${s.outcome}"`).join(', ')}` : '';
  return outcome(`reported "${report.outcome}"${recheckText}; ${truth}${problems.length ? ` — ${problems.join('; ')}` : ''}`, {
    unverifiedWrites: unverified,
    unmet
  });
}

export const parameterWrite: Workload = { id: 'parameter-write', target: TARGET, run };

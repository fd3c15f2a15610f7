// Monitoring: the session polls the bank and the recorder records every update; the fault starts
// with a 42H request. The freshness watch judges what is shown while it lasts. Afterwards every
// pack must be live again, and a fault that silences one pack (its reboot, its link cable out)
// must turn that pack stale and nothing else. Twice: with a master that answers for the whole
// bank (broadcast 42H/44H FF, the demo's), and with one that does not (relay: 42H/44H per pack
// through the master), where one slow or silent pack delays every other pack's next poll.

import { readAnalog } from '../../src/lib/protocol/commands/analog';
import type { FaultSpec } from './faults';
import { armFault, outcome, requestIn, staleWatch, type Outcome, type Workload } from './workload';
import type { World } from './world';

const TARGET = 3;
/** After the fault: time for every pack to be live again (a rediscovery after an unplug included). */
const RECOVERY_LIMIT_ms = 60_000;
/** Steady polling after the recovery, watched too. */
const AFTER_ms = 6000;

async function run(world: World, fault: FaultSpec): Promise<Outcome> {
  await world.idle(3000);
  await world.markStoredRows();
  const stale = staleWatch(world);
  const armed = armFault(world, fault, TARGET, (bytes) => requestIn(bytes)?.code === readAnalog.cid2);
  await world.run(`${fault.id}`, armed.done);
  const recovered = await world.until(() => world.allLive(), RECOVERY_LIMIT_ms);
  const recovery_ms = world.clock.now();
  await world.idle(AFTER_ms);
  stale.stop();

  const unmet: string[] = [];
  if (!armed.started) unmet.push('the fault never started (no 42H request went out)');
  if (!recovered) unmet.push(`not every pack live ${RECOVERY_LIMIT_ms / 1000} s after the fault ended (phase ${world.session.phase})`);
  const onePack = fault.id === 'pack-reboot' || fault.id === 'slave-offline';
  const others = [...stale.seen].filter((a) => a !== TARGET).sort((a, b) => a - b);
  if (onePack) {
    if (!stale.seen.has(TARGET)) unmet.push(`pack ${TARGET} was never shown stale while it could not answer`);
    if (others.length > 0) unmet.push(`pack(s) ${others.join(', ')} went stale although only pack ${TARGET} was silent`);
  }
  const shownStale = [...stale.seen].sort((a, b) => a - b);
  const took = armed.startedAt_ms === null ? '' : `, live again ${((recovery_ms - armed.startedAt_ms) / 1000).toFixed(1)} s after it started`;
  return outcome(`shown stale: ${shownStale.length ? `pack(s) ${shownStale.join(', ')}` : 'none'}${recovered ? took : ''}`, { unmet });
}

export const monitoring: Workload = { id: 'monitoring', target: TARGET, run };
export const monitoringRelay: Workload = { id: 'monitoring-relay', target: TARGET, bank: { firmware: { broadcast: false } }, run };

// Firmware transfer: a slave updated from 1.00 to 1.10 by the app's updater on the session's client
// (C1H/C2H check, a parameter backup, FF 50, the YMODEM transfer, verify, reboot), with the
// firmware grant registered with the session's write authority. The packs' flash is single-bank:
// from the first block written until a verified image the pack has no application, so an
// interrupted transfer leaves it in its bootloader and only the recovery path brings it back.
// The fault starts with the sixth data block.
//
// After the update ends, the app's recovery runs as it would on the next connect: listen for the
// bootloader's 'C's with the bus held (listenForBootloader), find the interrupted update in the
// journal, and send the cached image again (recoverPack). Then the pack must run its old or its new
// firmware (else it is unbootable), and what each run reported must match where the pack was.

import { MemoryFirmwareCache, addLocalFile } from '../../src/lib/firmware/cache';
import { testImage, packTruth, statesFor } from '../../src/lib/firmware/flash-rig';
import { FlashGuard, type ParameterBackup } from '../../src/lib/firmware/hooks';
import { MemoryStorage, StorageFlashJournal } from '../../src/lib/firmware/journal';
import { preflight } from '../../src/lib/firmware/preflight';
import {
  findRecovery,
  identityFromJournal,
  listenForBootloader,
  planFromJournal,
  reconcileJournal,
  recoverPack
} from '../../src/lib/firmware/recovery';
import { updatePack, type FinalSnapshot } from '../../src/lib/firmware/updater';
import { readPackParams } from '../../src/lib/params/reader';
import { MemorySnapshotStore } from '../../src/lib/params/stores';
import { readSoftwareVersion } from '../../src/lib/protocol/commands/info';
import { enterFirmwareUpgrade } from '../../src/lib/protocol/commands/system';
import { ScopedGrant, type WriteAttempt } from '../../src/lib/session/write-authority';
import type { FaultSpec } from './faults';
import { armFault, outcome, type Outcome, type Workload } from './workload';
import type { World } from './world';

const TARGET = 2;
const FROM = '1.00';
const TO = '1.10';
/** 16 KiB: 16 data blocks, about 18 s at 9600 baud. */
const PAYLOAD_BYTES = 16 * 1024;
/** Data blocks sent before the fault starts. */
const TRIGGER_BLOCK = 6;
const STX = 0x02;
const RECOVERY_LIMIT_ms = 60_000;

function describeFinal(s: FinalSnapshot): string {
  return s.phase === 'done'
    ? `done (${s.result.version}, ${s.result.retries} blocks resent)`
    : `failed in ${s.failure.failedIn}: ${s.failure.reason}, pack "${s.failure.packState}"`;
}

async function run(world: World, fault: FaultSpec): Promise<Outcome> {
  const client = world.session.client;
  if (!client) return outcome('no client', { unmet: ['the session has no client'] });
  const cache = new MemoryFirmwareCache();
  const added = await world.settled(
    'addLocalFile',
    addLocalFile(cache, testImage(TO, PAYLOAD_BYTES), `P16S100A-1812-${TO}.pkfw`, { now_ms: world.wall() })
  );
  if (!added.ok) return outcome('the image could not be cached', { unmet: ['the image could not be cached'] });
  const checked = preflight(added.value.loaded, { model: 'P16S100A', board: '1812' });
  if (!checked.ok) return outcome(`preflight refused the image: ${checked.error.message}`, { unmet: ['preflight refused the test image'] });
  const journal = new StorageFlashJournal(new MemoryStorage(), { now_ms: () => world.wall() });
  const guard = new FlashGuard();
  const snapshots = new MemorySnapshotStore();
  const backup: ParameterBackup = {
    async snapshot(request) {
      const read = await readPackParams(request.bus, request.address, { clock: world.clock, signal: request.signal });
      if (!read.reachable || !read.bmsSerial) throw new Error(read.problem ?? 'the pack did not answer');
      const saved = await snapshots.save({
        bmsSerial: read.bmsSerial,
        address: request.address,
        time_ms: world.wall(),
        reason: 'before-write',
        note: 'before a firmware update',
        values: read.values,
        groups: []
      });
      return { id: saved.id, label: `pack ${request.address}, before firmware ${TO}` };
    }
  };
  const grant = new ScopedGrant('the firmware update');
  world.session.writes.register(grant);
  const mayWrite = (a: WriteAttempt) =>
    a.via === 'bytes' || (a.via === 'command' && a.adr === TARGET && a.commands.includes(enterFirmwareUpgrade.id));

  await world.markStoredRows();
  const isBlock = (bytes: Uint8Array) => bytes.length > 1000 && bytes[0] === STX;
  const armed = armFault(world, fault, TARGET, isBlock, TRIGGER_BLOCK);
  const unmet: string[] = [];
  const judge = (what: string, s: FinalSnapshot) => {
    const truth = packTruth(world.bank, TARGET);
    if (s.phase === 'done') {
      if (truth.state !== 'application' || truth.version !== TO) unmet.push(`${what} said done, but the pack is ${truth.state} on ${truth.version}`);
    } else if (s.failure.packState !== 'unknown' && !statesFor(truth, FROM, TO).includes(s.failure.packState)) {
      // 'unknown' (the link was lost) claims nothing; every other state must be where the pack is.
      unmet.push(
        `${what} said the pack is "${s.failure.packState}", but it is ${truth.state} on ${truth.version}${truth.appLost ? ' (no application)' : ''}`
      );
    }
  };

  const update = await world.run(
    'updatePack',
    grant.during(mayWrite, () => updatePack({ bus: client, address: TARGET, plan: checked.plan, backup, journal, guard, now_ms: () => world.wall() }))
  );
  if (!armed.started) unmet.push(`the fault never started (fewer than ${TRIGGER_BLOCK} blocks sent)`);
  if (update.ok) judge('the update', update.value);
  if (armed.started) await world.run(`${fault.id}`, armed.done);
  const runs = update.ok ? [describeFinal(update.value)] : ['the updater threw'];

  // The next connect: a pack waiting in its bootloader is found by its 'C's and the update restarts from the journal.
  await world.until(() => world.transport.status.state === 'open', RECOVERY_LIMIT_ms);
  if ((await journal.pending()).length > 0) {
    const sighting = await world.run('listenForBootloader', listenForBootloader(client, world.clock));
    if (sighting.ok && sighting.value) {
      const offer = await world.settled('findRecovery', findRecovery(sighting.value, journal, cache));
      const entry = offer.ok ? offer.value.entry : null;
      if (!entry) unmet.push('a pack waits in its bootloader but the journal does not name it');
      else {
        const plan = await world.settled('planFromJournal', planFromJournal(entry, cache));
        if (plan.ok) {
          const recovered = await world.run(
            'recoverPack',
            grant.during(mayWrite, () =>
              recoverPack({
                bus: client,
                address: TARGET,
                plan: plan.value,
                identity: identityFromJournal(entry),
                journalEntry: entry,
                journal,
                guard,
                now_ms: () => world.wall()
              })
            )
          );
          if (recovered.ok) {
            judge('the recovery', recovered.value);
            runs.push(`recovery ${describeFinal(recovered.value)}`);
          }
        }
      }
    } else {
      // No bootloader: the pack answers on some firmware; the app settles the journal by its C1H.
      runs.push('no bootloader heard');
      for (const entry of await journal.pending()) {
        const version = await world.run('readSoftwareVersion', client.call(readSoftwareVersion, entry.address, {}));
        if (version.ok) await world.run('reconcileJournal', reconcileJournal(journal, entry, version.value.version));
      }
    }
  }
  const live = await world.until(() => world.allLive(), RECOVERY_LIMIT_ms);
  if (!live) unmet.push(`not every pack live ${RECOVERY_LIMIT_ms / 1000} s after the update and its recovery (phase ${world.session.phase})`);

  const truth = packTruth(world.bank, TARGET);
  const bootable = truth.state === 'application' && (truth.version === FROM || truth.version === TO);
  if ((await journal.pending()).length > 0 && bootable) unmet.push('the journal still lists the update although the pack runs its firmware');
  return outcome(`${runs.join('; then ')}; the pack runs ${truth.state === 'application' ? truth.version : `nothing (${truth.state})`}`, {
    unbootablePacks: bootable ? 0 : 1,
    unmet
  });
}

export const firmwareTransfer: Workload = { id: 'firmware-transfer', target: TARGET, bank: { bootloader: { layout: 'single-bank' } }, run };

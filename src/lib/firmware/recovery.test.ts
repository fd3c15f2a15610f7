// Recovery: a pack left in its bootloader is recognised on the next connect from its 'C's, the
// journal names the pack and the cached image, and the update restarts from the cache.

import { describe, expect, it } from 'vitest';
import { readSoftwareVersion } from '../protocol/commands/info';
import { encodeFrame } from '../protocol/frame';
import { BankPoller } from '../protocol/poller';
import { DEMO_RELEASES, demoContainer } from '../sim/firmware-releases';
import { addLocalFile } from './cache';
import { createFlashRig, packTruth, testImage, type FlashRig } from './flash-rig';
import { preflight, type FlashPlan } from './preflight';
import {
  PENDING_LISTEN_MS,
  findRecovery,
  identityFromJournal,
  listenForBootloader,
  planFromJournal,
  reconcileJournal,
  recoverPack,
  watchForBootloader
} from './recovery';
import { updatePack, type FinalSnapshot } from './updater';
import { ymodemProfile } from './ymodem-profile';

const SMALL = testImage('1.10', 48 * 1024);

async function interruptedByUnplug(rig: FlashRig, plan: FlashPlan, atBlock = 20): Promise<FinalSnapshot> {
  return rig.clock.run(
    updatePack({
      bus: rig.client,
      address: 2,
      plan,
      backup: rig.backup,
      journal: rig.journal,
      guard: rig.guard,
      onSnapshot: (s) => {
        if (s.phase === 'transfer' && s.block === atBlock && rig.transport.status.state === 'open') rig.transport.unplug();
      }
    })
  );
}

describe('the bootloader detector', () => {
  it("takes lone 'C's about a second apart, and nothing else, for a waiting bootloader", () => {
    const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
    const frame = encodeFrame({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: Uint8Array.of(0xcc, 0xcc, 0x0c) });
    expect(new TextDecoder().decode(frame)).toMatch(/CCCC/);

    const frames = ymodemProfile.createDetector();
    for (let t = 0; t < 5000; t += 1000) frames.push(frame, t);
    expect(frames.sighting).toBeNull();

    const burst = ymodemProfile.createDetector();
    burst.push(bytes('CCCCCCCC'), 0);
    burst.push(bytes('CC'), 100);
    expect(burst.sighting).toBeNull();

    const far = ymodemProfile.createDetector();
    far.push(bytes('C'), 0);
    far.push(bytes('C'), 5000);
    expect(far.sighting).toBeNull();

    const waiting = ymodemProfile.createDetector();
    waiting.push(frame, 0);
    waiting.push(bytes('C'), 300);
    waiting.push(bytes('\x00\x00'), 800);
    expect(waiting.sighting).toBeNull();
    waiting.push(bytes('C'), 1300);
    expect(waiting.sighting).toEqual({ profileId: 'ymodem-1k-crc16', requests: 2, firstAt_ms: 300, lastAt_ms: 1300 });
  });

  it('a working bank being polled is not taken for a bootloader', async () => {
    const rig = await createFlashRig();
    const watching = watchForBootloader(rig.transport, rig.clock);
    for (let i = 0; i < 12; i++) await rig.clock.run(rig.client.call(readSoftwareVersion, 1 + (i % 2), {}));
    expect(await rig.clock.run(watching)).toBeNull();
  });
});

describe('recovery after an unplug mid-transfer', () => {
  it('the failure says the pack state is unknown and the journal keeps the update', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const final = await interruptedByUnplug(rig, plan);
    expect(final.phase === 'failed' && final.failure).toMatchObject({
      reason: 'link-lost',
      failedIn: 'transfer',
      packState: 'unknown',
      recoverable: true
    });
    expect(rig.transport.status).toMatchObject({ state: 'lost', reason: 'unplugged' });
    const [entry] = await rig.journal.pending();
    expect(entry).toMatchObject({
      address: 2,
      model: 'P16S100A',
      board: '1812',
      fromVersion: '1.00',
      targetVersion: '1.10',
      stage: 'transferring',
      outcome: 'unknown'
    });
    expect(rig.guard.active).toBe(false);
    expect(rig.client.exclusiveActive).toBe(false);
  });

  it('reconnected at once, within the bootloader’s patience: seen waiting, restarted from the cached image, verified', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    await interruptedByUnplug(rig, plan);
    await rig.clock.advance(2000);
    rig.transport.replug();
    expect(rig.transport.status.state).toBe('open');

    // The bootloader still waits out the dropped transfer: with an update pending, listen longer.
    const sighting = await rig.clock.run(watchForBootloader(rig.transport, rig.clock, { listen_ms: PENDING_LISTEN_MS }));
    expect(sighting).not.toBeNull();
    const offer = await findRecovery(sighting!, rig.journal, rig.cache);
    expect(offer.entry?.address).toBe(2);
    expect(offer.cached?.sha256).toBe(plan.fileSha256);

    const again = await planFromJournal(offer.entry!, rig.cache);
    const phases: string[] = [];
    const final = await rig.clock.run(
      recoverPack({
        bus: rig.client,
        address: offer.entry!.address,
        plan: again,
        identity: identityFromJournal(offer.entry!),
        journalEntry: offer.entry!,
        journal: rig.journal,
        guard: rig.guard,
        onSnapshot: (s) => phases.at(-1) !== s.phase && phases.push(s.phase)
      })
    );
    expect(final.phase).toBe('done');
    if (final.phase !== 'done') return;
    expect(phases).toEqual(['enter', 'transfer', 'verify', 'reboot', 'done']);
    expect(final.result).toMatchObject({ fromVersion: '1.00', version: '1.10', backup: null });
    expect(packTruth(rig.bank, 2)).toEqual({ state: 'application', version: '1.10', appLost: false });
    expect(await rig.journal.pending()).toEqual([]);
  });

  it('reconnected while the poller rediscovers the bank: heard only when listening with the bus held (fault matrix: unplug-mid-frame × firmware-transfer)', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    await interruptedByUnplug(rig, plan);
    await rig.clock.advance(2000);
    const poller = new BankPoller(rig.client, { clock: rig.clock });
    poller.start();
    rig.transport.replug();
    // Discovery's requests reach the bootloader as part of its dropped transfer, which it keeps
    // waiting for while it hears bytes: it does not ask with 'C' within the pending listen.
    expect(await rig.clock.run(watchForBootloader(rig.transport, rig.clock, { listen_ms: PENDING_LISTEN_MS }))).toBeNull();
    const sent: number[] = [];
    rig.client.onTraffic((e) => e.dir === 'tx' && sent.push(e.t_ms));
    const sighting = await rig.clock.run(listenForBootloader(rig.client, rig.clock));
    expect(sighting).not.toBeNull();
    expect(sent).toEqual([]);
    const offer = await findRecovery(sighting!, rig.journal, rig.cache);
    const final = await rig.clock.run(
      recoverPack({
        bus: rig.client,
        address: 2,
        plan: await planFromJournal(offer.entry!, rig.cache),
        identity: identityFromJournal(offer.entry!),
        journalEntry: offer.entry!,
        journal: rig.journal
      })
    );
    expect(final.phase).toBe('done');
    expect(packTruth(rig.bank, 2)).toEqual({ state: 'application', version: '1.10', appLost: false });
    await rig.clock.run(poller.stop());
  });

  it('reconnected after the bootloader gave up: the pack is back on its old firmware and the journal entry closes', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    await interruptedByUnplug(rig, plan);
    await rig.clock.advance(200_000);
    rig.transport.replug();
    expect(await rig.clock.run(watchForBootloader(rig.transport, rig.clock))).toBeNull();
    const [entry] = await rig.journal.pending();
    const c1 = await rig.clock.run(rig.client.call(readSoftwareVersion, entry.address, {}));
    expect(await reconcileJournal(rig.journal, entry, c1.version)).toBe('old-firmware');
    expect(await rig.journal.pending()).toEqual([]);
  });
});

describe('a link lost after the image was accepted', () => {
  it('says the new image is unconfirmed; the next connect finds the new version and closes the journal', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const final = await rig.clock.run(
      updatePack({
        bus: rig.client,
        address: 2,
        plan,
        backup: rig.backup,
        journal: rig.journal,
        onSnapshot: (s) => s.phase === 'reboot' && rig.transport.status.state === 'open' && rig.transport.unplug()
      })
    );
    expect(final.phase === 'failed' && final.failure).toMatchObject({
      reason: 'link-lost',
      failedIn: 'reboot',
      packState: 'new-firmware-unconfirmed'
    });
    await rig.clock.advance(10_000);
    rig.transport.replug();
    const [entry] = await rig.journal.pending();
    expect(entry).toMatchObject({ stage: 'committed', outcome: 'new-firmware-unconfirmed' });
    const c1 = await rig.clock.run(rig.client.call(readSoftwareVersion, 2, {}));
    expect(await reconcileJournal(rig.journal, entry, c1.version)).toBe('updated');
    expect(await rig.journal.pending()).toEqual([]);
  });
});

describe('recovery of a pack without its application', () => {
  it('a single-bank pack interrupted mid-transfer stays in its bootloader through a power cycle, and recovers', async () => {
    const rig = await createFlashRig({ baud: 115_200, layout: 'single-bank' });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    await interruptedByUnplug(rig, plan, 10);
    // The power is cut and comes back while the cable is out; ten minutes later someone reconnects.
    rig.bank.inject({ kind: 'reboot', address: 2 });
    await rig.clock.advance(600_000);
    expect(packTruth(rig.bank, 2)).toMatchObject({ state: 'bootloader', appLost: true });
    rig.transport.replug();

    const sighting = await rig.clock.run(watchForBootloader(rig.transport, rig.clock));
    const offer = await findRecovery(sighting!, rig.journal, rig.cache);
    const final = await rig.clock.run(
      recoverPack({
        bus: rig.client,
        address: 2,
        plan: await planFromJournal(offer.entry!, rig.cache),
        identity: identityFromJournal(offer.entry!),
        journalEntry: offer.entry!,
        journal: rig.journal
      })
    );
    expect(final.phase).toBe('done');
    expect(packTruth(rig.bank, 2)).toEqual({ state: 'application', version: '1.10', appLost: false });
  });

  it('the manual’s forced bootloader (no journal): the person names the model, an image for it is sent', async () => {
    const rig = await createFlashRig({ baud: 115_200, packs: 1 });
    rig.bank.inject({ kind: 'force-bootloader', address: 1 });
    const sighting = await rig.clock.run(watchForBootloader(rig.transport, rig.clock));
    expect(sighting?.requests).toBeGreaterThanOrEqual(2);
    const offer = await findRecovery(sighting!, rig.journal, rig.cache);
    expect(offer.entry).toBeNull();

    const identity = { model: 'P16S100A', board: '1812' };
    const { loaded } = await addLocalFile(rig.cache, demoContainer(DEMO_RELEASES[1]), 'P16S100A-1812-1.10.pkfw');
    const checked = preflight(loaded, identity);
    if (!checked.ok) throw checked.error;
    const final = await rig.clock.run(recoverPack({ bus: rig.client, address: 1, plan: checked.plan, identity, journal: rig.journal }));
    expect(final.phase === 'done' && final.result).toMatchObject({ fromVersion: null, version: '1.10' });
    expect(await rig.journal.pending()).toEqual([]);
  });

  it('refuses to send an image for another model to a pack in its bootloader, and it keeps waiting', async () => {
    const rig = await createFlashRig({ baud: 115_200, packs: 1 });
    rig.bank.inject({ kind: 'force-bootloader', address: 1 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const final = await rig.clock.run(recoverPack({ bus: rig.client, address: 1, plan, identity: { model: 'P16S200A', board: '21473' } }));
    expect(final.phase === 'failed' && final.failure).toMatchObject({ reason: 'incompatible', packState: 'in-bootloader', recoverable: true });
    expect(packTruth(rig.bank, 1).state).toBe('bootloader');
  });
});

// The update state machine against the simulated bank, through the sim transport and the real
// client: clean runs, dropped / flipped / stalled blocks, refusals, cancel, and where each failure
// leaves the pack, held against where the simulated pack really is.

import { describe, expect, it } from 'vitest';
import type { BusLease } from '../protocol/client';
import { enterFirmwareUpgrade } from '../protocol/commands/system';
import { ProtocolError } from '../protocol/errors';
import { DEMO_RELEASES, demoContainer } from '../sim/firmware-releases';
import { createFlashRig, packTruth, statesFor, testImage, type FlashRig } from './flash-rig';
import { RUNNING_PHASES, type UpdatePhase, type UpdateSnapshot } from './update-state';
import { updatePack, type ExclusiveBus, type FinalSnapshot, type UpdatePackOptions } from './updater';

const V110 = DEMO_RELEASES.find((r) => r.version === '1.10')!;
/** 48 KiB: quick to send, still 48 blocks. */
const SMALL = testImage('1.10', 48 * 1024);

async function run(
  rig: FlashRig,
  options: Partial<UpdatePackOptions> & { plan: UpdatePackOptions['plan'] }
): Promise<{ final: FinalSnapshot; snapshots: UpdateSnapshot[] }> {
  const snapshots: UpdateSnapshot[] = [];
  const final = await rig.clock.run(
    updatePack({
      bus: rig.client,
      address: 2,
      backup: rig.backup,
      journal: rig.journal,
      guard: rig.guard,
      ...options,
      onSnapshot: (s) => {
        snapshots.push(s);
        options.onSnapshot?.(s);
      }
    }),
    3_600_000
  );
  return { final, snapshots };
}

function phases(snapshots: UpdateSnapshot[]): UpdatePhase[] {
  return snapshots.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1]);
}

/** A client whose lease answers one command with a given result instead of asking the pack. */
function intercepting(rig: FlashRig, intercept: (cid2: number, lease: BusLease) => ReturnType<BusLease['exchange']> | null): ExclusiveBus {
  return {
    clock: rig.client.clock,
    transport: rig.client.transport,
    exclusive: (fn, opts) =>
      rig.client.exclusive(
        (lease) =>
          fn({
            ...lease,
            exchange: ((cmd, adr, req, o) => intercept(cmd.cid2, lease) ?? lease.exchange(cmd, adr, req, o)) as BusLease['exchange']
          }),
        opts
      )
  };
}

describe('updatePack: a clean update', () => {
  it('the demo image at 9600 baud: every phase in order, progress only forward, the new version confirmed', async () => {
    const rig = await createFlashRig({ packs: 3 });
    const plan = await rig.plan(demoContainer(V110), 'P16S100A-1812-1.10.pkfw');
    const guardStates: boolean[] = [];
    rig.guard.subscribe((a) => guardStates.push(a));
    let leaseHeldDuringTransfer = false;
    const { final, snapshots } = await run(rig, {
      plan,
      onSnapshot: (s) => {
        if (s.phase === 'transfer') leaseHeldDuringTransfer ||= rig.client.exclusiveActive && rig.guard.active;
      }
    });

    expect(final.phase).toBe('done');
    if (final.phase !== 'done') return;
    expect(phases(snapshots)).toEqual(['check', 'backup', 'enter', 'transfer', 'verify', 'reboot', 'done']);
    expect(final.result).toMatchObject({
      fromVersion: '1.00',
      version: '1.10',
      versionString: 'P16S100A-1812-1.10',
      retries: 0,
      backup: { id: 'backup-1' }
    });
    // The simulated pack really runs the new image; the others were not touched.
    expect(packTruth(rig.bank, 2)).toEqual({ state: 'application', version: '1.10', appLost: false });
    expect(rig.pack(1).identity.firmwareVersion).toBe('1.00');
    expect(rig.pack(3).identity.firmwareVersion).toBe('1.00');

    // Snapshots: a new object each time, fraction and bytes never going back, time left falling.
    expect(new Set(snapshots).size).toBe(snapshots.length);
    for (let i = 1; i < snapshots.length; i++) {
      expect(snapshots[i].progress.fraction).toBeGreaterThanOrEqual(snapshots[i - 1].progress.fraction);
      expect(snapshots[i].progress.bytesSent).toBeGreaterThanOrEqual(snapshots[i - 1].progress.bytesSent);
    }
    const transfer = snapshots.filter((s) => s.phase === 'transfer');
    const mid = transfer[Math.floor(transfer.length / 2)];
    expect(mid.progress.fraction).toBeGreaterThan(0.4);
    expect(mid.progress.fraction).toBeLessThan(0.6);
    // At 9600 baud 8N1 the line carries 960 bytes/s; YMODEM framing and block writes leave ~94 %.
    expect(mid.progress.rate_Bps).toBeGreaterThan(880);
    expect(mid.progress.rate_Bps).toBeLessThan(960);
    // Half the image at ~920 B/s is ~108 s, plus the verify and reboot estimates.
    expect(mid.progress.timeLeft_ms).toBeGreaterThan(100_000);
    expect(mid.progress.timeLeft_ms).toBeLessThan(120_000);
    expect(final.progress).toMatchObject({ fraction: 1, bytesSent: plan.image.bytes.length, timeLeft_ms: 0 });
    expect(snapshots.find((s) => s.phase === 'verify')?.cancellable).toBe(false);
    expect(transfer[0].cancellable).toBe(true);

    // The lease paused polling and the guard told the app, for the whole run and no longer.
    expect(leaseHeldDuringTransfer).toBe(true);
    expect(guardStates).toEqual([true, false]);
    expect(rig.client.exclusiveActive).toBe(false);
    expect(await rig.journal.pending()).toEqual([]);
  });

  it('backs up the parameters through the lease before FF 50, while the pack still runs its application', async () => {
    const rig = await createFlashRig();
    const plan = await rig.plan(SMALL, 'small.pkfw');
    let entryAt: number | null = null;
    rig.client.onTraffic((e) => {
      if (e.dir === 'tx' && e.frame?.code === 0xff && entryAt === null) entryAt = e.t_ms;
    });
    const { final } = await run(rig, { plan });
    expect(final.phase).toBe('done');
    expect(rig.backups).toHaveLength(1);
    expect(rig.backups[0].packRunning).toBe(true);
    expect(entryAt).not.toBeNull();
    expect(rig.backups[0].at_ms).toBeLessThan(entryAt!);
  });

  it('a failed backup stops the update before the pack is touched', async () => {
    const rig = await createFlashRig();
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const sent: number[] = [];
    rig.client.onTraffic((e) => e.dir === 'tx' && e.frame && sent.push(e.frame.code));
    const { final, snapshots } = await run(rig, {
      plan,
      backup: {
        snapshot: async () => {
          throw new Error('the snapshot store is full');
        }
      }
    });
    expect(final.phase).toBe('failed');
    if (final.phase !== 'failed') return;
    expect(final.failure).toMatchObject({ reason: 'backup-failed', failedIn: 'backup', packState: 'untouched', recoverable: false });
    expect(final.failure.message).toMatch(/snapshot store is full/);
    expect(phases(snapshots)).toEqual(['check', 'backup', 'failed']);
    expect(sent).not.toContain(0xff);
    expect(packTruth(rig.bank, 2)).toMatchObject({ state: 'application', version: '1.00' });
    expect(await rig.journal.pending()).toEqual([]);
    expect(rig.guard.active).toBe(false);
  });

  it('the restore bits of FF 50 reach the pack and apply once the image is in', async () => {
    const rig = await createFlashRig();
    rig.pack(2).params.cellOverVoltage = { ...rig.pack(2).params.cellOverVoltage, protect_mV: 3600 };
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const { final } = await run(rig, { plan, restore: { capacity: false, cellAndNtcCount: false, protectionParameters: true, protocol: false } });
    expect(final.phase).toBe('done');
    expect(rig.pack(2).params.cellOverVoltage.protect_mV).toBe(3700);
  });
});

describe('updatePack: blocks dropped, flipped and stalled', () => {
  it('retries ride out a dropped block, a block flipped twice and a block stalled past the answer deadline', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    rig.bank.inject({ kind: 'upgrade-block', block: 5, action: 'drop' });
    rig.bank.inject({ kind: 'upgrade-block', block: 20, action: 'flip', count: 2 });
    rig.bank.inject({ kind: 'upgrade-block', block: 33, action: 'stall', stall_ms: 4000 });
    const { final } = await run(rig, { plan });
    expect(final.phase).toBe('done');
    if (final.phase !== 'done') return;
    expect(final.result.retries).toBeGreaterThanOrEqual(4);
    expect(final.result.retries).toBeLessThanOrEqual(6);
    expect(packTruth(rig.bank, 2)).toEqual({ state: 'application', version: '1.10', appLost: false });
  });

  it('a block corrupted on every try: link errors, the bootloader is told to leave, the pack is back on its old firmware', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    rig.bank.inject({ kind: 'upgrade-block', block: 7, action: 'flip', count: 10 });
    const { final, snapshots } = await run(rig, { plan });
    expect(final.phase).toBe('failed');
    if (final.phase !== 'failed') return;
    expect(final.failure).toMatchObject({
      reason: 'link-errors',
      failedIn: 'transfer',
      packState: 'old-firmware',
      reportedVersion: 'P16S100A-1812-1.00',
      recoverable: false
    });
    expect(final.failure.message).toMatch(/refused block 7 10 times/);
    expect(phases(snapshots)).toEqual(['check', 'backup', 'enter', 'transfer', 'failed']);
    expect(packTruth(rig.bank, 2)).toEqual({ state: 'application', version: '1.00', appLost: false });
    expect(await rig.journal.pending()).toEqual([]);
  });

  it('the retry cap is the update’s to set', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    rig.bank.inject({ kind: 'upgrade-block', block: 7, action: 'flip', count: 3 });
    const { final } = await run(rig, { plan, timing: { blockAttempts: 3 } });
    expect(final.phase === 'failed' && final.failure.message).toMatch(/refused block 7 3 times out of 3 tries/);
  });

  it('on a single-bank pack the same failure leaves it waiting in its bootloader, and the state says so', async () => {
    const rig = await createFlashRig({ baud: 115_200, layout: 'single-bank' });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    rig.bank.inject({ kind: 'upgrade-block', block: 7, action: 'flip', count: 10 });
    const { final } = await run(rig, { plan });
    expect(final.phase).toBe('failed');
    if (final.phase !== 'failed') return;
    expect(final.failure).toMatchObject({ reason: 'link-errors', packState: 'in-bootloader', recoverable: true });
    expect(packTruth(rig.bank, 2)).toMatchObject({ state: 'bootloader', appLost: true });
    const [entry] = await rig.journal.pending();
    expect(entry).toMatchObject({ address: 2, stage: 'transferring', outcome: 'in-bootloader', targetVersion: '1.10', imageSha256: plan.fileSha256 });
  });

  it('random byte errors both ways, several seeds: each run ends verified on the new image or with a pack state that matches the pack', async () => {
    const outcomes: string[] = [];
    for (const [seed, layout, toPack, toHost] of [
      ['a', 'dual-bank', 2e-4, 0.02],
      ['b', 'dual-bank', 5e-4, 0],
      ['c', 'single-bank', 3e-4, 0.05],
      ['d', 'single-bank', 4e-3, 0],
      ['e', 'dual-bank', 4e-3, 0]
    ] as const) {
      const rig = await createFlashRig({ baud: 115_200, seed, layout });
      const plan = await rig.plan(SMALL, 'small.pkfw');
      // Bytes to the pack are corrupted for the whole update. Bytes to the host only while blocks
      // go out: a corrupted reply frame can stall the client's virtual-clock quiet check (see the
      // report), and the bootloader's single-byte answers are what this test is about.
      const clearReplies = () => rig.bank.inject({ kind: 'byte-errors', dropRate: 0, flipRate: 0 });
      rig.guard.subscribe((active) => active && rig.bank.inject({ kind: 'byte-errors', requestFlipRate: toPack }));
      rig.client.onTraffic((e) => e.dir === 'tx' && e.bytes.length === 2 && e.bytes[0] === 0x18 && clearReplies());
      const { final } = await run(rig, {
        plan,
        onSnapshot: (s) => {
          if (s.phase === 'transfer' && s.block === 1) rig.bank.inject({ kind: 'byte-errors', dropRate: toHost });
          if (s.phase === 'reboot') clearReplies();
        }
      });
      rig.bank.inject({ kind: 'clear' });
      const truth = packTruth(rig.bank, 2);
      if (final.phase === 'done') {
        expect(truth).toEqual({ state: 'application', version: '1.10', appLost: false });
        outcomes.push('done');
      } else {
        expect(statesFor(truth, '1.00', '1.10')).toContain(final.failure.packState);
        // Never a pack with neither its application nor a waiting bootloader.
        expect(truth.state === 'bootloader' || truth.state === 'application').toBe(true);
        outcomes.push(final.failure.packState);
      }
    }
    // The mix covers success and failure; the deterministic tests above pin each failure end.
    expect(outcomes).toContain('done');
    expect(outcomes).toContain('old-firmware');
  }, 60_000);
});

describe('updatePack: refusals and other ends', () => {
  it('an image for another board is refused in the check, before any backup or FF 50', async () => {
    const rig = await createFlashRig();
    rig.pack(2).identity.board = '31916';
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const { final } = await run(rig, { plan });
    expect(final.phase === 'failed' && final.failure).toMatchObject({ reason: 'incompatible', failedIn: 'check', packState: 'untouched' });
    expect(rig.backups).toHaveLength(0);
  });

  it('an image the bootloader refuses at its first block (wrong model slipped past): old firmware kept', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    // The pack changed its model between the check and the transfer: only the bootloader can see it.
    const bus = intercepting(rig, () => null);
    const snapshots: UpdateSnapshot[] = [];
    const final = await rig.clock.run(
      updatePack({
        bus,
        address: 2,
        plan,
        backup: {
          snapshot: async () => {
            rig.pack(2).identity.model = 'P16S200A';
            return { id: 'x', label: 'x' };
          }
        },
        onSnapshot: (s) => snapshots.push(s)
      })
    );
    expect(final.phase === 'failed' && final.failure).toMatchObject({ reason: 'refused-by-bootloader', packState: 'old-firmware' });
    expect(rig.bank.bootloader).toBeNull();
  });

  it('a pack that refuses FF 50 is left untouched', async () => {
    const rig = await createFlashRig();
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const bus = intercepting(rig, (cid2) =>
      cid2 === enterFirmwareUpgrade.cid2
        ? Promise.resolve({
            ok: false as const,
            error: new ProtocolError('rtn', 'The pack refused the operation (RTN 09).', { rtn: 9 }),
            report: { attempts: 1, timeouts: 0, badFrames: 0, echoes: 0, started_ms: 0, ended_ms: 0, deadline_ms: 0 }
          })
        : null
    );
    const final = await rig.clock.run(updatePack({ bus, address: 2, plan, backup: rig.backup, journal: rig.journal }));
    expect(final.phase === 'failed' && final.failure).toMatchObject({ reason: 'entry-refused', failedIn: 'enter', packState: 'untouched' });
    expect(await rig.journal.pending()).toEqual([]);
  });

  it('a bootloader that starts later than the entry timeout: silent, then seen waiting', async () => {
    const rig = await createFlashRig({ bootloaderTiming: { start_ms: 14_000 } });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const { final } = await run(rig, { plan, timing: { entryTimeout_ms: 10_000 } });
    expect(final.phase === 'failed' && final.failure).toMatchObject({ reason: 'bootloader-silent', failedIn: 'enter' });
    // It asked for the image during the fallback: the pack was in the bootloader, and was told to leave.
    if (final.phase === 'failed') expect(['old-firmware', 'in-bootloader']).toContain(final.failure.packState);
    await rig.clock.advance(130_000);
    expect(packTruth(rig.bank, 2)).toMatchObject({ state: 'application', version: '1.00' });
  });

  it('a pack that reports another version after the reboot: version mismatch, state says which version', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const { final } = await run(rig, { plan: { ...plan, targetVersion: '1.11' } });
    expect(final.phase === 'failed' && final.failure).toMatchObject({
      reason: 'version-mismatch',
      failedIn: 'reboot',
      packState: 'unexpected-version',
      reportedVersion: 'P16S100A-1812-1.10'
    });
  });

  it('a pack that takes the image and never answers again: no-reboot, new image unconfirmed', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    let entered = false;
    const bus = intercepting(rig, (cid2) => {
      if (cid2 === enterFirmwareUpgrade.cid2) entered = true;
      return cid2 === 0xc1 && entered
        ? Promise.resolve({
            ok: false as const,
            error: new ProtocolError('timeout', 'No reply.'),
            report: { attempts: 1, timeouts: 1, badFrames: 0, echoes: 0, started_ms: 0, ended_ms: 0, deadline_ms: 0 }
          })
        : null;
    });
    const final = await rig.clock.run(
      updatePack({ bus, address: 2, plan, backup: rig.backup, journal: rig.journal, timing: { rebootTimeout_ms: 20_000 } }),
      3_600_000
    );
    expect(final.phase === 'failed' && final.failure).toMatchObject({ reason: 'no-reboot', packState: 'new-firmware-unconfirmed' });
    expect((await rig.journal.pending())[0]).toMatchObject({ stage: 'committed', outcome: 'new-firmware-unconfirmed' });
  });

  it('cancel mid-transfer: CAN CAN, the bootloader leaves, the old firmware answers', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const controller = new AbortController();
    const { final } = await run(rig, {
      plan,
      signal: controller.signal,
      onSnapshot: (s) => {
        if (s.phase === 'transfer' && s.block === 20) controller.abort();
      }
    });
    expect(final.phase === 'failed' && final.failure).toMatchObject({ reason: 'cancelled', failedIn: 'transfer', packState: 'old-firmware' });
    expect(packTruth(rig.bank, 2)).toMatchObject({ state: 'application', version: '1.00' });
    expect(rig.guard.active).toBe(false);
  });

  it('cancel before the lease is granted: nothing sent', async () => {
    const rig = await createFlashRig();
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const { final, snapshots } = await run(rig, { plan, signal: AbortSignal.abort() });
    expect(final.phase === 'failed' && final.failure).toMatchObject({ reason: 'cancelled', packState: 'untouched' });
    expect(snapshots.map((s) => s.phase)).toEqual(['failed']);
  });
});

describe('update snapshots', () => {
  it('every phase of a run is announced once in order; nothing follows done', async () => {
    const rig = await createFlashRig({ baud: 115_200 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const { snapshots } = await run(rig, { plan });
    const order = phases(snapshots);
    expect(order).toEqual([...RUNNING_PHASES, 'done']);
    expect(snapshots.at(-1)?.phase).toBe('done');
    const final = snapshots.at(-1)!;
    // The timeline stamps each phase once, in order.
    const stamps = RUNNING_PHASES.map((p) => final.timeline[p]!);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
  });
});

// Several packs one after another: skipped when already current or not fitting, a result per pack,
// and a failure stops the rest unless told to go on.

import { describe, expect, it } from 'vitest';
import { updateBank, type BankUpdateSnapshot } from './bank-update';
import { createFlashRig, packTruth, testImage, type FlashRig } from './flash-rig';
import type { FlashPlan } from './preflight';
import type { BankUpdateOptions } from './bank-update';

const SMALL = testImage('1.10', 24 * 1024);

async function bank(rig: FlashRig, plan: FlashPlan, extra: Partial<BankUpdateOptions> = {}) {
  const snapshots: BankUpdateSnapshot[] = [];
  const result = await rig.clock.run(
    updateBank({
      bus: rig.client,
      plan,
      addresses: [1, 2, 3],
      backup: rig.backup,
      journal: rig.journal,
      guard: rig.guard,
      onSnapshot: (s) => snapshots.push(s),
      ...extra
    })
  );
  return { result, snapshots };
}

describe('updateBank', () => {
  it('skips the pack already on the target version and updates the others, one after another', async () => {
    const rig = await createFlashRig({ baud: 115_200, packs: 3 });
    rig.pack(1).identity.firmwareVersion = '1.10';
    const plan = await rig.plan(SMALL, 'small.pkfw');
    // The guard stays held from the first pack to the last: no gap for the app to reload in.
    const guardEdges: boolean[] = [];
    rig.guard.subscribe((active) => guardEdges.push(active));
    const { result, snapshots } = await bank(rig, plan);
    expect(result.packs.map((p) => [p.address, p.outcome, p.fromVersion, p.version])).toEqual([
      [1, 'already-current', '1.10', '1.10'],
      [2, 'updated', '1.00', '1.10'],
      [3, 'updated', '1.00', '1.10']
    ]);
    expect(rig.backups.map((b) => b.address)).toEqual([2, 3]);
    expect(packTruth(rig.bank, 3)).toMatchObject({ state: 'application', version: '1.10' });
    // One pack at a time: pack 3 starts only after pack 2 has finished.
    const starts = snapshots.map((s) => s.rows.filter((r) => r.status === 'running').map((r) => r.address));
    expect(starts.every((running) => running.length <= 1)).toBe(true);
    const fractions = snapshots.map((s) => s.fraction);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1] - 1e-9);
    expect(snapshots.at(-1)).toMatchObject({ finished: true, current: null, fraction: 1 });
    expect(guardEdges).toEqual([true, false]);
  });

  it('a pack the image does not fit is skipped with the reason; the rest go on', async () => {
    const rig = await createFlashRig({ baud: 115_200, packs: 3 });
    rig.pack(2).identity.board = '31916';
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const { result } = await bank(rig, plan);
    expect(result.packs.map((p) => p.outcome)).toEqual(['updated', 'incompatible', 'updated']);
    expect(result.packs[1].message).toMatch(/board 31916/);
  });

  it('a failed pack stops the rest; with continueAfterFailure the next pack is still updated', async () => {
    const rig = await createFlashRig({ baud: 115_200, packs: 3 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    // Pack 1's transfer is clean; pack 2's block 3 is corrupted on every try.
    const corruptPack2 = (r: FlashRig) => {
      let done = false;
      return (s: BankUpdateSnapshot) => {
        if (!done && s.current === 2) {
          done = true;
          r.bank.inject({ kind: 'upgrade-block', block: 3, action: 'flip', count: 10 });
        }
      };
    };
    const stopped = await bank(rig, plan, { onSnapshot: corruptPack2(rig) });
    expect(stopped.result.packs.map((p) => p.outcome)).toEqual(['updated', 'failed', 'not-started']);
    expect(stopped.result.packs[1].final?.phase === 'failed' && stopped.result.packs[1].final.failure.packState).toBe('old-firmware');
    expect(packTruth(rig.bank, 3).version).toBe('1.00');

    const rig2 = await createFlashRig({ baud: 115_200, packs: 3 });
    const plan2 = await rig2.plan(SMALL, 'small.pkfw');
    const goOn = await bank(rig2, plan2, { continueAfterFailure: true, onSnapshot: corruptPack2(rig2) });
    expect(goOn.result.packs.map((p) => p.outcome)).toEqual(['updated', 'failed', 'updated']);
  });

  it('cancelling during one pack leaves the rest not started', async () => {
    const rig = await createFlashRig({ baud: 115_200, packs: 3 });
    const plan = await rig.plan(SMALL, 'small.pkfw');
    const controller = new AbortController();
    const { result } = await bank(rig, plan, {
      signal: controller.signal,
      onSnapshot: (s) => {
        const running = s.rows.find((r) => r.status === 'running');
        if (running?.address === 2 && running.snapshot?.phase === 'transfer' && running.snapshot.block === 5) controller.abort();
      }
    });
    expect(result.packs.map((p) => p.outcome)).toEqual(['updated', 'failed', 'not-started']);
    expect(result.packs[1].final?.phase === 'failed' && result.packs[1].final.failure).toMatchObject({
      reason: 'cancelled',
      packState: 'old-firmware'
    });
  });
});

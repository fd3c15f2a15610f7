// The fault matrix (scripts/faults.ts, issue 15) inside `npm test`: `npm test` runs the whole
// matrix through the command; here a subset that puts each of the seven faults and each of the
// five workloads in at least one scenario, and checks that the freshness judge is not blind (a
// view that keeps values on screen after polling stopped, over a lost link, or with values that
// never came from the pack is caught).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { FreshnessWatch, type ShownBank } from '../../scripts/faults/freshness';
import { failed, formatResult, runScenario, type FaultId, type WorkloadId } from '../../scripts/faults/matrix';
import { World } from '../../scripts/faults/world';

/** Scenarios that found a bug in the product (see the commits that name them), plus one per remaining fault. */
const SUBSET: [FaultId, WorkloadId][] = [
  ['dropped-bytes', 'history-read'],
  ['flipped-bits', 'parameter-write'],
  ['noise-bursts', 'firmware-transfer'],
  ['stall-2s', 'parameter-write'],
  ['unplug-mid-frame', 'firmware-transfer'],
  ['pack-reboot', 'monitoring-relay'],
  ['slave-offline', 'monitoring']
];

describe('fault matrix (subset)', () => {
  it.each(SUBSET)(
    '%s × %s: nothing stale shown fresh, no unverified write, no unbootable pack, no lost row, no escape',
    async (fault, workload) => {
      const r = await runScenario(fault, workload);
      // The narrative is the assertion message: a failure says what happened.
      expect(failed(r), formatResult(r)).toBe(false);
      expect(r.counts).toEqual({ staleShownAsFresh: 0, unverifiedWrites: 0, unbootablePacks: 0, lostRows: 0, unhandledExceptions: 0 });
      expect(r.summary).not.toBe('');
    },
    120_000
  );
});

/** A second watch over a world, fed from its wire, judging a view the test controls. */
async function watchedWorld(seed: string): Promise<{ world: World; watch: FreshnessWatch }> {
  const world = await World.create({ seed, dbName: `faults-judge-${seed}-${process.pid}` });
  const watch = new FreshnessWatch(world.bank);
  world.onWrite((bytes) => watch.sent(bytes, world.clock.now()));
  world.sim.onData((chunk) => watch.received(chunk, world.clock.now()));
  world.session.onLink((event) => {
    if (event === 'attached' && world.session.client && world.session.poller)
      watch.attach(world.session.client, world.session.poller, () => world.clock.now());
  });
  await world.start();
  return { world, watch };
}

/** What the session shows now, frozen: every pack live with its current values. */
function frozen(world: World): ShownBank {
  return { packs: world.session.packs.map((p) => ({ address: p.address, fresh: true, analog: p.analog })) };
}

describe('fault matrix: the freshness judge', () => {
  it('catches values kept live after polling stopped, once per pack, only after one cycle plus one deadline', async () => {
    const { world, watch } = await watchedWorld('judge-age');
    try {
      const shown = frozen(world);
      expect(shown.packs).toHaveLength(4);
      await world.run('poller.stop', world.session.poller!.stop());
      const stopped_ms = world.clock.now();
      const newest = Math.max(...shown.packs.map((p) => watch.lastArrival(p.address)!));
      const window_ms = Math.min(...shown.packs.map((p) => watch.window_ms(p.address)!));
      for (let t = 0; t < 10_000; t += 50) {
        watch.check(shown, world.transport.status, world.clock.now());
        if (watch.violations.length === 0) expect(world.clock.now() - newest).toBeLessThanOrEqual(window_ms + 50);
        await world.idle(50);
      }
      expect(world.clock.now() - stopped_ms).toBeGreaterThan(window_ms);
      expect(watch.violations.map((v) => v.rule)).toEqual(['age', 'age', 'age', 'age']);
      expect(watch.violations.map((v) => v.address).sort()).toEqual([1, 2, 3, 4]);
      // The real session turned every pack stale by itself meanwhile: the world's own watch saw nothing wrong.
      expect(world.session.packs.every((p) => !p.fresh)).toBe(true);
      expect(world.watch.violations).toEqual([]);
    } finally {
      await world.dispose();
    }
  });

  it('catches a pack shown live over a lost link, and values that never came from the pack', async () => {
    const { world, watch } = await watchedWorld('judge-link');
    try {
      const shown = frozen(world);
      watch.check(shown, world.transport.status, world.clock.now());
      expect(watch.violations).toEqual([]);

      const forged: ShownBank = {
        packs: shown.packs.map((p) => (p.address === 2 && p.analog ? { ...p, analog: { ...p.analog, soc_pct: (p.analog.soc_pct ?? 0) + 1 } } : p))
      };
      watch.check(forged, world.transport.status, world.clock.now());
      expect(watch.violations.map((v) => [v.address, v.rule])).toEqual([[2, 'known']]);

      world.bank.inject({ kind: 'unplug' });
      await world.until(() => world.transport.status.state !== 'open', 5000);
      watch.check(shown, world.transport.status, world.clock.now());
      // Pack 2 is still in its episode; the others start one.
      expect(watch.violations.slice(1).map((v) => [v.address, v.rule])).toEqual([
        [1, 'link'],
        [3, 'link'],
        [4, 'link']
      ]);
    } finally {
      await world.dispose();
    }
  });
});

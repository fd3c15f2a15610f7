// Steps the monitoring specs, the screenshot script and the UI benchmark share. Works with
// @playwright/test's and playwright-core's Page alike (the same class).

import type { Page } from 'playwright-core';
import type { PackUpdate, PollCycle } from '../../src/lib/protocol/bank-types';

declare global {
  interface Window {
    /** The session's own poller listeners, once takeOverUpdates() ran: the update, then a cycle's end. */
    __monitorApply?: (u: PackUpdate) => void;
  }
}

/** Open the app, start the demo bank from the Connect page and wait until all its packs are live. */
export async function openDemo(page: Page, packs = 16): Promise<void> {
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Open demo bank' }).click();
  await page.waitForURL('**/overview');
  await waitForLiveBank(page, packs);
}

export async function waitForLiveBank(page: Page, packs = 16): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const s = window.__packservice?.session;
      return !!s && s.packs.length === n && s.packs.every((p) => p.fresh);
    },
    packs,
    { timeout: 30_000 }
  );
}

/**
 * From here on the test decides what the poller reports. The session is re-attached to the demo
 * bank once with the poller's onUpdate and onCycle wrapped, so we hold the session's own
 * listeners; then the real poller is stopped. `window.__monitorApply(u)` takes exactly the path a
 * poll result takes (the session's update handler, totals, trends, every page) and ends a poll
 * cycle after it: updates pushed in one task are applied together, as one cycle's are. The link
 * stays open.
 */
export async function takeOverUpdates(page: Page, packs = 16): Promise<void> {
  await page.evaluate(async (packs) => {
    const s = window.__packservice?.session;
    if (!s || !s.poller) throw new Error('no live session on window.__packservice');
    type Listener<T> = (v: T) => void;
    const proto = Object.getPrototypeOf(s.poller) as {
      onUpdate: (l: Listener<PackUpdate>) => () => void;
      onCycle: (l: Listener<PollCycle>) => () => void;
    };
    const original = { onUpdate: proto.onUpdate, onCycle: proto.onCycle };
    const updates: Listener<PackUpdate>[] = [];
    const cycles: Listener<PollCycle>[] = [];
    proto.onUpdate = function (this: unknown, listener: Listener<PackUpdate>) {
      updates.push(listener);
      return original.onUpdate.call(this, listener);
    };
    proto.onCycle = function (this: unknown, listener: Listener<PollCycle>) {
      cycles.push(listener);
      return original.onCycle.call(this, listener);
    };
    try {
      await s.disconnect();
      if (!(await s.connect({ kind: 'sim' }))) throw new Error('demo bank did not reconnect');
    } finally {
      proto.onUpdate = original.onUpdate;
      proto.onCycle = original.onCycle;
    }
    if (updates.length !== 1 || cycles.length !== 1)
      throw new Error(`expected the session to subscribe once, saw ${updates.length} / ${cycles.length}`);
    const until = performance.now() + 30_000;
    // Wait for both analog and status of every pack, so no card is left at "not read yet".
    while (!(s.packs.length === packs && s.packs.every((p) => p.fresh && p.status !== null))) {
      if (performance.now() > until) throw new Error('demo bank did not come back live');
      await new Promise((r) => setTimeout(r, 50));
    }
    await s.poller?.stop();
    const [update] = updates;
    const [cycle] = cycles;
    window.__monitorApply = (u) => {
      update(u);
      const now = s.clock.now();
      cycle({ started_ms: now, ended_ms: now, answered: [u.address], missed: [], refreshInterval_ms: 1000 });
    };
  }, packs);
}

/**
 * Push updates as the poller would. Times in them (`received_ms`, `health.lastGood_ms`,
 * `health.nextProbe_ms`) are relative to the session clock's now: 0 is now, -40000 is 40 s ago.
 */
export async function injectUpdates(page: Page, updates: PackUpdate[]): Promise<void> {
  await page.evaluate((updates) => {
    const apply = window.__monitorApply;
    const s = window.__packservice?.session;
    if (!apply || !s) throw new Error('call takeOverUpdates() first');
    const now = s.clock.now();
    for (const u of updates) {
      u.received_ms += now;
      if (u.health.lastGood_ms !== null) u.health.lastGood_ms += now;
      if (u.health.freshUntil_ms !== null) u.health.freshUntil_ms += now;
      if (u.health.nextProbe_ms !== null) u.health.nextProbe_ms += now;
      apply(u);
    }
  }, updates);
}

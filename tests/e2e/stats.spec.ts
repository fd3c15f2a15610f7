// The statistics page's energy in and out against the simulator's own meters, within 2 %.
//
// The honest route: the demo bank running in the page IS the simulator whose meters count the
// truth (integrated inside its physics at every 250 ms step, from the true current and terminal
// voltage, netted at the bus). The test reads those meters through the layout's existing test hook
// (sim-hook.ts) at the first and at the last reading the session delivered, from a listener it
// adds to the session before connecting, so the meters span exactly the readings the app recorded.
// A bank re-run in Node with the same seed would not do: the page's bank runs on the real clock,
// so its physics steps and the poll times differ from any re-run.
//
// The app's figure comes the product's way: every poll recorded into IndexedDB, the minute
// aggregates summed by the statistics page. The bank is switched to one minute of charging and
// one of discharging so that both directions carry energy.

import { expect, test } from '@playwright/test';
import { waitForLiveBank } from './monitor-helpers';
import type { DemoClient } from './sim-hook';

type Meters = { charged_kWh: number; discharged_kWh: number };

declare global {
  interface Window {
    __meters?: { first: Meters | null; last: Meters | null; readings: number };
  }
}

test.setTimeout(300_000);

test('energy charged and discharged on the statistics page match the simulator’s meters within 2 %', async ({ page }) => {
  await page.goto('/connect');
  await page.waitForFunction(() => window.__packservice !== undefined);
  await page.evaluate(() => {
    const s = window.__packservice!.session;
    const meters: NonNullable<Window['__meters']> = { first: null, last: null, readings: 0 };
    window.__meters = meters;
    // Registered after the app's recorder (the layout's), so it runs right after the recorder took
    // the same reading, in the same task.
    s.onUpdate((u) => {
      if (!u.analog || u.analog.empty) return;
      const e = (s.client as unknown as DemoClient).transport.bank.energyCounters();
      const m = { charged_kWh: e.charged_kWh, discharged_kWh: e.discharged_kWh };
      meters.first ??= m;
      meters.last = m;
      meters.readings++;
    });
  });
  await page.getByRole('button', { name: 'Open demo bank' }).click();
  await waitForLiveBank(page);
  await page.evaluate(() => {
    const bank = (window.__packservice!.session.client as unknown as DemoClient).transport.bank;
    bank.setScenario('load', {
      load: {
        kind: 'profile',
        steps: [
          { duration_s: 60, current_A: 40 },
          { duration_s: 60, current_A: -40 }
        ]
      }
    });
  });
  await page.getByRole('link', { name: 'Logs' }).first().click();
  const status = page.getByTestId('recording-status');
  await expect(status).toHaveAttribute('data-state', 'recording', { timeout: 60_000 });
  await page.waitForTimeout(122_000);

  // Let the bank go: the recorder writes everything it holds and stops.
  await page.evaluate(() => window.__packservice!.session.disconnect());
  await expect(status).toHaveAttribute('data-state', 'off', { timeout: 30_000 });
  const meters = await page.evaluate(() => window.__meters!);
  const truthIn = meters.last!.charged_kWh - meters.first!.charged_kWh;
  const truthOut = meters.last!.discharged_kWh - meters.first!.discharged_kWh;
  // 16 packs × 40 A × ~53 V for a minute is ~0.56 kWh each way.
  expect(truthIn).toBeGreaterThan(0.3);
  expect(truthOut).toBeGreaterThan(0.3);

  await page.getByRole('link', { name: 'Statistics' }).first().click();
  const stats = page.getByTestId('stats');
  await expect(stats).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  const shownIn = Number(await page.getByTestId('stats-charged').getAttribute('data-value'));
  const shownOut = Number(await page.getByTestId('stats-discharged').getAttribute('data-value'));
  const dev = (a: number, b: number) => Math.abs(a - b) / b;
  const figures = JSON.stringify({
    readings: meters.readings,
    sim_in_kWh: +truthIn.toFixed(4),
    page_in_kWh: +shownIn.toFixed(4),
    sim_out_kWh: +truthOut.toFixed(4),
    page_out_kWh: +shownOut.toFixed(4),
    deviation_in_pct: +(100 * dev(shownIn, truthIn)).toFixed(3),
    deviation_out_pct: +(100 * dev(shownOut, truthOut)).toFixed(3)
  });
  test.info().annotations.push({ type: 'energy', description: figures });
  console.info(figures);
  expect(dev(shownIn, truthIn)).toBeLessThan(0.02);
  expect(dev(shownOut, truthOut)).toBeLessThan(0.02);
  // The figures are on the page in words and numbers too.
  await expect(page.getByTestId('stats-charged')).toContainText('kWh');
  await expect(page.getByTestId('stats-table')).toContainText('Total');
  await page.getByRole('radio', { name: 'Week' }).check();
  await expect(stats).toHaveAttribute('data-phase', 'ready');
  expect(Math.abs(Number(await page.getByTestId('stats-charged').getAttribute('data-value')) - shownIn)).toBeLessThan(1e-9);
});

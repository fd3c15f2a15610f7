// Screenshots of the monitoring pages with the demo bank, at desktop (1280x800) and phone (390x844)
// size, into screenshots/ (git-ignored), for a person to look at. Builds when the sources changed.
//   npx tsx scripts/screenshots-monitor.ts

import { screenshotRun, shooter } from './screenshot-kit';
import { NAME_HELPER_SCRIPT } from './bench/_ui-harness';
import { injectUpdates, openDemo, takeOverUpdates, waitForLiveBank } from '../tests/e2e/monitor-helpers';
import { FLAG_CELL_OV_WARNING, FLAG_DISCHARGE_MOS_FAULT, syntheticAnalog, syntheticHealth, syntheticStatus } from '../tests/fixtures/synthetic-bank';
import type { PackUpdate } from '../src/lib/protocol/bank-types';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
] as const;

const shoot = shooter({ showOffscreen: true });

function troubleUpdates(): PackUpdate[] {
  const stale = { ...syntheticHealth(5, 'stale', -40_000), consecutiveFailures: 2 };
  const offline = syntheticHealth(9, 'offline', -300_000);
  return [
    { address: 5, received_ms: 0, health: stale },
    { address: 9, received_ms: 0, health: offline },
    {
      address: 12,
      analog: syntheticAnalog(12, 1),
      status: syntheticStatus(12, 1, [FLAG_CELL_OV_WARNING]),
      received_ms: 0,
      health: syntheticHealth(12, 'ok', 0)
    },
    {
      address: 14,
      analog: syntheticAnalog(14, 1),
      status: syntheticStatus(14, 1, [FLAG_DISCHARGE_MOS_FAULT, FLAG_CELL_OV_WARNING]),
      received_ms: 0,
      health: syntheticHealth(14, 'ok', 0)
    }
  ];
}

async function main(): Promise<void> {
  await screenshotRun(async (browser, baseURL) => {
    for (const size of SIZES) {
      // bypassCSP: shoot() injects a style tag, which the app's own CSP (style-src 'self') refuses.
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, baseURL: baseURL, bypassCSP: true });
      await context.addInitScript(NAME_HELPER_SCRIPT);
      const page = await context.newPage();
      await openDemo(page);
      // Let a few refreshes and trend samples arrive.
      await page.waitForTimeout(6000);
      await shoot(page, `monitor-overview-${size.name}.png`);
      await page.getByTestId('pack-card-3').click();
      await page.waitForURL('**/pack/3');
      await page.locator('[data-testid="trend"][data-phase="ready"]').waitFor();
      await page.waitForTimeout(2500);
      await shoot(page, `monitor-pack-${size.name}.png`);
      await page.goto('/pack/99');
      await waitForLiveBank(page);
      await shoot(page, `monitor-pack-unknown-${size.name}.png`, false);
      await page.goto('/overview');
      await page.getByTestId('pack-card-1').waitFor();
      await page.getByTestId('wall-enter').click();
      await page.getByTestId('wall').waitFor();
      await page.waitForTimeout(1500);
      await shoot(page, `monitor-wall-${size.name}.png`, false);
      await page.keyboard.press('Escape');
      await page.waitForURL('**/overview');

      // A bank with trouble: one stale pack, one offline, one warning, one fault.
      await takeOverUpdates(page);
      await injectUpdates(page, troubleUpdates());
      await page.waitForTimeout(500);
      await shoot(page, `monitor-overview-trouble-${size.name}.png`);
      await page.getByTestId('wall-enter').click();
      await page.getByTestId('wall').waitFor();
      await shoot(page, `monitor-wall-trouble-${size.name}.png`, false);
      await context.close();
    }
    // The dark theme (system setting), overview and a pack page at desktop size.
    const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: baseURL, colorScheme: 'dark', bypassCSP: true });
    await dark.addInitScript(NAME_HELPER_SCRIPT);
    const page = await dark.newPage();
    await openDemo(page);
    await page.waitForTimeout(3000);
    await shoot(page, 'monitor-overview-dark-desktop.png');
    await page.getByTestId('pack-card-2').click();
    await page.locator('[data-testid="trend"][data-phase="ready"]').waitFor();
    await page.waitForTimeout(1500);
    await shoot(page, 'monitor-pack-dark-desktop.png');
    await dark.close();
  });
}

await main();

// Screenshots of the history, logs, statistics and settings pages with the demo bank, at desktop
// (1280x800) and phone (390x844) size, light and dark, into screenshots/ (git-ignored), for a
// person to look at. Builds when the sources changed.
//   npx tsx scripts/screenshots-history.ts

import { screenshotRun, shooter } from './screenshot-kit';
import { type Browser } from 'playwright-core';
import { NAME_HELPER_SCRIPT } from './bench/_ui-harness';
import { openDemo } from '../tests/e2e/monitor-helpers';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
] as const;

const shoot = shooter({ showOffscreen: true, settle_ms: 300 });

async function run(browser: Browser, url: string, size: (typeof SIZES)[number], scheme: 'light' | 'dark'): Promise<void> {
  const context = await browser.newContext({
    bypassCSP: true,
    viewport: { width: size.width, height: size.height },
    baseURL: url,
    colorScheme: scheme
  });
  await context.addInitScript(NAME_HELPER_SCRIPT);
  const page = await context.newPage();
  const tag = `${size.name}-${scheme}`;
  // Nothing connected, nothing stored.
  for (const p of ['history', 'logs', 'statistics']) {
    await page.goto(`/${p}`);
    await page.waitForTimeout(800);
    await shoot(page, `history-empty-${p}-${tag}.png`, false);
  }
  await openDemo(page);
  await page.goto('/history');
  await page.getByTestId('history-pack-1').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="history-pack-1"]')?.getAttribute('data-reach') === 'readable', null, {
    timeout: 30_000
  });
  await page.getByRole('button', { name: 'Read the log of pack 1', exact: true }).click();
  await page.waitForTimeout(1200);
  await shoot(page, `history-reading-${tag}.png`, false);
  await page.getByTestId('history-outcomes').waitFor({ timeout: 60_000 });
  await page.locator('#history-pack').selectOption({ index: 1 });
  await page.waitForTimeout(800);
  await shoot(page, `history-page-${tag}.png`);
  // The same at reading size: the records, and the export and clear panels.
  await page.locator('#records-title').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.getElementById('records-title')!.scrollIntoView());
  await shoot(page, `history-records-${tag}.png`, false);
  await page.getByTestId('history-table').evaluate((el) => el.scrollIntoView());
  await shoot(page, `history-table-${tag}.png`, false);
  await page.getByTestId('history-export').evaluate((el) => el.scrollIntoView());
  await shoot(page, `history-export-${tag}.png`, false);
  // Recorded for a while by now: logs, statistics, settings.
  await page.waitForTimeout(20_000);
  await page.goto('/logs');
  await page.locator('[data-testid="trend"][data-phase="ready"]').waitFor();
  await page.waitForTimeout(1500);
  await shoot(page, `logs-page-${tag}.png`);
  await page.getByTestId('logs-sessions').evaluate((el) => el.scrollIntoView());
  await shoot(page, `logs-sessions-${tag}.png`, false);
  await page.goto('/statistics');
  await page.locator('[data-testid="stats"][data-phase="ready"]').waitFor({ state: 'attached', timeout: 30_000 });
  await page.waitForTimeout(800);
  await shoot(page, `stats-page-${tag}.png`);
  await page.getByTestId('stats-table').evaluate((el) => el.scrollIntoView());
  await shoot(page, `stats-table-${tag}.png`, false);
  await page.goto('/settings');
  await page.getByTestId('recording-settings').waitFor();
  await page.getByTestId('recording-settings').scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await shoot(page, `settings-recording-${tag}.png`);
  await page.goto('/pack/2');
  await page.locator('[data-testid="trend"][data-phase="ready"]').waitFor();
  await page.waitForTimeout(1500);
  await page.getByTestId('trend').scrollIntoViewIfNeeded();
  await shoot(page, `pack-trend-${tag}.png`, false);
  await context.close();
}

async function main(): Promise<void> {
  await screenshotRun(async (browser, baseURL) => {
    const only = process.argv[2];
    for (const scheme of ['light', 'dark'] as const)
      for (const size of SIZES) if (!only || only === `${size.name}-${scheme}`) await run(browser, baseURL, size, scheme);
  });
}

await main();

// What a screen reader gets from the monitoring pages, asked of Chromium's own accessibility tree
// (not Playwright's role engine) in the mode Chromium turns on when a screen reader runs. Without
// that mode Chromium leaves sections whose rendering it skips (content-visibility: auto) out of
// the tree; with it, they are in, and the heatmap tables must be.

import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { openDemo, takeOverUpdates } from './monitor-helpers';

const PACKS = 16;

test.use({
  launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--force-renderer-accessibility'] }
});

test('both heatmaps are in the accessibility tree a screen reader gets, far below the screen too', async ({ page }) => {
  await openDemo(page, PACKS);
  // No more polls: the values read from the page below are the ones in the tree.
  await takeOverUpdates(page, PACKS);
  await page.evaluate(() => window.scrollTo(0, 0));
  // At the top of the page the temperature heatmap is far below the screen, its rendering
  // skipped (content-visibility: auto). Ask Chromium itself, not Playwright's role engine.
  expect(
    await page
      .getByTestId('temp-heatmap')
      .locator('table')
      .evaluate((el) => el.checkVisibility({ contentVisibilityAuto: true }))
  ).toBe(false);
  const firstTemp = (await page.getByTestId('temp-heatmap').locator('tbody tr').first().locator('td').first().textContent())?.trim() ?? '';
  expect(firstTemp).toMatch(/^\d+\.\d$/);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Accessibility.enable');
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { role?: { value?: string }; name?: { value?: string }; ignored?: boolean }[];
  };
  const exposed = nodes.filter((n) => !n.ignored);
  const named = (role: string, name: string | RegExp) =>
    exposed.filter((n) => n.role?.value === role && (typeof name === 'string' ? n.name?.value === name : name.test(n.name?.value ?? ''))).length;
  expect(named('table', 'Cell voltages (mV)')).toBe(1);
  expect(named('table', 'Temperatures (°C)')).toBe(1);
  expect(named('columnheader', 'Cell 16')).toBe(1);
  expect(named('columnheader', 'MOSFET')).toBe(1);
  expect(named('rowheader', /^Pack 16 /)).toBe(2);
  expect(named('cell', firstTemp)).toBeGreaterThan(0);
});

// The parameter, calibration and device control pages for people who do not use a mouse or do
// not see well: no axe-core WCAG 2 A/AA finding (contrast included) in the light and the dark
// theme, at desktop and phone width; and the write path's confirmation works by keyboard alone
// (focus goes into it, Escape closes it without writing, focus comes back to the button).

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { openDemo, waitForLiveBank } from './monitor-helpers';
import { openDemoParameters, setInstallerPin } from './params-helpers';

const PAGES = ['/parameters', '/parameters/3', '/calibration/3', '/control/3'] as const;

async function findings(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).include('main').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary ?? ''}`));
}

for (const scheme of ['light', 'dark'] as const) {
  for (const size of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 }
  ] as const) {
    test(`no WCAG A/AA finding on the write pages, ${scheme} theme, ${size.name}`, async ({ page }) => {
      test.setTimeout(180_000);
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width: size.width, height: size.height });
      await openDemo(page);
      await setInstallerPin(page, '2468');
      for (const path of PAGES) {
        await page.goto(path);
        await waitForLiveBank(page);
        await setInstallerPin(page, '2468');
        await page.waitForTimeout(1500);
        expect(await findings(page), path).toEqual([]);
      }
    });
  }
}

test('by keyboard: factory defaults asks first with Cancel focused, Escape sends nothing, focus comes back', async ({ page }) => {
  test.setTimeout(120_000);
  await openDemoParameters(page, 5);
  await expect(page.getByTestId('read-state')).toContainText('Read from the pack at');
  await page.evaluate(() => {
    const w = window as unknown as { __codes: number[] };
    w.__codes = [];
    const client = window.__packservice!.session.client as unknown as { onTraffic(l: (e: { dir: string; frame?: { code: number } }) => void): void };
    client.onTraffic((e) => {
      if (e.dir === 'tx' && e.frame) w.__codes.push(e.frame.code);
    });
  });

  const button = page.getByRole('button', { name: 'Restore factory defaults…' });
  await button.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('confirm-defaults');
  await expect(dialog).toBeVisible();
  // The safe choice has the focus: Enter now would cancel, not restore.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Restore factory defaults on Pack 5' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(button).toBeFocused();
  // A4H (factory defaults) never went out.
  expect(await page.evaluate(() => (window as unknown as { __codes: number[] }).__codes)).not.toContain(0xa4);
  await expect(page.getByTestId('write-report')).toHaveCount(0);
});

// The demo bank end to end: the connect page's "Open demo bank" button, 16 live pack cards on the
// overview whose values move, the link strip, and the demo coming back by itself after a reload.

import { expect, test, type Page } from '@playwright/test';

const cards = (page: Page) => page.locator('[data-testid^="pack-card-"]');
/** Only the measured values of every card (not the ticking freshness age). */
const values = async (page: Page) => (await page.locator('[data-testid^="pack-card-"] dd').allInnerTexts()).join('|');

test('opens the demo bank, shows 16 live packs whose values change, and resumes after a reload', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/connect$/);
  await expect(page.getByTestId('link-health')).toHaveAttribute('data-phase', 'idle');

  await page.getByRole('button', { name: 'Open demo bank' }).click();
  await expect(page).toHaveURL(/\/overview$/);
  await expect(cards(page)).toHaveCount(16);
  for (const address of [1, 8, 16]) {
    await expect(page.getByTestId(`pack-card-${address}`)).toHaveAttribute('data-freshness', 'live');
  }
  const strip = page.getByTestId('link-health');
  await expect(strip).toHaveAttribute('data-phase', 'live');
  await expect(strip).toContainText('Connected');
  await expect(strip).toContainText(/Demo bank/);
  await expect(page.getByTestId('last-reply')).toBeVisible();

  const before = await values(page);
  await expect.poll(() => values(page), { timeout: 30_000, message: 'pack values never changed' }).not.toBe(before);

  // The session on the diagnostic hook agrees with the page.
  const state = await page.evaluate(() => {
    const s = window.__packservice!.session;
    return { phase: s.phase, packs: s.packs.length, fresh: s.packs.filter((p) => p.fresh).length, kind: s.transportInfo?.kind };
  });
  expect(state).toEqual({ phase: 'live', packs: 16, fresh: 16, kind: 'sim' });

  // The last choice was the demo: a reload opens it again without a click.
  await page.reload();
  await expect(page).toHaveURL(/\/overview$/);
  await expect(cards(page)).toHaveCount(16);
  await expect(page.getByTestId('pack-card-1')).toHaveAttribute('data-freshness', 'live');

  // "Packs" in the navigation leads to the first pack.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Packs/ }).click();
  await expect(page).toHaveURL(/\/pack\/1$/);

  // Disconnect: idle, and a reload stays on the connect page.
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByRole('button', { name: 'Open demo bank' })).toBeEnabled();
  await expect(page.getByTestId('link-health')).toHaveAttribute('data-phase', 'idle');
  await page.goto('/');
  await expect(page).toHaveURL(/\/connect$/);
});

test('the demo bank size comes from the settings', async ({ page }) => {
  await page.goto('/settings');
  const size = page.getByLabel('Packs in the demo bank');
  await size.fill('4');
  await size.press('Tab');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /Connect/ })
    .click();
  await expect(page.getByText('A simulated bank of 4 packs')).toBeVisible();
  await page.getByRole('button', { name: 'Open demo bank' }).click();
  await expect(cards(page)).toHaveCount(4);
});

test('works from the keyboard alone and announces the link state', async ({ page }) => {
  await page.goto('/connect');
  // Wait for the app to start, or the Tab lands before there is anything to focus.
  await page.waitForFunction(() => window.__packservice !== undefined);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  const demo = page.getByRole('button', { name: 'Open demo bank' });
  for (let i = 0; i < 25 && !(await demo.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(demo).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(cards(page)).toHaveCount(16);
  // The screen-reader sentence for the strip, in a polite live region.
  await expect(page.getByTestId('link-health').getByRole('status')).toHaveText(/^Connected via Demo bank \(16 packs\)\. Values are live\.$/);
});

test('on a phone the navigation folds into a menu that Escape closes', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/connect');
  const nav = page.getByRole('navigation', { name: 'Main' });
  const toggle = nav.getByRole('button', { name: 'Menu' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(nav.getByRole('link', { name: /Settings/ })).toBeHidden();
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(nav.getByRole('link', { name: /Settings/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toBeFocused();
  await toggle.click();
  await nav.getByRole('link', { name: /Settings/ }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  // Nothing on the page is wider than the phone, with every panel open.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.goto('/connect');
  await page.getByText('My port is not listed').click();
  await page.getByText('Advanced: baud rate and protocol').click();
  await expect(page.getByLabel('Baud rate')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
});

// Steps the firmware specs and the firmware screenshots share. Works with @playwright/test's and
// playwright-core's Page alike.

import type { Page } from 'playwright-core';

/** Installer mode through the page's own form: set the PIN on first use, else unlock. */
export async function unlockInstaller(page: Page, pin = '2468'): Promise<void> {
  const panel = page.getByTestId('fw-installer');
  await panel.waitFor();
  if ((await panel.getAttribute('data-state')) === 'unlocked') return;
  await page.getByLabel('Installer PIN').fill(pin);
  await page.getByRole('button', { name: /Set PIN and unlock|Unlock/ }).click();
  await page.locator('[data-testid="fw-installer"][data-state="unlocked"]').waitFor();
}

/** Only these packs are ticked for the update. */
export async function choosePacks(page: Page, addresses: readonly number[]): Promise<void> {
  await page.getByRole('button', { name: 'Select none' }).click();
  for (const a of addresses) await page.getByRole('checkbox', { name: `Update pack ${a}` }).check();
}

/** Open the demo bank with `packs` packs (the settings' demo size) and wait until all are live. */
export async function openSmallDemo(page: Page, packs: number): Promise<void> {
  await page.goto('/connect');
  await page.waitForFunction(() => window.__packservice !== undefined);
  await page.evaluate((n) => window.__packservice!.session.settings.update({ demoPacks: n }), packs);
  await page.getByRole('button', { name: 'Open demo bank' }).click();
  await page.waitForURL('**/overview');
  await waitForPacks(page, packs);
}

export async function waitForPacks(page: Page, packs: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const s = window.__packservice?.session;
      return !!s && s.packs.length === n && s.packs.every((p) => p.fresh);
    },
    packs,
    { timeout }
  );
}

/** Navigate inside the app (no reload: the session and a running update stay). */
export async function gotoFirmware(page: Page): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  // On a phone the links are behind the Menu button.
  const menu = nav.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await nav.getByRole('link', { name: /^Firmware/ }).click();
  await page.waitForURL('**/firmware');
}

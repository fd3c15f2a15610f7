// Offline after the first visit: the service worker precaches the app shell, so an installer in a
// basement without signal can reload the page, and open a deep link, and still get the app.

import { expect, test } from '@playwright/test';

test('after one online visit the app reloads offline, on / and on a deep link', async ({ page, context }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/connect$/);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // The first install says so, once.
  await expect(page.getByText('Ready to work offline')).toBeVisible();

  // The app-wide features and the header's state-only components are loaded after the first paint
  // (app-features.ts, layout-extras.ts), the serial transport and the protocol at connect: each
  // such chunk must come from the precache too, or the layout reports it on the console.
  const failedScripts: string[] = [];
  const loadErrors: string[] = [];
  page.on('requestfailed', (r) => {
    // A navigation cancels the scripts still loading on the page it leaves (the connect page
    // preloads the overview's): aborted is not failed.
    if (new URL(r.url()).pathname.endsWith('.js') && r.failure()?.errorText !== 'net::ERR_ABORTED')
      failedScripts.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && msg.text().includes('could not be loaded')) loadErrors.push(msg.text());
  });

  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page).toHaveURL(/\/connect$/);
    await expect(page.getByRole('heading', { name: 'Connect', level: 1 })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Open demo bank' })).toBeEnabled();
    // "Ready to work offline" was said on the first visit; it does not come back on every load.
    await expect(page.getByText('Ready to work offline')).toHaveCount(0);

    await page.goto('/pack/1');
    await expect(page).toHaveURL(/\/pack\/1$/);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByTestId('link-health')).toBeVisible();
    await expect(page.getByTestId('build-version')).not.toBeEmpty();

    // The demo bank needs nothing from the network either.
    await page.goto('/connect');
    await page.getByRole('button', { name: 'Open demo bank' }).click();
    await expect(page.locator('[data-testid^="pack-card-"]')).toHaveCount(16);
    // Installer mode's header badge is one of the lazily loaded components.
    await page.evaluate(async () => {
      const installer = window.__packservice!.session.installer;
      await installer.init();
      await installer.setPin('2468');
    });
    await expect(page.getByTestId('installer-badge')).toBeVisible();
    expect(failedScripts).toEqual([]);
    expect(loadErrors).toEqual([]);
  } finally {
    await context.setOffline(false);
  }
});

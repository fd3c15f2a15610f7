// The firmware page with the demo bank: images downloaded from the catalog into IndexedDB on the
// first (online) visit, then an update flashed with the browser offline (the service worker serves
// the app, the image comes from IndexedDB), the new version shown after the reboot; and the
// refusals of a corrupt file and of a wrong-model image, each with its reason.

import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DEMO_RELEASES, demoContainer } from '../../src/lib/sim/firmware-releases';
import { choosePacks, gotoFirmware, openSmallDemo, unlockInstaller, waitForPacks } from './firmware-helpers';

test('flashes the demo bank from a cached image while offline, and shows the new version after the reboot', async ({ page, context }) => {
  test.setTimeout(150_000);
  await page.goto('/');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  // Online: the catalog's images for the bank's model land in IndexedDB.
  await openSmallDemo(page, 2);
  await gotoFirmware(page);
  await expect(page.getByTestId('fw-release-1.10')).toHaveAttribute('data-state', /^(downloaded|cached)$/, { timeout: 30_000 });
  await expect(page.getByTestId('fw-release-1.06')).toHaveAttribute('data-state', /^(downloaded|cached)$/);
  await expect(page.getByTestId('fw-release-1.03A')).toHaveAttribute('data-state', 'skipped');
  await expect(page.getByTestId('fw-cache-entries').getByRole('listitem')).toHaveCount(2);

  await context.setOffline(true);
  try {
    await page.reload();
    // The demo bank comes back by itself (the last device); its packs run 1.00 again.
    await waitForPacks(page, 2);
    await expect(page.getByTestId('fw-catalog-status')).toHaveAttribute('data-source', 'cache');
    await expect(page.getByTestId('fw-catalog-status')).toContainText('Offline');
    await expect(page.getByTestId('fw-installed-2')).toContainText('P16S100A-1812-1.00');
    await expect(page.getByTestId('fw-pack-2')).toContainText('1.10 available');

    await unlockInstaller(page);
    await choosePacks(page, [2]);
    // The newest image that fits is chosen; it is checked against pack 2.
    await expect(page.getByTestId('fw-fit-2')).toHaveAttribute('data-verdict', 'fits');
    await expect(page.getByTestId('fw-fit-2')).toContainText('will be updated to 1.10');
    await page.getByTestId('fw-start').click();

    const run = page.getByTestId('fw-run');
    await expect(run).toHaveAttribute('data-phase', 'transfer', { timeout: 30_000 });
    await expect(page.getByTestId('fw-figures')).toContainText(/of 193\.\d KiB/);
    await expect(run.locator('[data-step="backup"]')).toHaveAttribute('data-state', 'done');
    await expect(run).toHaveAttribute('data-phase', /^(verify|reboot|done)$/, { timeout: 90_000 });
    await expect(run).toHaveAttribute('data-finished', 'true', { timeout: 30_000 });
    await expect(page.getByTestId('fw-done')).toContainText('Pack 2 now runs P16S100A-1812-1.10');
    await expect(page.getByTestId('fw-after-2')).toContainText('Restore the backup');

    await page.getByTestId('fw-dismiss').click();
    await expect(page.getByTestId('fw-installed-2')).toContainText('P16S100A-1812-1.10');
    await expect(page.getByTestId('fw-installed-2')).toContainText('confirmed after the update');
    await expect(page.getByTestId('fw-installed-1')).toContainText('P16S100A-1812-1.00');
  } finally {
    await context.setOffline(false);
  }
});

test('refuses a corrupt file and a wrong-model image, each with its reason', async ({ page }) => {
  await openSmallDemo(page, 2);
  await gotoFirmware(page);
  await expect(page.getByTestId('fw-installed-1')).toContainText('P16S100A-1812-1.00');

  const corrupt = demoContainer(DEMO_RELEASES[1]).slice();
  corrupt[4096] ^= 0x40;
  await page
    .getByLabel('Add a firmware file')
    .setInputFiles({ name: 'P16S100A-1812-1.10.pkfw', mimeType: 'application/octet-stream', buffer: Buffer.from(corrupt) });
  const added = page.getByTestId('fw-add-result');
  await expect(added).toContainText('P16S100A-1812-1.10.pkfw was refused.');
  await expect(added).toContainText('The file is corrupted: its checksum does not match.');
  await expect(added).toContainText('CRC-32');

  const other = DEMO_RELEASES.find((r) => r.model === 'P16S200A')!;
  await page
    .getByLabel('Add a firmware file')
    .setInputFiles({ name: 'P16S200A-21473-1.03A.pkfw', mimeType: 'application/octet-stream', buffer: Buffer.from(demoContainer(other)) });
  await expect(added).toContainText('P16S200A-21473-1.03A.pkfw was checked and added.');
  const fit = page.getByTestId('fw-fit-1');
  await expect(fit).toHaveAttribute('data-verdict', 'refused');
  await expect(fit).toContainText('This firmware is for another pack model or hardware revision.');
  await expect(fit).toContainText('This image is for model P16S200A, but the pack is a P16S100A');
  await expect(page.getByTestId('fw-start')).toBeDisabled();
  await expect(page.locator('#fw-start-why')).toHaveText('None of the chosen packs needs this firmware.');
});

test('the firmware page passes axe (WCAG 2 AA, contrast included) in light and dark, at desktop and phone width', async ({ page }) => {
  test.setTimeout(90_000);
  await openSmallDemo(page, 2);
  await gotoFirmware(page);
  await expect(page.getByTestId('fw-release-1.10')).toHaveAttribute('data-state', /^(downloaded|cached)$/, { timeout: 30_000 });
  await expect(page.getByTestId('fw-fit-1')).toHaveAttribute('data-verdict', 'fits');
  // A refusal on screen too (its colours are checked with the rest).
  await page.getByLabel('Add a firmware file').setInputFiles({
    name: 'P16S200A-21473-1.03A.pkfw',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(demoContainer(DEMO_RELEASES.find((r) => r.model === 'P16S200A')!))
  });
  await expect(page.getByTestId('fw-fit-1')).toHaveAttribute('data-verdict', 'refused');
  await page.getByRole('group', { name: /restore to factory defaults/ }).scrollIntoViewIfNeeded();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).include('main').analyze();
      expect(
        result.violations.map((v) => `${scheme} ${width}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
        'axe violations'
      ).toEqual([]);
    }
  }
});

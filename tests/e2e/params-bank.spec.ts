// Reading and keeping parameters on the demo bank: every pack read as one operation with its
// progress and a cancel that keeps what was read (live values pause meanwhile and come back), a
// snapshot compared with the pack after a write, and a profile saved from a pack, loaded back,
// and compared with the pack (same, then one value different).

import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openDemo } from './monitor-helpers';
import { navigateTo, openDemoParameters } from './params-helpers';

test('read every pack: progress, cancel keeps what was read, a full read after; live values resume', async ({ page }) => {
  test.setTimeout(180_000);
  await openDemo(page);
  await navigateTo(page, 'Parameters', '**/parameters');
  const section = page.getByTestId('read-all');

  await section.getByRole('button', { name: 'Read all 16 packs' }).click();
  const progress = section.getByRole('status').filter({ has: page.locator('progress') });
  await expect(progress).toContainText(/Pack \d+: \d+ of 320 reads/);
  // Wait until the first pack is done, then cancel.
  await expect.poll(async () => Number((await progress.locator('progress').getAttribute('value')) ?? 0), { timeout: 30_000 }).toBeGreaterThan(20);
  await section.getByRole('button', { name: 'Cancel' }).click();
  await expect(section.getByTestId('read-all-summary')).toHaveText('Cancelled. What was read before is kept below.', { timeout: 20_000 });
  await expect(section.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  // Pack 1 was read in full; pack 16 was not reached.
  await expect(section.getByTestId('read-all-1')).toContainText('groups read.');
  await expect(section.getByTestId('read-all-1')).not.toContainText('not read');
  await expect(section.getByTestId('read-all-16')).toContainText('Not read: cancelled before this pack');
  await expect(section.getByTestId('read-all-16')).not.toContainText('Did not answer');
  await expect(page.getByTestId('pack-list').locator('li').first()).not.toContainText('Not read yet');
  await expect(page.getByTestId('pack-list').locator('li').last()).toContainText('Not read yet');

  // Live values came back after the lease: every pack is polled fresh again.
  const polledAfter = await page.evaluate(() => window.__packservice!.session.clock.now());
  await page.waitForFunction((t) => window.__packservice!.session.packs.every((p) => p.fresh && (p.received_ms ?? 0) > t), polledAfter, {
    timeout: 30_000
  });

  // The whole bank, start to end.
  await section.getByRole('button', { name: 'Read all 16 packs' }).click();
  await expect(section.getByTestId('read-all-summary')).toContainText(/^Every pack read in \d+\.\d s\.$/, { timeout: 120_000 });
  for (const address of [1, 8, 16]) {
    await expect(section.getByTestId(`read-all-${address}`)).toContainText('groups read.');
    await expect(section.getByTestId(`read-all-${address}`)).not.toContainText('not read');
  }
  await expect(page.getByTestId('pack-list').locator('li').last()).not.toContainText('Not read yet');
});

test('a snapshot compared with the pack after a write; a profile saved, loaded back and compared', async ({ page }) => {
  test.setTimeout(180_000);
  await openDemoParameters(page, 4);
  await expect(page.getByTestId('read-state')).toContainText('Read from the pack at');

  // Save the pack's values as a profile file.
  const profiles = page.getByTestId('profiles');
  await profiles.getByLabel('Profile name').fill('Site B');
  const [download] = await Promise.all([page.waitForEvent('download'), profiles.getByRole('button', { name: 'Save as a profile file' }).click()]);
  expect(download.suggestedFilename()).toBe('Site-B.json');
  const saved = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { format: string; name: string; parameters: Record<string, unknown> };
  expect(saved.format).toBe('packservice.parameter-profile');
  expect(saved.name).toBe('Site B');
  expect(saved.parameters['sleep.delay_min']).toBe(5);

  // Change one value on the pack.
  await page.getByLabel('Sleep Delay Time', { exact: true }).fill('9');
  await page.getByTestId('write').click();
  await expect(page.getByTestId('write-report')).toHaveAttribute('data-outcome', 'written', { timeout: 30_000 });
  await expect(page.getByLabel('Sleep Delay Time', { exact: true })).toHaveValue('9');

  // The snapshot taken before the write, compared with the pack now: one value differs.
  const snapshot = page.getByTestId('snapshot').filter({ hasText: 'Before a write' }).first();
  await snapshot.getByRole('button', { name: 'Compare with the pack' }).click();
  await expect(snapshot.getByRole('button', { name: 'Compare with the pack' })).toHaveAttribute('aria-expanded', 'true');
  await expect(snapshot).toContainText('1 value(s) differ from the pack now (marked ≠).');
  const changed = snapshot.locator('tr.differ');
  await expect(changed).toHaveCount(1);
  await expect(changed).toContainText('Sleep Delay Time');
  await expect(changed).toContainText('5 min');
  await expect(changed).toContainText('9 min ≠');

  // The saved file, loaded back: it differs from the pack in that one value too.
  await profiles
    .getByTestId('profile-file')
    .setInputFiles({ name: 'Site-B.json', mimeType: 'application/json', buffer: readFileSync((await download.path())!) });
  await expect(profiles.getByTestId('profile-loaded')).toContainText('Profile “Site B” loaded');
  await expect(profiles.getByTestId('profile-compare-summary')).toContainText('1 value(s) of the file differ from Pack 4 (marked ≠).');
  await expect(profiles.getByTestId('profile-compare').locator('tr.differ')).toContainText('Sleep Delay Time');

  // Applied to this pack: the pack holds the file's values again, and the page says so.
  await profiles.getByRole('button', { name: 'Apply the profile to Pack 4' }).click();
  await expect(profiles.getByTestId('profile-compare-summary')).toContainText('Pack 4 already holds every value of this profile.', {
    timeout: 30_000
  });
  await expect(page.getByLabel('Sleep Delay Time', { exact: true })).toHaveValue('5');
});

// The app-wide recorder in Chromium's real IndexedDB: the demo bank is recorded while any page is
// open, the pack page's trends read the recording so they are still there after a reload, and a
// full disk (a real QuotaExceededError, through CDP's Storage.overrideQuotaForOrigin as
// storage.spec.ts does) stops recording with a notice on the page, keeps every row written before
// it, and leaves polling alone. Rows are counted through the layout's test hook (session.database()).

import { expect, test, type Page } from '@playwright/test';
import { openDemo, waitForLiveBank } from './monitor-helpers';

test.setTimeout(180_000);

/** Rows stored for every device, and the sum of the recording entries' row counts. */
async function storedRows(page: Page): Promise<{ rows: number; entries: number; devices: number }> {
  return page.evaluate(async () => {
    const db = await window.__packservice!.session.database();
    const recordings = await db.telemetry.recordings();
    const devices = [...new Set(recordings.map((r) => r.device))];
    let rows = 0;
    for (const d of devices) for await (const _ of db.telemetry.samples(d, { from_ms: 0, to_ms: Date.now() + 86_400_000 })) rows++;
    return { rows, entries: recordings.reduce((n, r) => n + r.rows, 0), devices: devices.length };
  });
}

async function written(page: Page): Promise<number> {
  return Number(await page.getByTestId('recording-status').getAttribute('data-written'));
}

test('records while connected; after a reload the pack’s trends still show what was recorded', async ({ page }) => {
  await openDemo(page);
  await page.goto('/settings');
  await waitForLiveBank(page);
  const status = page.getByTestId('recording-status');
  await expect(status).toHaveAttribute('data-state', 'recording', { timeout: 30_000 });
  // At least two flushes (every 10 s) committed.
  await expect.poll(() => written(page), { timeout: 60_000 }).toBeGreaterThan(16 * 10);
  await expect(status).toContainText(/\d+\s?(kB|MB|GB) used/);
  await page.goto('/pack/1');
  await waitForLiveBank(page);
  const trend = page.getByTestId('trend');
  await expect(trend).toHaveAttribute('data-phase', 'ready');
  const reloadAt = Date.now();

  await page.reload();
  await waitForLiveBank(page);
  await expect(trend).toHaveAttribute('data-phase', 'ready');
  // The recorded part: points before this page load, from the recording (a 1 h window is cut into
  // 800 buckets of 4.5 s, so the ~25 s recorded before the reload are a handful of points).
  await expect.poll(async () => Number(await trend.getAttribute('data-recorded-points')), { timeout: 30_000 }).toBeGreaterThan(2);
  const first = Number(await trend.getAttribute('data-first-ms'));
  expect(first).toBeLessThan(reloadAt - 15_000);
  await expect(trend).toHaveAttribute('data-recorded', 'ready');
  await expect(trend.locator('table.summary')).toContainText(/Pack voltage\s*\d+\.\d\d\sV/);
  await expect(trend).toContainText(/points from the recording/);
  // Live samples keep arriving after the recorded ones.
  await expect.poll(async () => page.evaluate(() => window.__packservice?.session.trend(1)?.length ?? 0)).toBeGreaterThan(2);
});

test.describe('a full disk', () => {
  test.use({ serviceWorkers: 'block' });

  test('is shown, recording stops cleanly, every row written before is still there, polling goes on', async ({ page, context }) => {
    await openDemo(page);
    await page.goto('/logs');
    await waitForLiveBank(page);
    const status = page.getByTestId('recording-status');
    await expect(status).toHaveAttribute('data-state', 'recording', { timeout: 30_000 });
    await expect.poll(() => written(page), { timeout: 60_000 }).toBeGreaterThan(0);

    const origin = new URL(page.url()).origin;
    const cdp = await context.newCDPSession(page);
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 60_000 });
    try {
      const notice = page.getByTestId('recording-notice');
      await expect(notice).toHaveAttribute('data-reason', 'quota', { timeout: 150_000 });
      await expect(notice).toContainText('Recording stopped');
      await expect(notice).toContainText('the disk is full');
      await expect(notice).toContainText('Everything recorded before is kept');
      await expect(status).toHaveAttribute('data-state', 'stopped');
      await expect(status).toHaveAttribute('data-reason', 'quota');
      const before = await written(page);
      expect(before).toBeGreaterThan(0);
      // Every row the recorder reported written is stored, and nothing of the flush that failed.
      const stored = await storedRows(page);
      test.info().annotations.push({ type: 'rows stored before the quota ran out', description: String(stored.rows) });
      expect(stored.rows).toBe(before);
      expect(stored.entries).toBe(before);
      // Polling is not affected: every pack live, and the count stays where it stopped.
      await waitForLiveBank(page);
      await page.waitForTimeout(3000);
      expect(await written(page)).toBe(before);
      expect((await storedRows(page)).rows).toBe(before);
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    }
    // Room again: restart from the notice, and rows are stored again.
    await page.getByTestId('recording-notice').getByRole('button', { name: 'Restart recording' }).click();
    await expect(status).toHaveAttribute('data-state', 'recording', { timeout: 30_000 });
    await expect(page.getByTestId('recording-notice')).toHaveCount(0);
    const stopped = (await storedRows(page)).rows;
    await expect.poll(async () => (await storedRows(page)).rows, { timeout: 60_000 }).toBeGreaterThan(stopped);
  });
});

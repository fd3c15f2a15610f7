// The history, logs and statistics pages at phone width (390 px) with data on them: the page itself
// never scrolls sideways, and nothing sticks out of the screen except inside a box that scrolls
// on its own (a wide table in its .table-scroll). Screenshots show what it looks like; this keeps
// it from coming back.

import { expect, test, type Page } from '@playwright/test';
import { openDemo, waitForLiveBank } from './monitor-helpers';

test.setTimeout(240_000);
test.use({ viewport: { width: 390, height: 844 } });

interface Overflow {
  pageWidth: number;
  viewport: number;
  /** Elements reaching past the right edge with no scrolling or clipping box around them. */
  outside: string[];
}

async function overflow(page: Page): Promise<Overflow> {
  return page.evaluate(() => {
    const outside: string[] = [];
    const viewport = document.documentElement.clientWidth;
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= viewport + 1) continue;
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') {
          clipped = true;
          break;
        }
      }
      if (!clipped)
        outside.push(
          `${el.tagName.toLowerCase()}.${String(el.className).trim()} right=${Math.round(r.right)} "${(el.textContent ?? '').trim().slice(0, 40)}"`
        );
    }
    return { pageWidth: document.documentElement.scrollWidth, viewport, outside: outside.slice(0, 10) };
  });
}

async function expectFits(page: Page): Promise<void> {
  const o = await overflow(page);
  expect(o.outside, `elements past the right edge of ${page.url()}`).toEqual([]);
  expect(o.pageWidth, `page width of ${page.url()}`).toBeLessThanOrEqual(o.viewport);
}

test('history, logs and statistics fit a 390 px phone with data on them', async ({ page }) => {
  await openDemo(page);
  await page.goto('/history');
  // Before anything is read: the pack list.
  await expect(page.getByTestId('history-pack-1')).toHaveAttribute('data-reach', 'readable', { timeout: 30_000 });
  await expectFits(page);

  // One pack's log read: outcomes, filters, chart, the records as cards, export and clear.
  await page.getByRole('button', { name: 'Read the log of pack 1', exact: true }).click();
  await expect(page.getByTestId('history-outcomes').locator('li[data-address="1"]')).toHaveAttribute('data-stop', 'end', { timeout: 150_000 });
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toBeVisible();
  await expectFits(page);
  await page.locator('#history-pack').selectOption({ index: 1 });
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toBeVisible();
  await expectFits(page);

  // Recorded meanwhile: the logs page with its trend and sessions (one opened), and statistics.
  await page.goto('/logs');
  await waitForLiveBank(page);
  await expect(page.locator('[data-testid="trend"][data-phase="ready"]')).toBeVisible({ timeout: 30_000 });
  await expect.poll(async () => Number(await page.getByTestId('logs-sessions').getAttribute('data-count')), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.getByTestId('logs-sessions').locator('summary').first().click();
  await expect(page.getByTestId('logs-sessions').locator('details[open] table')).toBeVisible();
  await expectFits(page);

  await page.goto('/statistics');
  await expect(page.getByTestId('stats')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expectFits(page);
});

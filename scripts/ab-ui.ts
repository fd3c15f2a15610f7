// Compares the refresh cost of two builds on this noisy shared machine: two `vite preview`s (one
// per checkout), one Chromium with a context each, and short blocks of refreshes taken in turn,
// A, B, A, B…, so both see the same load. Prints per-view medians and p95 of main-thread CPU ms
// and how often B's block was cheaper than the A block next to it. A dev tool, not a bench group.
//   npx tsx scripts/ab-ui.ts /path/to/checkout-A [/path/to/checkout-B (default: this one)]
//   ROUNDS=12 (blocks per side and view), VIEWS=top,heatmap,pack, CSS_B='css added to B only'
// Both checkouts must be built (`npm run build`); node_modules may be a symlink.
import { chromium, type Page } from 'playwright-core';
import { resolve } from 'node:path';
import { CHROMIUM_ARGS } from '../playwright.config';
import { ROOT, openBenchPage, percentile, startPreview } from './bench/_ui-harness';
import { cellCheck, navigate, refreshes, timeRefreshes, voltageCheck, type Check } from './bench/ui';

const [dirA, dirB = ROOT] = process.argv.slice(2).map((d) => resolve(d));
if (!dirA) throw new Error('usage: npx tsx scripts/ab-ui.ts <checkout A> [checkout B]');
const ROUNDS = Number(process.env.ROUNDS ?? 12);
const BLOCK = 8;
const views = (process.env.VIEWS ?? 'top,heatmap,pack').split(',');

/** What must show at once and what after idle time, per view (as in the ui bench group). */
function checks(view: string, tick: number): [Check, Check | null] {
  if (view === 'pack') return [voltageCheck('[data-testid="fig-voltage"]', 3, tick), null];
  const card = voltageCheck('[data-testid="pack-card-1"]', 1, tick);
  return view === 'heatmap' ? [cellCheck(tick), card] : [card, cellCheck(tick)];
}

async function goTo(page: Page, view: string): Promise<void> {
  if (view === 'pack') {
    await navigate(page, '/pack/3');
    await page.locator('[data-testid="trend"][data-phase="ready"]').waitFor();
    return;
  }
  if (!page.url().endsWith('/overview')) {
    await navigate(page, '/overview');
    await page.getByTestId('pack-card-1').waitFor();
  }
  if (view === 'heatmap') await page.getByTestId('cell-heatmap').scrollIntoViewIfNeeded();
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(500);
}

const previews = [await startPreview(60_000, dirA), await startPreview(60_000, dirB)];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const pages = [await openBenchPage(browser, previews[0].url), await openBenchPage(browser, previews[1].url)];
  // CSS_B: a style sheet added to side B only, to try a CSS change without a second build.
  if (process.env.CSS_B) await pages[1].addStyleTag({ content: process.env.CSS_B });
  let tick = 1000;
  for (const view of views) {
    const samples: number[][] = [[], []];
    const idle: number[][] = [[], []];
    let bWins = 0;
    for (const [side, page] of pages.entries()) {
      await goTo(page, view);
      // Warm-up: JIT, glyph caches.
      await timeRefreshes(page, refreshes(tick), checks(view, tick)[0], 2, 10);
      tick += 400;
      void side;
    }
    for (let r = 0; r < ROUNDS; r++) {
      const medians: number[] = [];
      for (const [side, page] of pages.entries()) {
        const [now, later] = checks(view, tick);
        const t = await timeRefreshes(page, refreshes(tick), now, BLOCK, 1, later);
        tick += 400;
        samples[side].push(...t.cpu_ms);
        idle[side].push(...t.idle_cpu_ms);
        medians.push(percentile(t.cpu_ms, 50));
      }
      if (medians[1] < medians[0]) bWins++;
    }
    const fmt = (v: number[]) => `p50 ${percentile(v, 50).toFixed(2)}  p95 ${percentile(v, 95).toFixed(2)}  (n=${v.length})`;
    const idleP50 = (side: number) => `idle p50 ${percentile(idle[side], 50).toFixed(2)}`;
    console.log(`${view.padEnd(8)} A ${fmt(samples[0])}  ${idleP50(0)}`);
    console.log(`${''.padEnd(8)} B ${fmt(samples[1])}  ${idleP50(1)}   B cheaper in ${bWins}/${ROUNDS} paired blocks`);
  }
} finally {
  await browser.close();
  for (const p of previews) await p.stop();
}

// Bench group "ui": main-thread cost of the monitoring pages in Debian's Chromium, on the built
// app served by `vite preview`.
//
//   update_ms_p50 / update_ms_p95  one full 16-pack refresh (16 PackUpdates with new analog and
//                                  status values) applied at the start of a frame, until the end of
//                                  that frame's rendering (JS, style, layout, paint, commit), as
//                                  main-thread CPU time (thread clock of two trace marks); p50 over
//                                  all samples, p95 of the worse page.
//   update_wall_ms_p50 / _p95      the same windows in wall time, which also holds whatever else
//                                  the shared machine ran meanwhile.
//                                  Targets: p95 <= 8 ms.
//                                  A sample that a timer callback fell into (the demo bank's own
//                                  physics, the age tick, a deferred chart redraw) is measured
//                                  again; update_samples_retried counts those.
//   overview_update_ms_p95         the same at the top of the overview (totals and cards),
//   heatmap_update_ms_p95          scrolled to the cell heatmap,
//   pack_update_ms_p95             and on a pack page with live trends.
//   update_idle_ms_p50 / _p95      main-thread CPU from the end of each window to the first idle
//                                  callback after it: sections that are off screen (the
//                                  overview's heatmaps under the cards, the cards above the
//                                  heatmaps) take a refresh in idle time, not in its frame
//                                  (src/lib/ui/catch-up.ts). Reported so that moving work out of
//                                  the window cannot hide it (not part of the target).
//   overview_one_pack_ms_p50/_p95  one pack's update alone on the overview, as the poller
//                                  delivers them in a cycle (not part of the target).
//   chart_live_redraw_ms           the trend redraw that follows new samples (at most once a
//                                  second, outside the refresh). Median.
//   chart_24h_ms                   navigating to a pack page whose trends hold 24 h at one sample
//                                  per 5 s (17,280 samples, every pack's buffer full) with the 24 h
//                                  range, until every chart is drawn. Median of 5. Target <= 150 ms.
//                                  Pack pages reuse the plots of the last one (trend-chart.ts),
//                                  so these five are warm, as every pack page after the first is.
//   chart_24h_first_ms             the same for the first pack page of a fresh visit, whose
//                                  plots are built new. One sample (not part of the target).
//   chart_24h_redraw_ms            switching a mounted chart from 1 h to 24 h. Median of 5.
//
// How updates get in: the demo bank is connected as a person would (Connect page, "Open demo
// bank"), then takeOverUpdates() (tests/e2e/monitor-helpers.ts) re-attaches the session once with
// the poller's onUpdate wrapped, so the bench holds the session's own update listener, and stops
// the poller. Each refresh then goes through exactly the code path a real poll takes
// (DeviceSession's update handler, totals, trend push, every page derivation), with values from
// tests/fixtures/synthetic-bank.ts that change on every tick. After each refresh the bench checks
// that the page shows the new values.

import { run as runBundle } from './bundle';
import { loadavg } from 'node:os';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../playwright.config';
import type { BenchFigures } from '../bench';
import { syntheticAnalog, syntheticRefresh } from '../../tests/fixtures/synthetic-bank';
import { formatVoltage } from '../../src/lib/ui/format';
import { ensureBuild, openBenchPage, percentile, round, startPreview, traceDuring } from './_ui-harness';
import type { PackUpdate } from '../../src/lib/protocol/bank-types';

const PACKS = 16;
const REFRESHES = 60;
const CHART_REPS = 5;
const DAY_SAMPLES = 17_280;

declare global {
  interface Window {
    __timersRun?: number;
  }
}

/** Times of one page: kept samples and how many were measured again because a timer ran inside. */
export interface Timed {
  /** Main-thread CPU time of each kept refresh window (thread time between two trace marks). */
  cpu_ms: number[];
  /**
   * Main-thread CPU time from the end of each kept window to the first idle callback after it:
   * the work off-screen sections do in idle time to catch up (catch-up.ts), plus the wait's own
   * small cost.
   */
  idle_cpu_ms: number[];
  /** Wall time of the same windows: adds whatever else the machine ran meanwhile. */
  wall_ms: number[];
  retried: number;
}

/**
 * Applies `refreshes` (each one full bank) one by one. Each starts at the beginning of a frame
 * (in a requestAnimationFrame callback) and its window ends with the first task after that
 * frame, so every sample holds the same work: the refresh's JS and the rendering it causes
 * (style, layout, paint, commit), and no idle wait for vsync. The figure is the main thread's
 * CPU time inside the window, read from the thread clock of two trace marks: on a shared 2-core
 * machine, wall time there also counts whatever other process had the core (kept as wall_ms).
 * A window a timer callback fell into (the demo bank's physics, the age tick, a deferred chart
 * redraw) is measured again with the next refresh. After each window, `check` must hold (what is
 * on screen shows the refresh); then the bench waits for an idle callback, after which `later`
 * must hold too (an off-screen section caught up in idle time).
 */
export async function timeRefreshes(
  page: Page,
  refreshes: PackUpdate[][],
  check: Check | null,
  wanted: number,
  warmup = 10,
  later: Check | null = null
): Promise<Timed> {
  const { result, events } = await traceDuring(page, 'blink.user_timing', () =>
    page.evaluate(
      async ({ refreshes, check, wanted, warmup, later }) => {
        const apply = window.__monitorApply;
        const s = window.__packservice?.session;
        if (!apply || !s) throw new Error('bench hook missing');
        const channel = new MessageChannel();
        const nextTask = () =>
          new Promise<void>((resolve) => {
            channel.port1.onmessage = () => resolve();
            channel.port2.postMessage(null);
          });
        const kept: number[] = [];
        const wall: number[] = [];
        let retried = 0;
        // The first refreshes on a page warm up the JIT and the glyph caches; not counted.
        for (let i = 0; i < refreshes.length && kept.length < wanted; i++) {
          await new Promise((r) => requestAnimationFrame(r));
          const now = s.clock.now();
          const timers = window.__timersRun ?? 0;
          performance.mark(`ui-refresh-${i}:start`);
          const t0 = performance.now();
          for (const u of refreshes[i]) {
            u.received_ms = now;
            u.health.lastGood_ms = now;
            apply(u);
          }
          await nextTask();
          const dt = performance.now() - t0;
          performance.mark(`ui-refresh-${i}:end`);
          if (i < warmup) {
            // not counted
          } else if ((window.__timersRun ?? 0) === timers) {
            kept.push(i);
            wall.push(dt);
          } else retried++;
          const expect = (c: { selectors: string[]; texts: string[] }, when: string) => {
            const shown = document.querySelector(c.selectors[i])?.textContent ?? '';
            if (!shown.includes(c.texts[i]))
              throw new Error(`refresh ${i} ${when}: expected "${c.texts[i]}" in ${c.selectors[i]}, page shows "${shown.trim()}"`);
          };
          if (check) expect(check, 'after its frame');
          await new Promise((r) => requestIdleCallback(r, { timeout: 2000 }));
          performance.mark(`ui-refresh-${i}:idle`);
          if (later) expect(later, 'after idle time');
          // Idle between refreshes, as between polls; lets deferred work (chart redraws) happen.
          await new Promise((r) => setTimeout(r, 120));
        }
        if (kept.length < wanted) throw new Error(`only ${kept.length} clean samples of ${wanted} (timers kept interrupting)`);
        performance.clearMarks();
        return { kept, wall, retried };
      },
      { refreshes, check, wanted, warmup, later }
    )
  );
  const marks = new Map(events.filter((e) => e.cat.includes('blink.user_timing')).map((e) => [e.name, e]));
  const cpuBetween = (i: number, from: string, to: string) => {
    const a = marks.get(`ui-refresh-${i}:${from}`);
    const b = marks.get(`ui-refresh-${i}:${to}`);
    if (a?.tts === undefined || b?.tts === undefined) throw new Error(`refresh ${i}: no thread time on its trace marks`);
    return (b.tts - a.tts) / 1000;
  };
  const cpu_ms = result.kept.map((i) => cpuBetween(i, 'start', 'end'));
  const idle_cpu_ms = result.kept.map((i) => cpuBetween(i, 'end', 'idle'));
  return { cpu_ms, idle_cpu_ms, wall_ms: result.wall, retried: result.retried };
}

/** Enough refreshes to get REFRESHES clean samples after the warm-up, even when every other one is retried. */
const ATTEMPTS = REFRESHES * 3 + 10;

export function refreshes(firstTick: number): PackUpdate[][] {
  return Array.from({ length: ATTEMPTS }, (_, i) => syntheticRefresh(PACKS, firstTick + i, 0));
}

/** What the page must show after refresh i: `texts[i]` inside `selectors[i]`. */
export interface Check {
  selectors: string[];
  texts: string[];
}

/** Pack `address`'s voltage in each refresh, shown in `selector`. */
export function voltageCheck(selector: string, address: number, firstTick: number): Check {
  return {
    selectors: Array.from({ length: ATTEMPTS }, () => selector),
    texts: Array.from({ length: ATTEMPTS }, (_, i) => formatVoltage(syntheticAnalog(address, firstTick + i).voltage_V))
  };
}

/** Pack 1's cell 1 in each refresh, as the cell heatmap's table (the canvas's text) shows it. */
export function cellCheck(firstTick: number): Check {
  return {
    selectors: Array.from({ length: ATTEMPTS }, () => '[data-testid="cell-heatmap"] tbody tr:first-child td:first-of-type'),
    texts: Array.from({ length: ATTEMPTS }, (_, i) => String(syntheticAnalog(1, firstTick + i).cells_mV[0]))
  };
}

/**
 * One pack at a time, as the poller delivers them: refresh i updates pack (i mod 16) + 1 only.
 * Shows the cost every update pays whatever its size.
 */
function arrivals(firstTick: number): { refreshes: PackUpdate[][]; check: Check } {
  const refreshes: PackUpdate[][] = [];
  const selectors: string[] = [];
  const texts: string[] = [];
  for (let i = 0; i < ATTEMPTS; i++) {
    const address = (i % PACKS) + 1;
    const tick = firstTick + Math.floor(i / PACKS);
    refreshes.push([syntheticRefresh(PACKS, tick, 0)[address - 1]]);
    selectors.push(`[data-testid="pack-card-${address}"]`);
    texts.push(formatVoltage(syntheticAnalog(address, tick).voltage_V));
  }
  return { refreshes, check: { selectors, texts } };
}

/** Client-side navigation by clicking a link, as a person would. */
export async function navigate(page: Page, href: string): Promise<void> {
  await page.evaluate((href) => {
    const a = document.createElement('a');
    a.href = href;
    document.body.append(a);
    a.click();
    a.remove();
  }, href);
}

async function fillDayOfTrends(page: Page): Promise<void> {
  await page.evaluate(
    ({ samples }) => {
      const s = window.__packservice?.session;
      if (!s) throw new Error('no session');
      const end = s.clock.now();
      for (const p of s.packs) {
        const b = s.trend(p.address);
        if (!b) throw new Error(`pack ${p.address} has no trend buffer`);
        b.clear();
        for (let i = 0; i < samples; i++) {
          const t = end - (samples - 1 - i) * 5000;
          const wave = Math.sin(i / 400 + p.address);
          b.push({
            t_ms: t,
            voltage_V: 52 + wave,
            current_A: 20 * wave,
            soc_pct: 60 + 30 * wave,
            cellSpread_mV: 8 + 4 * Math.abs(wave),
            maxTemp_C: 28 + 3 * wave,
            minTemp_C: 22 + 2 * wave
          });
        }
      }
    },
    { samples: DAY_SAMPLES }
  );
}

/** From the click on a link to every chart drawn (the task after the charts are built). */
async function timeChartMount(page: Page, href: string): Promise<number> {
  return page.evaluate(async (href) => {
    const channel = new MessageChannel();
    const nextTask = () =>
      new Promise<void>((resolve) => {
        channel.port1.onmessage = () => resolve();
        channel.port2.postMessage(null);
      });
    const ready = () => document.querySelector('[data-testid="trend"][data-phase="ready"]');
    const t0 = performance.now();
    const a = document.createElement('a');
    a.href = href;
    document.body.append(a);
    a.click();
    a.remove();
    await new Promise<void>((resolve, reject) => {
      if (ready()) return resolve();
      const mo = new MutationObserver(() => {
        if (ready()) {
          mo.disconnect();
          resolve();
        }
      });
      mo.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
      setTimeout(() => reject(new Error('trend did not get ready within 20 s')), 20_000);
    });
    await nextTask();
    void document.body.offsetHeight;
    return performance.now() - t0;
  }, href);
}

async function timeRangeSwitch(page: Page): Promise<number> {
  await page.getByRole('button', { name: '1 h', exact: true }).click();
  await page.waitForTimeout(100);
  return page.evaluate(async () => {
    const channel = new MessageChannel();
    const button = [...document.querySelectorAll('[data-testid="trend"] button')].find((b) => b.textContent?.trim() === '24 h') as HTMLButtonElement;
    const t0 = performance.now();
    button.click();
    await new Promise<void>((resolve) => {
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
    void document.body.offsetHeight;
    return performance.now() - t0;
  });
}

const median = (v: number[]) => percentile(v, 50);

export async function run(): Promise<BenchFigures> {
  ensureBuild();
  const preview = await startPreview();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await openBenchPage(browser, preview.url, PACKS);
    const context = page.context();

    // Overview, top of the page: the cards show the refresh in its frame, the heatmaps below catch up in idle time.
    const overview = await timeRefreshes(page, refreshes(1000), voltageCheck('[data-testid="pack-card-1"]', 1, 1000), REFRESHES, 10, cellCheck(1000));
    const oneByOne = arrivals(6000);
    // Half the cards are below the fold and take their pack's update in idle time: checked after it.
    const arrival = await timeRefreshes(page, oneByOne.refreshes, null, REFRESHES, 10, oneByOne.check);
    // Overview scrolled to the cell heatmap, the part with the most values on screen.
    await page.getByTestId('cell-heatmap').scrollIntoViewIfNeeded();
    const heatmap = await timeRefreshes(page, refreshes(4000), cellCheck(4000), REFRESHES, 10, voltageCheck('[data-testid="pack-card-1"]', 1, 4000));
    await page.evaluate(() => window.scrollTo(0, 0));

    await navigate(page, '/pack/3');
    await page.locator('[data-testid="trend"][data-phase="ready"]').waitFor();
    await page.evaluate(() => performance.clearMeasures('trend:redraw'));
    const pack = await timeRefreshes(page, refreshes(2000), voltageCheck('[data-testid="fig-voltage"]', 3, 2000), REFRESHES);
    const liveRedraws = await page.evaluate(() => performance.getEntriesByName('trend:redraw').map((e) => e.duration));

    await fillDayOfTrends(page);
    const mounts: number[] = [];
    const redraws: number[] = [];
    for (let i = 0; i < CHART_REPS; i++) {
      await navigate(page, '/overview');
      await page.getByTestId('pack-card-3').waitFor();
      mounts.push(await timeChartMount(page, '/pack/3?range=24h'));
      const points = await page.evaluate(() => window.__packservice?.session.trend(3)?.length ?? 0);
      if (points !== DAY_SAMPLES) throw new Error(`chart held ${points} samples, expected ${DAY_SAMPLES}`);
      redraws.push(await timeRangeSwitch(page));
    }
    await context.close();

    // The first pack page of a visit builds its plots; later ones reuse them (trend-chart.ts).
    // A fresh page, a day of samples, and one navigation: the cold figure, one sample.
    const coldPage = await openBenchPage(browser, preview.url, PACKS);
    await fillDayOfTrends(coldPage);
    const firstMount = await timeChartMount(coldPage, '/pack/3?range=24h');
    await coldPage.context().close();

    const pages = [overview.cpu_ms, heatmap.cpu_ms, pack.cpu_ms];
    for (const [name, t] of [
      ['overview', overview],
      ['heatmap', heatmap],
      ['pack', pack]
    ] as const) {
      console.error(
        `ui: ${name} refresh, main-thread CPU ms, sorted: ${[...t.cpu_ms]
          .sort((a, b) => a - b)
          .map((v) => v.toFixed(1))
          .join(' ')}`
      );
    }
    const all = pages.flat();
    const wall = [overview.wall_ms, heatmap.wall_ms, pack.wall_ms];
    return {
      update_ms_p50: round(median(all)),
      update_ms_p95: round(Math.max(...pages.map((p) => percentile(p, 95)))),
      overview_update_ms_p95: round(percentile(overview.cpu_ms, 95)),
      heatmap_update_ms_p95: round(percentile(heatmap.cpu_ms, 95)),
      pack_update_ms_p95: round(percentile(pack.cpu_ms, 95)),
      // Not part of the target: one pack's update on the overview, as the poller delivers them.
      overview_one_pack_ms_p50: round(percentile(arrival.cpu_ms, 50)),
      overview_one_pack_ms_p95: round(percentile(arrival.cpu_ms, 95)),
      // Not part of the target: what off-screen sections do after the frame, in idle time, to catch up.
      update_idle_ms_p50: round(median([overview, heatmap, pack].flatMap((t) => t.idle_cpu_ms))),
      update_idle_ms_p95: round(Math.max(...[overview, heatmap, pack].map((t) => percentile(t.idle_cpu_ms, 95)))),
      update_wall_ms_p50: round(median(wall.flat())),
      update_wall_ms_p95: round(Math.max(...wall.map((p) => percentile(p, 95)))),
      update_samples: all.length,
      update_samples_retried: overview.retried + heatmap.retried + pack.retried,
      // A shared 2-core machine: the other engineers' builds and tests slow every figure here.
      load_avg_1m: round(loadavg()[0], 2),
      chart_live_redraw_ms: liveRedraws.length ? round(median(liveRedraws), 1) : null,
      chart_24h_ms: round(median(mounts), 1),
      chart_24h_ms_max: round(Math.max(...mounts), 1),
      chart_24h_redraw_ms: round(median(redraws), 1),
      // Not part of the target: the first pack page of a visit, whose plots are new.
      chart_24h_first_ms: round(firstMount, 1),
      // The issue lists the first page's JS weight under `--only ui` too; the bundle group owns it.
      '/bundle.initial_js_gzip_kB': (await runBundle())['initial_js_gzip_kB']
    };
  } finally {
    await browser.close();
    await preview.stop();
  }
}

// Bench group "ui": main-thread cost of the monitoring pages in Debian's Chromium, on the built
// app served by `vite preview`.
//
//   update_ms_p50 / update_ms_p95  one full 16-pack refresh (16 PackUpdates with new analog and
//                                  status values) applied at the start of a frame, until the end of
//                                  that frame's rendering (JS, style, layout, paint, commit), as
//                                  main-thread CPU time (thread clock of two trace marks). Every
//                                  refresh window counts, whatever else ran in it (the demo bank's
//                                  timers, the age tick, a throttled chart redraw). p50 over all
//                                  windows, p95 of the worst view. Target: p95 <= 16 ms (one frame).
//   overview_update_ms_p95         the same at the top of the overview (totals and cards),
//   heatmap_update_ms_p95          scrolled to the cell heatmap,
//   pack_update_ms_p95             and on a pack page with live trends.
//   update_wall_ms_p50 / _p95      the same windows in wall time, which also holds whatever else
//                                  the shared machine ran meanwhile.
//   bare_table_update_ms_p50 / _p95
//                                  the floor under the heatmap view: the cells of both heatmaps
//                                  (rows x columns read from the page) as two bare HTML tables with
//                                  the same fixed layout, no framework and no app, every cell's text
//                                  and background set on each refresh, timed the same way. What any
//                                  DOM table with these values costs this machine's Chromium.
//   long_tasks_over_50ms           main-thread tasks longer than 50 ms (PerformanceObserver
//                                  'longtask') from the first refresh of a view to its last, all
//                                  three views together. Target: 0.
//   chart_live_redraw_ms           the trend redraw that follows new samples (at most once a
//                                  second, outside the refresh). Median.
//   chart_24h_ms                   navigating to a pack page whose trends hold 24 h at one sample
//                                  per 5 s (17,280 samples, every pack's buffer full) with the 24 h
//                                  range, until every chart is drawn. Median of 5. Target <= 150 ms.
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
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../chromium.mjs';
import type { BenchFigures } from '../bench';
import { targets } from './_targets';
import { syntheticAnalog, syntheticRefresh } from '../../tests/fixtures/synthetic-bank';
import { formatVoltage } from '../../src/lib/ui/format';
import { ensureBuild, openBenchPage, percentile, round, startPreview, traceDuring } from './_ui-harness';
import type { PackUpdate } from '../../src/lib/protocol/bank-types';

const PACKS = 16;
const REFRESHES = 60;
const CHART_REPS = 5;
const DAY_SAMPLES = 17_280;

/** What the page must show after refresh i: `texts[i]` inside `selectors[i]`. */
interface Check {
  selectors: string[];
  texts: string[];
}

interface Timed {
  /** Main-thread CPU time of each refresh window (thread time between two trace marks). */
  cpu_ms: number[];
  /** Wall time of the same windows: adds whatever else the machine ran meanwhile. */
  wall_ms: number[];
  /** Main-thread tasks over 50 ms while the refreshes ran. */
  longTasks: number;
}

/**
 * Applies the refreshes (each one full bank) one by one. Each starts at the beginning of a frame
 * (in a requestAnimationFrame callback) and its window ends with the first task after that
 * frame, so every window holds the refresh's JS and the rendering it causes (style, layout,
 * paint, commit), plus any timer that fell into it. The figure is the main thread's CPU time
 * inside the window, read from the thread clock of two trace marks: on a shared 2-core machine,
 * wall time there also counts whatever other process had the core (kept as wall_ms). After each
 * window every check must hold (the page shows the refresh).
 */
async function timeRefreshes(page: Page, refreshes: PackUpdate[][], checks: Check[]): Promise<Timed> {
  const { result, events } = await traceDuring(page, 'blink.user_timing', () =>
    page.evaluate(
      async ({ refreshes, checks }) => {
        const apply = window.__monitorApply;
        const s = window.__packservice?.session;
        if (!apply || !s) throw new Error('bench hook missing');
        const channel = new MessageChannel();
        const nextTask = () =>
          new Promise<void>((resolve) => {
            channel.port1.onmessage = () => resolve();
            channel.port2.postMessage(null);
          });
        const long = new PerformanceObserver(() => undefined);
        long.observe({ type: 'longtask' });
        const wall: number[] = [];
        for (let i = 0; i < refreshes.length; i++) {
          await new Promise((r) => requestAnimationFrame(r));
          const now = s.clock.now();
          performance.mark(`ui-refresh-${i}:start`);
          const t0 = performance.now();
          for (const u of refreshes[i]) {
            u.received_ms = now;
            u.health.lastGood_ms = now;
            apply(u);
          }
          await nextTask();
          wall.push(performance.now() - t0);
          performance.mark(`ui-refresh-${i}:end`);
          for (const c of checks) {
            const shown = document.querySelector(c.selectors[i])?.textContent ?? '';
            if (!shown.includes(c.texts[i]))
              throw new Error(`refresh ${i}: expected "${c.texts[i]}" in ${c.selectors[i]}, page shows "${shown.trim()}"`);
          }
          // A pause between refreshes, in which throttled work (chart redraws) may run.
          await new Promise((r) => setTimeout(r, 120));
        }
        const longTasks = long.takeRecords().length;
        long.disconnect();
        performance.clearMarks();
        return { wall, longTasks };
      },
      { refreshes, checks }
    )
  );
  const marks = new Map(events.filter((e) => e.cat.includes('blink.user_timing')).map((e) => [e.name, e]));
  const cpu_ms = refreshes.map((_, i) => {
    const a = marks.get(`ui-refresh-${i}:start`);
    const b = marks.get(`ui-refresh-${i}:end`);
    if (a?.tts === undefined || b?.tts === undefined) throw new Error(`refresh ${i}: no thread time on its trace marks`);
    return (b.tts - a.tts) / 1000;
  });
  return { cpu_ms, wall_ms: result.wall, longTasks: result.longTasks };
}

function refreshes(firstTick: number): PackUpdate[][] {
  return Array.from({ length: REFRESHES }, (_, i) => syntheticRefresh(PACKS, firstTick + i, 0));
}

function check(selector: string, text: (tick: number) => string, firstTick: number): Check {
  return {
    selectors: Array.from({ length: REFRESHES }, () => selector),
    texts: Array.from({ length: REFRESHES }, (_, i) => text(firstTick + i))
  };
}

/** Pack `address`'s voltage in each refresh, shown in `selector`. */
const voltageCheck = (selector: string, address: number, firstTick: number) =>
  check(selector, (tick) => formatVoltage(syntheticAnalog(address, tick).voltage_V), firstTick);

/** Pack 1's cell 1 in each refresh, in the cell heatmap. */
const cellCheck = (firstTick: number) =>
  check('[data-testid="cell-heatmap"] tbody tr:first-child td', (tick) => String(syntheticAnalog(1, tick).cells_mV[0]), firstTick);

/** Client-side navigation by clicking a link, as a person would. */
async function navigate(page: Page, href: string): Promise<void> {
  await page.evaluate((href) => {
    const a = document.createElement('a');
    a.href = href;
    document.body.append(a);
    a.click();
    a.remove();
  }, href);
}

/** Rows and value cells per row of each heatmap on the page. */
async function heatmapShapes(page: Page): Promise<{ rows: number; cols: number }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('section.heatmap table')].map((t) => {
      const rows = [...t.querySelectorAll('tbody tr')];
      return { rows: rows.length, cols: Math.max(0, ...rows.map((r) => r.querySelectorAll('td').length)) };
    })
  );
}

/** Plain HTML tables of these shapes, styled as HeatTable lays its cells out. */
function bareTablesHtml(shapes: { rows: number; cols: number }[]): string {
  const css =
    'body{font-family:system-ui,sans-serif;margin:16px}table{table-layout:fixed;border-collapse:separate;border-spacing:0;' +
    'font-size:14px;margin-bottom:24px}th,td{height:40px;padding:0 2px;text-align:center;white-space:nowrap;width:50px}' +
    'th{width:104px}td{font-weight:600}.v{display:block;height:39px;line-height:39px}';
  const table = ({ rows, cols }: { rows: number; cols: number }) =>
    '<table><tbody>' +
    Array.from({ length: rows }, (_, r) => `<tr><th>Pack ${r + 1}</th>${'<td><span class="v">3300</span></td>'.repeat(cols)}</tr>`).join('') +
    '</tbody></table>';
  return `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body>${shapes.map(table).join('')}</body></html>`;
}

/** The floor: every cell of bare tables gets a new value and colour per refresh (see the header). */
async function timeBareTables(browser: Browser, shapes: { rows: number; cols: number }[]): Promise<number[]> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.setContent(bareTablesHtml(shapes));
    const { events } = await traceDuring(page, 'blink.user_timing', () =>
      page.evaluate(async (refreshes) => {
        const cells = [...document.querySelectorAll('td')].map((td) => ({ td, text: td.firstElementChild!.firstChild as Text }));
        const channel = new MessageChannel();
        for (let i = 0; i < refreshes; i++) {
          await new Promise((r) => requestAnimationFrame(r));
          performance.mark(`bare-${i}:start`);
          cells.forEach(({ td, text }, k) => {
            const v = 3300 + ((k * 7 + i * 13) % 97);
            text.data = String(v);
            td.style.backgroundColor = `rgb(${2 * (v - 3300)}, ${200 - 2 * (v - 3300)}, 120)`;
          });
          await new Promise<void>((resolve) => {
            channel.port1.onmessage = () => resolve();
            channel.port2.postMessage(null);
          });
          performance.mark(`bare-${i}:end`);
          await new Promise((r) => setTimeout(r, 120));
        }
      }, REFRESHES)
    );
    const marks = new Map(events.filter((e) => e.cat.includes('blink.user_timing')).map((e) => [e.name, e]));
    return Array.from({ length: REFRESHES }, (_, i) => {
      const a = marks.get(`bare-${i}:start`)?.tts;
      const b = marks.get(`bare-${i}:end`)?.tts;
      if (a === undefined || b === undefined) throw new Error(`bare table refresh ${i}: no thread time on its trace marks`);
      return (b - a) / 1000;
    });
  } finally {
    await page.close();
  }
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
    await new Promise<void>((resolve) => {
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
    void document.body.offsetHeight;
    return performance.now() - t0;
  }, href);
}

async function timeRangeSwitch(page: Page): Promise<number> {
  await page.getByRole('button', { name: '1 h', exact: true }).click();
  await page.waitForTimeout(100);
  return page.evaluate(async () => {
    const channel = new MessageChannel();
    const button = [...document.querySelectorAll('[data-testid="trend"] button')].find(
      (b) => b.textContent?.replace(/\s+/g, ' ').trim() === '24 h'
    ) as HTMLButtonElement;
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

/** Runs in Chromium: the dispatcher checks for the browser before any group runs. */
export const needsChromium = true;

export async function run(): Promise<BenchFigures> {
  ensureBuild();
  const preview = await startPreview();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const page = await openBenchPage(browser, preview.url, PACKS);

    // Overview, top of the page (totals and cards on screen, heatmaps below).
    const overview = await timeRefreshes(page, refreshes(1000), [voltageCheck('[data-testid="pack-card-1"]', 1, 1000), cellCheck(1000)]);
    // Overview scrolled to the cell heatmap, the part with the most values on screen.
    await page.getByTestId('cell-heatmap').scrollIntoViewIfNeeded();
    const heatmap = await timeRefreshes(page, refreshes(4000), [cellCheck(4000), voltageCheck('[data-testid="pack-card-1"]', 1, 4000)]);
    const shapes = await heatmapShapes(page);
    await page.evaluate(() => window.scrollTo(0, 0));

    await navigate(page, '/pack/3');
    await page.locator('[data-testid="trend"][data-phase="ready"]').waitFor();
    await page.evaluate(() => performance.clearMeasures('trend:redraw'));
    const pack = await timeRefreshes(page, refreshes(2000), [voltageCheck('[data-testid="fig-voltage"]', 3, 2000)]);
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
    await page.context().close();
    const bare = await timeBareTables(browser, shapes);

    const views = { overview, heatmap, pack };
    for (const [name, t] of Object.entries(views)) {
      const sorted = [...t.cpu_ms].sort((a, b) => a - b).map((v) => v.toFixed(1));
      console.error(`ui: ${name} refresh, main-thread CPU ms, sorted: ${sorted.join(' ')}`);
    }
    const cpu = Object.values(views).map((t) => t.cpu_ms);
    const wall = Object.values(views).map((t) => t.wall_ms);
    const figures: BenchFigures = {
      update_ms_p50: round(median(cpu.flat())),
      update_ms_p95: round(Math.max(...cpu.map((v) => percentile(v, 95)))),
      overview_update_ms_p95: round(percentile(overview.cpu_ms, 95)),
      heatmap_update_ms_p95: round(percentile(heatmap.cpu_ms, 95)),
      pack_update_ms_p95: round(percentile(pack.cpu_ms, 95)),
      bare_table_update_ms_p50: round(median(bare)),
      bare_table_update_ms_p95: round(percentile(bare, 95)),
      bare_table_cells: shapes.reduce((n, s) => n + s.rows * s.cols, 0),
      update_wall_ms_p50: round(median(wall.flat())),
      update_wall_ms_p95: round(Math.max(...wall.map((v) => percentile(v, 95)))),
      update_samples: cpu.flat().length,
      long_tasks_over_50ms: overview.longTasks + heatmap.longTasks + pack.longTasks,
      // A shared 2-core machine: the other engineers' builds and tests slow every figure here.
      load_avg_1m: round(loadavg()[0], 2),
      chart_live_redraw_ms: liveRedraws.length ? round(median(liveRedraws), 1) : null,
      chart_24h_ms: round(median(mounts), 1),
      chart_24h_ms_max: round(Math.max(...mounts), 1),
      chart_24h_redraw_ms: round(median(redraws), 1)
    };
    Object.assign(figures, targets(figures, { update_ms_p95: ['<=', 16], long_tasks_over_50ms: ['<=', 0], chart_24h_ms: ['<=', 150] }));
    // The issue lists the landing page's JS weight under `--only ui` too; the bundle group owns it.
    const bundle = await runBundle();
    for (const k of ['initial_js_gzip_kB', 'initial_js_gzip_kB.target', 'initial_js_gzip_kB.pass']) figures[`/bundle.${k}`] = bundle[k];
    return figures;
  } finally {
    await browser.close();
    await preview.stop();
  }
}

// Bench group "connect": from the click on "Connect USB cable" to every pack card showing Live,
// in Debian's Chromium on the built app, through the USB serial double (the app's real transport,
// client, poller and session) to a simulated bank in Node on the real clock. A fresh browser
// context each run: nothing stored, baud rate Auto, as a first visit.
//
//   overview_8x9600_s       8 packs at 9600 baud (the bank of issue 16): median of RUNS runs.
//   overview_8x9600_runs_s  every run, comma separated.
//   overview_3x115200_s     3 packs at 115200 baud, found by Auto after 9600 and 19200: one run
//                           (null, with overview_3x115200_error, when the build does not get there).
//
// `CONNECT_BENCH_ROOT=/path/to/other/checkout` measures another build (already built there) with
// this checkout's serial double, to compare.

import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../chromium.mjs';
import type { BenchFigures } from '../bench';
import { createSimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installSerialDouble } from '../../tests/fixtures/serial-double';
import { NAME_HELPER_SCRIPT, ensureBuild, startPreview } from './_ui-harness';

const RUNS = 3;

async function once(browser: Browser, url: string, packs: number, baud: number, seed: string): Promise<number> {
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  await page.addInitScript({ content: NAME_HELPER_SCRIPT });
  const bank = createSimBank({ packCount: packs, seed, clock: realClock, baud, scenario: 'load' });
  const usb = await installSerialDouble(page, bank);
  try {
    await page.goto('/connect');
    await page.getByRole('button', { name: 'Connect USB cable' }).waitFor();
    // Timed in the page: from the click (dispatched there) to the frame where every card is live.
    return await page.evaluate(
      (n) =>
        new Promise<number>((resolve, reject) => {
          const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.includes('Connect USB cable'));
          if (!button) return reject(new Error('no Connect USB cable button'));
          const t0 = performance.now();
          button.click();
          const until = t0 + 60_000;
          const look = () => {
            const live = document.querySelectorAll('[data-testid^="pack-card-"][data-freshness="live"]').length;
            if (live === n) resolve((performance.now() - t0) / 1000);
            else if (performance.now() > until) reject(new Error(`only ${live} of ${n} cards live after 60 s`));
            else requestAnimationFrame(look);
          };
          requestAnimationFrame(look);
        }),
      packs
    );
  } finally {
    usb.dispose();
    bank.dispose();
    await context.close();
  }
}

const round = (x: number) => Number(x.toFixed(3));

/** Runs in Chromium: the dispatcher checks for the browser before any group runs. */
export const needsChromium = true;

export async function run(): Promise<BenchFigures> {
  const root = process.env.CONNECT_BENCH_ROOT;
  if (!root) ensureBuild();
  const preview = await startPreview(60_000, root);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(browser, preview.url, 8, 9600, `connect-${i}`));
    const sorted = [...runs].sort((a, b) => a - b);
    const figures: BenchFigures = {
      overview_8x9600_s: round(sorted[Math.floor(sorted.length / 2)]),
      overview_8x9600_runs_s: runs.map(round).join(',')
    };
    try {
      figures.overview_3x115200_s = round(await once(browser, preview.url, 3, 115200, 'connect-115200'));
    } catch (e) {
      // A build whose default baud is not Auto never gets there: say so rather than fail the group.
      figures.overview_3x115200_s = null;
      figures.overview_3x115200_error = e instanceof Error ? e.message.split('\n')[0] : String(e);
    }
    return figures;
  } finally {
    await browser.close();
    await preview.stop();
  }
}

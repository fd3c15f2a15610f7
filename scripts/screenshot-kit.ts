// What every screenshot script shares: the output folder, the build served by `vite preview`,
// Debian's Chromium, clean-up whatever happens, and one way to write a picture. Each script only
// drives its pages (`npx tsx scripts/screenshots-<area>.ts`, pictures in screenshots/).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.mjs';
import { ROOT, ensureBuild, startPreview } from './bench/_ui-harness';

export const OUT = join(ROOT, 'screenshots');

/**
 * Builds the app when the sources are newer, serves it, launches Chromium and runs `body` with
 * both; the browser and the server are stopped however `body` ends, and a failure sets exit code 1.
 */
export async function screenshotRun(body: (browser: Browser, baseURL: string) => Promise<void>): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  ensureBuild();
  const preview = await startPreview();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    await body(browser, preview.url);
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await browser.close();
    await preview.stop();
  }
}

export interface ShotOptions {
  /** Whether a shot takes the whole page unless the call says otherwise (default true). */
  fullPage?: boolean;
  /**
   * Draw sections under `content-visibility: auto` in full-page shots: a full-page capture does
   * not scroll, so they come out blank. Injects a style tag, so the context needs bypassCSP.
   */
  showOffscreen?: boolean;
  /** A pause before each shot, for what is still settling. */
  settle_ms?: number;
}

/** A `shoot(page, file, fullPage?)` writing screenshots/<file> the way a script wants. */
export function shooter(options: ShotOptions = {}): (page: Page, file: string, fullPage?: boolean) => Promise<void> {
  const { fullPage: byDefault = true, showOffscreen = false, settle_ms = 0 } = options;
  return async (page, file, fullPage = byDefault) => {
    let wait_ms = settle_ms;
    if (fullPage && showOffscreen) {
      await page.addStyleTag({ content: '* { content-visibility: visible !important; }' });
      wait_ms = Math.max(wait_ms, 100);
    }
    if (wait_ms > 0) await page.waitForTimeout(wait_ms);
    await page.screenshot({ path: join(OUT, file), fullPage });
    process.stderr.write(`wrote screenshots/${file}\n`);
  };
}

// Screenshots of the app shell, connect and settings pages at desktop (1280x800) and phone
// (390x844) size, into screenshots/ (git-ignored), for a person to look at. Builds when the
// sources changed.  npm run screenshots   (the monitoring pages: scripts/screenshots-monitor.ts)

import { screenshotRun, shooter } from './screenshot-kit';
import { type BrowserContext, type Page } from 'playwright-core';
import { openDemo } from '../tests/e2e/monitor-helpers';
import { installSerialDouble } from '../tests/fixtures/serial-double';
import { createSimBank } from '../src/lib/sim/bank';
import { realClock } from '../src/lib/time/clock';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
] as const;

const shoot = shooter();

async function withPage(context: BrowserContext, fn: (page: Page) => Promise<void>): Promise<void> {
  const page = await context.newPage();
  // tsx compiles this script with esbuild's keepNames, which wraps functions in __name(); the
  // serial double sends one of its functions to the page as source text, so the page needs it too.
  await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  try {
    await fn(page);
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  await screenshotRun(async (browser, baseURL) => {
    for (const size of SIZES) {
      const viewport = { width: size.width, height: size.height };
      for (const theme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ viewport, baseURL: baseURL, colorScheme: theme });
        await withPage(context, async (page) => {
          await page.goto('/connect');
          await page.getByRole('button', { name: 'Open demo bank' }).waitFor();
          await shoot(page, `shell-connect-${theme}-${size.name}.png`);
        });
        await context.close();
      }

      const context = await browser.newContext({ viewport, baseURL: baseURL });
      await withPage(context, async (page) => {
        await page.goto('/connect');
        await page.getByText('My port is not listed').click();
        await page.getByText('Advanced: baud rate and protocol').click();
        await shoot(page, `shell-connect-help-${size.name}.png`);
        await page.goto('/settings');
        await page.getByRole('heading', { name: 'Settings' }).waitFor();
        await shoot(page, `shell-settings-${size.name}.png`);
        if (size.name === 'phone') {
          await page.getByRole('button', { name: 'Menu' }).click();
          await shoot(page, `shell-menu-${size.name}.png`, false);
        }
      });

      await withPage(context, async (page) => {
        await openDemo(page);
        await page.goto('/connect');
        await page.getByRole('button', { name: 'Disconnect' }).waitFor();
        await shoot(page, `shell-connected-${size.name}.png`);
        await page.getByRole('button', { name: 'Disconnect' }).click();
      });
      await context.close();

      // A USB bank that is unplugged: the strip turns red and the cards go stale.
      const usbContext = await browser.newContext({ viewport, baseURL: baseURL });
      const bank = createSimBank({ packCount: 4, seed: 'screens', clock: realClock, scenario: 'load' });
      await withPage(usbContext, async (page) => {
        const usb = await installSerialDouble(page, bank);
        try {
          await page.goto('/connect');
          await page.getByRole('button', { name: 'Connect USB cable' }).click();
          await page.getByTestId('pack-card-4').waitFor();
          await page.waitForFunction(() => window.__packservice?.session.phase === 'live');
          await page.waitForTimeout(2000);
          await shoot(page, `shell-usb-live-${size.name}.png`, false);
          await usb.unplug();
          await page.waitForFunction(() => window.__packservice?.session.phase === 'reconnecting');
          await page.waitForTimeout(3000);
          await shoot(page, `shell-usb-unplugged-${size.name}.png`, false);
        } finally {
          usb.dispose();
        }
      });
      bank.dispose();
      await usbContext.close();

      // Nothing answers: the connect page explains.
      const silentContext = await browser.newContext({ viewport, baseURL: baseURL });
      await withPage(silentContext, async (page) => {
        const usb = await installSerialDouble(page, { write: () => undefined, onOutput: () => () => undefined });
        try {
          await page.goto('/connect');
          await page.getByRole('button', { name: 'Connect USB cable' }).click();
          await page.getByTestId('connect-error').waitFor({ timeout: 30_000 });
          await shoot(page, `shell-connect-no-answer-${size.name}.png`);
        } finally {
          usb.dispose();
        }
      });
      await silentContext.close();
    }
  });
}

await main();

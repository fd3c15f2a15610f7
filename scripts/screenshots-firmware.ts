// Screenshots of the firmware page in every state, at desktop (1280x800) and phone (390x844) size,
// in the light and the dark theme,
// into screenshots/ (git-ignored), for a person to look at: not connected, idle, choosing (a raw
// binary asking for the expert override), transferring, verifying, done (with the parameter
// offer, and the backup restored), failed (with the reason and where the pack is), and the recovery prompt. The bank runs
// in Node behind the serial double, with a slower image check so the verify step can be caught.
//   npx tsx scripts/screenshots-firmware.ts

import { screenshotRun, shooter } from './screenshot-kit';
import { type Browser, type Page } from 'playwright-core';
import { NAME_HELPER_SCRIPT } from './bench/_ui-harness';
import { installSerialDouble } from '../tests/fixtures/serial-double';
import { choosePacks, gotoFirmware, unlockInstaller, waitForPacks } from '../tests/e2e/firmware-helpers';
import { testImage } from '../src/lib/firmware/flash-rig';
import { createSimBank } from '../src/lib/sim/bank';
import { realClock } from '../src/lib/time/clock';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
] as const;

const shoot = shooter();

/** On a phone, also the screen the person sees at `selector` (the full page shrinks too much to read). */
async function shootPhoneAt(page: Page, size: (typeof SIZES)[number], file: string, selector: string): Promise<void> {
  if (size.name !== 'phone') return;
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  await page.evaluate((sel) => document.querySelector(sel)?.scrollIntoView({ block: 'start' }), selector);
  await shoot(page, file, false);
}

const file = (name: string, bytes: Uint8Array) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });

async function start(page: Page, address: number): Promise<void> {
  await choosePacks(page, [address]);
  await page.getByText('P16S100A-1812-1.10-small.pkfw', { exact: true }).first().click();
  await page.locator(`[data-testid="fw-fit-${address}"][data-verdict="fits"]`).waitFor();
  await page.getByTestId('fw-start').click();
}

async function finished(page: Page): Promise<void> {
  await page.locator('[data-testid="fw-run"][data-finished="true"]').waitFor({ timeout: 90_000 });
}

async function states(browser: Browser, baseURL: string, size: (typeof SIZES)[number], theme: 'light' | 'dark'): Promise<void> {
  const suffix = theme === 'dark' ? `dark-${size.name}` : size.name;
  const bank = createSimBank({
    packCount: 3,
    seed: `fw-shots-${size.name}`,
    clock: realClock,
    baud: 115_200,
    scenario: 'load',
    bootloader: { timing: { verify_ms: 4000 } }
  });
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, baseURL, colorScheme: theme });
  await context.addInitScript(NAME_HELPER_SCRIPT);
  const page = await context.newPage();
  const usb = await installSerialDouble(page as never, bank);
  try {
    await page.goto('/firmware');
    await page.getByTestId('not-connected').waitFor();
    await page.waitForTimeout(1000);
    await shoot(page, `firmware-not-connected-${suffix}.png`);

    await page.goto('/connect');
    await page.getByRole('button', { name: 'Connect USB cable' }).click();
    await waitForPacks(page, 3);
    await gotoFirmware(page);
    await page
      .locator('[data-testid="fw-release-1.10"][data-state="downloaded"], [data-testid="fw-release-1.10"][data-state="cached"]')
      .waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="fw-fit-1"]').waitFor();
    await shoot(page, `firmware-idle-${suffix}.png`);
    await shootPhoneAt(page, size, `firmware-idle-${suffix}-screen.png`, '#fw-packs-title');
    await shootPhoneAt(page, size, `firmware-cache-${suffix}-screen.png`, '[data-testid="fw-cache"]');

    await unlockInstaller(page);
    await page.getByLabel('Add a firmware file').setInputFiles(file('P16S100A-1812-1.10-small.pkfw', testImage('1.10', 48 * 1024)));
    await page.getByTestId('fw-add-result').getByText('checked and added').waitFor();
    await page.getByLabel('Add a firmware file').setInputFiles(file('app-1.11.bin', testImage('1.11', 16 * 1024).subarray(128)));
    await page.getByTestId('fw-expert').waitFor();
    await page.getByLabel('Version the pack will report afterwards').fill('1.11');
    await shoot(page, `firmware-choosing-${suffix}.png`);
    await shootPhoneAt(page, size, `firmware-choosing-${suffix}-screen.png`, '#fw-image-title');

    // Pack 2's installer-set alarm is reset by the update (the option ticked); the backup puts it back.
    bank.packAt(2)!.params.cellOverVoltage.alarm_mV = 3550;
    await page.getByRole('checkbox', { name: /^Protection parameters/ }).check();
    await start(page, 2);
    await page.locator('[data-testid="fw-run"][data-phase="transfer"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => /block (1\d|2\d) of/.test(document.querySelector('[data-testid="fw-figures"]')?.textContent ?? ''), null, {
      polling: 50
    });
    await shoot(page, `firmware-transferring-${suffix}.png`);
    await shootPhoneAt(page, size, `firmware-transferring-${suffix}-screen.png`, '[data-testid="fw-run"]');
    await page.locator('[data-testid="fw-run"][data-phase="verify"]').waitFor({ timeout: 60_000 });
    await shoot(page, `firmware-verifying-${suffix}.png`);
    await finished(page);
    await shoot(page, `firmware-done-${suffix}.png`);
    await shootPhoneAt(page, size, `firmware-done-${suffix}-screen.png`, '[data-testid="fw-run"]');
    await page.getByTestId('fw-after-2').getByRole('button', { name: 'Restore the backup' }).click();
    await page.getByTestId('fw-after-2').getByText('Restored and read back.').waitFor({ timeout: 30_000 });
    await shoot(page, `firmware-restored-${suffix}.png`);
    await shootPhoneAt(page, size, `firmware-restored-${suffix}-screen.png`, '[data-testid="fw-after"]');

    // Failed: the line corrupts block 3 every time; the bootloader gives up, the pack keeps 1.00.
    await page.getByTestId('fw-dismiss').click();
    bank.inject({ kind: 'upgrade-block', block: 3, action: 'flip', count: 10 });
    await start(page, 1);
    await finished(page);
    await shoot(page, `firmware-failed-${suffix}.png`);
    await shootPhoneAt(page, size, `firmware-failed-${suffix}-screen.png`, '[data-testid="fw-run"]');

    // Recovery: the cable is pulled in the middle of a transfer and put back.
    await page.getByTestId('fw-dismiss').click();
    await start(page, 3);
    await page.waitForFunction(() => /block (1\d) of/.test(document.querySelector('[data-testid="fw-figures"]')?.textContent ?? ''), null, {
      polling: 50,
      timeout: 60_000
    });
    await usb.unplug();
    await page.getByTestId('fw-failed').waitFor();
    await page.waitForTimeout(500);
    await usb.replug();
    await page.getByTestId('fw-recovery').waitFor({ timeout: 60_000 });
    await page.getByTestId('fw-failed-since').waitFor();
    await shoot(page, `firmware-recovery-${suffix}.png`);
    await shootPhoneAt(page, size, `firmware-recovery-${suffix}-screen.png`, '[data-testid="fw-recovery"]');
    await page.getByTestId('fw-recovery').getByTestId('fw-recover').click();
    await finished(page);
    await shoot(page, `firmware-recovered-${suffix}.png`);
  } finally {
    usb.dispose();
    bank.dispose();
    await context.close();
  }
}

async function main(): Promise<void> {
  await screenshotRun(async (browser, baseURL) => {
    for (const theme of ['light', 'dark'] as const) for (const size of SIZES) await states(browser, baseURL, size, theme);
  });
}

await main();

// An update interrupted by pulling the USB cable, with the tab closed (reloaded) before the cable
// goes back in: on the next connect no pack answers, the app recognises the pack waiting in its
// bootloader, and the update is finished from the recovery prompt with the image cached in
// IndexedDB; the new version is shown after the reboot. The bank runs in Node behind the serial
// double at 115 200 baud; the image is a small container (24 KiB) so the two transfers take
// seconds.

import { expect, test } from '@playwright/test';
import { testImage } from '../../src/lib/firmware/flash-rig';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installSerialDouble, type SerialDoubleHandle } from '../fixtures/serial-double';
import { choosePacks, gotoFirmware, unlockInstaller, waitForPacks } from './firmware-helpers';

let bank: SimBank;
let usb: SerialDoubleHandle | null = null;

test.afterEach(() => {
  usb?.dispose();
  usb = null;
  bank.dispose();
});

test('a transfer cut by unplugging is finished from the recovery prompt after reconnecting', async ({ page }) => {
  test.setTimeout(150_000);
  bank = createSimBank({ packCount: 2, seed: 'fw-recovery-e2e', clock: realClock, baud: 115_200, scenario: 'load' });
  usb = await installSerialDouble(page, bank);
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Connect USB cable' }).click();
  await waitForPacks(page, 2);
  await gotoFirmware(page);
  await unlockInstaller(page);
  await expect(page.getByTestId('fw-installed-2')).toContainText('P16S100A-1812-1.00');

  await page.getByLabel('Add a firmware file').setInputFiles({
    name: 'P16S100A-1812-1.10-small.pkfw',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(testImage('1.10', 24 * 1024))
  });
  await expect(page.getByTestId('fw-add-result')).toContainText('checked and added');
  await choosePacks(page, [2]);
  await expect(page.getByTestId('fw-fit-2')).toHaveAttribute('data-verdict', 'fits');
  await page.getByTestId('fw-start').click();

  // Pull the cable in the middle of the transfer.
  const run = page.getByTestId('fw-run');
  await expect(run).toHaveAttribute('data-phase', 'transfer', { timeout: 30_000 });
  await page.waitForFunction(() => /block ([6-9]|\d\d) of/.test(document.querySelector('[data-testid="fw-figures"]')?.textContent ?? ''), null, {
    timeout: 30_000,
    polling: 50
  });
  await usb.unplug();
  const failed = page.getByTestId('fw-failed');
  await expect(failed).toHaveAttribute('data-reason', 'link-lost');
  await expect(failed).toHaveAttribute('data-pack-state', 'unknown');
  await expect(failed).toContainText('The connection was lost.');
  expect(bank.packInBootloader?.address).toBe(2);

  // The tab is closed: reload it while the cable is out. The journal stays in localStorage.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Firmware', level: 1 })).toBeVisible();
  await expect(page.getByTestId('not-connected')).toBeVisible();
  await usb.replug();
  await page.getByRole('link', { name: 'Go to Connect' }).click();
  await page.getByRole('button', { name: 'Connect USB cable' }).click();

  // No pack answers (pack 2's bootloader holds the line): the app listens and finds it.
  const notice = page.getByTestId('firmware-notice');
  await expect(notice).toHaveAttribute('data-kind', 'bootloader', { timeout: 60_000 });
  await notice.getByRole('link', { name: 'Open Firmware' }).click();
  const prompt = page.getByTestId('fw-recovery');
  await expect(prompt).toContainText('It is pack 2: its update to 1.10 was interrupted');
  await unlockInstaller(page);
  await prompt.getByTestId('fw-recover').click();
  await expect(run).toHaveAttribute('data-finished', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('fw-done')).toContainText('Pack 2 now runs P16S100A-1812-1.10');
  expect(bank.packAt(2)!.identity.firmwareVersion).toBe('1.10');

  // The bank answers again, and the page shows the new version.
  await waitForPacks(page, 2, 60_000);
  await page.getByTestId('fw-dismiss').click();
  await expect(page.getByTestId('fw-installed-2')).toContainText('P16S100A-1812-1.10');
});

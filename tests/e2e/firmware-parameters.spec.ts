// The vendor manual's parameter care around a firmware update, from the page: the update resets
// the protection parameters (FF 50's option ticked), the backup taken before it is restored from
// the "Parameters after the update" panel, and the pack holds the installer's value again. The
// bank runs in Node behind the serial double, so the test reads the pack's own parameter store.
// Done by keyboard only, with the focus ring checked on the start button.

import { expect, test } from '@playwright/test';
import { testImage } from '../../src/lib/firmware/flash-rig';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installSerialDouble, type SerialDoubleHandle } from '../fixtures/serial-double';
import { gotoFirmware, waitForPacks } from './firmware-helpers';

let bank: SimBank;
let usb: SerialDoubleHandle | null = null;

test.afterEach(() => {
  usb?.dispose();
  usb = null;
  bank.dispose();
});

test('after an update that reset the protection parameters, the backup is restored from the page and read back (keyboard only)', async ({ page }) => {
  test.setTimeout(120_000);
  bank = createSimBank({ packCount: 2, seed: 'fw-params-e2e', clock: realClock, baud: 115_200, scenario: 'load' });
  // The installer had lowered pack 1's cell over-voltage alarm from the factory 3600 mV.
  bank.packAt(1)!.params.cellOverVoltage.alarm_mV = 3550;
  usb = await installSerialDouble(page, bank);
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Connect USB cable' }).click();
  await waitForPacks(page, 2);
  await gotoFirmware(page);

  // From here on by keyboard only (the file chooser aside), as an installer without a mouse would.
  await page.getByLabel('Installer PIN').focus();
  await page.keyboard.type('2468');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('fw-installer')).toHaveAttribute('data-state', 'unlocked');

  await page.getByLabel('Add a firmware file').setInputFiles({
    name: 'P16S100A-1812-1.10-small.pkfw',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(testImage('1.10', 16 * 1024))
  });
  await expect(page.getByTestId('fw-add-result')).toContainText('checked and added');
  await page.getByRole('button', { name: 'Select none' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('checkbox', { name: 'Update pack 1' }).focus();
  await page.keyboard.press('Space');
  await page.getByRole('radio', { name: /P16S100A-1812-1\.10-small\.pkfw/ }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('fw-fit-1')).toHaveAttribute('data-verdict', 'fits');
  await page.getByRole('checkbox', { name: /^Protection parameters/ }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('checkbox', { name: /^Protection parameters/ })).toBeChecked();
  // Tab on to the start button; its focus ring must show.
  for (let i = 0; i < 8 && !(await page.getByTestId('fw-start').evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press('Tab');
  await expect(page.getByTestId('fw-start')).toBeFocused();
  // Polled: the ring is drawn once the page settles; a button that lost focus meanwhile says so.
  await expect
    .poll(() => page.getByTestId('fw-start').evaluate((el) => (el === document.activeElement ? getComputedStyle(el).outlineStyle : 'not focused')))
    .toMatch(/^(solid|auto|dashed|dotted|double)$/);
  await page.keyboard.press('Enter');

  await expect(page.getByTestId('fw-run')).toHaveAttribute('data-finished', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('fw-done')).toContainText('Pack 1 now runs P16S100A-1812-1.10');
  expect(bank.packAt(1)!.params.cellOverVoltage.alarm_mV).toBe(3600);

  const after = page.getByTestId('fw-after-1');
  await expect(after).toContainText(/Backup: Pack 1, before the firmware update from 1\.00, \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  await after.getByRole('button', { name: 'Restore the backup' }).focus();
  await page.keyboard.press('Enter');
  await expect(after).toContainText('Restored and read back.', { timeout: 30_000 });
  expect(bank.packAt(1)!.params.cellOverVoltage.alarm_mV).toBe(3550);
  // Pack 2 was not part of the update and keeps the factory value.
  expect(bank.packAt(2)!.params.cellOverVoltage.alarm_mV).toBe(3600);
});

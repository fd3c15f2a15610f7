// USB end to end: the app's real SerialTransport, client and poller run in the page against a
// fake navigator.serial whose adapter carries the bytes to a simulated bank in Node.

import { expect, test, type Page } from '@playwright/test';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installSerialDouble, type SerialDoubleHandle } from '../fixtures/serial-double';

const cards = (page: Page) => page.locator('[data-testid^="pack-card-"]');

let bank: SimBank;
let usb: SerialDoubleHandle | null = null;

test.beforeEach(() => {
  bank = createSimBank({ packCount: 3, seed: 'usb-e2e', clock: realClock, scenario: 'load' });
});

test.afterEach(() => {
  usb?.dispose();
  usb = null;
  bank.dispose();
});

test('connects through the USB adapter, polls the bank, and reuses the granted port after a reload', async ({ page }) => {
  usb = await installSerialDouble(page, bank);
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Connect USB cable' }).click();

  await expect(page).toHaveURL(/\/overview$/);
  await expect(cards(page)).toHaveCount(3);
  for (const address of [1, 2, 3]) await expect(page.getByTestId(`pack-card-${address}`)).toHaveAttribute('data-freshness', 'live');
  const strip = page.getByTestId('link-health');
  await expect(strip).toHaveAttribute('data-phase', 'live');
  await expect(strip).toContainText('USB CP210x (10c4:ea60)');
  await expect(strip).toContainText('9600 baud');
  await expect(strip).toContainText('PACE');
  // The requests really went down the wire: the poller's discovery (90H to the master).
  expect(new TextDecoder().decode(usb.written())).toContain('~250146900000FDA5\r');

  // A reload reconnects to the granted port by itself. The chooser would cancel now, so a
  // connected bank proves no chooser was needed.
  await usb.setChooser('cancel');
  await page.reload();
  await expect(cards(page)).toHaveCount(3);
  await expect(page.getByTestId('pack-card-1')).toHaveAttribute('data-freshness', 'live');
  await expect(page.getByTestId('link-health')).toHaveAttribute('data-phase', 'live');
});

test('a closed chooser is no error: the "My port is not listed" help opens', async ({ page }) => {
  usb = await installSerialDouble(page, bank, { chooser: 'cancel' });
  await page.goto('/connect');
  const help = page.locator('details.port-help');
  await expect(help).not.toHaveAttribute('open', '');
  await page.getByRole('button', { name: 'Connect USB cable' }).click();
  await expect(help).toHaveAttribute('open', '');
  await expect(help).toContainText('sudo usermod -aG dialout $USER');
  await expect(help).toContainText('snap connect chromium:raw-usb');
  await expect(page.getByTestId('connect-error')).toHaveCount(0);
  await expect(page.getByTestId('link-health')).toHaveAttribute('data-phase', 'idle');
});

test('a port held by another program shows what happened and what to do', async ({ page }) => {
  usb = await installSerialDouble(page, bank);
  await page.goto('/connect');
  await usb.failNextOpen('NetworkError');
  await page.getByRole('button', { name: 'Connect USB cable' }).click();
  const error = page.getByTestId('connect-error');
  await expect(error).toContainText('in use by another program');
  await expect(error).toContainText('Close the vendor BMS tool');
  await expect(page.getByTestId('link-health')).toHaveAttribute('data-phase', 'error');
  // Trying again works once the port is free.
  await page.getByRole('button', { name: 'Connect USB cable' }).click();
  await expect(cards(page)).toHaveCount(3);
});

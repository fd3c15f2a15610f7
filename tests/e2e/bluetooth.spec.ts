// Bluetooth end to end: the app's real BleTransport finds the HM-10 UART profile on a fake
// navigator.bluetooth whose module carries the bytes to a simulated bank in Node; writes go out in
// 20-byte pieces and replies come back as 20-byte notifications, as a real module does.

import { expect, test, type Page } from '@playwright/test';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installBleDouble, type BleDoubleHandle } from '../fixtures/ble-double';

const cards = (page: Page) => page.locator('[data-testid^="pack-card-"]');

let bank: SimBank;
let ble: BleDoubleHandle | null = null;

test.beforeEach(() => {
  bank = createSimBank({ packCount: 2, seed: 'ble-e2e', clock: realClock, scenario: 'load' });
});

test.afterEach(() => {
  ble?.dispose();
  ble = null;
  bank.dispose();
});

test('connects over Bluetooth, polls the bank, survives a dropped link and resumes after a reload', async ({ page }) => {
  ble = await installBleDouble(page, bank);
  await page.goto('/connect');
  await expect(page.getByRole('button', { name: 'Connect Bluetooth' })).toBeEnabled();
  await page.getByRole('button', { name: 'Connect Bluetooth' }).click();

  await expect(page).toHaveURL(/\/overview$/);
  await expect(cards(page)).toHaveCount(2);
  await expect(page.getByTestId('pack-card-1')).toHaveAttribute('data-freshness', 'live');
  const strip = page.getByTestId('link-health');
  await expect(strip).toHaveAttribute('data-phase', 'live');
  await expect(strip).toContainText('HM-10');
  // A Bluetooth link has no baud rate of its own to show.
  await expect(strip).not.toContainText('baud');
  // The module takes at most 20 bytes per write: every request went out in pieces that fit.
  const writes = ble.writes();
  expect(writes.length).toBeGreaterThan(0);
  expect(writes.every((w) => w.bytes.length <= 20)).toBe(true);
  expect(new TextDecoder().decode(ble.written())).toContain('~250146900000FDA5\r');

  // The module drops the link and refuses to reconnect for a while: lost, values stale.
  await ble.setConnectable(false);
  await ble.dropConnection();
  await expect(strip).toContainText('Link lost');
  await expect(page.getByTestId('pack-card-1')).toHaveAttribute('data-freshness', /^(stale|offline)$/);
  // Back in range: the transport reconnects by itself, no reload.
  await ble.setConnectable(true);
  await expect(strip).toHaveAttribute('data-phase', 'live', { timeout: 30_000 });
  await expect(strip).toContainText('1 reconnect');
  await expect(page.getByTestId('pack-card-1')).toHaveAttribute('data-freshness', 'live');

  // A reload reconnects to the granted device without the chooser.
  await ble.setChooser('cancel');
  await page.reload();
  await expect(cards(page)).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByTestId('pack-card-1')).toHaveAttribute('data-freshness', 'live');
});

test('with Bluetooth switched off the connect attempt says so', async ({ page }) => {
  ble = await installBleDouble(page, bank, { available: false });
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Connect Bluetooth' }).click();
  const error = page.getByTestId('connect-error');
  await expect(error).toContainText('Bluetooth is off');
  await expect(error).toContainText('Turn Bluetooth on');
});

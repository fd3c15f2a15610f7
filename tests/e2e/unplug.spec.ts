// Unplug and replug: the strip says the link is lost, every pack card turns stale (its last values
// kept, never shown as live), and the app reconnects by itself when the cable is back, without a
// page reload.

import { expect, test } from '@playwright/test';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installSerialDouble, type SerialDoubleHandle } from '../fixtures/serial-double';

let bank: SimBank;
let usb: SerialDoubleHandle | null = null;

test.afterEach(() => {
  usb?.dispose();
  usb = null;
  bank.dispose();
});

test('unplugging marks everything stale and replugging reconnects without a reload', async ({ page }) => {
  bank = createSimBank({ packCount: 2, seed: 'unplug-e2e', clock: realClock, scenario: 'load' });
  usb = await installSerialDouble(page, bank);
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Connect USB cable' }).click();
  const card1 = page.getByTestId('pack-card-1');
  const strip = page.getByTestId('link-health');
  await expect(card1).toHaveAttribute('data-freshness', 'live');
  await expect(strip).toHaveAttribute('data-phase', 'live');
  // A marker that a reload would wipe.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  await usb.unplug();
  await expect(strip).toContainText('Link lost');
  await expect(strip).toHaveAttribute('data-phase', /^(lost|reconnecting)$/);
  await expect(strip).toContainText('unplugged');
  for (const card of [card1, page.getByTestId('pack-card-2')]) {
    await expect(card).toHaveAttribute('data-freshness', /^(stale|offline)$/);
    await expect(card).toHaveAttribute('aria-label', /stale|offline/i);
    await expect(card).not.toHaveAttribute('aria-label', /\blive\b/i);
  }
  const fresh = await page.evaluate(() => window.__packservice!.session.packs.filter((p) => p.fresh).length);
  expect(fresh).toBe(0);
  // The last values are still there for reference.
  await expect(card1.locator('dd').first()).not.toHaveText('—');

  await usb.replug();
  await expect(strip).toHaveAttribute('data-phase', 'live', { timeout: 20_000 });
  await expect(strip).toContainText('1 reconnect');
  await expect(card1).toHaveAttribute('data-freshness', 'live');
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});

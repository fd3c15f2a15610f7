// The debug console on a bank behind the USB serial double: the raw traffic with its meaning,
// pause, the direction filter, the decoder for pasted frames, a read sent by hand, and a write by
// hand that needs installer mode and a confirmation before any byte of it reaches the wire, and is
// kept in the write log.

import { expect, test, type Page } from '@playwright/test';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installSerialDouble, type SerialDoubleHandle } from '../fixtures/serial-double';

let bank: SimBank;
let usb: SerialDoubleHandle | null = null;

test.beforeEach(() => {
  bank = createSimBank({ packCount: 3, seed: 'debug-e2e', clock: realClock, scenario: 'load' });
});

test.afterEach(() => {
  usb?.dispose();
  usb = null;
  bank.dispose();
});

const wire = (): string => new TextDecoder().decode(usb!.written());
const rows = (page: Page) => page.getByTestId('traffic').locator('tbody tr');

async function openConsole(page: Page): Promise<void> {
  usb = await installSerialDouble(page, bank);
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Connect USB cable' }).click();
  await expect(page).toHaveURL(/\/overview$/);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Debug' }).click();
  await page.waitForURL('**/debug');
  await expect(rows(page).nth(5)).toBeVisible({ timeout: 30_000 });
}

test('the traffic with what each frame says; pause, filter, the decoder, and a read sent by hand', async ({ page }) => {
  await openConsole(page);
  await expect(page.getByTestId('not-connected')).toHaveCount(0);
  await expect(page.getByTestId('traffic').locator('tr[data-dir="tx"]').first()).toBeVisible();
  // Replies decoded as the answer to the request before them (not every one: a reply whose request fell off the log cannot be).
  await expect(
    page
      .getByTestId('traffic')
      .locator('tr[data-dir="rx"] td.s button')
      .filter({ hasText: /· ADR \d+/ })
      .first()
  ).toBeVisible();

  // Paused, the view holds still and counts what arrives; resumed, it shows it.
  // (The table draws the newest 300, so the last row tells whether the view moved.)
  await page.getByTestId('pause').click();
  const frozen = await rows(page).last().innerText();
  await expect(page.getByTestId('resume')).toContainText(/\d+ new/, { timeout: 30_000 });
  expect(await rows(page).last().innerText()).toBe(frozen);
  await page.getByTestId('resume').click();
  await expect.poll(() => rows(page).last().innerText()).not.toBe(frozen);

  // Only what was sent.
  await page.getByRole('checkbox', { name: 'Received' }).uncheck();
  await expect(page.getByTestId('traffic').locator('tbody tr[data-dir="rx"]')).toHaveCount(0);
  expect(await page.getByTestId('traffic').locator('tbody tr[data-dir="tx"]').count()).toBeGreaterThan(0);
  await page.getByRole('checkbox', { name: 'Received' }).check();

  // A reply pasted from somewhere, read as the answer to 42H; and text that is no frame.
  await page
    .getByTestId('decoder-text')
    .fill(
      '~25014600F07A0001100CC70CC80CC70CC70CC70CC50CC60CC70CC70CC60CC70CC60CC60CC70CC60CC7060B9B0B990B990B990BB30BBCFF1FCCCD12D303286A008C2710E1E4'
    );
  await page.getByTestId('decoder-cmd').fill('42');
  await page.getByTestId('decode').click();
  await expect(page.getByTestId('decoded')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('decoded-json')).toContainText('3271');
  await page.getByTestId('decoder-text').fill('~2501460');
  await page.getByTestId('decode').click();
  await expect(page.getByTestId('decoded')).toHaveAttribute('data-ok', 'false');

  // A read by hand goes out as written and its reply comes back decoded.
  await page.getByTestId('send-text').fill('  ~25014642E00201FD30\\r ');
  await page.getByTestId('send-check').click();
  await expect(page.getByTestId('send-kind')).toHaveAttribute('data-kind', 'read');
  await page.getByTestId('send').click();
  await expect(page.getByTestId('send-reply')).toContainText('~250146');
  await expect(page.getByTestId('traffic').locator('tr.by-hand')).toHaveCount(1);
  expect(wire()).toContain('~25014642E00201FD30\r');
});

test('a write by hand needs installer mode and a confirmation before a byte of it leaves, and is logged', async ({ page }) => {
  await openConsole(page);
  const frame = '~2501469AE00201FD1C';
  await page.getByTestId('send-text').fill(frame);
  await page.getByTestId('send-check').click();
  const kind = page.getByTestId('send-kind');
  await expect(kind).toHaveAttribute('data-kind', 'write');
  await expect(kind).toContainText('setChargeMos (CID2 9AH) to the pack at address 1');
  await expect(kind).toContainText('Choose an installer PIN');
  await expect(page.getByTestId('send')).toBeDisabled();

  // Not unlocked: a script calling the client directly is refused at the client too.
  const early = await page.evaluate(async (text) => {
    const client = window.__packservice!.session.client as unknown as { raw(b: Uint8Array): Promise<unknown> };
    try {
      await client.raw(new TextEncoder().encode(`${text}\r`));
      return 'sent';
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }, frame);
  expect(early).not.toBe('sent');

  await page.getByTestId('debug-pin').fill('2468');
  await page.getByRole('button', { name: 'Set the PIN' }).click();
  await expect(page.getByTestId('send')).toBeEnabled();

  // Asked first; cancelled, nothing went out.
  await page.getByTestId('send').click();
  const dialog = page.getByTestId('confirm-write');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(frame);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(wire()).not.toContain('~2501469A');

  // Confirmed: out, answered, and in the write log.
  await page.getByTestId('send').click();
  await page.getByTestId('confirm-send').click();
  await expect(page.getByTestId('send-reply')).toBeVisible();
  expect(wire()).toContain(`${frame}\r`);
  const logged = await page.evaluate(async () => {
    const db = await window.__packservice!.session.database();
    return (await db.writeLog.list()).map((e) => ({ what: e.what, result: e.result, new: e.new, address: e.address }));
  });
  expect(logged).toContainEqual({ what: 'debug console: raw frame setChargeMos', result: 'ok', new: `${frame}\\r`, address: 1 });
});

// Issue 16 in the browser, on the USB serial double (the app's real SerialTransport, client, poller
// and session, a simulated bank in Node behind the adapter):
//   - a bank that falls silent stops looking live within one poll cycle plus one reply deadline,
//     and is live again once it answers;
//   - a fresh browser profile (nothing stored, baud Auto by default) connects to a bank set to
//     19200 or 115200 baud without anyone opening Advanced.

import { expect, test, type Page } from '@playwright/test';
import { readAnalog } from '../../src/lib/protocol/commands/analog';
import { ALL_PACKS } from '../../src/lib/protocol/commands/pack-request';
import { frameWireLength } from '../../src/lib/protocol/frame';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installSerialDouble, type SerialDoubleHandle } from '../fixtures/serial-double';

let bank: SimBank | null = null;
let usb: SerialDoubleHandle | null = null;

test.afterEach(() => {
  usb?.dispose();
  usb = null;
  bank?.dispose();
  bank = null;
});

const cards = (page: Page) => page.locator('[data-testid^="pack-card-"]');
const liveCards = (page: Page) => page.locator('[data-testid^="pack-card-"][data-freshness="live"]');

async function connectUsb(page: Page, packs: number, baud: number): Promise<void> {
  bank = createSimBank({ packCount: packs, seed: `freshness-${baud}`, clock: realClock, baud, scenario: 'load' });
  usb = await installSerialDouble(page, bank);
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Connect USB cable' }).click();
  await expect(page).toHaveURL(/\/overview$/, { timeout: 30_000 });
  await expect(cards(page)).toHaveCount(packs);
  await expect(liveCards(page)).toHaveCount(packs, { timeout: 30_000 });
}

test('a silent bank: no card shows Live within one cycle plus one deadline, and all are live again when it answers', async ({ page }) => {
  test.setTimeout(120_000);
  const PACKS = 8;
  await connectUsb(page, PACKS, 9600);
  // A few cycles, so the poller has measured how long one takes.
  await page.waitForTimeout(6000);
  await expect(liveCards(page)).toHaveCount(PACKS);

  const req = { command: ALL_PACKS };
  const replyBytes = readAnalog.expectedReplyBytes(req, PACKS);
  const requestBytes = frameWireLength(readAnalog.encodeRequest(req).length);
  const bound_ms = await page.evaluate(
    ({ requestBytes, replyBytes }) => {
      const s = window.__packservice!.session;
      const poller = s.poller as unknown as { refreshInterval_ms: number };
      const client = s.client as unknown as { deadlineFor(a: number, b: number): number };
      return poller.refreshInterval_ms + client.deadlineFor(requestBytes, replyBytes);
    },
    { requestBytes, replyBytes }
  );

  const silencedAt = await page.evaluate(() => performance.now());
  bank!.inject({ kind: 'silence', on: true });
  const noneLiveAt = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const look = () => {
          if (document.querySelectorAll('[data-testid^="pack-card-"][data-freshness="live"]').length === 0) resolve(performance.now());
          else requestAnimationFrame(look);
        };
        look();
      })
  );
  const elapsed_ms = noneLiveAt - silencedAt;
  test.info().annotations.push({ type: 'silent-to-no-live-card', description: `${Math.round(elapsed_ms)} ms (bound ${Math.round(bound_ms)} ms)` });
  // One frame of slack for looking, and a little for the silence order to reach the bank.
  expect(elapsed_ms).toBeLessThanOrEqual(bound_ms + 100);
  // The wall display's and the totals' wording follow the same rule.
  await expect(page.getByTestId('bank-totals').locator('[data-figure="packs"]')).toContainText(`0 of ${PACKS}`);
  await expect(page.getByTestId('bank-totals').locator('[data-figure="current"] .v')).toHaveText('—');

  bank!.inject({ kind: 'silence', on: false });
  await expect(liveCards(page)).toHaveCount(PACKS, { timeout: 30_000 });
  await expect(page.getByTestId('bank-totals').locator('[data-figure="packs"]')).toContainText(`${PACKS} of ${PACKS}`);
});

for (const baud of [19200, 115200]) {
  test(`a fresh browser profile connects to a bank at ${baud} baud without opening Advanced`, async ({ page }) => {
    test.setTimeout(90_000);
    await connectUsb(page, 3, baud);
    await expect(page.getByTestId('link-health')).toContainText(`${baud} baud`);
    // Remembered: the next connect tries this baud first.
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('packservice.lastDevice.v1') ?? 'null') as { baud?: number } | null);
    expect(stored?.baud).toBe(baud);
    // Nobody touched the settings: Auto is the default, not something chosen under Advanced.
    expect(await page.evaluate(() => localStorage.getItem('packservice.settings.v1'))).toBeNull();
  });
}

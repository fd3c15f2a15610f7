// The parameter pages end to end (issue 11 "Done when"): on the demo bank, change the cell
// over-voltage protection of pack 3, see the diff and the rules named before anything is sent,
// write it, see it read back, see the simulated BMS trip at the new threshold when a charger is
// on while the other packs charge on, and restore the snapshot. Over a USB cable (the serial
// double, the real serial transport): without the installer PIN no write frame reaches the wire,
// whoever asks; a cable pulled in the middle of a write is "not confirmed" and the pack's true
// values are read when it is back.

import { expect, test, type Page } from '@playwright/test';
import { setCellOverVoltage } from '../../src/lib/protocol/commands/protection';
import { encodeFrameText } from '../../src/lib/protocol/frame';
import { findCommand } from '../../src/lib/protocol/registry';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installSerialDouble, type ByteBridge, type SerialDoubleHandle } from '../fixtures/serial-double';
import { openDemo } from './monitor-helpers';
import { framesWithCid2, navigateTo, setInstallerPin } from './params-helpers';

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** From now on, the CID2 of every request the page's client puts on the wire. */
async function recordRequests(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __sent: number[] };
    w.__sent = [];
    const client = window.__packservice!.session.client as unknown as { onTraffic(l: (e: { dir: string; frame?: { code: number } }) => void): void };
    client.onTraffic((e) => {
      if (e.dir === 'tx' && e.frame) w.__sent.push(e.frame.code);
    });
  });
}

/** The write requests (anything the registry does not call a read) among them. */
async function writesSeen(page: Page): Promise<number[]> {
  const sent = await page.evaluate(() => (window as unknown as { __sent: number[] }).__sent);
  return sent.filter((code) => findCommand(code)?.kind !== 'read');
}

async function openPack(page: Page, address: number): Promise<void> {
  await page
    .getByTestId('pack-list')
    .getByRole('link', { name: `Pack ${address}`, exact: true })
    .click();
  await page.waitForURL(`**/parameters/${address}`);
  await expect(page.getByTestId('read-state')).toContainText('Read from the pack at');
}

test('demo bank: lower pack 3 cell over-voltage protection, see it trip under charge, restore the snapshot', async ({ page }) => {
  test.setTimeout(180_000);
  await openDemo(page);
  await setInstallerPin(page, '2468');
  // Hold the bank still (no current) while the threshold is changed.
  await page.getByRole('radio', { name: /Nothing connected/ }).check();
  await openPack(page, 3);
  await recordRequests(page);

  await expect(field(page, 'Cell OV Protect')).toHaveValue('3.700');
  await field(page, 'Cell OV Alarm').fill('3.303');
  await field(page, 'Cell OV Protect').fill('3.305');
  await field(page, 'Cell OVP Release').fill('3.290');
  const diff = page.getByTestId('diff');
  await expect(diff).toContainText('Cell OV Protect: 3.700 V → 3.305 V');
  await expect(diff).toContainText('Cell OV Alarm: 3.600 V → 3.303 V');
  // Balancing would start above the new protection: the rule is named before anything is sent.
  const violations = page.getByTestId('violations');
  await expect(violations).toContainText('balance-below-cell-ov');
  await expect(violations).toContainText('Balance Threshold (3400 mV) must be below Cell OV Protect (3305 mV)');
  // Out of range: named too.
  await field(page, 'Cell OV Protect').fill('5');
  await expect(violations).toContainText('range Cell OV Protect must be between 2500 mV and 4500 mV; you entered 5000 mV.');
  await page.getByTestId('write').click();
  await expect(page.getByTestId('write-report')).toHaveAttribute('data-outcome', 'invalid');
  await expect(page.getByTestId('write-report')).toContainText(/nothing was sent/i);
  expect(await writesSeen(page)).toEqual([]);

  await field(page, 'Cell OV Protect').fill('3.305');
  await field(page, 'Balance Threshold').fill('3.300');
  await expect(page.getByTestId('violations')).toHaveCount(0);
  await expect(diff).toContainText('Balance Threshold: 3.400 V → 3.300 V');
  await expect(page.getByTestId('write')).toHaveText('Write 2 group(s) to Pack 3');
  await page.getByTestId('write').click();
  const report = page.getByTestId('write-report');
  await expect(report).toHaveAttribute('data-outcome', 'written', { timeout: 30_000 });
  await expect(report).toContainText('3700 mV → 3305 mV (read back 3305 mV)');
  await expect(report).toContainText('3400 mV → 3300 mV (read back 3300 mV)');
  // Only the two changed groups went out, each once.
  expect((await writesSeen(page)).sort()).toEqual([0xb5, 0xd0]);
  // The page shows the pack's values read again, no pending change left.
  await expect(field(page, 'Cell OV Protect')).toHaveValue('3.305');
  await expect(page.getByTestId('diff')).toHaveCount(0);

  // A charger on: pack 3 trips at its new threshold; pack 1, still at 3.700 V, charges on.
  await page.getByRole('radio', { name: /Charger on/ }).check();
  await page.getByRole('link', { name: 'Live values', exact: true }).click();
  await page.waitForURL('**/pack/3');
  await expect(page.getByTestId('flag-list')).toContainText('Cell over-voltage protection', { timeout: 60_000 });
  const states = await page.evaluate(() => {
    const s = window.__packservice!.session;
    const flags = (a: number) => s.pack(a)?.status?.flags.map((f) => f.label) ?? [];
    return { p1: flags(1), p3: flags(3), current1: s.pack(1)?.analog?.current_A ?? 0 };
  });
  expect(states.p3).toContain('Cell over-voltage protection');
  expect(states.p1).not.toContain('Cell over-voltage protection');
  expect(states.current1).toBeGreaterThan(10);

  // Restore the snapshot taken before the write: the old values come back.
  await page.getByRole('navigation', { name: 'Pages of Pack 3' }).getByRole('link', { name: 'Parameters' }).click();
  await page.waitForURL('**/parameters/3');
  const snapshot = page.getByTestId('snapshot').filter({ hasText: 'Before a write' }).first();
  await snapshot.getByRole('button', { name: 'Restore…' }).click();
  const dialog = page.getByTestId('confirm-restore-snapshot');
  await expect(dialog).toContainText('Restore this snapshot on Pack 3?');
  await dialog.getByRole('button', { name: 'Restore on Pack 3' }).click();
  await expect(page.getByTestId('write-report')).toHaveAttribute('data-outcome', 'written', { timeout: 30_000 });
  await expect(page.getByTestId('write-report')).toContainText('3305 mV → 3700 mV (read back 3700 mV)');
  await expect(field(page, 'Cell OV Protect')).toHaveValue('3.700');
  await expect(field(page, 'Balance Threshold')).toHaveValue('3.400');

  // The write log says what happened, newest first.
  const log = page.getByTestId('write-log');
  await expect(log.locator('li[data-outcome]').first()).toHaveAttribute('data-outcome', 'written');
  await expect(log.locator('li[data-outcome]').first()).toContainText('Balance Threshold: 3300 mV → 3400 mV (read back 3400 mV)');
  await expect(log).toContainText('Cell OV Protect: 3305 mV → 3700 mV (read back 3700 mV)');
  await expect(log).toContainText('Refused: breaks a rule');
});

test.describe('over a USB cable', () => {
  let bank: SimBank;
  let usb: SerialDoubleHandle | null = null;

  test.afterEach(() => {
    usb?.dispose();
    usb = null;
    bank.dispose();
  });

  async function connectUsb(page: Page, bridge: ByteBridge): Promise<void> {
    usb = await installSerialDouble(page, bridge);
    await page.goto('/connect');
    await page.getByRole('button', { name: 'Connect USB cable' }).click();
    await page.waitForURL('**/overview');
    await expect(page.getByTestId('pack-card-2')).toHaveAttribute('data-freshness', 'live', { timeout: 30_000 });
  }

  test('without the installer PIN no write request reaches the wire, whoever asks', async ({ page }) => {
    bank = createSimBank({ packCount: 3, seed: 'params-usb', clock: realClock, scenario: 'idle' });
    await connectUsb(page, bank);
    await navigateTo(page, 'Parameters', '**/parameters');
    await expect(page.getByTestId('installer')).toHaveAttribute('data-state', 'no-pin');
    await openPack(page, 2);
    // Every field is read-only, and the page says why.
    await expect(page.getByTestId('read-only')).toContainText('set an installer PIN on this computer first');
    await expect(field(page, 'Cell OV Protect')).toHaveAttribute('readonly', '');

    // At the client, around every page: a hand-made write frame for pack 2 is refused before it is sent.
    const frame = encodeFrameText({
      ver: 0x25,
      adr: 2,
      cid1: 0x46,
      code: 0xd0,
      info: setCellOverVoltage.encodeRequest({ enabled: true, alarm_mV: 3500, protect_mV: 3550, release_mV: 3300, delay_ms: 1000 })
    });
    const sendRaw = () =>
      page.evaluate(async (text) => {
        const client = window.__packservice!.session.client as unknown as { raw(b: Uint8Array): Promise<unknown> };
        try {
          await client.raw(new TextEncoder().encode(text));
          return 'sent';
        } catch (e) {
          return `${(e as { kind?: string }).kind}: ${(e as Error).message}`;
        }
      }, frame);
    expect(await sendRaw()).toMatch(/^write-refused: .*unlock installer mode first/);

    // With the PIN set the fields open, and a write around the write path is still refused.
    await page.getByLabel('New PIN').fill('1357');
    await page.getByLabel('Repeat the PIN').fill('1357');
    await page.getByRole('button', { name: 'Set PIN and unlock' }).click();
    await expect(page.getByTestId('installer')).toHaveAttribute('data-state', 'unlocked');
    await expect(field(page, 'Cell OV Protect')).not.toHaveAttribute('readonly', '');
    expect(await sendRaw()).toMatch(/^write-refused: .*none of them is sending it/);

    // On a real pack the vendor extensions are greyed, with the reason.
    await page.getByRole('navigation', { name: 'Pages of Pack 2' }).getByRole('link', { name: 'Device control' }).click();
    await page.waitForURL('**/control/2');
    const address = page.getByTestId('ext-setSoftwareAddress');
    await expect(address).toHaveAttribute('data-enabled', 'false');
    await expect(address).toContainText('never sent to a real pack by default');

    // The serial double saw the page's reads, and not one write frame.
    expect(framesWithCid2(usb!.written(), 'D1').length).toBeGreaterThan(0);
    expect(framesWithCid2(usb!.written(), 'D0')).toEqual([]);
    expect(bank.packAt(2)!.params.cellOverVoltage.protect_mV).toBe(3700);
  });

  test('a cable pulled in the middle of a write: "not confirmed", and the true values read when it is back', async ({ page }) => {
    bank = createSimBank({ packCount: 3, seed: 'params-unplug', clock: realClock, scenario: 'idle' });
    // The cable: the pack gets the write, then the cable is pulled while it answers.
    let armed = false;
    let seen = '';
    const bridge: ByteBridge = {
      write: (bytes) => {
        bank.write(bytes);
        seen = (seen + new TextDecoder().decode(bytes)).slice(-64);
        if (armed && /~25\w{2}46D0/.test(seen)) {
          armed = false;
          bank.inject({ kind: 'unplug', afterBytes: 4 });
        }
      },
      onOutput: (l) => bank.onOutput(l),
      onLink: (l) => bank.onLink(l),
      setHostBaud: (b) => bank.setHostBaud(b)
    };
    await connectUsb(page, bridge);
    await setInstallerPin(page, '2468');
    await openPack(page, 2);
    await field(page, 'Cell OV Protect').fill('3.650');
    await expect(page.getByTestId('diff')).toContainText('Cell OV Protect: 3.700 V → 3.650 V');
    armed = true;
    await page.getByTestId('write').click();
    const report = page.getByTestId('write-report');
    await expect(report).toHaveAttribute('data-outcome', 'not-confirmed', { timeout: 30_000 });
    await expect(report).toContainText('not known whether the pack took it');
    await expect(page.getByTestId('unconfirmed')).toBeVisible();
    // Nothing claims it was written: the page still knows the pack by the value read before, and the edit stays pending.
    const row = page.getByTestId('param-cellOverVoltage.protect_mV');
    await expect(row).toContainText('The pack has 3.700 V');
    await expect(page.getByTestId('diff')).toContainText('Cell OV Protect: 3.700 V → 3.650 V');
    expect(bank.packAt(2)!.params.cellOverVoltage.protect_mV).toBe(3650);

    // The cable back in (the bank's wire and, through the double, the page's port).
    bank.inject({ kind: 'replug' });
    await expect(page.getByTestId('rechecked')).toContainText('read again after the link came back; the pack holds the new values', {
      timeout: 30_000
    });
    await expect(page.getByTestId('unconfirmed')).toHaveCount(0);
    // The pack was read again: it holds 3.650 V, so nothing is pending any more.
    await expect(field(page, 'Cell OV Protect')).toHaveValue('3.650');
    await expect(row).not.toContainText('The pack has');
    await expect(page.getByTestId('diff')).toHaveCount(0);
    const log = page.getByTestId('write-log');
    await expect(log.locator('li[data-outcome]').first()).toHaveAttribute('data-outcome', 'written');
    await expect(log.locator('li[data-outcome="not-confirmed"]')).toHaveCount(1);
  });
});

// The history page against the demo bank: a pack's event log read (A1H) through the real client,
// decoded in the table, read again without duplicates, exported as CSV (streamed into a file the
// test reads back), and only then, in installer mode and after confirming, cleared on the pack.
// The pack's own log is read through the layout's test hook (sim-hook.ts) to check the counts.

import { expect, test } from '@playwright/test';
import { openDemo } from './monitor-helpers';
import { installSavePicker, readSavedFile, savedFiles } from '../fixtures/save-picker';
import type { DemoClient } from './sim-hook';

test.setTimeout(180_000);

test('read a demo pack’s history, decoded; again without duplicates; export CSV; clear only after that', async ({ page }) => {
  await installSavePicker(page);
  await openDemo(page);
  await page.goto('/history');
  const row1 = page.getByTestId('history-pack-1');
  await expect(row1).toHaveAttribute('data-reach', 'readable', { timeout: 30_000 });
  const packLog = await page.evaluate(() => {
    const bank = (window.__packservice!.session.client as unknown as DemoClient).transport.bank;
    const pack = bank.packAt(1)!;
    return { size: pack.history.size, serial: pack.identity.bmsSerial };
  });
  expect(packLog.size).toBeGreaterThan(100);

  // First read: the whole log, every record new.
  await page.getByRole('button', { name: 'Read the log of pack 1', exact: true }).click();
  const outcome = page.getByTestId('history-outcomes').locator('li[data-address="1"]');
  await expect(outcome).toHaveAttribute('data-stop', 'end', { timeout: 120_000 });
  await expect(outcome).toHaveAttribute('data-added', String(packLog.size));
  await expect(outcome).toContainText("Read to the end of the pack's log.");
  await expect(row1).toHaveAttribute('data-stored', String(packLog.size));

  // Decoded: types and events in words, values with units.
  const count = page.getByTestId('history-count');
  await expect(count).toHaveAttribute('data-total', String(packLog.size));
  const table = page.getByTestId('history-table');
  await expect(table.locator('tbody tr[data-kind="power-on"]').first()).toBeVisible();
  // One pack stored: no pack column, so the cells are type, what happened, voltage, …
  await expect(table.locator('tbody tr').first().locator('td').nth(2)).toHaveText(/^\d+\.\d\d\sV$/);
  await expect(table).toContainText(/Set: (Cell|Pack|Fully|Low|Charge|Discharge)/);
  await expect(page.getByTestId('history-chart').locator('canvas').first()).toBeVisible();

  // Filters: only power-on records.
  await page.getByRole('checkbox', { name: 'Power-on' }).check();
  const shown = Number(await count.getAttribute('data-shown'));
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThan(packLog.size);
  await expect(table.locator('tbody tr:not([data-kind="power-on"])')).toHaveCount(0);
  await page.getByRole('button', { name: 'Clear the filters' }).click();
  await expect(count).toHaveAttribute('data-shown', String(packLog.size));

  // Second read: stops at records already stored, adds nothing.
  await page.getByRole('button', { name: 'Read the log of pack 1', exact: true }).click();
  await expect(outcome).toHaveAttribute('data-stop', 'overlap', { timeout: 60_000 });
  await expect(outcome).toHaveAttribute('data-added', '0');
  await expect(count).toHaveAttribute('data-total', String(packLog.size));

  // Clearing is refused before the export.
  await page.locator('#history-pack').selectOption(`sn:${packLog.serial}`);
  await expect(page.getByTestId('clear-refusal')).toHaveAttribute('data-reason', 'not-exported');

  // Export CSV: one line per record under the header, in the pack's order, newest first.
  await page.getByTestId('history-export').getByRole('button', { name: 'Export CSV' }).click();
  await expect(page.getByTestId('history-export-outcome')).toContainText(`Saved ${packLog.size} records`);
  const [name] = await savedFiles(page);
  expect(name).toMatch(new RegExp(`^history-${packLog.serial}-\\d{4}-\\d\\d-\\d\\d\\.csv$`));
  const lines = (await readSavedFile(page, name)).split('\r\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(packLog.size + 1);
  expect(lines[0]).toMatch(/^"pack time \(pack clock, no zone\)",pack time valid,device,address,read at \(UTC\),events,voltage \(V\)/);
  const times = lines.slice(1).map((l) => l.slice(0, 19));
  expect(times.every((t) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(t))).toBe(true);
  expect([...times].sort().reverse()).toEqual(times);
  expect(lines.slice(1).every((l) => l.includes(`sn:${packLog.serial},1,`))).toBe(true);
  const newest = await page.evaluate(() => {
    const h = (window.__packservice!.session.client as unknown as DemoClient).transport.bank.packAt(1)!.history;
    return new Date(Math.floor(h.get(0)!.time_ms / 1000) * 1000).toISOString().slice(0, 19);
  });
  expect(times[0]).toBe(newest);
  expect(lines.filter((l) => l.includes('Power-on')).length).toBeGreaterThan(0);

  // Now the gate allows it; installer mode (a PIN set here), a confirmation, then B3H.
  await expect(page.getByTestId('clear-ready')).toBeVisible();
  const clear = page.getByRole('button', { name: 'Clear the log on pack 1' });
  await expect(clear).toBeDisabled();
  await page.getByLabel('Installer PIN').fill('2468');
  await page.getByRole('button', { name: 'Set the PIN and unlock' }).click();
  await expect(page.getByTestId('installer')).toHaveAttribute('data-state', 'unlocked');
  await expect(clear).toBeDisabled();
  await page.getByRole('checkbox', { name: /I have the exported file/ }).check();
  await clear.click();
  await expect(page.getByTestId('clear-result')).toContainText("The pack's event log is cleared", { timeout: 30_000 });
  const after = await page.evaluate(() => (window.__packservice!.session.client as unknown as DemoClient).transport.bank.packAt(1)!.history.size);
  expect(after).toBeLessThanOrEqual(1);
  // The stored copy stays.
  await expect(count).toHaveAttribute('data-total', String(packLog.size));
});

// The rest of the write side on the demo bank: profile files (a malformed one refused with each
// field named, a good one applied to several packs with a result per pack), extension profiles
// (the same), device control (a switch confirmed by reading it back, the BMS's RTN 09 refusal
// explained) and calibration (a reference far from the pack's reading refused before anything is
// sent; the clock set and read back).

import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './monitor-helpers';
import { navigateTo, openDemoParameters, setInstallerPin } from './params-helpers';

const json = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });

async function toPack(page: Page, tool: 'Calibration' | 'Device control', address: number, url: string): Promise<void> {
  await page
    .getByRole('navigation', { name: `Pages of Pack ${address}` })
    .getByRole('link', { name: tool })
    .click();
  await page.waitForURL(url);
}

test('profiles: a malformed file is refused field by field; a good one goes to two packs, each with its result', async ({ page }) => {
  test.setTimeout(120_000);
  await openDemo(page);
  await setInstallerPin(page, '2468');

  const file = page.getByTestId('apply-profile').getByTestId('profile-file');
  await file.setInputFiles(
    json('bad.json', {
      format: 'packservice.parameter-profile',
      version: 1,
      name: 'Site A',
      parameters: { 'cellOverVoltage.protect_mV': 9999, 'sleep.delay_min': 'five', 'nonsense.value': 1 }
    })
  );
  const problems = page.getByTestId('apply-profile').getByTestId('profile-problems');
  await expect(problems).toContainText('bad.json was not loaded');
  await expect(problems).toContainText('Nothing was changed');
  await expect(problems).toContainText('parameters.cellOverVoltage.protect_mV Cell OV Protect must be between 2500 mV and 4500 mV');
  await expect(problems).toContainText('parameters.sleep.delay_min');
  await expect(problems).toContainText('parameters.nonsense.value is not a parameter this tool knows');
  await expect(page.getByTestId('apply-profile').getByTestId('profile-loaded')).toHaveCount(0);

  await file.setInputFiles(
    json('site-a.json', { format: 'packservice.parameter-profile', version: 1, name: 'Site A', parameters: { 'sleep.delay_min': 7 } })
  );
  await expect(page.getByTestId('apply-profile').getByTestId('profile-loaded')).toContainText('Profile “Site A” loaded: 1 value(s).');
  const section = page.getByTestId('apply-profile');
  await section.getByRole('checkbox', { name: 'Pack 1', exact: true }).check();
  await section.getByRole('checkbox', { name: 'Pack 2', exact: true }).check();
  await section.getByRole('button', { name: 'Apply “Site A” to 2 pack(s)' }).click();
  const results = section.getByTestId('apply-results').locator('li');
  await expect(results).toHaveCount(2, { timeout: 30_000 });
  await expect(results.nth(0)).toHaveAttribute('data-outcome', 'written');
  await expect(results.nth(0)).toContainText('Pack 1');
  await expect(results.nth(1)).toHaveAttribute('data-outcome', 'written');
  await expect(results.nth(1)).toContainText('Pack 2');
  // The bank's write log has one entry per pack.
  await expect(page.getByTestId('write-log').locator('li[data-outcome="written"]')).toHaveCount(2);
  await expect(page.getByTestId('write-log')).toContainText('Sleep Delay Time: 5 min → 7 min (read back 7 min)');

  // Factory defaults on pack 1, behind a confirmation that names the pack: the 7 min goes back to 5.
  await page.getByTestId('pack-list').getByRole('link', { name: 'Pack 1', exact: true }).click();
  await page.waitForURL('**/parameters/1');
  await expect(page.getByLabel('Sleep Delay Time', { exact: true })).toHaveValue('7');
  await page.getByRole('button', { name: 'Restore factory defaults…' }).click();
  const dialog = page.getByTestId('confirm-defaults');
  await expect(dialog).toContainText('Restore factory defaults on Pack 1?');
  await expect(dialog).toContainText(/Every protection parameter of Pack 1 \(serial P\w+\)/);
  await dialog.getByRole('button', { name: 'Restore factory defaults on Pack 1' }).click();
  const report = page.getByTestId('write-report');
  await expect(report).toHaveAttribute('data-outcome', 'written', { timeout: 30_000 });
  await expect(report).toContainText('Sleep Delay Time: 7 min → 5 min');
  await expect(page.getByLabel('Sleep Delay Time', { exact: true })).toHaveValue('5');
  await expect(page.getByTestId('snapshot').first()).toHaveAttribute('data-reason', 'before-defaults');
});

test('device control, vendor extensions and calibration', async ({ page }) => {
  test.setTimeout(120_000);
  await openDemoParameters(page, 1);
  await toPack(page, 'Device control', 1, '**/control/1');

  // A malformed extension profile names the field; a good one is used.
  const ext = page.getByTestId('ext-file');
  await ext.setInputFiles(
    json('ext.json', { format: 'packservice.extension-profile', version: 1, name: 'Vendor X', commands: { setHost: { cid2: 'D0' } } })
  );
  await expect(page.getByTestId('ext-problems')).toContainText('commands.setHost.cid2 D0H is the documented command');
  await expect(page.getByTestId('ext-profile')).toHaveCount(0);
  await ext.setInputFiles(
    json('ext.json', { format: 'packservice.extension-profile', version: 1, name: 'Vendor X', commands: { setHost: { cid2: 'F8' } } })
  );
  await expect(page.getByTestId('ext-profile')).toContainText('Extension profile “Vendor X” is in use.');
  // On the demo bank every extension works (the simulator implements the assumed codes).
  await expect(page.getByTestId('ext-setWifi')).toHaveAttribute('data-enabled', 'true');

  // The buzzer: switched on, and confirmed by reading the state again.
  const buzzer = page.getByTestId('control-buzzer');
  await expect(buzzer).toHaveAttribute('data-value', 'false');
  await buzzer.getByRole('button', { name: 'Switch on' }).click();
  await expect(buzzer.getByTestId('write-report')).toHaveAttribute('data-outcome', 'written', { timeout: 20_000 });
  await expect(buzzer).toHaveAttribute('data-value', 'true');

  // Charging: the BMS refuses to switch the discharge MOSFET off (RTN 09), and the page says why.
  await page.getByRole('radio', { name: /Charger on/ }).check();
  await expect.poll(() => page.evaluate(() => window.__packservice!.session.pack(1)?.analog?.current_A ?? 0), { timeout: 20_000 }).toBeGreaterThan(5);
  const dmos = page.getByTestId('control-dischargeMos');
  await dmos.getByRole('button', { name: 'Switch off' }).click();
  await expect(dmos.getByTestId('write-report')).toHaveAttribute('data-outcome', 'refused', { timeout: 20_000 });
  await expect(dmos.getByTestId('mos-refused')).toContainText('while the pack is charging');
  await expect(dmos).toHaveAttribute('data-value', 'true');

  // Calibration: a meter reading far from the pack's is refused before anything is sent.
  await page.getByRole('radio', { name: /Nothing connected/ }).check();
  await toPack(page, 'Calibration', 1, '**/calibration/1');
  const voltage = page.getByTestId('cal-packVoltage');
  await voltage.getByLabel('Meter reading').fill('40');
  await expect(voltage.getByTestId('cal-packVoltage-problems')).toContainText('apart (at most 5 %)');
  await expect(voltage.getByRole('button', { name: 'Calibrate' })).toBeDisabled();
  // The clock from this computer: set and read back.
  const clock = page.getByTestId('cal-clock');
  await clock.getByRole('button', { name: 'Calibrate' }).click();
  await expect(clock.getByTestId('write-report')).toHaveAttribute('data-outcome', 'written', { timeout: 20_000 });
  await expect(clock.getByTestId('cal-clock-readings')).toContainText('Pack clock');
});

test('device control: the inverter protocols chosen by name, each confirmed by reading it back', async ({ page }) => {
  test.setTimeout(120_000);
  await openDemoParameters(page, 2);
  await toPack(page, 'Device control', 2, '**/control/2');

  const can = page.getByTestId('control-canProtocol');
  await expect(can).toHaveAttribute('data-value', 'PYLON_CAN', { timeout: 20_000 });
  await can.getByRole('combobox').selectOption({ label: 'GROWATT_CAN (Growatt)' });
  await can.getByRole('button', { name: 'Set' }).click();
  await expect(can.getByTestId('write-report')).toHaveAttribute('data-outcome', 'written', { timeout: 20_000 });
  await expect(can).toHaveAttribute('data-value', 'GROWATT_CAN');

  const rs485 = page.getByTestId('control-rs485Protocol');
  await rs485.getByRole('combobox').selectOption('VOLTRONIC_485');
  await rs485.getByRole('button', { name: 'Set' }).click();
  await expect(rs485.getByTestId('write-report')).toHaveAttribute('data-outcome', 'written', { timeout: 20_000 });
  await expect(rs485).toHaveAttribute('data-value', 'VOLTRONIC_485');
  // The CAN choice is still what the pack reports: one did not overwrite the other.
  await expect(can).toHaveAttribute('data-value', 'GROWATT_CAN');

  // The write log of the bank has both, old → new.
  await navigateTo(page, 'Parameters', '**/parameters');
  const log = page.getByTestId('write-log');
  await expect(log.locator('li[data-outcome="written"]')).toHaveCount(2);
});

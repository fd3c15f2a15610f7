// Exact values at the right place (issue 15): the demo bank is put into a known state inside the
// simulator (exact-state.ts), the real client decodes its bytes, and the overview, the pack page and
// the parameter page must show exactly the numbers that state means, in the place it means them:
// pack N's card, the heatmap cell (pack N, cell K), the bank totals as sum and mean, cell K of the
// pack page, each temperature with its sensor's name, the switches and alarm words of the bits set,
// and each parameter the simulated pack holds. Every value differs by pack and cell, so a value
// shown in another pack's place, another cell's, or at another scale fails.

import { expect, test, type Locator, type Page } from '@playwright/test';
import { seriousFindings } from './a11y-helpers';
import { openDemo } from './monitor-helpers';
import {
  ALARM_CELL,
  ALARM_PACK,
  ALARM_SENSOR,
  BALANCING,
  BANK,
  CELLS,
  DESIGN_100MAH_PACK,
  PACKS,
  TEMP_LABELS,
  VOLT_10MV_PACK,
  bankTotals,
  cellExtremes,
  cellSum_mV,
  fixed,
  putBankState,
  putUnitQuirks,
  signed,
  soc_pct,
  unit,
  voltage_V,
  type PackState
} from './exact-state';

const powerText = (W: number) => (Math.abs(W) >= 999.5 ? unit(fixed(W / 1000, 2), 'kW') : unit(fixed(W, 0), 'W'));
const hottestOf = (s: PackState) => {
  const max = Math.max(...s.temps_C);
  return { temp: max, label: TEMP_LABELS[s.temps_C.indexOf(max)] };
};

async function openKnownBank(page: Page): Promise<void> {
  await openDemo(page, PACKS);
  await putBankState(page);
}

test.describe('a known simulator state, shown exactly where it belongs', () => {
  test('overview: each card, each heatmap cell and the bank totals', async ({ page }) => {
    test.setTimeout(90_000);
    await openKnownBank(page);

    for (const s of BANK) {
      const card = page.getByTestId(`pack-card-${s.address}`);
      await card.scrollIntoViewIfNeeded();
      // The card's four figures, in order: voltage, current (1 decimal), SOC, hottest sensor.
      await expect(card.locator('dd .v')).toHaveText([
        unit(fixed(voltage_V(s), 2), 'V'),
        unit(fixed(s.current_A, 1), 'A'),
        unit(fixed(soc_pct(s), 0), '%'),
        unit(fixed(hottestOf(s).temp, 1), '°C')
      ]);
      await expect(card.locator('dd .sub')).toHaveText([s.current_A > 0 ? 'Charging' : 'Discharging', hottestOf(s).label]);
    }

    const cells = page.getByTestId('cell-heatmap');
    const temps = page.getByTestId('temp-heatmap');
    for (const s of BANK) {
      // Row of pack N, cell K in column K: every value in its own place.
      await expect(cells.locator(`tbody tr[data-address="${s.address}"] td .v`)).toHaveText(s.cells_mV.map(String));
      await expect(temps.locator(`tbody tr[data-address="${s.address}"] td .v`)).toHaveText(s.temps_C.map((t) => fixed(t, 1)));
    }
    // One cell named by its place, as the pointer reads it.
    const probe = BANK[10];
    const td = cells.locator(`tbody tr[data-address="${probe.address}"] td`).nth(12);
    await td.hover();
    await expect(td).toHaveAttribute('title', new RegExp(`^Pack ${probe.address}, cell 13: ${probe.cells_mV[12]}\\smV, `));

    // Totals: the bus current is the sum, the system voltage the mean, SOC weighted by full capacity.
    const t = bankTotals(BANK);
    const totals = page.getByTestId('bank-totals');
    await expect(totals.locator('[data-figure="current"] .v')).toHaveText(unit(signed(t.current_A, 1), 'A'));
    await expect(totals.locator('[data-figure="voltage"] .v')).toHaveText(unit(fixed(t.meanVoltage_V, 2), 'V'));
    await expect(totals.locator('[data-figure="soc"] .v')).toHaveText(unit(fixed(t.soc, 0), '%'));
    await expect(totals.locator('[data-figure="power"] .v')).toHaveText(powerText(t.power_W));
    await expect(totals.locator('[data-figure="state"] .v')).toHaveText(
      t.current_A < -0.5 ? 'Discharging' : t.current_A > 0.5 ? 'Charging' : 'Standby'
    );
    await expect(totals.locator('[data-figure="packs"] .v')).toHaveText(`${PACKS} of ${PACKS}`);
  });

  test('pack page: figures, every cell, extremes, temperatures with names, switches and alarm words', async ({ page }) => {
    test.setTimeout(90_000);
    await openKnownBank(page);
    await page.getByTestId(`pack-card-${ALARM_PACK}`).click();
    await expect(page).toHaveURL(new RegExp(`/pack/${ALARM_PACK}$`));
    const s = BANK[ALARM_PACK - 1];

    const fig = (id: string): Locator => page.getByTestId(`fig-${id}`).locator('.value');
    await expect(fig('voltage')).toHaveText(unit(fixed(voltage_V(s), 2), 'V'));
    await expect(fig('current')).toHaveText(unit(signed(s.current_A, 2), 'A'));
    await expect(fig('power')).toHaveText(powerText(voltage_V(s) * s.current_A));
    await expect(fig('soc')).toHaveText(unit(fixed(soc_pct(s), 0), '%'));
    await expect(fig('soh')).toHaveText(unit(fixed(Math.min(100, (100 * s.full_Ah) / s.design_Ah), 0), '%'));
    await expect(fig('cycles')).toHaveText(`${s.cycles} cycles`);
    await expect(fig('remaining')).toHaveText(unit(fixed(s.remaining_Ah, 1), 'Ah'));
    await expect(fig('full')).toHaveText(unit(fixed(s.full_Ah, 1), 'Ah'));
    await expect(fig('design')).toHaveText(unit(fixed(s.design_Ah, 1), 'Ah'));

    // Cell K shows exactly its millivolts, with its marks in words.
    const bars = page.getByTestId('cell-bars').locator('li');
    await expect(bars).toHaveCount(CELLS);
    await expect(bars.locator('.label')).toHaveText(s.cells_mV.map((_, k) => `Cell ${String(k + 1).padStart(2, '0')}`));
    await expect(bars.locator('.value')).toHaveText(s.cells_mV.map((mV) => unit(String(mV), 'mV')));
    const x = cellExtremes(s.cells_mV);
    await expect(bars.nth(x.maxCell - 1)).toHaveAttribute('data-marks', /\bmax\b/);
    await expect(bars.nth(x.minCell - 1)).toHaveAttribute('data-marks', /\bmin\b/);
    for (const n of BALANCING) await expect(bars.nth(n - 1).locator('.marks')).toContainText('balancing');
    await expect(bars.nth(ALARM_CELL - 1).locator('.marks')).toContainText('above limit');
    await expect(page.getByTestId('cell-summary')).toHaveText(
      `${CELLS} cells. Highest ${unit(String(x.max), 'mV')} (cell ${x.maxCell}), lowest ${unit(String(x.min), 'mV')} (cell ${x.minCell}), ` +
        `spread ${unit(String(x.spread), 'mV')}. Balancing: cells ${BALANCING.join(', ')}.`
    );

    // Each temperature with its sensor's name; the one over its limit says so.
    const temps = page.getByTestId('temp-list').locator('li');
    await expect(temps.locator('.label')).toHaveText(TEMP_LABELS);
    await expect(temps.locator('.value')).toHaveText(s.temps_C.map((t) => unit(fixed(t, 1), '°C')));
    await expect(temps.nth(ALARM_SENSOR - 1).locator('.status')).toHaveText('above limit');
    await expect(temps.locator('.status')).toHaveCount(1);

    // The indication bits set: charge MOSFET off, discharge MOSFET on, heater on.
    const switches = page.getByTestId('switches').locator('li');
    await expect(switches.locator('.label')).toHaveText(['Charge MOSFET', 'Discharge MOSFET', 'Heater']);
    await expect(switches.locator('.status')).toHaveText(['Off', 'On', 'On']);

    // The protection, fault and warning bits set, each in words in its group, and no other alarm.
    const flags = page.getByTestId('flag-list');
    await expect(flags.locator('section h3')).toHaveText([/Faults \(1\)$/, /Protection active \(1\)$/, /Warnings \(1\)$/]);
    await expect(flags.locator('[data-flag="ntcFault"] strong')).toHaveText('Temperature sensor (NTC) fault');
    await expect(flags.locator('[data-flag="cellOverVoltageProtect"] strong')).toHaveText('Cell over-voltage protection');
    await expect(flags.locator('[data-flag="cellOverVoltageWarning"] strong')).toHaveText('Cell high-voltage warning');
    await expect(page.locator('#alarms-title')).toContainText('Alarms');

    // The pack next door has none of it: the bits belong to this pack only.
    await page.goBack();
    await page.getByTestId(`pack-card-${ALARM_PACK + 1}`).click();
    await expect(page).toHaveURL(new RegExp(`/pack/${ALARM_PACK + 1}$`));
    await expect(page.getByTestId('no-alarms')).toBeVisible();
    await expect(page.getByTestId('switches').locator('li .status')).toHaveText(['On', 'On', 'Off']);
    await expect(page.getByTestId('cell-bars').locator('.mark-balancing')).toHaveCount(0);
    await expect(page.getByTestId('cell-bars').locator('li .value')).toHaveText(BANK[ALARM_PACK].cells_mV.map((mV) => unit(String(mV), 'mV')));
  });

  test('parameter page: each parameter exactly as the simulated pack holds it', async ({ page }) => {
    test.setTimeout(90_000);
    await openKnownBank(page);
    await page.getByTestId(`pack-card-${ALARM_PACK}`).click();
    await page
      .getByRole('navigation', { name: /Pack 7/ })
      .getByRole('link', { name: 'Parameters', exact: true })
      .click();
    await page.waitForURL(`**/parameters/${ALARM_PACK}`);
    await expect(page.getByTestId('read-state')).toContainText('Read from the pack at');
    const p = BANK[ALARM_PACK - 1].params;

    // Volts with three decimals where the pack stores millivolts; amps and °C in their own step.
    const expected: [id: string, text: string, u: string][] = [
      ['cellOverVoltage.alarm_mV', fixed(p.cellOvAlarm_mV / 1000, 3), 'V'],
      ['cellOverVoltage.protect_mV', fixed(p.cellOvProtect_mV / 1000, 3), 'V'],
      ['packOverVoltage.protect_mV', fixed(p.packOvProtect_mV / 1000, 3), 'V'],
      ['chargeOverCurrent.protect_A', String(p.chargeOcProtect_A), 'A'],
      ['cellHighTemperature.chargeProtect_C', fixed(p.cellHighChargeProtect_C, 1), '°C'],
      ['balance.startVoltage_mV', fixed(p.balanceStart_mV / 1000, 3), 'V']
    ];
    for (const [id, text, u] of expected) {
      const row = page.getByTestId(`param-${id}`);
      await expect(row.locator('input')).toHaveValue(text);
      await expect(row.locator('.unit')).toHaveText(u);
    }
  });
});

test.describe('a pack whose reply needed a unit choice', () => {
  const VOLT_PACK = VOLT_10MV_PACK;
  const DESIGN_PACK = DESIGN_100MAH_PACK;

  async function openQuirkyBank(page: Page): Promise<void> {
    await openKnownBank(page);
    await putUnitQuirks(page);
  }

  test('the pack page shows the value read in the unit that fits, and says why, in English and Chinese', async ({ page }) => {
    test.setTimeout(90_000);
    await openQuirkyBank(page);
    const s = BANK[VOLT_PACK - 1];
    const sum_mV = cellSum_mV(s);
    // 10 mV on the wire, read as such: the same volts the cells add up to, to the 10 mV step.
    const shown = unit(fixed((Math.round(sum_mV / 10) * 10) / 1000, 2), 'V');
    const sumText = unit(fixed(sum_mV / 1000, 2), 'V');
    await expect(page.getByTestId(`pack-card-${VOLT_PACK}`).locator('dd .v').first()).toHaveText(shown);

    await page.getByTestId(`pack-card-${VOLT_PACK}`).click();
    await expect(page.getByTestId('fig-voltage').locator('.value')).toHaveText(shown);
    const notes = page.getByTestId('unit-notes').locator('li');
    await expect(notes).toHaveText([
      `Decoded with the pack voltage in 10 mV units instead of the documented 1 mV: only then does it match the sum of the cells, ${sumText}.`
    ]);
    await expect(notes.first()).toHaveAttribute('data-field', 'voltage');
    // The note reads in both colour schemes (axe: no serious or critical finding on the page with it).
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await seriousFindings(page)).toEqual([]);
    }

    await page.locator('[data-testid="locale-switch"]:visible').first().selectOption('zh-CN');
    await expect(notes).toHaveText([`电池包电压按 10 mV 为单位解码，而非协议规定的 1 mV：只有这样才与各电芯电压之和 ${sumText} 相符。`]);
    // Numbers read the same in Chinese: the voltage and a cell by its place.
    await expect(page.getByTestId('fig-voltage').locator('.value')).toHaveText(shown);
    await expect(page.getByTestId('cell-bars').locator('li .value').nth(9)).toHaveText(unit(String(s.cells_mV[9]), 'mV'));
    await page.locator('[data-testid="locale-switch"]:visible').first().selectOption('en');

    await page.goBack();
    await page.getByTestId(`pack-card-${DESIGN_PACK}`).click();
    const d = BANK[DESIGN_PACK - 1];
    await expect(page.getByTestId('fig-design').locator('.value')).toHaveText(unit(fixed(100, 1), 'Ah'));
    await expect(page.getByTestId('fig-full').locator('.value')).toHaveText(unit(fixed(BANK[DESIGN_PACK - 1].full_Ah, 1), 'Ah'));
    await expect(page.getByTestId('unit-notes').locator('li')).toHaveText([
      `Decoded with the design capacity in 100 mAh units instead of the documented 10 mAh: only then do the capacities fit together ` +
        `(remaining ${unit(fixed(d.remaining_Ah, 1), 'Ah')}, full ${unit(fixed(d.full_Ah, 1), 'Ah')}, design ${unit(fixed(100, 1), 'Ah')}).`
    ]);

    // A pack whose fields fit their documented units has no note.
    await page.goBack();
    await page.getByTestId(`pack-card-${DESIGN_PACK + 1}`).click();
    await expect(page.getByTestId('fig-voltage').locator('.value')).toHaveText(unit(fixed(voltage_V(BANK[DESIGN_PACK]), 2), 'V'));
    await expect(page.getByTestId('unit-notes')).toHaveCount(0);
  });
});

// The monitoring pages against the demo bank (the simulator behind the real session, client and
// poller): overview cards and heatmaps, a pack page with cells, flags and a zoomable trend, the
// wall display, odd addresses, and a phone-width layout.

import { expect, test, type Page } from '@playwright/test';
import { injectUpdates, openDemo, takeOverUpdates } from './monitor-helpers';
import { FLAG_CELL_OV_WARNING, FLAG_DISCHARGE_MOS_FAULT, syntheticAnalog, syntheticHealth, syntheticStatus } from '../fixtures/synthetic-bank';

const PACKS = 16;

test.describe('overview', () => {
  test('shows 16 live pack cards, the bank totals and both heatmaps with legends', async ({ page }) => {
    await openDemo(page, PACKS);
    for (let a = 1; a <= PACKS; a++) {
      const card = page.getByTestId(`pack-card-${a}`);
      await expect(card).toBeVisible();
      await expect(card).toHaveAttribute('data-freshness', 'live');
      await expect(card).toContainText(`Pack ${a}`);
      await expect(card).toContainText(/\d+\.\d\d\sV/);
    }
    await expect(page.getByTestId('pack-card-1')).toContainText('Master');
    await expect(page.getByTestId('pack-card-2')).toContainText('Slave');
    await expect(page.locator('[data-testid^="pack-card-"]')).toHaveCount(PACKS);

    const totals = page.getByTestId('bank-totals');
    await expect(totals.locator('[data-figure="packs"] dd').first()).toHaveText('16 of 16');
    await expect(totals.locator('[data-figure="state"] dd')).toHaveText(/^(Standby|Charging|Discharging)$/);
    await expect(totals.locator('[data-figure="voltage"] dd')).toHaveText(/^\d+\.\d\d\sV$/);

    const cells = page.getByTestId('cell-heatmap');
    await expect(cells.getByRole('heading', { name: 'Cell voltages (mV)' })).toBeVisible();
    // The heatmap is the table: one row per pack, the value as text, the colour behind it...
    const table = cells.getByRole('table', { name: 'Cell voltages (mV)' });
    await expect(table.locator('tbody tr')).toHaveCount(PACKS);
    await expect(table.getByRole('columnheader', { name: 'Cell 16' })).toHaveCount(1);
    const first = table.locator('tbody tr').first().locator('td').first();
    await expect(first).toHaveText(/^\d{4}$/);
    expect(await first.evaluate((el) => getComputedStyle(el).backgroundColor)).toMatch(/^rgb\(/);
    // ...the pack names are row headers that link to their pages...
    await expect(table.getByRole('rowheader')).toHaveCount(PACKS);
    await expect(table.locator('tbody th a')).toHaveCount(PACKS);
    await expect(table.getByRole('rowheader').nth(3)).toContainText('Pack 4');
    // ...and under the pointer each cell says everything about itself.
    await first.hover();
    await expect(first).toHaveAttribute('title', /^Pack 1, cell 1: \d{4}\smV, .* from the bank mean/);
    const other = table.locator('tbody tr').nth(3).locator('td').nth(2);
    await other.hover();
    await expect(other).toHaveAttribute('title', /^Pack 4, cell 3: /);
    await expect(cells.locator('figure.legend')).toContainText('Cell voltage against the bank mean');
    await expect(cells.locator('figure.legend')).toContainText(/mean \d{4}\smV/);
    await expect(cells.locator('figure.legend')).toContainText('Hatched grey');

    const temps = page.getByTestId('temp-heatmap');
    await expect(temps.locator('table tbody tr')).toHaveCount(PACKS);
    await expect(temps.locator('table thead th')).toContainText(['Pack', 'Cell T1', 'MOSFET', 'Ambient']);
    await expect(temps.locator('tbody tr').first().locator('td').first()).toHaveText(/^\d+\.\d$/);
    await expect(temps.locator('figure.legend')).toContainText('Temperature');
    await expect(temps.locator('figure.legend')).toContainText(/°C/);
  });

  test('a refresh reaches the cards and the heatmap at once, on screen or not', async ({ page }) => {
    await openDemo(page, PACKS);
    await takeOverUpdates(page, PACKS);
    await page.evaluate(() => window.scrollTo(0, 0));
    // Pack 1's next values, and what the card and the heatmap show before any frame.
    const shown = await page.evaluate(
      async ({ analog, status }) => {
        const now = window.__packservice!.session.clock.now();
        window.__monitorApply!({
          address: 1,
          received_ms: now,
          analog,
          status,
          health: {
            address: 1,
            state: 'ok',
            lastGood_ms: now,
            freshUntil_ms: now + 3_600_000,
            noReplyCount: 0,
            badReplyCount: 0,
            consecutiveFailures: 0,
            nextProbe_ms: null,
            lastError: null
          }
        });
        // Svelte applies state changes in a microtask: after it, before any frame.
        await Promise.resolve();
        await new Promise<void>((r) => queueMicrotask(r));
        const text = (selector: string) => document.querySelector(selector)?.textContent?.trim() ?? '';
        return {
          card: text('[data-testid="pack-card-1"] .v'),
          cell: text('[data-testid="cell-heatmap"] tr[data-address="1"] td'),
          temp: text('[data-testid="temp-heatmap"] tr[data-address="1"] td'),
          tempSkipped: !document.querySelector('[data-testid="temp-heatmap"] table')!.checkVisibility({ contentVisibilityAuto: true })
        };
      },
      {
        analog: { ...syntheticAnalog(1, 111), cells_mV: Array(16).fill(3111), voltage_V: (16 * 3111) / 1000, temps_C: Array(6).fill(31.5) },
        status: syntheticStatus(1, 111)
      }
    );
    expect(shown.card).toBe('49.78\u00a0V');
    // The heatmaps are below the fold, the temperatures so far that their rendering is skipped:
    // their values are current all the same.
    expect(shown.cell).toBe('3111');
    expect(shown.tempSkipped).toBe(true);
    expect(shown.temp).toBe('31.5');
  });

  test('a card opens its pack page', async ({ page }) => {
    await openDemo(page, PACKS);
    await page.getByTestId('pack-card-3').click();
    await expect(page).toHaveURL(/\/pack\/3$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Pack 3' })).toBeVisible();
  });
});

test.describe('trouble', () => {
  test('a stale and an offline pack are marked and greyed, never drawn as live', async ({ page }) => {
    await openDemo(page, PACKS);
    await takeOverUpdates(page, PACKS);
    // As the poller reports them: no new values, only health.
    await injectUpdates(page, [
      { address: 5, received_ms: 0, health: syntheticHealth(5, 'stale', -40_000) },
      { address: 9, received_ms: 0, health: syntheticHealth(9, 'offline', -300_000) }
    ]);

    const stale = page.getByTestId('pack-card-5');
    await expect(stale).toHaveAttribute('data-freshness', 'stale');
    await expect(stale).toHaveClass(/muted/);
    await expect(stale).toContainText(/Stale/);
    await expect(stale).toContainText(/\d+\.\d\d\sV/);

    const offline = page.getByTestId('pack-card-9');
    await expect(offline).toHaveAttribute('data-freshness', 'offline');
    await expect(offline).toContainText('Offline, last seen 5\u00a0min ago');
    await expect(offline).not.toContainText(/\d+\.\d\d\sV/);

    await expect(page.getByTestId('bank-totals').locator('[data-figure="packs"] dd').first()).toHaveText('14 of 16');

    const cells = page.getByTestId('cell-heatmap');
    await expect(cells.locator('tr[data-address="9"] td')).toHaveText(['Offline']);
    await expect(cells.locator('tr[data-address="9"] th')).toContainText('Slave, offline');
    await expect(cells.locator('tr[data-address="5"] th')).toContainText('Slave, stale');
    const staleCells = cells.locator('tr[data-address="5"] td');
    await expect(staleCells).toHaveCount(16);
    // The value stays readable, and "stale" is in the words a screen reader reads, not only in the look.
    for (const td of await staleCells.all()) await expect(td).toHaveText(/^\d{4} \(stale\)$/);
    await expect(page.getByTestId('temp-heatmap').locator('tr[data-address="9"] td')).toHaveText(['Offline']);

    // Drawn: a stale cell and an offline row are hatched grey (two greys, no hue), a live cell one
    // flat colour. Read from screenshots of the cells' top-left corners, away from the text.
    const patch = async (cell: ReturnType<Page['locator']>) => {
      await cell.scrollIntoViewIfNeeded();
      const png = (await cell.screenshot()).toString('base64');
      return page.evaluate(async (png) => {
        const img = new Image();
        img.src = `data:image/png;base64,${png}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(2, 2, 10, 10).data;
        const colours = new Set<string>();
        let maxChroma = 0;
        for (let i = 0; i < d.length; i += 4) {
          colours.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
          maxChroma = Math.max(maxChroma, Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]));
        }
        return { colours: colours.size, maxChroma };
      }, png);
    };
    for (const hatched of [staleCells.first(), cells.locator('tr[data-address="9"] td')]) {
      const look = await patch(hatched);
      expect(look.colours).toBeGreaterThan(1);
      expect(look.maxChroma).toBeLessThan(20);
    }
    expect((await patch(cells.locator('tr[data-address="1"] td').first())).colours).toBe(1);

    await page.getByTestId('wall-enter').click();
    await expect(page.getByTestId('wall-tile-9')).toContainText('Offline');
    await expect(page.getByTestId('wall-tile-5')).toContainText('Stale');
  });

  test('alarms read in words on the card and with advice on the pack page', async ({ page }) => {
    await openDemo(page, PACKS);
    await takeOverUpdates(page, PACKS);
    await injectUpdates(page, [
      {
        address: 12,
        analog: syntheticAnalog(12, 1),
        status: syntheticStatus(12, 1, [FLAG_CELL_OV_WARNING, FLAG_DISCHARGE_MOS_FAULT]),
        received_ms: 0,
        health: syntheticHealth(12, 'ok', 0)
      }
    ]);
    const card = page.getByTestId('pack-card-12');
    await expect(card).toContainText('Discharge MOSFET fault + 1 more');

    await card.click();
    await expect(page).toHaveURL(/\/pack\/12$/);
    await expect(page.getByRole('heading', { name: 'Alarms: Discharge MOSFET fault + 1 more' })).toBeVisible();
    const flags = page.getByTestId('flag-list');
    await expect(flags.getByRole('heading', { name: /Faults \(1\)/ })).toBeVisible();
    await expect(flags.getByRole('heading', { name: /Warnings \(1\)/ })).toBeVisible();
    // Words by flag id, from the app's messages (the protocol's English stays in the flag for logs).
    await expect(flags.locator('li[data-flag="dischargeMosFault"]')).toContainText('Contact support with a diagnose report');
    await expect(flags.locator('li[data-flag="cellOverVoltageWarning"]')).toContainText('Cell high-voltage warning');
    await expect(flags.getByTestId('no-alarms')).toHaveCount(0);
  });
});

async function dragAcross(page: Page, target: ReturnType<Page['locator']>): Promise<void> {
  // Mouse coordinates are the viewport's: the plot must be on screen.
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) throw new Error('plot area has no box');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
  await page.mouse.up();
}

test.describe('pack page', () => {
  test('shows every cell, temperatures, switches, flags in words and identity', async ({ page }) => {
    await openDemo(page, PACKS);
    await page.goto('/pack/2');
    await expect(page.getByRole('heading', { level: 1, name: 'Pack 2' })).toBeVisible();
    const bars = page.getByTestId('cell-bars').locator('li');
    await expect(bars).toHaveCount(16);
    await expect(bars.first()).toContainText(/Cell 01\s*\d{4}\smV/);
    await expect(page.getByTestId('cell-summary')).toHaveText(/^16 cells\. (Highest|All at)/);
    // The extremes are marked in words, not only in colour.
    await expect(page.getByTestId('cell-bars')).toContainText('highest');
    await expect(page.getByTestId('cell-bars')).toContainText('lowest');

    const temps = page.getByTestId('temp-list');
    await expect(temps).toContainText('MOSFET');
    await expect(temps.locator('li')).toHaveCount(6);

    await expect(page.getByTestId('switches')).toContainText(/Charge MOSFET\s*(On|Off)/);
    await expect(page.getByTestId('switches')).toContainText(/Discharge MOSFET\s*(On|Off)/);

    // Flags in words: either the "no alarms" sentence or named flags with advice.
    const flags = page.getByTestId('flag-list');
    await expect(flags).toBeVisible();
    const noAlarms = await flags.getByTestId('no-alarms').count();
    if (noAlarms) await expect(flags).toContainText('No protection, warning or fault is active');
    else await expect(flags.locator('li[data-flag] strong').first()).toHaveText(/\w+ \w+/);

    await expect(page.getByTestId('identity')).toContainText('0x02 (2)');
    await expect(page.getByTestId('fig-voltage')).toContainText(/\d+\.\d\d\sV/);
    await expect(page.getByTestId('fig-soc')).toContainText('%');
  });

  test('the trend renders, zooms on drag and resets on double-click', async ({ page }) => {
    await openDemo(page, PACKS);
    await page.goto('/pack/1');
    const trend = page.getByTestId('trend');
    await expect(trend).toHaveAttribute('data-phase', 'ready');
    await expect(trend.locator('canvas')).toHaveCount(5);
    // A few samples, so the chart has a line to zoom into.
    await expect.poll(async () => page.evaluate(() => window.__packservice?.session.trend(1)?.length ?? 0)).toBeGreaterThan(3);
    await expect(trend.locator('table.summary')).toContainText(/Pack voltage\s*\d+\.\d\d\sV/);
    await expect(trend).toHaveAttribute('data-zoomed', 'false');
    await expect(page.getByTestId('trend-reset')).toBeDisabled();

    const over = trend.locator('[data-panel="voltage"] .u-over');
    await dragAcross(page, over);
    await expect(trend).toHaveAttribute('data-zoomed', 'true');
    await expect(page.getByTestId('trend-reset')).toBeEnabled();

    await over.dblclick();
    await expect(trend).toHaveAttribute('data-zoomed', 'false');

    // Range buttons are toggle buttons with a pressed state.
    await page.getByRole('button', { name: '5 min' }).click();
    await expect(page.getByRole('button', { name: '5 min' })).toHaveAttribute('aria-pressed', 'true');
  });

  // The line's legend row, not the recorded band's edges ("Pack voltage, lowest in interval").
  const PACK_VOLTAGE_ROW = /Pack voltage(?!,)/;
  test('going from pack to pack, each chart shows its own pack and nothing of the last one', async ({ page }) => {
    await openDemo(page, PACKS);
    await takeOverUpdates(page, PACKS);
    // An hour of flat voltage per pack, different for each, so a chart showing the wrong pack's
    // samples shows the wrong number.
    await page.evaluate(() => {
      const s = window.__packservice?.session;
      if (!s) throw new Error('no session');
      const end = s.clock.now();
      for (const [address, voltage_V] of [
        [1, 50.25],
        [2, 55.75]
      ] as const) {
        const b = s.trend(address);
        if (!b) throw new Error(`pack ${address} has no trend buffer`);
        b.clear();
        for (let i = 0; i < 720; i++)
          b.push({ t_ms: end - (719 - i) * 5000, voltage_V, current_A: 1, soc_pct: 50, cellSpread_mV: 10, maxTemp_C: 25, minTemp_C: 24 });
      }
    });
    const voltageAtCursor = async () => {
      const panel = page.getByTestId('trend').locator('[data-panel="voltage"]');
      const over = panel.locator('.u-over');
      await over.scrollIntoViewIfNeeded();
      const box = await over.boundingBox();
      if (!box) throw new Error('voltage plot has no box');
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
      return panel.locator('.u-legend tr.u-series', { hasText: PACK_VOLTAGE_ROW }).locator('.u-value');
    };
    const legend = page.getByTestId('trend').locator('[data-panel="voltage"] .u-legend');

    await page.getByTestId('pack-card-1').click();
    await expect(page.getByTestId('trend')).toHaveAttribute('data-phase', 'ready');
    await expect(await voltageAtCursor()).toHaveText('50.25 V');
    await dragAcross(page, page.getByTestId('trend').locator('[data-panel="voltage"] .u-over'));
    await expect(page.getByTestId('trend')).toHaveAttribute('data-zoomed', 'true');

    await page.goBack();
    await page.mouse.move(0, 0);
    await page.getByTestId('pack-card-2').click();
    await expect(page).toHaveURL(/\/pack\/2$/);
    await expect(page.getByTestId('trend')).toHaveAttribute('data-phase', 'ready');
    // Before the mouse is on it, the legend holds no number: not the last pack's, and not one
    // for where the mouse was on the last page.
    await expect(legend.locator('tr.u-series', { hasText: PACK_VOLTAGE_ROW }).locator('.u-value')).toHaveText('—');
    await expect(page.getByTestId('trend')).toHaveAttribute('data-zoomed', 'false');
    await expect(await voltageAtCursor()).toHaveText('55.75 V');

    // A drag-zoom zooms this page's charts.
    await dragAcross(page, page.getByTestId('trend').locator('[data-panel="voltage"] .u-over'));
    await expect(page.getByTestId('trend')).toHaveAttribute('data-zoomed', 'true');
    await page.getByTestId('trend-reset').click();
    await expect(page.getByTestId('trend')).toHaveAttribute('data-zoomed', 'false');
  });

  test('an address that is not in the bank, and one that is not an address', async ({ page }) => {
    await openDemo(page, PACKS);
    await page.goto('/pack/99');
    await expect(page.getByTestId('unknown-pack')).toContainText('There is no pack at address 99');
    await expect(page.getByTestId('unknown-pack').getByRole('link', { name: 'Pack 16' })).toHaveCount(1);
    await page.goto('/pack/abc');
    await expect(page.getByTestId('bad-address')).toContainText('“abc” is not a pack address');
  });

  test('without a connection the pages say so instead of showing numbers', async ({ page }) => {
    await page.goto('/pack/1');
    await expect(page.getByTestId('not-connected')).toBeVisible();
    await page.goto('/overview');
    await expect(page.getByTestId('not-connected')).toBeVisible();
    await expect(page.locator('[data-testid^="pack-card-"]')).toHaveCount(0);
  });
});

test.describe('wall display', () => {
  test('enters from the overview, hides the navigation and exits with Esc', async ({ page }) => {
    await openDemo(page, PACKS);
    await page.getByTestId('wall-enter').click();
    await expect(page).toHaveURL(/\/overview\?wall=1$/);
    const wall = page.getByTestId('wall');
    await expect(wall).toBeVisible();
    await expect(wall.locator('[data-testid^="wall-tile-"]')).toHaveCount(PACKS);
    await expect(wall.locator('[data-figure="soc"] dd')).toHaveText(/\d+\s%/);
    // The wall covers the whole viewport, navigation included.
    const box = await wall.boundingBox();
    const vp = page.viewportSize();
    expect(box).toMatchObject({ x: 0, y: 0, width: vp?.width, height: vp?.height });
    const wallOnTop = await page.evaluate(() => {
      const nav = document.querySelector('nav[aria-label="Main"]')?.getBoundingClientRect();
      const probe = nav && nav.width > 0 ? { x: nav.x + nav.width / 2, y: nav.y + nav.height / 2 } : { x: 10, y: 10 };
      return document.elementFromPoint(probe.x, probe.y)?.closest('[data-testid="wall"]') !== null;
    });
    expect(wallOnTop).toBe(true);

    await page.keyboard.press('Escape');
    await expect(page).toHaveURL(/\/overview$/);
    await expect(wall).toHaveCount(0);
    expect(await page.evaluate(() => document.fullscreenElement)).toBeNull();
    await expect(page.getByTestId('pack-card-1')).toBeVisible();
  });

  test('the exit button leaves it too', async ({ page }) => {
    await openDemo(page, PACKS);
    await page.goto('/overview?wall=1');
    await page.getByTestId('wall-exit').click();
    await expect(page).toHaveURL(/\/overview$/);
  });
});

test.describe('phone width', () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test('cards reflow to two columns and the heatmap scrolls sideways with its labels in place', async ({ page }) => {
    await openDemo(page, PACKS);
    // One layout for all three boxes: measured one by one, a card can change height in between
    // (its alarm line goes from "Alarms not read yet", two lines on a phone, to "No alarms").
    const [a, b, c] = await page.evaluate(() =>
      [1, 2, 3].map((n) => {
        const r = document.querySelector(`[data-testid="pack-card-${n}"]`)?.getBoundingClientRect();
        if (!r) throw new Error(`pack card ${n} is missing`);
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      })
    );
    // 1 and 2 side by side, 3 below 1.
    expect(Math.abs(a.y - b.y)).toBeLessThan(1);
    expect(b.x).toBeGreaterThan(a.x + a.width - 1);
    expect(Math.abs(c.x - a.x)).toBeLessThan(1);
    expect(c.y).toBeGreaterThan(a.y + a.height - 1);
    expect(b.x + b.width).toBeLessThanOrEqual(360);

    // Nothing but the heatmap scrollers may be wider than the screen.
    const pageOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(pageOverflow).toBeLessThanOrEqual(0);

    const scroller = page.getByTestId('cell-heatmap').locator('.scroll');
    const dims = await scroller.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(dims.scroll).toBeGreaterThan(dims.client);
    const rowHead = page.getByTestId('cell-heatmap').locator('tbody th').first();
    const cell = page.getByTestId('cell-heatmap').locator('tbody td').nth(5);
    await rowHead.scrollIntoViewIfNeeded();
    const before = { head: await rowHead.boundingBox(), cell: await cell.boundingBox() };
    await scroller.evaluate((el) => el.scrollTo({ left: 300 }));
    const after = { head: await rowHead.boundingBox(), cell: await cell.boundingBox() };
    // Sticky: the pack name stays where it was while the cells move under it...
    expect(after.head?.x).toBeCloseTo(before.head?.x ?? -1, 0);
    expect(after.cell?.x).toBeLessThan((before.cell?.x ?? 0) - 100);
    // ...and on top of them, readable.
    const onTop = await rowHead.evaluate((th) => {
      const r = th.getBoundingClientRect();
      return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)?.closest('th') === th;
    });
    expect(onTop).toBe(true);
  });
});

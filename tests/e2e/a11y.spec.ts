// Accessibility of every page of the nav (NAV_ITEMS, so pages added later are covered):
//   - an axe audit (@axe-core/playwright) with nothing connected and with the demo bank connected,
//     in the light and the dark scheme, both as the system's choice and as the app's own Theme
//     setting against the other system scheme: no serious or critical finding;
//   - by keyboard: every control on each page is reached by Tab and shows a focus ring; connecting
//     the demo bank, opening a pack and switching the theme work with the keyboard alone;
//   - colour is never the only signal: alarms, stale and offline values, cell marks and the trend
//     charts say the same in words, glyphs or numbers (checked with the page turned grey).

import { expect, test, type Page } from '@playwright/test';
import { injectUpdates, openDemo, takeOverUpdates } from './monitor-helpers';
import { followNav, navPages } from './nav-pages';
import { seriousFindings, tabWalk } from './a11y-helpers';
import { FLAG_CELL_OV_WARNING, FLAG_DISCHARGE_MOS_FAULT, syntheticAnalog, syntheticHealth, syntheticStatus } from '../fixtures/synthetic-bank';

const PACKS = 16;
type Scheme = 'light' | 'dark';

async function expectTheme(page: Page, scheme: Scheme): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
}

/** The app's own Theme setting, through the session (the Settings page's radios do the same). */
async function setAppTheme(page: Page, theme: 'system' | Scheme): Promise<void> {
  await page.evaluate((theme) => window.__packservice!.session.settings.update({ theme }), theme);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`axe, ${scheme} scheme: every nav page with nothing connected`, async ({ page }) => {
    // A full page load per nav page, each audited: 30-35 s warm, and it ran out of 60 s once as the
    // first test of a cold CI run (the connected walks beside it already have 120 s).
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    const findings: string[] = [];
    for (const href of navPages(null)) {
      await page.goto(href);
      await expect(page.locator('main h1').first()).toBeVisible();
      await expectTheme(page, scheme);
      findings.push(...(await seriousFindings(page)).map((f) => `${href}: ${f}`));
    }
    expect(findings).toEqual([]);
  });

  test(`axe, ${scheme} scheme: every nav page with the demo bank connected, and the wall display`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    await openDemo(page, PACKS);
    await expectTheme(page, scheme);
    const findings: string[] = [];
    for (const href of navPages(1)) {
      await followNav(page, href);
      findings.push(...(await seriousFindings(page)).map((f) => `${href}: ${f}`));
    }
    await followNav(page, '/overview');
    await page.getByTestId('wall-enter').click();
    await page.waitForURL(/wall=1/);
    findings.push(...(await seriousFindings(page)).map((f) => `wall display: ${f}`));
    expect(findings).toEqual([]);
  });

  const other: Scheme = scheme === 'light' ? 'dark' : 'light';
  test(`axe: the app's Theme setting "${other}" over a ${scheme} system, demo bank connected`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    await openDemo(page, PACKS);
    await setAppTheme(page, other);
    await expectTheme(page, other);
    const findings: string[] = [];
    for (const href of navPages(1)) {
      await followNav(page, href);
      findings.push(...(await seriousFindings(page)).map((f) => `${href}: ${f}`));
    }
    await setAppTheme(page, 'system');
    expect(findings).toEqual([]);
  });
}

// ---------------------------------------------------------------------------------------------
// Keyboard

test('keyboard: on every nav page, with nothing connected and with the demo bank, Tab reaches every control and each shows a focus ring', async ({
  page
}) => {
  test.setTimeout(180_000);
  const problems: string[] = [];
  const check = async (where: string) => {
    const walk = await tabWalk(page);
    expect(walk.reached, `Tab reached something on ${where}`).toBeGreaterThan(3);
    for (const m of walk.missed) problems.push(`${where}: not reachable by Tab: ${m}`);
    for (const m of walk.noRing) problems.push(`${where}: no visible focus: ${m}`);
  };
  for (const href of navPages(null)) {
    await page.goto(href);
    await expect(page.locator('main h1').first()).toBeVisible();
    await check(`${href} (nothing connected)`);
  }
  await openDemo(page, PACKS);
  // Hold the values still, so the page does not change under the walk.
  await takeOverUpdates(page, PACKS);
  for (const href of navPages(1)) {
    await followNav(page, href);
    await check(`${href} (demo bank)`);
  }
  expect(problems).toEqual([]);
});

/** Tab forward until the focused element matches, as a keyboard user would; fails after `limit` presses. */
interface Focused {
  tag: string;
  /** Accessible name as aria-label or text. */
  name: string;
  href: string | null;
  /** A form control's name attribute. */
  field: string | null;
}

async function tabTo(page: Page, matches: (el: Focused) => boolean, limit = 120): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return a
        ? {
            tag: a.tagName.toLowerCase(),
            name: (a.getAttribute('aria-label') ?? a.textContent ?? '').trim().replace(/\s+/g, ' '),
            href: a.getAttribute('href'),
            field: a.getAttribute('name')
          }
        : { tag: '', name: '', href: null, field: null };
    });
    if (matches(el)) return;
  }
  throw new Error('Tab never reached the control');
}

test('keyboard only: connect the demo bank, open a pack, switch the theme', async ({ page }) => {
  test.setTimeout(120_000);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/connect');
  await expect(page.locator('main h1').first()).toBeVisible();

  await tabTo(page, (el) => el.tag === 'button' && el.name.startsWith('Open demo bank'));
  await page.keyboard.press('Enter');
  await page.waitForURL('**/overview');
  await page.waitForFunction((n) => window.__packservice?.session.packs.filter((p) => p.fresh).length === n, PACKS, { timeout: 30_000 });

  // Open pack 3 from its card.
  await tabTo(page, (el) => el.tag === 'a' && el.href === '/pack/3');
  await page.keyboard.press('Enter');
  await page.waitForURL('**/pack/3');
  await expect(page.getByRole('heading', { level: 1, name: 'Pack 3' })).toBeVisible();

  // Settings through the nav, then the theme radios with the arrow keys.
  // After a navigation focus starts again at the top of the page, so the nav comes first.
  await tabTo(page, (el) => el.tag === 'a' && el.href === '/settings');
  await page.keyboard.press('Enter');
  await page.waitForURL('**/settings');
  await expectTheme(page, 'light');
  await tabTo(page, (el) => el.tag === 'input' && el.field === 'theme');
  // The focused radio is the theme group's checked one (System); pick Dark.
  const radio = page.locator('input[name="theme"]:focus');
  await expect(radio).toHaveCount(1);
  for (let i = 0; i < 3 && (await page.locator('input[name="theme"][value="dark"]').isChecked()) === false; i++)
    await page.keyboard.press('ArrowDown');
  await expect(page.locator('input[name="theme"][value="dark"]')).toBeChecked();
  await expectTheme(page, 'dark');
  await page.keyboard.press('ArrowUp');
  await expect(page.locator('input[name="theme"][value="dark"]')).not.toBeChecked();
  await expectTheme(page, 'light');
  await setAppTheme(page, 'system');
});

// ---------------------------------------------------------------------------------------------
// Colour is never the only signal

/** The visible text of an element, glyphs included (aria-hidden glyphs are still seen). */
const seen = (page: Page, selector: string) => page.locator(selector).evaluateAll((els) => els.map((el) => (el as HTMLElement).innerText.trim()));

test('colour is never the only signal: alarms, stale and offline values, cell marks and trends say it in words, glyphs or numbers', async ({
  page
}) => {
  test.setTimeout(120_000);
  await openDemo(page, PACKS);
  await takeOverUpdates(page, PACKS);
  // Pack 12 with a fault and a warning, pack 5 stale (last good 40 s ago), pack 9 offline.
  await injectUpdates(page, [
    {
      address: 12,
      analog: syntheticAnalog(12, 1),
      status: syntheticStatus(12, 1, [FLAG_CELL_OV_WARNING, FLAG_DISCHARGE_MOS_FAULT]),
      received_ms: 0,
      health: syntheticHealth(12, 'ok', 0)
    },
    { address: 5, received_ms: 0, health: syntheticHealth(5, 'stale', -40_000) },
    { address: 9, received_ms: 0, health: syntheticHealth(9, 'offline', -300_000) }
  ]);
  // Grey: whatever the page still says, it does not say with hue.
  // (Through the CSSOM: the app's CSP blocks an injected <style>.)
  await page.evaluate(() => document.documentElement.style.setProperty('filter', 'grayscale(1)', 'important'));

  // Cards: the alarm line carries a glyph and words at every level; freshness is a word.
  const alarmLines = await seen(page, '[data-testid^="pack-card-"] .alarm');
  expect(alarmLines).toHaveLength(PACKS);
  for (const line of alarmLines) expect(line).toMatch(/^[✓!✕?]\s*\S.+/u);
  await expect(page.getByTestId('pack-card-12').locator('.alarm')).toHaveText(/✕\s*Discharge MOSFET fault \+ 1 more/u);
  await expect(page.getByTestId('pack-card-5')).toContainText(/stale/i);
  await expect(page.getByTestId('pack-card-9')).toContainText(/offline/i);

  // Heatmaps: every cell has its value as text; a stale row says "stale" and is hatched, an
  // offline row says "Offline" and is hatched.
  for (const id of ['cell-heatmap', 'temp-heatmap']) {
    const map = page.getByTestId(id);
    await map.scrollIntoViewIfNeeded();
    const texts = await map.locator('tbody td').evaluateAll((tds) => tds.map((td) => (td.textContent ?? '').trim()));
    expect(texts.length).toBeGreaterThan(PACKS);
    for (const t of texts) expect(t).not.toBe('');
    await expect(map.locator('tr[data-address="5"] th')).toContainText(/stale/i);
    await expect(map.locator('tr[data-address="9"] td')).toHaveText(['Offline']);
    for (const sel of ['tr[data-address="5"] td', 'tr[data-address="9"] td']) {
      const images = await map.locator(sel).evaluateAll((tds) => tds.map((td) => getComputedStyle(td).backgroundImage));
      for (const img of images) expect(img).toContain('repeating-linear-gradient');
    }
    // The legend explains the hatching in words.
    await expect(map.locator('figure.legend')).toContainText('Hatched grey');
  }

  // Pack page: alarm groups have a glyph and a count in their heading; cell extremes are marked in
  // words; the trend charts have a table of the same figures in numbers.
  // (A client-side navigation: the injected state and the grey filter stay.)
  await page.getByTestId('pack-card-12').click();
  await page.waitForURL('**/pack/12');
  const flags = page.getByTestId('flag-list');
  await expect(flags.locator('h3').filter({ hasText: 'Faults' })).toHaveText(/✕\s*Faults \(1\)/u);
  await expect(flags.locator('h3').filter({ hasText: 'Warnings' })).toHaveText(/!\s*Warnings \(1\)/u);
  const marks = await page
    .locator('li.cell[data-marks]')
    .evaluateAll((lis) =>
      lis
        .filter((li) => (li as HTMLElement).dataset.marks)
        .map((li) => ({ marks: (li as HTMLElement).dataset.marks!, words: li.querySelector('.marks')?.textContent?.trim() ?? '' }))
    );
  expect(marks.some((m) => m.marks.includes('max'))).toBe(true);
  expect(marks.some((m) => m.marks.includes('min'))).toBe(true);
  for (const m of marks) expect(m.words, `cell marked ${m.marks}`).not.toBe('');
  await expect(page.getByRole('table', { name: /In numbers/ })).toBeVisible();
});

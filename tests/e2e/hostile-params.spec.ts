// Hostile URL parameters: the pack address in /pack/<address> and the query parameters pages read
// (?wall= on the overview, ?range= on a pack page), given non-numbers, huge numbers, script text,
// markup, addresses 0 and 17, broken percent-encoding. Each shows a clear message and keeps
// working: no uncaught error, no markup or script from the URL in the page, the app still navigates.

import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './monitor-helpers';

const PACKS = 16;

/** Script and markup that would announce themselves if they ever ran or were parsed as HTML. */
const SCRIPT = '<script>window.__pwned=1</script>';
const MARKUP = '"><img src=x onerror="window.__pwned=2">';

/** Addresses that are not addresses at all: the page says so and echoes them only as text. */
const NOT_ADDRESSES = ['abc', '99999999999999999999', '1e3', '-1', '1.5', '0x', '0x1FF', '256', SCRIPT, MARKUP, '%E2%80%AE1', "1' OR '1'='1"];
/** Well-formed addresses that are not in a 16-pack bank (0 is a stand-alone pack's DIP address). */
const ABSENT = ['0', '17', '255', '0xff'];

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

async function expectNothingInjected(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(page.locator('main img[src="x"]')).toHaveCount(0);
  await expect(page.locator('main script')).toHaveCount(0);
}

/** A client-side navigation (the app stays loaded, the demo bank connected), as a link in the app does. */
async function navigateInApp(page: Page, href: string): Promise<void> {
  await page.evaluate((href) => {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = 'go';
    document.querySelector('main')!.append(a);
    a.click();
    a.remove();
  }, href);
}

test('/pack/<not an address>, loaded cold: says it is not a pack address, shows it as text only', async ({ page }) => {
  const errors = watchErrors(page);
  for (const raw of NOT_ADDRESSES) {
    await page.goto(`/pack/${encodeURIComponent(raw).replace(/%25/g, '%')}`);
    const notice = page.getByTestId('bad-address');
    await expect(notice, raw).toBeVisible();
    await expect(notice).toContainText('is not a pack address');
    await expect(page.getByRole('link', { name: 'Back to the overview' })).toBeVisible();
    await expectNothingInjected(page);
  }
  // The raw text comes back as text, exactly.
  await page.goto(`/pack/${encodeURIComponent(SCRIPT)}`);
  await expect(page.getByTestId('bad-address')).toContainText(`“${SCRIPT}”`);
  expect(errors).toEqual([]);
});

test('/pack/<address>, nothing connected: asks to connect, whatever the address', async ({ page }) => {
  const errors = watchErrors(page);
  for (const raw of ['1', ...ABSENT]) {
    await page.goto(`/pack/${raw}`);
    await expect(page.getByTestId('not-connected'), raw).toBeVisible();
    await expect(page.getByRole('link', { name: 'Go to Connect' })).toBeVisible();
  }
  expect(errors).toEqual([]);
});

// Loaded cold, such a URL never reaches the app: the server answers 400 (vite preview does; so do
// most static hosts). Followed from inside the app, the client router meets it.
test('broken percent-encoding in the address, followed in the app: a clear page, not a blank one', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/connect');
  await expect(page.locator('main h1').first()).toBeVisible();
  await navigateInApp(page, '/pack/%E0%A4%A');
  await page.waitForURL((url) => url.pathname.startsWith('/pack/'));
  // The text as typed, and what is wrong with it.
  await expect(page.getByTestId('bad-address')).toContainText('“%E0%A4%A” is not a pack address');
  await expectNothingInjected(page);
  expect(errors).toEqual([]);
});

test('demo bank connected: absent and hostile addresses and query values, then the app still works', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDemo(page, PACKS);

  for (const raw of ABSENT) {
    await navigateInApp(page, `/pack/${raw}`);
    const notice = page.getByTestId('unknown-pack');
    await expect(notice, raw).toBeVisible();
    await expect(notice).toContainText(`There is no pack at address ${Number(raw)} in this bank`);
    // It lists the packs there are, as links.
    await expect(notice.getByRole('link')).toHaveCount(PACKS);
  }
  // A tool page for an absent pack: the pack choice asks for one instead of showing a blank, and leads on.
  await navigateInApp(page, '/parameters/17');
  await expect(page.getByTestId('unknown-pack')).toContainText('There is no Pack 17 in this bank');
  const pick = page.getByRole('combobox', { name: 'Pack', exact: true });
  await expect(pick.locator('option:checked')).toHaveText('Choose a pack');
  await pick.selectOption('2');
  await expect(page).toHaveURL(/\/parameters\/2$/);
  await expect(pick.locator('option:checked')).toHaveText('Pack 2');
  for (const raw of NOT_ADDRESSES) {
    await navigateInApp(page, `/pack/${encodeURIComponent(raw)}`);
    await expect(page.getByTestId('bad-address'), raw).toBeVisible();
    await expectNothingInjected(page);
  }

  // ?range= on a pack page: an unknown range falls back to the default, one button pressed.
  for (const raw of [SCRIPT, MARKUP, '99999999999999999999', '-1', '0', '']) {
    await navigateInApp(page, `/pack/2?range=${encodeURIComponent(raw)}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Pack 2' })).toBeVisible();
    await expect(page.getByRole('group', { name: 'Time range' }).locator('button[aria-pressed="true"]')).toHaveCount(1);
    await expectNothingInjected(page);
  }

  // ?wall= on the overview: only "1" means the wall display; anything else is the overview.
  for (const raw of [SCRIPT, MARKUP, '2', 'true', '1e0', '']) {
    await navigateInApp(page, `/overview?wall=${encodeURIComponent(raw)}`);
    await expect(page.getByTestId('wall-enter')).toBeVisible();
    await expect(page.getByTestId('pack-card-1')).toBeVisible();
    await expectNothingInjected(page);
  }

  // Still connected and live, and a good address works.
  await navigateInApp(page, '/pack/3');
  await expect(page.getByRole('heading', { level: 1, name: 'Pack 3' })).toBeVisible();
  await page.waitForFunction((n) => window.__packservice?.session.packs.filter((p) => p.fresh).length === n, PACKS, { timeout: 15_000 });
  expect(errors).toEqual([]);
});

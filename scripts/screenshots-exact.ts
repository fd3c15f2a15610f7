// Screenshots of the pack page with a unit note (the demo bank in the exact-values state, pack 3
// sending its voltage in 10 mV), at desktop (1280x800) and phone (390x844) size, in English and
// Chinese, into screenshots/ (git-ignored), for a person to look at. Builds when the sources changed.
//   npx tsx scripts/screenshots-exact.ts

import { screenshotRun, shooter } from './screenshot-kit';
import { type Page } from 'playwright-core';
import { NAME_HELPER_SCRIPT } from './bench/_ui-harness';
import { openDemo } from '../tests/e2e/monitor-helpers';
import { DESIGN_100MAH_PACK, VOLT_10MV_PACK, putBankState, putUnitQuirks } from '../tests/e2e/exact-state';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
] as const;

const shoot = shooter({ fullPage: false });

/** The pack page from the overview's card (the session stays), scrolled to the unit note. */
async function packPage(page: Page, address: number): Promise<void> {
  await page.getByTestId(`pack-card-${address}`).click();
  await page.waitForURL(`**/pack/${address}`);
  await page.getByTestId('unit-notes').waitFor();
  await page.getByTestId('unit-notes').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.waitForTimeout(300);
}

/** The header's language switch, or on a phone the one in the menu (opened and closed again). */
async function setLocale(page: Page, locale: 'en' | 'zh-CN'): Promise<void> {
  if (await page.locator('#header-locale').isVisible()) {
    await page.locator('#header-locale').selectOption(locale);
    return;
  }
  await page.locator('#nav-toggle').click();
  await page.locator('#menu-locale').selectOption(locale);
  await page.keyboard.press('Escape');
}

async function main(): Promise<void> {
  await screenshotRun(async (browser, baseURL) => {
    for (const size of SIZES) {
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, baseURL: baseURL });
      await context.addInitScript(NAME_HELPER_SCRIPT);
      const page = await context.newPage();
      await openDemo(page);
      await putBankState(page);
      await putUnitQuirks(page);
      await packPage(page, VOLT_10MV_PACK);
      await shoot(page, `exact-pack-unit-note-${size.name}.png`);
      await setLocale(page, 'zh-CN');
      await page.waitForTimeout(300);
      await shoot(page, `exact-pack-unit-note-zh-${size.name}.png`);
      await setLocale(page, 'en');
      await page.goBack();
      await packPage(page, DESIGN_100MAH_PACK);
      await shoot(page, `exact-pack-design-note-${size.name}.png`);
      await context.close();
    }
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

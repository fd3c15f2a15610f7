// Screenshots of every page the language work touched, in English and Simplified Chinese, at
// desktop (1280x800) and phone (390x844) size, light and dark, into screenshots/ (git-ignored), for
// a person to look at: overflow, wrapping, contrast and words that did not get translated. The
// language and the theme come from the browser (Playwright's locale and colour scheme), as they do
// for a first-time visitor.
//   npx tsx scripts/screenshots-i18n.ts [--only en|zh-CN] [--theme light|dark]

import { screenshotRun, shooter } from './screenshot-kit';
import { NAME_HELPER_SCRIPT } from './bench/_ui-harness';
import { injectUpdates, takeOverUpdates, waitForLiveBank } from '../tests/e2e/monitor-helpers';
import { FLAG_CELL_OV_WARNING, FLAG_DISCHARGE_MOS_FAULT, syntheticAnalog, syntheticHealth, syntheticStatus } from '../tests/fixtures/synthetic-bank';
import type { PackUpdate } from '../src/lib/protocol/bank-types';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
] as const;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const LOCALES = (['en', 'zh-CN'] as const).filter((l) => !only || l === only);
const onlyTheme = process.argv.includes('--theme') ? process.argv[process.argv.indexOf('--theme') + 1] : null;
const THEMES = (['light', 'dark'] as const).filter((t) => !onlyTheme || t === onlyTheme);

const shoot = shooter({ showOffscreen: true });

function troubleUpdates(): PackUpdate[] {
  return [
    { address: 5, received_ms: 0, health: { ...syntheticHealth(5, 'stale', -40_000), consecutiveFailures: 2 } },
    { address: 9, received_ms: 0, health: syntheticHealth(9, 'offline', -300_000) },
    {
      address: 3,
      analog: syntheticAnalog(3, 1),
      status: syntheticStatus(3, 1, [FLAG_DISCHARGE_MOS_FAULT, FLAG_CELL_OV_WARNING]),
      received_ms: 0,
      health: syntheticHealth(3, 'ok', 0)
    }
  ];
}

async function main(): Promise<void> {
  await screenshotRun(async (browser, baseURL) => {
    for (const theme of THEMES)
      for (const locale of LOCALES) {
        for (const size of SIZES) {
          const tag = `${locale}-${size.name}${theme === 'dark' ? '-dark' : ''}`;
          const context = await browser.newContext({
            bypassCSP: true,
            viewport: { width: size.width, height: size.height },
            baseURL: baseURL,
            locale,
            colorScheme: theme
          });
          await context.addInitScript(NAME_HELPER_SCRIPT);
          const page = await context.newPage();
          await page.goto('/settings');
          await page.locator('[data-testid="locale-switch"]:visible').first().waitFor();
          await shoot(page, `i18n-settings-${tag}.png`);
          await page.goto('/overview');
          await page.getByTestId('not-connected').waitFor();
          await shoot(page, `i18n-overview-idle-${tag}.png`, false);
          await page.goto('/connect');
          await page.getByTestId('connect-demo').waitFor();
          await page.locator('details.port-help').evaluate((d) => ((d as HTMLDetailsElement).open = true));
          await shoot(page, `i18n-connect-${tag}.png`);
          await page.getByTestId('connect-demo').click();
          await page.waitForURL('**/overview');
          await waitForLiveBank(page);
          await page.waitForTimeout(4000);
          await shoot(page, `i18n-overview-${tag}.png`);
          if (size.name === 'phone') {
            await page.locator('#nav-toggle').click();
            await shoot(page, `i18n-nav-open-${tag}.png`, false);
            await page.keyboard.press('Escape');
          }
          await page.goto('/connect');
          await page.waitForTimeout(500);
          await shoot(page, `i18n-connect-connected-${tag}.png`, false);
          await page.goto('/overview');
          await waitForLiveBank(page);
          await takeOverUpdates(page);
          await injectUpdates(page, troubleUpdates());
          await page.waitForTimeout(500);
          await shoot(page, `i18n-overview-trouble-${tag}.png`);
          await page.getByTestId('pack-card-3').click();
          await page.waitForURL('**/pack/3');
          await page.waitForTimeout(1500);
          await shoot(page, `i18n-pack-${tag}.png`);
          await page.goto('/overview?wall=1');
          await page.getByTestId('wall').waitFor();
          await page.waitForTimeout(500);
          await shoot(page, `i18n-wall-${tag}.png`, false);
          await context.close();
        }
      }
  });
}

await main();

// Screenshots of the parameter, calibration and device control pages with the demo bank, at
// desktop (1280x800) and phone (390x844) size, light and dark, into screenshots/ (git-ignored),
// for a person to look at. Builds when the sources changed.
//   npx tsx scripts/screenshots-params.ts [page ...]     pages: bank, editor, calibration, control, idle

import { screenshotRun, shooter } from './screenshot-kit';
import { NAME_HELPER_SCRIPT } from './bench/_ui-harness';
import { openDemo, waitForLiveBank } from '../tests/e2e/monitor-helpers';
import { setInstallerPin } from '../tests/e2e/params-helpers';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
] as const;
const THEMES = ['light', 'dark'] as const;
const PAGES = ['bank', 'editor', 'calibration', 'control', 'idle'] as const;

const shoot = shooter({ showOffscreen: true });

async function main(): Promise<void> {
  const wanted = new Set(process.argv.slice(2).length > 0 ? process.argv.slice(2) : PAGES);
  await screenshotRun(async (browser, baseURL) => {
    for (const theme of THEMES) {
      for (const size of SIZES) {
        const context = await browser.newContext({
          bypassCSP: true,
          viewport: { width: size.width, height: size.height },
          baseURL: baseURL,
          colorScheme: theme
        });
        await context.addInitScript(NAME_HELPER_SCRIPT);
        const page = await context.newPage();
        const tag = `${size.name}-${theme}`;
        if (wanted.has('idle')) {
          await page.goto('/parameters/3');
          await page.getByTestId('not-connected').waitFor();
          await shoot(page, `params-editor-idle-${tag}.png`, false);
        }
        await openDemo(page);
        if (wanted.has('bank')) {
          await page.goto('/parameters');
          await page.getByTestId('installer').waitFor();
          await shoot(page, `params-bank-locked-${tag}.png`);
        }
        await setInstallerPin(page, '2468');
        if (wanted.has('bank')) {
          await page.getByRole('button', { name: /Read all 16 packs/ }).click();
          await page.getByTestId('read-all-summary').waitFor();
          await shoot(page, `params-bank-${tag}.png`);
        }
        if (wanted.has('editor')) {
          await page.goto('/parameters/3');
          await waitForLiveBank(page);
          await setInstallerPin(page, '2468');
          const field = (label: string) => page.getByLabel(label, { exact: true });
          await field('Cell OV Protect').waitFor();
          await field('Cell OV Protect').fill('3.310');
          await field('Cell OV Alarm').fill('3.300');
          await field('Cell OVP Release').fill('3.280');
          await shoot(page, `params-editor-violations-${tag}.png`);
          await field('Balance Threshold').fill('3.300');
          await page.getByTestId('write').click();
          await page.getByTestId('write-report').waitFor();
          await shoot(page, `params-editor-written-${tag}.png`);
          await shoot(page, `params-editor-top-${tag}.png`, false);
        }
        if (wanted.has('calibration')) {
          await page.goto('/calibration/2');
          await waitForLiveBank(page);
          await setInstallerPin(page, '2468');
          await page.getByTestId('cal-packVoltage').waitFor();
          await page.waitForTimeout(1500);
          await shoot(page, `params-calibration-${tag}.png`);
        }
        if (wanted.has('control')) {
          await page.goto('/control/2');
          await waitForLiveBank(page);
          await setInstallerPin(page, '2468');
          await page.getByTestId('control-chargeMos').waitFor();
          await shoot(page, `params-control-${tag}.png`);
        }
        await context.close();
      }
    }
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

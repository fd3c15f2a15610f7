// Screenshots of the diagnose wizard's steps, the report (summary, banner, overview in report
// mode) and the debug console, in English and Simplified Chinese, at desktop (1280x800) and phone
// (390x844) size, light and dark, into screenshots/ (git-ignored), for a person to look at. Builds when the
// sources changed. The demo bank with faults is the bank; the watch is shortened to 20 s.
//   npx tsx scripts/screenshots-diagnose.ts [--only en|zh-CN]

import { OUT, screenshotRun, shooter } from './screenshot-kit';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
] as const;
const LOCALES = ['en', 'zh-CN'] as const;

const shoot = shooter({ settle_ms: 150 });

/**
 * The same pages in the dark theme (the system's choice), without a second 20 s check: the wizard's
 * first steps, a refused file, the report opened from the file the light run saved (the summary is
 * the result step's), the overview in report mode and the debug console.
 */
async function darkPages(browser: Browser, baseURL: string, locale: string, size: (typeof SIZES)[number], reportPath: string): Promise<void> {
  const tag = `${locale}-${size.name}-dark`;
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, baseURL, colorScheme: 'dark' });
  await context.addInitScript((l) => localStorage.setItem('PARAGLIDE_LOCALE', l), locale);
  const page = await context.newPage();
  await page.goto('/diagnose?ticket=SR-2026-0042&packs=16&watch=20');
  await page.getByTestId('diagnose').waitFor();
  await page.locator('details.support-staff > summary').click();
  await page.getByTestId('report-file').setInputFiles({
    name: 'battery-report.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"packservice-diagnose-report","schema":1,"packs":[')
  });
  await page.getByTestId('report-refused').waitFor();
  await shoot(page, `diagnose-1-start-refused-${tag}.png`);
  await page.getByTestId('choose-serial').click();
  await shoot(page, `diagnose-2-usb-${tag}.png`);
  await page.getByRole('button', { name: /Back|返回/ }).click();
  await page.getByTestId('choose-sim').click();
  await shoot(page, `diagnose-2-demo-${tag}.png`);
  await page.goto('/diagnose');
  await page.locator('details.support-staff > summary').click();
  await page.getByTestId('report-file').setInputFiles(reportPath);
  await page.waitForURL('**/diagnose/report');
  await page.getByTestId('report-summary').waitFor();
  await shoot(page, `diagnose-5-report-${tag}.png`);
  await page.getByTestId('report-overview').click();
  await page.getByTestId('pack-card-16').waitFor();
  await shoot(page, `diagnose-6-overview-report-${tag}.png`, false);
  await page.getByTestId('report-banner').getByRole('button').click();
  await page.waitForURL('**/diagnose');
  await page.evaluate(() => window.__packservice?.session.connect({ kind: 'sim', simPacks: 4 }));
  await page.goto('/debug');
  await page.waitForFunction(() => window.__packservice?.session.phase === 'live', null, { timeout: 60_000 });
  await page.locator('[data-testid="traffic"] tbody tr').nth(5).waitFor({ timeout: 60_000 });
  await page.getByTestId('send-text').fill('~2501469AE00201FD1C');
  await page.getByTestId('send-check').click();
  await page.getByTestId('send-kind').waitFor();
  await shoot(page, `debug-${tag}.png`);
  await context.close();
}

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
  await screenshotRun(async (browser, baseURL) => {
    for (const locale of LOCALES) {
      if (only && only !== locale) continue;
      for (const size of SIZES) {
        const tag = `${locale}-${size.name}`;
        const context = await browser.newContext({
          viewport: { width: size.width, height: size.height },
          baseURL: baseURL,
          acceptDownloads: true
        });
        await context.addInitScript((l) => localStorage.setItem('PARAGLIDE_LOCALE', l), locale);
        const page = await context.newPage();
        await page.goto('/diagnose?ticket=SR-2026-0042&packs=16&watch=20');
        await page.getByTestId('diagnose').waitFor();
        await shoot(page, `diagnose-1-start-${tag}.png`);
        await page.goto('/diagnose?ticket=%3Cscript%3Ealert(1)%3C/script%3E%E2%80%AE&packs=99&lang=xx');
        await page.getByTestId('query-problems').waitFor();
        await shoot(page, `diagnose-1-hostile-${tag}.png`, false);
        await page.goto('/diagnose?ticket=SR-2026-0042&packs=16&watch=20');
        await page.getByTestId('choose-serial').click();
        await shoot(page, `diagnose-2-usb-${tag}.png`);
        await page.getByRole('button', { name: /Back|返回/ }).click();
        await page.getByTestId('choose-sim').click();
        await shoot(page, `diagnose-2-demo-${tag}.png`);
        await page.getByTestId('connect').click();
        await page.getByTestId('watch-left').waitFor({ timeout: 60_000 });
        await shoot(page, `diagnose-3-reading-${tag}.png`);
        await page.getByTestId('report-summary').waitFor({ timeout: 120_000 });
        await shoot(page, `diagnose-4-result-${tag}.png`);
        // A4 at 96 dpi with the browser's default print margins: what a sheet holds.
        await page.setViewportSize({ width: 718, height: 1047 });
        await page.emulateMedia({ media: 'print' });
        await shoot(page, `diagnose-4-print-${tag}.png`);
        await page.emulateMedia({ media: 'screen' });
        await page.setViewportSize({ width: size.width, height: size.height });
        if (size.name === 'desktop') {
          await page.emulateMedia({ media: 'print' });
          const pdf = await page.pdf({ format: 'A4', printBackground: true, margin: { top: '1cm', bottom: '1cm', left: '1cm', right: '1cm' } });
          writeFileSync(join(OUT, `diagnose-4-print-${tag}.pdf`), pdf);
          process.stderr.write(`wrote screenshots/diagnose-4-print-${tag}.pdf\n`);
          await page.emulateMedia({ media: 'screen' });
        }
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report').click()]);
        const file = join(OUT, `report-${tag}.json`);
        await download.saveAs(file);

        // Support's side: the file opened again, in report mode.
        await page.evaluate(() => window.__packservice?.session.disconnect());
        await page.goto('/diagnose');
        await page.locator('details.support-staff > summary').click();
        await page.getByTestId('report-file').setInputFiles(file);
        await page.waitForURL('**/diagnose/report');
        await page.getByTestId('report-summary').waitFor();
        await shoot(page, `diagnose-5-report-${tag}.png`);
        await page.getByTestId('report-overview').click();
        await page.getByTestId('pack-card-16').waitFor();
        await shoot(page, `diagnose-6-overview-report-${tag}.png`, false);
        await page.getByTestId('pack-card-16').click();
        await page.waitForURL('**/pack/16');
        await page.getByTestId('report-banner').waitFor();
        await shoot(page, `diagnose-7-pack-report-${tag}.png`, false);

        // The debug console, live on the demo bank.
        await page.evaluate(() => window.__packservice?.session.disconnect());
        await page.goto('/connect');
        await page.evaluate(() => window.__packservice?.session.connect({ kind: 'sim', simPacks: 4 }));
        await page.goto('/debug');
        // The reload resumes the demo bank by itself; its frames fill the log.
        await page.waitForFunction(() => window.__packservice?.session.phase === 'live', null, { timeout: 60_000 });
        await page.locator('[data-testid="traffic"] tbody tr').nth(5).waitFor({ timeout: 60_000 });
        await page.getByTestId('send-text').fill('~25014642E00201FD30');
        await page.getByTestId('send-check').click();
        await shoot(page, `debug-${tag}.png`);
        await page.getByTestId('send-text').fill('~2501469AE00201FD1C');
        await page.getByTestId('send-check').click();
        await page.getByTestId('send-kind').waitFor();
        await page
          .getByTestId('decoder-text')
          .fill(
            '~25014600F07A0001100CC70CC80CC70CC70CC70CC50CC60CC70CC70CC60CC70CC60CC60CC70CC60CC7060B9B0B990B990B990BB30BBCFF1FCCCD12D303286A008C2710E1E4'
          );
        await page.getByTestId('decoder-cmd').fill('42');
        await page.getByTestId('decode').click();
        await shoot(page, `debug-write-decoder-${tag}.png`);
        await context.close();
        await darkPages(browser, baseURL, locale, size, file);
      }
    }
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

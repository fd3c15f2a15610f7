// A printed page is a record an installer leaves on site: the light palette whatever the screen
// theme, no navigation, buttons or prompts, and no card or heatmap cut across two sheets.

import { expect, test } from '@playwright/test';
import { openDemo } from './monitor-helpers';

test.use({ colorScheme: 'dark' });

test('a dark-theme overview prints in the light palette, without controls or prompts', async ({ page }) => {
  await openDemo(page);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByText('Ready to work offline')).toBeVisible();
  const bodyInk = () => page.evaluate(() => getComputedStyle(document.body).color);
  // On screen the dark palette: light text.
  expect(await bodyInk()).toBe('rgb(240, 243, 246)');

  await page.emulateMedia({ media: 'print' });
  expect(await bodyInk()).toBe('rgb(11, 22, 32)');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.getByText('Ready to work offline')).toBeHidden();
  await expect(page.getByTestId('wall-enter')).toBeHidden();
  // What the page is about stays.
  await expect(page.getByTestId('bank-totals')).toBeVisible();
  await expect(page.getByTestId('pack-card-16')).toBeVisible();
  await expect(page.getByTestId('cell-heatmap')).toBeVisible();

  const breaks = await page.evaluate(() =>
    ['[data-testid="pack-card-1"]', '[data-testid="cell-heatmap"]', '[data-testid="temp-heatmap"]'].map((s) => {
      const el = document.querySelector(s);
      return el ? getComputedStyle(el).breakInside : 'missing';
    })
  );
  expect(breaks).toEqual(['avoid', 'avoid', 'avoid']);

  await page.emulateMedia({ media: 'screen' });
  expect(await bodyInk()).toBe('rgb(240, 243, 246)');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test('a dark-theme trend prints on its own dark ground, so its light axis labels stay readable', async ({ page }) => {
  await openDemo(page);
  await page.getByTestId('pack-card-2').click();
  await expect(page.locator('[data-testid="trend"][data-phase="ready"]')).toBeVisible();
  const canvasGround = () => page.evaluate(() => getComputedStyle(document.querySelector('[data-testid="trend"] .u-wrap')!).backgroundColor);
  await page.emulateMedia({ media: 'print' });
  expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe('rgb(11, 22, 32)');
  expect(await canvasGround()).toBe('rgb(13, 17, 23)');
});

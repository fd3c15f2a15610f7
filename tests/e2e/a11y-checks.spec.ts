// The accessibility checks themselves can fail: on a real page with three planted faults (faint
// text, a button whose focus ring is removed, a link that gives focus away), axe reports the
// contrast and the Tab walk reports the missing ring and the unreachable link. Without this, a
// check that silently passed everything would look like an accessible app.

import { expect, test } from '@playwright/test';
import { seriousFindings, tabWalk } from './a11y-helpers';

test('the axe audit and the Tab walk catch faint text, a missing focus ring and an unreachable control', async ({ page }) => {
  await page.goto('/settings');
  await expect(page.locator('main h1').first()).toBeVisible();
  // Through the CSSOM and the DOM: the app's CSP blocks injected <style> and style="" attributes.
  await page.evaluate(() => {
    const main = document.querySelector('main')!;
    const faint = document.createElement('p');
    faint.textContent = 'Planted faint text';
    faint.style.color = '#dddddd';
    const ringless = document.createElement('button');
    ringless.textContent = 'Planted ringless button';
    ringless.style.setProperty('outline', 'none', 'important');
    const slippery = document.createElement('a');
    slippery.href = '/nowhere';
    slippery.textContent = 'Planted unreachable link';
    slippery.addEventListener('focus', () => slippery.blur());
    main.append(faint, ringless, slippery);
  });
  expect((await seriousFindings(page)).join('\n')).toMatch(/color-contrast.*insufficient color contrast/s);
  const walk = await tabWalk(page);
  expect(walk.noRing.join('\n')).toContain('Planted ringless button');
  expect(walk.missed.join('\n')).toContain('Planted unreachable link');
});

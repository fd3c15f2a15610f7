// Every page of the site navigation, for the specs that must cover all of them (security, a11y,
// keyboard). Built from NAV_ITEMS, so a page another engineer adds to the nav is covered without
// touching these specs.

import { expect, type Page } from '@playwright/test';
import { NAV_ITEMS, navHref } from '../../src/lib/ui/nav-items';

/** The nav's targets; the demo bank's first pack is address 1. */
export function navPages(firstPackAddress: number | null = 1): string[] {
  return NAV_ITEMS.map((item) => navHref(item, { firstPackAddress }));
}

/**
 * Go to `href` through the nav link, as a user does: the app stays loaded, so a connected demo
 * bank stays connected (a full page load would start a new session).
 */
export async function followNav(page: Page, href: string): Promise<void> {
  const link = page.locator(`#nav-list a[href="${href}"]`);
  await expect(link, `the nav links to ${href}`).toHaveCount(1);
  if (!(await link.isVisible())) await page.locator('#nav-toggle').click();
  await link.click();
  await page.waitForURL((url) => url.pathname === href);
  await expect(page.locator('main h1').first()).toBeVisible();
}

/** Listen for CSP violations from the first script on: call before page.goto. */
export async function recordCspViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener(
      'securitypolicyviolation',
      (e) => {
        const where = e.target instanceof Element ? ` on <${e.target.tagName.toLowerCase()} class="${e.target.getAttribute('class') ?? ''}">` : '';
        const source = e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}` : '';
        seen.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}${where}${source} ${e.sample}`.trim());
      },
      true
    );
  });
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])]);
}

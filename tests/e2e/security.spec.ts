// The built app under its own Content-Security-Policy (a <meta> tag, svelte.config.js): the policy
// is on every page, allows no inline script, nothing on any page violates it, and the app sends no
// request to any host but its own origin and the configured firmware catalog. Every page of the nav
// (NAV_ITEMS, so new pages are covered), loaded cold with nothing connected and then walked with
// the demo bank connected.

import { expect, test, type Page, type Request, type Response } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CATALOG_URL } from '../../src/lib/firmware/catalog-sync';
import { openDemo } from './monitor-helpers';
import { cspViolations, followNav, navPages, recordCspViolations } from './nav-pages';

const PACKS = 16;
const BUILD_DIR = fileURLToPath(new URL('../../build/', import.meta.url));

/** Origins the build may name besides its own (svelte.config.js reads the same variable). */
const CATALOG_ORIGINS = (process.env.FIRMWARE_CATALOG_ORIGINS ?? '').split(/\s+/).filter(Boolean);

function allowedOrigins(base: string): Set<string> {
  return new Set([new URL(base).origin, new URL(DEFAULT_CATALOG_URL, base).origin, ...CATALOG_ORIGINS.map((o) => new URL(o).origin)]);
}

/** Every request of the browser context (pages and the service worker) to a network host. */
function watchRequests(page: Page): string[] {
  const urls: string[] = [];
  const note = (r: Request) => {
    const url = r.url();
    if (/^https?:|^wss?:/.test(url)) urls.push(url);
  };
  page.context().on('request', note);
  return urls;
}

function directives(content: string): Map<string, string[]> {
  return new Map(
    content
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name.toLowerCase(), values])
  );
}

/**
 * The policy the page runs under: its meta tag. `vite preview` renders a route that is not
 * prerendered (/pack/1) on the fly and puts the same policy in a header instead; a static host
 * serves build/200.html there, whose meta the build test below checks.
 */
async function policy(page: Page, response: Response | null): Promise<Map<string, string[]>> {
  const metas = page.locator('meta[http-equiv="content-security-policy" i]');
  const count = await metas.count();
  expect(count, `at most one CSP meta tag on ${page.url()}`).toBeLessThanOrEqual(1);
  const content = count === 1 ? await metas.getAttribute('content') : ((await response?.allHeaders())?.['content-security-policy'] ?? null);
  expect(content, `a CSP on ${page.url()}`).toBeTruthy();
  return directives(content!);
}

function expectStrict(p: Map<string, string[]>): void {
  const scripts = p.get('script-src') ?? p.get('default-src');
  expect(scripts, 'script-src (or default-src) is set').toBeDefined();
  expect(scripts).not.toContain("'unsafe-inline'");
  expect(scripts).not.toContain("'unsafe-eval'");
  expect(scripts).not.toContain('*');
  expect(p.get('object-src')).toEqual(["'none'"]);
  // Fetches go only to the app and the catalog origins the build names.
  expect(p.get('connect-src')).toEqual(["'self'", ...CATALOG_ORIGINS]);
}

async function expectStrictPolicy(page: Page, response: Response | null = null): Promise<void> {
  expectStrict(await policy(page, response));
}

function expectOnlyAllowedHosts(urls: string[], base: string): void {
  const allowed = allowedOrigins(base);
  const foreign = urls.filter((u) => !allowed.has(new URL(u).origin));
  expect(foreign, `requests to other hosts (allowed: ${[...allowed].join(', ')})`).toEqual([]);
}

test('every HTML file of the build, the SPA fallback included, carries the strict CSP meta', () => {
  const files = readdirSync(BUILD_DIR).filter((f) => f.endsWith('.html'));
  expect(files).toEqual(expect.arrayContaining(['index.html', '200.html']));
  for (const f of files) {
    const html = readFileSync(join(BUILD_DIR, f), 'utf8');
    const metas = [...html.matchAll(/<meta http-equiv="content-security-policy" content="([^"]*)"/gi)];
    expect(metas, f).toHaveLength(1);
    expectStrict(directives(metas[0][1]));
    // Every inline script in the file is one the policy lists by hash.
    const scriptSrc = directives(metas[0][1]).get('script-src') ?? [];
    for (const [, body] of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) {
      const hash = `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
      expect(scriptSrc, `${f}: inline script hash`).toContain(hash);
    }
  }
});

test.beforeEach(async ({ page }) => {
  await recordCspViolations(page);
});

test('the violation listener works: an injected inline script is blocked and reported', async ({ page }) => {
  await page.goto('/connect');
  await expect(page.locator('main h1').first()).toBeVisible();
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __injected?: boolean };
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 100));
    return w.__injected === true;
  });
  expect(ran, 'the inline script did not run').toBe(false);
  expect((await cspViolations(page)).join('\n')).toMatch(/script-src/);
});

test('every nav page, loaded cold with nothing connected: CSP meta, no violation, no foreign request', async ({ page, baseURL }) => {
  const urls = watchRequests(page);
  const pages = navPages(null);
  expect(pages.length).toBeGreaterThanOrEqual(4);
  for (const href of pages) {
    const response = await page.goto(href);
    await expect(page.locator('main h1').first()).toBeVisible();
    await expectStrictPolicy(page, response);
    expect(await cspViolations(page), `CSP violations on ${href}`).toEqual([]);
  }
  expect(urls.length).toBeGreaterThan(0);
  expectOnlyAllowedHosts(urls, baseURL!);
});

test('demo bank connected, every nav page walked: no violation, no foreign request, the service worker registers', async ({ page, baseURL }) => {
  const urls = watchRequests(page);
  await openDemo(page, PACKS);
  await expectStrictPolicy(page);
  // The app works under the policy: the demo bank is live (openDemo waited for all 16 packs).
  await expect(page.getByTestId('pack-card-1')).toHaveAttribute('data-freshness', 'live');
  for (const href of navPages(1)) {
    await followNav(page, href);
    expect(await cspViolations(page), `CSP violations on ${href}`).toEqual([]);
  }
  // Still live after the walk: no page broke the session.
  await page.waitForFunction((n) => window.__packservice?.session.packs.filter((p) => p.fresh).length === n, PACKS, { timeout: 15_000 });
  // vite-plugin-pwa's registration is a module the policy allows; the worker activates.
  const scope = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return reg.active ? reg.scope : null;
  });
  expect(scope).toBe(new URL('/', baseURL!).href);
  expect(await cspViolations(page)).toEqual([]);
  expectOnlyAllowedHosts(urls, baseURL!);
});

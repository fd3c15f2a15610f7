// The "new version ready" prompt against the built app. After a deploy the app must say so, but
// never reload by itself: a reload in the middle of a parameter write or a firmware flash is worse
// than running an old version. Only "Reload now" swaps in the new service worker and reloads.
//
// The deploy is simulated by a static server for build/ whose sw.js switches to different bytes
// (see deploy-server.ts); the browser's own update check finds it, as it would after a real deploy.

import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { testImage } from '../../src/lib/firmware/flash-rig';
import { createSimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installSerialDouble } from '../fixtures/serial-double';
import { DEPLOY_ID_MESSAGE, startDeployServer, type DeployServer } from './deploy-server';
import { choosePacks, gotoFirmware, unlockInstaller, waitForPacks } from './firmware-helpers';

const LOADS_KEY = 'e2e-update-loads';

/**
 * How long "nothing happens by itself" is watched. A self-inflicted take-over is event driven
 * (workbox reports "waiting" 200 ms after the install; activation and reload follow in well under a
 * second here), so this is many times what it would need to show, and short enough to keep the run quick.
 */
const QUIET_MS = 2_500;

let server: DeployServer;

test.beforeEach(async () => {
  server = await startDeployServer('deploy-1');
});

test.afterEach(async () => {
  await server.close();
});

/** Counts document loads in this tab (sessionStorage lives across reloads of one tab). */
async function countLoads(context: BrowserContext): Promise<void> {
  await context.addInitScript((key) => {
    sessionStorage.setItem(key, String(Number(sessionStorage.getItem(key) ?? '0') + 1));
  }, LOADS_KEY);
}

const loads = (page: Page) => page.evaluate((key) => Number(sessionStorage.getItem(key) ?? '0'), LOADS_KEY);
/** For polling across a reload: a document being torn down cannot answer, which is not an answer. */
const loadsWhenSettled = (page: Page) => loads(page).catch(() => null);

/** Which deploy's service worker controls the page: asked of the controller itself, not inferred. */
function controllerDeploy(page: Page): Promise<string | null> {
  return page.evaluate(async (type) => {
    const controller = navigator.serviceWorker.controller;
    if (!controller) return null;
    const channel = new MessageChannel();
    const reply = new Promise<string>((resolve) => {
      channel.port1.onmessage = (event: MessageEvent<string>) => resolve(event.data);
    });
    controller.postMessage({ type }, [channel.port2]);
    return reply;
  }, DEPLOY_ID_MESSAGE);
}

/** The app's own hourly check, run now. */
async function checkForUpdate(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration) throw new Error('no service worker registration');
    await registration.update();
  });
}

/** First visit: the service worker installs and takes control (clientsClaim). */
async function firstVisit(page: Page): Promise<void> {
  await page.goto(`${server.origin}/`);
  await expect(page).toHaveURL(/\/connect$/);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  expect(await controllerDeploy(page)).toBe('deploy-1');
}

async function openDemoBank(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Open demo bank' }).click();
  await expect(page).toHaveURL(/\/overview$/);
  await expectBankConnected(page);
}

/**
 * The usual case: the tab was opened (or reloaded) while the worker already controlled it, and
 * the demo bank is live in it.
 */
async function controlledTabWithBank(page: Page): Promise<void> {
  await firstVisit(page);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await openDemoBank(page);
}

async function expectBankConnected(page: Page): Promise<void> {
  const strip = page.getByTestId('link-health');
  await expect(strip).toHaveAttribute('data-phase', 'live');
  await expect(strip).toContainText('Connected');
  await expect(page.locator('[data-testid^="pack-card-"]')).toHaveCount(16);
}

const prompt = (page: Page) => page.getByRole('region', { name: 'A new version is ready' });
const BANK_HINT = 'Reloading disconnects the bank for a few seconds; it reconnects by itself.';

declare global {
  interface Window {
    /** Set by the test; lives exactly as long as the document, so any reload drops it. */
    __e2eMarker?: string;
  }
}

const setMarker = (page: Page, value: string) =>
  page.evaluate((v) => {
    window.__e2eMarker = v;
  }, value);
const marker = (page: Page) => page.evaluate(() => window.__e2eMarker ?? null);

test('a new deploy is announced, and nothing reloads by itself, not even after "Later"', async ({ page, context }) => {
  await countLoads(context);
  await controlledTabWithBank(page);
  expect(await loads(page)).toBe(2);
  await setMarker(page, 'before-update');

  server.deploy('deploy-2');
  await checkForUpdate(page);

  await expect(prompt(page)).toBeVisible();
  await expect(prompt(page)).toContainText(BANK_HINT);
  await expect(prompt(page).getByRole('button', { name: 'Reload now' })).toBeEnabled();
  await expect(prompt(page).getByRole('button', { name: 'Later' })).toBeEnabled();

  // The property under test is that nothing happens over time, so time has to pass.
  await page.waitForTimeout(QUIET_MS);
  expect(await marker(page)).toBe('before-update');
  expect(await loads(page)).toBe(2);
  expect(await controllerDeploy(page)).toBe('deploy-1');
  await expect(prompt(page)).toBeVisible();
  await expectBankConnected(page);

  await prompt(page).getByRole('button', { name: 'Later' }).click();
  await expect(prompt(page)).toHaveCount(0);
  await page.waitForTimeout(QUIET_MS);
  await expect(page.getByText('A new version is ready')).toHaveCount(0);
  expect(await marker(page)).toBe('before-update');
  expect(await loads(page)).toBe(2);
  expect(await controllerDeploy(page)).toBe('deploy-1');
  await expectBankConnected(page);

  // "Later" is not "never": the new version still waits, and the next load asks again.
  await page.reload();
  await expect(prompt(page)).toBeVisible();
  expect(await controllerDeploy(page)).toBe('deploy-1');
});

test('"Reload now" reloads once, into the new service worker, and the prompt is gone', async ({ page, context }) => {
  await countLoads(context);
  await controlledTabWithBank(page);
  await setMarker(page, 'before-update');

  server.deploy('deploy-2');
  await checkForUpdate(page);
  await expect(prompt(page)).toBeVisible();
  expect(await loads(page)).toBe(2);

  await prompt(page).getByRole('button', { name: 'Reload now' }).click();
  await expect.poll(() => loadsWhenSettled(page)).toBe(3);
  expect(await marker(page)).toBeNull();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  expect(await controllerDeploy(page)).toBe('deploy-2');
  // The bank comes back by itself, as the prompt promised.
  await expect(page).toHaveURL(/\/overview$/);
  await expectBankConnected(page);
  await expect(page.getByText('A new version is ready')).toHaveCount(0);
  // One reload, not two: the reloaded document is still the one we are looking at.
  await setMarker(page, 'after-update');
  await page.waitForTimeout(QUIET_MS);
  expect(await marker(page)).toBe('after-update');
  expect(await loads(page)).toBe(3);
});

test('a tab open since its very first visit also reloads into the new version', async ({ page, context }) => {
  // A wall display: opened once, never reloaded, the hourly check finds the deploy.
  await countLoads(context);
  await firstVisit(page);
  await setMarker(page, 'before-update');

  server.deploy('deploy-2');
  await checkForUpdate(page);
  await expect(prompt(page)).toBeVisible();
  await expect(prompt(page)).toContainText('Reload to start using it.');

  await prompt(page).getByRole('button', { name: 'Reload now' }).click();
  await expect.poll(() => loadsWhenSettled(page)).toBe(2);
  expect(await marker(page)).toBeNull();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  expect(await controllerDeploy(page)).toBe('deploy-2');
  await expect(page.getByText('A new version is ready')).toHaveCount(0);
});

test('"Reload now" in one tab does not reload the other; the other still gets the new version when asked', async ({ page, context }) => {
  await countLoads(context);
  await controlledTabWithBank(page);
  await setMarker(page, 'busy-tab');

  const other = await context.newPage();
  await other.goto(`${server.origin}/settings`);
  await other.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await setMarker(other, 'accepting-tab');

  server.deploy('deploy-2');
  await checkForUpdate(other);
  await expect(prompt(other)).toBeVisible();
  await expect(prompt(page)).toBeVisible();

  await prompt(other).getByRole('button', { name: 'Reload now' }).click();
  await expect.poll(() => loadsWhenSettled(other)).toBe(2);
  expect(await marker(other)).toBeNull();
  expect(await controllerDeploy(other)).toBe('deploy-2');
  await expect(other.getByText('A new version is ready')).toHaveCount(0);

  // The busy tab is now served by the new worker but keeps its page (and its bank) until asked.
  await expect.poll(() => controllerDeploy(page)).toBe('deploy-2');
  await page.waitForTimeout(QUIET_MS);
  expect(await marker(page)).toBe('busy-tab');
  expect(await loads(page)).toBe(2);
  await expect(prompt(page)).toBeVisible();
  await expectBankConnected(page);

  await prompt(page).getByRole('button', { name: 'Reload now' }).click();
  await expect.poll(() => loadsWhenSettled(page)).toBe(3);
  expect(await marker(page)).toBeNull();
  expect(await controllerDeploy(page)).toBe('deploy-2');
  await expect(page).toHaveURL(/\/overview$/);
  await expectBankConnected(page);
  await expect(page.getByText('A new version is ready')).toHaveCount(0);
});

test('while a firmware update runs the new version waits unannounced; the prompt comes once the update is done', async ({ page }) => {
  test.setTimeout(180_000);
  // A bank behind the USB double (in Node): the flash takes the link for many seconds, long
  // enough for the new worker to install and wait while it runs.
  const bank = createSimBank({ packCount: 2, seed: 'update-hold-e2e', clock: realClock, baud: 115_200, scenario: 'load' });
  const usb = await installSerialDouble(page, bank);
  try {
    await firstVisit(page);
    await page.getByRole('button', { name: 'Connect USB cable' }).click();
    await waitForPacks(page, 2);
    await gotoFirmware(page);
    await unlockInstaller(page);
    await page.getByLabel('Add a firmware file').setInputFiles({
      name: 'P16S100A-1812-1.10-hold.pkfw',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(testImage('1.10', 160 * 1024))
    });
    await expect(page.getByTestId('fw-add-result')).toContainText('checked and added');
    await choosePacks(page, [2]);
    await page.getByTestId('fw-start').click();
    const run = page.getByTestId('fw-run');
    await expect(run).toHaveAttribute('data-phase', 'transfer', { timeout: 30_000 });

    server.deploy('deploy-2');
    await checkForUpdate(page);
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.waiting != null, null, { timeout: 30_000 });
    // Workbox reports the waiting worker 200 ms after it installed; the prompt would be up by now.
    await page.waitForTimeout(QUIET_MS);
    await expect(prompt(page)).toHaveCount(0);
    // The whole wait fell inside the flash, so the prompt was held back by it, not absent by chance.
    await expect(run).toHaveAttribute('data-phase', 'transfer');

    await expect(run).toHaveAttribute('data-finished', 'true', { timeout: 120_000 });
    await expect(page.getByTestId('fw-done')).toContainText('Pack 2 now runs P16S100A-1812-1.10');
    await expect(prompt(page)).toBeVisible();
    expect(await controllerDeploy(page)).toBe('deploy-1');
  } finally {
    usb.dispose();
    bank.dispose();
  }
});

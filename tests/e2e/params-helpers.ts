// Steps the parameter specs and the screenshot script share. Works with @playwright/test's and
// playwright-core's Page alike.

import type { Page } from 'playwright-core';
import { openDemo } from './monitor-helpers';

/**
 * Set the installer PIN through the installer panel (first use) or unlock with it, and wait until
 * installer mode is unlocked. Pages without the panel go to the parameters page through the
 * navigation, so the session (and the link) stays as it is.
 */
export async function setInstallerPin(page: Page, pin: string): Promise<void> {
  if (!/\/(parameters|calibration|control)\b/.test(page.url())) await navigateTo(page, 'Parameters', '**/parameters');
  const panel = page.getByTestId('installer');
  await panel.locator(':scope[data-state="no-pin"], :scope[data-state="locked"], :scope[data-state="unlocked"]').waitFor();
  const state = await panel.getAttribute('data-state');
  if (state === 'unlocked') return;
  if (state === 'locked') {
    await page.getByLabel('Installer PIN').fill(pin);
    await page.getByRole('button', { name: 'Unlock' }).click();
  } else {
    await page.getByLabel('New PIN').fill(pin);
    await page.getByLabel('Repeat the PIN').fill(pin);
    await page.getByRole('button', { name: 'Set PIN and unlock' }).click();
  }
  await panel.locator(':scope[data-state="unlocked"]').waitFor();
}

/** Follow a link of the main navigation (opening the phone menu first), keeping the session. */
export async function navigateTo(page: Page, label: string, url: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  const toggle = nav.getByRole('button', { name: 'Menu' });
  if (await toggle.isVisible()) await toggle.click();
  // In the phone menu a link's name carries its hint too ("Parameters Protection settings, …").
  await nav.getByRole('link', { name: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?: |$)`) }).click();
  await page.waitForURL(url);
}

/** The request frames (text) the serial double saw the page write, e.g. "~250346D0…". */
export function framesIn(bytes: Uint8Array): string[] {
  return new TextDecoder().decode(bytes).match(/~[0-9A-F]+\r/g) ?? [];
}

/** Frames whose CID2 is `cid2` (two hex digits, e.g. "D0"). */
export function framesWithCid2(bytes: Uint8Array, cid2: string): string[] {
  return framesIn(bytes).filter((f) => f.slice(7, 9) === cid2.toUpperCase());
}

/**
 * The demo bank connected, installer mode unlocked with `pin`, and pack `address`'s parameter page
 * followed from the bank page's pack list: where most parameter tests start.
 */
export async function openDemoParameters(page: Page, address: number, pin = '2468'): Promise<void> {
  await openDemo(page);
  await setInstallerPin(page, pin);
  await page
    .getByTestId('pack-list')
    .getByRole('link', { name: `Pack ${address}`, exact: true })
    .click();
  await page.waitForURL(`**/parameters/${address}`);
}

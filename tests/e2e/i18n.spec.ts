// Every page in Simplified Chinese with no English left, the language chosen from the browser,
// the switch that is remembered, and <html lang> kept right.
//
// The pages walked are the navigation's own links (NAV_ITEMS as rendered), so a page added to the
// navigation is walked here without touching this file; a few states the navigation does not link
// (a pack page, the wall display, odd addresses, nothing connected) are added by hand.
//
// "English" is any word of two or more Latin letters that is not on the allow-list below: units,
// product and protocol names, chip and browser names, and words that are the same in a Chinese
// installer's tools. Data (serial numbers, the build id, commands to type) is marked
// translate="no" in the page, which HTML defines as "not to be translated", and skipped.

import { expect, test, type Page } from '@playwright/test';
import { injectUpdates, takeOverUpdates, waitForLiveBank } from './monitor-helpers';
import { openDemoParameters } from './params-helpers';
import { syntheticAnalog, syntheticHealth, syntheticStatus } from '../fixtures/synthetic-bank';
import { decodeFlags, type FlagSource } from '../../src/lib/protocol/commands/status-flags';
import { decodeFlagsWith } from '../../src/lib/protocol/commands/status-flags';
import { EG4_FLAGS, PYLON_FLAGS, SEPLOS_FLAGS } from '../../src/lib/protocol/commands/variant-flags';
import type { PackUpdate } from '../../src/lib/protocol/bank-types';
import type { StatusFlag } from '../../src/lib/protocol/types';

const SOURCES: FlagSource[] = [
  'protection1',
  'protection2',
  'indication',
  'control',
  'fault',
  'warning1',
  'warning2',
  'fault8',
  'indication9',
  'fault10'
];

/** Every flag the PACE and VER 20 tables define, plus bits no table names. */
function everyFlag(): StatusFlag[] {
  const flags = SOURCES.flatMap((s) => [
    ...decodeFlags(s, 0xff, { controlPolarity: 'doc' }),
    ...decodeFlags(s, 0xff, { controlPolarity: 'forced-off' })
  ]);
  for (const tables of [PYLON_FLAGS, SEPLOS_FLAGS, EG4_FLAGS])
    for (const [source, table] of Object.entries(tables)) flags.push(...decodeFlagsWith(table, source, 0xffff, 16));
  const seen = new Set<string>();
  return flags.filter((f) => !seen.has(f.id) && seen.add(f.id));
}

/** A bank in trouble: a pack with every flag and every alarm code, a stale pack, an offline pack. */
function troubleUpdates(): PackUpdate[] {
  const all = syntheticStatus(3, 1, everyFlag());
  all.cellAlarms[2] = 'high';
  all.tempAlarms[1] = 'low';
  all.tempAlarms[5] = 'other';
  all.chargeMosOn = false;
  all.heaterOn = null;
  return [
    { address: 3, analog: syntheticAnalog(3, 1), status: all, received_ms: 0, health: syntheticHealth(3, 'ok', 0) },
    { address: 5, received_ms: 0, health: { ...syntheticHealth(5, 'stale', -40_000), consecutiveFailures: 2 } },
    { address: 9, received_ms: 0, health: syntheticHealth(9, 'offline', -300_000) }
  ];
}

const ALLOWED = new Set(
  [
    // Units and quantities written the same in Chinese.
    'mV mA kW Ah Wh kWh SOC SOH',
    // Sizes as the browser's storage figures give them.
    'KiB MiB GiB kB MB GB bit kbit',
    // Protocols, buses, commands and parts.
    'PACE Pylontech Seplos EG4 LifePower4 LifePower VER USB RS485 RS232 RJ11 BLE UART CAN BMS MOS MOSFET NTC AFE MCU EEPROM LED WiFi',
    'COM LPT TX RX ID CR LF Wi-Fi SSID',
    // File types.
    'pkpg pkfw Intel HEX hex bin csv json CSV JSON',
    // Pin names printed on the board.
    'DIO GND',
    // Written as is in Chinese too ("PIN 码").
    'PIN',
    // Chips, makers, programs, systems, browsers.
    'FTDI CP210x CH340 CH341 WCH Silicon Labs Prolific PL2303 STM32 VCP Nordic PuTTY Arduino IDE',
    'Chrome Edge Chromium ChromeOS Android Windows macOS Linux Snap iPhone iPad App',
    // Bluetooth service ids.
    'FFE0 FF00 FFF0',
    // Addresses, flags and keys people type or read as they are.
    'https localhost chrome flags enable-experimental-web-platform-features Enabled dialout Esc',
    // Language names in the switch are each in their own language (and marked with lang).
    'English'
  ]
    .join(' ')
    .split(' ')
);

/** Every piece of text a person (or a screen reader) gets on the page: visible and hidden text, names and titles. */
async function pageTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [document.title];
    const skip = (el: Element | null): boolean => {
      for (let e = el; e; e = e.parentElement) {
        if (e.getAttribute('translate') === 'no') return true;
        const lang = e.getAttribute('lang');
        // Text explicitly in another language (the language switch's own names).
        if (lang && e !== document.documentElement && !lang.startsWith('zh')) return true;
        if (e.tagName === 'SCRIPT' || e.tagName === 'STYLE' || e.tagName === 'KBD') return true;
      }
      return false;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      if (text && !skip(n.parentElement)) out.push(text);
    }
    for (const el of document.body.querySelectorAll('*')) {
      if (skip(el)) continue;
      for (const attr of ['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'aria-roledescription']) {
        const v = el.getAttribute(attr);
        if (v) out.push(v);
      }
    }
    return out;
  });
}

function englishIn(texts: readonly string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    for (const word of text.match(/[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]/g) ?? []) {
      // Tokens with digits in them are ids, models and serials (P16S100A, 0x01, T1, EG4), not words.
      if (/\d/.test(word)) continue;
      if (!ALLOWED.has(word)) found.add(`${word}  ← “${text.slice(0, 80)}”`);
    }
  }
  return [...found];
}

async function settle(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  // Lazy parts (the trend charts, heatmaps) fill in after the first paint.
  await page.waitForTimeout(1200);
}

async function expectChinese(page: Page, where: string): Promise<void> {
  await settle(page);
  expect(await page.evaluate(() => document.documentElement.lang), `<html lang> on ${where}`).toBe('zh-CN');
  expect(englishIn(await pageTexts(page)), `English left on ${where}`).toEqual([]);
}

/** The navigation's targets, as the app renders them. */
async function navTargets(page: Page): Promise<string[]> {
  await page.locator('[data-testid="main-nav"] a[href]').first().waitFor({ state: 'attached' });
  const hrefs = await page.locator('[data-testid="main-nav"] a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  return [...new Set(hrefs.filter((h) => h.startsWith('/')))];
}

test.describe('Simplified Chinese', () => {
  test.use({ locale: 'zh-CN' });

  test('every page, connected or not, has no English left', async ({ page }) => {
    test.setTimeout(240_000);
    await page.goto('/connect');
    const targets = await navTargets(page);
    expect(targets.length).toBeGreaterThanOrEqual(4);

    for (const path of [...targets, '/pack/99', '/pack/abc', '/no-such-page']) {
      await page.goto(path);
      await expectChinese(page, `${path} (not connected)`);
    }

    await page.goto('/connect');
    await page.getByTestId('connect-demo').click();
    await page.waitForURL('**/overview');
    await waitForLiveBank(page);
    for (const path of [...targets, '/pack/3', '/pack/99', '/overview?wall=1']) {
      await page.goto(path);
      await waitForLiveBank(page);
      await expectChinese(page, `${path} (demo bank)`);
    }
    // Every alarm and state word, stale and offline packs.
    await page.goto('/overview');
    await waitForLiveBank(page);
    await takeOverUpdates(page);
    await injectUpdates(page, troubleUpdates());
    // Client-side navigation only from here: a reload would start a new session.
    await expectChinese(page, '/overview (a bank in trouble)');
    for (const address of [3, 5, 9]) {
      await page.locator('[data-testid="main-nav"] a[href="/overview"]').click();
      await page.getByTestId(`pack-card-${address}`).click();
      await page.waitForURL(`**/pack/${address}`);
      await expectChinese(page, `/pack/${address} (a bank in trouble)`);
      if (address === 3) await expect(page.locator('[data-flag]').first()).toBeAttached();
    }
    await page.locator('[data-testid="main-nav"] a[href="/overview"]').click();
    await page.getByTestId('wall-enter').click();
    await page.getByTestId('wall').waitFor();
    expect(englishIn(await pageTexts(page)), 'English left on the wall display (a bank in trouble)').toEqual([]);
    await page.keyboard.press('Escape');
    // The phone menu: the same links with a line each.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/overview');
    await page.locator('#nav-toggle').click();
    await expectChinese(page, 'the phone menu');
  });

  test('the detector finds English it is not told to allow', () => {
    expect(englishIn(['电池包 Pack 3', '52.43 V', 'PACE (VER 25)', 'P16S100A-1812-1.00', '0x01'])).toEqual(['Pack  ← “电池包 Pack 3”']);
  });

  test('is chosen from the browser, switched without a reload, remembered, and keeps <html lang>', async ({ page }) => {
    await page.goto('/settings');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

    // A mark that a reload would wipe: the switch must not reload the page.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await page.locator('[data-testid="locale-switch"]:visible').first().selectOption('en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
    await expect(page.locator('[data-testid="main-nav"]')).toContainText('Overview');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    // Remembered over the browser's own preference.
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    await page.locator('[data-testid="locale-switch"]:visible').first().selectOption('zh-CN');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
  });

  test('the diagnose page words its durations in the language switched to, without a reload', async ({ page }) => {
    await page.goto('/diagnose');
    const watch = page.locator('fieldset.watch');
    await expect(watch.getByRole('radio', { name: '1分钟' })).toHaveCount(1);
    await page.locator('[data-testid="locale-switch"]:visible').first().selectOption('en');
    await expect(watch.getByRole('radio', { name: '1 minute' })).toHaveCount(1);
    await expect(watch.getByRole('radio', { name: '2 minutes' })).toHaveCount(1);
  });

  test('a live page re-words itself on a switch, numbers and all', async ({ page }) => {
    await page.goto('/connect');
    await page.getByTestId('connect-demo').click();
    await page.waitForURL('**/overview');
    await waitForLiveBank(page);
    await expect(page.getByTestId('pack-card-1')).toContainText('1号电池包');
    await expect(page.getByTestId('link-health')).toContainText('已连接');
    await page.locator('[data-testid="locale-switch"]:visible').first().selectOption('en');
    await expect(page.getByTestId('pack-card-1')).toContainText('Pack 1');
    await expect(page.getByTestId('link-health')).toContainText('Connected');
    await expect(page.getByTestId('bank-totals').locator('[data-figure="packs"] dd').first()).toHaveText('16 of 16');
    // The link stayed up: switching the language is not a reconnect.
    expect(await page.evaluate(() => window.__packservice?.session.link.reconnects)).toBe(0);
    expect(await page.evaluate(() => window.__packservice?.session.phase)).toBe('live');
  });
});

test.describe('on a phone', () => {
  test.use({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });

  test('the language is in the menu, by keyboard, and the header keeps the name and the Menu button on one line', async ({ page }) => {
    await page.goto('/settings');
    await expect(page.locator('#header-locale')).toBeHidden();
    const toggle = page.locator('#nav-toggle');
    const brand = page.locator('.brand');
    const [t, b] = [await toggle.boundingBox(), await brand.boundingBox()];
    expect(t && b && Math.abs(t.y - b.y) < 20).toBe(true);
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const menuSwitch = page.locator('#menu-locale');
    await expect(menuSwitch).toBeVisible();
    await menuSwitch.selectOption('en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
    await expect(toggle).toHaveText(/Menu/);
    await page.keyboard.press('Escape');
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(toggle).toBeFocused();
  });
});

test('a tablet gets the menu, a laptop the links in their groups (English, the longer words)', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto('/settings');
  await expect(page.locator('#nav-toggle')).toBeVisible();
  await expect(page.locator('#nav-list')).toBeHidden();
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.locator('#nav-toggle')).toBeHidden();
  await expect(page.locator('#nav-list')).toBeVisible();
  await expect(page.locator('#header-locale')).toBeVisible();
  // Every link is on screen, none cut off at the right edge.
  for (const box of await page.locator('#nav-list a').evaluateAll((as) => as.map((a) => a.getBoundingClientRect().right)))
    expect(box).toBeLessThanOrEqual(1280);
});

test.describe('English browser', () => {
  test('gets English', async ({ page }) => {
    await page.goto('/connect');
    await expect(page.getByRole('button', { name: 'Open demo bank' })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  test('a broken parameter rule and the time of the read are said in the language switched to', async ({ page }) => {
    test.setTimeout(90_000);
    await openDemoParameters(page, 3);
    const protect = page.getByLabel('Cell OV Protect', { exact: true });
    await expect(protect).toHaveValue('3.700');
    await protect.fill('5');
    const violations = page.getByTestId('violations');
    await expect(violations).toContainText('Cell OV Protect must be between 2500 mV and 4500 mV; you entered 5000 mV.');
    // The time of the read, in the app's language, not the browser's (an English browser here).
    const readState = page.getByTestId('read-state');
    await expect(readState).toContainText(/\d:\d\d:\d\d [AP]M/);
    await page.locator('[data-testid="locale-switch"]:visible').first().selectOption('zh-CN');
    await expect(violations).toContainText('Cell OV Protect 须在 2500 mV 至 4500 mV 之间；您输入的是 5000 mV。');
    await expect(readState).toContainText(/\d:\d\d:\d\d/);
    await expect(readState).not.toContainText(/[AP]M/);
    await protect.fill('3.300');
    await expect(violations).toContainText('Balance Threshold（3400 mV）须低于 Cell OV Protect（3300 mV）：电芯须在过压保护停止充电之前开始均衡。');
    await expect(violations).not.toContainText('must be');
  });
});

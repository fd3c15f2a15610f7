// The accessibility checks a11y.spec.ts runs on every page: axe's serious and critical findings,
// and a walk with the Tab key over every control.

import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** Serious and critical axe findings on the page as it is now, one line each. */
export async function seriousFindings(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const where = v.nodes
        .slice(0, 4)
        .map((n) => `${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 160)}` : ''}`)
        .join('; ');
      return `[${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} nodes) ${where}`;
    });
}

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  'summary',
  '[tabindex]:not([tabindex="-1"])'
].join(',');

export interface TabWalk {
  /** Controls a user can see and operate, by label, that Tab never reached. */
  missed: string[];
  /** Controls Tab reached that showed no focus indicator. */
  noRing: string[];
  reached: number;
}

/**
 * Press Tab from the top of the page until focus comes round again, and compare what it reached
 * with every visible, enabled control on the page. Radio buttons count once per group (Tab enters
 * a group at one radio, the arrow keys move inside it).
 */
export async function tabWalk(page: Page): Promise<TabWalk> {
  const expected = await page.evaluate((selector) => {
    const keys: string[] = [];
    let n = 0;
    for (const el of document.querySelectorAll<HTMLElement>(selector)) {
      // :disabled also covers controls inside a disabled fieldset, which the browser skips too.
      if (el.tabIndex < 0 || el.matches(':disabled') || el.closest('[inert], [aria-hidden="true"]')) continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      const key = el instanceof HTMLInputElement && el.type === 'radio' && el.name ? `radio:${el.name}` : `el:${n++}`;
      el.dataset.kb = key;
      if (!keys.includes(key)) keys.push(key);
    }
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
    return keys;
  }, FOCUSABLE);
  const reached = new Set<string>();
  const noRing: string[] = [];
  let first: string | null = null;
  for (let i = 0; i < expected.length + 40; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const cs = getComputedStyle(el);
      const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== 'none';
      const label = `<${el.tagName.toLowerCase()}> "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 50)}"`;
      return { key: el.dataset.kb ?? `unknown ${label}`, ring, label };
    });
    if (!at) continue;
    if (at.key === first) break;
    first ??= at.key;
    reached.add(at.key);
    if (!at.ring) noRing.push(at.label);
  }
  const missed = await page.evaluate(
    (keys) =>
      keys
        .map((k) => document.querySelector<HTMLElement>(`[data-kb="${k}"]`))
        .map((el) =>
          el
            ? `<${el.tagName.toLowerCase()}> "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 50)}"`
            : '?'
        ),
    expected.filter((k) => !reached.has(k))
  );
  return { missed, noRing, reached: reached.size };
}

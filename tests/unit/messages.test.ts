// Every message exists in every language, with the same placeholders, and every message file is
// part of the compiled project. A page translated in one language only fails here, not in front
// of a Chinese-reading installer.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const settings = JSON.parse(readFileSync(join(ROOT, 'project.inlang', 'settings.json'), 'utf8')) as {
  baseLocale: string;
  locales: string[];
  'plugin.inlang.messageFormat': { pathPattern: string[] };
};
const areas = readdirSync(join(ROOT, 'messages'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

function load(area: string, locale: string): Record<string, string> {
  const raw = JSON.parse(readFileSync(join(ROOT, 'messages', area, `${locale}.json`), 'utf8')) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === '$schema') continue;
    if (typeof value !== 'string') throw new Error(`messages/${area}/${locale}.json: ${key} is not a plain string`);
    out[key] = value;
  }
  return out;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

describe('messages', () => {
  it('has English and Simplified Chinese', () => {
    expect(settings.locales).toEqual(['en', 'zh-CN']);
    expect(settings.baseLocale).toBe('en');
  });

  it('compiles every message folder', () => {
    const patterns = settings['plugin.inlang.messageFormat'].pathPattern;
    expect(patterns.sort()).toEqual(areas.map((a) => `./messages/${a}/{locale}.json`).sort());
  });

  for (const area of areas) {
    describe(area, () => {
      const byLocale = Object.fromEntries(settings.locales.map((l) => [l, load(area, l)]));
      const base = byLocale[settings.baseLocale];

      it('prefixes every key with its folder, so folders never collide', () => {
        for (const key of Object.keys(base)) expect(key.startsWith(`${area}_`), key).toBe(true);
      });

      for (const locale of settings.locales) {
        it(`${locale} has exactly the keys of ${settings.baseLocale}, none empty, same placeholders`, () => {
          const messages = byLocale[locale];
          expect(Object.keys(messages).sort()).toEqual(Object.keys(base).sort());
          for (const [key, text] of Object.entries(messages)) {
            expect(text.trim(), `${locale} ${key}`).not.toBe('');
            expect(placeholders(text), `${locale} ${key}`).toEqual(placeholders(base[key]));
          }
        });
      }
    });
  }
});

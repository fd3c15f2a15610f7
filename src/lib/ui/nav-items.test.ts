import { describe, expect, it } from 'vitest';
import { isActive, NAV_GROUPS, NAV_ITEMS, navHref, navPrefix, navSections } from './nav-items';
import { appLocale } from './locale.svelte';

const byLabel = (label: string) => {
  const item = NAV_ITEMS.find((i) => i.label({}, { locale: 'en' }) === label);
  if (!item) throw new Error(`no nav item ${label}`);
  return item;
};

describe('navigation list', () => {
  it('starts with Connect, ends with Settings, and every target is unique', () => {
    const labels = NAV_ITEMS.map((i) => i.label({}, { locale: 'en' }));
    expect(labels[0]).toBe('Connect');
    expect(labels.at(-1)).toBe('Settings');
    expect(labels).toEqual(expect.arrayContaining(['Overview', 'Packs']));
    const hrefs = NAV_ITEMS.map((i) => navHref(i, { firstPackAddress: null }));
    expect(new Set(hrefs).size).toBe(hrefs.length);
    const prefixes = NAV_ITEMS.map(navPrefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('points Packs at the first pack of the connected bank', () => {
    expect(navHref(byLabel('Packs'), { firstPackAddress: 0 })).toBe('/pack/0');
    expect(navHref(byLabel('Packs'), { firstPackAddress: null })).toBe('/pack/1');
  });

  it('marks an item active for its own path and sub-paths only', () => {
    const packs = byLabel('Packs');
    expect(isActive(packs, '/pack')).toBe(true);
    expect(isActive(packs, '/pack/3')).toBe(true);
    expect(isActive(packs, '/packsx')).toBe(false);
    expect(isActive(byLabel('Overview'), '/connect')).toBe(false);
    expect(isActive(byLabel('Connect'), '/connect')).toBe(true);
  });

  it('groups the items in the order of NAV_GROUPS, each item exactly once', () => {
    const sections = navSections();
    const order = NAV_GROUPS.map((g) => g.id);
    const seen = sections.map((s) => order.indexOf(s.group.id));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(sections.flatMap((s) => s.items)).toHaveLength(NAV_ITEMS.length);
    expect(sections[0].group.id).toBe('start');
    expect(sections.at(-1)?.group.id).toBe('end');
  });

  it('words every label, hint and group heading in both languages, differently', () => {
    for (const item of NAV_ITEMS) {
      const en = item.label({}, { locale: 'en' });
      const zh = item.label({}, { locale: 'zh-CN' });
      expect(zh, en).not.toBe(en);
      expect(item.hint({}, { locale: 'zh-CN' })).not.toBe(item.hint({}, { locale: 'en' }));
    }
    for (const g of NAV_GROUPS) if (g.label) expect(g.label({}, { locale: 'zh-CN' })).not.toBe(g.label({}, { locale: 'en' }));
  });

  it('follows the app language when rendered', () => {
    const before = appLocale.current;
    try {
      appLocale.set('zh-CN');
      expect(byLabel('Overview').label()).toBe('总览');
      appLocale.set('en');
      expect(byLabel('Overview').label()).toBe('Overview');
    } finally {
      appLocale.set(before);
    }
  });

  it('leaves a group heading out when the group has no page', () => {
    const only = NAV_ITEMS.filter((i) => i.group !== 'monitor');
    expect(navSections(only).some((s) => s.group.id === 'monitor')).toBe(false);
  });
});

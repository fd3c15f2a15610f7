import { describe, expect, it } from 'vitest';
import { m } from '$lib/paraglide/messages';
import { isActive, NAV_GROUPS, NAV_ITEMS, navHref, navPrefix, navSections, type NavItem } from './nav-items';
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
    expect(labels).toEqual(
      expect.arrayContaining([
        'Overview',
        'Packs',
        'History',
        'Logs',
        'Statistics',
        'Firmware',
        'Parameters',
        'Calibration',
        'Control',
        'Diagnose',
        'Debug'
      ])
    );
    const hrefs = NAV_ITEMS.map((i) => navHref(i, { firstPackAddress: null }));
    expect(new Set(hrefs).size).toBe(hrefs.length);
    const prefixes = NAV_ITEMS.map(navPrefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('points Packs, Calibration and Control at the first pack of the connected bank', () => {
    expect(navHref(byLabel('Packs'), { firstPackAddress: 0 })).toBe('/pack/0');
    expect(navHref(byLabel('Packs'), { firstPackAddress: null })).toBe('/pack/1');
    expect(navHref(byLabel('Calibration'), { firstPackAddress: 2 })).toBe('/calibration/2');
    expect(navHref(byLabel('Control'), { firstPackAddress: null })).toBe('/control/1');
    expect(navHref(byLabel('Parameters'), { firstPackAddress: 2 })).toBe('/parameters');
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

  it('puts the thirteen planned pages in working order whatever order the groups’ lines were added in', () => {
    // Page branches append their line wherever the merge puts it; the groups keep the order (within
    // a group, the lines' own order).
    const planned: NavItem[] = [
      { group: 'support', label: m.nav_diagnose, hint: m.nav_diagnose_hint, href: '/diagnose' },
      { group: 'end', label: m.nav_settings, hint: m.nav_settings_hint, href: '/settings' },
      { group: 'records', label: m.nav_history, hint: m.nav_history_hint, href: '/history' },
      { group: 'service', label: m.nav_parameters, hint: m.nav_parameters_hint, href: '/parameters' },
      { group: 'monitor', label: m.nav_overview, hint: m.nav_overview_hint, href: '/overview' },
      {
        group: 'service',
        label: m.nav_calibration,
        hint: m.nav_calibration_hint,
        href: (c) => `/calibration/${c.firstPackAddress ?? 1}`,
        activePrefix: '/calibration'
      },
      { group: 'records', label: m.nav_logs, hint: m.nav_logs_hint, href: '/logs' },
      { group: 'start', label: m.nav_connect, hint: m.nav_connect_hint, href: '/connect' },
      {
        group: 'service',
        label: m.nav_control,
        hint: m.nav_control_hint,
        href: (c) => `/control/${c.firstPackAddress ?? 1}`,
        activePrefix: '/control'
      },
      { group: 'monitor', label: m.nav_packs, hint: m.nav_packs_hint, href: (c) => `/pack/${c.firstPackAddress ?? 1}`, activePrefix: '/pack' },
      { group: 'service', label: m.nav_firmware, hint: m.nav_firmware_hint, href: '/firmware' },
      { group: 'records', label: m.nav_statistics, hint: m.nav_statistics_hint, href: '/statistics' },
      { group: 'support', label: m.nav_debug, hint: m.nav_debug_hint, href: '/debug' }
    ];
    const words = navSections(planned).flatMap((s) => s.items.map((i) => i.label({}, { locale: 'en' })));
    expect(words.join(' ')).toBe('Connect Overview Packs Parameters Calibration Control Firmware History Logs Statistics Diagnose Debug Settings');
    const zh = navSections(planned).map((s) => s.group.label?.({}, { locale: 'zh-CN' }) ?? '');
    expect(zh).toEqual(['', '监控', '维护', '记录', '支持', '']);
    expect(navHref(planned[5], { firstPackAddress: 4 })).toBe('/calibration/4');
    expect(isActive(planned[5], '/calibration/4')).toBe(true);
  });
});

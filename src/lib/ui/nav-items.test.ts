import { describe, expect, it } from 'vitest';
import { isActive, NAV_ITEMS, navHref } from './nav-items';

const byLabel = (label: string) => {
  const item = NAV_ITEMS.find((i) => i.label === label);
  if (!item) throw new Error(`no nav item ${label}`);
  return item;
};

describe('navigation list', () => {
  it('has the pages in order, each with a unique target', () => {
    expect(NAV_ITEMS.map((i) => i.label)).toEqual(['Connect', 'Overview', 'Packs', 'Diagnose', 'Debug', 'Settings']);
    const hrefs = NAV_ITEMS.map((i) => navHref(i, { firstPackAddress: null }));
    expect(new Set(hrefs).size).toBe(hrefs.length);
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
  });
});

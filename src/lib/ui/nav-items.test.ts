import { describe, expect, it } from 'vitest';
import { isActive, NAV_ITEMS, navHref } from './nav-items';

const byLabel = (label: string) => {
  const item = NAV_ITEMS.find((i) => i.label === label);
  if (!item) throw new Error(`no nav item ${label}`);
  return item;
};

describe('navigation list', () => {
  it('has the monitoring pages first and Settings last, each with a unique target', () => {
    const labels = NAV_ITEMS.map((i) => i.label);
    expect(labels.slice(0, 3)).toEqual(['Connect', 'Overview', 'Packs']);
    expect(labels.at(-1)).toBe('Settings');
    expect(labels).toEqual(expect.arrayContaining(['Parameters', 'Calibration', 'Control']));
    const hrefs = NAV_ITEMS.map((i) => navHref(i, { firstPackAddress: null }));
    expect(new Set(hrefs).size).toBe(hrefs.length);
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
  });
});

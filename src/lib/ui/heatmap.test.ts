import { describe, expect, it } from 'vitest';
import { syntheticView } from '../../../tests/fixtures/synthetic-bank';
import {
  DIVERGING,
  SEQUENTIAL,
  TEMP_STOPS,
  buildCellGrid,
  buildTempGrid,
  cellHalfRange,
  cellScale,
  contrastRatio,
  inkFor,
  interpolate,
  interpolateAt,
  relativeLuminance,
  tempScale,
  toHex,
  type RGB
} from './heatmap';

const hexToRgb = (hex: string): RGB => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];

describe('colour maths', () => {
  it('interpolates through the stops and clamps outside 0..1', () => {
    expect(interpolate(DIVERGING, 0)).toEqual(DIVERGING[0]);
    expect(interpolate(DIVERGING, 1)).toEqual(DIVERGING[6]);
    expect(interpolate(DIVERGING, 0.5)).toEqual(DIVERGING[3]);
    expect(interpolate(DIVERGING, -3)).toEqual(DIVERGING[0]);
    expect(interpolate(DIVERGING, 7)).toEqual(DIVERGING[6]);
    const mid = interpolate(
      [
        [0, 0, 0],
        [200, 100, 50]
      ],
      0.5
    );
    expect(mid).toEqual([100, 50, 25]);
  });
  it('computes WCAG luminance and contrast', () => {
    expect(relativeLuminance([255, 255, 255])).toBeCloseTo(1, 6);
    expect(relativeLuminance([0, 0, 0])).toBe(0);
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 6);
    expect(toHex([0x54, 0x27, 0x88])).toBe('#542788');
  });
  it('picks ink with at least 4.5:1 contrast on every colour of both scales', () => {
    for (const stops of [DIVERGING, SEQUENTIAL]) {
      for (let i = 0; i <= 100; i++) {
        const fill = interpolate(stops, i / 100);
        expect(contrastRatio(fill, hexToRgb(inkFor(fill)))).toBeGreaterThanOrEqual(4.5);
      }
    }
  });
  it('puts white ink on the dark ends and dark ink on the pale middle', () => {
    expect(inkFor(DIVERGING[0])).toBe('#ffffff');
    expect(inkFor(DIVERGING[3])).toBe('#000000');
    expect(inkFor(SEQUENTIAL[SEQUENTIAL.length - 1])).toBe('#ffffff');
  });
});

describe('cell scale', () => {
  it('snaps the half-range to round steps with a 10 mV floor', () => {
    expect(cellHalfRange(0)).toBe(10);
    expect(cellHalfRange(2)).toBe(10);
    expect(cellHalfRange(10)).toBe(10);
    expect(cellHalfRange(10.5)).toBe(20);
    expect(cellHalfRange(180)).toBe(200);
    expect(cellHalfRange(5000)).toBe(1000);
  });
  it('is neutral at the mean and diverges by sign', () => {
    const s = cellScale(3300, 15);
    expect(s.halfRange_mV).toBe(20);
    expect(s.colour(3300)).toEqual(DIVERGING[3]);
    expect(s.colour(3280)).toEqual(DIVERGING[0]);
    expect(s.colour(3320)).toEqual(DIVERGING[6]);
    expect(s.colour(3400)).toEqual(DIVERGING[6]);
    expect(s.legend.ticks.map((t) => t.label)).toEqual(['\u221220\u00a0mV', 'mean 3300\u00a0mV', '+20\u00a0mV']);
  });
});

describe('swatch tables', () => {
  it('match the exact colours at table points and pair them with readable ink', () => {
    const c = cellScale(3300, 15);
    for (const mV of [3280, 3290, 3300, 3305, 3320, 3400, 3100]) {
      const sw = c.swatch(mV);
      expect(sw.fill).toBe(toHex(c.colour(mV)));
      expect(sw.ink).toBe(inkFor(c.colour(mV)));
    }
    const t = tempScale();
    for (const temp of [-20, -10, 0, 24.9, 25, 37.3, 55, 60, 80]) {
      expect(t.swatch(temp).fill).toBe(toHex(t.colour(temp)));
    }
  });
});

describe('temperature scale', () => {
  it('is sequential over the fixed domain, pale at room temperature, with edge ticks', () => {
    const s = tempScale();
    expect(s.colour(-10)).toEqual(TEMP_STOPS[0].rgb);
    expect(s.colour(-40)).toEqual(TEMP_STOPS[0].rgb);
    expect(s.colour(60)).toEqual(TEMP_STOPS[TEMP_STOPS.length - 1].rgb);
    expect(s.colour(25)).toEqual([0xfd, 0xe2, 0xa6]);
    // Sequential: luminance falls monotonically as temperature rises.
    let last = Infinity;
    for (let t = -10; t <= 60; t += 2.5) {
      const l = relativeLuminance(s.colour(t));
      expect(l).toBeLessThan(last);
      last = l;
    }
    // Room temperature stays light (calm, dark text); the protection range is dark (white text).
    expect(relativeLuminance(s.colour(25))).toBeGreaterThan(0.7);
    expect(inkFor(s.colour(25))).toBe('#000000');
    expect(inkFor(s.colour(57))).toBe('#ffffff');
    const labels = s.legend.ticks.map((t) => t.label);
    expect(labels).toEqual(['≤\u2009\u221210\u00a0°C', '10\u00a0°C', '25\u00a0°C', '45\u00a0°C', '≥\u200960\u00a0°C']);
    expect(s.legend.ticks[2].at).toBeCloseTo(35 / 70, 6);
    expect(s.legend.gradient).toContain('#fde2a6 50.0%');
  });
  it('interpolates between positioned stops and clamps outside them', () => {
    const stops = [
      { at: 0, rgb: [0, 0, 0] as const },
      { at: 10, rgb: [100, 200, 50] as const },
      { at: 30, rgb: [200, 200, 250] as const }
    ];
    expect(interpolateAt(stops, 5)).toEqual([50, 100, 25]);
    expect(interpolateAt(stops, 20)).toEqual([150, 200, 150]);
    expect(interpolateAt(stops, -1)).toEqual([0, 0, 0]);
    expect(interpolateAt(stops, 99)).toEqual([200, 200, 250]);
    expect(interpolateAt(stops, Number.NaN)).toEqual([0, 0, 0]);
  });
});

describe('buildCellGrid', () => {
  it('colours live packs around the mean of live cells only', () => {
    const live = syntheticView(1);
    live.analog!.cells_mV = Array(16).fill(3300);
    live.analog!.cells_mV[3] = 3310;
    const stale = syntheticView(2, { state: 'stale' });
    // A stale pack far off the mean must neither move the mean nor get a colour.
    stale.analog!.cells_mV = Array(16).fill(2500);
    const grid = buildCellGrid([live, stale]);
    expect(grid.columns).toHaveLength(16);
    const liveRow = grid.rows[0];
    expect(liveRow.freshness).toBe('live');
    expect(liveRow.note).toBe('Master');
    expect(liveRow.cells[3].extreme).toBe('max');
    expect(liveRow.cells[0].extreme).toBe('min');
    expect(liveRow.cells[3].fill).not.toBeNull();
    expect(liveRow.cells[3].label).toContain('Pack 1, cell 4: 3310\u00a0mV');
    expect(liveRow.cells[3].label).toContain('from the bank mean');
    expect(grid.legend.ticks[1].label).toBe('mean 3301\u00a0mV');

    const staleRow = grid.rows[1];
    expect(staleRow.freshness).toBe('stale');
    expect(staleRow.note).toBe('Slave, stale');
    for (const c of staleRow.cells) {
      expect(c.fill).toBeNull();
      expect(c.state).toBe('stale');
      expect(c.text).toBe('2500');
      expect(c.label).toContain('(stale)');
    }
  });

  it('draws offline and never-answered packs as blank labelled rows', () => {
    const grid = buildCellGrid([syntheticView(1), syntheticView(2, { state: 'offline' }), syntheticView(3, { noData: true })]);
    const [, offline, nodata] = grid.rows;
    expect(offline.freshness).toBe('offline');
    expect(offline.cells.every((c) => c.fill === null && c.text === '' && c.state === 'offline')).toBe(true);
    expect(offline.cells[0].label).toBe('Pack 2, cell 1: offline');
    expect(nodata.freshness).toBe('nodata');
    expect(nodata.cells[0].label).toBe('Pack 3, cell 1: no data yet');
  });

  it('treats an all-zero broadcast block as no data, not as 0 mV cells', () => {
    const empty = syntheticView(2);
    empty.analog = { ...empty.analog!, cells_mV: Array(16).fill(0), empty: true };
    const grid = buildCellGrid([syntheticView(1), empty]);
    expect(grid.rows[1].freshness).toBe('nodata');
    expect(grid.legend.ticks[1].label).not.toContain('mean 0');
  });

  it('marks missing cells of a 15-cell pack in a 16-column bank as absent', () => {
    const grid = buildCellGrid([syntheticView(1), syntheticView(2, { cells: 15 })]);
    expect(grid.columns).toHaveLength(16);
    expect(grid.rows[1].cells[15].state).toBe('absent');
    expect(grid.rows[1].cells[15].fill).toBeNull();
  });

  it('marks balancing cells', () => {
    const v = syntheticView(4, { tick: 0 });
    const grid = buildCellGrid([v]);
    const bal = grid.rows[0].cells.filter((c) => c.balancing);
    expect(bal.map((c) => c.key)).toEqual([`c${(4 % 16) + 1}`]);
    expect(bal[0].label).toContain('balancing');
  });

  it('summarises in words, including a bank with nothing live', () => {
    const g = buildCellGrid([syntheticView(1), syntheticView(2, { state: 'stale' })]);
    expect(g.summary).toMatch(/^1 of 2 packs live\. Colours span \u2212\d+\u00a0mV to \+\d+\u00a0mV around the bank mean\.$/);
    expect(g.highlight).toEqual({ label: 'Bank mean', value: expect.stringMatching(/^\d{4}\u00a0mV$/) });
    const none = buildCellGrid([syntheticView(1, { state: 'offline' })]);
    expect(none.summary).toBe('No live cell voltages: 1 packs, none live.');
    expect(none.highlight).toBeNull();
  });

  it('keeps the summary sentence still while values move (no relayout per refresh)', () => {
    const a = buildCellGrid([syntheticView(1, { tick: 1 }), syntheticView(2, { tick: 1 })]);
    const b = buildCellGrid([syntheticView(1, { tick: 2 }), syntheticView(2, { tick: 2 })]);
    expect(b.summary).toBe(a.summary);
    expect(buildTempGrid([syntheticView(1, { tick: 1 })]).summary).toBe(buildTempGrid([syntheticView(1, { tick: 2 })]).summary);
  });
});

describe('buildTempGrid', () => {
  it('uses the pack sensor labels and colours only live readings', () => {
    const live = syntheticView(1);
    live.analog!.temps_C[5] = null;
    const grid = buildTempGrid([live, syntheticView(2, { state: 'stale' }), syntheticView(3, { state: 'offline' })]);
    expect(grid.columns.map((c) => c.label)).toEqual(['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'MOSFET', 'Ambient']);
    expect(grid.rows[0].cells[0].fill).toMatch(/^#[0-9a-f]{6}$/);
    expect(grid.rows[0].cells[5]).toMatchObject({ state: 'unfitted', fill: null, text: 'n/f', label: 'Pack 1, Ambient: not fitted' });
    expect(grid.rows[1].cells.every((c) => c.fill === null && c.state === 'stale')).toBe(true);
    expect(grid.rows[2].cells.every((c) => c.text === '' && c.state === 'offline')).toBe(true);
    expect(grid.summary).toBe('1 of 3 packs live.');
    expect(grid.highlight).toEqual({ label: 'Hottest live sensor', value: expect.stringMatching(/^\d+\.\d\u00a0°C$/) });
    expect(grid.legend.title).toBe('Temperature');
  });
});

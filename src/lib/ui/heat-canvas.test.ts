import { describe, expect, it } from 'vitest';
import { syntheticView } from '../../../tests/fixtures/synthetic-bank';
import { decodePaintGrid, encodePaintGrid, toPaintGrid } from './heat-canvas';
import { buildCellGrid, buildTempGrid } from './heatmap';

describe('paint grid encoding (what the paint worker is sent)', () => {
  it('decodes to exactly what the painter would get on the main thread', () => {
    const views = [
      syntheticView(1),
      syntheticView(2, { state: 'stale' }),
      syntheticView(3, { state: 'offline' }),
      syntheticView(4, { tick: 0 }),
      syntheticView(5, { noData: true }),
      syntheticView(6, { cells: 15 })
    ];
    for (const grid of [buildCellGrid(views), buildTempGrid(views)]) {
      const painted = toPaintGrid(grid);
      expect(decodePaintGrid(encodePaintGrid(grid))).toEqual(painted);
      // The grid covers every case the painter draws differently.
      const states = new Set(painted.rows.flatMap((r) => r.cells.map((c) => c.state)));
      expect(states.has('live') && states.has('stale')).toBe(true);
    }
    const cells = toPaintGrid(buildCellGrid(views));
    expect(cells.rows.some((r) => r.cells.some((c) => c.balancing))).toBe(true);
    expect(cells.rows.some((r) => r.cells.some((c) => c.state === 'absent'))).toBe(true);
  });
});

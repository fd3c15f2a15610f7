import { describe, expect, it } from 'vitest';
import { cellBarsModel } from './cell-bars';

describe('cellBarsModel', () => {
  it('zooms the axis to the spread and marks extremes, balancing and alarms', () => {
    const m = cellBarsModel([3271, 3272, 3269, 3280], [2], ['normal', 'normal', 'low', 'high']);
    expect(m.stats?.spread_mV).toBe(11);
    expect(m.axisLow_mV).toBe(3269 - 5.5);
    expect(m.axisHigh_mV).toBe(3280 + 5.5);
    expect(m.bars.map((b) => b.label)).toEqual(['Cell 01', 'Cell 02', 'Cell 03', 'Cell 04']);
    expect(m.bars[3].marks).toEqual(['max', 'alarm-high']);
    expect(m.bars[2].marks).toEqual(['min', 'alarm-low']);
    expect(m.bars[1].marks).toEqual(['balancing']);
    expect(m.bars[2].frac).toBeCloseTo(5.5 / 22, 9);
    expect(m.bars[3].frac).toBeCloseTo(16.5 / 22, 9);
    expect(m.bars[0].text).toBe('3271\u00a0mV');
  });
  it('draws equal cells as equal half bars without min/max marks', () => {
    const m = cellBarsModel([3300, 3300, 3300]);
    expect(m.bars.every((b) => b.frac === 0.5 && b.marks.length === 0)).toBe(true);
  });
  it('is empty without cells', () => {
    expect(cellBarsModel([])).toEqual({ bars: [], stats: null, axisLow_mV: 0, axisHigh_mV: 0 });
  });
});

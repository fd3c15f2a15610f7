import { afterEach, describe, expect, it } from 'vitest';
import type { PackAnalog } from '$lib/session/types';
import { appLocale } from './locale.svelte';
import { unitNoteLines } from './unit-notes';

const cells_mV = Array.from({ length: 16 }, (_, i) => 3290 + i);
type Notes = NonNullable<PackAnalog['unitNotes']>;
/** Capacities as the decoder leaves them after its unit check: 45.76 of 104 Ah, design 100 Ah. */
const pack = (unitNotes: Notes) => ({ cells_mV, remaining_Ah: 45.76, full_Ah: 104, design_Ah: 100, unitNotes });

// As protocol/commands/units.ts writes them.
const VOLTAGE_10MV: Notes = [{ field: 'voltage', factor: 10, unit: '10 mV', message: 'voltage read in 10 mV units: cells sum to 52.76 V' }];
const DESIGN_100MAH: Notes = [
  {
    field: 'design',
    factor: 10,
    unit: '100 mAh',
    message: 'design capacity read in 100 mAh units: full capacity 104.00 Ah is 104 % of 100.00 Ah design'
  }
];
const CURRENT_10MA: Notes = [
  { field: 'current', factor: 0.1, unit: '10 mA', message: 'current read in 10 mA units: 400.0 A would be 8.0 C of a 50.00 Ah module' }
];
const VOLTAGE_NO_FIT: Notes = [
  { field: 'voltage', factor: 1, unit: '1 mV', message: "pack voltage 20.00 V does not match the cells' sum 52.76 V in any unit" }
];
const CAPACITY_NO_FIT: Notes = [
  { field: 'remaining', factor: 1, unit: '10 mAh', message: 'remaining 5.00 Ah, full 900.00 Ah do not agree in any unit' }
];

describe('unitNoteLines', () => {
  afterEach(() => appLocale.set('en'));

  it('says nothing when nothing was read in another unit', () => {
    expect(unitNoteLines({ ...pack([]), unitNotes: undefined })).toEqual([]);
    expect(unitNoteLines(null)).toEqual([]);
  });

  it('names the field, the unit read, the documented unit and why, in English', () => {
    expect(unitNoteLines(pack(VOLTAGE_10MV))).toEqual([
      {
        field: 'voltage',
        text: 'Decoded with the pack voltage in 10 mV units instead of the documented 1 mV: only then does it match the sum of the cells, 52.76\u00a0V.'
      }
    ]);
    expect(unitNoteLines(pack(DESIGN_100MAH)).map((l) => l.text)).toEqual([
      'Decoded with the design capacity in 100 mAh units instead of the documented 10 mAh: only then do the capacities fit together (remaining 45.8\u00a0Ah, full 104.0\u00a0Ah, design 100.0\u00a0Ah).'
    ]);
    expect(unitNoteLines(pack(CURRENT_10MA)).map((l) => l.text)).toEqual([
      'Decoded with the current in 10 mA units instead of the documented 100 mA: in the documented unit it would be more current than a battery module carries.'
    ]);
  });

  it('says when the fields fit in no unit and the values are shown as sent', () => {
    expect(unitNoteLines(pack([...VOLTAGE_NO_FIT, ...CAPACITY_NO_FIT])).map((l) => l.text)).toEqual([
      'The pack voltage does not match the sum of the cells (52.76\u00a0V) in any unit; shown as the pack sent it.',
      'The capacities (remaining 45.8\u00a0Ah, full 104.0\u00a0Ah, design 100.0\u00a0Ah) do not fit together in any one unit; shown as the pack sent them.'
    ]);
  });

  it('in Simplified Chinese, with the units and numbers as they are', () => {
    appLocale.set('zh-CN');
    expect(unitNoteLines(pack(VOLTAGE_10MV)).map((l) => l.text)).toEqual([
      '电池包电压按 10 mV 为单位解码，而非协议规定的 1 mV：只有这样才与各电芯电压之和 52.76\u00a0V 相符。'
    ]);
    expect(unitNoteLines(pack(DESIGN_100MAH)).map((l) => l.text)).toEqual([
      '设计容量按 100 mAh 为单位解码，而非协议规定的 10 mAh：只有这样各容量才相互吻合（剩余 45.8\u00a0Ah，满充 104.0\u00a0Ah，设计 100.0\u00a0Ah）。'
    ]);
  });
});

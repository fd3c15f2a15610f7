import { describe, expect, it } from 'vitest';
import { DOCUMENTED_UNITS, reconcileUnits } from '$lib/protocol/commands/units';
import type { PackAnalog } from '$lib/protocol/types';
import { syntheticAnalog } from '../../../tests/fixtures/synthetic-bank';
import { unitChoices } from './unit-notes';

/** A PACE block as the decoder would hand it over before its unit check, with the 42H's computed SOC. */
function block(over: Partial<PackAnalog>): PackAnalog {
  return { ...syntheticAnalog(2, 0), socSource: 'computed', soc_pct: null, soh_pct: null, ...over };
}

const cells_mV = Array.from({ length: 16 }, (_, i) => 3290 + i);
const sum_mV = cells_mV.reduce((a, b) => a + b, 0);

describe('unitChoices (the decoder unit notes as facts for the pack page)', () => {
  it('is empty when every field fits its documented unit', () => {
    const a = reconcileUnits(block({ cells_mV, voltage_V: sum_mV / 1000 }), DOCUMENTED_UNITS.pace);
    expect(unitChoices(a)).toEqual([]);
    expect(unitChoices(null)).toEqual([]);
  });

  it('a pack voltage sent in 10 mV: read at that unit, checked against the sum of the cells', () => {
    const a = reconcileUnits(block({ cells_mV, voltage_V: Math.round(sum_mV / 10) / 1000 }), DOCUMENTED_UNITS.pace);
    expect(a.voltage_V).toBe(Math.round(sum_mV / 10) / 100);
    expect(unitChoices(a)).toEqual([
      {
        field: 'voltage',
        rescaled: true,
        unit: '10 mV',
        documented: '1 mV',
        cellSum_V: sum_mV / 1000,
        capacities_Ah: null,
        detail: a.unitNotes![0].message
      }
    ]);
  });

  it('a design capacity sent in 100 mAh: only it is rescaled, the documented unit is 10 mAh', () => {
    const a = reconcileUnits(block({ cells_mV, voltage_V: sum_mV / 1000, remaining_Ah: 45.76, full_Ah: 104, design_Ah: 10 }), DOCUMENTED_UNITS.pace);
    expect(a.design_Ah).toBe(100);
    expect(unitChoices(a)).toEqual([
      expect.objectContaining({ field: 'design', rescaled: true, unit: '100 mAh', documented: '10 mAh', cellSum_V: null })
    ]);
  });

  it('a Pylontech current sent in 10 mA is documented in 100 mA', () => {
    const a = reconcileUnits(
      block({ cells_mV, voltage_V: sum_mV / 1000, current_A: -400, full_Ah: 50, design_Ah: 50, remaining_Ah: 25 }),
      DOCUMENTED_UNITS.pylon
    );
    expect(unitChoices(a)).toEqual([expect.objectContaining({ field: 'current', rescaled: true, unit: '10 mA', documented: '100 mA' })]);
  });

  it('a pack voltage that fits in no unit is a disagreement, not a rescale', () => {
    const a = reconcileUnits(block({ cells_mV, voltage_V: 20 }), DOCUMENTED_UNITS.pace);
    expect(a.voltage_V).toBe(20);
    expect(unitChoices(a)).toEqual([
      expect.objectContaining({ field: 'voltage', rescaled: false, unit: '1 mV', documented: '1 mV', cellSum_V: sum_mV / 1000 })
    ]);
  });
});

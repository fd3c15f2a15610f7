// The decoder's unit choices in words (session/unit-notes.ts gives the facts): one sentence per
// value the decoder read in another unit than documented, or could not make fit in any, so a
// person sees why a pack's voltage or capacity is what it is and can tell a quirk from a fault.

import { m } from '$lib/paraglide/messages';
import { unitChoices, type UnitChoice, type UnitField, type UnitNoteSource } from '$lib/session/unit-notes';
import { NO_VALUE, formatCapacity, formatVoltage } from './format';

const FIELD: Record<UnitField, () => string> = {
  voltage: m.pack_units_field_voltage,
  current: m.pack_units_field_current,
  remaining: m.pack_units_field_remaining,
  full: m.pack_units_field_full,
  design: m.pack_units_field_design
};

function sentence(c: UnitChoice): string {
  const sum = c.cellSum_V === null ? NO_VALUE : formatVoltage(c.cellSum_V);
  const cap = c.capacities_Ah;
  const capacities = { remaining: formatCapacity(cap?.remaining), full: formatCapacity(cap?.full), design: formatCapacity(cap?.design) };
  if (c.rescaled) {
    if (c.field === 'voltage') return m.pack_units_voltage_rescaled({ unit: c.unit, documented: c.documented, sum });
    if (c.field === 'current') return m.pack_units_current_rescaled({ unit: c.unit, documented: c.documented });
    return m.pack_units_capacity_rescaled({ field: FIELD[c.field](), unit: c.unit, documented: c.documented, ...capacities });
  }
  // Nothing rescaled: the fields disagree in every unit (the decoder files capacities under 'remaining').
  if (c.field === 'voltage') return m.pack_units_voltage_mismatch({ sum });
  if (c.field === 'remaining') return m.pack_units_capacity_mismatch(capacities);
  return m.pack_units_other_mismatch({ field: FIELD[c.field]() });
}

export interface UnitNoteLine {
  field: UnitField;
  text: string;
}

/** One line per unit note of this pack's latest values; empty when every field fit its documented unit. */
export function unitNoteLines(analog: UnitNoteSource | null | undefined): UnitNoteLine[] {
  return unitChoices(analog).map((c) => ({ field: c.field, text: sentence(c) }));
}

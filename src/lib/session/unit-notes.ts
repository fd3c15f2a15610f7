// The decoder's unit choices for the pack page. Where a reply's own fields showed a unit other than
// the documented one (a pack voltage in 10 mV that only then matches the sum of its cells; a
// design capacity in 100 mAh that only then fits the full capacity), protocol/commands/units.ts
// rescales the value and says so in PackAnalog.unitNotes, in English for logs and reports. This
// turns each note into facts a page can word in the person's language; the words live in ui/.

import type { PackAnalog, UnitField, UnitNote } from '$lib/protocol/types';

export type { UnitField, UnitNote };

export interface UnitChoice {
  field: UnitField;
  /**
   * True: the value was read in `unit` instead of the documented one. False: the fields disagree
   * in every unit, and the value is shown as the pack sent it.
   */
  rescaled: boolean;
  /** The unit the value was read in, e.g. "10 mV". */
  unit: string;
  /** The unit the dialect documents for it, e.g. "1 mV". */
  documented: string;
  /** The sum of the cells (V), the check a pack voltage is read against; null when not a voltage note. */
  cellSum_V: number | null;
  /** The capacities as read (after any rescale), what a capacity note was checked against; null for other notes. */
  capacities_Ah: { remaining: number; full: number; design: number | null } | null;
  /** The decoder's own sentence (English), for a report or a tooltip. */
  detail: string;
}

/** "10 mV" read at factor 10 was documented as "1 mV". Units the decoder writes are "<number> <unit>". */
function documentedUnit(unit: string, factor: number): string {
  const m = /^(\d+(?:\.\d+)?) (\S+)$/.exec(unit);
  if (!m || !(factor > 0)) return unit;
  const base = Math.round((Number(m[1]) / factor) * 1000) / 1000;
  return `${base} ${m[2]}`;
}

export type UnitNoteSource = Pick<PackAnalog, 'unitNotes' | 'cells_mV' | 'remaining_Ah' | 'full_Ah' | 'design_Ah'>;

const CAPACITY_FIELDS: readonly UnitField[] = ['remaining', 'full', 'design'];

/** The pack's unit notes as facts, in the decoder's order. Empty when every field fits its documented unit. */
export function unitChoices(analog: UnitNoteSource | null | undefined): UnitChoice[] {
  const notes = analog?.unitNotes ?? [];
  if (notes.length === 0) return [];
  const sum_mV = analog!.cells_mV.reduce((a, b) => a + b, 0);
  return notes.map((n) => ({
    field: n.field,
    rescaled: n.factor !== 1,
    unit: n.unit,
    documented: n.factor !== 1 ? documentedUnit(n.unit, n.factor) : n.unit,
    cellSum_V: n.field === 'voltage' && sum_mV > 0 ? sum_mV / 1000 : null,
    capacities_Ah: CAPACITY_FIELDS.includes(n.field) ? { remaining: analog!.remaining_Ah, full: analog!.full_Ah, design: analog!.design_Ah } : null,
    detail: n.message
  }));
}

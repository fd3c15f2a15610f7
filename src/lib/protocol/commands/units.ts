// Real packs do not always send the units their dialect documents (reference §2.5, §5.2, §11):
// a pack voltage in 10 mV where mV is documented, a design capacity in 100 mAh beside capacities
// in 10 mAh, a "Pylontech" current in 10 mA. Where a reply's own fields can tell, the decoder
// picks the unit that makes them agree and says so in PackAnalog.unitNotes, so the pack page can
// show why. Where they cannot tell, the documented unit stands.
//
// The rules, all from fields of the same block:
// - voltage: the pack voltage is the sum of its cells (within 10 %); a factor of ten either way
//   that makes them agree is the unit.
// - capacities: only when the documented reading is off by a factor of three somewhere (remaining
//   above full, remaining/full against the reported SOC, full/design against the reported SOH or
//   100 %), each field may be off by ten from the others; readings where remaining <= full (+20 %),
//   remaining/full = SOC and full/design = SOH (or 30–150 %) are candidates, and the one that
//   changes the fewest fields wins, if it is the only one.
// - current (Pylontech only, documented 100 mA): a reading above 3 C of the module's capacity is
//   not a current a module carries; at 10 mA it is.
// A factor can also be fixed up front (DecodeOptions.unitOverrides): a unit learned from an
// earlier reply stays, so a current does not jump by ten when it drops below the 3 C test.

import type { PackAnalog, UnitField, UnitNote, UnitOverrides } from '../types';
import { roundTo } from './byte-cursor';
import { computedSocSoh } from './telemetry-values';

export type { UnitField, UnitNote, UnitOverrides } from '../types';

/** A dialect's documented units, in the smallest unit of each quantity. */
export interface DocumentedUnits {
  voltage_mV: number;
  current_mA: number;
  capacity_mAh: number;
}

/** PACE (§2.5), Pylontech (§2.5, §11.1), Seplos V2.0 (§11.2), EG4 (§11.3). */
export const DOCUMENTED_UNITS = {
  pace: { voltage_mV: 1, current_mA: 10, capacity_mAh: 10 },
  pylon: { voltage_mV: 1, current_mA: 100, capacity_mAh: 1 },
  seplos: { voltage_mV: 10, current_mA: 10, capacity_mAh: 10 },
  eg4: { voltage_mV: 10, current_mA: 10, capacity_mAh: 10 }
} as const satisfies Record<string, DocumentedUnits>;

/** The pack voltage may differ from the cells' sum by this fraction (sense wiring, MOSFET drop). */
export const VOLTAGE_SUM_TOLERANCE = 0.1;
/** Remaining capacity may exceed full capacity by this fraction before the pair is not one unit. */
const REMAINING_OVER_FULL = 1.2;
/** Full capacity as a fraction of design capacity that a pack can plausibly have. */
const FULL_OF_DESIGN: readonly [number, number] = [0.3, 1.5];
/**
 * How far off the documented reading must be before another unit is even tried: a factor of three
 * between two fields that should agree. A unit mistake is a factor of ten; a pack that reports
 * 130 Ah remaining of 100 Ah full, or an SOC a few points off its capacities, is shown as sent.
 */
const GROSS_FACTOR = 3;
/** ...and, for SOC/SOH, at least this many percentage points. */
const GROSS_POINTS = 10;
/** Design capacity (Ah) of a module this tool serves; only used to choose between readings that both fit. */
const DESIGN_AH_PLAUSIBLE: readonly [number, number] = [10, 400];
/** A current above this many C is not a module's current (LiFePO4 modules are rated 0.5–1 C, 2 C peak). */
const MAX_C_RATE = 3;
const FACTORS = [1, 10, 0.1] as const;

const FIELD_NAMES: Record<UnitField, string> = {
  voltage: 'voltage',
  current: 'current',
  remaining: 'remaining capacity',
  full: 'full capacity',
  design: 'design capacity'
};

function unitText(base: number, factor: number, unit: string): string {
  const n = roundTo(base * factor, 3);
  return `${n} ${unit}`;
}

function fieldUnit(field: UnitField, units: DocumentedUnits, factor: number): string {
  if (field === 'voltage') return unitText(units.voltage_mV, factor, 'mV');
  if (field === 'current') return unitText(units.current_mA, factor, 'mA');
  return unitText(units.capacity_mAh, factor, 'mAh');
}

/** The factor the decoder applied to a field (1 when it read the documented unit). The encoders divide by it. */
export function wireFactor(pack: Pick<PackAnalog, 'unitNotes'>, field: UnitField): number {
  return pack.unitNotes?.find((n) => n.field === field)?.factor ?? 1;
}

function fmt(v: number, decimals: number): string {
  return v.toFixed(decimals);
}

function note(pack: PackAnalog, n: UnitNote): void {
  (pack.unitNotes ??= []).push(n);
}

function scaled(v: number, factor: number): number {
  return roundTo(v * factor, 4);
}

// ---------------------------------------------------------------------------------------------

function reconcileVoltage(pack: PackAnalog, units: DocumentedUnits, override: number | undefined): void {
  const cells = pack.cells_mV;
  const v = pack.voltage_V;
  if (override !== undefined && override !== 1) {
    applyVoltage(pack, override);
    note(pack, {
      field: 'voltage',
      factor: override,
      unit: fieldUnit('voltage', units, override),
      message: `voltage read in ${fieldUnit('voltage', units, override)} units, as learned from an earlier reply`
    });
    return;
  }
  if (override === 1 || cells.length < 2 || cells.some((mV) => mV <= 0) || v <= 0) return;
  const sum_mV = cells.reduce((a, b) => a + b, 0);
  const sum_V = sum_mV / 1000;
  // Rounded from whole millivolts, so 52 805 mV reads 52.81 V, not binary-rounded 52.80.
  const sumText = (Math.round(sum_mV / 10) / 100).toFixed(2);
  const fits = (x: number) => Math.abs(x - sum_V) <= VOLTAGE_SUM_TOLERANCE * sum_V;
  if (fits(v)) return;
  const factor = FACTORS.find((f) => f !== 1 && fits(v * f));
  if (factor !== undefined) {
    applyVoltage(pack, factor);
    const unit = fieldUnit('voltage', units, factor);
    note(pack, { field: 'voltage', factor, unit, message: `voltage read in ${unit} units: cells sum to ${sumText} V` });
    return;
  }
  note(pack, {
    field: 'voltage',
    factor: 1,
    unit: fieldUnit('voltage', units, 1),
    message: `pack voltage ${fmt(v, 2)} V does not match the cells' sum ${sumText} V in any unit`
  });
}

function applyVoltage(pack: PackAnalog, factor: number): void {
  pack.voltage_V = scaled(pack.voltage_V, factor);
  if (pack.tail?.portVoltage_V !== undefined) pack.tail.portVoltage_V = scaled(pack.tail.portVoltage_V, factor);
}

// ---------------------------------------------------------------------------------------------

type CapField = 'remaining' | 'full' | 'design';
type CapFactors = Record<CapField, number>;

interface CapFacts {
  remaining: number;
  full: number;
  /** 0 = the dialect sends none. */
  design: number;
  soc: number | null;
  soh: number | null;
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(3, 0.1 * b);
}

/** Whether capacities read with these factors agree with each other and with a reported SOC/SOH. */
function capacitiesAgree(c: CapFacts, f: CapFactors): boolean {
  const r = c.remaining * f.remaining;
  const full = c.full * f.full;
  const d = c.design * f.design;
  if (full > 0) {
    if (r > full * REMAINING_OVER_FULL) return false;
    if (c.soc !== null && r > 0 && !near((100 * r) / full, c.soc)) return false;
    if (d > 0) {
      const ratio = full / d;
      if (c.soh !== null) {
        // A pack above its design capacity reports SOH 100 (clamped), not more.
        const pct = 100 * ratio;
        const clamped = c.soh >= 99 && pct >= 99 && pct <= 100 * FULL_OF_DESIGN[1];
        if (!near(pct, c.soh) && !clamped) return false;
      } else if (ratio < FULL_OF_DESIGN[0] || ratio > FULL_OF_DESIGN[1]) return false;
    }
  }
  return true;
}

function offByFactor(a: number, b: number): boolean {
  return a > GROSS_FACTOR * b || b > GROSS_FACTOR * a;
}

/** Whether the documented reading is so far off that only a unit mistake explains it. */
function grosslyOff(c: CapFacts, f: CapFactors): boolean {
  const r = c.remaining * f.remaining;
  const full = c.full * f.full;
  const d = c.design * f.design;
  if (full <= 0) return false;
  if (r > GROSS_FACTOR * full) return true;
  if (c.soc !== null && r > 0) {
    const pct = (100 * r) / full;
    if (Math.abs(pct - c.soc) > GROSS_POINTS && offByFactor(pct, Math.max(c.soc, 1))) return true;
  }
  if (d > 0) {
    const pct = (100 * full) / d;
    if (c.soh !== null) {
      // Unclamped: a pack above its design reports SOH 100, but not ten times its design.
      if (Math.abs(pct - c.soh) > GROSS_POINTS && offByFactor(pct, Math.max(c.soh, 1))) return true;
    } else if (offByFactor(pct, 100)) return true;
  }
  return false;
}

function changes(f: CapFactors): number {
  return (f.remaining !== 1 ? 1 : 0) + (f.full !== 1 ? 1 : 0) + (f.design !== 1 ? 1 : 0);
}

function reconcileCapacities(pack: PackAnalog, units: DocumentedUnits, overrides: UnitOverrides): void {
  const reported = pack.socSource === 'reported';
  const facts: CapFacts = {
    remaining: pack.remaining_Ah,
    full: pack.full_Ah,
    design: pack.design_Ah ?? 0,
    soc: reported ? pack.soc_pct : null,
    soh: reported ? pack.soh_pct : null
  };
  const fields: CapField[] = ['remaining', 'full', 'design'];
  const fixed = (k: CapField) => overrides[k] !== undefined || facts[k] === 0;
  const base: CapFactors = { remaining: overrides.remaining ?? 1, full: overrides.full ?? 1, design: overrides.design ?? 1 };
  let chosen: CapFactors | null = null;
  let why = '';
  if (!grosslyOff(facts, base)) chosen = base;
  else {
    const candidates: CapFactors[] = [];
    for (const r of fixed('remaining') ? [base.remaining] : FACTORS)
      for (const fu of fixed('full') ? [base.full] : FACTORS)
        for (const d of fixed('design') ? [base.design] : FACTORS) {
          const f = { remaining: r, full: fu, design: d };
          if (!capacitiesAgree(facts, f)) continue;
          const design_Ah = facts.design * d;
          if (design_Ah > 0 && (design_Ah < DESIGN_AH_PLAUSIBLE[0] || design_Ah > DESIGN_AH_PLAUSIBLE[1])) continue;
          candidates.push(f);
        }
    const fewest = Math.min(...candidates.map(changes));
    const best = candidates.filter((f) => changes(f) === fewest);
    if (best.length === 1) {
      chosen = best[0];
      why = capacityReason(facts, chosen);
    } else {
      const msg =
        best.length === 0
          ? `remaining ${fmt(facts.remaining, 2)} Ah, full ${fmt(facts.full, 2)} Ah` +
            (facts.design > 0 ? ` and design ${fmt(facts.design, 2)} Ah` : '') +
            (facts.soc !== null ? ` with SOC ${facts.soc} %` : '') +
            ' do not agree in any unit'
          : `remaining ${fmt(facts.remaining, 2)} Ah and full ${fmt(facts.full, 2)} Ah disagree, and more than one unit would explain it`;
      note(pack, { field: 'remaining', factor: 1, unit: fieldUnit('remaining', units, 1), message: msg });
      chosen = base;
    }
  }
  for (const k of fields) {
    const factor = chosen[k];
    if (factor === 1) continue;
    const unit = fieldUnit(k, units, factor);
    const learned = overrides[k] !== undefined;
    if (k === 'remaining') pack.remaining_Ah = scaled(pack.remaining_Ah, factor);
    else if (k === 'full') pack.full_Ah = scaled(pack.full_Ah, factor);
    else if (pack.design_Ah !== null) pack.design_Ah = scaled(pack.design_Ah, factor);
    const reason = learned ? 'as learned from an earlier reply' : why;
    note(pack, { field: k, factor, unit, message: `${FIELD_NAMES[k]} read in ${unit} units: ${reason}` });
  }
  // A computed SOC/SOH follows the capacities it was computed from.
  if (pack.socSource === 'computed' && fields.some((k) => chosen[k] !== 1)) {
    const c = computedSocSoh(pack.remaining_Ah, pack.full_Ah, pack.design_Ah ?? 0);
    pack.soc_pct = c.soc_pct;
    pack.soh_pct = c.soh_pct;
  }
}

/** The sentence that says which other fields the chosen reading agrees with. */
function capacityReason(c: CapFacts, f: CapFactors): string {
  const r = c.remaining * f.remaining;
  const full = c.full * f.full;
  const d = c.design * f.design;
  const parts: string[] = [];
  if (c.soc !== null && r > 0) parts.push(`SOC ${c.soc} % fits ${fmt(r, 2)} of ${fmt(full, 2)} Ah`);
  else if (f.remaining !== 1 || f.full !== 1) parts.push(`then ${fmt(r, 2)} Ah remain of ${fmt(full, 2)} Ah full`);
  if (d > 0) {
    const pct = Math.round((100 * full) / d);
    parts.push(
      c.soh !== null
        ? `SOH ${c.soh} % fits ${fmt(full, 2)} of ${fmt(d, 2)} Ah design`
        : `full capacity ${fmt(full, 2)} Ah is ${pct} % of ${fmt(d, 2)} Ah design`
    );
  }
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------

function reconcileCurrent(pack: PackAnalog, units: DocumentedUnits, override: number | undefined): void {
  if (override !== undefined) {
    if (override === 1) return;
    applyCurrent(pack, override);
    const unit = fieldUnit('current', units, override);
    note(pack, { field: 'current', factor: override, unit, message: `current read in ${unit} units, as learned from an earlier reply` });
    return;
  }
  // Only a dialect documented in 100 mA can be told apart this way: a 10 mA pack read at 100 mA
  // shows ten times its current, which above 3 C no module carries.
  if (units.current_mA !== 100) return;
  const capacity_Ah = Math.max(pack.full_Ah, pack.design_Ah ?? 0);
  if (capacity_Ah <= 0) return;
  const cRate = Math.abs(pack.current_A) / capacity_Ah;
  if (cRate <= MAX_C_RATE || cRate / 10 > MAX_C_RATE) return;
  const shown = pack.current_A;
  applyCurrent(pack, 0.1);
  const unit = fieldUnit('current', units, 0.1);
  note(pack, {
    field: 'current',
    factor: 0.1,
    unit,
    message: `current read in ${unit} units: ${fmt(Math.abs(shown), 1)} A would be ${fmt(cRate, 1)} C of a ${fmt(capacity_Ah, 2)} Ah module`
  });
}

function applyCurrent(pack: PackAnalog, factor: number): void {
  pack.current_A = scaled(pack.current_A, factor);
  if (pack.tail?.portCurrent_A !== undefined) pack.tail.portCurrent_A = scaled(pack.tail.portCurrent_A, factor);
}

// ---------------------------------------------------------------------------------------------

/**
 * Check a freshly decoded block against itself and rescale what only fits at another unit. Adds
 * `unitNotes` (only when something was rescaled or does not fit). Empty blocks are left alone.
 */
export function reconcileUnits(pack: PackAnalog, units: DocumentedUnits, overrides: UnitOverrides = {}): PackAnalog {
  if (pack.empty) return pack;
  reconcileVoltage(pack, units, overrides.voltage);
  reconcileCapacities(pack, units, overrides);
  reconcileCurrent(pack, units, overrides.current);
  return pack;
}

/**
 * The unit overrides to keep for the next replies of the same bank, from a reply's notes. Only the
 * current is learned: its test works in one direction and only at high current, so without
 * remembering it a current would jump by ten when it drops below 3 C. Voltage and capacities are
 * tested on every reply from fields that are always there.
 */
export function learnedUnits(packs: readonly Pick<PackAnalog, 'unitNotes'>[]): UnitOverrides {
  for (const p of packs) for (const n of p.unitNotes ?? []) if (n.field === 'current' && n.factor !== 1) return { current: n.factor };
  return {};
}

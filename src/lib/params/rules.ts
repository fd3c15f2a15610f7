// Validation of a set of parameter values: each value against its own type, range and step, then
// the rules between values. Every violation names its rule and the params involved, and says in a
// sentence what is wrong and why, with both values and their units.
//
// Rules between values:
// - within a protection: alarm before protect ("level 1 warns before level 2 acts"), release on the
//   safe side of the alarm and of the protect threshold;
// - windows: under-limits below over-limits (cell, pack, ambient, charge and discharge temperature);
// - the charge temperature window inside the discharge window (LiFePO4 tolerates charging in a
//   narrower range than discharging);
// - pack thresholds consistent with cell thresholds × cell count: a pack limit may be looser than
//   the cell limits (a backstop, as in the factory settings, where they are equal), but not
//   stricter by more than 5 %, or the pack cuts off while every cell is still inside its own
//   limits. A 16S setting on a 15S pack trips the under-voltage side, a 15S setting on a 16S pack
//   the over-voltage side, so both mistakes are caught, while lowering only the cell limit stays
//   allowed;
// - the levels between groups (OC2 beyond OC1, balancing and full charge before over-voltage,
//   limiter before charge over-current, sleep above under-voltage protection);
// - timed storage: the start before the end.

import { PARAMS, type ParamMeta, type ParamValue, type ParamValues } from './model';
import { formatParamValue, parseParamDateTime } from './values';

export type ViolationKind = 'unknown' | 'type' | 'range' | 'step' | 'relation' | 'consistency';

export interface Violation {
  /** Stable rule name, e.g. "cellOverVoltage.alarm-before-protect", "range", "pack-ov-protect-matches-cells". */
  rule: string;
  kind: ViolationKind;
  /** Param ids involved; the first is the one the message is about. */
  params: string[];
  /** In English, for logs, profiles and tests. */
  message: string;
  /** The same for the page to word in the user's language; absent where only English exists. */
  words?: ViolationWords;
}

/** Messages params_rule_<code>; `relation` and `reason` values are codes of their own (params_rule_rel_*, params_rule_reason_*). */
export type ViolationCode =
  | 'unknown'
  | 'boolean'
  | 'datetime_format'
  | 'not_calendar'
  | 'year_range'
  | 'number'
  | 'range'
  | 'step'
  | 'relation'
  | 'consistency_over'
  | 'consistency_under'
  | 'storage_order'
  | 'enter_datetime'
  | 'enter_number'
  | 'enter_number_in';

export interface ViolationWords {
  code: ViolationCode;
  /** Labels and values exactly as the English message shows them (units included). */
  values: Record<string, string>;
}

export interface ValidationContext {
  /** Cells in series of the pack (from its 42H reply); the pack-vs-cell rules need it. */
  cellCount?: number;
}

export type Relation = '<' | '<=' | '>' | '>=';

/** Why a relation rule exists, in English; messages params_rule_reason_<key> say it in each language. */
export const RELATION_REASONS = {
  warn_first: 'otherwise the pack cuts off before it has warned',
  clear_as_trips: 'otherwise the protection would clear as soon as it trips',
  release_fallen: 'the protection clears only once the value has fallen back past the release point',
  release_risen: 'the protection clears only once the value has risen back past the release point',
  cell_window: 'the cell voltage window would be empty',
  pack_window: 'the pack voltage window would be empty',
  ambient_window: 'the ambient temperature window would be empty',
  charge_window: 'the charging temperature window would be empty',
  discharge_window: 'the discharging temperature window would be empty',
  charge_narrower: 'cells may be charged in a narrower temperature range than discharged, never a wider one',
  cold_charge: 'charging a cold LiFePO4 cell plates lithium: the charge limit must not be colder than the discharge limit',
  oc2_fast_trip: 'level 2 is the fast trip for currents beyond level 1',
  balance_before_ov: 'cells must start balancing before over-voltage protection stops the charge',
  full_before_ov: 'otherwise the pack trips on over-voltage before it ever counts as full',
  limiter_before_oc: 'the limiter has to engage before charge over-current protection trips',
  sleep_before_uv: 'the pack should go to sleep before under-voltage protection cuts it off'
} as const;
export type RelationReason = keyof typeof RELATION_REASONS;

interface RelationRule {
  id: string;
  param: string;
  relation: Relation;
  other: string;
  /** Why; validate() adds both values. */
  reason: RelationReason;
}

interface ConsistencyRule {
  id: string;
  /** The pack-level param. */
  pack: string;
  /** The cell-level param it is compared with × cell count. */
  cell: string;
  /** 'over': the pack value must not be below cells × count; 'under': not above it. */
  side: 'over' | 'under';
}

const RELATION_WORDS: Record<Relation, string> = { '<': 'below', '<=': 'at or below', '>': 'above', '>=': 'at or above' };
/** Messages params_rule_rel_<code>. */
export const RELATION_CODES = { '<': 'below', '<=': 'at_or_below', '>': 'above', '>=': 'at_or_above' } as const satisfies Record<Relation, string>;

/** How much stricter than cell thresholds × cell count a pack threshold may be (fraction). */
export const PACK_CELL_TOLERANCE = 0.05;

function rel(id: string, param: string, relation: Relation, other: string, reason: RelationReason): RelationRule {
  return { id, param, relation, other, reason };
}

const WARN_FIRST: RelationReason = 'warn_first';
const CLEAR_AS_TRIPS: RelationReason = 'clear_as_trips';

/** Over-limit protection: alarm <= protect; release below the alarm (strict for voltages) and below protect. */
function overRules(g: string, prefix: string, alarm: string, protect: string, release: string | null, strictRelease: boolean): RelationRule[] {
  const id = (name: string) => `${g}.${prefix}${name}`;
  const rules = [rel(id('alarm-before-protect'), `${g}.${alarm}`, '<=', `${g}.${protect}`, WARN_FIRST)];
  if (release) {
    rules.push(
      rel(id('release-past-alarm'), `${g}.${release}`, strictRelease ? '<' : '<=', `${g}.${alarm}`, 'release_fallen'),
      rel(id('release-safe-side'), `${g}.${release}`, '<', `${g}.${protect}`, CLEAR_AS_TRIPS)
    );
  }
  return rules;
}

/** Under-limit protection: alarm >= protect; release above the alarm and above protect. */
function underRules(g: string, prefix: string, alarm: string, protect: string, release: string, strictRelease: boolean): RelationRule[] {
  const id = (name: string) => `${g}.${prefix}${name}`;
  return [
    rel(id('alarm-before-protect'), `${g}.${alarm}`, '>=', `${g}.${protect}`, WARN_FIRST),
    rel(id('release-past-alarm'), `${g}.${release}`, strictRelease ? '>' : '>=', `${g}.${alarm}`, 'release_risen'),
    rel(id('release-safe-side'), `${g}.${release}`, '>', `${g}.${protect}`, CLEAR_AS_TRIPS)
  ];
}

export const RELATION_RULES: readonly RelationRule[] = [
  ...overRules('cellOverVoltage', '', 'alarm_mV', 'protect_mV', 'release_mV', true),
  ...underRules('cellUnderVoltage', '', 'alarm_mV', 'protect_mV', 'release_mV', true),
  ...overRules('packOverVoltage', '', 'alarm_mV', 'protect_mV', 'release_mV', true),
  ...underRules('packUnderVoltage', '', 'alarm_mV', 'protect_mV', 'release_mV', true),
  ...overRules('chargeOverCurrent', '', 'alarm_A', 'protect_A', null, false),
  ...overRules('dischargeOverCurrent1', '', 'alarm_A', 'protect_A', null, false),
  ...overRules('cellHighTemperature', 'charge.', 'chargeAlarm_C', 'chargeProtect_C', 'chargeRelease_C', false),
  ...overRules('cellHighTemperature', 'discharge.', 'dischargeAlarm_C', 'dischargeProtect_C', 'dischargeRelease_C', false),
  ...underRules('cellLowTemperature', 'charge.', 'chargeAlarm_C', 'chargeProtect_C', 'chargeRelease_C', false),
  ...underRules('cellLowTemperature', 'discharge.', 'dischargeAlarm_C', 'dischargeProtect_C', 'dischargeRelease_C', false),
  ...overRules('mosTemperature', '', 'alarm_C', 'protect_C', 'release_C', false),
  ...underRules('ambientTemperature', 'low.', 'lowAlarm_C', 'lowProtect_C', 'lowRelease_C', false),
  ...overRules('ambientTemperature', 'high.', 'highAlarm_C', 'highProtect_C', 'highRelease_C', false),
  // windows
  rel('cell-voltage-window', 'cellUnderVoltage.protect_mV', '<', 'cellOverVoltage.protect_mV', 'cell_window'),
  rel('pack-voltage-window', 'packUnderVoltage.protect_mV', '<', 'packOverVoltage.protect_mV', 'pack_window'),
  rel('ambient-window', 'ambientTemperature.lowProtect_C', '<', 'ambientTemperature.highProtect_C', 'ambient_window'),
  rel('charge-temperature-window', 'cellLowTemperature.chargeProtect_C', '<', 'cellHighTemperature.chargeProtect_C', 'charge_window'),
  rel('discharge-temperature-window', 'cellLowTemperature.dischargeProtect_C', '<', 'cellHighTemperature.dischargeProtect_C', 'discharge_window'),
  // charge window inside the discharge window
  rel('charge-high-inside-discharge', 'cellHighTemperature.chargeProtect_C', '<=', 'cellHighTemperature.dischargeProtect_C', 'charge_narrower'),
  rel('charge-high-alarm-inside-discharge', 'cellHighTemperature.chargeAlarm_C', '<=', 'cellHighTemperature.dischargeAlarm_C', 'charge_narrower'),
  rel('charge-low-inside-discharge', 'cellLowTemperature.chargeProtect_C', '>=', 'cellLowTemperature.dischargeProtect_C', 'cold_charge'),
  rel('charge-low-alarm-inside-discharge', 'cellLowTemperature.chargeAlarm_C', '>=', 'cellLowTemperature.dischargeAlarm_C', 'cold_charge'),
  // between groups
  rel('oc2-beyond-oc1-discharge', 'overCurrent2.discharge_A', '>', 'dischargeOverCurrent1.protect_A', 'oc2_fast_trip'),
  rel('oc2-beyond-oc1-charge', 'overCurrent2.charge_A', '>', 'chargeOverCurrent.protect_A', 'oc2_fast_trip'),
  rel('balance-below-cell-ov', 'balance.startVoltage_mV', '<', 'cellOverVoltage.protect_mV', 'balance_before_ov'),
  rel('full-charge-below-pack-ov', 'fullCharge.fullChargeVoltage_mV', '<', 'packOverVoltage.protect_mV', 'full_before_ov'),
  rel('limiter-below-charge-oc', 'limiter.startCurrent_A', '<', 'chargeOverCurrent.protect_A', 'limiter_before_oc'),
  rel('sleep-above-cell-uv', 'sleep.cellVoltage_mV', '>', 'cellUnderVoltage.protect_mV', 'sleep_before_uv')
];

export const CONSISTENCY_RULES: readonly ConsistencyRule[] = [
  { id: 'pack-ov-alarm-matches-cells', pack: 'packOverVoltage.alarm_mV', cell: 'cellOverVoltage.alarm_mV', side: 'over' },
  { id: 'pack-ov-protect-matches-cells', pack: 'packOverVoltage.protect_mV', cell: 'cellOverVoltage.protect_mV', side: 'over' },
  { id: 'pack-ov-release-matches-cells', pack: 'packOverVoltage.release_mV', cell: 'cellOverVoltage.release_mV', side: 'over' },
  { id: 'pack-uv-alarm-matches-cells', pack: 'packUnderVoltage.alarm_mV', cell: 'cellUnderVoltage.alarm_mV', side: 'under' },
  { id: 'pack-uv-protect-matches-cells', pack: 'packUnderVoltage.protect_mV', cell: 'cellUnderVoltage.protect_mV', side: 'under' },
  { id: 'pack-uv-release-matches-cells', pack: 'packUnderVoltage.release_mV', cell: 'cellUnderVoltage.release_mV', side: 'under' }
];

/** Every rule name validate() can report besides unknown/type/range/step. */
export function ruleIds(): string[] {
  return [...RELATION_RULES.map((r) => r.id), ...CONSISTENCY_RULES.map((r) => r.id), 'storage-window-order'];
}

function compare(a: number, r: Relation, b: number): boolean {
  switch (r) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

const fmt = formatParamValue;

/** Check one value against its own type, range and step; null when fine. */
export function checkParam(m: ParamMeta, v: ParamValue): Violation | null {
  const one = (kind: ViolationKind, code: ViolationCode, values: Record<string, string>, message: string): Violation => ({
    rule: kind,
    kind,
    params: [m.id],
    message,
    words: { code, values: { label: m.label, ...values } }
  });
  if (m.type === 'boolean') return typeof v === 'boolean' ? null : one('type', 'boolean', {}, `${m.label} must be on or off.`);
  if (m.type === 'datetime') {
    const t = typeof v === 'string' ? parseParamDateTime(v) : null;
    if (!t) return one('type', 'datetime_format', {}, `${m.label} must be a date and time written YYYY-MM-DD hh:mm:ss.`);
    const d = new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));
    const real =
      d.getUTCFullYear() === t.year && d.getUTCMonth() === t.month - 1 && d.getUTCDate() === t.day && t.hour < 24 && t.minute < 60 && t.second < 60;
    const value = String(v);
    if (!real) return one('range', 'not_calendar', { value }, `${m.label} ${value} is not a real calendar time.`);
    if (t.year < 2000 || t.year > 2099)
      return one(
        'range',
        'year_range',
        { value },
        `${m.label} must be between 2000 and 2099 (the pack stores the year in one byte); you entered ${value}.`
      );
    return null;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return one('type', 'number', {}, `${m.label} must be a number.`);
  if (v < m.min || v > m.max) {
    const [min, max, value] = [fmt(m, m.min), fmt(m, m.max), fmt(m, v)];
    return one('range', 'range', { min, max, value }, `${m.label} must be between ${min} and ${max}; you entered ${value}.`);
  }
  const steps = v / m.step;
  if (Math.abs(steps - Math.round(steps)) > 1e-6) {
    const [step, value] = [fmt(m, m.step), fmt(m, v)];
    return one(
      'step',
      'step',
      { step, value },
      `${m.label} must be a multiple of ${step} (the pack stores it in steps of ${step}); you entered ${value}.`
    );
  }
  return null;
}

/**
 * Every violation in `values` (by param id): type, range and step of each value, then each rule
 * whose params are all present and individually valid. Unknown ids are reported too.
 */
export function validate(values: ParamValues, ctx: ValidationContext = {}): Violation[] {
  const out: Violation[] = [];
  const ok = new Set<string>();
  for (const [id, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const m = PARAMS.get(id);
    if (!m) {
      out.push({ rule: 'unknown', kind: 'unknown', params: [id], message: `Unknown parameter "${id}".`, words: { code: 'unknown', values: { id } } });
      continue;
    }
    const issue = checkParam(m, v);
    if (issue) out.push(issue);
    else ok.add(id);
  }
  for (const r of RELATION_RULES) {
    if (!ok.has(r.param) || !ok.has(r.other)) continue;
    const a = values[r.param] as number;
    const b = values[r.other] as number;
    if (compare(a, r.relation, b)) continue;
    const ma = PARAMS.get(r.param)!;
    const mb = PARAMS.get(r.other)!;
    const shown = { a: ma.label, a_value: fmt(ma, a), b: mb.label, b_value: fmt(mb, b) };
    out.push({
      rule: r.id,
      kind: 'relation',
      params: [r.param, r.other],
      message: `${shown.a} (${shown.a_value}) must be ${RELATION_WORDS[r.relation]} ${shown.b} (${shown.b_value}): ${RELATION_REASONS[r.reason]}.`,
      words: { code: 'relation', values: { ...shown, relation: RELATION_CODES[r.relation], reason: r.reason } }
    });
  }
  const n = ctx.cellCount;
  if (n !== undefined && Number.isInteger(n) && n > 0) {
    for (const r of CONSISTENCY_RULES) {
      if (!ok.has(r.pack) || !ok.has(r.cell)) continue;
      const packValue = values[r.pack] as number;
      const cells = (values[r.cell] as number) * n;
      const limit = r.side === 'over' ? cells * (1 - PACK_CELL_TOLERANCE) : cells * (1 + PACK_CELL_TOLERANCE);
      if (r.side === 'over' ? packValue >= limit : packValue <= limit) continue;
      const mp = PARAMS.get(r.pack)!;
      const mc = PARAMS.get(r.cell)!;
      const pct = Math.round(PACK_CELL_TOLERANCE * 100);
      const stricter = r.side === 'over' ? 'below' : 'above';
      const shown = { pack: mp.label, pack_value: fmt(mp, packValue), pct: String(pct), cell: mc.label, n: String(n), cells_value: fmt(mp, cells) };
      out.push({
        rule: r.id,
        kind: 'consistency',
        params: [r.pack, r.cell],
        message:
          `${shown.pack} (${shown.pack_value}) is more than ${shown.pct} % ${stricter} ${shown.cell} × ${shown.n} cells (${shown.cells_value}): ` +
          `the pack would cut off while every cell is still inside its own limit. Was it set for a pack with another cell count?`,
        words: { code: r.side === 'over' ? 'consistency_over' : 'consistency_under', values: shown }
      });
    }
  }
  const start = values['storageStart.time'];
  const end = values['storageEnd.time'];
  const interval = values['storageInterval.interval_min'];
  if (ok.has('storageStart.time') && ok.has('storageEnd.time') && (interval === undefined || interval !== 0) && String(start) >= String(end)) {
    out.push({
      rule: 'storage-window-order',
      kind: 'relation',
      params: ['storageEnd.time', 'storageStart.time'],
      message: `Timed Storage End Time (${String(end)}) must be after Timed Storage Start Time (${String(start)}): otherwise nothing is ever stored.`,
      words: { code: 'storage_order', values: { end: String(end), start: String(start) } }
    });
  }
  return out;
}

/** Violations grouped by param id (each violation under every param it involves), for field display. */
export function violationsByParam(violations: readonly Violation[]): Record<string, Violation[]> {
  const out: Record<string, Violation[]> = {};
  for (const v of violations) for (const id of v.params) (out[id] ??= []).push(v);
  return out;
}

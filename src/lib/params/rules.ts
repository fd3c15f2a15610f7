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
  message: string;
}

export interface ValidationContext {
  /** Cells in series of the pack (from its 42H reply); the pack-vs-cell rules need it. */
  cellCount?: number;
}

export type Relation = '<' | '<=' | '>' | '>=';

interface RelationRule {
  id: string;
  param: string;
  relation: Relation;
  other: string;
  /** Why, in words; validate() adds both values. */
  reason: string;
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

/** How much stricter than cell thresholds × cell count a pack threshold may be (fraction). */
export const PACK_CELL_TOLERANCE = 0.05;

function rel(id: string, param: string, relation: Relation, other: string, reason: string): RelationRule {
  return { id, param, relation, other, reason };
}

const WARN_FIRST = 'otherwise the pack cuts off before it has warned';
const CLEAR_AS_TRIPS = 'otherwise the protection would clear as soon as it trips';

/** Over-limit protection: alarm <= protect; release below the alarm (strict for voltages) and below protect. */
function overRules(g: string, prefix: string, alarm: string, protect: string, release: string | null, strictRelease: boolean): RelationRule[] {
  const id = (name: string) => `${g}.${prefix}${name}`;
  const rules = [rel(id('alarm-before-protect'), `${g}.${alarm}`, '<=', `${g}.${protect}`, WARN_FIRST)];
  if (release) {
    rules.push(
      rel(
        id('release-past-alarm'),
        `${g}.${release}`,
        strictRelease ? '<' : '<=',
        `${g}.${alarm}`,
        'the protection clears only once the value has fallen back past the release point'
      ),
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
    rel(
      id('release-past-alarm'),
      `${g}.${release}`,
      strictRelease ? '>' : '>=',
      `${g}.${alarm}`,
      'the protection clears only once the value has risen back past the release point'
    ),
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
  rel('cell-voltage-window', 'cellUnderVoltage.protect_mV', '<', 'cellOverVoltage.protect_mV', 'the cell voltage window would be empty'),
  rel('pack-voltage-window', 'packUnderVoltage.protect_mV', '<', 'packOverVoltage.protect_mV', 'the pack voltage window would be empty'),
  rel('ambient-window', 'ambientTemperature.lowProtect_C', '<', 'ambientTemperature.highProtect_C', 'the ambient temperature window would be empty'),
  rel(
    'charge-temperature-window',
    'cellLowTemperature.chargeProtect_C',
    '<',
    'cellHighTemperature.chargeProtect_C',
    'the charging temperature window would be empty'
  ),
  rel(
    'discharge-temperature-window',
    'cellLowTemperature.dischargeProtect_C',
    '<',
    'cellHighTemperature.dischargeProtect_C',
    'the discharging temperature window would be empty'
  ),
  // charge window inside the discharge window
  rel(
    'charge-high-inside-discharge',
    'cellHighTemperature.chargeProtect_C',
    '<=',
    'cellHighTemperature.dischargeProtect_C',
    'cells may be charged in a narrower temperature range than discharged, never a wider one'
  ),
  rel(
    'charge-high-alarm-inside-discharge',
    'cellHighTemperature.chargeAlarm_C',
    '<=',
    'cellHighTemperature.dischargeAlarm_C',
    'cells may be charged in a narrower temperature range than discharged, never a wider one'
  ),
  rel(
    'charge-low-inside-discharge',
    'cellLowTemperature.chargeProtect_C',
    '>=',
    'cellLowTemperature.dischargeProtect_C',
    'charging a cold LiFePO4 cell plates lithium: the charge limit must not be colder than the discharge limit'
  ),
  rel(
    'charge-low-alarm-inside-discharge',
    'cellLowTemperature.chargeAlarm_C',
    '>=',
    'cellLowTemperature.dischargeAlarm_C',
    'charging a cold LiFePO4 cell plates lithium: the charge limit must not be colder than the discharge limit'
  ),
  // between groups
  rel(
    'oc2-beyond-oc1-discharge',
    'overCurrent2.discharge_A',
    '>',
    'dischargeOverCurrent1.protect_A',
    'level 2 is the fast trip for currents beyond level 1'
  ),
  rel('oc2-beyond-oc1-charge', 'overCurrent2.charge_A', '>', 'chargeOverCurrent.protect_A', 'level 2 is the fast trip for currents beyond level 1'),
  rel(
    'balance-below-cell-ov',
    'balance.startVoltage_mV',
    '<',
    'cellOverVoltage.protect_mV',
    'cells must start balancing before over-voltage protection stops the charge'
  ),
  rel(
    'full-charge-below-pack-ov',
    'fullCharge.fullChargeVoltage_mV',
    '<',
    'packOverVoltage.protect_mV',
    'otherwise the pack trips on over-voltage before it ever counts as full'
  ),
  rel(
    'limiter-below-charge-oc',
    'limiter.startCurrent_A',
    '<',
    'chargeOverCurrent.protect_A',
    'the limiter has to engage before charge over-current protection trips'
  ),
  rel(
    'sleep-above-cell-uv',
    'sleep.cellVoltage_mV',
    '>',
    'cellUnderVoltage.protect_mV',
    'the pack should go to sleep before under-voltage protection cuts it off'
  )
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
  const one = (kind: ViolationKind, message: string): Violation => ({ rule: kind, kind, params: [m.id], message });
  if (m.type === 'boolean') return typeof v === 'boolean' ? null : one('type', `${m.label} must be on or off.`);
  if (m.type === 'datetime') {
    const t = typeof v === 'string' ? parseParamDateTime(v) : null;
    if (!t) return one('type', `${m.label} must be a date and time written YYYY-MM-DD hh:mm:ss.`);
    const d = new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));
    const real =
      d.getUTCFullYear() === t.year && d.getUTCMonth() === t.month - 1 && d.getUTCDate() === t.day && t.hour < 24 && t.minute < 60 && t.second < 60;
    if (!real) return one('range', `${m.label} ${v} is not a real calendar time.`);
    if (t.year < 2000 || t.year > 2099)
      return one('range', `${m.label} must be between 2000 and 2099 (the pack stores the year in one byte); you entered ${v}.`);
    return null;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return one('type', `${m.label} must be a number.`);
  if (v < m.min || v > m.max) return one('range', `${m.label} must be between ${fmt(m, m.min)} and ${fmt(m, m.max)}; you entered ${fmt(m, v)}.`);
  const steps = v / m.step;
  if (Math.abs(steps - Math.round(steps)) > 1e-6) {
    return one(
      'step',
      `${m.label} must be a multiple of ${fmt(m, m.step)} (the pack stores it in steps of ${fmt(m, m.step)}); you entered ${fmt(m, v)}.`
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
      out.push({ rule: 'unknown', kind: 'unknown', params: [id], message: `Unknown parameter "${id}".` });
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
    out.push({
      rule: r.id,
      kind: 'relation',
      params: [r.param, r.other],
      message: `${ma.label} (${fmt(ma, a)}) must be ${RELATION_WORDS[r.relation]} ${mb.label} (${fmt(mb, b)}): ${r.reason}.`
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
      out.push({
        rule: r.id,
        kind: 'consistency',
        params: [r.pack, r.cell],
        message:
          `${mp.label} (${fmt(mp, packValue)}) is more than ${pct} % ${stricter} ${mc.label} × ${n} cells (${fmt(mp, cells)}): ` +
          `the pack would cut off while every cell is still inside its own limit. Was it set for a pack with another cell count?`
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
      message: `Timed Storage End Time (${String(end)}) must be after Timed Storage Start Time (${String(start)}): otherwise nothing is ever stored.`
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

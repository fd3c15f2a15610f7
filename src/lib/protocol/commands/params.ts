// Metadata for every parameter the parameter editor shows (the PbmsTools "Parameter Setting" and
// "System Configuration" values that can be read back): label, unit, wire scale, range, step,
// the default seen in the captures, plus the cross-field rules between them, and validate()
// which turns a set of values into messages a person can act on. Ranges come from the codec
// modules (one source of truth: what validate() accepts, encodeRequest() accepts).

import type { AnyCommand } from '../command';
import { balanceLayout, readBalance, setBalance } from './balance';
import { FULL_CHARGE_SPECS, readFullCharge, setFullCharge } from './fullcharge';
import { limiterLayout, readLimiter, setLimiter } from './limiter';
import type { FieldSpec, Layout } from './payload';
import {
  ambientTemperatureLayout,
  cellHighTemperatureLayout,
  cellLowTemperatureLayout,
  cellOverVoltageLayout,
  cellUnderVoltageLayout,
  chargeOverCurrentLayout,
  dischargeOverCurrent1Layout,
  mosTemperatureLayout,
  OC2_SPECS,
  packOverVoltageLayout,
  packUnderVoltageLayout,
  readAmbientTemperature,
  readCellHighTemperature,
  readCellLowTemperature,
  readCellOverVoltage,
  readCellUnderVoltage,
  readChargeOverCurrent,
  readDischargeOverCurrent1,
  readMosTemperature,
  readOverCurrent2,
  readPackOverVoltage,
  readPackUnderVoltage,
  readShortCircuit,
  setAmbientTemperature,
  setCellHighTemperature,
  setCellLowTemperature,
  setCellOverVoltage,
  setCellUnderVoltage,
  setChargeOverCurrent,
  setDischargeOverCurrent1,
  setMosTemperature,
  setOverCurrent2,
  setPackOverVoltage,
  setPackUnderVoltage,
  setShortCircuit,
  SHORT_CIRCUIT_SPEC
} from './protection';
import { readSleep, setSleep, sleepLayout } from './sleep';

export type ParamGroupId =
  | 'cellOverVoltage'
  | 'cellUnderVoltage'
  | 'packOverVoltage'
  | 'packUnderVoltage'
  | 'chargeOverCurrent'
  | 'dischargeOverCurrent1'
  | 'overCurrent2'
  | 'shortCircuit'
  | 'cellHighTemperature'
  | 'cellLowTemperature'
  | 'mosTemperature'
  | 'ambientTemperature'
  | 'balance'
  | 'sleep'
  | 'fullCharge'
  | 'limiter';

/** How a value is best shown when the vendor tool shows another unit (mV shown as V). */
export interface ParamDisplay {
  unit: string;
  /** shown = value × factor */
  factor: number;
  decimals: number;
}

export interface ParamMeta {
  /** `${group}.${field}`, e.g. "cellOverVoltage.alarm_mV". */
  id: string;
  group: ParamGroupId;
  /** Property in the group's typed value. */
  field: string;
  readCid2: number;
  writeCid2: number;
  /** What PbmsTools (or, where it has none, the V3.1 document) calls it. */
  label: string;
  type: 'number' | 'boolean';
  /** Unit of the value ("" for booleans). */
  unit: string;
  /** One wire count in `unit` (e.g. 100 for a ×100 ms delay, 0.1 for °C); 1 for booleans. */
  scale: number;
  /** Range and step for numbers (for booleans 0..1, step 1). */
  min: number;
  max: number;
  step: number;
  /** The increment PbmsTools offers, for spinners. */
  vendorStep?: number;
  /** The value in the PbmsTools captures of a 16S 100 Ah pack (reference §8). */
  default: number | boolean;
  /** False for values read back but never written by this tool. */
  writable: boolean;
  display?: ParamDisplay;
  /** One line on what it does, for the editor's help text. */
  help?: string;
}

export interface ParamGroup {
  id: ParamGroupId;
  title: string;
  read: AnyCommand;
  write: AnyCommand;
  params: readonly ParamMeta[];
}

export type ParamValue = number | boolean;
/** Values by param id; absent ids are simply not checked. */
export type ParamValues = Readonly<Record<string, ParamValue | undefined>>;

const VOLTS: ParamDisplay = { unit: 'V', factor: 0.001, decimals: 3 };

interface FieldDef {
  field: string;
  label: string;
  default: ParamValue;
  writable?: boolean;
  display?: ParamDisplay;
  help?: string;
  /** Required for fields not in a layout. */
  spec?: FieldSpec;
}

function group(id: ParamGroupId, title: string, read: AnyCommand, write: AnyCommand, l: Layout<unknown> | null, defs: FieldDef[]): ParamGroup {
  const params = defs.map((d): ParamMeta => {
    const base = {
      id: `${id}.${d.field}`,
      group: id,
      field: d.field,
      readCid2: read.cid2,
      writeCid2: write.cid2,
      label: d.label,
      default: d.default,
      writable: d.writable ?? true
    };
    const extra = { ...(d.display ? { display: d.display } : {}), ...(d.help ? { help: d.help } : {}) };
    if (typeof d.default === 'boolean') return { ...base, ...extra, type: 'boolean', unit: '', scale: 1, min: 0, max: 1, step: 1 };
    const spec = d.spec ?? l?.specs[d.field];
    if (!spec) throw new Error(`params: no range for ${id}.${d.field}`);
    return {
      ...base,
      ...extra,
      type: 'number',
      unit: spec.unit,
      scale: spec.step,
      min: spec.min,
      max: spec.max,
      step: spec.step,
      ...(spec.vendorStep !== undefined ? { vendorStep: spec.vendorStep } : {})
    };
  });
  return { id, title, read, write, params };
}

const ENABLED_HELP = 'Function-control byte: when off, the pack ignores this protection.';

function voltageGroup(
  id: ParamGroupId,
  title: string,
  short: string,
  read: AnyCommand,
  write: AnyCommand,
  l: Layout<unknown>,
  d: [number, number, number]
): ParamGroup {
  return group(id, title, read, write, l, [
    { field: 'enabled', label: `${short} protection enable`, default: true, help: ENABLED_HELP },
    { field: 'alarm_mV', label: `${short} Alarm`, default: d[0], display: VOLTS },
    { field: 'protect_mV', label: `${short} Protect`, default: d[1], display: VOLTS },
    { field: 'release_mV', label: `${short}P Release`, default: d[2], display: VOLTS },
    { field: 'delay_ms', label: `${short}P Delay Time`, default: 1000 }
  ]);
}

export const PARAM_GROUPS: readonly ParamGroup[] = [
  voltageGroup(
    'cellOverVoltage',
    'Cell over-voltage',
    'Cell OV',
    readCellOverVoltage,
    setCellOverVoltage,
    cellOverVoltageLayout as Layout<unknown>,
    [3600, 3700, 3380]
  ),
  voltageGroup(
    'cellUnderVoltage',
    'Cell under-voltage',
    'Cell UV',
    readCellUnderVoltage,
    setCellUnderVoltage,
    cellUnderVoltageLayout as Layout<unknown>,
    [2800, 2500, 2900]
  ),
  voltageGroup(
    'packOverVoltage',
    'Pack over-voltage',
    'Pack OV',
    readPackOverVoltage,
    setPackOverVoltage,
    packOverVoltageLayout as Layout<unknown>,
    [57600, 59200, 54000]
  ),
  voltageGroup(
    'packUnderVoltage',
    'Pack under-voltage',
    'Pack UV',
    readPackUnderVoltage,
    setPackUnderVoltage,
    packUnderVoltageLayout as Layout<unknown>,
    [44800, 40000, 46400]
  ),
  group('chargeOverCurrent', 'Charge over-current', readChargeOverCurrent, setChargeOverCurrent, chargeOverCurrentLayout as Layout<unknown>, [
    { field: 'enabled', label: 'Charge OC protection enable', default: true, help: ENABLED_HELP },
    { field: 'alarm_A', label: 'Charge OC Alarm', default: 104 },
    { field: 'protect_A', label: 'Charge OC Protect', default: 110 },
    { field: 'delay_ms', label: 'Charge OCP Delay Time', default: 1000 }
  ]),
  group(
    'dischargeOverCurrent1',
    'Discharge over-current (slow, level 1)',
    readDischargeOverCurrent1,
    setDischargeOverCurrent1,
    dischargeOverCurrent1Layout as Layout<unknown>,
    [
      { field: 'enabled', label: 'Discharge OC protection enable', default: true, help: ENABLED_HELP },
      { field: 'alarm_A', label: 'Discharge OC Alarm', default: 105, help: 'Entered positive; the pack reports it negative.' },
      { field: 'protect_A', label: 'Discharge OC 1 Protect', default: 110 },
      { field: 'delay_ms', label: 'Discharge OC 1 Delay Time', default: 1000 }
    ]
  ),
  group('overCurrent2', 'Over-current (fast, level 2)', readOverCurrent2, setOverCurrent2, null, [
    { field: 'discharge_A', label: 'Discharge OC 2 Protect', default: 150, spec: OC2_SPECS.discharge_A },
    { field: 'dischargeDelay_ms', label: 'Discharge OC 2 Delay Time', default: 100, spec: OC2_SPECS.dischargeDelay_ms },
    // PbmsTools writes only the discharge half; the 6-byte write is documented but never captured.
    { field: 'charge_A', label: 'Charge OC 2 Protect', default: 150, spec: OC2_SPECS.charge_A, writable: false },
    { field: 'chargeDelay_ms', label: 'Charge OC 2 Delay Time', default: 100, spec: OC2_SPECS.chargeDelay_ms, writable: false }
  ]),
  group('shortCircuit', 'Short circuit', readShortCircuit, setShortCircuit, null, [
    { field: 'delay_us', label: 'Short Circuit Delay Time', default: 300, spec: SHORT_CIRCUIT_SPEC }
  ]),
  group(
    'cellHighTemperature',
    'Cell high temperature',
    readCellHighTemperature,
    setCellHighTemperature,
    cellHighTemperatureLayout as Layout<unknown>,
    [
      { field: 'enabled', label: 'Cell high temperature protection enable', default: true, help: ENABLED_HELP },
      { field: 'chargeAlarm_C', label: 'Charge Over Temperature Alarm', default: 51 },
      { field: 'chargeProtect_C', label: 'Charge Over Temperature Protect', default: 55 },
      { field: 'chargeRelease_C', label: 'Charge Over Temperature Protection Release', default: 50 },
      { field: 'dischargeAlarm_C', label: 'Discharge Over Temperature Alarm', default: 56 },
      { field: 'dischargeProtect_C', label: 'Discharge Over Temperature Protect', default: 60 },
      { field: 'dischargeRelease_C', label: 'Discharge Over Temperature Protect Release', default: 55 }
    ]
  ),
  group('cellLowTemperature', 'Cell low temperature', readCellLowTemperature, setCellLowTemperature, cellLowTemperatureLayout as Layout<unknown>, [
    { field: 'enabled', label: 'Cell low temperature protection enable', default: true, help: ENABLED_HELP },
    { field: 'chargeAlarm_C', label: 'Charge Under Temperature Alarm', default: 0 },
    { field: 'chargeProtect_C', label: 'Charge Under Temperature Protection', default: -5 },
    { field: 'chargeRelease_C', label: 'Charge Under Temperature Release', default: 0 },
    { field: 'dischargeAlarm_C', label: 'Discharge Under Temperature Alarm', default: -15 },
    { field: 'dischargeProtect_C', label: 'Discharge Under Temperature Protect', default: -20 },
    { field: 'dischargeRelease_C', label: 'Discharge Under Temperature Release', default: -15 }
  ]),
  group('mosTemperature', 'MOSFET high temperature', readMosTemperature, setMosTemperature, mosTemperatureLayout as Layout<unknown>, [
    { field: 'enabled', label: 'MOS High-Temperature Function Control', default: true, help: ENABLED_HELP },
    { field: 'alarm_C', label: 'MOS High-Temperature Alarm', default: 90 },
    { field: 'protect_C', label: 'MOS High-Temperature Protection', default: 110 },
    { field: 'release_C', label: 'MOS High-Temperature Protection Recovery', default: 85 }
  ]),
  group('ambientTemperature', 'Ambient temperature', readAmbientTemperature, setAmbientTemperature, ambientTemperatureLayout as Layout<unknown>, [
    { field: 'enabled', label: 'Ambient Function Control', default: true, help: ENABLED_HELP },
    { field: 'lowAlarm_C', label: 'Ambient Low-Temperature Alarm', default: -20 },
    { field: 'lowProtect_C', label: 'Ambient Low-Temperature Protection', default: -25 },
    { field: 'lowRelease_C', label: 'Ambient Low-Temperature Protection Recovery', default: -20 },
    { field: 'highAlarm_C', label: 'Ambient High-Temperature Alarm', default: 65 },
    { field: 'highProtect_C', label: 'Ambient High-Temperature Protection', default: 70 },
    { field: 'highRelease_C', label: 'Ambient High-Temperature Protection Recovery', default: 65 }
  ]),
  group('balance', 'Cell balancing', readBalance, setBalance, balanceLayout as Layout<unknown>, [
    { field: 'startVoltage_mV', label: 'Balance Threshold', default: 3400, display: VOLTS },
    { field: 'startDelta_mV', label: 'Balance Delta Cell', default: 30 }
  ]),
  group('sleep', 'Sleep', readSleep, setSleep, sleepLayout as Layout<unknown>, [
    { field: 'cellVoltage_mV', label: 'Sleep v-cell', default: 3100, display: VOLTS },
    { field: 'delay_min', label: 'Sleep Delay Time', default: 5 }
  ]),
  group('fullCharge', 'Full charge and low SOC', readFullCharge, setFullCharge, null, [
    {
      field: 'fullChargeVoltage_mV',
      label: 'Pack Full Charge Voltage',
      default: 56000,
      spec: FULL_CHARGE_SPECS.fullChargeVoltage_mV,
      display: VOLTS
    },
    { field: 'fullChargeCurrent_mA', label: 'Pack Full Charge Current', default: 2000, spec: FULL_CHARGE_SPECS.fullChargeCurrent_mA },
    { field: 'lowSocAlarm_pct', label: 'State of Charge Low Alarm', default: 5, spec: FULL_CHARGE_SPECS.lowSocAlarm_pct }
  ]),
  group('limiter', 'Charge current limiter', readLimiter, setLimiter, limiterLayout as Layout<unknown>, [
    { field: 'startCurrent_A', label: 'Charge Current Limiter Start Current', default: 100 }
  ])
];

/** Every parameter, by id. */
export const PARAMS: ReadonlyMap<string, ParamMeta> = new Map(PARAM_GROUPS.flatMap((g) => g.params.map((p) => [p.id, p] as const)));

export function paramGroup(id: ParamGroupId): ParamGroup {
  const g = PARAM_GROUPS.find((x) => x.id === id);
  if (!g) throw new Error(`unknown parameter group ${id}`);
  return g;
}

/** The default (captured) value of every parameter. */
export function defaultParamValues(): Record<string, ParamValue> {
  return Object.fromEntries([...PARAMS.values()].map((p) => [p.id, p.default]));
}

/** Typed reply of a group's read command -> values by param id. */
export function paramValuesFromGroup(id: ParamGroupId, value: object): Record<string, ParamValue> {
  const rec = value as Record<string, unknown>;
  const out: Record<string, ParamValue> = {};
  for (const p of paramGroup(id).params) {
    const v = rec[p.field];
    if (typeof v === 'number' || typeof v === 'boolean') out[p.id] = v;
  }
  return out;
}

/**
 * Values by param id -> the typed request of the group's write command (writable fields only).
 * Throws a RangeError naming the first missing field; the write command validates ranges.
 */
export function groupRequestFromValues(id: ParamGroupId, values: ParamValues): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const p of paramGroup(id).params) {
    if (!p.writable) continue;
    const v = values[p.id];
    if (v === undefined)
      throw new RangeError(`${p.label} (${p.id}) has no value; every writable field of "${paramGroup(id).title}" is written together`);
    out[p.field] = v;
  }
  return out;
}

// ---- cross-field rules ------------------------------------------------------------------------

export type Relation = '<' | '<=' | '>' | '>=';

export interface ParamRule {
  /** The param the message is about. */
  param: string;
  relation: Relation;
  /** The param it is compared with. */
  other: string;
  /** Why, in words; completed with both values by validate(). */
  reason: string;
}

const RELATION_WORDS: Record<Relation, string> = { '<': 'below', '<=': 'at or below', '>': 'above', '>=': 'at or above' };

function rel(param: string, relation: Relation, other: string, reason: string): ParamRule {
  return { param, relation, other, reason };
}

/** Over-limit: alarm <= protect, release below alarm (strict for voltages, not for temperatures). */
function overRules(g: string, alarm: string, protect: string, release: string | null, strictRelease: boolean): ParamRule[] {
  const rules = [rel(`${g}.${alarm}`, '<=', `${g}.${protect}`, 'otherwise the pack cuts off before it has warned')];
  if (release) {
    rules.push(
      rel(
        `${g}.${release}`,
        strictRelease ? '<' : '<=',
        `${g}.${alarm}`,
        'the protection clears only once the value has fallen back past the release point'
      )
    );
    rules.push(rel(`${g}.${release}`, '<', `${g}.${protect}`, 'otherwise the protection would clear as soon as it trips'));
  }
  return rules;
}

/** Under-limit: alarm >= protect, release above alarm. */
function underRules(g: string, alarm: string, protect: string, release: string, strictRelease: boolean): ParamRule[] {
  return [
    rel(`${g}.${alarm}`, '>=', `${g}.${protect}`, 'otherwise the pack cuts off before it has warned'),
    rel(
      `${g}.${release}`,
      strictRelease ? '>' : '>=',
      `${g}.${alarm}`,
      'the protection clears only once the value has risen back past the release point'
    ),
    rel(`${g}.${release}`, '>', `${g}.${protect}`, 'otherwise the protection would clear as soon as it trips')
  ];
}

export const PARAM_RULES: readonly ParamRule[] = [
  ...overRules('cellOverVoltage', 'alarm_mV', 'protect_mV', 'release_mV', true),
  ...underRules('cellUnderVoltage', 'alarm_mV', 'protect_mV', 'release_mV', true),
  ...overRules('packOverVoltage', 'alarm_mV', 'protect_mV', 'release_mV', true),
  ...underRules('packUnderVoltage', 'alarm_mV', 'protect_mV', 'release_mV', true),
  ...overRules('chargeOverCurrent', 'alarm_A', 'protect_A', null, false),
  ...overRules('dischargeOverCurrent1', 'alarm_A', 'protect_A', null, false),
  ...overRules('cellHighTemperature', 'chargeAlarm_C', 'chargeProtect_C', 'chargeRelease_C', false),
  ...overRules('cellHighTemperature', 'dischargeAlarm_C', 'dischargeProtect_C', 'dischargeRelease_C', false),
  ...underRules('cellLowTemperature', 'chargeAlarm_C', 'chargeProtect_C', 'chargeRelease_C', false),
  ...underRules('cellLowTemperature', 'dischargeAlarm_C', 'dischargeProtect_C', 'dischargeRelease_C', false),
  ...overRules('mosTemperature', 'alarm_C', 'protect_C', 'release_C', false),
  ...underRules('ambientTemperature', 'lowAlarm_C', 'lowProtect_C', 'lowRelease_C', false),
  ...overRules('ambientTemperature', 'highAlarm_C', 'highProtect_C', 'highRelease_C', false),
  // between groups
  rel('cellUnderVoltage.protect_mV', '<', 'cellOverVoltage.protect_mV', 'the cell window would be empty'),
  rel('packUnderVoltage.protect_mV', '<', 'packOverVoltage.protect_mV', 'the pack voltage window would be empty'),
  rel('ambientTemperature.lowProtect_C', '<', 'ambientTemperature.highProtect_C', 'the ambient temperature window would be empty'),
  rel('cellLowTemperature.chargeProtect_C', '<', 'cellHighTemperature.chargeProtect_C', 'the charging temperature window would be empty'),
  rel('cellLowTemperature.dischargeProtect_C', '<', 'cellHighTemperature.dischargeProtect_C', 'the discharging temperature window would be empty'),
  rel('overCurrent2.discharge_A', '>', 'dischargeOverCurrent1.protect_A', 'level 2 is the fast trip for currents beyond level 1'),
  rel('overCurrent2.charge_A', '>', 'chargeOverCurrent.protect_A', 'level 2 is the fast trip for currents beyond level 1'),
  rel('balance.startVoltage_mV', '<', 'cellOverVoltage.protect_mV', 'cells must start balancing before over-voltage protection stops the charge'),
  rel('fullCharge.fullChargeVoltage_mV', '<', 'packOverVoltage.protect_mV', 'otherwise the pack trips on over-voltage before it ever counts as full'),
  rel('limiter.startCurrent_A', '<', 'chargeOverCurrent.protect_A', 'the limiter has to engage before charge over-current protection trips')
];

// ---- validation -------------------------------------------------------------------------------

export interface ParamIssue {
  /** The param the message belongs to. */
  param: string;
  kind: 'type' | 'range' | 'step' | 'relation';
  message: string;
  /** For relations: the other param involved. */
  related?: string;
}

function fmt(p: ParamMeta, v: number): string {
  const n = Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
  return p.unit ? `${n} ${p.unit}` : n;
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

/** Check one value against its own range and step; null when fine. */
function checkParam(p: ParamMeta, v: ParamValue): ParamIssue | null {
  if (p.type === 'boolean') {
    return typeof v === 'boolean' ? null : { param: p.id, kind: 'type', message: `${p.label} must be on or off.` };
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return { param: p.id, kind: 'type', message: `${p.label} must be a number.` };
  if (v < p.min || v > p.max) {
    return { param: p.id, kind: 'range', message: `${p.label} must be between ${fmt(p, p.min)} and ${fmt(p, p.max)}; you entered ${fmt(p, v)}.` };
  }
  const steps = v / p.step;
  if (Math.abs(steps - Math.round(steps)) > 1e-6) {
    return {
      param: p.id,
      kind: 'step',
      message: `${p.label} must be a multiple of ${fmt(p, p.step)} (the pack stores it in steps of ${fmt(p, p.step)}); you entered ${fmt(p, v)}.`
    };
  }
  return null;
}

/**
 * Check every value present in `values` (by param id): type, range, step, then each rule whose
 * two params are both present and individually valid. Unknown ids are reported as type issues.
 */
export function validate(values: ParamValues): ParamIssue[] {
  const issues: ParamIssue[] = [];
  const ok = new Set<string>();
  for (const [id, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const p = PARAMS.get(id);
    if (!p) {
      issues.push({ param: id, kind: 'type', message: `Unknown parameter "${id}".` });
      continue;
    }
    const issue = checkParam(p, v);
    if (issue) issues.push(issue);
    else ok.add(id);
  }
  for (const r of PARAM_RULES) {
    if (!ok.has(r.param) || !ok.has(r.other)) continue;
    const a = values[r.param] as number;
    const b = values[r.other] as number;
    if (compare(a, r.relation, b)) continue;
    const pa = PARAMS.get(r.param)!;
    const pb = PARAMS.get(r.other)!;
    issues.push({
      param: r.param,
      kind: 'relation',
      related: r.other,
      message: `${pa.label} (${fmt(pa, a)}) must be ${RELATION_WORDS[r.relation]} ${pb.label} (${fmt(pb, b)}): ${r.reason}.`
    });
  }
  return issues;
}

/** Issues grouped by param id, for field-level display. */
export function issuesByParam(issues: readonly ParamIssue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of issues) (out[i.param] ??= []).push(i.message);
  return out;
}

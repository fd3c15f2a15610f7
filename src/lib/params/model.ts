// The parameter model: every group the reference documents (the PbmsTools "Protection parameter
// setting" screen plus timed storage), each parameter with its unit, wire scale, range, level
// (alarm, protect, release, delay, enable) and the default captured from a real pack. Ranges are
// not repeated here: they come from the codec layouts in protocol/commands, so what the model
// accepts is exactly what the write commands encode.
//
// Values travel as a flat record keyed by param id ("cellOverVoltage.protect_mV"), so an edit, a
// snapshot, a profile file and a diff all have one shape. Date-times (timed storage) are strings
// "YYYY-MM-DD hh:mm:ss" in the pack's own (zone-less) calendar time.

import type { AnyCommand } from '../protocol/command';
import { balanceLayout, readBalance, setBalance } from '../protocol/commands/balance';
import { FULL_CHARGE_SPECS, readFullCharge, setFullCharge } from '../protocol/commands/fullcharge';
import { limiterLayout, readLimiter, setLimiter } from '../protocol/commands/limiter';
import type { FieldSpec, Layout } from '../protocol/commands/payload';
import * as p from '../protocol/commands/protection';
import { readSleep, setSleep, sleepLayout } from '../protocol/commands/sleep';
import * as ts from '../protocol/commands/timed-storage';

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
  | 'limiter'
  | 'storageInterval'
  | 'storageStart'
  | 'storageEnd';

/**
 * What a parameter is, in the vendor tool's terms: "level 1" alarm, "level 2" protect, the
 * "return difference" release, the protection delay, the function-control enable, or a plain
 * setting that is none of these.
 */
export type ParamLevel = 'enable' | 'alarm' | 'protect' | 'release' | 'delay' | 'setting';

/** What each level means, in words the editor shows beside the field. */
export const LEVEL_MEANINGS: Readonly<Record<ParamLevel, string>> = {
  enable: 'Function control: when off, the pack ignores this protection altogether.',
  alarm: 'Level 1, alarm: past this value the pack warns (alarm bit, LED, buzzer) but keeps its MOSFETs on.',
  protect: 'Level 2, protect: past this value, for longer than the delay, the pack opens its MOSFETs.',
  release: 'Return difference (release, recovery): after a protection the pack switches back on only once the value has come back past this point.',
  delay: 'How long the value must stay past the protect threshold before the pack acts.',
  setting: 'A setting of the pack (not a protection threshold).'
};

/** The same meanings as message keys (messages/params), for pages in any language. */
export const LEVEL_MESSAGE_KEYS: Readonly<Record<ParamLevel, string>> = {
  enable: 'params_level_enable',
  alarm: 'params_level_alarm',
  protect: 'params_level_protect',
  release: 'params_level_release',
  delay: 'params_level_delay',
  setting: 'params_level_setting'
};

export type ParamCategory = 'voltage' | 'current' | 'temperature' | 'balance' | 'system' | 'storage';

/** How a value is best shown when the vendor tool shows another unit (mV shown as V). */
export interface ParamDisplay {
  unit: string;
  /** shown = value × factor */
  factor: number;
  decimals: number;
}

export type ParamValue = number | boolean | string;
/** Values by param id; absent ids are simply not checked or written. */
export type ParamValues = Readonly<Record<string, ParamValue | undefined>>;

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
  type: 'number' | 'boolean' | 'datetime';
  /** Unit of the value ("" for booleans and date-times). */
  unit: string;
  /** One wire count in `unit` (e.g. 100 for a ×100 ms delay, 0.1 for °C); 1 for booleans. */
  scale: number;
  /** Range and step for numbers (booleans 0..1 step 1; date-times 0..0, checked by the calendar). */
  min: number;
  max: number;
  step: number;
  /** The increment PbmsTools offers, for spinners. */
  vendorStep?: number;
  level: ParamLevel;
  /** The value in the PbmsTools captures of a 16S 100 Ah pack (reference §8), or the simulator's. */
  default: ParamValue;
  /** False for values read back but never written by this tool. */
  writable: boolean;
  /** May be missing from the pack's reply (AFH 4-byte form without the low-SOC alarm). */
  optional?: boolean;
  display?: ParamDisplay;
  /** One line on what it does, for the editor's help text. */
  help?: string;
}

export interface ParamGroup {
  id: ParamGroupId;
  title: string;
  category: ParamCategory;
  read: AnyCommand;
  write: AnyCommand;
  params: readonly ParamMeta[];
  /**
   * Documented but not on every firmware (timed storage): a pack that answers RTN 04 simply does
   * not have it, which is "not supported", not an error.
   */
  optional: boolean;
}

const VOLTS: ParamDisplay = { unit: 'V', factor: 0.001, decimals: 3 };

interface FieldDef {
  field: string;
  label: string;
  level: ParamLevel;
  default: ParamValue;
  writable?: boolean;
  optional?: boolean;
  display?: ParamDisplay;
  help?: string;
  /** Required for numbers not in a layout. */
  spec?: FieldSpec;
}

interface GroupDef {
  id: ParamGroupId;
  title: string;
  category: ParamCategory;
  read: AnyCommand;
  write: AnyCommand;
  layout?: Layout<unknown>;
  optional?: boolean;
  fields: FieldDef[];
}

function build(def: GroupDef): ParamGroup {
  const params = def.fields.map((d): ParamMeta => {
    const base = {
      id: `${def.id}.${d.field}`,
      group: def.id,
      field: d.field,
      readCid2: def.read.cid2,
      writeCid2: def.write.cid2,
      label: d.label,
      level: d.level,
      default: d.default,
      writable: d.writable ?? true,
      ...(d.optional ? { optional: true } : {}),
      ...(d.display ? { display: d.display } : {}),
      ...(d.help ? { help: d.help } : {})
    };
    if (typeof d.default === 'boolean') return { ...base, type: 'boolean', unit: '', scale: 1, min: 0, max: 1, step: 1 };
    if (typeof d.default === 'string') return { ...base, type: 'datetime', unit: '', scale: 1, min: 0, max: 0, step: 1 };
    const spec = d.spec ?? def.layout?.specs[d.field];
    if (!spec) throw new Error(`params: no range for ${def.id}.${d.field}`);
    return {
      ...base,
      type: 'number',
      unit: spec.unit,
      scale: spec.step,
      min: spec.min,
      max: spec.max,
      step: spec.step,
      ...(spec.vendorStep !== undefined ? { vendorStep: spec.vendorStep } : {})
    };
  });
  return { id: def.id, title: def.title, category: def.category, read: def.read, write: def.write, params, optional: def.optional ?? false };
}

const ENABLED_HELP = 'Function-control byte ("FC"): when off, the pack ignores this protection.';

function voltageGroup(
  id: ParamGroupId,
  title: string,
  short: string,
  read: AnyCommand,
  write: AnyCommand,
  layout: Layout<unknown>,
  d: [number, number, number]
): ParamGroup {
  return build({
    id,
    title,
    category: 'voltage',
    read,
    write,
    layout,
    fields: [
      { field: 'enabled', label: `${short} protection enable`, level: 'enable', default: true, help: ENABLED_HELP },
      { field: 'alarm_mV', label: `${short} Alarm`, level: 'alarm', default: d[0], display: VOLTS },
      { field: 'protect_mV', label: `${short} Protect`, level: 'protect', default: d[1], display: VOLTS },
      { field: 'release_mV', label: `${short}P Release`, level: 'release', default: d[2], display: VOLTS },
      { field: 'delay_ms', label: `${short}P Delay Time`, level: 'delay', default: 1000 }
    ]
  });
}

type TempField = [field: string, label: string, level: ParamLevel, value: number];

function temperatureGroup(
  id: ParamGroupId,
  title: string,
  read: AnyCommand,
  write: AnyCommand,
  layout: Layout<unknown>,
  enableLabel: string,
  rows: TempField[]
): ParamGroup {
  return build({
    id,
    title,
    category: 'temperature',
    read,
    write,
    layout,
    fields: [
      { field: 'enabled', label: enableLabel, level: 'enable', default: true, help: ENABLED_HELP },
      ...rows.map(([field, label, level, value]) => ({ field, label, level, default: value }))
    ]
  });
}

const L = <T>(l: Layout<T>) => l as Layout<unknown>;

export const PARAM_GROUPS: readonly ParamGroup[] = [
  voltageGroup(
    'cellOverVoltage',
    'Cell over-voltage',
    'Cell OV',
    p.readCellOverVoltage,
    p.setCellOverVoltage,
    L(p.cellOverVoltageLayout),
    [3600, 3700, 3380]
  ),
  voltageGroup(
    'cellUnderVoltage',
    'Cell under-voltage',
    'Cell UV',
    p.readCellUnderVoltage,
    p.setCellUnderVoltage,
    L(p.cellUnderVoltageLayout),
    [2800, 2500, 2900]
  ),
  voltageGroup(
    'packOverVoltage',
    'Pack over-voltage',
    'Pack OV',
    p.readPackOverVoltage,
    p.setPackOverVoltage,
    L(p.packOverVoltageLayout),
    [57600, 59200, 54000]
  ),
  voltageGroup(
    'packUnderVoltage',
    'Pack under-voltage',
    'Pack UV',
    p.readPackUnderVoltage,
    p.setPackUnderVoltage,
    L(p.packUnderVoltageLayout),
    [44800, 40000, 46400]
  ),
  build({
    id: 'chargeOverCurrent',
    title: 'Charge over-current',
    category: 'current',
    read: p.readChargeOverCurrent,
    write: p.setChargeOverCurrent,
    layout: L(p.chargeOverCurrentLayout),
    fields: [
      { field: 'enabled', label: 'Charge OC protection enable', level: 'enable', default: true, help: ENABLED_HELP },
      { field: 'alarm_A', label: 'Charge OC Alarm', level: 'alarm', default: 104 },
      { field: 'protect_A', label: 'Charge OC Protect', level: 'protect', default: 110 },
      { field: 'delay_ms', label: 'Charge OCP Delay Time', level: 'delay', default: 1000 }
    ]
  }),
  build({
    id: 'dischargeOverCurrent1',
    title: 'Discharge over-current (slow, level 1)',
    category: 'current',
    read: p.readDischargeOverCurrent1,
    write: p.setDischargeOverCurrent1,
    layout: L(p.dischargeOverCurrent1Layout),
    fields: [
      { field: 'enabled', label: 'Discharge OC protection enable', level: 'enable', default: true, help: ENABLED_HELP },
      {
        field: 'alarm_A',
        label: 'Discharge OC Alarm',
        level: 'alarm',
        default: 105,
        help: 'Entered as a positive current; the pack reports it negative (it is a discharge current).'
      },
      { field: 'protect_A', label: 'Discharge OC 1 Protect', level: 'protect', default: 110 },
      { field: 'delay_ms', label: 'Discharge OC 1 Delay Time', level: 'delay', default: 1000 }
    ]
  }),
  build({
    id: 'overCurrent2',
    title: 'Over-current (fast, level 2)',
    category: 'current',
    read: p.readOverCurrent2,
    write: p.setOverCurrent2,
    fields: [
      { field: 'discharge_A', label: 'Discharge OC 2 Protect', level: 'protect', default: 150, spec: p.OC2_SPECS.discharge_A },
      { field: 'dischargeDelay_ms', label: 'Discharge OC 2 Delay Time', level: 'delay', default: 100, spec: p.OC2_SPECS.dischargeDelay_ms },
      // PbmsTools writes only the discharge half (E2 with 3 bytes); the 6-byte write is documented but never captured.
      { field: 'charge_A', label: 'Charge OC 2 Protect', level: 'protect', default: 150, spec: p.OC2_SPECS.charge_A, writable: false },
      { field: 'chargeDelay_ms', label: 'Charge OC 2 Delay Time', level: 'delay', default: 100, spec: p.OC2_SPECS.chargeDelay_ms, writable: false }
    ]
  }),
  build({
    id: 'shortCircuit',
    title: 'Short circuit',
    category: 'current',
    read: p.readShortCircuit,
    write: p.setShortCircuit,
    fields: [{ field: 'delay_us', label: 'Short Circuit Delay Time', level: 'delay', default: 300, spec: p.SHORT_CIRCUIT_SPEC }]
  }),
  temperatureGroup(
    'cellHighTemperature',
    'Cell high temperature',
    p.readCellHighTemperature,
    p.setCellHighTemperature,
    L(p.cellHighTemperatureLayout),
    'Cell high temperature protection enable',
    [
      ['chargeAlarm_C', 'Charge Over Temperature Alarm', 'alarm', 51],
      ['chargeProtect_C', 'Charge Over Temperature Protect', 'protect', 55],
      ['chargeRelease_C', 'Charge Over Temperature Protection Release', 'release', 50],
      ['dischargeAlarm_C', 'Discharge Over Temperature Alarm', 'alarm', 56],
      ['dischargeProtect_C', 'Discharge Over Temperature Protect', 'protect', 60],
      ['dischargeRelease_C', 'Discharge Over Temperature Protect Release', 'release', 55]
    ]
  ),
  temperatureGroup(
    'cellLowTemperature',
    'Cell low temperature',
    p.readCellLowTemperature,
    p.setCellLowTemperature,
    L(p.cellLowTemperatureLayout),
    'Cell low temperature protection enable',
    [
      ['chargeAlarm_C', 'Charge Under Temperature Alarm', 'alarm', 0],
      ['chargeProtect_C', 'Charge Under Temperature Protection', 'protect', -5],
      ['chargeRelease_C', 'Charge Under Temperature Release', 'release', 0],
      ['dischargeAlarm_C', 'Discharge Under Temperature Alarm', 'alarm', -15],
      ['dischargeProtect_C', 'Discharge Under Temperature Protect', 'protect', -20],
      ['dischargeRelease_C', 'Discharge Under Temperature Release', 'release', -15]
    ]
  ),
  temperatureGroup(
    'mosTemperature',
    'MOSFET high temperature',
    p.readMosTemperature,
    p.setMosTemperature,
    L(p.mosTemperatureLayout),
    'MOS High-Temperature Function Control',
    [
      ['alarm_C', 'MOS High-Temperature Alarm', 'alarm', 90],
      ['protect_C', 'MOS High-Temperature Protection', 'protect', 110],
      ['release_C', 'MOS High-Temperature Protection Recovery', 'release', 85]
    ]
  ),
  temperatureGroup(
    'ambientTemperature',
    'Ambient temperature',
    p.readAmbientTemperature,
    p.setAmbientTemperature,
    L(p.ambientTemperatureLayout),
    'Ambient Function Control',
    [
      ['lowAlarm_C', 'Ambient Low-Temperature Alarm', 'alarm', -20],
      ['lowProtect_C', 'Ambient Low-Temperature Protection', 'protect', -25],
      ['lowRelease_C', 'Ambient Low-Temperature Protection Recovery', 'release', -20],
      ['highAlarm_C', 'Ambient High-Temperature Alarm', 'alarm', 65],
      ['highProtect_C', 'Ambient High-Temperature Protection', 'protect', 70],
      ['highRelease_C', 'Ambient High-Temperature Protection Recovery', 'release', 65]
    ]
  ),
  build({
    id: 'balance',
    title: 'Cell balancing',
    category: 'balance',
    read: readBalance,
    write: setBalance,
    layout: L(balanceLayout),
    fields: [
      {
        field: 'startVoltage_mV',
        label: 'Balance Threshold',
        level: 'setting',
        default: 3400,
        display: VOLTS,
        help: 'Cells above this voltage may bleed.'
      },
      { field: 'startDelta_mV', label: 'Balance Delta Cell', level: 'setting', default: 30, help: '…when they are this much above the lowest cell.' }
    ]
  }),
  build({
    id: 'sleep',
    title: 'Sleep',
    category: 'system',
    read: readSleep,
    write: setSleep,
    layout: L(sleepLayout),
    fields: [
      {
        field: 'cellVoltage_mV',
        label: 'Sleep v-cell',
        level: 'setting',
        default: 3100,
        display: VOLTS,
        help: 'The pack sleeps when a cell stays below this voltage…'
      },
      { field: 'delay_min', label: 'Sleep Delay Time', level: 'delay', default: 5, help: '…for this long without current.' }
    ]
  }),
  build({
    id: 'fullCharge',
    title: 'Full charge and low SOC',
    category: 'system',
    read: readFullCharge,
    write: setFullCharge,
    fields: [
      {
        field: 'fullChargeVoltage_mV',
        label: 'Pack Full Charge Voltage',
        level: 'setting',
        default: 56000,
        spec: FULL_CHARGE_SPECS.fullChargeVoltage_mV,
        display: VOLTS,
        help: 'At or above this pack voltage, with the charge current below the full-charge current, the pack counts as full (SOC 100 %).'
      },
      {
        field: 'fullChargeCurrent_mA',
        label: 'Pack Full Charge Current',
        level: 'setting',
        default: 2000,
        spec: FULL_CHARGE_SPECS.fullChargeCurrent_mA
      },
      // The 4-byte AFH form (LENID 08) has no low-SOC alarm; then it is simply absent.
      {
        field: 'lowSocAlarm_pct',
        label: 'State of Charge Low Alarm',
        level: 'alarm',
        default: 5,
        spec: FULL_CHARGE_SPECS.lowSocAlarm_pct,
        optional: true
      }
    ]
  }),
  build({
    id: 'limiter',
    title: 'Charge current limiter',
    category: 'current',
    read: readLimiter,
    write: setLimiter,
    layout: L(limiterLayout),
    fields: [
      {
        field: 'startCurrent_A',
        label: 'Charge Current Limiter Start Current',
        level: 'setting',
        default: 100,
        help: 'Above this charge current the limiter engages (if it is switched on in Device control).'
      }
    ]
  }),
  build({
    id: 'storageInterval',
    title: 'Timed storage interval',
    category: 'storage',
    read: ts.readStorageInterval,
    write: ts.setStorageInterval,
    optional: true,
    fields: [
      {
        field: 'interval_min',
        label: 'Timed Storage Interval',
        level: 'setting',
        default: 0,
        spec: ts.STORAGE_INTERVAL_SPEC,
        help: 'The pack stores a record this often between the start and end times; 0 = off. The document gives 0–120 without a unit: minutes is our reading.'
      }
    ]
  }),
  build({
    id: 'storageStart',
    title: 'Timed storage start',
    category: 'storage',
    read: ts.readStorageStart,
    write: ts.setStorageStart,
    optional: true,
    fields: [{ field: 'time', label: 'Timed Storage Start Time', level: 'setting', default: '2024-01-01 00:00:00' }]
  }),
  build({
    id: 'storageEnd',
    title: 'Timed storage end',
    category: 'storage',
    read: ts.readStorageEnd,
    write: ts.setStorageEnd,
    optional: true,
    fields: [{ field: 'time', label: 'Timed Storage End Time', level: 'setting', default: '2024-01-01 00:00:00' }]
  })
];

/** Every parameter, by id. */
export const PARAMS: ReadonlyMap<string, ParamMeta> = new Map(PARAM_GROUPS.flatMap((g) => g.params.map((m) => [m.id, m] as const)));

const GROUPS_BY_ID: ReadonlyMap<ParamGroupId, ParamGroup> = new Map(PARAM_GROUPS.map((g) => [g.id, g]));

export function paramGroup(id: ParamGroupId): ParamGroup {
  const g = GROUPS_BY_ID.get(id);
  if (!g) throw new Error(`unknown parameter group ${String(id)}`);
  return g;
}

export function isParamGroupId(id: string): id is ParamGroupId {
  return GROUPS_BY_ID.has(id as ParamGroupId);
}

/** The group a param id belongs to. */
export function groupOf(paramId: string): ParamGroupId | undefined {
  return PARAMS.get(paramId)?.group;
}

/** The default (captured) value of every parameter. */
export function defaultParamValues(): Record<string, ParamValue> {
  return Object.fromEntries([...PARAMS.values()].map((m) => [m.id, m.default]));
}

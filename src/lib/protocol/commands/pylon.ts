// 42H / 44H replies of the VER 20 dialects (reference §11): Pylontech (P = 2 or 4), Seplos V2.0
// (P = 10 analog, 20 status) and EG4 LifePower4 (CID1 4AH, P = 15 analog, 9 status, and a request
// without INFO). The PACE commands in analog.ts/status.ts dispatch here by DecodeOptions.profile;
// EG4 also gets its own Command objects because its request differs.

import type { Command, DecodeContext } from '../command';
import type { AnalogReply, DecodeOptions, PackAnalog, PackStatus, ProtocolProfile, StatusReply } from '../types';
import { roundTo, type ByteReader } from './byte-cursor';
import { countedBlockLength, decodeMultiPack, encodeMultiPack, type BlockCodec } from './pack-blocks';
import { decodeEmptyInfo, encodeEmpty, type EmptyRequest } from './payload';
import { decodeFlagsWith, type FlagDef } from './status-flags';
import {
  VER20_KELVIN_OFFSET,
  alarmCode,
  alarmsOfCodes,
  balancingCellsOf,
  cToKelvinTenths,
  computedSocSoh,
  emptyPackAnalog,
  emptyPackStatus,
  kelvinTenthsToC,
  readCellsAndTemps,
  writeAlarmLists,
  writeCellsAndTemps
} from './telemetry-values';
import { DOCUMENTED_UNITS, reconcileUnits, wireFactor } from './units';
import { EG4_FLAGS, PYLON_FLAGS, SEPLOS_FLAGS } from './variant-flags';

export type VariantProfile = Exclude<ProtocolProfile, 'pace'>;

const T = VER20_KELVIN_OFFSET;

function keepRest(r: ByteReader, pack: { extraBytes?: number[] }): void {
  if (r.remaining > 0) pack.extraBytes = Array.from(r.rest());
}

// ---------------------------------------------------------------------------------------------
// Pylontech 42H: current in 100 mA, voltage mV, capacities mAh; P = 4 adds 3-byte capacities and
// then reads FFFF in the 2-byte ones. No design capacity, so no SOH.

/**
 * Pylontech's sensors: the BMS board, then each the average of a group of cells (reference §11.1:
 * "cells 1-4, 5-8, 9-12, 13-15/16"). The groups follow the module's real cell count: an 8-cell
 * 24 V module's four cell sensors cover cells 1–2, 3–4, 5–6 and 7–8.
 */
export function pylonTempLabels(tempCount: number, cellCount: number): string[] {
  const sensors = tempCount - 1;
  const perGroup = sensors > 0 && cellCount > 0 ? Math.ceil(cellCount / sensors) : 0;
  return Array.from({ length: tempCount }, (_, i) => {
    if (i === 0) return 'BMS board';
    const first = (i - 1) * perGroup + 1;
    const last = Math.min(cellCount, i * perGroup);
    if (perGroup === 0 || first > cellCount) return `T${i + 1}`;
    return first === last ? `Cell ${first}` : `Cells ${first}–${last}`;
  });
}

const PYLON_U16_UNUSED = 0xffff;

/** Bytes after the temperatures: current, voltage, remaining, P, full, cycles. */
const PYLON_FIXED_BYTES = 2 + 2 + 2 + 1 + 2 + 2;
/** P = 4 appends remaining and full capacity as 3 bytes each (§11.1). */
const PYLON_P4_BYTES = 6;

/**
 * A Pylontech block's length from its own counts and P: a group may mix P = 2 modules (US2000)
 * with P = 4 ones (US3000), so the blocks of one reply need not be equally long. P counts only when
 * the body has room for the 3-byte capacities it announces.
 */
function pylonAnalogLength(body: Uint8Array, offset: number): number | null {
  const base = countedBlockLength(body, offset, 2, PYLON_FIXED_BYTES);
  if (base === null) return null;
  const p = body[offset + base - 5];
  return p !== undefined && p >= 4 && offset + base + PYLON_P4_BYTES <= body.length ? base + PYLON_P4_BYTES : base;
}

const pylonAnalog: BlockCodec<PackAnalog> = {
  baseLength: pylonAnalogLength,
  decode(r) {
    const { cells_mV, tempCount: n, temps_C } = readCellsAndTemps(r, T);
    const current_A = roundTo(r.s16('current') / 10, 1);
    const voltage_V = roundTo(r.u16('pack voltage') / 1000, 3);
    let remaining_Ah = roundTo(r.u16('remaining capacity') / 1000, 3);
    const p = r.u8('user-defined count P');
    let full_Ah = roundTo(r.u16('full capacity') / 1000, 3);
    const cycles = r.u16('cycle count');
    if (p >= 4 && r.remaining >= PYLON_P4_BYTES) {
      remaining_Ah = roundTo(r.u24('remaining capacity (3 bytes)') / 1000, 3);
      full_Ah = roundTo(r.u24('full capacity (3 bytes)') / 1000, 3);
    }
    const { soc_pct } = computedSocSoh(remaining_Ah, full_Ah, 0);
    const pack: PackAnalog = {
      cells_mV,
      temps_C,
      tempLabels: pylonTempLabels(n, cells_mV.length),
      current_A,
      voltage_V,
      remaining_Ah,
      full_Ah,
      design_Ah: null,
      cycles,
      soc_pct,
      soh_pct: null,
      socSource: soc_pct === null ? null : 'computed',
      userDefinedCount: p,
      empty: false
    };
    keepRest(r, pack);
    return pack;
  },
  encode(w, pack) {
    const remaining_mAh = Math.round((pack.remaining_Ah / wireFactor(pack, 'remaining')) * 1000);
    const full_mAh = Math.round((pack.full_Ah / wireFactor(pack, 'full')) * 1000);
    writeCellsAndTemps(w, pack, pack.temps_C.length, T);
    w.s16(Math.round((pack.current_A / wireFactor(pack, 'current')) * 10), 'current');
    w.u16(Math.round((pack.voltage_V / wireFactor(pack, 'voltage')) * 1000), 'pack voltage');
    const big = pack.userDefinedCount >= 4;
    w.u16(big ? PYLON_U16_UNUSED : remaining_mAh, 'remaining capacity');
    w.u8(pack.userDefinedCount, 'user-defined count P');
    w.u16(big ? PYLON_U16_UNUSED : full_mAh, 'full capacity');
    w.u16(pack.cycles, 'cycle count');
    if (big) {
      w.u24(remaining_mAh, 'remaining capacity (3 bytes)');
      w.u24(full_mAh, 'full capacity (3 bytes)');
    }
    if (pack.extraBytes) w.bytes(pack.extraBytes);
  },
  empty: emptyPackAnalog,
  hasLayout: (p) => p.cells_mV.length > 0,
  defaultBlockBytes: 1 + 2 * 15 + 1 + 2 * 5 + 11
};

// ---------------------------------------------------------------------------------------------
// Seplos V2.0 42H: 10 mA, 10 mV, 10 mAh; P = 10 u16 fields: full, SOC ‰, rated, cycles, SOH ‰,
// port voltage, 4 reserved. Temperatures: cells 1–4, environment, power (MOS).

const SEPLOS_KNOWN_FIELDS = 6;
const SEPLOS_RESERVED_BYTES = 8;

function seplosTempLabels(n: number): string[] {
  if (n === 6) return ['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'Ambient', 'MOSFET'];
  return Array.from({ length: n }, (_, i) => `T${i + 1}`);
}

const seplosAnalog: BlockCodec<PackAnalog> = {
  baseLength: (body, offset) => countedBlockLength(body, offset, 2, 2 + 2 + 2 + 1 + 2 * SEPLOS_KNOWN_FIELDS),
  decode(r) {
    const { cells_mV, tempCount: n, temps_C } = readCellsAndTemps(r, T);
    const current_A = roundTo(r.s16('current') / 100, 2);
    const voltage_V = roundTo(r.u16('pack voltage') / 100, 2);
    const remaining_Ah = roundTo(r.u16('residual capacity') / 100, 2);
    const p = r.u8('user-defined count P');
    const full_Ah = roundTo(r.u16('battery capacity') / 100, 2);
    const soc_pct = roundTo(r.u16('SOC') / 10, 1);
    const design_Ah = roundTo(r.u16('rated capacity') / 100, 2);
    const cycles = r.u16('cycle count');
    const soh_pct = roundTo(r.u16('SOH') / 10, 1);
    const portVoltage_V = roundTo(r.u16('port voltage') / 100, 2);
    const pack: PackAnalog = {
      cells_mV,
      temps_C,
      tempLabels: seplosTempLabels(n),
      current_A,
      voltage_V,
      remaining_Ah,
      full_Ah,
      design_Ah,
      cycles,
      soc_pct,
      soh_pct,
      socSource: 'reported',
      userDefinedCount: p,
      tail: { portVoltage_V },
      empty: false
    };
    keepRest(r, pack);
    return pack;
  },
  encode(w, pack) {
    const v = wireFactor(pack, 'voltage');
    writeCellsAndTemps(w, pack, pack.temps_C.length, T);
    w.s16(Math.round((pack.current_A / wireFactor(pack, 'current')) * 100), 'current');
    w.u16(Math.round((pack.voltage_V / v) * 100), 'pack voltage');
    w.u16(Math.round((pack.remaining_Ah / wireFactor(pack, 'remaining')) * 100), 'residual capacity');
    w.u8(pack.userDefinedCount, 'user-defined count P');
    w.u16(Math.round((pack.full_Ah / wireFactor(pack, 'full')) * 100), 'battery capacity');
    w.u16(Math.round((pack.soc_pct ?? 0) * 10), 'SOC');
    w.u16(Math.round(((pack.design_Ah ?? 0) / wireFactor(pack, 'design')) * 100), 'rated capacity');
    w.u16(pack.cycles, 'cycle count');
    w.u16(Math.round((pack.soh_pct ?? 0) * 10), 'SOH');
    w.u16(Math.round(((pack.tail?.portVoltage_V ?? pack.voltage_V) / v) * 100), 'port voltage');
    if (pack.extraBytes) w.bytes(pack.extraBytes);
  },
  empty: emptyPackAnalog,
  hasLayout: (p) => p.cells_mV.length > 0,
  defaultBlockBytes: 1 + 32 + 1 + 12 + 7 + 2 * SEPLOS_KNOWN_FIELDS + SEPLOS_RESERVED_BYTES,
  reservedExtra: (p) => Math.min(p.extraBytes?.length ?? 0, SEPLOS_RESERVED_BYTES)
};

// ---------------------------------------------------------------------------------------------
// EG4 LifePower4 42H: the temperature count says 4 but environment and MOS follow (6 values);
// 10 mA, 10 mV, 10 mAh; cycles come before P = 15, then SOC, SOH, extremes and counters.

/** Temperatures EG4 sends after the counted ones: environment, MOSFET. */
const EG4_UNCOUNTED_TEMPS = 2;
const EG4_TAIL_BYTES = 7 * 2 + 6 * 4 + 2 * 2;

function eg4TempLabels(n: number): string[] {
  return [...Array.from({ length: n }, (_, i) => `Cell T${i + 1}`), 'Ambient', 'MOSFET'];
}

const eg4Analog: BlockCodec<PackAnalog> = {
  baseLength: (body, offset) => countedBlockLength(body, offset, 2, 2 * 5 + 1 + EG4_TAIL_BYTES, EG4_UNCOUNTED_TEMPS),
  decode(r) {
    const { cells_mV, tempCount: n, temps_C } = readCellsAndTemps(r, T, EG4_UNCOUNTED_TEMPS);
    const current_A = roundTo(r.s16('current') / 100, 2);
    const voltage_V = roundTo(r.u16('pack voltage') / 100, 2);
    const remaining_Ah = roundTo(r.u16('remaining capacity') / 100, 2);
    const full_Ah = roundTo(r.u16('full capacity') / 100, 2);
    const cycles = r.u16('cycle count');
    const p = r.u8('user-defined count P');
    const soc_pct = r.u16('SOC');
    const soh_pct = r.u16('SOH');
    const maxCell_mV = r.u16('max cell voltage');
    const minCell_mV = r.u16('min cell voltage');
    const cellDelta_mV = r.u16('cell voltage difference');
    const maxTemp_C = kelvinTenthsToC(r.u16('max temperature'), T);
    const minTemp_C = kelvinTenthsToC(r.u16('min temperature'), T);
    const pack: PackAnalog = {
      cells_mV,
      temps_C,
      tempLabels: eg4TempLabels(n),
      current_A,
      voltage_V,
      remaining_Ah,
      full_Ah,
      design_Ah: null,
      cycles,
      soc_pct,
      soh_pct,
      socSource: 'reported',
      userDefinedCount: p,
      tail: {
        cumulativeCharge_Ah: roundTo(r.u32('cumulative charge') / 100, 2),
        cumulativeDischarge_Ah: roundTo(r.u32('cumulative discharge') / 100, 2),
        cumulativeChargeEnergy_kWh: roundTo(r.u32('cumulative charge energy') / 1000, 3),
        cumulativeDischargeEnergy_kWh: roundTo(r.u32('cumulative discharge energy') / 1000, 3),
        chargeTime_h: r.u32('cumulative charge time'),
        dischargeTime_h: r.u32('cumulative discharge time'),
        chargeCount: r.u16('charge count'),
        dischargeCount: r.u16('discharge count'),
        extremes: { maxCell_mV, minCell_mV, cellDelta_mV, maxTemp_C, minTemp_C }
      },
      empty: false
    };
    keepRest(r, pack);
    return pack;
  },
  encode(w, pack) {
    writeCellsAndTemps(w, pack, Math.max(0, pack.temps_C.length - EG4_UNCOUNTED_TEMPS), T);
    w.s16(Math.round((pack.current_A / wireFactor(pack, 'current')) * 100), 'current');
    w.u16(Math.round((pack.voltage_V / wireFactor(pack, 'voltage')) * 100), 'pack voltage');
    w.u16(Math.round((pack.remaining_Ah / wireFactor(pack, 'remaining')) * 100), 'remaining capacity');
    w.u16(Math.round((pack.full_Ah / wireFactor(pack, 'full')) * 100), 'full capacity');
    w.u16(pack.cycles, 'cycle count');
    w.u8(pack.userDefinedCount, 'user-defined count P');
    w.u16(Math.round(pack.soc_pct ?? 0), 'SOC');
    w.u16(Math.round(pack.soh_pct ?? 0), 'SOH');
    const t = pack.tail ?? {};
    const cells = pack.cells_mV;
    const cellTemps = pack.temps_C.slice(0, Math.max(0, pack.temps_C.length - EG4_UNCOUNTED_TEMPS)).filter((x): x is number => x !== null);
    // A simulated pack may leave the extremes out; they follow from the values then.
    const ex = t.extremes ?? {
      maxCell_mV: cells.length ? Math.max(...cells) : 0,
      minCell_mV: cells.length ? Math.min(...cells) : 0,
      cellDelta_mV: cells.length ? Math.max(...cells) - Math.min(...cells) : 0,
      maxTemp_C: cellTemps.length ? Math.max(...cellTemps) : null,
      minTemp_C: cellTemps.length ? Math.min(...cellTemps) : null
    };
    w.u16(ex.maxCell_mV, 'max cell voltage');
    w.u16(ex.minCell_mV, 'min cell voltage');
    w.u16(ex.cellDelta_mV, 'cell voltage difference');
    w.u16(cToKelvinTenths(ex.maxTemp_C, T), 'max temperature');
    w.u16(cToKelvinTenths(ex.minTemp_C, T), 'min temperature');
    w.u32(Math.round((t.cumulativeCharge_Ah ?? 0) * 100), 'cumulative charge');
    w.u32(Math.round((t.cumulativeDischarge_Ah ?? 0) * 100), 'cumulative discharge');
    w.u32(Math.round((t.cumulativeChargeEnergy_kWh ?? 0) * 1000), 'cumulative charge energy');
    w.u32(Math.round((t.cumulativeDischargeEnergy_kWh ?? 0) * 1000), 'cumulative discharge energy');
    w.u32(t.chargeTime_h ?? 0, 'cumulative charge time');
    w.u32(t.dischargeTime_h ?? 0, 'cumulative discharge time');
    w.u16(t.chargeCount ?? 0, 'charge count');
    w.u16(t.dischargeCount ?? 0, 'discharge count');
    if (pack.extraBytes) w.bytes(pack.extraBytes);
  },
  empty: emptyPackAnalog,
  hasLayout: (p) => p.cells_mV.length > 0,
  defaultBlockBytes: 1 + 32 + 1 + 12 + 11 + EG4_TAIL_BYTES
};

const ANALOG_CODECS: Record<VariantProfile, BlockCodec<PackAnalog>> = { pylon: pylonAnalog, seplos: seplosAnalog, eg4: eg4Analog };

/** The dialect's block codec, with each decoded block checked for units (units.ts). */
function analogCodec(profile: VariantProfile, options: Pick<DecodeOptions, 'unitOverrides'>): BlockCodec<PackAnalog> {
  const codec = ANALOG_CODECS[profile];
  return { ...codec, decode: (r) => reconcileUnits(codec.decode(r), DOCUMENTED_UNITS[profile], options.unitOverrides) };
}

export function decodeVariantAnalog(
  profile: VariantProfile,
  info: Uint8Array,
  broadcast: boolean | undefined,
  options: Pick<DecodeOptions, 'unitOverrides'> = {}
): AnalogReply {
  // EG4 has no broadcast: its second byte is always the answering pack's group/address.
  return decodeMultiPack(info, profile === 'eg4' ? false : broadcast, analogCodec(profile, options), `42H (${profile})`);
}

export function encodeVariantAnalog(profile: VariantProfile, reply: AnalogReply): Uint8Array {
  return encodeMultiPack(reply, ANALOG_CODECS[profile]);
}

// ---------------------------------------------------------------------------------------------
// 44H. Every dialect starts with M + cell alarms, N + temperature alarms; then they differ.

interface StatusLayout {
  /** Temperatures on the wire beyond the count N (EG4: environment, MOS). */
  uncountedTemps: number;
  /** Pylon has separate charge/discharge current alarms; Seplos and EG4 one combined byte. */
  separateCurrentAlarms: boolean;
  /** Named status fields after the alarm bytes, in wire order, with their width in bytes. */
  fields: readonly { name: string; bytes: 1 | 2 | 4 }[];
  flags: Readonly<Record<string, readonly FlagDef[]>>;
  /** Field and bits for the MOS and heater booleans; heater null when the dialect has none. */
  chargeMos: [string, number];
  dischargeMos: [string, number];
  heater: [string, number] | null;
  /** Balance bits: [first byte field, second byte field] (cells 1–8, 9–16) or one u32 field. */
  balance: { kind: 'bytes'; fields: [string, string] } | { kind: 'u32'; field: string } | null;
  /** The fixed user-defined count P the dialect sends in its 44H, or null when it has none. */
  userDefinedCount: number | null;
  /** Reserved bytes the dialect documents after the fields. */
  reservedBytes: number;
  defaultBlockBytes: number;
}

/** Status fields one byte wide each, in wire order. */
function byteFields(...names: string[]): StatusLayout['fields'] {
  return names.map((name) => ({ name, bytes: 1 }));
}

const PYLON_STATUS: StatusLayout = {
  uncountedTemps: 0,
  separateCurrentAlarms: true,
  fields: byteFields('status1', 'status2', 'status3', 'status4', 'status5'),
  flags: PYLON_FLAGS,
  chargeMos: ['status2', 1],
  dischargeMos: ['status2', 2],
  heater: ['status3', 5],
  balance: null,
  userDefinedCount: null,
  reservedBytes: 0,
  defaultBlockBytes: 1 + 15 + 1 + 5 + 3 + 5
};

const SEPLOS_STATUS: StatusLayout = {
  uncountedTemps: 0,
  separateCurrentAlarms: false,
  fields: byteFields(
    'userDefinedCount',
    'event1',
    'event2',
    'event3',
    'event4',
    'event5',
    'event6',
    'switches',
    'balance1',
    'balance2',
    'system',
    'disconnection1',
    'disconnection2',
    'event7',
    'event8'
  ),
  flags: SEPLOS_FLAGS,
  chargeMos: ['switches', 1],
  dischargeMos: ['switches', 0],
  heater: ['switches', 3],
  balance: { kind: 'bytes', fields: ['balance1', 'balance2'] },
  userDefinedCount: 20,
  reservedBytes: 6,
  defaultBlockBytes: 1 + 16 + 1 + 6 + 2 + 15 + 6
};

const EG4_STATUS: StatusLayout = {
  uncountedTemps: EG4_UNCOUNTED_TEMPS,
  separateCurrentAlarms: false,
  fields: [
    { name: 'userDefinedCount', bytes: 1 },
    { name: 'balanceEvent', bytes: 1 },
    { name: 'voltageEvent', bytes: 1 },
    { name: 'temperatureEvent', bytes: 2 },
    { name: 'currentEvent', bytes: 1 },
    { name: 'remainingCapacity', bytes: 1 },
    { name: 'fetStatus', bytes: 1 },
    { name: 'system', bytes: 1 },
    { name: 'balancing', bytes: 4 }
  ],
  flags: EG4_FLAGS,
  chargeMos: ['fetStatus', 1],
  dischargeMos: ['fetStatus', 0],
  heater: ['fetStatus', 3],
  balance: { kind: 'u32', field: 'balancing' },
  userDefinedCount: 9,
  reservedBytes: 1,
  defaultBlockBytes: 1 + 16 + 1 + 6 + 2 + 13 + 1
};

function bitOf(bytes: Record<string, number>, [field, bit]: [string, number]): boolean {
  return ((bytes[field] ?? 0) & (1 << bit)) !== 0;
}

function statusCodec(layout: StatusLayout): BlockCodec<PackStatus> {
  const fieldBytes = layout.fields.reduce((n, f) => n + f.bytes, 0);
  const alarmBytes = layout.separateCurrentAlarms ? 3 : 2;
  return {
    baseLength: (body, offset) => countedBlockLength(body, offset, 1, alarmBytes + fieldBytes, layout.uncountedTemps),
    decode(r) {
      const m = r.u8('cell count');
      const cells = Array.from(r.take(m, 'cell alarms'));
      const n = r.u8('temperature count');
      const temps = Array.from(r.take(n + layout.uncountedTemps, 'temperature alarms'));
      let chargeCurrent: number;
      let dischargeCurrent: number;
      let packVoltage: number;
      if (layout.separateCurrentAlarms) {
        chargeCurrent = r.u8('charge-current alarm');
        packVoltage = r.u8('pack-voltage alarm');
        dischargeCurrent = r.u8('discharge-current alarm');
      } else {
        chargeCurrent = dischargeCurrent = r.u8('current alarm');
        packVoltage = r.u8('pack-voltage alarm');
      }
      const bytes: Record<string, number> = {};
      for (const f of layout.fields) bytes[f.name] = f.bytes === 1 ? r.u8(f.name) : f.bytes === 2 ? r.u16(f.name) : r.u32(f.name);
      const flags = layout.fields.flatMap((f) => {
        const table = layout.flags[f.name];
        return table ? decodeFlagsWith(table, f.name, bytes[f.name], f.bytes * 8) : [];
      });
      let balancingCells: number[] = [];
      if (layout.balance?.kind === 'bytes')
        balancingCells = balancingCellsOf(bytes[layout.balance.fields[0]], bytes[layout.balance.fields[1]], 'doc');
      else if (layout.balance?.kind === 'u32') {
        const v = bytes[layout.balance.field];
        for (let bit = 0; bit < 32; bit++) if (Math.floor(v / 2 ** bit) % 2 === 1) balancingCells.push(bit + 1);
      }
      const pack: PackStatus = {
        ...alarmsOfCodes({ cells, temps, chargeCurrent, packVoltage, dischargeCurrent }),
        bytes,
        balancingCells,
        flags,
        chargeMosOn: bitOf(bytes, layout.chargeMos),
        dischargeMosOn: bitOf(bytes, layout.dischargeMos),
        heaterOn: layout.heater ? bitOf(bytes, layout.heater) : null,
        empty: false
      };
      keepRest(r, pack);
      return pack;
    },
    encode(w, pack) {
      const codes = pack.alarmCodes;
      writeAlarmLists(w, pack, Math.max(0, pack.tempAlarms.length - layout.uncountedTemps));
      const chg = codes?.chargeCurrent ?? alarmCode(pack.chargeCurrentAlarm);
      const dsg = codes?.dischargeCurrent ?? alarmCode(pack.dischargeCurrentAlarm);
      const volt = codes?.packVoltage ?? alarmCode(pack.packVoltageAlarm);
      if (layout.separateCurrentAlarms) w.u8(chg, 'charge-current alarm').u8(volt, 'pack-voltage alarm').u8(dsg, 'discharge-current alarm');
      else w.u8(chg !== 0 ? chg : dsg, 'current alarm').u8(volt, 'pack-voltage alarm');
      // A byte the caller left out is derived: P from the dialect, the MOS/heater byte from the booleans.
      const derived: Record<string, number> = {};
      if (layout.userDefinedCount !== null) derived.userDefinedCount = layout.userDefinedCount;
      for (const [on, [field, bit]] of [
        [pack.chargeMosOn, layout.chargeMos],
        [pack.dischargeMosOn, layout.dischargeMos],
        [pack.heaterOn === true, layout.heater ?? ['', 0]]
      ] as const) {
        if (field !== '' && on) derived[field] = (derived[field] ?? 0) | (1 << bit);
      }
      for (const f of layout.fields) {
        const v = pack.bytes[f.name] ?? derived[f.name] ?? 0;
        if (f.bytes === 1) w.u8(v, f.name);
        else if (f.bytes === 2) w.u16(v, f.name);
        else w.u32(v, f.name);
      }
      if (pack.extraBytes) w.bytes(pack.extraBytes);
    },
    empty: emptyPackStatus,
    hasLayout: (p) => p.cellAlarms.length > 0,
    defaultBlockBytes: layout.defaultBlockBytes,
    reservedExtra: (p) => Math.min(p.extraBytes?.length ?? 0, layout.reservedBytes)
  };
}

const STATUS_CODECS: Record<VariantProfile, BlockCodec<PackStatus>> = {
  pylon: statusCodec(PYLON_STATUS),
  seplos: statusCodec(SEPLOS_STATUS),
  eg4: statusCodec(EG4_STATUS)
};

export function decodeVariantStatus(profile: VariantProfile, info: Uint8Array, broadcast: boolean | undefined, _options: DecodeOptions): StatusReply {
  return decodeMultiPack(info, profile === 'eg4' ? false : broadcast, STATUS_CODECS[profile], `44H (${profile})`);
}

export function encodeVariantStatus(profile: VariantProfile, reply: StatusReply, _options: DecodeOptions): Uint8Array {
  return encodeMultiPack(reply, STATUS_CODECS[profile]);
}

// ---------------------------------------------------------------------------------------------
// EG4 commands: the address travels only in ADR, INFO is empty (reference §11.3).

/** A request with no INFO. */
export type NoInfoRequest = EmptyRequest;

export const eg4ReadAnalog: Command<NoInfoRequest, AnalogReply> = {
  cid2: 0x42,
  id: 'eg4ReadAnalog',
  title: 'Pack analog values (EG4 LifePower4)',
  kind: 'read',
  encodeRequest: encodeEmpty,
  decodeRequest: decodeEmptyInfo,
  encodeReply: (res) => encodeVariantAnalog('eg4', res),
  decodeReply: (info: Uint8Array, ctx: DecodeContext<NoInfoRequest>) => decodeVariantAnalog('eg4', info, false, ctx.options),
  expectedReplyBytes: () => 2 + eg4Analog.defaultBlockBytes + 16
};

export const eg4ReadStatus: Command<NoInfoRequest, StatusReply> = {
  cid2: 0x44,
  id: 'eg4ReadStatus',
  title: 'Pack alarms and status (EG4 LifePower4)',
  kind: 'read',
  encodeRequest: encodeEmpty,
  decodeRequest: decodeEmptyInfo,
  encodeReply: (res, _req, options) => encodeVariantStatus('eg4', res, options),
  decodeReply: (info: Uint8Array, ctx: DecodeContext<NoInfoRequest>) => decodeVariantStatus('eg4', info, false, ctx.options),
  expectedReplyBytes: () => 2 + EG4_STATUS.defaultBlockBytes + 16
};

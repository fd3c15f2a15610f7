// Value conversions and empty values shared by every 42H/44H dialect (PACE, Pylon, Seplos, EG4).

import type { AlarmLevel, DecodeOptions, PackAnalog, PackStatus } from '../types';
import { roundTo, type ByteReader, type ByteWriter } from './byte-cursor';

/** PACE temperatures are 0.1 K with 273.0 as zero (reference §2.5). */
export const PACE_KELVIN_OFFSET = 2730;
/** Pylontech, Seplos and EG4 use 273.1 K as zero (reference §2.5). */
export const VER20_KELVIN_OFFSET = 2731;
/** A temperature channel that is not fitted reads this. */
const TEMP_ABSENT = 0x8000;

/** Human names for the temperature channels in the pack's order (PACE: T1..T4, MOSFET, ambient). */
export function paceTempLabels(n: number): string[] {
  if (n >= 3) {
    const cells = Array.from({ length: n - 2 }, (_, i) => `Cell T${i + 1}`);
    return [...cells, 'MOSFET', 'Ambient'];
  }
  return Array.from({ length: n }, (_, i) => `T${i + 1}`);
}

export function kelvinTenthsToC(raw: number, offset: number): number | null {
  if (raw === TEMP_ABSENT) return null;
  return roundTo((raw - offset) / 10, 1);
}

export function cToKelvinTenths(temp_C: number | null, offset: number): number {
  if (temp_C === null) return TEMP_ABSENT;
  return Math.round(temp_C * 10) + offset;
}

/**
 * The head of a 42H block: M, the cell voltages (mV), N, then N + `uncountedTemps` temperatures
 * (0.1 K above `offset`; an absent sensor reads null). `tempCount` is N as sent.
 */
export function readCellsAndTemps(
  r: ByteReader,
  offset: number,
  uncountedTemps = 0
): { cells_mV: number[]; tempCount: number; temps_C: (number | null)[] } {
  const m = r.u8('cell count');
  const cells_mV: number[] = [];
  for (let i = 0; i < m; i++) cells_mV.push(r.u16(`cell ${i + 1} voltage`));
  const tempCount = r.u8('temperature count');
  const temps_C: (number | null)[] = [];
  for (let i = 0; i < tempCount + uncountedTemps; i++) temps_C.push(kelvinTenthsToC(r.u16(`temperature ${i + 1}`), offset));
  return { cells_mV, tempCount, temps_C };
}

/**
 * Inverse of readCellsAndTemps. N on the wire is `tempCountOnWire`, which is less than the
 * temperatures written where a dialect sends some uncounted.
 */
export function writeCellsAndTemps(w: ByteWriter, pack: PackAnalog, tempCountOnWire: number, offset: number): void {
  w.u8(pack.cells_mV.length, 'cell count');
  for (const mV of pack.cells_mV) w.u16(Math.round(mV), 'cell voltage');
  w.u8(tempCountOnWire, 'temperature count');
  for (const t of pack.temps_C) w.u16(cToKelvinTenths(t, offset), 'temperature');
}

/** remaining/full and full/design as PbmsTools-compatible tools compute them; SOH clamped to 100 (§5.2). */
export function computedSocSoh(remaining_Ah: number, full_Ah: number, design_Ah: number): { soc_pct: number | null; soh_pct: number | null } {
  // SOC is not clamped: remaining above full is what the pack says and worth seeing.
  const soc_pct = full_Ah > 0 ? roundTo((remaining_Ah / full_Ah) * 100, 1) : null;
  const soh_pct = design_Ah > 0 ? roundTo(Math.min(100, (full_Ah / design_Ah) * 100), 1) : null;
  return { soc_pct, soh_pct };
}

export function emptyPackAnalog(): PackAnalog {
  return {
    cells_mV: [],
    temps_C: [],
    tempLabels: [],
    current_A: 0,
    voltage_V: 0,
    remaining_Ah: 0,
    full_Ah: 0,
    design_Ah: 0,
    cycles: 0,
    soc_pct: null,
    soh_pct: null,
    socSource: null,
    userDefinedCount: 0,
    empty: true
  };
}

export function alarmLevel(code: number): AlarmLevel {
  if (code === 0x00) return 'normal';
  if (code === 0x01) return 'low';
  if (code === 0x02) return 'high';
  if (code >= 0x80 && code <= 0xef) return 'user';
  return 'other';
}

/** The code a level stands for when no raw code is known (user-defined codes collapse to 80H). */
export function alarmCode(level: AlarmLevel): number {
  switch (level) {
    case 'normal':
      return 0x00;
    case 'low':
      return 0x01;
    case 'high':
      return 0x02;
    case 'user':
      return 0x80;
    case 'other':
      return 0xf0;
  }
}

/** 1-based cells whose balance bit is set, per the configured byte order (§6.8, UNCERTAIN). */
export function balancingCellsOf(balance1: number, balance2: number, order: DecodeOptions['balanceByteOrder']): number[] {
  const low = order === 'doc' ? balance1 : balance2; // cells 1–8
  const high = order === 'doc' ? balance2 : balance1; // cells 9–16
  const cells: number[] = [];
  for (let bit = 0; bit < 8; bit++) if (low & (1 << bit)) cells.push(bit + 1);
  for (let bit = 0; bit < 8; bit++) if (high & (1 << bit)) cells.push(bit + 9);
  return cells;
}

/** Inverse of balancingCellsOf: [balance1, balance2]. */
export function balanceBytesOf(cells: readonly number[], order: DecodeOptions['balanceByteOrder']): [number, number] {
  let low = 0;
  let high = 0;
  for (const c of cells) {
    if (c >= 1 && c <= 8) low |= 1 << (c - 1);
    else if (c >= 9 && c <= 16) high |= 1 << (c - 9);
    else throw new RangeError(`cell ${c} has no balance bit (1..16)`);
  }
  return order === 'doc' ? [low, high] : [high, low];
}

/** The raw alarm codes of a 44H block, as decoded from the wire. */
export type AlarmCodes = NonNullable<PackStatus['alarmCodes']>;

/** The alarm part of a PackStatus: each code as a level, and the codes themselves for re-encoding. */
export function alarmsOfCodes(
  codes: AlarmCodes
): Pick<PackStatus, 'cellAlarms' | 'tempAlarms' | 'chargeCurrentAlarm' | 'packVoltageAlarm' | 'dischargeCurrentAlarm' | 'alarmCodes'> {
  return {
    cellAlarms: codes.cells.map(alarmLevel),
    tempAlarms: codes.temps.map(alarmLevel),
    chargeCurrentAlarm: alarmLevel(codes.chargeCurrent),
    packVoltageAlarm: alarmLevel(codes.packVoltage),
    dischargeCurrentAlarm: alarmLevel(codes.dischargeCurrent),
    alarmCodes: codes
  };
}

/**
 * The head of a 44H block: M, the cell alarm codes, N, the temperature alarm codes. A raw code the
 * pack sent wins over its level. N on the wire is `tempCountOnWire` (see writeCellsAndTemps).
 */
export function writeAlarmLists(w: ByteWriter, pack: PackStatus, tempCountOnWire: number): void {
  const codes = pack.alarmCodes;
  w.u8(pack.cellAlarms.length, 'cell count');
  pack.cellAlarms.forEach((level, i) => w.u8(codes?.cells[i] ?? alarmCode(level), 'cell alarm'));
  w.u8(tempCountOnWire, 'temperature count');
  pack.tempAlarms.forEach((level, i) => w.u8(codes?.temps[i] ?? alarmCode(level), 'temperature alarm'));
}

export function emptyPackStatus(): PackStatus {
  return {
    cellAlarms: [],
    tempAlarms: [],
    chargeCurrentAlarm: 'normal',
    packVoltageAlarm: 'normal',
    dischargeCurrentAlarm: 'normal',
    bytes: {},
    balancingCells: [],
    flags: [],
    chargeMosOn: false,
    dischargeMosOn: false,
    heaterOn: null,
    empty: true
  };
}

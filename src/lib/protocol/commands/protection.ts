// Protection parameter groups D0H–E7H (reference §8.1). Reads are the odd codes, writes the code
// minus one with the same layout (except OC level 2 and discharge OC1, noted below). Ranges are
// what PbmsTools 2.4 lets a person enter (nkinnan's captures); delays are in ms in the typed
// values, the short-circuit delay in µs because its wire unit is 25 µs.

import type { Command } from '../command';
import {
  flag,
  InfoReader,
  InfoWriter,
  layout,
  readCommand,
  scaled,
  settingPair,
  temperature,
  writeCommand,
  checkField,
  fromCount,
  toCount,
  type FieldSpec,
  type Layout,
  type WriteAck
} from './payload';

// ---- typed values -----------------------------------------------------------------------------

/** Cell or pack over/under-voltage group (D0–D7). Pack values are in mV as well. */
export interface VoltageProtection {
  /** Function-control byte: protection enabled. */
  enabled: boolean;
  alarm_mV: number;
  protect_mV: number;
  /** The protection clears when the voltage returns past this value. */
  release_mV: number;
  delay_ms: number;
}

/** Charge over-current or discharge over-current level 1 (D8–DB). Currents are magnitudes. */
export interface CurrentProtection {
  enabled: boolean;
  alarm_A: number;
  protect_A: number;
  delay_ms: number;
}

/** Over-current level 2, the fast hardware trip (E3 read). */
export interface OverCurrent2 {
  discharge_A: number;
  dischargeDelay_ms: number;
  charge_A: number;
  chargeDelay_ms: number;
}

/**
 * E2 write. PbmsTools writes only the discharge part (3 bytes, LENID 06); the V3.1 document also
 * allows the 6-byte form (LENID 0C) with the charge part, which is sent when both charge fields
 * are given.
 */
export interface OverCurrent2Write {
  discharge_A: number;
  dischargeDelay_ms: number;
  charge_A?: number;
  chargeDelay_ms?: number;
}

export interface ShortCircuitProtection {
  delay_us: number;
}

/** Cell high- or low-temperature group (DC–DF): separate charge and discharge thresholds. */
export interface CellTemperatureProtection {
  enabled: boolean;
  chargeAlarm_C: number;
  chargeProtect_C: number;
  chargeRelease_C: number;
  dischargeAlarm_C: number;
  dischargeProtect_C: number;
  dischargeRelease_C: number;
}

export interface MosTemperatureProtection {
  enabled: boolean;
  alarm_C: number;
  protect_C: number;
  release_C: number;
}

export interface AmbientTemperatureProtection {
  enabled: boolean;
  lowAlarm_C: number;
  lowProtect_C: number;
  lowRelease_C: number;
  highAlarm_C: number;
  highProtect_C: number;
  highRelease_C: number;
}

// ---- field specs ------------------------------------------------------------------------------

const mV = (field: string, label: string, min: number, max: number): FieldSpec => ({ field, label, unit: 'mV', min, max, step: 1, vendorStep: 10 });
const delay100 = (label: string, min_ms: number, max_ms: number): FieldSpec => ({
  field: 'delay_ms',
  label,
  unit: 'ms',
  min: min_ms,
  max: max_ms,
  step: 100,
  vendorStep: 500
});
const amps = (field: string, label: string, min: number, max: number, vendorStep = 1): FieldSpec => ({
  field,
  label,
  unit: 'A',
  min,
  max,
  step: 1,
  vendorStep
});
const degC = (field: string, label: string, min: number, max: number): FieldSpec => ({
  field,
  label,
  unit: '°C',
  min,
  max,
  step: 0.1,
  vendorStep: 1
});

function voltageLayout(name: string, min_mV: number, max_mV: number): Layout<VoltageProtection> {
  return layout<VoltageProtection>([
    flag('enabled', `${name} protection enabled`),
    scaled('alarm_mV', mV('alarm_mV', `${name} alarm`, min_mV, max_mV)),
    scaled('protect_mV', mV('protect_mV', `${name} protect`, min_mV, max_mV)),
    scaled('release_mV', mV('release_mV', `${name} release`, min_mV, max_mV)),
    scaled('delay_ms', delay100(`${name} delay`, 1000, 20000), 'u8')
  ]);
}

function currentLayout(name: string): Layout<CurrentProtection> {
  return layout<CurrentProtection>([
    flag('enabled', `${name} protection enabled`),
    scaled('alarm_A', amps('alarm_A', `${name} alarm`, 1, 220)),
    scaled('protect_A', amps('protect_A', `${name} protect`, 1, 220)),
    scaled('delay_ms', delay100(`${name} delay`, 500, 25000), 'u8')
  ]);
}

function cellTempLayout(name: string, min_C: number, max_C: number): Layout<CellTemperatureProtection> {
  const t = (key: keyof CellTemperatureProtection & string, label: string) =>
    temperature<CellTemperatureProtection>(key, degC(key, `${name} ${label}`, min_C, max_C));
  return layout<CellTemperatureProtection>([
    flag('enabled', `${name} protection enabled`),
    t('chargeAlarm_C', 'charge alarm'),
    t('chargeProtect_C', 'charge protect'),
    t('chargeRelease_C', 'charge release'),
    t('dischargeAlarm_C', 'discharge alarm'),
    t('dischargeProtect_C', 'discharge protect'),
    t('dischargeRelease_C', 'discharge release')
  ]);
}

export const cellOverVoltageLayout = voltageLayout('Cell OV', 2500, 4500);
export const cellUnderVoltageLayout = voltageLayout('Cell UV', 2000, 3500);
export const packOverVoltageLayout = voltageLayout('Pack OV', 20000, 65000);
export const packUnderVoltageLayout = voltageLayout('Pack UV', 15000, 50000);
export const chargeOverCurrentLayout = currentLayout('Charge OC');
/** The write layout of discharge OC1; the read carries the same numbers negated (see below). */
export const dischargeOverCurrent1Layout = currentLayout('Discharge OC1');
export const cellHighTemperatureLayout = cellTempLayout('Cell high temp', 20, 100);
export const cellLowTemperatureLayout = cellTempLayout('Cell low temp', -35, 30);
export const mosTemperatureLayout = layout<MosTemperatureProtection>([
  flag('enabled', 'MOSFET high temp protection enabled'),
  temperature('alarm_C', degC('alarm_C', 'MOSFET high temp alarm', 30, 120)),
  temperature('protect_C', degC('protect_C', 'MOSFET high temp protect', 30, 120)),
  temperature('release_C', degC('release_C', 'MOSFET high temp release', 30, 120))
]);
export const ambientTemperatureLayout = layout<AmbientTemperatureProtection>([
  flag('enabled', 'Ambient temp protection enabled'),
  temperature('lowAlarm_C', degC('lowAlarm_C', 'Ambient low temp alarm', -35, 30)),
  temperature('lowProtect_C', degC('lowProtect_C', 'Ambient low temp protect', -35, 30)),
  temperature('lowRelease_C', degC('lowRelease_C', 'Ambient low temp release', -35, 30)),
  temperature('highAlarm_C', degC('highAlarm_C', 'Ambient high temp alarm', 20, 100)),
  temperature('highProtect_C', degC('highProtect_C', 'Ambient high temp protect', 20, 100)),
  temperature('highRelease_C', degC('highRelease_C', 'Ambient high temp release', 20, 100))
]);

/** OC level 2: current in A (u16), delay in 25 ms units (u8). */
export const OC2_SPECS = {
  discharge_A: amps('discharge_A', 'Discharge OC2 protect', 5, 300, 5),
  dischargeDelay_ms: { field: 'dischargeDelay_ms', label: 'Discharge OC2 delay', unit: 'ms', min: 100, max: 2000, step: 25, vendorStep: 100 },
  charge_A: amps('charge_A', 'Charge OC2 protect', 5, 300, 5),
  chargeDelay_ms: { field: 'chargeDelay_ms', label: 'Charge OC2 delay', unit: 'ms', min: 100, max: 2000, step: 25, vendorStep: 100 }
} as const satisfies Record<keyof OverCurrent2, FieldSpec>;

/** Short-circuit delay: one count is 25 µs. */
export const SHORT_CIRCUIT_SPEC: FieldSpec = {
  field: 'delay_us',
  label: 'Short-circuit delay',
  unit: 'µs',
  min: 100,
  max: 500,
  step: 25,
  vendorStep: 50
};

// ---- commands ---------------------------------------------------------------------------------

const cellOv = settingPair({
  readCid2: 0xd1,
  writeCid2: 0xd0,
  readId: 'readCellOverVoltage',
  writeId: 'setCellOverVoltage',
  title: 'Cell over-voltage protection',
  layout: cellOverVoltageLayout
});
const cellUv = settingPair({
  readCid2: 0xd3,
  writeCid2: 0xd2,
  readId: 'readCellUnderVoltage',
  writeId: 'setCellUnderVoltage',
  title: 'Cell under-voltage protection',
  layout: cellUnderVoltageLayout
});
const packOv = settingPair({
  readCid2: 0xd5,
  writeCid2: 0xd4,
  readId: 'readPackOverVoltage',
  writeId: 'setPackOverVoltage',
  title: 'Pack over-voltage protection',
  layout: packOverVoltageLayout
});
const packUv = settingPair({
  readCid2: 0xd7,
  writeCid2: 0xd6,
  readId: 'readPackUnderVoltage',
  writeId: 'setPackUnderVoltage',
  title: 'Pack under-voltage protection',
  layout: packUnderVoltageLayout
});
const chgOc = settingPair({
  readCid2: 0xd9,
  writeCid2: 0xd8,
  readId: 'readChargeOverCurrent',
  writeId: 'setChargeOverCurrent',
  title: 'Charge over-current protection',
  layout: chargeOverCurrentLayout
});
const cellHt = settingPair({
  readCid2: 0xdd,
  writeCid2: 0xdc,
  readId: 'readCellHighTemperature',
  writeId: 'setCellHighTemperature',
  title: 'Cell high-temperature protection',
  layout: cellHighTemperatureLayout
});
const cellLt = settingPair({
  readCid2: 0xdf,
  writeCid2: 0xde,
  readId: 'readCellLowTemperature',
  writeId: 'setCellLowTemperature',
  title: 'Cell low-temperature protection',
  layout: cellLowTemperatureLayout
});
const mosHt = settingPair({
  readCid2: 0xe1,
  writeCid2: 0xe0,
  readId: 'readMosTemperature',
  writeId: 'setMosTemperature',
  title: 'MOSFET high-temperature protection',
  layout: mosTemperatureLayout
});
const ambient = settingPair({
  readCid2: 0xe7,
  writeCid2: 0xe6,
  readId: 'readAmbientTemperature',
  writeId: 'setAmbientTemperature',
  title: 'Ambient temperature protection',
  layout: ambientTemperatureLayout
});

/** D1H: read cell over-voltage alarm/protect/release/delay. */
export const readCellOverVoltage: Command<void, VoltageProtection> = cellOv.read;
/** D0H: write cell over-voltage group. */
export const setCellOverVoltage: Command<VoltageProtection, WriteAck> = cellOv.write;
/** D3H / D2H: cell under-voltage. */
export const readCellUnderVoltage: Command<void, VoltageProtection> = cellUv.read;
export const setCellUnderVoltage: Command<VoltageProtection, WriteAck> = cellUv.write;
/** D5H / D4H: pack over-voltage (mV). */
export const readPackOverVoltage: Command<void, VoltageProtection> = packOv.read;
export const setPackOverVoltage: Command<VoltageProtection, WriteAck> = packOv.write;
/** D7H / D6H: pack under-voltage (mV). */
export const readPackUnderVoltage: Command<void, VoltageProtection> = packUv.read;
export const setPackUnderVoltage: Command<VoltageProtection, WriteAck> = packUv.write;
/** D9H / D8H: charge over-current. */
export const readChargeOverCurrent: Command<void, CurrentProtection> = chgOc.read;
export const setChargeOverCurrent: Command<CurrentProtection, WriteAck> = chgOc.write;
/** DDH / DCH: cell high temperature while charging / discharging. */
export const readCellHighTemperature: Command<void, CellTemperatureProtection> = cellHt.read;
export const setCellHighTemperature: Command<CellTemperatureProtection, WriteAck> = cellHt.write;
/** DFH / DEH: cell low temperature while charging / discharging. */
export const readCellLowTemperature: Command<void, CellTemperatureProtection> = cellLt.read;
export const setCellLowTemperature: Command<CellTemperatureProtection, WriteAck> = cellLt.write;
/** E1H / E0H: MOSFET high temperature. */
export const readMosTemperature: Command<void, MosTemperatureProtection> = mosHt.read;
export const setMosTemperature: Command<MosTemperatureProtection, WriteAck> = mosHt.write;
/** E7H / E6H: ambient (environment) low and high temperature. */
export const readAmbientTemperature: Command<void, AmbientTemperatureProtection> = ambient.read;
export const setAmbientTemperature: Command<AmbientTemperatureProtection, WriteAck> = ambient.write;

/**
 * DBH: discharge over-current level 1. The pack reports the currents as negative s16 (it is a
 * discharge direction); the typed value holds magnitudes so it can be written back unchanged.
 */
export const readDischargeOverCurrent1: Command<void, CurrentProtection> = readCommand<CurrentProtection>({
  cid2: 0xdb,
  id: 'readDischargeOverCurrent1',
  title: 'Discharge over-current protection 1',
  decode: (r) => ({
    enabled: r.u8('enabled') !== 0,
    alarm_A: Math.abs(r.s16('alarm_A')),
    protect_A: Math.abs(r.s16('protect_A')),
    delay_ms: r.u8('delay_ms') * 100
  }),
  encode: (res) =>
    new InfoWriter()
      .u8(res.enabled ? 1 : 0)
      .s16(-res.alarm_A)
      .s16(-res.protect_A)
      .u8(toCount(res.delay_ms, 100))
      .finish(),
  replyBytes: dischargeOverCurrent1Layout.size
});

/** DAH: write discharge OC1, currents positive (PbmsTools: `~250046DA400C010069006E0AFAF7`). */
export const setDischargeOverCurrent1: Command<CurrentProtection, WriteAck> = writeCommand<CurrentProtection>({
  cid2: 0xda,
  id: 'setDischargeOverCurrent1',
  title: 'Discharge over-current protection 1',
  kind: 'write',
  encode: (req) => dischargeOverCurrent1Layout.encode(req, true),
  decode: (r) => dischargeOverCurrent1Layout.decode(r)
});

function decodeOc2Pair(r: InfoReader, prefix: 'discharge' | 'charge'): [number, number] {
  const current_A = r.u16(`${prefix}_A`);
  const delay_ms = fromCount(r.u8(`${prefix}Delay_ms`), OC2_SPECS.dischargeDelay_ms.step);
  return [current_A, delay_ms];
}

/** E3H: over-current level 2 for discharge and charge. */
export const readOverCurrent2: Command<void, OverCurrent2> = readCommand<OverCurrent2>({
  cid2: 0xe3,
  id: 'readOverCurrent2',
  title: 'Over-current protection 2',
  decode: (r) => {
    const [discharge_A, dischargeDelay_ms] = decodeOc2Pair(r, 'discharge');
    const [charge_A, chargeDelay_ms] = decodeOc2Pair(r, 'charge');
    return { discharge_A, dischargeDelay_ms, charge_A, chargeDelay_ms };
  },
  encode: (res) =>
    new InfoWriter().u16(res.discharge_A).u8(toCount(res.dischargeDelay_ms, 25)).u16(res.charge_A).u8(toCount(res.chargeDelay_ms, 25)).finish(),
  replyBytes: 6
});

/** E2H: write OC level 2; 3 bytes (discharge only, as PbmsTools) unless the charge part is given. */
export const setOverCurrent2: Command<OverCurrent2Write, WriteAck> = writeCommand<OverCurrent2Write>({
  cid2: 0xe2,
  id: 'setOverCurrent2',
  title: 'Over-current protection 2',
  kind: 'write',
  encode: (req) => {
    checkField(req.discharge_A, OC2_SPECS.discharge_A);
    checkField(req.dischargeDelay_ms, OC2_SPECS.dischargeDelay_ms);
    const w = new InfoWriter().u16(req.discharge_A).u8(toCount(req.dischargeDelay_ms, 25));
    const hasCharge = req.charge_A !== undefined || req.chargeDelay_ms !== undefined;
    if (hasCharge) {
      if (req.charge_A === undefined || req.chargeDelay_ms === undefined) {
        throw new RangeError('Charge OC2 (charge_A, chargeDelay_ms): give both charge fields or neither; the 6-byte write carries both');
      }
      checkField(req.charge_A, OC2_SPECS.charge_A);
      checkField(req.chargeDelay_ms, OC2_SPECS.chargeDelay_ms);
      w.u16(req.charge_A).u8(toCount(req.chargeDelay_ms, 25));
    }
    return w.finish();
  },
  decode: (r) => {
    const [discharge_A, dischargeDelay_ms] = decodeOc2Pair(r, 'discharge');
    if (r.remaining === 0) return { discharge_A, dischargeDelay_ms };
    const [charge_A, chargeDelay_ms] = decodeOc2Pair(r, 'charge');
    return { discharge_A, dischargeDelay_ms, charge_A, chargeDelay_ms };
  }
});

/** E5H: short-circuit delay. */
export const readShortCircuit: Command<void, ShortCircuitProtection> = readCommand<ShortCircuitProtection>({
  cid2: 0xe5,
  id: 'readShortCircuit',
  title: 'Short-circuit protection delay',
  decode: (r) => ({ delay_us: r.u8('delay_us') * SHORT_CIRCUIT_SPEC.step }),
  encode: (res) => new InfoWriter().u8(toCount(res.delay_us, SHORT_CIRCUIT_SPEC.step)).finish(),
  replyBytes: 1
});

/** E4H: write the short-circuit delay. */
export const setShortCircuit: Command<ShortCircuitProtection, WriteAck> = writeCommand<ShortCircuitProtection>({
  cid2: 0xe4,
  id: 'setShortCircuit',
  title: 'Short-circuit protection delay',
  kind: 'write',
  encode: (req) => {
    checkField(req.delay_us, SHORT_CIRCUIT_SPEC);
    return new InfoWriter().u8(toCount(req.delay_us, SHORT_CIRCUIT_SPEC.step)).finish();
  },
  decode: (r) => ({ delay_us: r.u8('delay_us') * SHORT_CIRCUIT_SPEC.step })
});

/** Every protection command, reads and writes. */
export const protectionCommands = [
  readCellOverVoltage,
  setCellOverVoltage,
  readCellUnderVoltage,
  setCellUnderVoltage,
  readPackOverVoltage,
  setPackOverVoltage,
  readPackUnderVoltage,
  setPackUnderVoltage,
  readChargeOverCurrent,
  setChargeOverCurrent,
  readDischargeOverCurrent1,
  setDischargeOverCurrent1,
  readCellHighTemperature,
  setCellHighTemperature,
  readCellLowTemperature,
  setCellLowTemperature,
  readMosTemperature,
  setMosTemperature,
  readOverCurrent2,
  setOverCurrent2,
  readShortCircuit,
  setShortCircuit,
  readAmbientTemperature,
  setAmbientTemperature
] as const;

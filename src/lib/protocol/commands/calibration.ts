// Calibration commands A9H–ADH (V3.1 doc §4.21–4.25). All 'dangerous': a wrong value skews every
// later voltage/current reading and with it SOC and protection. The document leaves units and
// one key value open, so those are options (CalibrationOptions) with the documented reading as
// default; build a different set with createCalibrationCommands() once a real pack has shown
// which reading is right.

import { DecodeError, type Command } from '../command';
import { bytesToHex } from '../hex';
import { checkField, InfoWriter, toCount, fromCount, writeCommand, type FieldSpec, type WriteAck } from './payload';

/** How the AAH zero-point key "4321" goes on the wire. */
export type ZeroCurrentKey = 'decimal' | 'hex';

/** Raw u16 of each key form. */
const ZERO_CURRENT_KEY_RAW: Readonly<Record<ZeroCurrentKey, number>> = { decimal: 4321, hex: 0x4321 };

export interface CalibrationOptions {
  /**
   * AAH key. Default 'decimal' (4321 = 0x10E1): the V3.1 document marks every hex constant with an
   * H suffix ("02H") and writes this one as plain 4321. UNCERTAIN: 'hex' sends 0x4321.
   */
  zeroCurrentKey: ZeroCurrentKey;
  /**
   * ABH/ACH wire unit in mA. Default 10 mA, the protocol's current unit (§2.5). UNCERTAIN: the
   * document gives only raw ranges (ABH 50..600, ACH 50..15000) without a unit.
   */
  currentLsb_mA: number;
  /** ADH wire unit in mV. Default 1 mV like every PACE voltage. UNCERTAIN: not stated. */
  voltageLsb_mV: number;
}

export const DEFAULT_CALIBRATION_OPTIONS: CalibrationOptions = Object.freeze({ zeroCurrentKey: 'decimal', currentLsb_mA: 10, voltageLsb_mV: 1 });

/** A9H: the MCU reference voltage as measured. */
export interface ReferenceCalibration {
  reference_mV: number;
}

/** AAH: zero the current offset with no current flowing. Without `key` the option's form is sent. */
export interface ZeroCurrentCalibration {
  key?: ZeroCurrentKey;
}

/** ABH/ACH: the current flowing right now, as measured by a reference meter. 0 = reset the calibration. */
export interface CurrentCalibration {
  current_A: number;
}

/** ADH: the pack voltage right now, as measured by a reference meter. */
export interface VoltageCalibration {
  voltage_mV: number;
}

/** Sanity bound for an MCU reference (2.5 V and 3.3 V references are usual); not from a document. */
const REFERENCE_SPEC: FieldSpec = { field: 'reference_mV', label: 'Reference voltage', unit: 'mV', min: 1000, max: 5000, step: 1 };

/** Raw ranges from the V3.1 document; 0 = reset. */
const DISCHARGE_CALIBRATION_RAW = { min: 50, max: 600 } as const;
const CHARGE_CALIBRATION_RAW = { min: 50, max: 15000 } as const;

export interface CalibrationCommands {
  calibrateReference: Command<ReferenceCalibration, WriteAck>;
  calibrateZeroCurrent: Command<ZeroCurrentCalibration, WriteAck>;
  calibrateDischargeCurrent: Command<CurrentCalibration, WriteAck>;
  calibrateChargeCurrent: Command<CurrentCalibration, WriteAck>;
  calibrateTotalVoltage: Command<VoltageCalibration, WriteAck>;
}

function u16(v: number): Uint8Array {
  return new InfoWriter().u16(v).finish();
}

function validateOptions(o: CalibrationOptions): void {
  if (o.zeroCurrentKey !== 'decimal' && o.zeroCurrentKey !== 'hex')
    throw new TypeError(`zeroCurrentKey must be 'decimal' or 'hex', got ${String(o.zeroCurrentKey)}`);
  for (const k of ['currentLsb_mA', 'voltageLsb_mV'] as const) {
    if (!(o[k] > 0) || !Number.isFinite(o[k])) throw new RangeError(`${k} must be a positive number, got ${String(o[k])}`);
  }
}

function currentCalibration(
  cid2: number,
  id: string,
  title: string,
  raw: { min: number; max: number },
  lsb_mA: number
): Command<CurrentCalibration, WriteAck> {
  const lsb_A = lsb_mA / 1000;
  const spec: FieldSpec = {
    field: 'current_A',
    label: title,
    unit: 'A',
    min: fromCount(raw.min, lsb_A),
    max: fromCount(raw.max, lsb_A),
    step: lsb_A
  };
  return writeCommand<CurrentCalibration>({
    cid2,
    id,
    title,
    kind: 'dangerous',
    encode: (req) => {
      if (req.current_A === 0) return u16(0);
      try {
        checkField(req.current_A, spec);
      } catch (e) {
        throw new RangeError(`${(e as Error).message} (or 0 to reset the calibration)`, { cause: e });
      }
      return u16(toCount(req.current_A, lsb_A));
    },
    decode: (r) => ({ current_A: fromCount(r.u16('current_A'), lsb_A) })
  });
}

/** Build the calibration commands for one reading of the document's open points. */
export function createCalibrationCommands(options: Partial<CalibrationOptions> = {}): CalibrationCommands {
  const o: CalibrationOptions = { ...DEFAULT_CALIBRATION_OPTIONS, ...options };
  validateOptions(o);
  const lsb_mV = o.voltageLsb_mV;
  const voltageSpec: FieldSpec = {
    field: 'voltage_mV',
    label: 'Total voltage calibration',
    unit: 'mV',
    min: 20000,
    max: Math.min(65000, 0xffff * lsb_mV),
    step: lsb_mV
  };

  return {
    calibrateReference: writeCommand<ReferenceCalibration>({
      cid2: 0xa9,
      id: 'calibrateReference',
      title: 'Calibrate reference voltage',
      kind: 'dangerous',
      encode: (req) => {
        checkField(req.reference_mV, REFERENCE_SPEC);
        return u16(req.reference_mV);
      },
      decode: (r) => ({ reference_mV: r.u16('reference_mV') })
    }),
    calibrateZeroCurrent: writeCommand<ZeroCurrentCalibration>({
      cid2: 0xaa,
      id: 'calibrateZeroCurrent',
      title: 'Current zero calibration',
      kind: 'dangerous',
      encode: (req) => {
        const key = req?.key ?? o.zeroCurrentKey;
        if (key !== 'decimal' && key !== 'hex')
          throw new RangeError(`Zero calibration key (key) = ${String(key)} is not one of the allowed values decimal, hex`);
        return u16(ZERO_CURRENT_KEY_RAW[key]);
      },
      decode: (r) => {
        const raw = r.u16('key');
        if (raw === ZERO_CURRENT_KEY_RAW.decimal) return { key: 'decimal' };
        if (raw === ZERO_CURRENT_KEY_RAW.hex) return { key: 'hex' };
        throw new DecodeError(`AAH zero calibration: key ${bytesToHex([raw >> 8, raw & 0xff])} is neither 4321 (10E1) nor 4321H`);
      }
    }),
    calibrateDischargeCurrent: currentCalibration(
      0xab,
      'calibrateDischargeCurrent',
      'Calibrate discharge current',
      DISCHARGE_CALIBRATION_RAW,
      o.currentLsb_mA
    ),
    calibrateChargeCurrent: currentCalibration(0xac, 'calibrateChargeCurrent', 'Calibrate charge current', CHARGE_CALIBRATION_RAW, o.currentLsb_mA),
    calibrateTotalVoltage: writeCommand<VoltageCalibration>({
      cid2: 0xad,
      id: 'calibrateTotalVoltage',
      title: 'Calibrate total voltage',
      kind: 'dangerous',
      encode: (req) => {
        checkField(req.voltage_mV, voltageSpec);
        return u16(toCount(req.voltage_mV, lsb_mV));
      },
      decode: (r) => ({ voltage_mV: fromCount(r.u16('voltage_mV'), lsb_mV) })
    })
  };
}

const defaults = createCalibrationCommands();

/** A9H with the default options. */
export const calibrateReference = defaults.calibrateReference;
/** AAH with the default (decimal 4321) key. */
export const calibrateZeroCurrent = defaults.calibrateZeroCurrent;
/** ABH with 10 mA units. */
export const calibrateDischargeCurrent = defaults.calibrateDischargeCurrent;
/** ACH with 10 mA units. */
export const calibrateChargeCurrent = defaults.calibrateChargeCurrent;
/** ADH with mV units. */
export const calibrateTotalVoltage = defaults.calibrateTotalVoltage;

export const calibrationCommands = [
  calibrateReference,
  calibrateZeroCurrent,
  calibrateDischargeCurrent,
  calibrateChargeCurrent,
  calibrateTotalVoltage
] as const;

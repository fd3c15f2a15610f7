// What the BMS's ADCs read: the physics' true values plus fixed per-board errors (a current-sensor
// offset and gain, a pack-voltage divider gain, cell channel offsets) and a little noise. The
// calibration commands (AAH/ABH/ACH/ADH) correct the errors, so calibrating over the wire visibly
// changes the readings.

import type { PackModel } from './pack-model';
import type { Rng } from './rng';

export interface SensorReadings {
  cells_mV: number[];
  temps_C: (number | null)[];
  current_A: number;
  packVoltage_mV: number;
}

/** Firmware-side corrections that calibration writes. */
export interface Calibration {
  currentOffset_A: number;
  chargeGain: number;
  dischargeGain: number;
  voltageGain: number;
}

const NEUTRAL_CALIBRATION: Calibration = { currentOffset_A: 0, chargeGain: 1, dischargeGain: 1, voltageGain: 1 };

/** A calibration request the firmware turns down (no current flowing to calibrate against). */
export class CalibrationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalibrationRefused';
  }
}

export class Sensors {
  readonly #noise: Rng;
  readonly #currentOffset_A: number;
  readonly #chargeGainError: number;
  readonly #dischargeGainError: number;
  readonly #voltageGainError: number;
  readonly #cellOffset_mV: number[];
  calibration: Calibration = { ...NEUTRAL_CALIBRATION };
  /** Latest raw current (before calibration), kept for the calibration commands. */
  #lastRawCurrent_A = 0;
  #lastRawVoltage_mV = 0;

  constructor(rng: Rng, cellCount: number) {
    // Board errors are fixed at manufacture; noise is a separate stream.
    this.#currentOffset_A = rng.normal(0, 0.08);
    this.#chargeGainError = 1 + rng.normal(0, 0.004);
    this.#dischargeGainError = 1 + rng.normal(0, 0.004);
    this.#voltageGainError = 1 + rng.normal(0, 0.0015);
    this.#cellOffset_mV = Array.from({ length: cellCount }, () => rng.normal(0, 1.2));
    this.#noise = rng.fork('noise');
  }

  read(model: PackModel): SensorReadings {
    const true_mV = model.cellVoltages_mV();
    const cells_mV = true_mV.map((v, i) => Math.round(v + this.#cellOffset_mV[i] + this.#noise.normal(0, 0.6)));
    const temps_C = model.sensorTemps_C().map((t) => (t === null ? null : t + this.#noise.normal(0, 0.04)));
    const trueI = model.current_A;
    const raw = trueI * (trueI >= 0 ? this.#chargeGainError : this.#dischargeGainError) + this.#currentOffset_A + this.#noise.normal(0, 0.01);
    this.#lastRawCurrent_A = raw;
    const c = this.calibration;
    const zeroed = raw + c.currentOffset_A;
    const current_A = zeroed * (zeroed >= 0 ? c.chargeGain : c.dischargeGain);
    let sum_mV = 0;
    for (const v of true_mV) sum_mV += v;
    this.#lastRawVoltage_mV = sum_mV * this.#voltageGainError;
    const packVoltage_mV = Math.round(this.#lastRawVoltage_mV * c.voltageGain);
    return { cells_mV, temps_C, current_A, packVoltage_mV };
  }

  /** AAH: the current flowing now is zero. */
  calibrateZero(): void {
    this.calibration.currentOffset_A = -this.#lastRawCurrent_A;
  }

  /** ABH / ACH: the current flowing now is `actual_A` (magnitude); 0 resets the gain. */
  calibrateCurrent(direction: 'charge' | 'discharge', actual_A: number): void {
    const key = direction === 'charge' ? 'chargeGain' : 'dischargeGain';
    if (actual_A === 0) {
      this.calibration[key] = 1;
      return;
    }
    const zeroed = this.#lastRawCurrent_A + this.calibration.currentOffset_A;
    const flowing = direction === 'charge' ? zeroed : -zeroed;
    if (flowing < 1) throw new CalibrationRefused(`no ${direction} current flowing to calibrate against`);
    this.calibration[key] = actual_A / flowing;
  }

  /** ADH: the pack voltage now is `actual_mV`. */
  calibrateVoltage(actual_mV: number): void {
    if (this.#lastRawVoltage_mV <= 0) throw new CalibrationRefused('no pack voltage reading yet');
    this.calibration.voltageGain = actual_mV / this.#lastRawVoltage_mV;
  }
}

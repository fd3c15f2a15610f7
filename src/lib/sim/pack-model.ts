// Physics of one pack: a string of cells, a lumped thermal model (cell stack, MOSFET board,
// surroundings), a heating film and passive balancing resistors. It knows nothing about the BMS
// rules or the protocol; the BMS decides (MOSFETs, bleeding, heater) and this module obeys.

import { type Cell, cellEmf_mV, cellHeat_W, cellR0_mOhm, stepCell } from './cell';
import type { Rng } from './rng';

export type SensorFault =
  /** Broken wire: the divider reads far below any real temperature. */
  | 'open'
  /** Shorted thermistor: reads far above. */
  | 'short'
  /** Not fitted: the BMS reports 0x8000. */
  | 'absent';

/** What a failed NTC reads as (°C) before the BMS notices. */
const NTC_OPEN_READING_C = -50;
const NTC_SHORT_READING_C = 150;

export interface PackModelOptions {
  rng: Rng;
  /** Cells in series, 15 or 16. */
  cellCount: number;
  /** Thermistors on the cells (4 on classic PACE boards, 6 on 8-sensor boards). */
  cellSensorCount: number;
  design_Ah: number;
  /** Starting state of charge (fraction). */
  initialSoc: number;
  ambient_C: number;
}

/** Resistance of FETs, shunt, busbars and terminals in series with the cells. */
const SERIES_mOhm = 2.0;
/** FET path alone (it is what heats the MOSFET sensor). */
const MOS_mOhm = 0.8;
/** Cell stack: about 45 kg of cells and metal. */
const STACK_HEAT_CAPACITY_J_PER_K = 45_000;
const STACK_COOLING_W_PER_K = 4.0;
/** MOSFET board with its heatsink. */
const MOS_HEAT_CAPACITY_J_PER_K = 200;
const MOS_COOLING_W_PER_K = 0.6;
/** Balancing resistor per cell (≈ 100 mA at 3.4 V). */
const BLEED_OHM = 33;

export class PackModel {
  readonly cells: Cell[];
  readonly cellSensorCount: number;
  /** Lumped temperature of the cell stack. */
  block_C: number;
  mos_C: number;
  /** Air around this pack (the scenario sets it). */
  ambient_C: number;
  /** 1 = normal; below 1 a pack that cannot shed heat (blocked vents, hot cabinet). */
  coolingFactor = 1;
  /** Extra multiplier on every cell's R0 (an aged or badly torqued pack runs hot). */
  resistanceFactor = 1;
  heaterOn = false;
  heater_W = 120;
  /** Cells whose balancing resistor is switched on (set by the BMS). */
  bleeding: boolean[];
  /** Pack current of the last step, + into the pack. */
  current_A = 0;
  /**
   * Energy through the pack's terminals since it was built (Wh), integrated at every physics step
   * from the true current and terminal voltage: what a perfect meter on its DC cable would count.
   * No BMS reports it; tests hold the app's statistics (from sampled, measured values) against it.
   */
  energyCharged_Wh = 0;
  energyDischarged_Wh = 0;
  /** Signed energy of the last step (Wh, + into the pack), for the bank's own meter at the bus. */
  lastStepEnergy_Wh = 0;
  /** Per-thermistor mounting offsets and how strongly each feels the stack's self-heating. */
  readonly #sensorOffset_C: number[];
  readonly #sensorGradient: number[];
  /** Faults on [cell sensors..., MOSFET, ambient]. */
  readonly sensorFaults: (SensorFault | null)[];
  #heat_W = 0;

  constructor(o: PackModelOptions) {
    const rng = o.rng;
    this.cellSensorCount = o.cellSensorCount;
    this.cells = [];
    for (let i = 0; i < o.cellCount; i++) {
      // A graded batch: capacity a little above nameplate, ±1 %; SOC within ±1.5 % after assembly.
      const capacity_Ah = o.design_Ah * (1.03 + rng.normal(0, 0.006));
      this.cells.push({
        soc: clamp(o.initialSoc + rng.normal(0, 0.006), 0.01, 1),
        capacity_Ah,
        r0_mOhm: 0.25 * (1 + rng.normal(0, 0.05)),
        rp_mOhm: 0.35 * (1 + rng.normal(0, 0.05)),
        tauP_s: 60,
        vp_mV: 0
      });
    }
    this.bleeding = new Array<boolean>(o.cellCount).fill(false);
    this.block_C = o.ambient_C;
    this.mos_C = o.ambient_C;
    this.ambient_C = o.ambient_C;
    this.#sensorOffset_C = [];
    this.#sensorGradient = [];
    for (let i = 0; i < o.cellSensorCount; i++) {
      this.#sensorOffset_C.push(rng.normal(0, 0.25));
      // Sensors in the middle of the stack see more of its heat than those at the ends.
      const middle = 1 - Math.abs((i + 0.5) / o.cellSensorCount - 0.5) * 2;
      this.#sensorGradient.push(0.1 * middle - 0.05);
    }
    this.sensorFaults = new Array<SensorFault | null>(o.cellSensorCount + 2).fill(null);
  }

  get cellCount(): number {
    return this.cells.length;
  }

  /** Open-circuit EMF of the string including polarisation (V). */
  emf_V(): number {
    let mV = 0;
    for (const c of this.cells) mV += cellEmf_mV(c);
    return mV / 1000;
  }

  /** Internal resistance seen from the terminals (Ω). */
  resistance_Ohm(): number {
    let mOhm = SERIES_mOhm;
    for (const c of this.cells) mOhm += cellR0_mOhm(c, this.block_C) * this.resistanceFactor;
    return mOhm / 1000;
  }

  /** Heat dissipated in the last step (W), for tests and the demo. */
  get heat_W(): number {
    return this.#heat_W;
  }

  /** Cell terminal voltages at the last step's current, with the bleed current subtracted. */
  cellVoltages_mV(): number[] {
    return this.cells.map((c, i) => {
      const through = this.current_A - (this.bleeding[i] ? this.#bleed_A(c) : 0);
      return cellEmf_mV(c) + through * cellR0_mOhm(c, this.block_C) * this.resistanceFactor;
    });
  }

  /** Terminal voltage of the whole string (V): the sum of cellVoltages_mV() without the array. */
  terminal_V(): number {
    let mV = 0;
    for (let i = 0; i < this.cells.length; i++) {
      const c = this.cells[i];
      const through = this.current_A - (this.bleeding[i] ? this.#bleed_A(c) : 0);
      mV += cellEmf_mV(c) + through * cellR0_mOhm(c, this.block_C) * this.resistanceFactor;
    }
    return mV / 1000 + (this.current_A * SERIES_mOhm) / 1000;
  }

  #bleed_A(c: Cell): number {
    return cellEmf_mV(c) / 1000 / BLEED_OHM;
  }

  /** Advance by dt with a constant pack current (+ charging). */
  step(current_A: number, dt_s: number): void {
    this.current_A = current_A;
    let cellHeat = 0;
    let bleedHeat = 0;
    for (let i = 0; i < this.cells.length; i++) {
      const c = this.cells[i];
      let through = current_A;
      if (this.bleeding[i]) {
        const bleed = this.#bleed_A(c);
        through -= bleed;
        bleedHeat += bleed * bleed * BLEED_OHM;
      }
      cellHeat += cellHeat_W(c, through, this.block_C) * this.resistanceFactor;
      stepCell(c, through, dt_s, this.block_C);
    }
    const seriesHeat = (current_A * current_A * (SERIES_mOhm - MOS_mOhm)) / 1000;
    const mosHeat = (current_A * current_A * MOS_mOhm) / 1000 + bleedHeat;
    const heaterHeat = this.heaterOn ? this.heater_W : 0;
    this.#heat_W = cellHeat + seriesHeat + mosHeat + heaterHeat;

    // Explicit Euler is stable here: the shortest thermal time constant (MOSFET board) is
    // C/G ≈ 330 s against steps of at most a few seconds.
    const g = STACK_COOLING_W_PER_K * this.coolingFactor;
    const dBlock = (cellHeat + seriesHeat + heaterHeat - g * (this.block_C - this.ambient_C)) / STACK_HEAT_CAPACITY_J_PER_K;
    const gm = MOS_COOLING_W_PER_K * this.coolingFactor;
    const dMos = (mosHeat - gm * (this.mos_C - this.ambient_C) - 0.2 * (this.mos_C - this.block_C)) / MOS_HEAT_CAPACITY_J_PER_K;
    this.block_C += dBlock * dt_s;
    this.mos_C += dMos * dt_s;

    // At the step's current; the cells move it by microvolts within a step.
    const energy_Wh = (current_A * this.terminal_V() * dt_s) / 3600;
    this.lastStepEnergy_Wh = energy_Wh;
    if (energy_Wh > 0) this.energyCharged_Wh += energy_Wh;
    else this.energyDischarged_Wh -= energy_Wh;
  }

  /**
   * What each thermistor reads (°C) before ADC noise: cell sensors, then MOSFET, then ambient.
   * A failed sensor reads its failure value; an absent one reads null.
   */
  sensorTemps_C(): (number | null)[] {
    const out: (number | null)[] = [];
    const rise = this.block_C - this.ambient_C;
    for (let i = 0; i < this.cellSensorCount; i++) out.push(this.block_C + this.#sensorOffset_C[i] + this.#sensorGradient[i] * rise);
    out.push(this.mos_C);
    // The ambient sensor sits on the BMS board, a little warmer than the air.
    out.push(this.ambient_C + 0.3 + 0.05 * (this.mos_C - this.ambient_C));
    return out.map((t, i) => {
      const f = this.sensorFaults[i];
      if (f === 'absent') return null;
      if (f === 'open') return NTC_OPEN_READING_C;
      if (f === 'short') return NTC_SHORT_READING_C;
      return t;
    });
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

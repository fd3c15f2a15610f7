// One LiFePO4 cell as an equivalent circuit: OCV(SOC) + ohmic R0 + one RC polarisation branch.
// Current is positive into the cell (charging), as on the wire.

import { ocv_mV, OCV_SOC_MAX, OCV_SOC_MIN } from './ocv';

export interface Cell {
  /** True state of charge as a fraction of this cell's own capacity; may exceed 1 when overcharged. */
  soc: number;
  capacity_Ah: number;
  /** Ohmic resistance at 25 °C. */
  r0_mOhm: number;
  /** Polarisation resistance (the slow voltage sag/rise under sustained current). */
  rp_mOhm: number;
  tauP_s: number;
  /** Polarisation voltage state, positive while charging. */
  vp_mV: number;
}

/** Resistance grows as the cell gets cold (roughly doubling from 25 °C to 0 °C for LFP). */
export function resistanceFactor(temp_C: number): number {
  const t = Math.max(-30, Math.min(60, temp_C));
  return Math.exp(0.025 * (25 - t));
}

export function cellR0_mOhm(cell: Cell, temp_C: number): number {
  return cell.r0_mOhm * resistanceFactor(temp_C);
}

/** EMF seen from the terminals before the ohmic drop: OCV plus polarisation. */
export function cellEmf_mV(cell: Cell): number {
  return ocv_mV(cell.soc) + cell.vp_mV;
}

/** Heat the cell dissipates at this current (W). */
export function cellHeat_W(cell: Cell, current_A: number, temp_C: number): number {
  const r0 = cellR0_mOhm(cell, temp_C) / 1000;
  return current_A * current_A * r0 + Math.abs(current_A * cell.vp_mV) / 1000;
}

/** Advance the cell by dt with a constant current; the RC branch is integrated exactly. */
export function stepCell(cell: Cell, current_A: number, dt_s: number, temp_C: number): void {
  const rp = cell.rp_mOhm * resistanceFactor(temp_C);
  const target = current_A * rp;
  cell.vp_mV = target + (cell.vp_mV - target) * Math.exp(-dt_s / cell.tauP_s);
  cell.soc += (current_A * dt_s) / 3600 / cell.capacity_Ah;
  // The OCV table ends somewhere; a cell driven past it stays at the end (it would be destroyed).
  if (cell.soc < OCV_SOC_MIN) cell.soc = OCV_SOC_MIN;
  if (cell.soc > OCV_SOC_MAX) cell.soc = OCV_SOC_MAX;
}

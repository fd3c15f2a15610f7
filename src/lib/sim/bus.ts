// The DC bus of a parallel bank: every pack is a Thevenin source (EMF, internal resistance) behind
// its MOSFETs, and the inverter is a current sink/source or a CC-CV charger. Solving for the bus
// voltage gives each pack's share, so a pack whose MOSFET opens hands its load to the others, and
// packs at different charge exchange current at rest, as real parallel banks do.

export interface BusPack {
  emf_V: number;
  resistance_Ohm: number;
  /** Charge MOSFET conducts (with it open, only discharge current flows, through the body diode). */
  canCharge: boolean;
  canDischarge: boolean;
  /** Charge current ceiling from the pack's current limiter, if engaged (A, positive). */
  chargeLimit_A?: number;
}

export type BusDemand =
  /** The inverter draws (negative) or pushes (positive) this current into the bank. */
  | { kind: 'current'; current_A: number }
  /** A charger: constant current up to `current_A`, then constant voltage at `voltage_V`. */
  | { kind: 'cccv'; current_A: number; voltage_V: number };

export interface BusSolution {
  busVoltage_V: number;
  /** Per pack, + into the pack. */
  currents_A: number[];
}

function packCurrent(p: BusPack, v: number): number {
  let i = (v - p.emf_V) / p.resistance_Ohm;
  if (i > 0 && !p.canCharge) i = 0;
  if (i < 0 && !p.canDischarge) i = 0;
  if (p.chargeLimit_A !== undefined && i > p.chargeLimit_A) i = p.chargeLimit_A;
  return i;
}

function total(packs: readonly BusPack[], v: number): number {
  let s = 0;
  for (const p of packs) s += packCurrent(p, v);
  return s;
}

/** Bus voltage at which the packs together take `target_A` (monotonic in V, so bisection). */
function voltageForCurrent(packs: readonly BusPack[], target_A: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of packs) {
    lo = Math.min(lo, p.emf_V);
    hi = Math.max(hi, p.emf_V);
  }
  // 60 V either side drives thousands of amps through milliohms: far beyond any demand.
  lo -= 60;
  hi += 60;
  for (let k = 0; k < 80; k++) {
    const mid = (lo + hi) / 2;
    if (total(packs, mid) < target_A) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function solveBus(packs: readonly BusPack[], demand: BusDemand): BusSolution {
  if (packs.length === 0) return { busVoltage_V: 0, currents_A: [] };
  let v = voltageForCurrent(packs, demand.current_A);
  if (demand.kind === 'cccv' && v > demand.voltage_V) v = demand.voltage_V;
  const currents_A = packs.map((p) => packCurrent(p, v));
  // When no pack can take the demand (all blocked) the solver runs to its bound; what a meter on
  // the bus would show then is the nearest pack's voltage, not that bound.
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of packs) {
    lo = Math.min(lo, p.emf_V - 2);
    hi = Math.max(hi, p.emf_V + 2);
  }
  return { busVoltage_V: Math.min(hi, Math.max(lo, v)), currents_A };
}

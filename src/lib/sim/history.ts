// The pack's event log, read back with A1H (index 0 = newest). The firmware writes a record at
// power-on and whenever a protection, warning or fault byte changes; the EEPROM holds a fixed
// number and overwrites the oldest.
//
// A demo pack should not look brand new, so the bank invents weeks of plausible past before its
// RTC start (planPastDays + inventPastLog): a home bank on solar. The days are shared by the
// bank (the weather, the evening load, a power cut restart every pack at once); what each pack
// records on those days is its own (which pack warns of a high cell, when exactly it is full).

import { ocv_mV } from './ocv';
import type { Rng } from './rng';

export interface HistoryEntry {
  /** RTC time of the record, Unix epoch ms (UTC). */
  time_ms: number;
  cells_mV: number[];
  temps_C: (number | null)[];
  current_A: number;
  voltage_mV: number;
  remaining_Ah: number;
  full_Ah: number;
  protection1: number;
  protection2: number;
  fault: number;
  warning1: number;
  warning2: number;
  indication: number;
  cycles: number;
  fault8: number;
  fault10: number;
  /** Status record bit 0: the record was written at power-on. */
  powerOn: boolean;
}

/** Records a PACE pack keeps (nkinnan read about 400). */
const DEFAULT_HISTORY_CAPACITY = 400;

export class History {
  readonly capacity: number;
  /** Oldest first. */
  #entries: HistoryEntry[] = [];

  constructor(capacity = DEFAULT_HISTORY_CAPACITY) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#entries.length;
  }

  push(entry: HistoryEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
  }

  /** Record `index` counted from the newest (0); undefined past the oldest. */
  get(index: number): HistoryEntry | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.#entries.length) return undefined;
    return this.#entries[this.#entries.length - 1 - index];
  }

  clear(): void {
    this.#entries = [];
  }
}

// ---- the invented past -----------------------------------------------------------------------

/** One day of the bank's past, as every pack lived it. Hours are RTC wall-clock hours. */
export interface PastDay {
  /** 1 = the day before the RTC start. */
  daysAgo: number;
  /** Solar charging starts. */
  chargeStart_h: number;
  /** The bank reaches full charge; null on a dull day. */
  full_h: number | null;
  /** The evening load starts. */
  evening_h: number;
  /** The night ran the packs down to low SOC before dawn. */
  lowSocAt_h: number | null;
  /** Afternoon heat in the battery room (charge high-temperature warnings). */
  hot: boolean;
  /** A frosty morning (charge low-temperature warning until the room warms). */
  coldMorning: boolean;
  /** A large load (oven, heat pump start) in the evening. */
  bigLoad_h: number | null;
  /** Mains cut and restored: every pack restarts (power-on records). */
  restart_h: number | null;
}

export function planPastDays(rng: Rng, days: number): PastDay[] {
  const plan: PastDay[] = [];
  for (let d = days; d >= 1; d--) {
    const sunny = rng.chance(0.75);
    const chargeStart_h = rng.uniform(7.5, 9.5);
    plan.push({
      daysAgo: d,
      chargeStart_h,
      full_h: sunny ? rng.uniform(12, 15.5) : null,
      evening_h: rng.uniform(17, 20),
      lowSocAt_h: rng.chance(0.3) ? rng.uniform(4.5, Math.min(7, chargeStart_h - 0.5)) : null,
      hot: sunny && rng.chance(0.12),
      coldMorning: rng.chance(0.07),
      bigLoad_h: rng.chance(0.15) ? rng.uniform(18, 21) : null,
      restart_h: rng.chance(0.025) ? rng.uniform(0, 23) : null
    });
  }
  return plan;
}

type StatusByte = 'protection1' | 'protection2' | 'fault' | 'warning1' | 'warning2';
interface Change {
  t_h: number;
  byte?: StatusByte;
  bit?: number;
  on?: boolean;
  powerOn?: boolean;
}

/** How the pack is running at `t_h` on a day: current (+ charging), state of charge, cell temperature. */
function operating(day: PastDay, t_h: number): { current_A: number; soc: number; temp_C: number } {
  const morningSoc = day.lowSocAt_h !== null ? 0.04 : 0.2;
  const eveningSoc = 0.92;
  const full = day.full_h ?? 16.5;
  const topSoc = day.full_h === null ? 0.85 : 1;
  let current_A: number;
  let soc: number;
  if (t_h < day.chargeStart_h) {
    current_A = -7;
    soc = eveningSoc * 0.45 + (morningSoc - eveningSoc * 0.45) * (t_h / day.chargeStart_h);
  } else if (t_h < full) {
    current_A = 35;
    soc = morningSoc + (topSoc - morningSoc) * ((t_h - day.chargeStart_h) / (full - day.chargeStart_h));
  } else if (t_h < day.evening_h) {
    current_A = day.full_h === null ? 3 : 0.5;
    soc = topSoc;
  } else {
    current_A = -22;
    soc = topSoc - (topSoc - eveningSoc * 0.45) * ((t_h - day.evening_h) / (24 - day.evening_h));
  }
  const temp_C =
    23 + 3 * Math.sin(((t_h - 9) / 24) * 2 * Math.PI) + (day.hot && t_h > 13 && t_h < 18 ? 24 : 0) - (day.coldMorning && t_h < 10 ? 23 : 0);
  return { current_A, soc: Math.min(1, Math.max(0.01, soc)), temp_C };
}

/** What this pack records on one day: a change of a status bit is a record. */
function changesOf(day: PastDay, rng: Rng, weakness: number): Change[] {
  const out: Change[] = [];
  const jitter = () => rng.normal(0, 0.05);
  const pulse = (t_h: number, byte: StatusByte, bit: number, length_h: number) => {
    out.push({ t_h, byte, bit, on: true }, { t_h: t_h + length_h, byte, bit, on: false });
  };
  if (day.coldMorning) pulse(day.chargeStart_h - 0.2 + jitter(), 'warning2', 2, 1.5 + rng.uniform(0, 1));
  if (day.lowSocAt_h !== null) {
    const t = day.lowSocAt_h + jitter();
    pulse(t, 'warning2', 7, day.chargeStart_h + 0.3 - t);
    if (rng.chance(0.15 + weakness)) pulse(t + 0.3, 'warning1', 1, day.chargeStart_h - t);
  }
  if (day.full_h !== null) {
    const full = day.full_h + jitter();
    // Near the top one cell runs ahead of the others: a high-voltage warning, rarely a protection.
    if (rng.chance(0.2 + weakness)) {
      pulse(full - 0.15, 'warning1', 0, 0.1);
      if (rng.chance(0.15 + weakness)) pulse(full - 0.1, 'protection1', 0, 0.05);
    }
    out.push({ t_h: full, byte: 'protection2', bit: 7, on: true }, { t_h: day.evening_h + jitter(), byte: 'protection2', bit: 7, on: false });
  }
  if (day.hot) {
    const t = rng.uniform(13.5, 15);
    pulse(t, 'warning2', 0, rng.uniform(0.8, 2));
    if (rng.chance(0.2)) pulse(t + 0.4, 'warning2', 6, 0.5);
  }
  if (day.bigLoad_h !== null) {
    pulse(day.bigLoad_h + jitter() / 5, 'warning1', 5, 0.03);
    // Discharge over-current protection recovers by itself after its delay.
    if (rng.chance(0.1)) pulse(day.bigLoad_h + 0.02, 'protection1', 5, 0.02);
  }
  if (day.restart_h !== null) out.push({ t_h: day.restart_h + rng.uniform(0, 0.002), powerOn: true });
  // Once in a long while a loose sensor plug reports an NTC fault for an hour.
  if (rng.chance(0.004)) pulse(rng.uniform(0, 22), 'fault', 2, 1);
  return out.filter((c) => c.t_h > 0 && c.t_h < 24).sort((a, b) => a.t_h - b.t_h);
}

export interface PastLogOptions {
  plan: readonly PastDay[];
  /** This pack's own randomness. */
  rng: Rng;
  /** RTC time now (ms): day `daysAgo` starts at the midnight that many days before. */
  now_ms: number;
  /** The pack as it is now: cell and sensor counts, capacities, cycle count. */
  now: HistoryEntry;
}

/** The pack's invented past, oldest first: a power-on, then each planned day's records. */
export function inventPastLog(o: PastLogOptions): HistoryEntry[] {
  const { rng, now } = o;
  const day_ms = 86_400_000;
  const today = Math.floor(o.now_ms / day_ms) * day_ms;
  // A weaker pack (one cell a little off) warns more often than its neighbours.
  const weakness = rng.chance(0.25) ? rng.uniform(0.1, 0.3) : 0;
  const days = o.plan.length;
  const state: Record<StatusByte, number> = { protection1: 0, protection2: 0, fault: 0, warning1: 0, warning2: 0 };
  const entry = (day: PastDay, t_h: number, powerOn: boolean): HistoryEntry => {
    const op = operating(day, t_h);
    // The cell that runs ahead (cell 1 here) is the one the voltage flags are about.
    const lead_mV = state.protection1 & 0b01 ? 260 : state.warning1 & 0b01 ? 150 : state.protection1 & 0b10 ? -600 : state.warning1 & 0b10 ? -300 : 0;
    const load_mV = op.current_A > 0 ? 40 : op.current_A < 0 ? -25 : 0;
    const cells_mV = now.cells_mV.map((_, i) => Math.round(ocv_mV(op.soc) + load_mV + rng.normal(0, 3) + (i === 0 ? lead_mV : 0)));
    const full_Ah = Math.round((now.full_Ah + 0.004 * day.daysAgo) * 100) / 100;
    // Protections open a MOSFET: no current through it while they hold.
    const chargeBlocked = (state.protection1 & 0b1) !== 0 || (state.protection2 & 0b0001) !== 0;
    const dischargeBlocked = (state.protection1 & 0b10_0010) !== 0;
    const current_A = op.current_A > 0 && chargeBlocked ? 0 : op.current_A < 0 && dischargeBlocked ? 0 : op.current_A;
    return {
      time_ms: today - day.daysAgo * day_ms + Math.round(t_h * 3_600_000),
      cells_mV,
      temps_C: now.temps_C.map((t) => (t === null ? null : Math.round((op.temp_C + rng.normal(0, 0.4)) * 10) / 10)),
      current_A: Math.round((current_A + rng.normal(0, 0.3)) * 100) / 100,
      voltage_mV: cells_mV.reduce((a, b) => a + b, 0),
      remaining_Ah: Math.round(full_Ah * op.soc * 100) / 100,
      full_Ah,
      ...state,
      indication: (chargeBlocked ? 0 : 0x02) | (dischargeBlocked ? 0 : 0x04) | (current_A > 0 ? 0x20 : current_A < 0 ? 0x08 : 0),
      cycles: Math.max(0, now.cycles - Math.round(0.8 * day.daysAgo)),
      fault8: 0,
      fault10: 0,
      powerOn
    };
  };
  const out: HistoryEntry[] = [];
  if (days === 0) return out;
  out.push(entry(o.plan[0], 0.01, true));
  for (const day of o.plan) {
    for (const c of changesOf(day, rng, weakness)) {
      if (c.powerOn) {
        // A restart clears every latched state; the record shows the pack as it comes up.
        for (const k of Object.keys(state) as StatusByte[]) state[k] = 0;
        out.push(entry(day, c.t_h, true));
        continue;
      }
      if (c.byte === undefined || c.bit === undefined) continue;
      const before = state[c.byte];
      state[c.byte] = c.on ? before | (1 << c.bit) : before & ~(1 << c.bit);
      if (state[c.byte] !== before) out.push(entry(day, c.t_h, false));
    }
  }
  return out.filter((e, i) => i === 0 || e.time_ms > out[i - 1].time_ms);
}

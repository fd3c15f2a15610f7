// The figures of one period (or of the whole range), and the accumulator that builds them.

export interface FlowFigures {
  /** Energy into the pack(s), ∫ V·I dt over I > 0 (kWh). */
  charged_kWh: number;
  /** Energy out of the pack(s), as a positive number (kWh). */
  discharged_kWh: number;
  charged_Ah: number;
  discharged_Ah: number;
  /**
   * Discharged Ah over the full capacity (mean full_Ah of the readings): one full capacity taken
   * out is one cycle, as the BMS counts its own. null when no reading had full_Ah.
   */
  equivalentCycles: number | null;
  charging_ms: number;
  discharging_ms: number;
  idle_ms: number;
  /** Time bridged between readings (gaps longer than maxGap_ms are not). charging + discharging + idle. */
  covered_ms: number;
}

export interface ExtremeFigures {
  /** Readings in the period. */
  samples: number;
  cellMin_mV: number | null;
  cellMax_mV: number | null;
  /** Largest difference between a pack's highest and lowest cell within one reading. */
  cellSpreadMax_mV: number | null;
  tempMin_C: number | null;
  tempMax_C: number | null;
  /** full_Ah of the last reading in the period that had one (the capacity at its end). */
  full_Ah: number | null;
}

export type Figures = FlowFigures & ExtremeFigures;

export interface PeriodFigures extends Figures {
  /** 'YYYY-MM-DD' (day, week: its first day) or 'YYYY-MM' (month), in the chosen zone. */
  key: string;
  start_ms: number;
  end_ms: number;
}

export class FlowAccumulator {
  chargedWs = 0;
  dischargedWs = 0;
  chargedAs = 0;
  dischargedAs = 0;
  charging_ms = 0;
  discharging_ms = 0;
  idle_ms = 0;
  #fullSum = 0;
  #fullCount = 0;

  noteFull(full_Ah: number): void {
    this.#fullSum += full_Ah;
    this.#fullCount++;
  }

  add(o: FlowAccumulator): void {
    this.chargedWs += o.chargedWs;
    this.dischargedWs += o.dischargedWs;
    this.chargedAs += o.chargedAs;
    this.dischargedAs += o.dischargedAs;
    this.charging_ms += o.charging_ms;
    this.discharging_ms += o.discharging_ms;
    this.idle_ms += o.idle_ms;
    this.#fullSum += o.#fullSum;
    this.#fullCount += o.#fullCount;
  }

  /** Mean full capacity of the readings seen (Ah), or null. */
  get meanFull_Ah(): number | null {
    return this.#fullCount > 0 ? this.#fullSum / this.#fullCount : null;
  }

  figures(capacity_Ah = this.meanFull_Ah): FlowFigures {
    const discharged_Ah = this.dischargedAs / 3600;
    return {
      charged_kWh: this.chargedWs / 3.6e6,
      discharged_kWh: this.dischargedWs / 3.6e6,
      charged_Ah: this.chargedAs / 3600,
      discharged_Ah,
      equivalentCycles: capacity_Ah !== null && capacity_Ah > 0 ? discharged_Ah / capacity_Ah : null,
      charging_ms: this.charging_ms,
      discharging_ms: this.discharging_ms,
      idle_ms: this.idle_ms,
      covered_ms: this.charging_ms + this.discharging_ms + this.idle_ms
    };
  }
}

export function emptyExtremes(): ExtremeFigures {
  return { samples: 0, cellMin_mV: null, cellMax_mV: null, cellSpreadMax_mV: null, tempMin_C: null, tempMax_C: null, full_Ah: null };
}

const min = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const max = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Fold one reading's cells, temperatures and capacity into `e` (readings in time order). */
export function noteReading(
  e: ExtremeFigures,
  cells_mV: readonly (number | null)[],
  temps_C: readonly (number | null)[],
  full_Ah: number | null
): void {
  e.samples++;
  let lo: number | null = null;
  let hi: number | null = null;
  let n = 0;
  for (const v of cells_mV) {
    if (v === null || !Number.isFinite(v)) continue;
    lo = min(lo, v);
    hi = max(hi, v);
    n++;
  }
  e.cellMin_mV = min(e.cellMin_mV, lo);
  e.cellMax_mV = max(e.cellMax_mV, hi);
  if (n >= 2 && lo !== null && hi !== null) e.cellSpreadMax_mV = max(e.cellSpreadMax_mV, hi - lo);
  for (const t of temps_C) {
    if (t === null || !Number.isFinite(t)) continue;
    e.tempMin_C = min(e.tempMin_C, t);
    e.tempMax_C = max(e.tempMax_C, t);
  }
  if (full_Ah !== null && Number.isFinite(full_Ah)) e.full_Ah = full_Ah;
}

/** Two periods' extremes as one (`later` after `earlier` in time). */
export function mergeExtremes(earlier: ExtremeFigures, later: ExtremeFigures): ExtremeFigures {
  return {
    samples: earlier.samples + later.samples,
    cellMin_mV: min(earlier.cellMin_mV, later.cellMin_mV),
    cellMax_mV: max(earlier.cellMax_mV, later.cellMax_mV),
    cellSpreadMax_mV: max(earlier.cellSpreadMax_mV, later.cellSpreadMax_mV),
    tempMin_C: min(earlier.tempMin_C, later.tempMin_C),
    tempMax_C: max(earlier.tempMax_C, later.tempMax_C),
    full_Ah: later.full_Ah ?? earlier.full_Ah
  };
}

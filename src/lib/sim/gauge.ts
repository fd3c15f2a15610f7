// The BMS's fuel gauge: coulomb counting on the *measured* current (so a current-sensor offset
// makes SOC drift, as on a real pack), re-anchored at full charge and at under-voltage cut-off,
// plus the cycle and cumulative counters of the P = 9 tail.

export interface GaugeInit {
  design_Ah: number;
  full_Ah: number;
  remaining_Ah: number;
  cycles: number;
}

export class Gauge {
  design_Ah: number;
  full_Ah: number;
  remaining_Ah: number;
  cycles: number;
  cumulativeCharge_Ah = 0;
  cumulativeDischarge_Ah = 0;
  /** Discharge counted towards the next cycle; a cycle is one full capacity's worth. */
  #towardsCycle_Ah = 0;

  constructor(init: GaugeInit) {
    this.design_Ah = init.design_Ah;
    this.full_Ah = init.full_Ah;
    this.remaining_Ah = Math.min(init.remaining_Ah, init.full_Ah);
    this.cycles = init.cycles;
  }

  get soc_pct(): number {
    return this.full_Ah > 0 ? (100 * this.remaining_Ah) / this.full_Ah : 0;
  }

  get soh_pct(): number {
    return this.design_Ah > 0 ? Math.min(100, (100 * this.full_Ah) / this.design_Ah) : 0;
  }

  integrate(current_A: number, dt_s: number): void {
    const dAh = (current_A * dt_s) / 3600;
    this.remaining_Ah = Math.max(0, Math.min(this.full_Ah, this.remaining_Ah + dAh));
    if (dAh > 0) this.cumulativeCharge_Ah += dAh;
    else {
      this.cumulativeDischarge_Ah -= dAh;
      this.#towardsCycle_Ah -= dAh;
      if (this.full_Ah > 0 && this.#towardsCycle_Ah >= this.full_Ah) {
        this.#towardsCycle_Ah -= this.full_Ah;
        this.cycles++;
      }
    }
  }

  markFull(): void {
    this.remaining_Ah = this.full_Ah;
  }

  markEmpty(): void {
    this.remaining_Ah = 0;
  }

  /** A7H. */
  setCapacities(remaining_Ah: number, full_Ah: number, design_Ah: number): void {
    this.full_Ah = full_Ah;
    this.design_Ah = design_Ah;
    this.remaining_Ah = Math.min(remaining_Ah, full_Ah);
  }

  /** FF 03: clear cumulative Ah counters. */
  clearCumulative(): void {
    this.cumulativeCharge_Ah = 0;
    this.cumulativeDischarge_Ah = 0;
  }
}

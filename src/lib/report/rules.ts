// The thresholds the diagnose health check judges by, in one place, each with where it comes from.
// LiFePO4 (LFP) practice unless a source is named; "vendor manual" is reference/vendor-manual.txt
// (§9 product parameters), "model" the pack's own defaults (params/model.ts, captured from a real
// P16S100A). Where the pack's own parameter was read, the pack's value is used instead.

export const HEALTH_RULES = {
  // ---- cells ----
  /**
   * LFP is flat between about 3.10 and 3.40 V per cell: there a balanced pack's cells sit within a
   * few tens of mV, and the pack's balancer starts at 30 mV (model default, balance.startDelta_mV).
   */
  plateauLow_mV: 3100,
  plateauHigh_mV: 3400,
  /** Spread (highest − lowest cell) worth watching / a problem, on the plateau. */
  spreadWatch_mV: 50,
  spreadProblem_mV: 150,
  /** Near full or empty the curve is steep and the same imbalance shows larger: limits × this. */
  kneeFactor: 2,
  /** A sample counts as "under load" when the pack discharges at least this fraction of its capacity per hour (0.05 C = 5 A on 100 Ah). */
  loadCurrent_C: 0.05,
  /** Fewest samples under load before a weak cell is looked for. */
  minLoadSamples: 5,
  /** A weak cell is the lowest in at least this share of the samples under load… */
  weakLowestShare: 0.8,
  /**
   * …and sits at least this far below the middle (median) cell under load, on average. Matched
   * cells under 0.1–0.2 C stay within about 5 mV of each other on the plateau; 10 mV that never
   * goes away is a cell with more resistance or less capacity than its neighbours.
   */
  weakGapWatch_mV: 10,
  /** A cell 50 mV below the others under load reaches the under-voltage cut-off well before them. */
  weakGapProblem_mV: 50,
  /** Or it falls away from the middle cell at least this fast during the watch (mV per minute). */
  weakFallWatch_mV_per_min: 3,

  // ---- temperatures ----
  /** Vendor manual: charge 0–45 °C. Above 45 °C LFP cells age markedly faster. */
  cellHotWatch_C: 45,
  /** When the pack's own alarm threshold was not read (model default: discharge alarm 56, charge alarm 51; 55 between). */
  cellHotProblem_C: 55,
  /** LFP must not be charged below 0 °C (lithium plating); vendor manual: charge from 0 °C. */
  chargeColdProblem_C: 0,
  /** Cold enough that the pack's charge current should be limited. */
  coldNote_C: 5,
  /** A pack this much warmer than the middle of the others: a cooling, location or connection problem. */
  hotterWatch_C: 8,
  hotterProblem_C: 15,
  /** MOSFET temperature worth watching; problem at the pack's own alarm (model default 90 °C). */
  mosHotWatch_C: 80,
  mosHotProblem_C: 90,
  /** A reading outside this range is a broken or unplugged sensor, not a temperature. */
  plausibleLow_C: -40,
  plausibleHigh_C: 100,
  /** Charging, for the cold rule: at least this current into the pack (A). */
  chargingCurrent_A: 1,

  // ---- capacity ----
  /** Full capacity as a share of design (state of health). 80 % is the usual end-of-life mark for LFP. */
  sohNote_pct: 90,
  sohWatch_pct: 80,
  sohProblem_pct: 70,

  // ---- the bank ----
  /**
   * Parallel packs share one voltage, so their SOC should agree within a few %. A gap this large
   * is gauge drift (a full charge re-calibrates it); the larger one, a pack not really on the bus.
   */
  socGapWatch_pct: 15,
  socGapProblem_pct: 30,
  /** Share of missed polls during the watch that makes a pack's link unreliable. */
  missedPollsWatch: 0.1,
  /**
   * ...and never fewer than this many: in a short watch (ten polls) one reply lost to a busy
   * laptop would be 10 %, and one lost reply says nothing about the cable.
   */
  missedPollsMin: 2,

  // ---- clock (B1H against the computer) ----
  /**
   * Drift worth a note: the event history's times are that far off. A note only: a wrong clock
   * misleads about when things happened, it does not make a battery unhealthy.
   */
  clockNote_s: 300,
  /** Clocks within this of each other were set together: said once for the bank. */
  clockSame_s: 600
} as const;

export type HealthRules = typeof HEALTH_RULES;

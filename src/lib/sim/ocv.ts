// LiFePO4 open-circuit voltage against state of charge, at rest and 25 °C. The long flat plateau
// (3.26–3.34 V across 20–90 % SOC) is what makes cell voltage a poor SOC gauge and coulomb
// counting necessary; the knees at both ends are where protections trip.
//
// Above 100 % the table continues into a fictional overcharge region that rises steeply, so a
// charger left on after full drives a cell through the alarm and protect thresholds (3.6 / 3.7 V
// by default) within a few percent of extra charge, as a real cell does.

/** [soc fraction, cell OCV mV], strictly increasing in both columns. */
const OCV_TABLE: ReadonlyArray<readonly [number, number]> = [
  [-0.02, 2000],
  [0.0, 2500],
  [0.01, 2800],
  [0.03, 3000],
  [0.05, 3080],
  [0.1, 3190],
  [0.15, 3222],
  [0.2, 3245],
  [0.3, 3265],
  [0.4, 3280],
  [0.5, 3290],
  [0.6, 3300],
  [0.7, 3312],
  [0.8, 3328],
  [0.9, 3340],
  [0.95, 3355],
  [0.98, 3390],
  [0.995, 3430],
  [1.0, 3460],
  [1.01, 3560],
  [1.02, 3660],
  [1.04, 3900],
  [1.08, 4400]
];

export const OCV_SOC_MIN = OCV_TABLE[0][0];
export const OCV_SOC_MAX = OCV_TABLE[OCV_TABLE.length - 1][0];

/** Cell open-circuit voltage in mV for a state of charge (fraction; clamped to the table). */
export function ocv_mV(soc: number): number {
  const t = OCV_TABLE;
  if (soc <= t[0][0]) return t[0][1];
  const last = t[t.length - 1];
  if (soc >= last[0]) return last[1];
  // Binary search for the segment; the table is short but this runs for every cell every step.
  let lo = 0;
  let hi = t.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid][0] <= soc) lo = mid;
    else hi = mid;
  }
  const [s0, v0] = t[lo];
  const [s1, v1] = t[hi];
  return v0 + ((soc - s0) * (v1 - v0)) / (s1 - s0);
}

/** Inverse of ocv_mV: the state of charge at which a resting cell reads `mV`. */
export function socFromOcv(mV: number): number {
  const t = OCV_TABLE;
  if (mV <= t[0][1]) return t[0][0];
  const last = t[t.length - 1];
  if (mV >= last[1]) return last[0];
  let lo = 0;
  let hi = t.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid][1] <= mV) lo = mid;
    else hi = mid;
  }
  const [s0, v0] = t[lo];
  const [s1, v1] = t[hi];
  return s0 + ((mV - v0) * (s1 - s0)) / (v1 - v0);
}

// Integrals of a quantity known at samples and taken as linear between two of them (the trapezoid
// rule), split into its positive and negative parts exactly where the line crosses zero, and the
// time the line spends above, below and inside a band. Splitting a piece anywhere and integrating
// both halves gives the same sum, so day, week and month totals always add up to the total.

/** ∫ of the line from a to b over dt, as [positive part, negative part (≤ 0)]. */
export function splitIntegral(a: number, b: number, dt: number): [number, number] {
  if (a >= 0 && b >= 0) return [((a + b) / 2) * dt, 0];
  if (a <= 0 && b <= 0) return [0, ((a + b) / 2) * dt];
  // One sign change at f = a / (a − b) of the way: two triangles.
  const f = a / (a - b);
  const first = (a / 2) * f * dt;
  const second = (b / 2) * (1 - f) * dt;
  return a > 0 ? [first, second] : [second, first];
}

/** Time the line from a to b (over dt) spends strictly above `level`. */
export function timeAbove(a: number, b: number, dt: number, level: number): number {
  const aUp = a > level;
  const bUp = b > level;
  if (aUp && bUp) return dt;
  if (!aUp && !bUp) return 0;
  const f = (level - a) / (b - a);
  return aUp ? f * dt : (1 - f) * dt;
}

/** Value of the line at `t` between (t0, a) and (t1, b). */
export function lerp(t0: number, a: number, t1: number, b: number, t: number): number {
  if (t1 === t0) return a;
  return a + ((b - a) * (t - t0)) / (t1 - t0);
}

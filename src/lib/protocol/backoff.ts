// Back-off schedules for re-probing packs and re-discovering a bank that went silent.

/** Validate a schedule: a non-empty list of finite, non-negative delays (ms). */
export function checkSchedule(name: string, steps_ms: readonly number[]): readonly number[] {
  if (steps_ms.length === 0) throw new RangeError(`${name} needs at least one delay`);
  for (const s of steps_ms) {
    if (!Number.isFinite(s) || s < 0) throw new RangeError(`${name} delays must be finite numbers >= 0, got ${s}`);
  }
  return [...steps_ms];
}

/** Delay before try number `step` (0-based); the last delay repeats once the list runs out. */
export function backoffDelay_ms(steps_ms: readonly number[], step: number): number {
  return steps_ms[Math.min(Math.max(0, step), steps_ms.length - 1)];
}

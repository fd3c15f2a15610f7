// The targets a bench group's figures must meet, printed beside them: "<figure>.target" ("<= 16")
// and "<figure>.pass". Underscore prefix: not a bench group itself.

import type { BenchFigures } from '../bench';

/** The bound a figure must stay within. */
export type Target = readonly ['<=' | '>=', number];

/** "<figure>.target" and "<figure>.pass" for each target; a figure that is not a number fails. */
export function targets(figures: BenchFigures, wanted: Record<string, Target>): BenchFigures {
  const out: BenchFigures = {};
  for (const [name, [op, bound]] of Object.entries(wanted)) {
    const v = figures[name];
    out[`${name}.target`] = `${op} ${bound}`;
    out[`${name}.pass`] = typeof v === 'number' && (op === '<=' ? v <= bound : v >= bound);
  }
  return out;
}

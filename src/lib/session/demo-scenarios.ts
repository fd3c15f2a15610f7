// What the demo bank is doing. The household day is the default; "faults" adds one hot pack and
// one weak cell in another pack, so the diagnose wizard (and support staff learning it) can be
// tried on a bank with something to find. Plain data for the simulator (sim/scenarios.ts).

import type { ScenarioName, ScenarioParams } from '$lib/sim';

export type DemoScenario = 'household' | 'faults';
export const DEMO_SCENARIOS: readonly DemoScenario[] = ['household', 'faults'];

export function isDemoScenario(v: unknown): v is DemoScenario {
  return (DEMO_SCENARIOS as readonly unknown[]).includes(v);
}

/**
 * The simulator's scenario for a demo bank with these addresses (master first). "faults": the
 * last pack stands somewhere 12 °C warmer with a poorer thermal path, and cell 7 of the second
 * pack (the first when there is one) has 70 % of its neighbours' capacity and six times their
 * resistance, as an aged cell has: under the household load it sits about 20 mV below the others.
 */
export function demoScenario(name: DemoScenario, addresses: readonly number[]): { name: ScenarioName; params?: ScenarioParams } {
  if (name === 'household') return { name: 'load' };
  const hot = addresses[addresses.length - 1];
  const weak = addresses.length > 2 ? addresses[1] : addresses[0];
  return {
    name: 'hot-pack',
    params: { pack: hot, also: [{ name: 'weak-cell', params: { pack: weak, cell: 7, capacityFactor: 0.7, resistanceFactor: 6 } }] }
  };
}

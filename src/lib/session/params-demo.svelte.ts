// What is happening around the demo bank: a household day, a charger, or nothing. On a real site
// the installer switches the inverter to charging to see a changed threshold act; on the demo bank
// this is that switch. It changes the simulated surroundings (the bus current the charger or the
// loads draw), not the packs: their BMS logic still sees only what the protocol wrote to them.
// Present only while the demo bank is connected.

import type { ScenarioName } from '$lib/sim';
import type { DeviceSession } from './session.svelte';

/** The surroundings a demo visitor can pick, in the order they are offered. */
export const DEMO_SURROUNDINGS = ['load', 'charge', 'idle'] as const;
export type DemoSurrounding = (typeof DEMO_SURROUNDINGS)[number];

/** The part of the simulated bank this uses (SimBank has it). */
interface SurroundingsHost {
  readonly scenario: { readonly name: ScenarioName };
  setScenario(name: ScenarioName): void;
}

type SessionLike = Pick<DeviceSession, 'client' | 'transportInfo'>;

function hostOf(session: SessionLike): SurroundingsHost | null {
  if (session.transportInfo?.kind !== 'sim') return null;
  // The demo link's client is a PaceClient on a SimTransport, which exposes its bank.
  const bank = (session.client as { transport?: { bank?: unknown } } | null)?.transport?.bank as Partial<SurroundingsHost> | null | undefined;
  return bank && typeof bank.setScenario === 'function' && bank.scenario ? (bank as SurroundingsHost) : null;
}

export class DemoSurroundings {
  readonly #session: SessionLike;
  #chosen = $state<DemoSurrounding | null>(null);

  constructor(session: SessionLike) {
    this.#session = session;
  }

  /** False unless the demo bank is connected. */
  get available(): boolean {
    return hostOf(this.#session) !== null;
  }

  get current(): DemoSurrounding | null {
    void this.#chosen;
    const name = hostOf(this.#session)?.scenario.name;
    return name && (DEMO_SURROUNDINGS as readonly string[]).includes(name) ? (name as DemoSurrounding) : null;
  }

  set(which: DemoSurrounding): void {
    const host = hostOf(this.#session);
    if (!host) return;
    host.setScenario(which);
    this.#chosen = which;
  }
}

const all = new WeakMap<object, DemoSurroundings>();

export function demoSurroundings(session: SessionLike): DemoSurroundings {
  let d = all.get(session);
  if (!d) {
    d = new DemoSurroundings(session);
    all.set(session, d);
  }
  return d;
}

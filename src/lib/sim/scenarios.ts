// What is happening around the bank: the inverter's load or charger, the air temperature, and
// what is wrong with which pack (weak cell, hot pack, failed sensor, offline slave): one condition
// by the scenario's name, more through `also` (a bank with a hot pack AND a weak cell elsewhere).
// A scenario is plain data, so tests and the demo pick one by name and tweak it with params.

import type { BusDemand } from './bus';
import type { SensorFault } from './pack-model';

export type ScenarioName = 'idle' | 'load' | 'charge' | 'weak-cell' | 'hot-pack' | 'failed-sensor' | 'offline-slave';

export const SCENARIO_NAMES: readonly ScenarioName[] = ['idle', 'load', 'charge', 'weak-cell', 'hot-pack', 'failed-sensor', 'offline-slave'];

/** One step of a load profile; current is per pack (the bank total scales with the pack count). */
export interface LoadStep {
  duration_s: number;
  /** + charging, − discharging, per pack. */
  current_A: number;
}

export type LoadSpec =
  | { kind: 'idle' }
  /** A constant current per pack. */
  | { kind: 'current'; current_A: number }
  /** Steps played in order, then repeated. */
  | { kind: 'profile'; steps: LoadStep[] }
  /** CC-CV charger: up to current_A per pack, then holding voltage_V on the bus. */
  | { kind: 'charge'; current_A: number; voltage_V: number };

export interface ScenarioParams {
  load?: LoadSpec;
  /** Air temperature around the bank (°C). Default 25. */
  ambient_C?: number;
  /** Address of the pack the condition applies to. Default: the last pack (a slave when there is one). */
  pack?: number;
  /** weak-cell: 1-based cell. Default 7. */
  cell?: number;
  /** weak-cell: capacity relative to its neighbours. Default 0.8. */
  capacityFactor?: number;
  /** weak-cell: R0 multiplier. Default 2. hot-pack: R0 multiplier of the whole pack. Default 2.5. */
  resistanceFactor?: number;
  /** hot-pack: cooling relative to normal. Default 0.25. */
  coolingFactor?: number;
  /** hot-pack: the pack's surroundings are this much warmer than the room. Default 12. */
  extraAmbient_C?: number;
  /** failed-sensor: 1-based temperature index as in 42H. Default 2. */
  sensor?: number;
  /** failed-sensor: how it fails. Default 'open'. */
  sensorFault?: SensorFault;
  /**
   * Further conditions at the same time, each a fault scenario's name with its own pack and
   * params (their load and ambient are the main scenario's). Two conditions on one pack of the
   * same kind are refused.
   */
  also?: { name: FaultScenarioName; params?: Omit<ScenarioParams, 'also' | 'load' | 'ambient_C'> }[];
}

/** The scenarios that are something wrong with one pack. */
export type FaultScenarioName = 'weak-cell' | 'hot-pack' | 'failed-sensor' | 'offline-slave';

export type Condition =
  | { kind: 'weak-cell'; pack: number; cell: number; capacityFactor: number; resistanceFactor: number }
  | { kind: 'hot-pack'; pack: number; resistanceFactor: number; coolingFactor: number; extraAmbient_C: number }
  | { kind: 'failed-sensor'; pack: number; sensor: number; fault: SensorFault }
  | { kind: 'offline-slave'; pack: number };

/**
 * A household day compressed into 72 minutes, per pack: evening peak, base load, a kettle, quiet,
 * then solar surplus charging back about what was used, so a demo left running neither drains
 * nor overfills the bank.
 */
export const HOUSEHOLD_PROFILE: readonly LoadStep[] = [
  { duration_s: 600, current_A: -15 },
  { duration_s: 300, current_A: -40 },
  { duration_s: 900, current_A: -6 },
  { duration_s: 120, current_A: -70 },
  { duration_s: 600, current_A: -3 },
  { duration_s: 300, current_A: 0 },
  { duration_s: 1500, current_A: 24 }
];

/** A charger at 0.5 C holding 56.4 V (3.525 V per cell on 16 cells). */
export const DEFAULT_CHARGE: LoadSpec = { kind: 'charge', current_A: 50, voltage_V: 56.4 };

export interface Scenario {
  name: ScenarioName;
  load: LoadSpec;
  ambient_C: number;
  /** The condition the scenario's name stands for. */
  condition: { kind: 'none' } | Condition;
  /** Every condition in force: the named one first, then those of `also`. */
  conditions: Condition[];
}

function defaultLoad(name: ScenarioName): LoadSpec {
  switch (name) {
    case 'load':
    case 'weak-cell':
    case 'hot-pack':
      return { kind: 'profile', steps: HOUSEHOLD_PROFILE.map((s) => ({ ...s })) };
    case 'charge':
      return { ...DEFAULT_CHARGE };
    default:
      return { kind: 'idle' };
  }
}

/** Resolve a name and params to a full scenario for a bank with these addresses. */
export function buildScenario(name: ScenarioName, params: ScenarioParams, addresses: readonly number[]): Scenario {
  if (!SCENARIO_NAMES.includes(name)) throw new RangeError(`unknown scenario "${String(name)}"; one of ${SCENARIO_NAMES.join(', ')}`);
  const load = params.load ?? defaultLoad(name);
  validateLoad(load);
  const ambient_C = params.ambient_C ?? 25;
  const condition = conditionOf(name, params, addresses);
  const conditions = condition.kind === 'none' ? [] : [condition];
  for (const extra of params.also ?? []) {
    const c = conditionOf(extra.name, extra.params ?? {}, addresses);
    if (c.kind === 'none') throw new RangeError(`scenario "${name}": "also" takes fault scenarios, not "${extra.name}"`);
    if (conditions.some((o) => o.kind === c.kind && o.pack === c.pack))
      throw new RangeError(`scenario "${name}": two ${c.kind} conditions on pack ${c.pack}`);
    conditions.push(c);
  }
  return { name, load, ambient_C, condition, conditions };
}

function conditionOf(name: ScenarioName, params: Omit<ScenarioParams, 'also'>, addresses: readonly number[]): Scenario['condition'] {
  if (!SCENARIO_NAMES.includes(name)) throw new RangeError(`unknown scenario "${String(name)}"; one of ${SCENARIO_NAMES.join(', ')}`);
  const pack = params.pack ?? addresses[addresses.length - 1];
  const needsPack = name === 'weak-cell' || name === 'hot-pack' || name === 'failed-sensor' || name === 'offline-slave';
  if (needsPack && !addresses.includes(pack))
    throw new RangeError(`scenario "${name}": no pack at address ${pack} (bank has ${addresses.join(', ')})`);
  switch (name) {
    case 'weak-cell':
      return {
        kind: 'weak-cell',
        pack,
        cell: params.cell ?? 7,
        capacityFactor: params.capacityFactor ?? 0.8,
        resistanceFactor: params.resistanceFactor ?? 2
      };
    case 'hot-pack':
      return {
        kind: 'hot-pack',
        pack,
        resistanceFactor: params.resistanceFactor ?? 2.5,
        coolingFactor: params.coolingFactor ?? 0.25,
        extraAmbient_C: params.extraAmbient_C ?? 12
      };
    case 'failed-sensor':
      return { kind: 'failed-sensor', pack, sensor: params.sensor ?? 2, fault: params.sensorFault ?? 'open' };
    case 'offline-slave':
      if (pack === addresses[0] && addresses.length > 1) throw new RangeError('scenario "offline-slave": the master cannot be the offline slave');
      return { kind: 'offline-slave', pack };
    default:
      return { kind: 'none' };
  }
}

function validateLoad(load: LoadSpec): void {
  if (load.kind === 'profile') {
    if (load.steps.length === 0) throw new RangeError('a load profile needs at least one step');
    for (const s of load.steps) if (!(s.duration_s > 0)) throw new RangeError(`load profile step duration must be positive, got ${s.duration_s}`);
  }
  if (load.kind === 'charge' && !(load.current_A >= 0 && load.voltage_V > 0))
    throw new RangeError('a charger needs current_A >= 0 and voltage_V > 0');
}

/** The bus demand `elapsed_s` after the scenario started, for `packCount` packs. */
export function demandAt(load: LoadSpec, elapsed_s: number, packCount: number): BusDemand {
  switch (load.kind) {
    case 'idle':
      return { kind: 'current', current_A: 0 };
    case 'current':
      return { kind: 'current', current_A: load.current_A * packCount };
    case 'charge':
      return { kind: 'cccv', current_A: load.current_A * packCount, voltage_V: load.voltage_V };
    case 'profile': {
      const period = load.steps.reduce((s, x) => s + x.duration_s, 0);
      let t = elapsed_s % period;
      for (const s of load.steps) {
        if (t < s.duration_s) return { kind: 'current', current_A: s.current_A * packCount };
        t -= s.duration_s;
      }
      return { kind: 'current', current_A: load.steps[load.steps.length - 1].current_A * packCount };
    }
  }
}

/** Whether a charger is on the bus (the packs see its voltage even with their charge MOSFET open). */
export function chargerPresent(demand: BusDemand): boolean {
  return demand.kind === 'cccv' || demand.current_A > 0;
}

// The simulator's public API. The app reaches a bank only through bytes (SimTransport in
// transport/sim.ts); tests may also inspect `bank.packs[i]` (model, bms, gauge, history).

export { createSimBank, SimBank, DEFAULT_FIRMWARE } from './bank';
export type { SimBankOptions, FirmwareOptions, FaultOptions, Fault, LinkEvent } from './bank';
export { SCENARIO_NAMES, HOUSEHOLD_PROFILE, DEFAULT_CHARGE } from './scenarios';
export type { ScenarioName, ScenarioParams, LoadSpec, LoadStep, Scenario } from './scenarios';
export type { SimPack, PowerState, PackIdentity } from './pack';
export type { SensorFault } from './pack-model';
export type { BmsStatus } from './bms';
export type { HistoryEntry } from './history';
export type { ByteFaultRates } from './wire';
export { Rng } from './rng';

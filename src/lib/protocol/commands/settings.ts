// Every non-telemetry command a service tool needs (settings, switches, calibration, clock,
// history, inverter protocol, system, vendor extensions), as one list for the registry, plus
// re-exports of each group so callers can import from one place.

import type { AnyCommand } from '../command';
import { activeBalanceCommands } from './active-balance';
import { balanceCommands } from './balance';
import { calibrationCommands } from './calibration';
import { capacityCommands } from './capacity';
import { controlCommands } from './control';
import { dateTimeCommands } from './datetime';
import { extensionCommands } from './extensions';
import { fullChargeCommands } from './fullcharge';
import { historyCommands } from './history';
import { inverterCommands } from './inverter';
import { limiterCommands } from './limiter';
import { protectionCommands } from './protection';
import { sleepCommands } from './sleep';
import { systemCommands } from './system';
import { timedStorageCommands } from './timed-storage';

/**
 * All commands of this module, each once. CID2 FF appears twice (firmware-upgrade entry and
 * restore system defaults); they are told apart by INFO[0], so dispatch on id, or try each
 * candidate's decodeRequest. Calibration uses the default CalibrationOptions.
 */
export const settingsCommands: AnyCommand[] = [
  ...protectionCommands,
  ...controlCommands,
  ...balanceCommands,
  ...activeBalanceCommands,
  ...sleepCommands,
  ...fullChargeCommands,
  ...limiterCommands,
  ...timedStorageCommands,
  ...capacityCommands,
  ...calibrationCommands,
  ...dateTimeCommands,
  ...historyCommands,
  ...inverterCommands,
  ...systemCommands,
  ...extensionCommands
];

export * from './active-balance';
export * from './balance';
export * from './calibration';
export * from './capacity';
export * from './control';
export * from './datetime';
export * from './extensions';
export * from './fullcharge';
export * from './history';
export * from './inverter';
export * from './limiter';
export * from './protection';
export * from './sleep';
export * from './system';
export * from './timed-storage';
export type { WriteAck, FieldSpec } from './payload';

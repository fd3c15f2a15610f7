// Passive balancing parameters B6H (read) / B5H (write), reference §8.2.

import type { Command } from '../command';
import { layout, scaled, settingPair, type WriteAck } from './payload';

export interface BalanceSettings {
  /** Cells above this voltage may bleed. */
  startVoltage_mV: number;
  /** ...when they are this much above the lowest cell. */
  startDelta_mV: number;
}

export const balanceLayout = layout<BalanceSettings>([
  scaled('startVoltage_mV', { field: 'startVoltage_mV', label: 'Balance start voltage', unit: 'mV', min: 3300, max: 4500, step: 1, vendorStep: 10 }),
  scaled('startDelta_mV', { field: 'startDelta_mV', label: 'Balance start delta', unit: 'mV', min: 20, max: 500, step: 1, vendorStep: 5 })
]);

const pair = settingPair({
  readCid2: 0xb6,
  writeCid2: 0xb5,
  readId: 'readBalance',
  writeId: 'setBalance',
  title: 'Cell balancing',
  layout: balanceLayout
});

/** B6H: read balancing start voltage and delta. */
export const readBalance: Command<void, BalanceSettings> = pair.read;
/** B5H: write balancing start voltage and delta. */
export const setBalance: Command<BalanceSettings, WriteAck> = pair.write;

export const balanceCommands = [readBalance, setBalance] as const;

// Cell sleep parameters A0H (read) / A8H (write), reference §8.2. The delay is a u16 in minutes
// (PACE Modbus map); nkinnan reads it as 00 + u8, which is the same bytes below 256 minutes.

import type { Command } from '../command';
import { layout, scaled, settingPair, type WriteAck } from './payload';

export interface SleepSettings {
  /** The pack goes to sleep when a cell stays below this voltage... */
  cellVoltage_mV: number;
  /** ...for this long without current. */
  delay_min: number;
}

export const sleepLayout = layout<SleepSettings>([
  scaled('cellVoltage_mV', { field: 'cellVoltage_mV', label: 'Sleep cell voltage', unit: 'mV', min: 2000, max: 4000, step: 1, vendorStep: 10 }),
  scaled('delay_min', { field: 'delay_min', label: 'Sleep delay', unit: 'min', min: 1, max: 120, step: 1 })
]);

const pair = settingPair({ readCid2: 0xa0, writeCid2: 0xa8, readId: 'readSleep', writeId: 'setSleep', title: 'Cell sleep', layout: sleepLayout });

/** A0H: read the cell sleep voltage and delay. */
export const readSleep: Command<void, SleepSettings> = pair.read;
/** A8H: write the cell sleep voltage and delay. */
export const setSleep: Command<SleepSettings, WriteAck> = pair.write;

export const sleepCommands = [readSleep, setSleep] as const;

// Charge current limiter start current EDH (read) / EEH (write), reference §8.2. u16 in A
// (V3.1 doc); nkinnan reads it as address byte + u8, which is the same bytes below 256 A.

import type { Command } from '../command';
import { layout, scaled, settingPair, type WriteAck } from './payload';

export interface LimiterSettings {
  /** Charge current above which the limiter engages. */
  startCurrent_A: number;
}

export const limiterLayout = layout<LimiterSettings>([
  scaled('startCurrent_A', { field: 'startCurrent_A', label: 'Charge limiter start current', unit: 'A', min: 5, max: 150, step: 1 })
]);

const pair = settingPair({
  readCid2: 0xed,
  writeCid2: 0xee,
  readId: 'readLimiter',
  writeId: 'setLimiter',
  title: 'Charge current limiter',
  layout: limiterLayout
});

/** EDH: read the limiter start current. */
export const readLimiter: Command<void, LimiterSettings> = pair.read;
/** EEH: write the limiter start current. */
export const setLimiter: Command<LimiterSettings, WriteAck> = pair.write;

export const limiterCommands = [readLimiter, setLimiter] as const;

// Timed storage B7H–BCH (V3.1 doc §4.34–4.39): the pack stores a record every `interval` between
// a start and an end time. Reads are the even codes B8/BA/BC, writes the odd codes B7/B9/BB (the
// other way round from the D0–E7 groups, where the write is the read minus one). Documented only,
// never captured: older firmware answers RTN 04, which the parameter reader shows as "not
// supported by this pack".
//
// Layouts (decoded bytes):
//   B8 reply / B7 request   interval u8, range 0..120 ("timed interval (0,120)"; 0 = off)
//   BA reply / B9 request   start time: YY MM DD hh mm ss, binary, YY = year − 2000 (as B1/B2)
//   BC reply / BB request   end time, same 6 bytes
// UNCERTAIN: the document gives no unit for the interval. Minutes is our reading (a record every
// 0–120 s would fill the EEPROM within hours, every 0–120 h would be useless for storage
// monitoring); the unit is named in one place, STORAGE_INTERVAL_SPEC.

import type { Command } from '../command';
import { dateTimeProblem, decodeDateTimeBytes, encodeDateTimeBytes, type BmsDateTime } from './datetime';
import { checkField, InfoWriter, readCommand, writeCommand, type FieldSpec, type WriteAck } from './payload';

export interface StorageInterval {
  /** Time between stored records; 0 = timed storage off. Unit UNCERTAIN (see file header). */
  interval_min: number;
}

export const STORAGE_INTERVAL_SPEC: FieldSpec = {
  field: 'interval_min',
  label: 'Timed storage interval',
  unit: 'min',
  min: 0,
  max: 120,
  step: 1
};

/** B8H: read the timed-storage interval. */
export const readStorageInterval: Command<void, StorageInterval> = readCommand({
  cid2: 0xb8,
  id: 'readStorageInterval',
  title: 'Timed storage interval',
  decode: (r) => ({ interval_min: r.u8('interval_min') }),
  encode: (v) => new InfoWriter().u8(v.interval_min).finish(),
  replyBytes: 1
});

/** B7H: set the timed-storage interval (0..120). */
export const setStorageInterval: Command<StorageInterval, WriteAck> = writeCommand({
  cid2: 0xb7,
  id: 'setStorageInterval',
  title: 'Timed storage interval',
  kind: 'write',
  encode: (req) => {
    checkField(req.interval_min, STORAGE_INTERVAL_SPEC);
    return new InfoWriter().u8(req.interval_min).finish();
  },
  decode: (r) => ({ interval_min: r.u8('interval_min') })
});

function timeWrite(cid2: number, id: string, title: string): Command<BmsDateTime, WriteAck> {
  return writeCommand<BmsDateTime>({
    cid2,
    id,
    title,
    kind: 'write',
    encode: (t) => {
      const problem = dateTimeProblem(t);
      if (problem) throw new RangeError(`${title}: ${problem}`);
      return encodeDateTimeBytes(new InfoWriter(), t).finish();
    },
    decode: decodeDateTimeBytes
  });
}

function timeRead(cid2: number, id: string, title: string): Command<void, BmsDateTime> {
  return readCommand<BmsDateTime>({
    cid2,
    id,
    title,
    decode: decodeDateTimeBytes,
    encode: (t) => encodeDateTimeBytes(new InfoWriter(), t).finish(),
    replyBytes: 6
  });
}

/** BAH: read the timed-storage start time. */
export const readStorageStart = timeRead(0xba, 'readStorageStart', 'Timed storage start time');
/** B9H: set the timed-storage start time. */
export const setStorageStart = timeWrite(0xb9, 'setStorageStart', 'Timed storage start time');
/** BCH: read the timed-storage end time. */
export const readStorageEnd = timeRead(0xbc, 'readStorageEnd', 'Timed storage end time');
/** BBH: set the timed-storage end time. */
export const setStorageEnd = timeWrite(0xbb, 'setStorageEnd', 'Timed storage end time');

export const timedStorageCommands = [
  readStorageInterval,
  setStorageInterval,
  readStorageStart,
  setStorageStart,
  readStorageEnd,
  setStorageEnd
] as const;

// One A1H record as the app keeps it: the decoded values, what it says happened, the bytes as
// read (so a better decoder can re-read them later) and an identity that does not depend on the
// record's index. The index cannot be an identity: index 0 is always the newest record, so every
// record the pack writes moves all the others one place up.

import { dateTimeProblem, type BmsDateTime } from '../protocol/commands/datetime';
import type { HistoryRecord } from '../protocol/commands/history';
import { bytesToHex } from '../protocol/hex';
import { describeRecord, type HistoryEvent } from './events';

export interface PackHistoryRecord {
  /**
   * The pack's clock face when it wrote the record, as Date.UTC of its fields. The pack has no
   * time zone (the vendor tool sets it to the installer's local time), so this is a floating
   * wall time: sort by it, show it with timeZone 'UTC', never convert it to "local".
   */
  packTime_ms: number;
  /** False when the clock fields are not a calendar time (an unset RTC, garbage). */
  timeValid: boolean;
  record: HistoryRecord;
  event: HistoryEvent;
  /** The record's INFO bytes as read, upper-case hex. */
  raw_hex: string;
  /** FNV-1a 64 of the INFO bytes, 16 hex digits. */
  hash: string;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/** FNV-1a, 64 bits: a content hash, not a security measure (collisions only matter within one second of one pack). */
export function fnv1a64(bytes: Uint8Array): string {
  let h = FNV_OFFSET;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK_64;
  return h.toString(16).padStart(16, '0');
}

export function packTimeOf(t: BmsDateTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

/** `record` decoded from `info` (the reply INFO of A1H). */
export function toPackRecord(record: HistoryRecord, info: Uint8Array): PackHistoryRecord {
  return {
    packTime_ms: packTimeOf(record.time),
    timeValid: dateTimeProblem(record.time) === null,
    record,
    event: describeRecord(record),
    raw_hex: bytesToHex(info),
    hash: fnv1a64(info)
  };
}

/**
 * The identity of a record within one device: its time and content. Reading the same record again
 * gives the same key at whatever index it has moved to; two records written in the same second
 * differ in their bytes. The store de-duplicates on (device, key).
 */
export function historyRecordKey(r: Pick<PackHistoryRecord, 'packTime_ms' | 'hash'>): string {
  return `${r.packTime_ms}:${r.hash}`;
}

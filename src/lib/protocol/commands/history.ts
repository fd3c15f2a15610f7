// History records A1H and clear B3H (reference §8.4, V3.1 doc §4.15/4.30). A1H takes a u16
// record index (0 = newest); the pack answers one 72-byte record (16 cells, 6 temps), or an
// empty INFO when there are no more records (PbmsTools capture). Seplos-style firmware says the
// same with RTN 07 "no data" instead; isEndOfHistoryError() recognises that.

import type { Command } from '../command';
import { ProtocolError } from '../errors';
import { RTN } from '../rtn';
import { decodeDateTimeBytes, encodeDateTimeBytes, type BmsDateTime } from './datetime';
import {
  checkField,
  decodeWriteAck,
  encodeEmpty,
  encodeWriteAck,
  fromCount,
  InfoReader,
  InfoWriter,
  TEMP_ABSENT_RAW,
  tempFromRaw,
  tempToRaw,
  toCount,
  decodeEmptyRequest,
  type FieldSpec,
  type WriteAck
} from './payload';

export interface HistoryRequest {
  /** 0 = newest record. */
  index: number;
}

const HISTORY_INDEX_SPEC: FieldSpec = { field: 'index', label: 'History record index', unit: '', min: 0, max: 0xffff, step: 1 };

/**
 * The status bytes saved with a record. null where the firmware sends FF: "field not supported"
 * (the captured record stores FF in fault 8 / fault 10), never "no flag set". No real status byte
 * has all eight bits set (a short circuit, charger over-voltage and pack under-voltage at once).
 */
export interface HistoryStatusBytes {
  protection1: number | null;
  protection2: number | null;
  /** Fault status 5. */
  fault: number | null;
  warning1: number | null;
  warning2: number | null;
  /** Indication status 3. */
  indication: number | null;
  fault8: number | null;
  fault10: number | null;
}

/** A decoded A1H record. Every null means the firmware sent FF / FFFF there: not supported, not 0. */
export interface HistoryRecord {
  time: BmsDateTime;
  /** null where the firmware sends FFFF. */
  cells_mV: (number | null)[];
  /** null where the sensor reads 0x8000 (not fitted) or FFFF (not supported). */
  temps_C: (number | null)[];
  /** Positive = charging. A signed field has no spare "not supported" value: FFFF is −0.01 A. */
  current_A: number;
  voltage_V: number | null;
  remaining_Ah: number | null;
  full_Ah: number | null;
  status: HistoryStatusBytes;
  /** null when the firmware sends FFFF or omits it. */
  cycles: number | null;
  /** Status record bits (bit 0 = power-on event); null when FFFF / not sent. */
  statusRecord: number | null;
}

export type HistoryReply = { kind: 'record'; record: HistoryRecord } | { kind: 'end' };

/** True when a failed A1H request means "no more records" (RTN 07 on some firmware, instead of an empty reply) rather than a fault. */
export function isEndOfHistoryError(err: unknown): boolean {
  return err instanceof ProtocolError && err.kind === 'rtn' && err.rtn === RTN.noData;
}

/** True when the record was written at power-on (status record bit 0). */
export function isPowerOnRecord(record: HistoryRecord): boolean {
  return record.statusRecord !== null && (record.statusRecord & 0x0001) !== 0;
}

/** What a firmware writes into a field it does not support. */
const U8_UNSUPPORTED = 0xff;
const U16_UNSUPPORTED = 0xffff;

const u8OrNull = (v: number) => (v === U8_UNSUPPORTED ? null : v);
const u16OrNull = (v: number) => (v === U16_UNSUPPORTED ? null : v);
const scaledOrNull = (v: number, lsb: number) => (v === U16_UNSUPPORTED ? null : fromCount(v, lsb));

export function decodeHistoryRecord(info: Uint8Array): HistoryRecord {
  const r = new InfoReader(info, 'A1H history record');
  const time = decodeDateTimeBytes(r);
  const cellCount = r.u8('cell count');
  const cells_mV: (number | null)[] = [];
  for (let i = 0; i < cellCount; i++) cells_mV.push(u16OrNull(r.u16(`cell ${i + 1}`)));
  const tempCount = r.u8('temperature count');
  const temps_C: (number | null)[] = [];
  for (let i = 0; i < tempCount; i++) {
    const raw = r.u16(`temperature ${i + 1}`);
    temps_C.push(raw === TEMP_ABSENT_RAW || raw === U16_UNSUPPORTED ? null : tempFromRaw(raw));
  }
  const current_A = fromCount(r.s16('current_A'), 0.01);
  const voltage_V = scaledOrNull(r.u16('voltage_V'), 0.001);
  const remaining_Ah = scaledOrNull(r.u16('remaining_Ah'), 0.01);
  const full_Ah = scaledOrNull(r.u16('full_Ah'), 0.01);
  const protection1 = u8OrNull(r.u8('protection1'));
  const protection2 = u8OrNull(r.u8('protection2'));
  const fault = u8OrNull(r.u8('fault'));
  const warning1 = u8OrNull(r.u8('warning1'));
  const warning2 = u8OrNull(r.u8('warning2'));
  const indication = u8OrNull(r.u8('indication'));
  // Older firmware ends the record here; the V3.1 tail fields are then absent (null).
  const cycles = r.remaining >= 2 ? u16OrNull(r.u16('cycles')) : null;
  const fault8 = r.remaining >= 1 ? u8OrNull(r.u8('fault8')) : null;
  const fault10 = r.remaining >= 1 ? u8OrNull(r.u8('fault10')) : null;
  const statusRecord = r.remaining >= 2 ? u16OrNull(r.u16('statusRecord')) : null;
  return {
    time,
    cells_mV,
    temps_C,
    current_A,
    voltage_V,
    remaining_Ah,
    full_Ah,
    status: { protection1, protection2, fault, warning1, warning2, indication, fault8, fault10 },
    cycles,
    statusRecord
  };
}

/** The full V3.1 layout; fields that are null go out as FF / FFFF like a firmware that lacks them. */
export function encodeHistoryRecord(rec: HistoryRecord): Uint8Array {
  const w = new InfoWriter();
  encodeDateTimeBytes(w, rec.time);
  const scaled = (v: number | null, lsb: number) => (v === null ? U16_UNSUPPORTED : toCount(v, lsb));
  w.u8(rec.cells_mV.length);
  for (const v of rec.cells_mV) w.u16(v ?? U16_UNSUPPORTED);
  w.u8(rec.temps_C.length);
  for (const t of rec.temps_C) w.u16(t === null ? TEMP_ABSENT_RAW : tempToRaw(t));
  w.s16(toCount(rec.current_A, 0.01));
  w.u16(scaled(rec.voltage_V, 0.001));
  w.u16(scaled(rec.remaining_Ah, 0.01));
  w.u16(scaled(rec.full_Ah, 0.01));
  const s = rec.status;
  for (const b of [s.protection1, s.protection2, s.fault, s.warning1, s.warning2, s.indication]) w.u8(b ?? U8_UNSUPPORTED);
  w.u16(rec.cycles ?? U16_UNSUPPORTED);
  w.u8(s.fault8 ?? U8_UNSUPPORTED).u8(s.fault10 ?? U8_UNSUPPORTED);
  w.u16(rec.statusRecord ?? U16_UNSUPPORTED);
  return w.finish();
}

/** A1H: read history record `index`. An empty reply means "no more records". */
export const readHistory: Command<HistoryRequest, HistoryReply> = {
  cid2: 0xa1,
  id: 'readHistory',
  title: 'History record',
  kind: 'read',
  encodeRequest: (req) => {
    checkField(req.index, HISTORY_INDEX_SPEC);
    return new InfoWriter().u16(req.index).finish();
  },
  decodeRequest: (info) => {
    const r = new InfoReader(info, 'A1H history request');
    const index = r.u16('index');
    r.end();
    return { index };
  },
  encodeReply: (res) => (res.kind === 'end' ? encodeEmpty() : encodeHistoryRecord(res.record)),
  decodeReply: (info) => {
    if (info.length === 0) return { kind: 'end' };
    return { kind: 'record', record: decodeHistoryRecord(info) };
  },
  // 6 time + 1 + 16 cells + 1 + 8 temps + 8 + 6 + 2 + 2 + 2: room for the 8-sensor variants.
  expectedReplyBytes: () => 76
};

/**
 * B3H: erase every history record on the pack. Not a read: the client's write guard stops it
 * without installer mode, and the history engine sends it only once the records are stored and
 * exported (src/lib/history/clear.ts).
 */
export const clearHistory: Command<void, WriteAck> = {
  cid2: 0xb3,
  id: 'clearHistory',
  title: 'Clear history',
  kind: 'dangerous',
  encodeRequest: () => encodeEmpty(),
  decodeRequest: (info) => decodeEmptyRequest(info, 'B3H clear history request'),
  encodeReply: (res) => encodeWriteAck(res),
  decodeReply: (info) => decodeWriteAck(info),
  expectedReplyBytes: () => 0
};

export const historyCommands = [readHistory, clearHistory] as const;

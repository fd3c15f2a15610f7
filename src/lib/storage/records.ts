// The shapes of the records as they sit in IndexedDB. Repositories hand out these (or views of
// them); nothing else in the app writes them. Times are Unix epoch milliseconds (UTC) unless the name
// says otherwise: stored data outlives the page, so the session clock (performance.now) is no use.

import type { HistoryRecord } from '../protocol/commands/history';
import type { BmsDateTime } from '../protocol/commands/datetime';
import type { JsonObject, JsonValue } from './json';

/** How a device key was made (see devices.ts for the rule). */
export type DeviceKeyKind = 'serial' | 'address';

/** Why a device is keyed by its position rather than its serial number. */
export type AddressKeyReason = 'no-serial' | 'unusable-serial' | 'duplicate-serial';

export interface DeviceRecord {
  /** "sn:<BMS serial>" or "addr:<bank label>#<address>". */
  key: string;
  keyKind: DeviceKeyKind;
  /** Set when keyKind is 'address'. */
  addressKeyReason: AddressKeyReason | null;
  bmsSerial: string | null;
  packSerial: string | null;
  /** The C1H version string as the pack sent it ("P16S100A-1812-1.00"). */
  softwareVersion: string | null;
  /** Parts of softwareVersion when it has the usual model-hardware-firmware shape, else null. */
  model: string | null;
  hardwareVersion: string | null;
  firmwareVersion: string | null;
  bluetoothName: string | null;
  lastAddress: number;
  /** The bank the pack was last seen in (see bankLabelFor). */
  lastBank: string;
  firstSeen_ms: number;
  lastSeen_ms: number;
  /** Largest cell / temperature counts recorded for this device (CSV columns), null before any. */
  cellCount: number | null;
  tempCount: number | null;
  /** A name the user gave the pack; null when none. */
  nickname: string | null;
}

/** What a chunk's columns mean: fixed columns, then one per cell, temperature and status byte. */
export interface RawChunkLayout {
  cellCount: number;
  tempCount: number;
  tempLabels: string[];
  /** Names of the 44H status bytes recorded (dialects differ), sorted. */
  statusKeys: string[];
}

/** Full-resolution telemetry of one device: up to a few hundred samples, spanning at most one hour. */
export interface RawChunkRecord {
  device: string;
  /** Time of the first sample. */
  start_ms: number;
  /** Recording session that wrote it (two recorders never overwrite each other's chunks). */
  session: string;
  /** Time of the last sample. */
  end_ms: number;
  rows: number;
  layout: RawChunkLayout;
  /** column-codec bytes. */
  data: Uint8Array;
}

/** Per-minute aggregates of one device within one clock hour. */
export interface MinuteChunkRecord {
  device: string;
  /** Start of the first minute in the chunk. */
  start_ms: number;
  session: string;
  /** Start of the last minute in the chunk. */
  end_ms: number;
  rows: number;
  layout: RawChunkLayout;
  data: Uint8Array;
}

/** One device's part of one recording session. */
export interface RecordingRecord {
  session: string;
  device: string;
  address: number;
  bank: string;
  start_ms: number;
  end_ms: number;
  rows: number;
}

/** A pack's own event record (A1H), as read; de-duplicated by device, record time and content. */
export interface HistoryEntryRecord {
  device: string;
  /** The pack's clock reading taken as UTC (the pack has no time zone): sortable, not an instant. */
  time_ms: number;
  /** SHA-256 of `raw`, hex. */
  hash: string;
  /** The clock reading as the pack sent it. */
  time: BmsDateTime;
  /** False when the pack's clock fields are out of range (a garbage clock still gets stored). */
  timeValid: boolean;
  record: HistoryRecord;
  /** The record's INFO bytes as received, so it can be decoded again later. */
  raw: Uint8Array;
  address: number;
  /** When this app first read it. */
  readAt_ms: number;
}

export type SnapshotReason = 'before-write' | 'before-restore' | 'before-defaults' | 'before-firmware' | 'after-firmware' | 'manual' | 'diagnose';

/** A frame as it crossed the wire, for re-decoding later. */
export interface RawFrame {
  /** What it is, e.g. "47H system parameters" or a command id. */
  label: string;
  /** The frame's bytes ("~…\r" for this ASCII protocol). */
  bytes: Uint8Array;
}

export interface SnapshotRecord {
  id: number;
  device: string;
  address: number;
  taken_ms: number;
  reason: SnapshotReason;
  note: string | null;
  /** Values per parameter group as plain JSON, e.g. { cellVoltage: { overVoltageProtect_V: 3.65, ... } }. */
  values: JsonObject;
  frames: RawFrame[];
}

export type WriteResult =
  /** Written and read back equal. */
  | 'ok'
  /** Written, but the read-back differs. */
  | 'mismatch'
  /** The pack refused it or the link failed before an answer. */
  | 'failed'
  /** Sent, but no read-back confirmed it (link lost after sending). */
  | 'not-confirmed'
  /** Refused before sending (validation, no installer PIN, read-only session). */
  | 'refused';

export interface WriteLogRecord {
  id: number;
  t_ms: number;
  device: string;
  address: number;
  /** What was changed, e.g. "cellVoltage.overVoltageProtect_V" or "control.chargeMos". */
  what: string;
  /** Command id or CID2, e.g. "writeCellVoltage". */
  command: string | null;
  old: JsonValue;
  new: JsonValue;
  /** The value read back after writing; null when none was read. */
  readBack: JsonValue;
  result: WriteResult;
  message: string | null;
  /** The snapshot taken before this write. */
  snapshotId: number | null;
  /**
   * What the writer keeps beyond these fields, plain JSON (the parameter layer: its operation id,
   * kind, exact outcome and each value's label). Absent on entries written without it.
   */
  detail?: JsonObject;
}

export type FirmwareSource = 'catalog' | 'file';

export interface FirmwareImageRecord {
  /** SHA-256 of the bytes, hex: the key. */
  sha256: string;
  size_B: number;
  /** File name or catalog name. */
  name: string;
  /** "bin", "hex", "package", ... as the firmware layer names it. */
  format: string;
  source: FirmwareSource;
  url: string | null;
  model: string | null;
  /** Hardware versions the image is for (a pattern the firmware layer interprets). */
  hardwarePattern: string | null;
  version: string | null;
  releaseNotes: string | null;
  added_ms: number;
  /** Anything else the firmware layer wants to keep (manifest fields), plain JSON. */
  extra: JsonObject;
}

export interface FirmwareBlobRecord {
  sha256: string;
  bytes: Uint8Array;
}

export interface CatalogRecord {
  url: string;
  fetched_ms: number;
  etag: string | null;
  json: JsonValue;
}

export interface ReportRecord {
  id: number;
  created_ms: number;
  /** "diagnose" for the diagnose wizard; other kinds may follow. */
  kind: string;
  title: string;
  ticket: string | null;
  /** Size of the body as JSON text. */
  size_B: number;
  /** A few fields the list shows without loading the body. */
  summary: JsonObject;
}

export interface ReportBodyRecord {
  id: number;
  body: JsonValue;
}

export interface KvRecord {
  key: string;
  value: JsonValue;
  updated_ms: number;
}

// The storage layer's public face. Import from '$lib/storage' (session/ and above); the modules
// behind it are free to change shape.

export { openStorage, type AppStorage, type OpenStorageOptions } from './storage';
export { StorageError, isQuotaError, toStorageError, type StorageErrorKind } from './errors';
export type { JsonObject, JsonValue } from './json';
export { jsonProblem, isJsonValue } from './json';
export { DB_NAME, DB_VERSION, MIGRATIONS, type Migration } from './schema';
export type {
  AddressKeyReason,
  CatalogRecord,
  DeviceKeyKind,
  DeviceRecord,
  FirmwareImageRecord,
  FirmwareSource,
  HistoryEntryRecord,
  RawFrame,
  RecordingRecord,
  ReportRecord,
  SnapshotReason,
  SnapshotRecord,
  WriteLogRecord,
  WriteResult
} from './records';
export {
  bankDeviceKeys,
  bankLabelFor,
  deviceKeyFor,
  isUsableSerial,
  serialProblem,
  splitSoftwareVersion,
  type DeviceKey,
  type DeviceSighting
} from './devices';
export type { TelemetrySample, TelemetryRow } from './telemetry-row';
export type { MinuteAggregate, IntegrationOptions, MinuteFixedName } from './minute-aggregate';
export { DEFAULT_INTEGRATION } from './minute-aggregate';
export { MAX_CHUNK_SPAN_MS, type PruneResult, type TimeRange } from './telemetry';
export {
  CHART_SERIES,
  uplotColumns,
  type ChartData,
  type ChartRequest,
  type ChartSeries,
  type ChartSeriesKey,
  type DeviceChart
} from './chart-query';
export { Recorder, type RecorderOptions, type RecorderState, type RecorderStats, type StopReason, type StopReasonKind } from './recorder';
export { DEFAULT_RETENTION, retentionProblem, type RetentionSettings } from './retention';
export type { PersistOutcome, StorageUsage, StorageManagerLike } from './quota';
export type { HistoryAddResult, HistoryCopyState, HistoryFilter, HistoryInput } from './history';
export { HISTORY_STATE_PREFIX } from './history';
export { packTimeToMs } from './history';
export type { SnapshotInput } from './snapshots';
export type { WriteLogInput } from './write-log';
export { MAX_IMAGE_BYTES, type FirmwareImageInput } from './firmware-store';
export type { ReportInput } from './reports';
export { typedKey, type TypedKey } from './kv';
export { csvCell, historyCsv, historyEvents, minutesCsv, telemetryCsv, type TelemetryExportRequest } from './export/csv';
export { historyJson, telemetryJson, HISTORY_JSON_FORMAT, TELEMETRY_JSON_FORMAT } from './export/json';
export { piecesToBlob, savePieces, writePieces, type SaveOptions, type SaveResult } from './export/sink';

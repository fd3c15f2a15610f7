// The packs' own event logs (A1H): read into a store, described in ids and words, cleared (B3H)
// only when a stored and exported copy makes it safe. Plain TS above protocol/, beside storage/:
// it defines the narrow store interface it needs (store.ts), which storage/ implements.

export { readPackHistory, historyReach } from './reader';
export type {
  HistoryClient,
  ReadHistoryOptions,
  HistoryReadMode,
  HistoryReadStop,
  HistoryReadProblem,
  HistoryReadProgress,
  HistoryReadResult,
  HistoryReach
} from './reader';
export { clearPackHistory, clearRefusal } from './clear';
export type { ClearRefusal, ClearResult, ClearHistoryOptions } from './clear';
export { describeRecord, changesSince, isNotable, HISTORY_EVENT_KINDS } from './events';
export type { HistoryEvent, HistoryEventKind, HistoryFlag, HistoryChange } from './events';
export { historyRecordKey, toPackRecord, packTimeOf, fnv1a64 } from './record';
export type { PackHistoryRecord } from './record';
export { MemoryHistoryStore, compareNewestFirst } from './store';
export type { HistoryStore, HistoryArchive, HistoryCoverage } from './store';

// The two records the write path keeps, as narrow interfaces: parameter snapshots (keyed by BMS
// serial and time, taken before every write) and the write log (what, which pack, old → new,
// result). The IndexedDB implementations live in storage/; the in-memory ones here serve tests,
// benchmarks and a session that has no storage yet. Both are append-only from the engine's side:
// nothing the write path records is ever rewritten.

import type { PackRef } from './bus';
import type { ParamGroupId, ParamValue } from './model';

export type SnapshotReason =
  /** Kept on request (the editor's "keep a snapshot"), not before a write. */
  | 'manual'
  /** Taken by the write path before it changed anything. */
  | 'before-write'
  /** Before a snapshot was restored. */
  | 'before-restore'
  /** Before the factory defaults (A4H). */
  | 'before-defaults'
  /** Before and after a firmware update (the updater's parameter backup). */
  | 'before-firmware'
  | 'after-firmware'
  /** Read by the diagnose session for its report. */
  | 'diagnose';

export interface ParamSnapshot {
  /** Assigned by the store. */
  id: string;
  bmsSerial: string;
  address: number;
  /** Wall-clock time it was taken, epoch ms. */
  time_ms: number;
  reason: SnapshotReason;
  /** What the operation was about to do ("Write Cell over-voltage"), or the read it came from. */
  note: string;
  /**
   * Values by id. Parameter ids ("cellOverVoltage.protect_mV") can be restored; other keys
   * ("control.buzzer", "reading.voltage_V") record the state a control or calibration changed.
   */
  values: Record<string, ParamValue>;
  /** Parameter groups it covers completely (a pre-write snapshot covers the groups being written). */
  groups: ParamGroupId[];
}

export interface SnapshotStore {
  /** Persist; throws when it cannot (the write path then refuses to write). */
  save(snapshot: Omit<ParamSnapshot, 'id'>): Promise<ParamSnapshot>;
  /** A pack's snapshots, newest first (the store decides how a pack is keyed: by serial where usable). */
  list(pack: PackRef): Promise<ParamSnapshot[]>;
  get(id: string): Promise<ParamSnapshot | undefined>;
}

export type WriteKind = 'parameters' | 'restore-snapshot' | 'restore-defaults' | 'profile' | 'control' | 'calibration' | 'clock' | 'extension';

/**
 * How a write ended. Only 'written' means the pack holds the new value: it was read back and
 * matched.
 */
export type WriteOutcome =
  /** Sent, acknowledged, read back and equal. */
  | 'written'
  /** Acknowledged, but the pack has no way to read this setting back. */
  | 'unverified'
  /** Read back and different from what was sent (both values in the entry). */
  | 'mismatch'
  /** The pack answered with an error code (RTN 09 and the like); nothing changed that we know of. */
  | 'refused'
  /** The link went away (or the pack fell silent) after the request left: it may or may not have been applied. */
  | 'not-confirmed'
  /** Stopped before anything was sent: installer lock, snapshot failure, another pack answering, cancel. */
  | 'not-sent'
  /** The values broke a rule: nothing was sent. */
  | 'invalid';

/** What each outcome means, as message keys (messages/params). */
export const OUTCOME_MESSAGE_KEYS: Readonly<Record<WriteOutcome | 'unchanged', string>> = {
  written: 'params_outcome_written',
  unverified: 'params_outcome_unverified',
  mismatch: 'params_outcome_mismatch',
  refused: 'params_outcome_refused',
  'not-confirmed': 'params_outcome_not_confirmed',
  'not-sent': 'params_outcome_not_sent',
  invalid: 'params_outcome_invalid',
  unchanged: 'params_outcome_unchanged'
};

export interface LoggedChange {
  /** Param id, control id or reading id. */
  key: string;
  label: string;
  from: ParamValue | null;
  to: ParamValue | null;
  /** What the pack reported afterwards; null when it could not be read. */
  readBack: ParamValue | null;
  /** "3700 mV → 3450 mV (read back 3450 mV)" */
  text: string;
}

export interface WriteLogEntry {
  /** Assigned by the log. */
  id: string;
  /** Wall-clock time, epoch ms. */
  time_ms: number;
  /** Entries of one operation (a multi-group write, a profile on one pack) share it. */
  operationId: string;
  kind: WriteKind;
  pack: { address: number; bmsSerial: string | null };
  /** "Cell over-voltage (D0H)" */
  what: string;
  /** The write command sent, when one was. */
  command?: { id: string; cid2: number };
  changes: LoggedChange[];
  outcome: WriteOutcome;
  /** In words: why, what the pack said, what to do. */
  message: string;
  rtn?: number;
  snapshotId?: string;
}

export interface WriteLog {
  /** Persist; throws when it cannot (the write path reports that alongside the result). */
  append(entry: Omit<WriteLogEntry, 'id'>): Promise<WriteLogEntry>;
  /** Newest first; of one pack when given. */
  list(filter?: { pack?: PackRef; limit?: number }): Promise<WriteLogEntry[]>;
}

/** Snapshots in memory (tests, benchmarks). */
export class MemorySnapshotStore implements SnapshotStore {
  readonly #items: ParamSnapshot[] = [];
  #next = 1;

  async save(snapshot: Omit<ParamSnapshot, 'id'>): Promise<ParamSnapshot> {
    const saved: ParamSnapshot = structuredClone({ ...snapshot, id: `snapshot-${this.#next++}` });
    this.#items.push(saved);
    return structuredClone(saved);
  }

  async list(pack: PackRef): Promise<ParamSnapshot[]> {
    return this.#items
      .filter((s) => s.bmsSerial === pack.bmsSerial)
      .reverse()
      .map((s) => structuredClone(s));
  }

  async get(id: string): Promise<ParamSnapshot | undefined> {
    const s = this.#items.find((x) => x.id === id);
    return s && structuredClone(s);
  }
}

/** The write log in memory (tests, benchmarks). */
export class MemoryWriteLog implements WriteLog {
  readonly #items: WriteLogEntry[] = [];
  #next = 1;

  async append(entry: Omit<WriteLogEntry, 'id'>): Promise<WriteLogEntry> {
    const saved: WriteLogEntry = structuredClone({ ...entry, id: `log-${this.#next++}` });
    this.#items.push(saved);
    return structuredClone(saved);
  }

  async list(filter: { pack?: PackRef; limit?: number } = {}): Promise<WriteLogEntry[]> {
    const all = this.#items.filter((e) => filter.pack === undefined || e.pack.bmsSerial === filter.pack.bmsSerial).reverse();
    return structuredClone(filter.limit === undefined ? all : all.slice(0, filter.limit));
  }

  /** Every entry, oldest first (tests). */
  get entries(): readonly WriteLogEntry[] {
    return this.#items;
  }
}

// The parameter engine's two records on the app's storage: snapshots (params SnapshotStore over
// storage's snapshots repository) and the write log (params WriteLog over storage's writeLog).
//
// A pack is keyed the way storage keys devices (storage/devices.ts): by its BMS serial where that
// is usable, else by its position in the bank, so two unprogrammed boards that both report
// "0000000000" never share snapshots. Snapshot values are stored per group as storage asks
// ({ cellOverVoltage: { protect_mV: 3700, ... } }) with the serial beside them; log entries keep
// storage's common fields (what, old, new, read back, result) and the parameter layer's own
// detail (operation, kind, exact outcome, labels), so any reader of the log understands it and
// this one loses nothing.

import { PARAM_GROUPS, type PackRef, type ParamGroupId, type ParamSnapshot, type ParamValue, type SnapshotStore } from '$lib/params';
import type { LoggedChange, WriteKind, WriteLog, WriteLogEntry, WriteOutcome } from '$lib/params';
import {
  deviceKeyFor,
  type AppStorage,
  type JsonObject,
  type JsonValue,
  type SnapshotRecord,
  type WriteLogRecord,
  type WriteResult
} from '$lib/storage';

/** The label address-keyed packs are filed under (storage's bankLabelFor of the bank now connected). */
export type BankLabel = () => string;

const IDENTITY_KEY = 'identity';

function deviceOf(pack: { address: number; bmsSerial: string | null }, bank: BankLabel): string {
  return deviceKeyFor(pack.bmsSerial, bank(), pack.address).key;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isParamValue(v: JsonValue | undefined): v is ParamValue {
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string';
}

/** "cellOverVoltage.protect_mV" → { cellOverVoltage: { protect_mV } }; control.* and reading.* alike. */
export function nestValues(values: Record<string, ParamValue>): JsonObject {
  const out: Record<string, Record<string, JsonValue>> = {};
  for (const [id, v] of Object.entries(values)) {
    const dot = id.indexOf('.');
    const group = dot < 0 ? '' : id.slice(0, dot);
    (out[group] ??= {})[dot < 0 ? id : id.slice(dot + 1)] = v;
  }
  return out;
}

export function flattenValues(nested: JsonObject): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [group, fields] of Object.entries(nested)) {
    if (group === IDENTITY_KEY || !isObject(fields)) continue;
    for (const [field, v] of Object.entries(fields)) if (isParamValue(v)) out[group ? `${group}.${field}` : field] = v;
  }
  return out;
}

/** The groups a snapshot covers completely: every value a pack always reports is there. */
function coveredGroups(values: Record<string, ParamValue>): ParamGroupId[] {
  return PARAM_GROUPS.filter((g) => g.params.every((m) => m.optional || values[m.id] !== undefined)).map((g) => g.id);
}

function toSnapshot(r: SnapshotRecord): ParamSnapshot {
  const identity = r.values[IDENTITY_KEY];
  const serial =
    isObject(identity) && typeof identity.bmsSerial === 'string' ? identity.bmsSerial : r.device.startsWith('sn:') ? r.device.slice(3) : '';
  const values = flattenValues(r.values);
  return {
    id: String(r.id),
    bmsSerial: serial,
    address: r.address,
    time_ms: r.taken_ms,
    reason: r.reason,
    note: r.note ?? '',
    values,
    groups: coveredGroups(values)
  };
}

export class StoredSnapshots implements SnapshotStore {
  readonly #database: () => Promise<AppStorage>;
  readonly #bank: BankLabel;

  constructor(database: () => Promise<AppStorage>, bank: BankLabel) {
    this.#database = database;
    this.#bank = bank;
  }

  async save(s: Omit<ParamSnapshot, 'id'>): Promise<ParamSnapshot> {
    const storage = await this.#database();
    const id = await storage.snapshots.add({
      device: deviceOf(s, this.#bank),
      address: s.address,
      taken_ms: s.time_ms,
      reason: s.reason,
      note: s.note,
      values: { ...nestValues(s.values), [IDENTITY_KEY]: { bmsSerial: s.bmsSerial } },
      frames: []
    });
    return { ...structuredClone(s), id: String(id) };
  }

  async list(pack: PackRef): Promise<ParamSnapshot[]> {
    const storage = await this.#database();
    return (await storage.snapshots.list({ device: deviceOf(pack, this.#bank) })).map(toSnapshot);
  }

  async get(id: string): Promise<ParamSnapshot | undefined> {
    const n = Number(id);
    if (!Number.isSafeInteger(n)) return undefined;
    const r = await (await this.#database()).snapshots.get(n);
    return r ? toSnapshot(r) : undefined;
  }
}

/** Storage's coarser result for each outcome (the exact one is kept in the detail). */
const RESULT: Record<WriteOutcome, WriteResult> = {
  written: 'ok',
  unverified: 'not-confirmed',
  mismatch: 'mismatch',
  refused: 'failed',
  'not-confirmed': 'not-confirmed',
  'not-sent': 'refused',
  invalid: 'refused'
};

const OUTCOMES = new Set<string>(Object.keys(RESULT));
const KINDS = new Set<string>(['parameters', 'restore-snapshot', 'restore-defaults', 'profile', 'control', 'calibration', 'clock', 'extension']);

/** The parameter layer's detail of a log record. */
interface Detail {
  operationId: string;
  kind: WriteKind;
  outcome: WriteOutcome;
  bmsSerial: string | null;
  rtn?: number;
  cid2?: number;
  changes: { key: string; label: string; text: string }[];
}

function detailOf(r: WriteLogRecord): Detail | null {
  const d = r.detail;
  if (!d || typeof d.operationId !== 'string' || !KINDS.has(String(d.kind)) || !OUTCOMES.has(String(d.outcome)) || !Array.isArray(d.changes))
    return null;
  const changes: Detail['changes'] = [];
  for (const c of d.changes) {
    if (!isObject(c) || typeof c.key !== 'string' || typeof c.label !== 'string' || typeof c.text !== 'string') return null;
    changes.push({ key: c.key, label: c.label, text: c.text });
  }
  return {
    operationId: d.operationId,
    kind: d.kind as WriteKind,
    outcome: d.outcome as WriteOutcome,
    bmsSerial: typeof d.bmsSerial === 'string' ? d.bmsSerial : null,
    ...(typeof d.rtn === 'number' ? { rtn: d.rtn } : {}),
    ...(typeof d.cid2 === 'number' ? { cid2: d.cid2 } : {}),
    changes
  };
}

function valueIn(obj: JsonValue, key: string): ParamValue | null {
  if (!isObject(obj)) return null;
  const v = obj[key];
  return isParamValue(v) ? v : null;
}

function toEntry(r: WriteLogRecord, d: Detail): WriteLogEntry {
  const changes: LoggedChange[] = d.changes.map((c) => ({
    key: c.key,
    label: c.label,
    from: valueIn(r.old, c.key),
    to: valueIn(r.new, c.key),
    readBack: valueIn(r.readBack, c.key),
    text: c.text
  }));
  return {
    id: String(r.id),
    time_ms: r.t_ms,
    operationId: d.operationId,
    kind: d.kind,
    pack: { address: r.address, bmsSerial: d.bmsSerial },
    what: r.what,
    ...(r.command && d.cid2 !== undefined ? { command: { id: r.command, cid2: d.cid2 } } : {}),
    changes,
    outcome: d.outcome,
    message: r.message ?? '',
    ...(d.rtn !== undefined ? { rtn: d.rtn } : {}),
    ...(r.snapshotId !== null ? { snapshotId: String(r.snapshotId) } : {})
  };
}

/** One line of the write log as the page shows it, for this layer's entries and any other writer's. */
export interface WriteLogRow {
  id: string;
  time_ms: number;
  address: number;
  /** Storage's device key ("sn:…" or "addr:…#3"). */
  device: string;
  bmsSerial: string | null;
  what: string;
  /** "Cell OV Protect: 3700 mV → 3310 mV (read back 3310 mV)" */
  changes: { label: string; text: string }[];
  /** The parameter layer's exact outcome; null for entries other writers made (see `result`). */
  outcome: WriteOutcome | null;
  result: WriteResult;
  message: string;
  kind: WriteKind | null;
}

function genericChanges(r: WriteLogRecord): { label: string; text: string }[] {
  const text = (v: JsonValue) => (v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  if (isObject(r.old) || isObject(r.new)) {
    const keys = new Set([...Object.keys(isObject(r.old) ? r.old : {}), ...Object.keys(isObject(r.new) ? r.new : {})]);
    return [...keys].map((k) => ({
      label: k,
      text: `${text(isObject(r.old) ? (r.old[k] ?? null) : null)} → ${text(isObject(r.new) ? (r.new[k] ?? null) : null)}`
    }));
  }
  return [{ label: r.what, text: `${text(r.old)} → ${text(r.new)}` }];
}

export function writeLogRow(r: WriteLogRecord): WriteLogRow {
  const d = detailOf(r);
  return {
    id: String(r.id),
    time_ms: r.t_ms,
    address: r.address,
    device: r.device,
    bmsSerial: d ? d.bmsSerial : r.device.startsWith('sn:') ? r.device.slice(3) : null,
    what: r.what,
    changes: d ? d.changes.map((c) => ({ label: c.label, text: c.text })) : genericChanges(r),
    outcome: d?.outcome ?? null,
    result: r.result,
    message: r.message ?? '',
    kind: d?.kind ?? null
  };
}

export class StoredWriteLog implements WriteLog {
  readonly #database: () => Promise<AppStorage>;
  readonly #bank: BankLabel;

  constructor(database: () => Promise<AppStorage>, bank: BankLabel) {
    this.#database = database;
    this.#bank = bank;
  }

  async append(entry: Omit<WriteLogEntry, 'id'>): Promise<WriteLogEntry> {
    const storage = await this.#database();
    const by = (pick: (c: LoggedChange) => ParamValue | null): JsonObject => Object.fromEntries(entry.changes.map((c) => [c.key, pick(c)]));
    const readBack = entry.changes.some((c) => c.readBack !== null) ? by((c) => c.readBack) : null;
    const detail: JsonObject = {
      operationId: entry.operationId,
      kind: entry.kind,
      outcome: entry.outcome,
      bmsSerial: entry.pack.bmsSerial,
      ...(entry.rtn !== undefined ? { rtn: entry.rtn } : {}),
      ...(entry.command ? { cid2: entry.command.cid2 } : {}),
      changes: entry.changes.map((c) => ({ key: c.key, label: c.label, text: c.text }))
    };
    const snapshotId = entry.snapshotId === undefined ? null : Number(entry.snapshotId);
    const id = await storage.writeLog.add({
      t_ms: entry.time_ms,
      device: deviceOf(entry.pack, this.#bank),
      address: entry.pack.address,
      what: entry.what,
      command: entry.command?.id ?? null,
      old: by((c) => c.from),
      new: by((c) => c.to),
      readBack,
      result: RESULT[entry.outcome],
      message: entry.message,
      snapshotId: Number.isSafeInteger(snapshotId) ? snapshotId : null,
      detail
    });
    return { ...structuredClone(entry), id: String(id) };
  }

  /** This layer's entries, newest first (entries other writers made are left out: see rows()). */
  async list(filter: { pack?: PackRef; limit?: number } = {}): Promise<WriteLogEntry[]> {
    const out: WriteLogEntry[] = [];
    for await (const r of await this.#records(filter.pack)) {
      const d = detailOf(r);
      if (d) out.push(toEntry(r, d));
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  /** Every entry as the page shows it, newest first, of one pack when given. */
  async rows(filter: { pack?: PackRef; limit?: number } = {}): Promise<WriteLogRow[]> {
    const out: WriteLogRow[] = [];
    for await (const r of await this.#records(filter.pack)) {
      out.push(writeLogRow(r));
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  async #records(pack: PackRef | undefined): Promise<AsyncGenerator<WriteLogRecord>> {
    const storage = await this.#database();
    return storage.writeLog.iterate(pack ? { device: deviceOf(pack, this.#bank) } : {});
  }
}

// The firmware update's parameter care, as the vendor manual asks: back up the pack's parameters
// before it is touched, and afterwards offer to put them back or to restore the factory defaults.
//
// INTERIM: the parameters feature (params-ui) owns the storage-backed snapshot store, the write
// log and the write path the app uses. Until it lands, this adapter builds the same from the
// params engine (reader, WritePath, restoreSnapshot, restoreFactoryDefaults) over storage.snapshots
// and storage.writeLog, and registers the write path with the session's WriteAuthority. The
// firmware feature depends only on the FirmwareParameters interface below, so the params
// feature's own implementation can replace this one without touching the page.

import type { BackupRef, BackupRequest, ParameterBackup } from '$lib/firmware';
import {
  PARAM_GROUPS,
  readPackParams,
  restoreFactoryDefaults,
  restoreSnapshot,
  WritePath,
  type ParamSnapshot,
  type ParamValue,
  type SnapshotStore,
  type WriteLog,
  type WriteLogEntry,
  type WriteOutcome,
  type WriteReport
} from '$lib/params';
import type { BusOwner } from '$lib/params/bus';
import { bankLabelFor, deviceKeyFor, type AppStorage, type JsonObject, type SnapshotRecord, type WriteResult } from '$lib/storage';
import type { DeviceSession } from './session.svelte';
import { firmwareBus } from './firmware-watch.svelte';

/** How a restore after the update ended. */
export interface ParameterRestore {
  readonly outcome: WriteOutcome | 'unchanged';
  /** In English, from the write path (what was written, read back, or why not). */
  readonly message: string;
}

export interface FirmwareParameters {
  readonly backup: ParameterBackup;
  /** Put the backed-up values back, through the one write path (validate, snapshot, write, read back, log). */
  restoreBackup(ref: BackupRef, address: number, options?: { signal?: AbortSignal }): Promise<ParameterRestore>;
  /** A4H: the pack's own factory defaults, through the one write path. */
  restoreDefaults(address: number, options?: { signal?: AbortSignal }): Promise<ParameterRestore>;
}

/** Wire time of one parameter exchange, roughly (request, reply, turnaround), for the progress weight. */
const EXCHANGE_BYTES = 160;

function groupedValues(values: Readonly<Record<string, ParamValue>>): JsonObject {
  const out: Record<string, JsonObject> = {};
  for (const [id, value] of Object.entries(values)) {
    const dot = id.indexOf('.');
    const group = dot > 0 ? id.slice(0, dot) : 'other';
    (out[group] ??= {})[dot > 0 ? id.slice(dot + 1) : id] = value;
  }
  return out;
}

function flatValues(values: JsonObject): { values: Record<string, ParamValue>; groups: string[] } {
  const flat: Record<string, ParamValue> = {};
  const groups: string[] = [];
  for (const [group, fields] of Object.entries(values)) {
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) continue;
    groups.push(group);
    for (const [field, v] of Object.entries(fields)) {
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') flat[`${group}.${field}`] = v;
    }
  }
  return { values: flat, groups };
}

function serialOf(device: string): string {
  return device.startsWith('sn:') ? device.slice(3) : '';
}

const RESULT_OF: Readonly<Record<WriteOutcome, WriteResult>> = {
  written: 'ok',
  unverified: 'not-confirmed',
  mismatch: 'mismatch',
  refused: 'failed',
  'not-confirmed': 'not-confirmed',
  'not-sent': 'refused',
  invalid: 'refused'
};

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

/** The interim implementation over the session's storage and client. */
export class SessionFirmwareParameters implements FirmwareParameters {
  readonly backup: ParameterBackup;
  readonly #session: DeviceSession;
  readonly #now: () => number;
  #path: WritePath | null = null;

  constructor(session: DeviceSession, options: { now_ms?: () => number } = {}) {
    this.#session = session;
    this.#now = options.now_ms ?? Date.now;
    const estimate = (): number => {
      const timing = firmwareBus(session)?.transport.timing;
      if (!timing) return 3000;
      const wire_ms = (EXCHANGE_BYTES * timing.bitsPerByte * 1000) / timing.baud;
      return Math.round((PARAM_GROUPS.length + 1) * (wire_ms + 60));
    };
    this.backup = {
      snapshot: (request) => this.#snapshot(request),
      // Read when the update starts, for the link it runs on.
      get estimate_ms() {
        return estimate();
      }
    };
  }

  #bank(): string {
    const master = this.#session.packs.find((p) => p.isMaster);
    return bankLabelFor(master?.identity?.bmsSerial ?? null, this.#session.transportInfo?.label ?? '');
  }

  async #storage(): Promise<AppStorage> {
    return this.#session.database();
  }

  async #snapshot(request: BackupRequest): Promise<BackupRef> {
    const read = await readPackParams(request.bus, request.address, { signal: request.signal });
    if (!read.reachable) throw new Error(read.problem ?? `pack ${request.address} did not answer`);
    for (const g of PARAM_GROUPS) {
      const r = read.groups[g.id];
      // A group this firmware does not have is no loss; one that failed to read is.
      if (r && (r.status === 'failed' || r.status === 'skipped')) throw new Error(`"${g.title}" could not be read (${r.message})`);
    }
    const serial = read.bmsSerial ?? request.identity.bmsSerial ?? null;
    const device = deviceKeyFor(serial, this.#bank(), request.address).key;
    const taken_ms = this.#now();
    const note = `Before the firmware update of pack ${request.address} (${request.identity.versionString ?? request.identity.model})`;
    const id = await (
      await this.#storage()
    ).snapshots.add({
      device,
      address: request.address,
      taken_ms,
      reason: 'before-firmware',
      note,
      values: groupedValues(read.values),
      frames: []
    });
    return { id: String(id), label: `Pack ${request.address}, ${formatTime(taken_ms)} UTC` };
  }

  #writePath(): WritePath {
    if (this.#path) return this.#path;
    const bus = firmwareBus(this.#session);
    if (!bus) throw new Error('No bank is connected.');
    const session = this.#session;
    const path = new WritePath({
      // Resolved at each run, so a reconnect (a new client) is followed.
      bus: {
        exclusive: (fn, opts) => {
          const current = firmwareBus(session);
          if (!current) return Promise.reject(new Error('No bank is connected.'));
          return current.exclusive((lease) => fn(lease), opts);
        }
      } satisfies BusOwner,
      snapshots: new StorageSnapshotStore(
        () => this.#storage(),
        () => this.#bank()
      ),
      log: new StorageWriteLog(
        () => this.#storage(),
        () => this.#bank()
      ),
      wallClock: this.#now,
      permit: () => session.installer.permit()
    });
    // The write path says exactly which command to which pack it is sending; nothing else passes.
    session.writes.register({
      name: 'the parameter write path (after a firmware update)',
      authorizes: (a) => {
        const s = path.sending;
        return s !== null && a.via === 'command' && a.adr === s.adr && a.commands.includes(s.id);
      }
    });
    this.#path = path;
    return path;
  }

  async #currentRead(address: number, signal?: AbortSignal) {
    const bus = firmwareBus(this.#session);
    if (!bus) throw new Error('No bank is connected.');
    return bus.exclusive((lease) => readPackParams(lease, address, { signal }), { signal });
  }

  async restoreBackup(ref: BackupRef, address: number, options: { signal?: AbortSignal } = {}): Promise<ParameterRestore> {
    const record = await (await this.#storage()).snapshots.get(Number(ref.id));
    if (!record) return { outcome: 'not-sent', message: `The backup ${ref.label} is no longer in this browser's storage.` };
    const now = await this.#currentRead(address, options.signal);
    if (!now.reachable) return { outcome: 'not-sent', message: `Nothing was sent: pack ${address} did not answer. ${now.problem ?? ''}`.trim() };
    const snapshot = snapshotFromRecord(record);
    const cells = this.#session.pack(address)?.analog?.cells_mV.length;
    const report = await restoreSnapshot(
      this.#writePath(),
      snapshot,
      { pack: { address, bmsSerial: now.bmsSerial }, base: now.values, cellCount: cells },
      options
    );
    return summary(report);
  }

  async restoreDefaults(address: number, options: { signal?: AbortSignal } = {}): Promise<ParameterRestore> {
    const now = await this.#currentRead(address, options.signal);
    if (!now.reachable) return { outcome: 'not-sent', message: `Nothing was sent: pack ${address} did not answer. ${now.problem ?? ''}`.trim() };
    return summary(await restoreFactoryDefaults(this.#writePath(), { address, bmsSerial: now.bmsSerial }, options));
  }
}

function summary(report: WriteReport): ParameterRestore {
  return { outcome: report.outcome, message: report.message };
}

function snapshotFromRecord(record: SnapshotRecord): ParamSnapshot {
  const { values, groups } = flatValues(record.values);
  return {
    id: String(record.id),
    bmsSerial: serialOf(record.device),
    address: record.address,
    time_ms: record.taken_ms,
    reason: record.reason === 'before-write' ? 'before-write' : 'read',
    note: record.note ?? '',
    values,
    groups: groups as ParamSnapshot['groups']
  };
}

/** ParamSnapshot (params engine) over storage.snapshots. */
class StorageSnapshotStore implements SnapshotStore {
  constructor(
    readonly storage: () => Promise<AppStorage>,
    readonly bank: () => string
  ) {}

  async save(s: Omit<ParamSnapshot, 'id'>): Promise<ParamSnapshot> {
    const id = await (
      await this.storage()
    ).snapshots.add({
      device: deviceKeyFor(s.bmsSerial, this.bank(), s.address).key,
      address: s.address,
      taken_ms: s.time_ms,
      reason: s.reason === 'before-write' ? 'before-write' : 'manual',
      note: s.note,
      values: groupedValues(s.values),
      frames: []
    });
    return { ...s, id: String(id) };
  }

  async list(bmsSerial: string): Promise<ParamSnapshot[]> {
    const records = await (await this.storage()).snapshots.list({ device: `sn:${bmsSerial}` });
    return records.map(snapshotFromRecord);
  }

  async get(id: string): Promise<ParamSnapshot | undefined> {
    const record = await (await this.storage()).snapshots.get(Number(id));
    return record ? snapshotFromRecord(record) : undefined;
  }
}

/** The params engine's write log over storage.writeLog: one stored row per changed value. */
class StorageWriteLog implements WriteLog {
  constructor(
    readonly storage: () => Promise<AppStorage>,
    readonly bank: () => string
  ) {}

  async append(entry: Omit<WriteLogEntry, 'id'>): Promise<WriteLogEntry> {
    const storage = await this.storage();
    const device = deviceKeyFor(entry.pack.bmsSerial, this.bank(), entry.pack.address).key;
    const rows = entry.changes.length > 0 ? entry.changes : [null];
    let first: number | null = null;
    for (const change of rows) {
      const id = await storage.writeLog.add({
        t_ms: entry.time_ms,
        device,
        address: entry.pack.address,
        what: change?.key ?? entry.what,
        command: entry.command?.id ?? null,
        old: change?.from ?? null,
        new: change?.to ?? null,
        readBack: change?.readBack ?? null,
        result: RESULT_OF[entry.outcome],
        message: change ? `${entry.what}: ${change.text}. ${entry.message}` : entry.message,
        snapshotId: entry.snapshotId ? Number(entry.snapshotId) : null
      });
      first ??= id;
    }
    return { ...entry, id: String(first) };
  }

  async list(filter: { bmsSerial?: string; limit?: number } = {}): Promise<WriteLogEntry[]> {
    const storage = await this.storage();
    const rows = await storage.writeLog.list({ device: filter.bmsSerial ? `sn:${filter.bmsSerial}` : undefined, limit: filter.limit });
    return rows.map((r) => ({
      id: String(r.id),
      time_ms: r.t_ms,
      operationId: `row-${r.id}`,
      kind: 'parameters',
      pack: { address: r.address, bmsSerial: serialOf(r.device) || null },
      what: r.what,
      changes: [],
      outcome: r.result === 'ok' ? 'written' : r.result === 'refused' ? 'not-sent' : r.result === 'failed' ? 'refused' : r.result,
      message: r.message ?? ''
    }));
  }
}

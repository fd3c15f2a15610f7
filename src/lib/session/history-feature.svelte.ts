// The history page's session side: which packs' event logs can be read from here and why not,
// reading them (progress, cancel) into the app's storage through the history engine, the stored
// records for the table, exporting them (which the clear gate counts), and clearing a pack's log
// (B3H) through the session's write authority: a ScopedGrant registered once, held only while the
// engine's clear runs, which itself refuses unless every record is stored and exported.

import {
  changesSince,
  clearPackHistory,
  clearRefusal,
  historyReach,
  readPackHistory,
  type ClearRefusal,
  type ClearResult,
  type HistoryChange,
  type HistoryClient,
  type HistoryFlag,
  type HistoryReach,
  type HistoryReadMode,
  type HistoryReadProgress,
  type HistoryReadResult,
  type PackHistoryRecord
} from '$lib/history';
import { deviceKeyFor, historyCsv, historyJson, savePieces, type DeviceRecord, type HistoryEntryRecord, type SaveResult } from '$lib/storage';
import { StoredHistoryArchive, storedRecordToPack } from './history-archive';
import { recordingFeature } from './recording.svelte';
import type { DeviceSession } from './session.svelte';
import { ScopedGrant } from './write-authority';

export type {
  ClearRefusal,
  ClearResult,
  HistoryChange,
  HistoryEventKind,
  HistoryFlag,
  HistoryReach,
  HistoryReadMode,
  HistoryReadProgress,
  HistoryReadResult,
  PackHistoryRecord
} from '$lib/history';
export { HISTORY_EVENT_KINDS, isNotable } from '$lib/history';
export {
  byteWords,
  changeWords,
  clearRefusalWords,
  clearResultWords,
  eventKindWords,
  flagWords,
  notRecordedWords,
  progressWords,
  reachWords,
  readOutcomeWords
} from '$lib/history/words';
export type { SaveResult } from '$lib/storage';

/** One pack of the connected bank, as the history page offers it. */
export interface HistoryPack {
  address: number;
  isMaster: boolean;
  reach: HistoryReach;
  /** BMS serial from the poller's identity read. */
  serial: string | null;
  /** Storage device key its records are filed under, once known. */
  device: string | null;
}

/** One stored record, for the table and the chart. */
export interface HistoryRow {
  /** Storage device key. */
  device: string;
  address: number;
  readAt_ms: number;
  rec: PackHistoryRecord;
  /** What changed from the device's record before it (everything notable for the oldest stored). */
  change: HistoryChange;
  /** The flags of this record and the one before, where the change's ids are named. */
  changeFlags: HistoryFlag[];
}

export interface StoredHistoryDevice {
  device: string;
  count: number;
  record: DeviceRecord | null;
}

export type HistoryExportFormat = 'csv' | 'json';

export interface ExportOutcome {
  result: SaveResult;
  records: number;
}

export class HistoryFeature {
  readonly #session: DeviceSession;
  readonly #grant = new ScopedGrant('the history clear');
  readonly #unregister: () => void;
  #abort: AbortController | null = null;

  /** The read running now: which pack, and how far. */
  reading = $state.raw<{ address: number; progress: HistoryReadProgress } | null>(null);
  /** How the last read ended (per address). */
  // Replaced whole on every change ($state.raw), never mutated: a plain Map is the state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  results = $state.raw<ReadonlyMap<number, HistoryReadResult>>(new Map());
  /** A clear running now (address). */
  clearing = $state<number | null>(null);
  lastClear = $state.raw<ClearResult | null>(null);
  /** Bumped whenever stored records or their export marks change: views reload. */
  revision = $state(0);

  constructor(session: DeviceSession) {
    this.#session = session;
    this.#unregister = session.writes.register(this.#grant);
  }

  dispose(): void {
    this.cancel();
    this.#unregister();
  }

  /** The connected bank's packs, whether each log can be read from here, and where it is filed. */
  get packs(): HistoryPack[] {
    const rec = recordingFeature(this.#session);
    return this.#session.packs.map((p) => {
      const serial = p.identity?.bmsSerial?.trim() || null;
      return {
        address: p.address,
        isMaster: p.isMaster,
        reach: historyReach(p.identity ?? undefined),
        serial,
        device: serial ? this.#keyFor(p.address, serial) : (rec.deviceKey(p.address)?.key ?? null)
      };
    });
  }

  #keyFor(address: number, serial: string): string {
    const rec = recordingFeature(this.#session);
    const k = rec.deviceKey(address);
    // The recorder's key for this pack when it is this serial's (a position key when the serial
    // cannot be one); else the rule applied here (recording off, or identity read after the reader's).
    if (k && (k.kind === 'address' || k.key === `sn:${serial}`)) return k.key;
    return deviceKeyFor(serial, rec.bank ?? this.#session.transportInfo?.label ?? 'unknown link', address).key;
  }

  #client(): HistoryClient {
    const c = this.#session.client as unknown as Partial<HistoryClient> | null;
    if (!c || typeof c.exclusive !== 'function') throw new Error('No bank is connected.');
    return c as HistoryClient;
  }

  /** Read one pack's log into storage ('new': until records already stored; 'all': to the end). */
  async read(address: number, mode: HistoryReadMode = 'new'): Promise<HistoryReadResult> {
    if (this.reading) throw new Error('A read is already running.');
    const abort = new AbortController();
    this.#abort = abort;
    const pack = this.#session.pack(address);
    const expected = pack?.identity?.bmsSerial?.trim() || undefined;
    this.reading = { address, progress: { phase: 'identifying', device: null, read: 0, added: 0, maxRecords: 1000 } };
    try {
      const storage = await this.#session.database();
      const archive = new StoredHistoryArchive(storage, { keyFor: (serial) => this.#keyFor(address, serial), address });
      const result = await readPackHistory(this.#client(), {
        address,
        store: archive,
        expectedSerial: expected,
        mode,
        signal: abort.signal,
        onProgress: (p) => (this.reading = { address, progress: p })
      });
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, see `results`
      this.results = new Map([...this.results, [address, result]]);
      return result;
    } finally {
      this.reading = null;
      this.#abort = null;
      this.revision++;
    }
  }

  /** Read every pack whose log is readable from here, one after another; stops at a cancel. */
  async readAll(mode: HistoryReadMode = 'new'): Promise<HistoryReadResult[]> {
    const out: HistoryReadResult[] = [];
    for (const p of this.packs.filter((x) => x.reach === 'readable')) {
      const r = await this.read(p.address, mode);
      out.push(r);
      if (r.stop === 'cancelled') break;
    }
    return out;
  }

  cancel(): void {
    this.#abort?.abort(new DOMException('Cancelled', 'AbortError'));
  }

  /** Devices with stored records (connected or not), with their device records for names. */
  async storedDevices(): Promise<StoredHistoryDevice[]> {
    const storage = await this.#session.database();
    const counts = await storage.history.devices();
    const out: StoredHistoryDevice[] = [];
    for (const [device, count] of counts) out.push({ device, count, record: await storage.devices.get(device) });
    return out.sort((a, b) => (a.record?.lastAddress ?? 999) - (b.record?.lastAddress ?? 999) || a.device.localeCompare(b.device));
  }

  /** Stored records of these devices, newest first, each with what changed since the one before. */
  async rows(devices: readonly string[]): Promise<HistoryRow[]> {
    const storage = await this.#session.database();
    const out: HistoryRow[] = [];
    for (const device of devices) {
      const own: HistoryRow[] = [];
      for await (const e of storage.history.iterate({ device, order: 'oldest' })) {
        const rec = storedRecordToPack(e);
        const before = own.length ? own[own.length - 1].rec.event : null;
        own.push({
          device,
          address: e.address,
          readAt_ms: e.readAt_ms,
          rec,
          change: changesSince(before, rec.event),
          changeFlags: before ? [...rec.event.flags, ...before.flags] : rec.event.flags
        });
      }
      out.push(...own);
    }
    return out.sort((a, b) => b.rec.packTime_ms - a.rec.packTime_ms || (a.device < b.device ? -1 : 1));
  }

  /** Why the stored copy of this device does not allow clearing the pack yet; null when it does. */
  async clearGate(device: string): Promise<{ refusal: ClearRefusal | null; stored: number; complete: boolean; exported: boolean }> {
    const storage = await this.#session.database();
    const [state, stored] = await Promise.all([storage.history.copyState(device), storage.history.count(device)]);
    // The gate looks only at how many records are stored, not at their keys: count them, not read them.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a throwaway value, not state
    const refusal = clearRefusal({ keys: new Set(stored > 0 ? ['stored'] : []), ...state });
    return { refusal, stored, complete: state.complete, exported: state.exportedRevision !== null && state.exportedRevision >= state.revision };
  }

  /**
   * Export every stored record of these devices as one file (streamed). A device counts as
   * exported (for the clear gate) only when the whole file was saved, up to the revision it had
   * when the export began. Call from the click handler: the save dialog needs the click.
   */
  async export(devices: readonly string[], format: HistoryExportFormat, suggestedName: string): Promise<ExportOutcome> {
    const storagePromise = this.#session.database();
    let records = 0;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- working memory of one export, not state
    const revisions = new Map<string, number>();
    const make = () =>
      (async function* (): AsyncGenerator<string> {
        const storage = await storagePromise;
        for (const d of devices) revisions.set(d, (await storage.history.copyState(d)).revision);
        const all = async function* (): AsyncGenerator<HistoryEntryRecord> {
          for (const device of devices)
            for await (const e of storage.history.iterate({ device, order: 'newest' })) {
              records++;
              yield e;
            }
        };
        if (format === 'json') yield* historyJson(all());
        else {
          let cells = 0;
          let temps = 0;
          for (const device of devices)
            for await (const e of storage.history.iterate({ device })) {
              cells = Math.max(cells, e.record.cells_mV.length);
              temps = Math.max(temps, e.record.temps_C.length);
            }
          yield* historyCsv(all(), { cells, temps });
        }
      })();
    const result = await savePieces(make, {
      suggestedName,
      mime: format === 'json' ? 'application/json' : 'text/csv',
      extension: format === 'json' ? '.json' : '.csv',
      description: format === 'json' ? 'JSON file' : 'CSV file'
    });
    if (result.kind === 'saved') {
      const storage = await storagePromise;
      for (const [device, revision] of revisions) await storage.history.updateCopyState(device, { exportedRevision: revision });
      this.revision++;
    }
    return { result, records };
  }

  /**
   * Clear a pack's event log (B3H). Needs installer mode; the engine refuses unless its stored copy
   * is complete and exported, and checks the pack once more on the wire. The stored copy stays.
   */
  async clear(address: number, serial: string): Promise<ClearResult> {
    if (this.clearing !== null) throw new Error('A clear is already running.');
    this.clearing = address;
    try {
      const storage = await this.#session.database();
      const archive = new StoredHistoryArchive(storage, { keyFor: (s) => this.#keyFor(address, s), address });
      const client = this.#client();
      // B3H to this pack (or to whoever answers on the cable, for address 0) while the engine runs.
      const match = (a: { via: string; commands: readonly string[]; adr: number | null }) =>
        a.via === 'command' && a.commands.includes('clearHistory') && (address === 0 || a.adr === address);
      const result = await this.#grant.during(match, () => clearPackHistory(client, { address, device: serial, store: archive }));
      this.lastClear = result;
      return result;
    } finally {
      this.clearing = null;
      this.revision++;
    }
  }

  /** Forget this app's stored copy of one device's log (not the pack's). */
  async deleteStored(device: string): Promise<void> {
    await (await this.#session.database()).history.deleteDevice(device);
    this.revision++;
  }
}

const features = new WeakMap<DeviceSession, HistoryFeature>();

/** The history feature of this session (one per session, created on first use). */
export function historyFeature(session: DeviceSession): HistoryFeature {
  let f = features.get(session);
  if (!f) {
    f = new HistoryFeature(session);
    features.set(session, f);
  }
  return f;
}

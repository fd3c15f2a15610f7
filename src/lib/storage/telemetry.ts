// The recorded telemetry: full-resolution chunks, per-minute aggregate chunks and the recording
// sessions that list them, read back as rows, minutes or chart columns; plus retention. The
// Recorder (recorder.ts) is the only writer in the app; it hands a whole flush to writeBatch, which
// commits it in one transaction or not at all.
//
// Chunk keys are [device, start_ms, session] and a chunk spans at most MAX_CHUNK_SPAN_MS, so the
// chunks overlapping [from, to] of one device are exactly those keyed from (from - span) to to.

import type { IDBPTransaction } from 'idb';
import type { Database } from './database';
import { ADDRESS_PREFIX } from './devices';
import { StorageError } from './errors';
import type { KvRepository } from './kv';
import { MCOL, MinuteChunkView, minuteScale, type MinuteAggregate, type MinuteFixedName } from './minute-aggregate';
import { RawChunkView } from './raw-chunk';
import type { DeviceRecord, MinuteChunkRecord, RawChunkRecord, RecordingRecord } from './records';
import { checkRetention, retentionCutoffs, retentionFromJson, retentionToJson, type RetentionSettings } from './retention';
import type { ChunkKey, PackServiceDB } from './schema';
import { rowToTelemetry, type TelemetryRow } from './telemetry-row';

/** Longest time one chunk (raw or minute) may span. Readers rely on it. */
export const MAX_CHUNK_SPAN_MS = 3_600_000;
/** Chunks read per request when iterating (bounds memory on long ranges). */
const PAGE = 64;
/** Deletes per transaction while pruning (short transactions do not block the recorder). */
const PRUNE_BATCH = 256;

export const RETENTION_KEY = 'telemetry.retention';

export interface DeviceTouch {
  key: string;
  address: number;
  bank: string;
  seen_ms: number;
  cellCount: number;
  tempCount: number;
}

/** Everything one recorder flush writes, committed together. */
export interface TelemetryBatch {
  raw: RawChunkRecord[];
  minute: MinuteChunkRecord[];
  recordings: RecordingRecord[];
  devices: DeviceTouch[];
  /** Raw chunks to delete (tails merged into a whole chunk written in this batch). */
  deleteRaw: ChunkKey[];
}

export interface TimeRange {
  from_ms: number;
  to_ms: number;
}

export interface PruneResult {
  rawChunks: number;
  minuteChunks: number;
  recordings: number;
}

type ChunkStore = 'telemetryRaw' | 'telemetryMinute';

function checkRange(r: TimeRange): void {
  if (!Number.isFinite(r.from_ms) || !Number.isFinite(r.to_ms) || r.to_ms < r.from_ms)
    throw new StorageError('invalid', `The time range ${r.from_ms}..${r.to_ms} is not a range.`);
}

/**
 * The device record after a flush. A device the session has not noted yet (devices.noteSighting)
 * gets a minimal record; its key kind comes from the key's prefix, and an address key's reason is
 * taken as 'no-serial' until the session's sighting says otherwise.
 */
function touchDevice(stored: DeviceRecord | undefined, t: DeviceTouch): DeviceRecord {
  const isAddress = t.key.startsWith(ADDRESS_PREFIX);
  const base: DeviceRecord = stored ?? {
    key: t.key,
    keyKind: isAddress ? 'address' : 'serial',
    addressKeyReason: isAddress ? 'no-serial' : null,
    bmsSerial: isAddress ? null : t.key.replace(/^sn:/, ''),
    packSerial: null,
    softwareVersion: null,
    model: null,
    hardwareVersion: null,
    firmwareVersion: null,
    bluetoothName: null,
    lastAddress: t.address,
    lastBank: t.bank,
    firstSeen_ms: t.seen_ms,
    lastSeen_ms: t.seen_ms,
    cellCount: null,
    tempCount: null,
    nickname: null
  };
  const next = { ...base };
  if (t.seen_ms >= base.lastSeen_ms) {
    next.lastSeen_ms = t.seen_ms;
    next.lastAddress = t.address;
    next.lastBank = t.bank;
  }
  next.cellCount = Math.max(base.cellCount ?? 0, t.cellCount);
  next.tempCount = Math.max(base.tempCount ?? 0, t.tempCount);
  return next;
}

export class TelemetryRepository {
  readonly #db: Database;
  readonly #kv: KvRepository;

  constructor(db: Database, kv: KvRepository) {
    this.#db = db;
    this.#kv = kv;
  }

  /** Commits one flush: every chunk, deletion, recording and device update, or none of them. */
  async writeBatch(batch: TelemetryBatch): Promise<void> {
    for (const c of [...batch.raw, ...batch.minute])
      if (c.end_ms - c.start_ms > MAX_CHUNK_SPAN_MS) throw new StorageError('invalid', `A chunk of ${c.device} spans more than an hour.`);
    await this.#db.run(['telemetryRaw', 'telemetryMinute', 'recordings', 'devices'], 'readwrite', 'saving telemetry', async (tx) => {
      const raw = tx.objectStore('telemetryRaw');
      const minute = tx.objectStore('telemetryMinute');
      const recordings = tx.objectStore('recordings');
      const devices = tx.objectStore('devices');
      const writes: Promise<unknown>[] = [];
      for (const k of batch.deleteRaw) writes.push(raw.delete(k));
      for (const c of batch.raw) writes.push(raw.put(c));
      for (const c of batch.minute) writes.push(minute.put(c));
      for (const r of batch.recordings) writes.push(recordings.put(r));
      for (const d of batch.devices) writes.push(devices.get(d.key).then((stored) => devices.put(touchDevice(stored, d))));
      await Promise.all(writes);
    });
  }

  /** Chunks of `device` overlapping the range, oldest first, read a page at a time. */
  async *chunks<S extends ChunkStore>(store: S, device: string, range: TimeRange): AsyncGenerator<PackServiceDB[S]['value']> {
    checkRange(range);
    const upper: IDBValidKey = [device, range.to_ms, []];
    let lower: IDBKeyRange = IDBKeyRange.bound([device, range.from_ms - MAX_CHUNK_SPAN_MS], upper);
    for (;;) {
      const page = await this.#db.run([store], 'readonly', 'reading telemetry', (tx) =>
        (tx as unknown as IDBPTransaction<PackServiceDB, [S], 'readonly'>).objectStore(store).getAll(lower, PAGE)
      );
      for (const c of page) if (c.end_ms >= range.from_ms && c.start_ms <= range.to_ms) yield c;
      if (page.length < PAGE) return;
      const last = page[page.length - 1];
      lower = IDBKeyRange.bound([last.device, last.start_ms, last.session] satisfies ChunkKey, upper, true, false);
    }
  }

  /** Full-resolution rows of `device` in the range, oldest first. */
  async *samples(device: string, range: TimeRange): AsyncGenerator<TelemetryRow> {
    for await (const chunk of this.chunks('telemetryRaw', device, range)) {
      const view = new RawChunkView(chunk.data, chunk.layout);
      const t = view.column(0);
      for (let r = 0; r < view.rows; r++) {
        if (t[r] < range.from_ms || t[r] > range.to_ms) continue;
        yield rowToTelemetry(device, view.row(r), chunk.layout);
      }
    }
  }

  /** Per-minute aggregates of `device` whose minute starts in the range, oldest first. */
  async *minutes(device: string, range: TimeRange): AsyncGenerator<MinuteAggregate> {
    for await (const chunk of this.chunks('telemetryMinute', device, range)) {
      const view = new MinuteChunkView(chunk.data, chunk.layout);
      const t = view.column(0);
      for (let r = 0; r < view.rows; r++) {
        if (t[r] < range.from_ms || t[r] > range.to_ms) continue;
        yield view.aggregate(device, r);
      }
    }
  }

  /**
   * Fixed per-minute columns of `device` whose minute starts in the range, in real units (V, A, %,
   * Ah, Wh, s, mV, °C; NaN where no sample had the value), one chunk at a time, oldest chunk first.
   * For reading months of minutes (statistics) without an object per minute. Chunks of different
   * recording sessions may interleave in time; each minute row is one session's samples.
   */
  async *minuteColumns<K extends MinuteFixedName>(
    device: string,
    range: TimeRange,
    names: readonly K[]
  ): AsyncGenerator<{ rows: number; t_ms: Float64Array } & Record<K, Float64Array>> {
    for await (const chunk of this.chunks('telemetryMinute', device, range)) {
      const view = new MinuteChunkView(chunk.data, chunk.layout);
      const t = view.column(MCOL.t_ms);
      const keep: number[] = [];
      for (let r = 0; r < view.rows; r++) if (t[r] >= range.from_ms && t[r] <= range.to_ms) keep.push(r);
      if (keep.length === 0) continue;
      const pick = (src: Float64Array, scale: number) => {
        const out = new Float64Array(keep.length);
        for (let i = 0; i < keep.length; i++) out[i] = src[keep[i]] / scale;
        return out;
      };
      const out = { rows: keep.length, t_ms: pick(t, 1) } as { rows: number; t_ms: Float64Array } & Record<K, Float64Array>;
      for (const name of names) (out as Record<string, Float64Array>)[name] = pick(view.column(MCOL[name]), minuteScale(name));
      yield out;
    }
  }

  /** Recording sessions, newest first; filtered by device and by overlap with a time range. */
  async recordings(filter: { device?: string; from_ms?: number; to_ms?: number } = {}): Promise<RecordingRecord[]> {
    const from = filter.from_ms ?? -Infinity;
    const to = filter.to_ms ?? Infinity;
    const all = await this.#db.run(['recordings'], 'readonly', 'listing recordings', (tx) => {
      const index = tx.objectStore('recordings').index('device_start');
      return filter.device === undefined ? index.getAll() : index.getAll(IDBKeyRange.bound([filter.device, -Infinity], [filter.device, Infinity]));
    });
    return all.filter((r) => r.end_ms >= from && r.start_ms <= to).sort((a, b) => b.start_ms - a.start_ms || a.device.localeCompare(b.device));
  }

  /** First and last recorded time of `device` (either tier), or null when nothing is stored. */
  async extent(device: string): Promise<TimeRange | null> {
    return this.#db.run(['telemetryRaw', 'telemetryMinute'], 'readonly', 'reading telemetry extent', async (tx) => {
      let from = Infinity;
      let to = -Infinity;
      const range = IDBKeyRange.bound([device, -Infinity], [device, Infinity, []]);
      for (const name of ['telemetryRaw', 'telemetryMinute'] as const) {
        const store = tx.objectStore(name);
        const first = await store.openCursor(range, 'next');
        if (first) from = Math.min(from, first.value.start_ms);
        // The last key is the latest start; an earlier chunk of another session may end later.
        let c = await store.openCursor(range, 'prev');
        for (let i = 0; c && i < 8; i++, c = await c.continue()) to = Math.max(to, c.value.end_ms);
      }
      return from === Infinity ? null : { from_ms: from, to_ms: to };
    });
  }

  /** Deletes one device's part of a recording session (its chunks of both tiers and the entry). */
  async deleteRecording(session: string, device: string): Promise<void> {
    const rec = await this.#db.run(['recordings'], 'readonly', 'reading a recording', (tx) => tx.objectStore('recordings').get([session, device]));
    if (!rec) return;
    for (const store of ['telemetryRaw', 'telemetryMinute'] as const) {
      const keys: ChunkKey[] = [];
      for await (const c of this.chunks(store, device, { from_ms: rec.start_ms, to_ms: rec.end_ms }))
        if (c.session === session) keys.push([c.device, c.start_ms, c.session]);
      for (let i = 0; i < keys.length; i += PRUNE_BATCH) {
        const part = keys.slice(i, i + PRUNE_BATCH);
        await this.#db.run([store], 'readwrite', 'deleting a recording', async (tx) => {
          const s = (tx as unknown as IDBPTransaction<PackServiceDB, [ChunkStore], 'readwrite'>).objectStore(store);
          await Promise.all(part.map((k) => s.delete(k)));
        });
      }
    }
    await this.#db.run(['recordings'], 'readwrite', 'deleting a recording', (tx) => tx.objectStore('recordings').delete([session, device]));
  }

  async getRetention(): Promise<RetentionSettings> {
    return retentionFromJson(await this.#kv.get(RETENTION_KEY));
  }

  async setRetention(r: RetentionSettings): Promise<void> {
    await this.#kv.set(RETENTION_KEY, retentionToJson(checkRetention(r)));
  }

  /** Deletes what the retention setting no longer keeps. Safe to run while recording. */
  async prune(retention: RetentionSettings, now_ms: number): Promise<PruneResult> {
    const cut = retentionCutoffs(checkRetention(retention), now_ms);
    const rawChunks = await this.#pruneStore('telemetryRaw', cut.raw_ms);
    const minuteChunks = cut.minute_ms === null ? 0 : await this.#pruneStore('telemetryMinute', cut.minute_ms);
    let recordings = 0;
    if (cut.minute_ms !== null) {
      const before = cut.minute_ms;
      recordings = await this.#db.run(['recordings'], 'readwrite', 'pruning recordings', async (tx) => {
        let n = 0;
        let c = await tx.objectStore('recordings').index('end_ms').openCursor(IDBKeyRange.upperBound(before, true));
        while (c) {
          await c.delete();
          n++;
          c = await c.continue();
        }
        return n;
      });
    }
    return { rawChunks, minuteChunks, recordings };
  }

  async #pruneStore(store: ChunkStore, before_ms: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.#db.run([store], 'readwrite', 'pruning telemetry', async (tx) => {
        const s = (tx as unknown as IDBPTransaction<PackServiceDB, [ChunkStore], 'readwrite'>).objectStore(store);
        const keys = await s.index('end_ms').getAllKeys(IDBKeyRange.upperBound(before_ms, true), PRUNE_BATCH);
        await Promise.all(keys.map((k) => s.delete(k)));
        return keys.length;
      });
      total += n;
      if (n < PRUNE_BATCH) return total;
    }
  }

  /** Counts of stored chunks (cheap; no values are read). */
  async counts(): Promise<{ rawChunks: number; minuteChunks: number; recordings: number }> {
    return this.#db.run(['telemetryRaw', 'telemetryMinute', 'recordings'], 'readonly', 'counting telemetry', async (tx) => ({
      rawChunks: await tx.objectStore('telemetryRaw').count(),
      minuteChunks: await tx.objectStore('telemetryMinute').count(),
      recordings: await tx.objectStore('recordings').count()
    }));
  }
}

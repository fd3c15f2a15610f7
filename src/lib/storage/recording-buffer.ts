// The recorder's memory: per device, the chunk being filled, the minute aggregates of the current
// hour, and what of them is already stored. prepare() turns what changed since the last commit
// into one TelemetryBatch; its commit() is called only once that batch is stored, so a failed
// write changes nothing here and the next flush writes the same rows again.
//
// Full-resolution rows are written as small "tail" chunks, one per flush with only the new rows
// (a flush every 10 s at a 2 s poll adds 5 rows per pack; rewriting the whole open chunk each time
// would encode and store every row ~25 times). When the chunk is full (or the recorder stops) it
// is written once whole, under its first tail's key, and the other tails are deleted in the same
// transaction. Tails are ordinary chunks, so readers never see the difference; a tab that dies
// leaves tails behind, which cost more bytes per row but lose nothing.
//
// Minute aggregates of the current hour are rewritten when a minute has completed since the last
// write (about once a minute), and at the end. So if the tab dies, up to the last minute's
// aggregate is missing; its full-resolution rows are stored up to the last flush.

import { MINUTE_MS, MinuteAccumulator, encodeMinuteRows, minuteStatusAt, type IntegrationOptions } from './minute-aggregate';
import { encodeRawRows } from './raw-chunk';
import type { MinuteChunkRecord, RawChunkLayout, RawChunkRecord, RecordingRecord } from './records';
import type { ChunkKey } from './schema';
import { MAX_CHUNK_SPAN_MS, type TelemetryBatch } from './telemetry';
import { COL, FIXED_COUNT, mergeLayouts, rawOffsets, relayStatus } from './telemetry-row';

/** One sample as the recorder queued it: a row of stored integers in its own layout. */
export interface Queued {
  device: string;
  address: number;
  layout: RawChunkLayout;
  row: Float64Array;
}

export interface BufferOptions {
  bank: string;
  session: string;
  chunkRows: number;
  integration: IntegrationOptions;
}

interface RawChunk {
  start_ms: number;
  layout: RawChunkLayout;
  rows: Float64Array[];
  /** Rows already stored in committed tails. */
  saved: number;
  /** Start times (keys) of the committed tails; the first is start_ms. */
  tails: number[];
}

interface HourChunk {
  start_ms: number;
  hour: number;
  layout: RawChunkLayout;
  /** Completed minutes. */
  done: Float64Array[];
  acc: MinuteAccumulator | null;
  /** done.length at the last committed write; -1 before the first. */
  savedDone: number;
}

interface DeviceBuffer {
  device: string;
  open: RawChunk | null;
  sealed: RawChunk[];
  hour: HourChunk | null;
  sealedHours: HourChunk[];
  /** start_ms of the newest minute chunk: a new one must start later (its key must differ). */
  lastHourStart: number;
  /** Fixed columns of the previous row (time order, integration). */
  last: Float64Array | null;
  recording: RecordingRecord;
  /** Rows appended since the last commit. */
  uncommitted: number;
}

/** A batch ready to write, and what to remember once it is stored. */
export interface PreparedFlush {
  batch: TelemetryBatch;
  rows: number;
  commit(): void;
}

const relayRaw = (row: Float64Array, from: RawChunkLayout, to: RawChunkLayout) => relayStatus(row, from, to, rawOffsets(from).status);

export class RecordingBuffers {
  readonly #opts: BufferOptions;
  readonly #devices = new Map<string, DeviceBuffer>();

  constructor(options: BufferOptions) {
    this.#opts = options;
  }

  /** Rows appended but not yet committed. */
  get unsavedRows(): number {
    let n = 0;
    for (const d of this.#devices.values()) n += d.uncommitted;
    return n;
  }

  clear(): void {
    this.#devices.clear();
  }

  /** Adds one sample; false when it is not newer than the device's previous one (skipped). */
  append(q: Queued): boolean {
    const d = this.#device(q);
    const t = q.row[COL.t_ms];
    if (d.last && t <= d.last[COL.t_ms]) return false;

    // Raw chunk: seal the open one when full, too long, or of another shape; widen it when the
    // sample brings status bytes the chunk has not seen yet.
    let open = d.open;
    const rawLayout = open ? mergeLayouts(open.layout, q.layout) : null;
    if (open && (open.rows.length >= this.#opts.chunkRows || t - open.start_ms > MAX_CHUNK_SPAN_MS || rawLayout === null)) {
      d.sealed.push(open);
      open = d.open = null;
    } else if (open && rawLayout && rawLayout !== open.layout) {
      const from = open.layout;
      open.rows = open.rows.map((r) => relayRaw(r, from, rawLayout));
      open.layout = rawLayout;
    }
    open ??= d.open = { start_ms: t, layout: q.layout, rows: [], saved: 0, tails: [] };
    open.rows.push(relayRaw(q.row, q.layout, open.layout));

    // Minute aggregates, one chunk per clock hour (and shape).
    const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
    const hourNo = Math.floor(t / 3_600_000);
    let hour = d.hour;
    const hourLayout = hour ? mergeLayouts(hour.layout, q.layout) : null;
    if (hour && (hour.hour !== hourNo || hourLayout === null)) {
      if (hour.acc) hour.done.push(hour.acc.toRow());
      hour.acc = null;
      d.sealedHours.push(hour);
      hour = d.hour = null;
    } else if (hour && hourLayout && hourLayout !== hour.layout) {
      const from = hour.layout;
      hour.done = hour.done.map((r) => relayStatus(r, from, hourLayout, minuteStatusAt(from)));
      hour.acc?.extendLayout(hourLayout);
      hour.layout = hourLayout;
    }
    if (!hour) {
      // A shape change inside a minute would give the new chunk the old one's key; one ms later keeps them apart.
      const start = Math.max(minute, d.lastHourStart + 1);
      hour = d.hour = { start_ms: start, hour: hourNo, layout: q.layout, done: [], acc: null, savedDone: -1 };
      d.lastHourStart = start;
    }
    if (hour.acc && hour.acc.minute_ms !== minute) {
      hour.done.push(hour.acc.toRow());
      hour.acc = null;
    }
    hour.acc ??= new MinuteAccumulator(minute, hour.layout);
    hour.acc.add(relayRaw(q.row, q.layout, hour.layout), d.last, this.#opts.integration);

    d.last = q.row.subarray(0, FIXED_COUNT);
    d.recording = { ...d.recording, address: q.address, end_ms: t, rows: d.recording.rows + 1 };
    d.uncommitted++;
    return true;
  }

  /**
   * What to write now: new rows as tails, full chunks for sealed ones (and for open ones when
   * `final`), minute chunks that gained a minute. Null when nothing changed.
   */
  prepare(final: boolean): PreparedFlush | null {
    const batch: TelemetryBatch = { raw: [], minute: [], recordings: [], devices: [], deleteRaw: [] };
    const commits: (() => void)[] = [];
    let rows = 0;
    for (const d of this.#devices.values()) {
      const compact = final && d.open !== null && (d.open.tails.length > 1 || d.open.saved < d.open.rows.length);
      if (d.uncommitted === 0 && !compact) continue;
      rows += d.uncommitted;
      const whole = final && d.open ? [...d.sealed, d.open] : d.sealed;
      for (const c of whole) {
        batch.raw.push(this.#rawRecord(d.device, c, 0));
        for (const t of c.tails) if (t !== c.start_ms) batch.deleteRaw.push([d.device, t, this.#opts.session] satisfies ChunkKey);
      }
      const open = d.open;
      if (open && !final && open.saved < open.rows.length) {
        const tail = this.#rawRecord(d.device, open, open.saved);
        batch.raw.push(tail);
        const saved = open.rows.length;
        commits.push(() => {
          open.tails.push(tail.start_ms);
          open.saved = saved;
        });
      }
      if (final && open) commits.push(() => Object.assign(open, { saved: open.rows.length, tails: [open.start_ms] }));

      for (const h of d.sealedHours) batch.minute.push(this.#minuteRecord(d.device, h));
      const hour = d.hour;
      if (hour && (final || hour.done.length > hour.savedDone)) {
        batch.minute.push(this.#minuteRecord(d.device, hour));
        const done = hour.done.length;
        commits.push(() => {
          hour.savedDone = done;
        });
      }

      batch.recordings.push(d.recording);
      const layouts = [...d.sealed, ...(open ? [open] : [])].map((c) => c.layout);
      batch.devices.push({
        key: d.device,
        address: d.recording.address,
        bank: this.#opts.bank,
        seen_ms: d.recording.end_ms,
        cellCount: Math.max(0, ...layouts.map((l) => l.cellCount)),
        tempCount: Math.max(0, ...layouts.map((l) => l.tempCount))
      });
      commits.push(() => {
        d.uncommitted = 0;
        d.sealed = [];
        d.sealedHours = [];
      });
    }
    if (batch.recordings.length === 0) return null;
    return { batch, rows, commit: () => commits.forEach((c) => c()) };
  }

  #device(q: Queued): DeviceBuffer {
    let d = this.#devices.get(q.device);
    if (!d) {
      const t = q.row[COL.t_ms];
      d = {
        device: q.device,
        open: null,
        sealed: [],
        hour: null,
        sealedHours: [],
        lastHourStart: -Infinity,
        last: null,
        recording: { session: this.#opts.session, device: q.device, address: q.address, bank: this.#opts.bank, start_ms: t, end_ms: t, rows: 0 },
        uncommitted: 0
      };
      this.#devices.set(q.device, d);
    }
    return d;
  }

  /** Rows `from`.. of chunk `c` as a record (the whole chunk when from = 0). */
  #rawRecord(device: string, c: RawChunk, from: number): RawChunkRecord {
    const rows = from === 0 ? c.rows : c.rows.slice(from);
    return {
      device,
      start_ms: rows[0][COL.t_ms],
      session: this.#opts.session,
      end_ms: rows[rows.length - 1][COL.t_ms],
      rows: rows.length,
      layout: c.layout,
      data: encodeRawRows(rows, c.layout)
    };
  }

  #minuteRecord(device: string, h: HourChunk): MinuteChunkRecord {
    const rows = h.acc ? [...h.done, h.acc.toRow()] : h.done;
    return {
      device,
      start_ms: h.start_ms,
      session: this.#opts.session,
      end_ms: rows[rows.length - 1][0],
      rows: rows.length,
      layout: h.layout,
      data: encodeMinuteRows(rows, h.layout)
    };
  }
}

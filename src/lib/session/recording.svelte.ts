// The app-wide recorder: every poll of every pack goes into IndexedDB through storage's Recorder
// (which batches, and never makes the poll wait), filed under the pack's device key (bank-keys.ts).
// Created once by the root layout (recordingFeature(session)), it follows the session's link: a
// new recorder for each attached link, flushed when the link is lost and when the page is hidden
// or closed, stopped (everything written) when the link is let go.
//
// Readings wait in memory until their pack's key is known (its serial read by the poller, one pack
// per cycle), then go to the recorder in order. The recorder's state is runes state the pages and
// the layout's notice show: recording, waiting for identities, stopped and why (a full disk: the
// rows written before are intact, the rest of this link's readings are not recorded until the
// person makes room and restarts), storage used and free, persistence.

import { SvelteMap } from 'svelte/reactivity';
import type { PackIdentityReport, PackUpdate } from '$lib/protocol/bank-types';
import type { PackStatus } from '$lib/protocol/types';
import type { TimerId } from '$lib/time/clock';
import type { Unsubscribe } from '$lib/transport/types';
import {
  DEFAULT_RETENTION,
  type AppStorage,
  type DeviceKey,
  type PersistOutcome,
  type Recorder,
  type RecorderStats,
  type RetentionSettings,
  type StopReason,
  type StorageUsage
} from '$lib/storage';
import { BankKeys, type KeyChange } from './bank-keys';
import { loadRecordedTrend, type BandedTrend } from './recorded-trend';
import type { DeviceSession, LinkEvent } from './session.svelte';
import type { PackAnalog } from './types';

export type { DeviceKey, RetentionSettings, StopReason, StorageUsage, PersistOutcome, RecorderStats } from '$lib/storage';

export type RecordingPhase =
  /** Nothing connected. */
  | { kind: 'off' }
  /** The person turned recording off. */
  | { kind: 'disabled' }
  /** The browser's storage could not be opened. */
  | { kind: 'unavailable'; message: string }
  /** Connected; readings wait until the packs' serial numbers are read. */
  | { kind: 'waiting' }
  | { kind: 'recording'; since_ms: number }
  /** Stopped on its own (full disk, closed database, repeated failures, backlog) or by the person. */
  | { kind: 'stopped'; reason: StopReason };

export interface RecordingOptions {
  /** Wall time, Unix epoch ms. Default Date.now. */
  now?: () => number;
  /** How long readings may wait for a pack's identity before it is keyed by position (clock ms). Default 120 000. */
  identityWait_ms?: number;
  /** Readings held per pack while its key is unknown. Default 600. */
  maxWaiting?: number;
  /** Recorder flush period (ms). Default storage's (10 s). */
  flushEvery_ms?: number;
  /** Shortest time between two storage estimates (ms). Default 15 000. */
  usageEvery_ms?: number;
  /** Listen to pagehide / visibilitychange (browser). Default: when a window exists. */
  pageEvents?: boolean;
}

const ENABLED_KEY = 'recording.enabled';

interface Waiting {
  t_ms: number;
  analog: PackAnalog;
  status: PackStatus | null;
}

export class RecordingFeature {
  readonly #session: DeviceSession;
  readonly #now: () => number;
  readonly #o: Required<Omit<RecordingOptions, 'now' | 'flushEvery_ms' | 'pageEvents'>> & { flushEvery_ms?: number; pageEvents: boolean };

  #phase = $state.raw<RecordingPhase>({ kind: 'off' });
  #stats = $state.raw<RecorderStats | null>(null);
  #usage = $state.raw<StorageUsage | null>(null);
  #bank = $state<string | null>(null);
  #enabled = $state(true);
  #writtenBefore = $state(0);
  /** Readings waiting for a key, all packs. */
  #waitingCount = $state(0);
  readonly #keys = new SvelteMap<number, DeviceKey>();
  /**
   * Until a pack's serial is read: the device last seen at its address in this bank (from storage),
   * for showing its recorded trends at once after a reload. Never used to file new readings.
   */
  readonly #lastSeen = new SvelteMap<number, DeviceKey>();

  #db: AppStorage | null = null;
  #bankKeys: BankKeys | null = null;
  #recorder: Recorder | null = null;
  #recorderOff: Unsubscribe | null = null;
  #identityOff: Unsubscribe | null = null;
  #waitTimer: TimerId | null = null;
  // Working memory of the recorder path, read by no view (the counts that views show are state).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #waiting = new Map<number, Waiting[]>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #status = new Map<number, PackStatus>();
  /** Bumped on every attach and detach, so a slow database open cannot act on a later link. */
  #generation = 0;
  #lastUsage_ms = -Infinity;
  #offs: Unsubscribe[] = [];
  #stopping: Promise<void> | null = null;

  constructor(session: DeviceSession, options: RecordingOptions = {}) {
    this.#session = session;
    this.#now = options.now ?? Date.now;
    this.#o = {
      identityWait_ms: options.identityWait_ms ?? 120_000,
      maxWaiting: options.maxWaiting ?? 600,
      flushEvery_ms: options.flushEvery_ms,
      usageEvery_ms: options.usageEvery_ms ?? 15_000,
      pageEvents: options.pageEvents ?? typeof window !== 'undefined'
    };
  }

  // ---- state the pages read ----

  get phase(): RecordingPhase {
    return this.#phase;
  }

  /** The current recorder's counters (null before the first recorder of this visit). */
  get stats(): RecorderStats | null {
    return this.#stats;
  }

  /** Rows stored by every recorder of this visit. */
  get written(): number {
    return this.#writtenBefore + (this.#stats?.written ?? 0);
  }

  /** Readings held until their pack's serial number is read. */
  get waiting(): number {
    return this.#waitingCount;
  }

  get usage(): StorageUsage | null {
    return this.#usage;
  }

  get persistence(): PersistOutcome | null {
    return this.#stats?.persistence ?? null;
  }

  /** The bank label rows are filed under (storage's rule), once known. */
  get bank(): string | null {
    return this.#bank;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** The stored device a pack of the connected bank is, once its identity was read. */
  deviceKey(address: number): DeviceKey | null {
    return this.#keys.get(address) ?? null;
  }

  /**
   * For showing recorded data: the pack's device once its identity was read, before that the
   * device last seen at this address of this bank (it is usually the same pack; the real key
   * replaces it within a few poll cycles). `confirmed` says which.
   */
  shownDevice(address: number): { key: DeviceKey; confirmed: boolean } | null {
    const k = this.#keys.get(address);
    if (k) return { key: k, confirmed: true };
    const last = this.#lastSeen.get(address);
    return last ? { key: last, confirmed: false } : null;
  }

  /** Every known key of the connected bank, by address. */
  get deviceKeys(): ReadonlyMap<number, DeviceKey> {
    return this.#keys;
  }

  // ---- life cycle ----

  /** Starts following the session (once). */
  start(): void {
    if (this.#offs.length > 0) return;
    this.#offs.push(
      this.#session.onUpdate((u) => this.#onUpdate(u)),
      this.#session.onLink((e) => this.#onLink(e))
    );
    if (this.#o.pageEvents) {
      // pagehide: the tab closes or navigates away (also on mobile, where unload never fires);
      // hidden: a phone may kill a background tab without another event.
      const flush = () => void this.#recorder?.flush();
      const onVisibility = () => {
        if (document.visibilityState === 'hidden') flush();
      };
      window.addEventListener('pagehide', flush);
      document.addEventListener('visibilitychange', onVisibility);
      this.#offs.push(
        () => window.removeEventListener('pagehide', flush),
        () => document.removeEventListener('visibilitychange', onVisibility)
      );
    }
    void this.#loadEnabled();
    if (this.#session.poller) this.#attach();
  }

  /** Stops following the session and writes what is held (tests; the app keeps it for its life). */
  async dispose(): Promise<void> {
    for (const off of this.#offs.splice(0)) off();
    await this.#detach();
  }

  /** Write what is queued now (before an export, so it includes the last seconds). */
  async flush(): Promise<void> {
    await this.#recorder?.flush();
    await this.refreshUsage(true);
  }

  /** Start recording again after it stopped (space was freed) or was turned off. */
  async restart(): Promise<void> {
    await this.#setEnabled(true);
    if (this.#recorder && this.#recorder.state.kind === 'recording') return;
    await this.#retireRecorder();
    if (this.#session.poller && !this.#bankKeys) this.#attach();
    else this.#ensureRecorder();
  }

  /** The person stops recording (kept off across visits until started again). */
  async turnOff(): Promise<void> {
    await this.#setEnabled(false);
    await this.#retireRecorder();
    this.#dropWaiting();
    this.#phase = { kind: 'disabled' };
  }

  async refreshUsage(force = false): Promise<StorageUsage | null> {
    const now = this.#now();
    if (!force && now - this.#lastUsage_ms < this.#o.usageEvery_ms) return this.#usage;
    this.#lastUsage_ms = now;
    try {
      const db = this.#db ?? (await this.#session.database());
      this.#usage = await db.estimate();
    } catch {
      // The phase already says when storage is unavailable; an estimate is only a figure.
    }
    return this.#usage;
  }

  /**
   * Recorded trend of a stored device over a window given in another time base: storage's epoch
   * times are `window + offset_ms` (the pack page's trends run on the session clock).
   */
  async trend(device: string, win: { from_ms: number; to_ms: number }, offset_ms: number, buckets = 800): Promise<BandedTrend> {
    const db = await this.#session.database();
    return loadRecordedTrend(db, device, { from_ms: win.from_ms + offset_ms, to_ms: win.to_ms + offset_ms }, { buckets, offset_ms });
  }

  async retention(): Promise<RetentionSettings> {
    try {
      return await (await this.#session.database()).telemetry.getRetention();
    } catch {
      return { ...DEFAULT_RETENTION };
    }
  }

  /** Saves the setting and prunes at once (throws StorageError with a sentence when invalid). */
  async setRetention(r: RetentionSettings): Promise<void> {
    const db = await this.#session.database();
    await db.telemetry.setRetention(r);
    await db.telemetry.prune(r, this.#now());
    await this.refreshUsage(true);
  }

  // ---- the link ----

  #onLink(e: LinkEvent): void {
    switch (e) {
      case 'attached':
        this.#attach();
        break;
      case 'lost':
        // Whatever happens next, what arrived so far is stored.
        void this.#recorder?.flush();
        break;
      case 'detached':
        void this.#detach();
        break;
      case 'reopened':
        break;
    }
  }

  #attach(): void {
    const generation = ++this.#generation;
    this.#bankKeys = new BankKeys(this.#session.transportInfo?.label ?? 'unknown link');
    this.#keys.clear();
    this.#lastSeen.clear();
    this.#bank = null;
    this.#status.clear();
    this.#dropWaiting();
    this.#phase = this.#enabled ? { kind: 'waiting' } : { kind: 'disabled' };
    this.#identityOff?.();
    this.#identityOff = this.#session.poller?.onIdentity((i) => this.#onIdentity(i)) ?? null;
    this.#armWait();
    void this.#session.database().then(
      (db) => {
        if (generation !== this.#generation) return;
        this.#db = db;
        this.#ensureRecorder();
        void this.refreshUsage(true);
      },
      (e: unknown) => {
        if (generation !== this.#generation) return;
        this.#dropWaiting();
        this.#phase = { kind: 'unavailable', message: e instanceof Error ? e.message : String(e) };
      }
    );
  }

  async #detach(): Promise<void> {
    this.#generation++;
    this.#identityOff?.();
    this.#identityOff = null;
    if (this.#waitTimer !== null) this.#session.clock.clearTimeout(this.#waitTimer);
    this.#waitTimer = null;
    // Readings still waiting for a key now take one by position rather than being lost.
    const keys = this.#bankKeys;
    if (keys && this.#recorder?.state.kind === 'recording') for (const a of [...this.#waiting.keys()]) this.#applyKeys(keys.forceAddressKey(a));
    this.#dropWaiting();
    this.#bankKeys = null;
    await this.#retireRecorder();
    if (this.#phase.kind !== 'stopped' || this.#phase.reason.kind === 'user') this.#phase = this.#enabled ? { kind: 'off' } : { kind: 'disabled' };
    void this.refreshUsage(true);
  }

  /** After identityWait_ms, packs still without a key are keyed by position, and the bank label settles. */
  #armWait(): void {
    if (this.#waitTimer !== null) this.#session.clock.clearTimeout(this.#waitTimer);
    this.#waitTimer = this.#session.clock.setTimeout(() => {
      this.#waitTimer = null;
      const keys = this.#bankKeys;
      if (!keys) return;
      this.#applyKeys(keys.settleBank());
      for (const a of [...this.#waiting.keys()]) this.#applyKeys(keys.forceAddressKey(a));
    }, this.#o.identityWait_ms);
  }

  #onIdentity(i: PackIdentityReport): void {
    const keys = this.#bankKeys;
    if (!keys) return;
    this.#applyKeys(keys.identity(i, this.#session.topology?.masterAddress ?? null));
    const key = keys.keyOf(i.address);
    const bank = keys.bank;
    if (key && bank && this.#db)
      // Identity as read, for the device list (model, versions); a failure here only loses a label.
      void this.#db.devices
        .noteSighting({
          key,
          address: i.address,
          bank,
          seen_ms: this.#now(),
          bmsSerial: i.bmsSerial,
          packSerial: i.packSerial,
          softwareVersion: i.softwareVersion,
          bluetoothName: i.bluetoothName
        })
        .catch(() => undefined);
  }

  #applyKeys(changes: KeyChange[]): void {
    const keys = this.#bankKeys;
    if (keys?.bank && this.#bank !== keys.bank) {
      this.#bank = keys.bank;
      void this.#loadLastSeen(keys.bank);
    }
    for (const c of changes) this.#keys.set(c.address, c.key);
    this.#ensureRecorder();
    for (const c of changes) this.#drain(c.address);
  }

  async #loadLastSeen(bank: string): Promise<void> {
    const generation = this.#generation;
    try {
      const db = await this.#session.database();
      const devices = await db.devices.inBank(bank);
      if (generation !== this.#generation) return;
      for (const d of devices)
        if (!this.#lastSeen.has(d.lastAddress)) this.#lastSeen.set(d.lastAddress, { key: d.key, kind: d.keyKind, reason: d.addressKeyReason });
    } catch {
      // Only a convenience: without it the trends wait for the identity read.
    }
  }

  // ---- readings ----

  #onUpdate(u: PackUpdate): void {
    if (u.status && !u.status.empty) this.#status.set(u.address, u.status);
    const analog = u.analog;
    if (!analog || analog.empty || !this.#bankKeys || !this.#enabled) return;
    // The wall time the values arrived: now, less how long ago (session clock) that was.
    const t_ms = this.#now() - (this.#session.clock.now() - u.received_ms);
    const status = this.#status.get(u.address) ?? null;
    const key = this.#keys.get(u.address);
    const rec = this.#recorder;
    if (key && rec) {
      if (rec.state.kind === 'recording') rec.record({ device: key.key, address: u.address, t_ms, analog, status });
      return;
    }
    if (this.#phase.kind !== 'waiting' && this.#phase.kind !== 'recording') return;
    let q = this.#waiting.get(u.address);
    if (!q) this.#waiting.set(u.address, (q = []));
    q.push({ t_ms, analog, status });
    this.#waitingCount++;
    // Its identity is not coming (identity reads failed or are off): file it by position.
    if (q.length >= this.#o.maxWaiting) this.#applyKeys(this.#bankKeys.forceAddressKey(u.address));
  }

  #drain(address: number): void {
    const q = this.#waiting.get(address);
    const key = this.#keys.get(address);
    const rec = this.#recorder;
    if (!q || !key || !rec || rec.state.kind !== 'recording') return;
    this.#waiting.delete(address);
    this.#waitingCount -= q.length;
    for (const w of q) rec.record({ device: key.key, address, t_ms: w.t_ms, analog: w.analog, status: w.status });
  }

  #dropWaiting(): void {
    this.#waiting.clear();
    this.#waitingCount = 0;
  }

  // ---- the recorder ----

  #ensureRecorder(): void {
    const db = this.#db;
    const bank = this.#bankKeys?.bank;
    if (this.#recorder || !db || !bank || !this.#enabled) return;
    const rec = db.recorder({ bank, clock: this.#session.clock, now: this.#now, flushEvery_ms: this.#o.flushEvery_ms });
    this.#recorder = rec;
    this.#recorderOff = rec.onChange((state, stats) => {
      if (this.#recorder !== rec) return;
      this.#stats = stats;
      if (state.kind === 'recording') this.#phase = { kind: 'recording', since_ms: state.since_ms };
      else if (state.kind === 'stopped') {
        this.#phase = { kind: 'stopped', reason: state.reason };
        if (state.reason.kind !== 'user') this.#dropWaiting();
      }
      void this.refreshUsage(state.kind === 'stopped');
    });
    rec.start();
    for (const a of [...this.#waiting.keys()]) this.#drain(a);
  }

  /** Stop the current recorder (writing everything it holds) and forget it. */
  async #retireRecorder(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    const rec = this.#recorder;
    if (!rec) return;
    this.#stopping = (async () => {
      await rec.stop();
      this.#stats = rec.stats;
      this.#recorderOff?.();
      this.#recorderOff = null;
      if (this.#recorder === rec) this.#recorder = null;
      this.#writtenBefore += rec.stats.written;
      this.#stats = null;
    })().finally(() => (this.#stopping = null));
    return this.#stopping;
  }

  async #loadEnabled(): Promise<void> {
    try {
      const v = await (await this.#session.database()).kv.get(ENABLED_KEY);
      if (v === false) {
        this.#enabled = false;
        await this.#retireRecorder();
        this.#dropWaiting();
        this.#phase = { kind: 'disabled' };
      }
    } catch {
      // Storage unavailable: the attach path reports it.
    }
  }

  async #setEnabled(on: boolean): Promise<void> {
    this.#enabled = on;
    try {
      await (await this.#session.database()).kv.set(ENABLED_KEY, on);
    } catch {
      // Kept for this visit even when it cannot be saved.
    }
    if (on && this.#phase.kind === 'disabled') this.#phase = this.#bankKeys ? { kind: 'waiting' } : { kind: 'off' };
  }
}

const features = new WeakMap<DeviceSession, RecordingFeature>();

/** The session's recorder, created and started on first use (the root layout does this at load). */
export function recordingFeature(session: DeviceSession, options?: RecordingOptions): RecordingFeature {
  let f = features.get(session);
  if (!f) {
    f = new RecordingFeature(session, options);
    features.set(session, f);
    f.start();
  }
  return f;
}

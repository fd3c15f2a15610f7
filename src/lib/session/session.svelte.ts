// The live connection as reactive state: one DeviceSession owns the transport, the client and the
// poller, and turns what they report into runes state the pages read. Pages never see bytes; they
// read `phase`, `link`, `packs`, `totals` and call `connect()` / `disconnect()`. Connecting is
// connect-flow.ts; the bank's values, their freshness and the per-cycle apply are bank-state.svelte.ts.

import { createSubscriber } from 'svelte/reactivity';
import type { BankTopology, PackUpdate, PollerStatus } from '$lib/protocol/bank-types';
import { realClock, type Clock, type TimerId } from '$lib/time/clock';
import { TransportError, type Transport, type TransportInfo, type TransportKind, type TransportStatus, type Unsubscribe } from '$lib/transport/types';
import { BankState, type FrameScheduler } from './bank-state.svelte';
import { DEFAULT_REOPEN_BACKOFF_MS, LinkReopener } from './link-reopen';
import { connectLink, isCancel, linkChoice, rememberedDevice, toSessionError, type SessionError, type SilentLinkCheck } from './connect-flow';
import type { DetectionAttempt } from './detect';
import { loadLastDevice, saveLastDevice, type LastDevice } from './last-device';
import type { ClientPort, Link, LinkFactory, PollerPort } from './ports';
import { decodeOptionsFor } from './settings';
import { SettingsStore } from './settings.svelte';
import { browserStorage, type KeyValueStorage } from './storage';
import type { TrendBuffer } from './trend-buffer';
import type { BankTotals, ConnectOptions, LinkHealth, PackView, SessionPhase } from './types';
import { InstallerMode } from '$lib/params/installer';
import type { AppStorage } from '$lib/storage';
import { KvPinStore } from './pin-store';
import { WriteAuthority } from './write-authority';
import { m } from '$lib/paraglide/messages';
import type { Words } from './advice';
import { pollerStatusWords, REOPEN_FAILED, transportStatusWords } from './link-words';
import { ReportSource, type BankSource } from './report-source';
import type { DiagnoseReport } from '$lib/report';

export type { SessionError } from './connect-flow';

export interface DeviceSessionOptions<C extends ClientPort, P extends PollerPort> {
  /** Builds transports, clients and pollers (browser-links.ts in the app, fixtures or the sim in tests). */
  links: LinkFactory<C, P>;
  /** Default realClock. */
  clock?: Clock;
  /** Where settings and the last device are kept. Default localStorage (null: nothing persists). */
  storage?: KeyValueStorage | null;
  /** Default: a SettingsStore on `storage`. */
  settings?: SettingsStore;
  /** Trend samples kept per pack. Default TrendBuffer's (24 h at 5 s). */
  trendCapacity?: number;
  /**
   * Delays (ms) between the session's own attempts to re-open a link that was lost and that the
   * transport does not re-open by itself; the last repeats until disconnect(). Default [1000, 2000, 5000, 10000].
   */
  reopenBackoff_ms?: readonly number[];
  /** How often `now_ms` ticks for age displays (ms). Default 1000. */
  tick_ms?: number;
  /** Paces applying the bank's updates to frames. Default requestAnimationFrame where there is one, else none. */
  frame?: FrameScheduler | null;
  /** The app's IndexedDB storage, opened on first use. Default openStorage(). */
  database?: () => Promise<AppStorage>;
  /** Installer mode (the PIN). Default: one on the database's key-value store. */
  installer?: InstallerMode;
  /**
   * Awaited by every connect and resume before the link is obtained: the app-wide features that
   * must hear of every link from its first event (the recorder, the firmware watch) load after the
   * first paint, and a link must not come up before they listen.
   */
  beforeConnect?: () => Promise<void>;
}

/**
 * What features hear about the link: 'attached' once a client and poller run on it (a connect or
 * resume succeeded), 'reopened' when a lost link is back, 'lost' when it went away, 'detached'
 * when the session let it go (disconnect, a new connect, page closing).
 */
export type LinkEvent = 'attached' | 'reopened' | 'lost' | 'detached';

class Superseded extends Error {}

function defaultFrame(): FrameScheduler | null {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }).requestAnimationFrame;
  return typeof raf === 'function' ? (cb) => void raf(() => cb()) : null;
}

export class DeviceSession<C extends ClientPort = ClientPort, P extends PollerPort = PollerPort> {
  readonly settings: SettingsStore;
  readonly clock: Clock;
  /** The local installer PIN that writes, calibration and control need. */
  readonly installer: InstallerMode;
  /** Decides which writes leave the client; installed on every client this session attaches. */
  readonly writes: WriteAuthority;

  #phase = $state<SessionPhase>('idle');
  #transportInfo = $state.raw<TransportInfo | null>(null);
  #timeouts = $state(0);
  #badFrames = $state(0);
  #reconnects = $state(0);
  // Words, not strings: worded when read, so the strip follows a language switch.
  #message = $state.raw<Words | null>(null);
  #error = $state.raw<SessionError | null>(null);
  #progress = $state.raw<Words | null>(null);
  #connectingKind = $state<TransportKind | null>(null);
  #detected = $state.raw<DetectionAttempt | null>(null);
  #lastDevice = $state.raw<LastDevice | null>(null);
  #pollerStatus = $state.raw<PollerStatus | null>(null);
  #pickerCancelled = $state<TransportKind | null>(null);
  #resumeSettled = $state(false);

  readonly #bank: BankState;
  /** An opened diagnose report the pages show instead of a live bank (report mode), else null. */
  #report = $state.raw<ReportSource | null>(null);
  readonly #link = $derived.by<LinkHealth>(() => ({
    phase: this.#phase,
    lastReply_ms: this.#bank.lastReply_ms,
    timeouts: this.#timeouts,
    badFrames: this.#badFrames,
    reconnects: this.#reconnects,
    message: this.#message?.() ?? null
  }));

  readonly #links: LinkFactory<C, P>;
  readonly #storage: KeyValueStorage | null;
  readonly #reopener: LinkReopener;
  readonly #tick: () => void;

  readonly #openDatabase: () => Promise<AppStorage>;
  readonly #beforeConnect: (() => Promise<void>) | null;
  // Listener registries, not state: nothing renders from them, so plain Sets are right.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #updateListeners = new Set<(u: PackUpdate) => void>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #linkListeners = new Set<(event: LinkEvent) => void>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #silentChecks = new Set<SilentLinkCheck>();
  #database: Promise<AppStorage> | null = null;
  #transport: Transport | null = null;
  #active: Link<C, P> | null = null;
  #subscriptions: Unsubscribe[] = [];
  #connectAbort: AbortController | null = null;
  /** Bumped by every connect and disconnect, so a slow earlier attempt cannot clobber a newer one. */
  #generation = 0;
  #closing = false;

  constructor(options: DeviceSessionOptions<C, P>) {
    this.#links = options.links;
    this.clock = options.clock ?? realClock;
    this.#storage = options.storage === undefined ? browserStorage() : options.storage;
    this.settings = options.settings ?? new SettingsStore(this.#storage);
    // Loaded on first use: the storage layer is not part of the first paint.
    this.#openDatabase = options.database ?? (() => import('$lib/storage').then((s) => s.openStorage()));
    this.#beforeConnect = options.beforeConnect ?? null;
    this.installer = options.installer ?? new InstallerMode({ store: new KvPinStore(() => this.database()), clock: this.clock });
    this.writes = new WriteAuthority(this.installer);
    this.#reopener = new LinkReopener(this.clock, options.reopenBackoff_ms ?? DEFAULT_REOPEN_BACKOFF_MS, {
      reopening: () => (this.#phase = 'reconnecting'),
      failed: () => {
        if (this.#closing) return;
        this.#message = REOPEN_FAILED;
        this.#phase = 'lost';
      }
    });
    const tick_ms = options.tick_ms ?? 1000;
    if (!(tick_ms > 0)) throw new RangeError(`tick_ms must be > 0, got ${tick_ms}`);
    this.#bank = new BankState({
      clock: this.clock,
      linkUp: () => this.#transport?.status.state === 'open',
      trendCapacity: options.trendCapacity,
      frame: options.frame === undefined ? defaultFrame() : options.frame
    });
    this.#lastDevice = loadLastDevice(this.#storage);
    // Ages ("last reply 3 s ago") tick only while something on screen reads now_ms.
    this.#tick = createSubscriber((update) => {
      let id: TimerId | null = null;
      const loop = () => {
        id = this.clock.setTimeout(() => {
          update();
          loop();
        }, tick_ms);
      };
      loop();
      return () => {
        if (id !== null) this.clock.clearTimeout(id);
      };
    });
  }

  // ---- state the pages read ----

  get phase(): SessionPhase {
    return this.#report ? 'report' : this.#phase;
  }

  /** Connected in any way (including a lost link that may come back), or a report shown: the monitoring pages apply. */
  get active(): boolean {
    const phase = this.phase;
    return phase !== 'idle' && phase !== 'error' && phase !== 'connecting';
  }

  get transportInfo(): TransportInfo | null {
    return this.#report?.transportInfo ?? this.#transportInfo;
  }

  get topology(): BankTopology | null {
    return this.#source.topology;
  }

  /** Every pack of the bank, in topology order; replaced (never mutated) once per poll cycle. */
  get packs(): PackView[] {
    return this.#source.packs;
  }

  get totals(): BankTotals {
    return this.#source.totals;
  }

  get link(): LinkHealth {
    return this.#report?.link ?? this.#link;
  }

  // ---- report mode: an opened diagnose report shown in the pages "as if connected" ----

  /** The report shown instead of a live bank, else null. */
  get report(): ReportSource | null {
    return this.#report;
  }

  /** Show a report in the pages. Whatever was connected is let go first. */
  async showReport(report: DiagnoseReport): Promise<void> {
    await this.#shutdown();
    this.#report = new ReportSource(report);
  }

  /** Back to nothing connected. */
  closeReport(): void {
    this.#report = null;
  }

  /** Added to `now_ms` and every time the pages read (received_ms, trend times) gives Unix ms. */
  get epochOffset_ms(): number {
    return this.#report ? 0 : Date.now() - this.clock.now();
  }

  /** Where the pages' bank comes from: the live bank, or the report shown. */
  get #source(): BankSource {
    return this.#report ?? this.#bank;
  }

  /** Why the last connect failed; cleared by the next connect. */
  get error(): SessionError | null {
    return this.#error;
  }

  /** What connect() is doing right now ("Looking for packs: 19200 baud, PACE (VER 25)…"), else null. */
  get progress(): string | null {
    return this.#progress?.() ?? null;
  }

  /** The person closed the device picker without choosing (last connect): offer troubleshooting. */
  get pickerCancelled(): TransportKind | null {
    return this.#pickerCancelled;
  }

  /** Which button's connect is running, for a busy indicator. */
  get connectingKind(): TransportKind | null {
    return this.#connectingKind;
  }

  /** The baud and protocol in use (found by detection or set by hand). */
  get detected(): DetectionAttempt | null {
    return this.#detected;
  }

  get lastDevice(): LastDevice | null {
    return this.#lastDevice;
  }

  /** The poller's own state ("discovering", "retrying" with a reason). */
  get pollerStatus(): PollerStatus | null {
    return this.#pollerStatus;
  }

  /** The client, for pages that send their own commands (parameters, debug). Null when idle. */
  /**
   * Every pack update as the poller reports it, before the once-per-cycle apply (for recording:
   * one row per pack per poll). Listeners run synchronously and must return at once.
   */
  onUpdate(listener: (u: PackUpdate) => void): Unsubscribe {
    this.#updateListeners.add(listener);
    return () => this.#updateListeners.delete(listener);
  }

  /** Link events, for features that must act on them (re-check unconfirmed writes, stop recording). */
  onLink(listener: (event: LinkEvent) => void): Unsubscribe {
    this.#linkListeners.add(listener);
    return () => this.#linkListeners.delete(listener);
  }

  /**
   * Asked when a connect finds no pack: a check that answers true keeps the link attached (the
   * firmware feature listens for a pack waiting in its bootloader). See connect-flow.ts.
   */
  whenNoPackAnswers(check: SilentLinkCheck): Unsubscribe {
    this.#silentChecks.add(check);
    return () => this.#silentChecks.delete(check);
  }

  #emit<T>(listeners: Set<(v: T) => void>, value: T): void {
    for (const l of [...listeners]) {
      try {
        l(value);
      } catch (e) {
        // A feature's bug must not stop polling or the link handling; surface it where errors are seen.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /**
   * The app's storage (one IndexedDB database for telemetry, history, snapshots, the write log,
   * firmware images, reports), opened on first use and shared. A failed open is not cached, so
   * the next call tries again (the person may have freed disk space).
   */
  database(): Promise<AppStorage> {
    if (!this.#database) {
      const opening = this.#openDatabase();
      this.#database = opening;
      opening.catch(() => {
        if (this.#database === opening) this.#database = null;
      });
    }
    return this.#database;
  }

  get client(): C | null {
    return this.#active?.client ?? null;
  }

  get poller(): P | null {
    return this.#active?.poller ?? null;
  }

  /** The clock's time, re-read every tick while observed: the one "now" for every age on screen. */
  get now_ms(): number {
    // A report is shown as at its own time: its ages do not grow while it is open.
    if (this.#report) return this.#report.now_ms;
    this.#tick();
    return this.clock.now();
  }

  pack(address: number): PackView | undefined {
    return this.#source.pack(address);
  }

  /** Trend samples of one pack (one per analog update). Read `trendRevision(address)` to redraw on new samples. */
  trend(address: number): TrendBuffer | undefined {
    return this.#source.trend(address);
  }

  /** Bumped when this pack's trend got new samples: another pack's samples leave it alone. */
  trendRevision(address: number): number {
    return this.#source.trendRevision(address);
  }

  // ---- actions ----

  /**
   * Connect with the picker (serial, BLE) or open the demo bank. Call from a click handler: the
   * browser only shows its device picker on a user gesture. Resolves true once polling started.
   */
  connect(options: ConnectOptions): Promise<boolean> {
    const choice = linkChoice(options, this.settings.current, this.#lastDevice);
    return this.#establish(options, () => this.#links.request(choice));
  }

  /**
   * Reconnect to the last device without a picker (on page load): a granted serial port or BLE
   * device, or the demo bank. Resolves false when there is nothing to resume.
   */
  async resume(): Promise<boolean> {
    try {
      const last = this.#lastDevice;
      if (!last || !last.autoReconnect || this.#phase !== 'idle') return false;
      const options: ConnectOptions = { kind: last.kind };
      const choice = linkChoice(options, this.settings.current, last);
      return await this.#establish(options, () => this.#links.remembered(last, choice));
    } finally {
      this.#resumeSettled = true;
    }
  }

  /** True once the on-load resume() has finished (connected or not): the start page may redirect. */
  get resumeSettled(): boolean {
    return this.#resumeSettled;
  }

  /** Stop polling and release the device (or close the report shown). A reload will not reconnect until the next connect. */
  async disconnect(): Promise<void> {
    if (this.#report) {
      this.#report = null;
      return;
    }
    await this.#shutdown();
    if (this.#lastDevice) this.#remember({ ...this.#lastDevice, autoReconnect: false });
  }

  /** Release everything without forgetting the auto-reconnect choice (the page is going away). */
  async destroy(): Promise<void> {
    await this.#shutdown();
  }

  /** Try to get a lost link back now instead of waiting for the next retry. */
  reconnectNow(): void {
    if (!this.#transport || (this.#phase !== 'lost' && this.#phase !== 'reconnecting')) return;
    if (this.#transport.status.reconnecting) return;
    this.#reopener.now(this.#transport);
  }

  /** Poll now instead of waiting out the interval. */
  refresh(): void {
    this.#active?.poller.refresh();
  }

  /** Settings changed: apply the decode options to the running client. */
  applySettings(): void {
    const client = this.#active?.client;
    if (client && this.#detected) client.decodeOptions = decodeOptionsFor(this.settings.current, this.#detected.profile);
  }

  // ---- connecting ----

  async #establish(options: ConnectOptions, obtain: () => Promise<Transport | null>): Promise<boolean> {
    this.#report = null;
    if (this.#transport || this.#connectAbort) await this.#shutdown();
    const generation = ++this.#generation;
    const abort = new AbortController();
    this.#connectAbort = abort;
    this.#phase = 'connecting';
    this.#error = null;
    this.#pickerCancelled = null;
    this.#message = null;
    this.#connectingKind = options.kind;
    this.#progress = options.kind === 'sim' ? m.connect_progress_starting_demo : m.connect_progress_choose_device;
    let transport: Transport | null = null;
    try {
      if (this.#beforeConnect) {
        await this.#beforeConnect();
        if (generation !== this.#generation) throw new Superseded();
      }
      const linked = await connectLink(options, obtain, {
        links: this.#links as LinkFactory,
        clock: this.clock,
        settings: this.settings.current,
        last: this.#lastDevice,
        lastProfile: this.#detected?.profile,
        signal: abort.signal,
        check: () => {
          if (generation !== this.#generation) throw new Superseded();
          abort.signal.throwIfAborted();
        },
        onProgress: (words) => (this.#progress = words),
        onTransport: (t) => {
          transport = t;
          this.#transport = t;
          this.#transportInfo = t.info;
        },
        silentLink:
          this.#silentChecks.size === 0
            ? undefined
            : async (t, signal) => {
                for (const check of [...this.#silentChecks]) if (await check(t, signal)) return true;
                return false;
              }
      });
      if (!linked) {
        this.#toIdle();
        return false;
      }
      this.#attach(linked.transport, linked.found);
      this.#remember(rememberedDevice(options.kind, linked.transport, linked.found));
      return true;
    } catch (e) {
      const opened = transport as Transport | null;
      if (e instanceof Superseded || generation !== this.#generation) {
        // A newer connect or a disconnect took over; it owns the state now. Release what we opened.
        if (opened && opened !== this.#transport) await opened.close();
        return false;
      }
      this.#transport = null;
      if (opened) await opened.close();
      if (generation !== this.#generation) return false;
      this.#toIdle();
      if (!isCancel(e, abort.signal)) {
        this.#phase = 'error';
        this.#error = toSessionError(e);
      } else if (e instanceof TransportError && e.kind === 'picker-cancelled') {
        this.#pickerCancelled = options.kind;
      }
      return false;
    } finally {
      if (this.#connectAbort === abort) this.#connectAbort = null;
      if (generation === this.#generation) {
        this.#progress = null;
        this.#connectingKind = null;
      }
    }
  }

  #attach(transport: Transport, found: DetectionAttempt): void {
    this.#detected = found;
    // The label can change on open (a BLE profile found, a serial port re-described).
    this.#transportInfo = transport.info;
    const link = this.#links.attach(transport, {
      profile: found.profile,
      ver: found.ver,
      cid1: found.cid1,
      masterAddress: found.masterAddress,
      addressing: found.addressing,
      clock: this.clock,
      decodeOptions: decodeOptionsFor(this.settings.current, found.profile)
    });
    this.#active = link;
    link.client.setWriteGuard(this.writes.guard);
    const { poller } = link;
    const bank = this.#bank;
    this.#subscriptions = [
      transport.onStatus((s) => this.#onTransportStatus(s)),
      poller.onTopology((t) => {
        bank.topologyFound(t);
        if (this.#linkUp()) {
          this.#phase = 'live';
          this.#message = null;
        }
      }),
      poller.onUpdate((u) => {
        bank.update(u);
        this.#syncStats();
        this.#emit(this.#updateListeners, u);
      }),
      // One apply per poll cycle.
      poller.onCycle(() => {
        bank.requestApply();
        this.#syncStats();
      }),
      poller.onIdentity((i) => bank.identity(i)),
      poller.onStatus((s) => {
        this.#pollerStatus = s;
        // While the link is up, the poller's complaints ("Discovery failed: …") are the link message.
        if (this.#linkUp()) this.#message = pollerStatusWords(s);
      })
    ];
    this.#phase = 'discovering';
    poller.start();
    this.#emit(this.#linkListeners, 'attached');
  }

  // ---- the link ----

  #onTransportStatus(s: TransportStatus): void {
    if (this.#closing) return;
    if (this.#transport) this.#transportInfo = this.#transport.info;
    this.#bank.linkChanged();
    switch (s.state) {
      case 'lost':
        this.#emit(this.#linkListeners, 'lost');
        this.#message = transportStatusWords(s, this.#transportInfo?.kind ?? null);
        if (s.reconnecting) this.#phase = 'reconnecting';
        else {
          this.#phase = 'lost';
          if (this.#transport) this.#reopener.schedule(this.#transport);
        }
        break;
      case 'opening':
        if (this.#phase === 'lost' || this.#phase === 'reconnecting') this.#phase = 'reconnecting';
        break;
      case 'open':
        if (this.#phase === 'lost' || this.#phase === 'reconnecting') {
          this.#reconnects++;
          this.#reopener.reset();
          this.#message = null;
          // The poller noticed the link come back too and is discovering the bank again.
          this.#phase = 'discovering';
          this.#emit(this.#linkListeners, 'reopened');
        }
        break;
      case 'closed':
        // Closed without our disconnect(): a re-open attempt failed, or the device refused. Keep
        // the values (stale) and keep trying.
        if (s.message) this.#message = transportStatusWords(s, this.#transportInfo?.kind ?? null);
        if (this.#phase !== 'reconnecting' || !this.#reopener.pending) {
          this.#phase = 'lost';
          if (this.#transport) this.#reopener.schedule(this.#transport);
        }
        break;
    }
  }

  // ---- helpers ----

  #linkUp(): boolean {
    return this.#transport?.status.state === 'open';
  }

  #syncStats(): void {
    const stats = this.#active?.client.stats;
    if (!stats) return;
    if (stats.timeouts !== this.#timeouts) this.#timeouts = stats.timeouts;
    if (stats.badFrames !== this.#badFrames) this.#badFrames = stats.badFrames;
  }

  #remember(device: LastDevice): void {
    this.#lastDevice = device;
    saveLastDevice(this.#storage, device);
  }

  #toIdle(): void {
    this.#phase = 'idle';
    this.#transportInfo = null;
    this.#bank.reset();
    this.#detected = null;
    this.#timeouts = 0;
    this.#badFrames = 0;
    this.#reconnects = 0;
    this.#message = null;
    this.#pollerStatus = null;
  }

  async #shutdown(): Promise<void> {
    this.#generation++;
    this.#connectAbort?.abort(new DOMException('Disconnected', 'AbortError'));
    this.#connectAbort = null;
    this.#reopener.reset();
    const link = this.#active;
    const transport = this.#transport;
    this.#active = null;
    this.#transport = null;
    this.#closing = true;
    try {
      for (const u of this.#subscriptions) u();
      this.#subscriptions = [];
      if (link) {
        await link.poller.stop();
        this.#emit(this.#linkListeners, 'detached');
        link.client.dispose();
      }
      if (transport) await transport.close();
    } finally {
      this.#closing = false;
    }
    this.#toIdle();
    this.#error = null;
    this.#progress = null;
    this.#connectingKind = null;
  }
}

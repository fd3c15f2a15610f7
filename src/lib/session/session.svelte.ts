// The live connection as reactive state: one DeviceSession owns the transport, the client and the
// poller, and turns what they report into runes state the pages read. Pages never see bytes; they
// read `phase`, `link`, `packs`, `totals` and call `connect()` / `disconnect()`.
//
// Freshness rule: a value that is not fresh is never shown as fresh. PackView.fresh is true only
// while the pack's last poll succeeded and the link is up; the moment the link is lost every pack
// turns stale, keeping its last values for reference.

import { createSubscriber } from 'svelte/reactivity';
import type { BankTopology, PackUpdate, PollCycle } from '$lib/protocol/bank-types';
import type { PackIdentityReport, PollerStatus } from '$lib/protocol/poller';
import { ProtocolError } from '$lib/protocol/errors';
import { realClock, type Clock, type TimerId } from '$lib/time/clock';
import { TransportError, type Transport, type TransportInfo, type TransportKind, type TransportStatus, type Unsubscribe } from '$lib/transport/types';
import { NO_ANSWER_ADVICE, transportAdvice } from './advice';
import { describeAttempt, describeTried, detectionPlan, runDetection, type DetectionAttempt } from './detect';
import { loadLastDevice, saveLastDevice, type LastDevice } from './last-device';
import type { ClientPort, Link, LinkChoice, LinkFactory, PollerPort } from './ports';
import { isPackBaud } from '$lib/protocol/types';
import { decodeOptionsFor, type BaudChoice } from './settings';
import { SettingsStore } from './settings.svelte';
import { browserStorage, type KeyValueStorage } from './storage';
import { computeBankTotals } from './totals';
import { TrendBuffer, trendSample } from './trend-buffer';
import type { BankTotals, ConnectOptions, LinkHealth, PackView, SessionPhase } from './types';

/** Why the last connect failed, worded for the connect page. */
export interface SessionError {
  /** TransportError kind, 'no-answer' when detection found nothing, or 'failed'. */
  kind: string;
  message: string;
  /** What the person can do about it; may be empty. */
  advice: string;
}

export interface DeviceSessionOptions<C extends ClientPort, P extends PollerPort> {
  /** Builds transports, clients and pollers (browser-links.ts in the app, fakes or the sim in tests). */
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
}

const DEFAULT_REOPEN_BACKOFF_MS = [1000, 2000, 5000, 10000] as const;

class Superseded extends Error {}

/** A connect that reached the device but found no bank to talk to. */
class NoAnswer extends Error {
  readonly advice = NO_ANSWER_ADVICE;
}

function toSessionError(e: unknown): SessionError {
  if (e instanceof NoAnswer) return { kind: 'no-answer', message: e.message, advice: e.advice };
  if (e instanceof TransportError) return { kind: e.kind, message: e.message, advice: transportAdvice(e) };
  if (e instanceof ProtocolError) return { kind: e.kind, message: e.message, advice: '' };
  if (e instanceof Error) return { kind: 'failed', message: e.message, advice: '' };
  return { kind: 'failed', message: String(e), advice: '' };
}

/** A baud from ConnectOptions, when it is one the app offers. */
function baudChoice(b: ConnectOptions['baud']): BaudChoice | undefined {
  if (b === 'auto') return 'auto';
  return isPackBaud(b) ? b : undefined;
}

function isAbort(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (e instanceof TransportError && e.kind === 'picker-cancelled');
}

function emptyView(address: number, masterAddress: number | null): PackView {
  return {
    address,
    isMaster: address === masterAddress,
    analog: null,
    status: null,
    health: {
      address,
      state: 'stale',
      lastGood_ms: null,
      noReplyCount: 0,
      badReplyCount: 0,
      consecutiveFailures: 0,
      nextProbe_ms: null,
      lastError: null
    },
    received_ms: null,
    fresh: false,
    identity: null
  };
}

export class DeviceSession<C extends ClientPort = ClientPort, P extends PollerPort = PollerPort> {
  readonly settings: SettingsStore;
  readonly clock: Clock;

  #phase = $state<SessionPhase>('idle');
  #transportInfo = $state.raw<TransportInfo | null>(null);
  #topology = $state.raw<BankTopology | null>(null);
  #packs = $state.raw<PackView[]>([]);
  #lastReply_ms = $state<number | null>(null);
  #timeouts = $state(0);
  #badFrames = $state(0);
  #reconnects = $state(0);
  #message = $state<string | null>(null);
  #error = $state.raw<SessionError | null>(null);
  #progress = $state<string | null>(null);
  #connectingKind = $state<TransportKind | null>(null);
  #detected = $state.raw<DetectionAttempt | null>(null);
  #lastDevice = $state.raw<LastDevice | null>(null);
  #pollerStatus = $state.raw<PollerStatus | null>(null);
  #trendRevision = $state(0);
  #pickerCancelled = $state<TransportKind | null>(null);
  #resumeSettled = $state(false);

  readonly #totals = $derived(computeBankTotals(this.#packs));
  readonly #link = $derived<LinkHealth>({
    phase: this.#phase,
    lastReply_ms: this.#lastReply_ms,
    timeouts: this.#timeouts,
    badFrames: this.#badFrames,
    reconnects: this.#reconnects,
    message: this.#message
  });

  readonly #links: LinkFactory<C, P>;
  readonly #storage: KeyValueStorage | null;
  readonly #trendCapacity: number | undefined;
  readonly #reopenBackoff_ms: readonly number[];
  readonly #tick: () => void;

  #transport: Transport | null = null;
  #active: Link<C, P> | null = null;
  #subscriptions: Unsubscribe[] = [];
  #connectAbort: AbortController | null = null;
  /** Bumped by every connect and disconnect, so a slow earlier attempt cannot clobber a newer one. */
  #generation = 0;
  // Not reactive on purpose: pages redraw on trendRevision, not on every buffer push.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #trends = new Map<number, TrendBuffer>();
  #reopenTimer: TimerId | null = null;
  #reopenStep = 0;
  #closing = false;

  constructor(options: DeviceSessionOptions<C, P>) {
    this.#links = options.links;
    this.clock = options.clock ?? realClock;
    this.#storage = options.storage === undefined ? browserStorage() : options.storage;
    this.settings = options.settings ?? new SettingsStore(this.#storage);
    this.#trendCapacity = options.trendCapacity;
    this.#reopenBackoff_ms = options.reopenBackoff_ms ?? DEFAULT_REOPEN_BACKOFF_MS;
    if (this.#reopenBackoff_ms.length === 0 || this.#reopenBackoff_ms.some((d) => !(d >= 0))) {
      throw new RangeError('reopenBackoff_ms must be a non-empty list of delays >= 0');
    }
    const tick_ms = options.tick_ms ?? 1000;
    if (!(tick_ms > 0)) throw new RangeError(`tick_ms must be > 0, got ${tick_ms}`);
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
    return this.#phase;
  }

  /** Connected in any way (including a lost link that may come back): the monitoring pages apply. */
  get active(): boolean {
    return this.#phase !== 'idle' && this.#phase !== 'error' && this.#phase !== 'connecting';
  }

  get transportInfo(): TransportInfo | null {
    return this.#transportInfo;
  }

  get topology(): BankTopology | null {
    return this.#topology;
  }

  /** Every pack of the bank, in topology order; replaced (never mutated) on each change. */
  get packs(): PackView[] {
    return this.#packs;
  }

  get totals(): BankTotals {
    return this.#totals;
  }

  get link(): LinkHealth {
    return this.#link;
  }

  /** Why the last connect failed; cleared by the next connect. */
  get error(): SessionError | null {
    return this.#error;
  }

  /** What connect() is doing right now ("Trying 19200 baud, PACE (VER 25)…"), else null. */
  get progress(): string | null {
    return this.#progress;
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
  get client(): C | null {
    return this.#active?.client ?? null;
  }

  get poller(): P | null {
    return this.#active?.poller ?? null;
  }

  /** The clock's time, re-read every tick while observed: the one "now" for every age on screen. */
  get now_ms(): number {
    this.#tick();
    return this.clock.now();
  }

  pack(address: number): PackView | undefined {
    return this.#packs.find((p) => p.address === address);
  }

  /** Trend samples of one pack (one per analog update). Read `trendRevision` to redraw on new samples. */
  trend(address: number): TrendBuffer | undefined {
    return this.#trends.get(address);
  }

  /** Bumped on every trend sample pushed to any pack. */
  get trendRevision(): number {
    return this.#trendRevision;
  }

  // ---- actions ----

  /**
   * Connect with the picker (serial, BLE) or open the demo bank. Call from a click handler: the
   * browser only shows its device picker on a user gesture. Resolves true once polling started.
   */
  connect(options: ConnectOptions): Promise<boolean> {
    const choice = this.#choice(options);
    return this.#establish(options, () => this.#links.request(choice), choice);
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
      const choice = this.#choice(options);
      return await this.#establish(options, () => this.#links.remembered(last, choice), choice);
    } finally {
      this.#resumeSettled = true;
    }
  }

  /** True once the on-load resume() has finished (connected or not): the start page may redirect. */
  get resumeSettled(): boolean {
    return this.#resumeSettled;
  }

  /** Stop polling and release the device. A reload will not reconnect until the next connect. */
  async disconnect(): Promise<void> {
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
    this.#clearReopen();
    this.#reopenStep = 0;
    void this.#reopen();
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

  #choice(options: ConnectOptions): LinkChoice {
    const s = this.settings.current;
    const baud = typeof options.baud === 'number' ? options.baud : s.baud === 'auto' ? (this.#lastDevice?.baud ?? 9600) : s.baud;
    return { kind: options.kind, baud, demoPacks: options.simPacks ?? s.demoPacks };
  }

  async #establish(options: ConnectOptions, obtain: () => Promise<Transport | null>, choice: LinkChoice): Promise<boolean> {
    if (this.#transport || this.#connectAbort) await this.#shutdown();
    const generation = ++this.#generation;
    const abort = new AbortController();
    this.#connectAbort = abort;
    this.#phase = 'connecting';
    this.#error = null;
    this.#pickerCancelled = null;
    this.#message = null;
    this.#connectingKind = options.kind;
    this.#progress = options.kind === 'sim' ? 'Starting the demo bank…' : 'Choose your device in the browser’s list…';
    const check = () => {
      if (generation !== this.#generation) throw new Superseded();
      abort.signal.throwIfAborted();
    };

    let transport: Transport | null = null;
    try {
      transport = await obtain();
      check();
      if (!transport) {
        this.#toIdle();
        return false;
      }
      this.#transport = transport;
      this.#transportInfo = transport.info;
      const found = await this.#detect(transport, options, choice, abort.signal, check);
      check();
      this.#attach(transport, found);
      this.#remember({
        kind: options.kind,
        ...(transport.info.usbVendorId !== undefined ? { usbVendorId: transport.info.usbVendorId } : {}),
        ...(transport.info.usbProductId !== undefined ? { usbProductId: transport.info.usbProductId } : {}),
        ...(transport.info.bleName !== undefined ? { bleName: transport.info.bleName } : {}),
        ...(options.kind === 'serial' ? { baud: found.baud } : {}),
        label: transport.info.label,
        autoReconnect: true
      });
      return true;
    } catch (e) {
      if (e instanceof Superseded || generation !== this.#generation) {
        // A newer connect or a disconnect took over; it owns the state now. Release what we opened.
        if (transport && transport !== this.#transport) await transport.close();
        return false;
      }
      const aborted = isAbort(e, abort.signal);
      this.#transport = null;
      if (transport) await transport.close();
      if (generation !== this.#generation) return false;
      if (aborted) {
        this.#toIdle();
        if (e instanceof TransportError && e.kind === 'picker-cancelled') this.#pickerCancelled = options.kind;
      } else {
        this.#toIdle();
        this.#phase = 'error';
        this.#error = toSessionError(e);
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

  async #detect(
    transport: Transport,
    options: ConnectOptions,
    choice: LinkChoice,
    signal: AbortSignal,
    check: () => void
  ): Promise<DetectionAttempt> {
    const s = this.settings.current;
    const last = this.#lastDevice?.kind === options.kind ? this.#lastDevice : null;
    const plan = detectionPlan({
      kind: options.kind,
      baud: baudChoice(options.baud) ?? s.baud,
      profile: s.profile,
      lastBaud: last?.baud,
      lastProfile: this.#detected?.profile
    });
    const useBaud = async (baud: number) => {
      await this.#links.setBaud(transport, baud);
      check();
      if (transport.status.state !== 'open') await transport.open(signal);
      check();
    };
    if (!plan.probe) {
      const only = plan.attempts[0];
      this.#progress = options.kind === 'sim' ? 'Starting the demo bank…' : 'Opening the connection…';
      await useBaud(options.kind === 'serial' ? only.baud : choice.baud);
      return only;
    }
    const found = await runDetection({
      attempts: plan.attempts,
      signal,
      useBaud,
      probe: (attempt, sig) => this.#links.probe(transport, attempt, { clock: this.clock, signal: sig }),
      onAttempt: (attempt, i, n) => {
        this.#progress = `Looking for packs: ${describeAttempt(attempt, options.kind)} (${i + 1} of ${n})…`;
      }
    });
    if (!found) {
      throw new NoAnswer(`No pack answered. Tried ${describeTried(plan.attempts, options.kind)}.`);
    }
    return found;
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
      clock: this.clock,
      decodeOptions: decodeOptionsFor(this.settings.current, found.profile)
    });
    this.#active = link;
    const { poller } = link;
    this.#subscriptions = [
      transport.onStatus((s) => this.#onTransportStatus(s)),
      poller.onTopology((t) => this.#onTopology(t)),
      poller.onUpdate((u) => this.#onUpdate(u)),
      poller.onCycle((c) => this.#onCycle(c)),
      poller.onIdentity((i) => this.#onIdentity(i)),
      poller.onStatus((s) => this.#onPollerStatus(s))
    ];
    this.#phase = 'discovering';
    poller.start();
  }

  // ---- events from below ----

  #onTopology(t: BankTopology): void {
    this.#topology = t;
    // A lookup table for this call only, never read by a page.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const old = new Map(this.#packs.map((p) => [p.address, p]));
    this.#packs = t.addresses.map((address) => {
      const prev = old.get(address);
      return prev ? { ...prev, isMaster: address === t.masterAddress } : emptyView(address, t.masterAddress);
    });
    for (const address of [...this.#trends.keys()]) if (!t.addresses.includes(address)) this.#trends.delete(address);
    if (this.#linkUp()) {
      this.#phase = 'live';
      this.#message = null;
    }
  }

  #onUpdate(u: PackUpdate): void {
    const linkUp = this.#linkUp();
    const hasValues = u.analog !== undefined || u.status !== undefined;
    const index = this.#packs.findIndex((p) => p.address === u.address);
    const prev = index >= 0 ? this.#packs[index] : emptyView(u.address, this.#topology?.masterAddress ?? null);
    const analog = u.analog ?? prev.analog;
    const view: PackView = {
      ...prev,
      analog,
      status: u.status ?? prev.status,
      health: u.health,
      received_ms: hasValues ? u.received_ms : prev.received_ms,
      fresh: linkUp && u.health.state === 'ok' && analog !== null && !analog.empty
    };
    const next = this.#packs.slice();
    if (index >= 0) next[index] = view;
    else next.push(view);
    this.#packs = next;
    if (hasValues) this.#lastReply_ms = u.received_ms;
    if (u.analog) this.#pushTrend(u.address, u.received_ms, u.analog);
    this.#syncStats();
  }

  #pushTrend(address: number, t_ms: number, analog: NonNullable<PackUpdate['analog']>): void {
    const sample = trendSample(t_ms, analog);
    if (!sample) return;
    let buffer = this.#trends.get(address);
    if (!buffer) {
      buffer = new TrendBuffer(this.#trendCapacity);
      this.#trends.set(address, buffer);
    }
    if (buffer.push(sample)) this.#trendRevision++;
  }

  #onCycle(_c: PollCycle): void {
    this.#syncStats();
  }

  #onIdentity(i: PackIdentityReport): void {
    const index = this.#packs.findIndex((p) => p.address === i.address);
    if (index < 0) return;
    const next = this.#packs.slice();
    next[index] = {
      ...next[index],
      identity: { softwareVersion: i.softwareVersion, bluetoothName: i.bluetoothName, bmsSerial: i.bmsSerial, packSerial: i.packSerial }
    };
    this.#packs = next;
  }

  #onPollerStatus(s: PollerStatus): void {
    this.#pollerStatus = s;
    // While the link is up, the poller's complaints ("Discovery failed: …") are the link message.
    if (this.#linkUp()) this.#message = s.message;
  }

  #onTransportStatus(s: TransportStatus): void {
    if (this.#closing) return;
    if (this.#transport) this.#transportInfo = this.#transport.info;
    switch (s.state) {
      case 'lost':
        this.#markAllStale();
        this.#message = s.message ?? 'The connection was lost.';
        if (s.reconnecting) this.#phase = 'reconnecting';
        else {
          this.#phase = 'lost';
          this.#scheduleReopen();
        }
        break;
      case 'opening':
        if (this.#phase === 'lost' || this.#phase === 'reconnecting') this.#phase = 'reconnecting';
        break;
      case 'open':
        if (this.#phase === 'lost' || this.#phase === 'reconnecting') {
          this.#reconnects++;
          this.#clearReopen();
          this.#reopenStep = 0;
          this.#message = null;
          // The poller noticed the link come back too and is discovering the bank again.
          this.#phase = 'discovering';
        }
        break;
      case 'closed':
        // Closed without our disconnect(): a re-open attempt failed, or the device refused. Keep
        // the values (stale) and keep trying.
        this.#markAllStale();
        if (s.message) this.#message = s.message;
        if (this.#phase !== 'reconnecting' || this.#reopenTimer === null) {
          this.#phase = 'lost';
          this.#scheduleReopen();
        }
        break;
    }
  }

  // ---- the session's own re-open, for links that do not come back by themselves ----

  #scheduleReopen(): void {
    if (this.#reopenTimer !== null || !this.#transport) return;
    const i = Math.min(this.#reopenStep, this.#reopenBackoff_ms.length - 1);
    const delay = this.#reopenBackoff_ms[i];
    this.#reopenStep++;
    this.#reopenTimer = this.clock.setTimeout(() => {
      this.#reopenTimer = null;
      void this.#reopen();
    }, delay);
  }

  async #reopen(): Promise<void> {
    const transport = this.#transport;
    if (!transport || this.#closing) return;
    const state = transport.status.state;
    if (state === 'open' || state === 'opening' || transport.status.reconnecting) return;
    this.#phase = 'reconnecting';
    try {
      await transport.open();
    } catch (e) {
      if (this.#transport !== transport || this.#closing) return;
      this.#message = e instanceof Error ? e.message : String(e);
      this.#phase = 'lost';
      this.#scheduleReopen();
    }
  }

  #clearReopen(): void {
    if (this.#reopenTimer !== null) this.clock.clearTimeout(this.#reopenTimer);
    this.#reopenTimer = null;
  }

  // ---- helpers ----

  #linkUp(): boolean {
    return this.#transport?.status.state === 'open';
  }

  #markAllStale(): void {
    if (!this.#packs.some((p) => p.fresh)) return;
    this.#packs = this.#packs.map((p) => (p.fresh ? { ...p, fresh: false } : p));
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
    this.#topology = null;
    this.#packs = [];
    this.#detected = null;
    this.#lastReply_ms = null;
    this.#timeouts = 0;
    this.#badFrames = 0;
    this.#reconnects = 0;
    this.#message = null;
    this.#pollerStatus = null;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see #trends
    this.#trends = new Map();
    this.#trendRevision++;
  }

  async #shutdown(): Promise<void> {
    this.#generation++;
    this.#connectAbort?.abort(new DOMException('Disconnected', 'AbortError'));
    this.#connectAbort = null;
    this.#clearReopen();
    this.#reopenStep = 0;
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

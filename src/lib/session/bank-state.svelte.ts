// The bank as reactive state: one PackView per pack, the totals, the trends. What the poller
// streams pack by pack is gathered and applied once per poll cycle, in one replacement of `packs`,
// and never more than once per animation frame (design.md: cost is cut upstream). A pack that
// stops being live is applied at once, and its badge turns by itself when its values get older
// than the poller said they may (PackHealth.freshUntil_ms): a value that is not fresh is never
// shown as fresh.

import type { BankTopology, PackHealth, PackIdentityReport, PackUpdate } from '$lib/protocol/bank-types';
import { isLive } from '$lib/protocol/pack-health';
import type { Clock, TimerId } from '$lib/time/clock';
import { computeBankTotals } from './totals';
import { TrendBuffer, trendSample } from './trend-buffer';
import type { BankTotals, PackView } from './types';

/** Runs `callback` before the next frame is drawn (requestAnimationFrame in a page). */
export type FrameScheduler = (callback: () => void) => void;

export interface BankStateOptions {
  clock: Clock;
  /** Whether the link is up now: nothing is live while it is not. */
  linkUp: () => boolean;
  /** Trend samples kept per pack. Default TrendBuffer's (24 h at 5 s). */
  trendCapacity?: number;
  /** Frame pacing for applying updates; null applies at once (tests, Node). */
  frame?: FrameScheduler | null;
}

/** What arrived for one pack since the last apply. */
interface Pending {
  health: PackHealth;
  analog?: PackView['analog'];
  status?: PackView['status'];
  statusUnsupported?: true;
  /** When the newest values (not a health-only update) arrived. */
  received_ms?: number;
  trended: boolean;
}

/** One pack's trend revision. */
class Revision {
  value = $state(0);
}

function emptyView(address: number, masterAddress: number | null): PackView {
  return {
    address,
    isMaster: address === masterAddress,
    analog: null,
    status: null,
    statusUnsupported: false,
    health: {
      address,
      state: 'stale',
      lastGood_ms: null,
      freshUntil_ms: null,
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

export class BankState {
  #topology = $state.raw<BankTopology | null>(null);
  #packs = $state.raw<PackView[]>([]);
  #lastReply_ms = $state<number | null>(null);
  // Each pack's chart redraws on its own samples only: one reactive cell per pack, in a plain map
  // whose entries are made outside any page's reading (topology, updates).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #trendRevisions = new Map<number, Revision>();
  readonly #totals = $derived(computeBankTotals(this.#packs));

  readonly #clock: Clock;
  readonly #linkUp: () => boolean;
  readonly #trendCapacity: number | undefined;
  readonly #frame: FrameScheduler | null;
  // Not reactive on purpose: pages redraw on a pack's trend revision, not on every buffer push;
  // and what is pending is nobody's business until it is applied.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #trends = new Map<number, TrendBuffer>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #pending = new Map<number, Pending>();
  /** An apply ran in this frame; the next waits for the frame to pass. */
  #frameBusy = false;
  #applyQueued = false;
  #expiry: TimerId | null = null;
  /** Applies so far (tests and the bench count them). */
  applies = 0;

  constructor(options: BankStateOptions) {
    this.#clock = options.clock;
    this.#linkUp = options.linkUp;
    this.#trendCapacity = options.trendCapacity;
    this.#frame = options.frame ?? null;
  }

  get topology(): BankTopology | null {
    return this.#topology;
  }

  /** Every pack of the bank, in topology order; replaced (never mutated) on each apply. */
  get packs(): PackView[] {
    return this.#packs;
  }

  get totals(): BankTotals {
    return this.#totals;
  }

  /** Clock time (ms) of the newest values from any pack, applied. */
  get lastReply_ms(): number | null {
    return this.#lastReply_ms;
  }

  pack(address: number): PackView | undefined {
    return this.#packs.find((p) => p.address === address);
  }

  trend(address: number): TrendBuffer | undefined {
    return this.#trends.get(address);
  }

  /** Bumped when an apply brings this pack new trend samples. */
  trendRevision(address: number): number {
    return this.#trendRevisions.get(address)?.value ?? 0;
  }

  // ---- from the poller ----

  topologyFound(t: BankTopology): void {
    this.#flush();
    this.#topology = t;
    // A lookup table for this call only, never read by a page.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const old = new Map(this.#packs.map((p) => [p.address, p]));
    this.#packs = t.addresses.map((address) => {
      const prev = old.get(address);
      // Whether a pack knows 44H is asked again on a new topology.
      return prev ? { ...prev, isMaster: address === t.masterAddress, statusUnsupported: false } : emptyView(address, t.masterAddress);
    });
    for (const address of [...this.#trends.keys()]) {
      if (t.addresses.includes(address)) continue;
      this.#trends.delete(address);
      this.#trendRevisions.delete(address);
    }
    for (const address of t.addresses) this.#revision(address);
  }

  /**
   * One pack's update, kept until the cycle ends. Trend samples go into the buffer now (they cost
   * nothing on screen). An update that takes a pack's liveness away is applied at once.
   */
  update(u: PackUpdate): void {
    const prev = this.#pending.get(u.address);
    const next: Pending = { ...prev, health: u.health, trended: prev?.trended ?? false };
    if (u.analog) next.analog = u.analog;
    if (u.status) next.status = u.status;
    if (u.statusUnsupported) next.statusUnsupported = true;
    if (u.analog || u.status || u.statusUnsupported) next.received_ms = u.received_ms;
    if (u.analog && this.#pushTrend(u.address, u.received_ms, u.analog)) next.trended = true;
    this.#pending.set(u.address, next);
    // A pack that stops (or starts) being live, or goes offline, is shown so at once; new values
    // of a pack that stays as it was wait for the cycle to end.
    const shown = this.pack(u.address);
    const analog = next.analog ?? shown?.analog ?? null;
    const live = this.#linkUp() && isLive(u.health, this.#clock.now()) && analog !== null && !analog.empty;
    if (live !== (shown?.fresh ?? false) || u.health.state !== shown?.health.state) this.requestApply();
  }

  identity(i: PackIdentityReport): void {
    const index = this.#packs.findIndex((p) => p.address === i.address);
    if (index < 0) return;
    const next = this.#packs.slice();
    next[index] = {
      ...next[index],
      identity: { softwareVersion: i.softwareVersion, bluetoothName: i.bluetoothName, bmsSerial: i.bmsSerial, packSerial: i.packSerial }
    };
    this.#packs = next;
  }

  /**
   * Apply what arrived: once the current task's updates are in (a broadcast reply brings every
   * pack in one go), or with the next frame when one was applied in this frame already.
   */
  requestApply(): void {
    if (this.#applyQueued) return;
    this.#applyQueued = true;
    if (this.#frameBusy) return;
    queueMicrotask(() => {
      if (this.#applyQueued) this.#flush();
    });
  }

  /** The link went away (or is back): liveness of every pack follows at once. */
  linkChanged(): void {
    this.#flush();
  }

  /** Apply now, whatever the frame (a topology change, a test that looks right after a cycle). */
  applyNow(): void {
    this.#flush();
  }

  /** Forget the bank (disconnected). */
  reset(): void {
    this.#clearExpiry();
    this.#pending.clear();
    this.#topology = null;
    this.#packs = [];
    this.#lastReply_ms = null;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see #trends
    this.#trends = new Map();
    this.#trendRevisions.clear();
  }

  #revision(address: number): Revision {
    let cell = this.#trendRevisions.get(address);
    if (!cell) this.#trendRevisions.set(address, (cell = new Revision()));
    return cell;
  }

  // ---- applying ----

  #pushTrend(address: number, t_ms: number, analog: NonNullable<PackUpdate['analog']>): boolean {
    const sample = trendSample(t_ms, analog);
    if (!sample) return false;
    let buffer = this.#trends.get(address);
    if (!buffer) {
      buffer = new TrendBuffer(this.#trendCapacity);
      this.#trends.set(address, buffer);
    }
    return buffer.push(sample);
  }

  /** Pending updates and current liveness into one new `packs`; views that did not change are kept as they are. */
  #flush(): void {
    this.#applyQueued = false;
    const now = this.#clock.now();
    const linkUp = this.#linkUp();
    const pending = this.#pending;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see #pending
    this.#pending = new Map();
    const live = (v: PackView) => linkUp && isLive(v.health, now) && v.analog !== null && !v.analog.empty;
    let changed = false;
    let lastReply = this.#lastReply_ms;
    const master = this.#topology?.masterAddress ?? null;
    const views = this.#packs.map((view) => {
      const p = pending.get(view.address);
      const next = p ? merge(view, p) : view;
      const fresh = live(next);
      if (next === view && fresh === view.fresh) return view;
      changed = true;
      return fresh === next.fresh ? next : { ...next, fresh };
    });
    for (const [address, p] of pending) {
      if (p.received_ms !== undefined) lastReply = Math.max(lastReply ?? -Infinity, p.received_ms);
      if (p.trended) this.#revision(address).value++;
      // An update for a pack the topology does not list (yet): shown after the others.
      if (!this.#packs.some((v) => v.address === address)) {
        const view = merge(emptyView(address, master), p);
        views.push({ ...view, fresh: live(view) });
        changed = true;
      }
    }
    if (changed) {
      this.#packs = views;
      this.applies++;
    }
    if (lastReply !== this.#lastReply_ms) this.#lastReply_ms = lastReply;
    this.#scheduleExpiry(now);
    if (changed && this.#frame) {
      this.#frameBusy = true;
      this.#frame(() => {
        this.#frameBusy = false;
        if (this.#applyQueued) this.#flush();
      });
    }
  }

  /** The newest health known for a pack: what is pending, else what is shown. */
  #newest(view: PackView): PackHealth {
    return this.#pending.get(view.address)?.health ?? view.health;
  }

  /**
   * Look again when the first live pack's newest values get too old. Newer values still pending
   * (a relay cycle in progress) keep it live without an apply; only a pack that really stopped
   * being live makes one.
   */
  #scheduleExpiry(now: number): void {
    this.#clearExpiry();
    let next = Infinity;
    for (const v of this.#packs) {
      const until = v.fresh ? this.#newest(v).freshUntil_ms : null;
      if (until !== null) next = Math.min(next, until);
    }
    if (next === Infinity) return;
    this.#expiry = this.#clock.setTimeout(
      () => {
        this.#expiry = null;
        const at = this.#clock.now();
        if (this.#packs.some((v) => v.fresh && !isLive(this.#newest(v), at))) this.requestApply();
        else this.#scheduleExpiry(at);
      },
      Math.max(0, next - now)
    );
  }

  #clearExpiry(): void {
    if (this.#expiry !== null) this.#clock.clearTimeout(this.#expiry);
    this.#expiry = null;
  }
}

function merge(view: PackView, p: Pending): PackView {
  return {
    ...view,
    analog: p.analog ?? view.analog,
    status: p.status ?? view.status,
    statusUnsupported: view.statusUnsupported || p.statusUnsupported === true,
    health: p.health,
    received_ms: p.received_ms ?? view.received_ms
  };
}

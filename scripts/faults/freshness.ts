// Ground truth for "a value shown as live": when did each pack's values really arrive, read from the
// bytes on the host's side of the link with a frame reader of our own (not the client's), and a
// check, run before every timer of the virtual clock, that every pack the session shows as live
// (PackView.fresh) satisfies four rules:
//
//   link     the transport is open (nothing is live over a lost link);
//   known    the values on screen really arrived on the wire for that pack (matched by content);
//   age      the pack's values last arrived no longer ago than one cycle plus one deadline: the
//            longest of the last three poll cycles (start to start, without the time the bus was
//            held for exclusive work; before a whole cycle was timed, the poller's estimate of
//            one) plus the reply deadline of the 42H exchange that refreshes the pack, plus the
//            time spent since then on identity reads of other packs that the bank answered (between
//            two cycles: they delay every other pack's next poll);
//   current  the values on screen are the newest the poller had for the pack when its last cycle
//            ended: the bank is shown once per poll cycle (design.md), so values may wait for the
//            end of their cycle, but never stay on screen past the end of the next one.
//
// A pack that breaks a rule counts once per episode (until it is shown stale or keeps the rules
// again). The first violation of each episode is kept for the scenario's report.

import type { BankTopology, PackUpdate, PollCycle } from '../../src/lib/protocol/bank-types';
import type { PaceClient } from '../../src/lib/protocol/client';
import { readAnalog } from '../../src/lib/protocol/commands/analog';
import { readProductInfo, readSoftwareVersion } from '../../src/lib/protocol/commands/info';
import { ALL_PACKS } from '../../src/lib/protocol/commands/pack-request';
import { readStatus } from '../../src/lib/protocol/commands/status';
import { FrameReader, frameWireLength, isEchoOf } from '../../src/lib/protocol/frame';
import { estimatedCycle_ms } from '../../src/lib/protocol/poll-cycle';
import type { PackAnalog } from '../../src/lib/protocol/types';
import type { SimBank } from '../../src/lib/sim/bank';
import type { Transport, TransportStatus, Unsubscribe } from '../../src/lib/transport/types';

/** What the watch needs of the session (DeviceSession has it). */
export interface ShownBank {
  readonly packs: readonly { address: number; fresh: boolean; analog: PackAnalog | null }[];
}

/** What the watch follows of the poller (BankPoller has it). */
export interface PollerEvents {
  onCycle(l: (c: PollCycle) => void): Unsubscribe;
  onTopology(l: (t: BankTopology) => void): Unsubscribe;
  onUpdate(l: (u: PackUpdate) => void): Unsubscribe;
}

export type FreshnessRule = 'link' | 'known' | 'age' | 'current';

export interface FreshnessViolation {
  address: number;
  at_ms: number;
  rule: FreshnessRule;
  detail: string;
}

/** The session's poll interval (attachPaceLink's default, which the harness uses). */
export const POLL_INTERVAL_ms = 1000;
/** Values kept per pack: far more than a few cycles' worth. */
const KEPT = 200;
const EPS_ms = 1e-6;

/** One request on the wire, for the delays it causes. */
interface WireRequest {
  t_ms: number;
  /** When the next request went out (null while it is the last). */
  end_ms: number | null;
  /** Packs it asks about: a 42H/44H's COMMAND, an identity read's ADR. */
  covers: number[] | 'all';
  kind: 'poll' | 'identity' | 'other';
  bytes: Uint8Array;
  /** A frame (not our echo) came back before the next request, and when. */
  answered: boolean;
  answered_ms?: number;
  /** That frame was an error RTN (not 00, not 04). */
  refused: boolean;
}

/** A pack's analog values as one comparable string. */
function fingerprint(a: PackAnalog): string {
  return JSON.stringify(a);
}

interface Seen {
  t_ms: number;
  key: string;
}

/** Values per pack, oldest first. */
class ValueLog {
  readonly #byPack = new Map<number, Seen[]>();

  add(address: number, t_ms: number, a: PackAnalog): void {
    let list = this.#byPack.get(address);
    if (!list) this.#byPack.set(address, (list = []));
    list.push({ t_ms, key: fingerprint(a) });
    if (list.length > KEPT) list.shift();
  }

  /** When these values (newest match) arrived, or null. */
  find(address: number, key: string): number | null {
    const list = this.#byPack.get(address) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i].key === key) return list[i].t_ms;
    return null;
  }

  newest(address: number): number | null {
    const list = this.#byPack.get(address);
    return list && list.length > 0 ? list[list.length - 1].t_ms : null;
  }
}

export class FreshnessWatch {
  readonly #bank: SimBank;
  readonly #reader = new FrameReader();
  /** Values that arrived on the wire. */
  readonly #wire = new ValueLog();
  /** Values the poller reported (what the session could show). */
  readonly #polled = new ValueLog();
  /** Per pack: the poller's newest values when the last cycle ended (the session must show these or newer). */
  readonly #due = new Map<number, number>();
  /** The last request on the wire, when it was a 42H. */
  #request: { bytes: Uint8Array; command: number } | null = null;
  /** Every request on the wire since the last few cycles, and how it was answered. */
  #requests: WireRequest[] = [];
  #client: PaceClient | null = null;
  #topology: BankTopology | null = null;
  /** Unheld lengths of the last cycles since the last discovery, newest last. */
  #cycles: number[] = [];
  #lastCycle: { started_ms: number; held_ms: number } | null = null;
  #afterDiscovery = false;
  /** When the last cycles ended (identity reads follow a cycle's end). */
  #cycleEnds: number[] = [];
  /** Spans the bus was held for exclusive work (the last one open while it is held). */
  #holds: { from: number; to: number | null }[] = [];
  #subs: Unsubscribe[] = [];
  /** Packs in a violating episode now. */
  readonly #open = new Set<number>();
  readonly violations: FreshnessViolation[] = [];
  /** Checks run (one per timer). */
  checks = 0;

  constructor(bank: SimBank) {
    this.#bank = bank;
  }

  /** Bytes the host wrote. Like the client, a frame begun before a request is not its answer. */
  sent(bytes: Uint8Array, t_ms: number): void {
    this.#reader.reset();
    const ev = new FrameReader().push(bytes).find((e) => e.type === 'frame');
    const frame = ev && ev.type === 'frame' ? ev.frame : null;
    this.#request = frame && frame.code === readAnalog.cid2 ? { bytes: bytes.slice(), command: frame.info[0] } : null;
    const last = this.#requests[this.#requests.length - 1];
    if (last && last.end_ms === null) last.end_ms = t_ms;
    if (this.#requests.length > KEPT) this.#requests.shift();
    if (!frame) return;
    const poll = frame.code === readAnalog.cid2 || frame.code === readStatus.cid2;
    const identity = frame.code === readSoftwareVersion.cid2 || frame.code === readProductInfo.cid2;
    if (!poll && !identity) {
      this.#requests.push({ t_ms, end_ms: null, covers: [], kind: 'other', bytes: bytes.slice(), answered: false, refused: false });
      return;
    }
    const covers = poll ? (frame.info[0] === ALL_PACKS ? 'all' : [frame.info[0]]) : [frame.adr];
    this.#requests.push({ t_ms, end_ms: null, covers, kind: poll ? 'poll' : 'identity', bytes: bytes.slice(), answered: false, refused: false });
  }

  /**
   * Time since `since_ms` spent on identity reads of other packs (see the header). The poller
   * reads an identity right after a cycle ends: for each cycle end followed (before the next poll
   * request) by a C1H/C2H for another pack that the bank answered, the time from the cycle's end
   * to the last of those requests' answer (or the request after it) counts, less any exclusive
   * hold meanwhile.
   */
  #delay(address: number, since_ms: number, now_ms: number): number {
    let sum = 0;
    for (const end of this.#cycleEnds) {
      if (end < since_ms) continue;
      const next = this.#requests.find((r) => r.kind === 'poll' && r.t_ms > end);
      const reads = this.#requests.filter((r) => r.kind === 'identity' && r.t_ms > end && (!next || r.t_ms < next.t_ms));
      if (!reads.some((r) => r.answered && !r.refused && r.covers !== 'all' && r.covers[0] !== address)) continue;
      const last = reads[reads.length - 1];
      const until = last.answered_ms ?? last.end_ms ?? now_ms;
      sum += Math.max(0, until - end - (this.#heldUpTo(until, now_ms) - this.#heldUpTo(end, now_ms)));
    }
    return sum;
  }

  /** Bytes the host received, at `t_ms`. */
  received(chunk: Uint8Array, t_ms: number): void {
    for (const ev of this.#reader.push(chunk)) {
      const last = this.#requests[this.#requests.length - 1];
      if (ev.type === 'frame' && last && last.end_ms === null && !isEchoOf(ev.raw, last.bytes) && !last.answered) {
        last.answered = true;
        last.answered_ms = t_ms;
        // RTN 04 (no such command) is not a refusal of the pack: the poller takes it as an answer.
        if (ev.frame.code !== 0 && ev.frame.code !== 0x04) last.refused = true;
      }
      if (ev.type !== 'frame' || !this.#request || !this.#client) continue;
      const req = this.#request;
      // Every valid reply after the request counts, not only the first: a reply held up by a
      // stall can complete after the client gave up on it, and the retry's reply follows it.
      if (isEchoOf(ev.raw, req.bytes) || ev.frame.code !== 0) continue;
      let reply: ReturnType<typeof readAnalog.decodeReply>;
      try {
        reply = readAnalog.decodeReply(ev.frame.info, { request: { command: req.command }, options: this.#client.decodeOptions });
      } catch {
        continue;
      }
      // A broadcast's blocks are the bank's members in order; a relayed block says whose it is.
      const addresses = req.command === ALL_PACKS ? this.#bank.members().map((p) => p.address) : [reply.command];
      reply.packs.forEach((p, i) => {
        const address = addresses[i];
        if (address !== undefined && !p.empty) this.#wire.add(address, t_ms, p);
      });
    }
  }

  /** The session attached a client and poller: follow their values, cycles and exclusive work. */
  attach(client: PaceClient, poller: PollerEvents, now: () => number): void {
    for (const u of this.#subs) u();
    this.#client = client;
    this.#subs = [
      client.onExclusive((active) => {
        const last = this.#holds[this.#holds.length - 1];
        if (active && (!last || last.to !== null)) this.#holds.push({ from: now(), to: null });
        else if (!active && last && last.to === null) last.to = now();
      }),
      poller.onUpdate((u) => {
        if (u.analog && !u.analog.empty) this.#polled.add(u.address, u.received_ms, u.analog);
      }),
      poller.onTopology((t) => {
        this.#topology = t;
        this.#cycles = [];
        this.#lastCycle = null;
        this.#afterDiscovery = true;
      }),
      poller.onCycle((c) => {
        const held = this.#heldUpTo(c.started_ms, now());
        if (this.#lastCycle) this.#cycles.push(c.started_ms - this.#lastCycle.started_ms - (held - this.#lastCycle.held_ms));
        if (this.#cycles.length > 3) this.#cycles.shift();
        this.#cycleEnds.push(c.ended_ms);
        if (this.#cycleEnds.length > 20) this.#cycleEnds.shift();
        // The first cycle after discovery reuses discovery's values: it is no measure of a cycle.
        this.#lastCycle = this.#afterDiscovery ? null : { started_ms: c.started_ms, held_ms: held };
        this.#afterDiscovery = false;
        for (const address of this.#topology?.addresses ?? []) {
          const t = this.#polled.newest(address);
          if (t !== null) this.#due.set(address, t);
        }
      })
    ];
  }

  /** Time the bus was held for exclusive work before `t_ms`. */
  #heldUpTo(t_ms: number, now_ms: number): number {
    let sum = 0;
    for (const h of this.#holds) sum += Math.max(0, Math.min(h.to ?? now_ms, t_ms) - h.from);
    return sum;
  }

  /** One cycle plus one deadline, for pack `address`; null before the bank was found. */
  window_ms(address: number): number | null {
    const client = this.#client;
    const topology = this.#topology;
    if (!client || !topology) return null;
    const deadlineOf = (command: number, n: number) =>
      client.deadlineFor(frameWireLength(readAnalog.encodeRequest({ command }).length), readAnalog.expectedReplyBytes({ command }, n));
    const n = topology.addresses.length;
    const deadline = topology.broadcast ? deadlineOf(ALL_PACKS, n) : deadlineOf(address, 1);
    let cycle = this.#cycles.length > 0 ? Math.max(...this.#cycles) : 0;
    if (this.#cycles.length < 2) {
      // Before a cycle was measured the poller expects every exchange to take its whole deadline.
      const estimate = estimatedCycle_ms(topology, {
        // 44H has the request shape of 42H; only the reply size differs.
        deadlineOf: (cmd, command, k) =>
          cmd === readAnalog
            ? deadlineOf(command, k)
            : client.deadlineFor(frameWireLength(readStatus.encodeRequest({ command }).length), readStatus.expectedReplyBytes({ command }, k))
      });
      cycle = Math.max(cycle, estimate + POLL_INTERVAL_ms);
    }
    return cycle + deadline;
  }

  /** Check what `shown` shows now against the truth. */
  check(shown: ShownBank, link: TransportStatus, now_ms: number): void {
    this.checks++;
    for (const view of shown.packs) {
      const v = view.fresh ? this.#violation(view, link, now_ms) : null;
      if (!v) {
        this.#open.delete(view.address);
        continue;
      }
      if (this.#open.has(view.address)) continue;
      this.#open.add(view.address);
      this.violations.push(v);
    }
  }

  #violation(view: ShownBank['packs'][number], link: TransportStatus, now_ms: number): FreshnessViolation | null {
    const address = view.address;
    const at = { address, at_ms: now_ms };
    if (link.state !== 'open') return { ...at, rule: 'link', detail: `shown live while the link is ${link.state}` };
    const key = view.analog ? fingerprint(view.analog) : '';
    if (this.#wire.find(address, key) === null) return { ...at, rule: 'known', detail: 'shown live with values that never arrived from this pack' };
    const newest = this.#wire.newest(address)!;
    const cycle = this.window_ms(address);
    const age = now_ms - newest;
    if (cycle !== null) {
      const delay = this.#delay(address, newest, now_ms);
      if (age > cycle + delay + EPS_ms) {
        const why =
          delay > 0
            ? `one cycle plus one deadline: ${Math.round(cycle)} ms, plus ${Math.round(delay)} ms of identity reads`
            : `one cycle plus one deadline: ${Math.round(cycle)} ms`;
        return { ...at, rule: 'age', detail: `shown live ${Math.round(age)} ms after its values last arrived (${why})` };
      }
    }
    const shownAt = this.#polled.find(address, key);
    const due = this.#due.get(address);
    if (due !== undefined && (shownAt === null || shownAt < due)) {
      return {
        ...at,
        rule: 'current',
        detail: `shown live with values older than those of its last completed poll cycle (received ${Math.round(due - (shownAt ?? 0))} ms earlier)`
      };
    }
    return null;
  }

  /** Newest arrival on the wire of a pack's values. */
  lastArrival(address: number): number | null {
    return this.#wire.newest(address);
  }

  dispose(): void {
    for (const u of this.#subs) u();
    this.#subs = [];
  }
}

/** A transport that tells the watch what went out and what came in, and otherwise passes through. */
export class ObservedTransport implements Transport {
  readonly #inner: Transport;
  readonly #onWrite: (bytes: Uint8Array) => void;

  constructor(inner: Transport, o: { onWrite(bytes: Uint8Array): void; onData(chunk: Uint8Array): void }) {
    this.#inner = inner;
    this.#onWrite = o.onWrite;
    // Subscribed before any client: the truth sees each chunk first.
    inner.onData(o.onData);
  }

  get info() {
    return this.#inner.info;
  }
  get status() {
    return this.#inner.status;
  }
  get timing() {
    return this.#inner.timing;
  }
  open(signal?: AbortSignal): Promise<void> {
    return this.#inner.open(signal);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
  async write(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    // Only bytes that really go out: a write to a lost link throws before anything is sent.
    if (this.#inner.status.state === 'open') this.#onWrite(bytes);
    return this.#inner.write(bytes, signal);
  }
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.#inner.onData(listener);
  }
  onStatus(listener: (status: TransportStatus) => void): Unsubscribe {
    return this.#inner.onStatus(listener);
  }
}

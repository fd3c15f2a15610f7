// The serial line between the host and the bank, on a Clock. Every byte takes bitsPerByte/baud on
// the wire in either direction; a pack answers a turnaround after the request's last byte; bytes
// reach the host in chunks (what ~5 ms of wire time carries, like a USB adapter's latency timer)
// with exact timing for every byte and no per-byte timers.
//
// Half duplex (RS485, the default) is modelled as on a real bus: while a pack drives the line its
// receiver is off, so request bytes that overlap its reply never reach it, and reply bytes sent
// while the host is transmitting are lost to the host. Full duplex (RS232) has neither effect.
//
// Faults live here too: dropped / flipped bytes, noise bursts, stalls, unplugging, adapter echo.

import type { Clock, TimerId } from '../time/clock';
import type { Unsubscribe } from '../transport/types';
import type { Rng } from './rng';

export interface WireOptions {
  clock: Clock;
  baud: number;
  /** Start + data + stop bits; 10 for 8N1. */
  bitsPerByte?: number;
  /** Bytes reach the host in chunks of about this much wire time (ms). Default 5. */
  chunk_ms?: number;
  /** Default 'half' (RS485). */
  duplex?: 'half' | 'full';
  /** Randomness for the byte faults and noise. */
  rng: Rng;
}

/** Probabilities per byte; all default 0. */
export interface ByteFaultRates {
  /** Reply byte lost on the way to the host. */
  dropRate?: number;
  /** Reply byte arrives with one bit flipped. */
  flipRate?: number;
  /** Request byte lost on the way to the packs. */
  requestDropRate?: number;
  /** Request byte arrives with one bit flipped. */
  requestFlipRate?: number;
  /** The adapter echoes every byte the host sends (some USB-RS485 adapters do). */
  echo?: boolean;
}

interface Span {
  start: number;
  end: number;
}

type TxKind = 'device' | 'noise' | 'echo';

interface Tx {
  kind: TxKind;
  bytes: Uint8Array;
  /** Start time of the byte at index `base`. */
  start_ms: number;
  base: number;
  /** Next byte to deliver. */
  next: number;
  timer: TimerId | null;
  /** Time intervals this transmission occupies on the line (a stall splits it). */
  spans: Span[];
  /** Wire time of one of its bytes (host echo runs at the host's baud). */
  byte_ms: number;
}

/**
 * Spans older than this are forgotten: collisions are checked when bytes are delivered, which is
 * at most one chunk (or one host write) after they were on the wire.
 */
const SPAN_MEMORY_ms = 10_000;
/** Floating-point slack when comparing byte boundaries. */
const EPS = 1e-7;

function overlaps(spans: readonly Span[], a: number, b: number): boolean {
  for (const s of spans) if (s.start < b - EPS && a < s.end - EPS) return true;
  return false;
}

export class SimWire {
  readonly bitsPerByte: number;
  readonly duplex: 'half' | 'full';
  readonly #clock: Clock;
  readonly #chunk_ms: number;
  /** The packs' UART speed. */
  #deviceBaud: number;
  /** The host adapter's UART speed; when it differs from the packs', every byte arrives as garbage. */
  #hostBaud: number;
  readonly #rng: Rng;
  readonly #hostListeners = new Set<(chunk: Uint8Array) => void>();
  readonly #deviceListeners = new Set<(chunk: Uint8Array) => void>();
  readonly #unplugListeners = new Set<() => void>();

  #faults: ByteFaultRates = {};
  #plugged = true;
  /** Host UART busy until (its own queue). */
  #hostFree_ms = -Infinity;
  /** Device side busy until (replies queue behind each other). */
  #deviceFree_ms = -Infinity;
  /** No reply may start before this (a stall with nothing in flight). */
  #stallUntil_ms = -Infinity;
  #hostSpans: Span[] = [];
  #active: Tx[] = [];
  /** Finished device and noise transmissions, kept for collision checks. */
  #done: Tx[] = [];
  #pendingHostWrites = new Set<TimerId>();
  /** Any noise transmission still remembered (skips the per-byte noise check otherwise). */
  #noiseKnown = false;
  /** Unplug after this many more bytes reach the host; null = no pending unplug. */
  #cutAfter: number | null = null;

  constructor(o: WireOptions) {
    if (!(o.baud > 0)) throw new RangeError(`baud must be positive, got ${o.baud}`);
    this.#clock = o.clock;
    this.#deviceBaud = o.baud;
    this.#hostBaud = o.baud;
    this.bitsPerByte = o.bitsPerByte ?? 10;
    this.duplex = o.duplex ?? 'half';
    this.#chunk_ms = o.chunk_ms ?? 5;
    this.#rng = o.rng;
  }

  /** The packs' baud rate. */
  get baud(): number {
    return this.#deviceBaud;
  }

  get hostBaud(): number {
    return this.#hostBaud;
  }

  /** Time one byte takes from the packs (ms). */
  get byteTime_ms(): number {
    return (this.bitsPerByte * 1000) / this.#deviceBaud;
  }

  /** The packs switch their UART (extension F3H); the host keeps its own until told. */
  setDeviceBaud(baud: number): void {
    if (!(baud > 0)) throw new RangeError(`baud must be positive, got ${baud}`);
    this.#deviceBaud = baud;
  }

  /** The host opens its port at this baud. */
  setHostBaud(baud: number): void {
    if (!(baud > 0)) throw new RangeError(`baud must be positive, got ${baud}`);
    this.#hostBaud = baud;
  }

  get #mismatch(): boolean {
    return this.#hostBaud !== this.#deviceBaud;
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  /** Wire time of n bytes from the packs (ms). */
  time_ms(bytes: number): number {
    return (bytes * this.bitsPerByte * 1000) / this.#deviceBaud;
  }

  #hostTime_ms(bytes: number): number {
    return (bytes * this.bitsPerByte * 1000) / this.#hostBaud;
  }

  /** When the device side will have finished everything queued (clock ms). */
  get deviceFree_ms(): number {
    return this.#deviceFree_ms;
  }

  setFaults(f: ByteFaultRates): void {
    this.#faults = { ...f };
  }

  get faults(): ByteFaultRates {
    return { ...this.#faults };
  }

  onHost(listener: (chunk: Uint8Array) => void): Unsubscribe {
    this.#hostListeners.add(listener);
    return () => this.#hostListeners.delete(listener);
  }

  onDevice(listener: (chunk: Uint8Array) => void): Unsubscribe {
    this.#deviceListeners.add(listener);
    return () => this.#deviceListeners.delete(listener);
  }

  onUnplug(listener: () => void): Unsubscribe {
    this.#unplugListeners.add(listener);
    return () => this.#unplugListeners.delete(listener);
  }

  // ---- host -> devices ------------------------------------------------------------------------

  /** The host's UART sends `bytes`; they reach the devices when their last byte is on the wire. */
  fromHost(bytes: Uint8Array): void {
    if (!this.#plugged || bytes.length === 0) return;
    const now = this.#clock.now();
    const start = Math.max(now, this.#hostFree_ms);
    const end = start + this.#hostTime_ms(bytes.length);
    this.#hostFree_ms = end;
    this.#hostSpans.push({ start, end });
    const copy = bytes.slice();
    if (this.#faults.echo)
      this.#launch({ kind: 'echo', bytes: copy.slice(), start_ms: start, base: 0, next: 0, timer: null, spans: [], byte_ms: this.#hostTime_ms(1) });
    const id = this.#clock.setTimeout(() => {
      this.#pendingHostWrites.delete(id);
      this.#deliverToDevices(copy, start);
    }, end - now);
    this.#pendingHostWrites.add(id);
  }

  #deliverToDevices(bytes: Uint8Array, start: number): void {
    if (!this.#plugged) return;
    const bt = this.#hostTime_ms(1);
    const garble = this.#mismatch;
    const out: number[] = [];
    const f = this.#faults;
    for (let i = 0; i < bytes.length; i++) {
      const a = start + i * bt;
      const b = a + bt;
      // A pack driving the line has its receiver off.
      if (this.duplex === 'half' && this.#deviceBusy(a, b)) continue;
      let v = garble ? this.#rng.int(256) : bytes[i];
      if (this.#noiseAt(a, b)) v ^= 1 + this.#rng.int(255);
      if (f.requestDropRate && this.#rng.chance(f.requestDropRate)) continue;
      if (f.requestFlipRate && this.#rng.chance(f.requestFlipRate)) v ^= 1 << this.#rng.int(8);
      out.push(v);
    }
    if (out.length === 0) return;
    const chunk = Uint8Array.from(out);
    for (const l of this.#deviceListeners) l(chunk);
  }

  #deviceBusy(a: number, b: number): boolean {
    for (const tx of this.#active) if (tx.kind === 'device' && overlaps(tx.spans, a, b)) return true;
    for (const tx of this.#done) if (tx.kind === 'device' && overlaps(tx.spans, a, b)) return true;
    return false;
  }

  #noiseAt(a: number, b: number): boolean {
    if (!this.#noiseKnown) return false;
    for (const tx of this.#active) if (tx.kind === 'noise' && overlaps(tx.spans, a, b)) return true;
    for (const tx of this.#done) if (tx.kind === 'noise' && overlaps(tx.spans, a, b)) return true;
    return false;
  }

  // ---- devices -> host ------------------------------------------------------------------------

  /**
   * A pack transmits `bytes`, starting `delay_ms` from now (its turnaround) or when the line is
   * free of its earlier replies. Returns the clock time its last byte will be on the wire.
   */
  toHost(bytes: Uint8Array, delay_ms: number): number {
    const now = this.#clock.now();
    if (!this.#plugged || bytes.length === 0) return now;
    const start = Math.max(now + delay_ms, this.#deviceFree_ms, this.#stallUntil_ms);
    const end = start + this.time_ms(bytes.length);
    this.#deviceFree_ms = end;
    this.#launch({ kind: 'device', bytes: bytes.slice(), start_ms: start, base: 0, next: 0, timer: null, spans: [], byte_ms: this.byteTime_ms });
    return end;
  }

  /** Random bytes on the line for `duration_ms` (a motor starting, a bad ground). */
  noise(duration_ms: number): void {
    if (!this.#plugged) return;
    const n = Math.max(1, Math.floor(duration_ms / this.byteTime_ms));
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = this.#rng.int(256);
    this.#launch({ kind: 'noise', bytes, start_ms: this.#clock.now(), base: 0, next: 0, timer: null, spans: [], byte_ms: this.byteTime_ms });
  }

  /**
   * Freeze the device side for `duration_ms`: a reply in flight pauses mid-stream and resumes
   * afterwards; a reply not yet started starts that much later.
   */
  stall(duration_ms: number): void {
    const now = this.#clock.now();
    this.#stallUntil_ms = Math.max(this.#stallUntil_ms, now + duration_ms);
    for (const tx of this.#active) {
      if (tx.kind !== 'device') continue;
      const bt = tx.byte_ms;
      // The byte on the wire now finishes; everything after it moves by the stall.
      const firstStart = tx.start_ms + (tx.next - tx.base) * bt;
      let resumeIdx: number;
      if (firstStart >= now) resumeIdx = tx.next;
      else resumeIdx = Math.min(tx.bytes.length, tx.base + Math.ceil((now - tx.start_ms) / bt - EPS));
      if (resumeIdx >= tx.bytes.length) continue;
      const resumeAt = tx.start_ms + (resumeIdx - tx.base) * bt;
      const last = tx.spans[tx.spans.length - 1];
      last.end = resumeAt;
      if (last.end <= last.start) tx.spans.pop();
      tx.start_ms = resumeAt + duration_ms;
      tx.base = resumeIdx;
      tx.spans.push({ start: tx.start_ms, end: tx.start_ms + (tx.bytes.length - resumeIdx) * bt });
      if (tx.timer !== null) this.#clock.clearTimeout(tx.timer);
      tx.timer = null;
      this.#schedule(tx);
    }
    this.#deviceFree_ms = Math.max(this.#deviceFree_ms + duration_ms, this.#stallUntil_ms);
  }

  /**
   * Cut every pack's transmission where it is: the byte on the wire now is the last one the host
   * gets (a bank that loses power or whose master's port dies mid-reply). Returns how many bytes
   * of replies were cut off.
   */
  cutDeviceOutput(): number {
    const now = this.#clock.now();
    let cut = 0;
    for (const tx of this.#active) {
      if (tx.kind !== 'device') continue;
      const bt = tx.byte_ms;
      // Bytes whose last bit is on the wire by now still arrive; the rest never leave.
      const sent = Math.max(tx.next, Math.min(tx.bytes.length, tx.base + Math.floor((now - tx.start_ms) / bt + EPS)));
      cut += tx.bytes.length - sent;
      tx.bytes = tx.bytes.slice(0, sent);
      const last = tx.spans[tx.spans.length - 1];
      last.end = Math.min(last.end, tx.start_ms + (sent - tx.base) * bt);
      if (tx.timer !== null) this.#clock.clearTimeout(tx.timer);
      tx.timer = null;
      if (tx.next < sent) this.#schedule(tx);
      else {
        this.#active = this.#active.filter((t) => t !== tx);
        this.#done.push(tx);
      }
    }
    this.#deviceFree_ms = Math.min(this.#deviceFree_ms, now);
    return cut;
  }

  /** Pull the cable, now or after `afterBytes` more bytes have reached the host (mid-frame). */
  unplug(afterBytes?: number): void {
    if (!this.#plugged) return;
    if (afterBytes !== undefined && afterBytes > 0) {
      this.#cutAfter = afterBytes;
      return;
    }
    this.#cut();
  }

  replug(): void {
    if (this.#plugged) return;
    this.#plugged = true;
    const now = this.#clock.now();
    this.#hostFree_ms = now;
    this.#deviceFree_ms = now;
  }

  #cut(): void {
    this.#plugged = false;
    this.#cutAfter = null;
    for (const tx of this.#active) if (tx.timer !== null) this.#clock.clearTimeout(tx.timer);
    this.#active = [];
    for (const id of this.#pendingHostWrites) this.#clock.clearTimeout(id);
    this.#pendingHostWrites.clear();
    for (const l of this.#unplugListeners) l();
  }

  #launch(tx: Tx): void {
    if (tx.kind === 'noise') this.#noiseKnown = true;
    tx.spans.push({ start: tx.start_ms, end: tx.start_ms + tx.bytes.length * tx.byte_ms });
    this.#active.push(tx);
    this.#schedule(tx);
  }

  #schedule(tx: Tx): void {
    const chunk = Math.max(1, Math.round(this.#chunk_ms / tx.byte_ms));
    const endIdx = Math.min(tx.bytes.length, tx.next + chunk);
    const at = tx.start_ms + (endIdx - tx.base) * tx.byte_ms;
    tx.timer = this.#clock.setTimeout(() => this.#fire(tx, endIdx), Math.max(0, at - this.#clock.now()));
  }

  #fire(tx: Tx, endIdx: number): void {
    tx.timer = null;
    const bt = tx.byte_ms;
    const garble = tx.kind === 'device' && this.#mismatch;
    const out: number[] = [];
    const f = this.#faults;
    for (let i = tx.next; i < endIdx; i++) {
      const a = tx.start_ms + (i - tx.base) * bt;
      const b = a + bt;
      let v = garble ? this.#rng.int(256) : tx.bytes[i];
      if (tx.kind === 'device') {
        if (this.duplex === 'half' && overlaps(this.#hostSpans, a, b)) continue;
        if (this.#noiseAt(a, b)) v ^= 1 + this.#rng.int(255);
        if (f.dropRate && this.#rng.chance(f.dropRate)) continue;
        if (f.flipRate && this.#rng.chance(f.flipRate)) v ^= 1 << this.#rng.int(8);
      } else if (tx.kind === 'noise') {
        // Where a pack is talking, the host hears its (corrupted) byte instead; while the host
        // itself transmits on a half-duplex adapter, it hears nothing.
        if (this.#deviceBusy(a, b)) continue;
        if (this.duplex === 'half' && overlaps(this.#hostSpans, a, b)) continue;
      }
      out.push(v);
    }
    tx.next = endIdx;
    if (tx.next >= tx.bytes.length) {
      this.#active = this.#active.filter((t) => t !== tx);
      if (tx.kind !== 'echo') this.#done.push(tx);
      this.#prune();
    } else {
      this.#schedule(tx);
    }
    this.#emitToHost(out);
  }

  #emitToHost(out: number[]): void {
    if (out.length === 0 || !this.#plugged) return;
    let chunk = Uint8Array.from(out);
    let cutNow = false;
    if (this.#cutAfter !== null) {
      if (chunk.length >= this.#cutAfter) {
        chunk = chunk.subarray(0, this.#cutAfter);
        cutNow = true;
      } else {
        this.#cutAfter -= chunk.length;
      }
    }
    if (chunk.length > 0) for (const l of this.#hostListeners) l(chunk);
    if (cutNow) this.#cut();
  }

  #prune(): void {
    const horizon = this.#clock.now() - SPAN_MEMORY_ms;
    this.#done = this.#done.filter((tx) => tx.spans.some((s) => s.end > horizon));
    this.#hostSpans = this.#hostSpans.filter((s) => s.end > horizon);
    this.#noiseKnown = this.#active.some((t) => t.kind === 'noise') || this.#done.some((t) => t.kind === 'noise');
  }
}

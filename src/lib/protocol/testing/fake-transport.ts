// A scripted Transport for client tests: the test decides what comes back for each request, and
// the fake paces it like a wire (bits per byte at the baud rate) on the given Clock. It also
// watches the half-duplex rule: a write that starts while a reply is still on the line is
// counted as a collision, which a real RS485 bus would turn into garbage.

import type { Clock } from '../../time/clock';
import type { LinkTiming, Transport, TransportInfo, TransportStatus, Unsubscribe } from '../../transport/types';
import { TransportError } from '../../transport/types';
import { asciiBytes, printableAscii } from '../hex';
import { wireTime_ms } from '../timing';

export interface FakeReply {
  /** Bytes or wire text ('~...\r') to send back. */
  bytes: Uint8Array | string;
  /** Pause before the first byte, after the request (or the previous reply) ended. Default: the fake's turnaround. */
  delay_ms?: number;
  /** Chunk sizes to deliver the bytes in; the rest goes in `chunkBytes` pieces. */
  chunks?: number[];
}

export interface FakeRequestContext {
  /** Clock time the write started. */
  t_ms: number;
  /** 0-based count of writes so far. */
  index: number;
  text: string;
}

/** Decide the replies to one request; return nothing for silence. */
export type FakeResponder = (request: Uint8Array, ctx: FakeRequestContext) => FakeReply | FakeReply[] | null | undefined | void;

export interface FakeTransportOptions {
  clock: Clock;
  /** Default 9600. */
  baud?: number;
  /** Default 10 (8N1). */
  bitsPerByte?: number;
  /** Reported LinkTiming.latency_ms (the fake itself adds none). Default: absent. */
  latency_ms?: number;
  /** Reply delay after a request (ms). Default 20. */
  turnaround_ms?: number;
  /** Bytes per delivered chunk. Default 16. */
  chunkBytes?: number;
  /** Start in this state. Default 'open'. */
  state?: TransportStatus['state'];
}

export interface FakeWrite {
  t_ms: number;
  bytes: Uint8Array;
  text: string;
}

export class FakeTransport implements Transport {
  readonly info: TransportInfo = { kind: 'sim', label: 'Scripted fake' };
  readonly timing: LinkTiming;
  readonly writes: FakeWrite[] = [];
  /** Writes that started while the line still carried a request or a reply. */
  collisions = 0;
  responder: FakeResponder | null = null;
  turnaround_ms: number;

  #status: TransportStatus;
  readonly #clock: Clock;
  readonly #chunkBytes: number;
  readonly #dataListeners = new Set<(chunk: Uint8Array) => void>();
  readonly #statusListeners = new Set<(status: TransportStatus) => void>();
  readonly #timers = new Set<number>();
  #lineBusyUntil_ms = -Infinity;

  constructor(options: FakeTransportOptions) {
    this.#clock = options.clock;
    this.timing = { baud: options.baud ?? 9600, bitsPerByte: options.bitsPerByte ?? 10 };
    if (options.latency_ms !== undefined) this.timing.latency_ms = options.latency_ms;
    this.turnaround_ms = options.turnaround_ms ?? 20;
    this.#chunkBytes = options.chunkBytes ?? 16;
    this.#status = { state: options.state ?? 'open' };
  }

  get status(): TransportStatus {
    return this.#status;
  }

  /** Clock time until which the line is carrying bytes. */
  get lineBusyUntil_ms(): number {
    return this.#lineBusyUntil_ms;
  }

  async open(): Promise<void> {
    this.setStatus({ state: 'open' });
  }

  async close(): Promise<void> {
    this.#cancelDeliveries();
    this.setStatus({ state: 'closed', reason: 'user' });
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#status.state !== 'open') throw new TransportError('not-open', 'The fake transport is not open.');
    const t_ms = this.#clock.now();
    if (t_ms < this.#lineBusyUntil_ms) this.collisions++;
    const copy = bytes.slice();
    const text = printableAscii(copy);
    const index = this.writes.length;
    this.writes.push({ t_ms, bytes: copy, text });
    let cursor = Math.max(this.#lineBusyUntil_ms, t_ms + wireTime_ms(copy.length, this.timing));
    this.#lineBusyUntil_ms = cursor;
    const answer = this.responder?.(copy, { t_ms, index, text });
    if (!answer) return;
    for (const reply of Array.isArray(answer) ? answer : [answer]) {
      const data = typeof reply.bytes === 'string' ? asciiBytes(reply.bytes) : reply.bytes;
      cursor = this.#schedule(data, cursor + (reply.delay_ms ?? this.turnaround_ms), reply.chunks ?? []);
    }
    this.#lineBusyUntil_ms = Math.max(this.#lineBusyUntil_ms, cursor);
  }

  /** Put bytes on the line now (or after `delay_ms`), paced at the baud rate: unsolicited traffic. */
  emit(bytes: Uint8Array | string, delay_ms = 0, chunks: number[] = []): void {
    const data = typeof bytes === 'string' ? asciiBytes(bytes) : bytes;
    const end = this.#schedule(data, this.#clock.now() + delay_ms, chunks);
    this.#lineBusyUntil_ms = Math.max(this.#lineBusyUntil_ms, end);
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    this.#dataListeners.add(listener);
    return () => this.#dataListeners.delete(listener);
  }

  onStatus(listener: (status: TransportStatus) => void): Unsubscribe {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Change state as a real transport would (e.g. 'lost' when the cable is pulled). */
  setStatus(status: TransportStatus): void {
    if (status.state === this.#status.state && status.reason === this.#status.reason) return;
    if (status.state !== 'open') this.#cancelDeliveries();
    this.#status = status;
    for (const l of [...this.#statusListeners]) l(status);
  }

  /** Deliver `data` starting at absolute time `start_ms`; returns when its last byte lands. */
  #schedule(data: Uint8Array, start_ms: number, chunks: number[]): number {
    let offset = 0;
    let i = 0;
    while (offset < data.length) {
      const size = Math.min(data.length - offset, chunks[i++] ?? this.#chunkBytes);
      const piece = data.slice(offset, offset + size);
      offset += size;
      const at = start_ms + wireTime_ms(offset, this.timing);
      const id = this.#clock.setTimeout(() => {
        this.#timers.delete(id);
        if (this.#status.state !== 'open') return;
        for (const l of [...this.#dataListeners]) l(piece);
      }, at - this.#clock.now());
      this.#timers.add(id);
    }
    return start_ms + wireTime_ms(data.length, this.timing);
  }

  #cancelDeliveries(): void {
    for (const id of this.#timers) this.#clock.clearTimeout(id);
    this.#timers.clear();
    this.#lineBusyUntil_ms = Math.min(this.#lineBusyUntil_ms, this.#clock.now());
  }
}

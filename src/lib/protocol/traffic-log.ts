// The client's record of what went over the line: every request sent, every frame (or garbage)
// received, every failure, with clock times. The debug console and the diagnose report read it;
// a bounded ring so a day of polling does not grow without end.

import type { Frame, ReaderEvent } from './frame';
import { printableAscii } from './hex';
import type { Unsubscribe } from '../transport/types';

export interface TrafficEntry {
  /** Clock time (ms). */
  t_ms: number;
  dir: 'tx' | 'rx' | 'error';
  bytes: Uint8Array;
  /** Printable wire text (CR as \r). */
  text: string;
  frame?: Frame;
  /** What went wrong (dir 'error'). */
  error?: string;
}

const EMPTY = new Uint8Array(0);

export class TrafficLog {
  readonly #capacity: number;
  readonly #entries: TrafficEntry[] = [];
  #head = 0;
  readonly #listeners = new Set<(entry: TrafficEntry) => void>();

  /** `capacity`: entries kept for recent(), an integer >= 1. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`trafficCapacity must be an integer >= 1, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** Bytes we put on the line. */
  tx(t_ms: number, bytes: Uint8Array, frame?: Frame): void {
    this.add({ t_ms, dir: 'tx', bytes, text: printableAscii(bytes), ...(frame ? { frame } : {}) });
  }

  /** A failure with no bytes of its own ("No reply to … within 325 ms. Retrying."). */
  error(t_ms: number, message: string): void {
    this.add({ t_ms, dir: 'error', bytes: EMPTY, text: '', error: message });
  }

  /** What the frame reader made of received bytes: a frame, or garbage / a bad frame with why. */
  received(t_ms: number, ev: ReaderEvent, prefix = ''): void {
    if (ev.type === 'frame') this.add({ t_ms, dir: 'rx', bytes: ev.raw, text: printableAscii(ev.raw), frame: ev.frame });
    else this.add({ t_ms, dir: 'error', bytes: ev.raw, text: printableAscii(ev.raw), error: `${prefix}${ev.kind}: ${ev.message}` });
  }

  add(entry: TrafficEntry): void {
    if (this.#entries.length < this.#capacity) {
      this.#entries.push(entry);
    } else {
      this.#entries[this.#head] = entry;
      this.#head = (this.#head + 1) % this.#capacity;
    }
    for (const l of [...this.#listeners]) l(entry);
  }

  /** The last `capacity` entries, oldest first. */
  recent(): TrafficEntry[] {
    if (this.#entries.length < this.#capacity) return this.#entries.slice();
    return [...this.#entries.slice(this.#head), ...this.#entries.slice(0, this.#head)];
  }

  /** Entries as they happen. */
  onEntry(listener: (entry: TrafficEntry) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

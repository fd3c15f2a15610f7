// Byte-at-a-time reading over a chunked link. A transfer protocol like YMODEM waits for single
// bytes (ACK, NAK, 'C', CAN) with deadlines, while transports deliver chunks through a callback:
// ByteQueue sits between the two. Reads wait on a promise the next push resolves, never a polling
// loop, and deadlines come from the injected Clock.

import type { Clock, TimerId } from '../time/clock';
import type { Transport, Unsubscribe } from '../transport/types';

/** What a transfer protocol needs from a link. */
export interface ByteIo {
  write(bytes: Uint8Array): Promise<void>;
  /**
   * The next received byte, or null when none arrives within `timeout_ms`. Rejects with the
   * signal's reason when `signal` aborts first.
   */
  read(timeout_ms: number, signal?: AbortSignal): Promise<number | null>;
  /** Forget everything received so far (stale replies, noise, our own echo). */
  discardInput(): void;
}

interface Waiter {
  resolve(value: number | null): void;
  reject(reason: unknown): void;
  timer: TimerId;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Received bytes in order; one reader at a time. */
export class ByteQueue {
  readonly #clock: Clock;
  #chunks: Uint8Array[] = [];
  /** Index of the first unread chunk and offset into it: consumed chunks are dropped lazily. */
  #head = 0;
  #offset = 0;
  #length = 0;
  #waiter: Waiter | null = null;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Bytes buffered and not yet read. */
  get length(): number {
    return this.#length;
  }

  /** Add received bytes. The chunk is copied: transports may reuse their buffers. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk.slice());
    this.#length += chunk.length;
    const waiter = this.#waiter;
    if (waiter) {
      this.#settle(waiter);
      waiter.resolve(this.#take());
    }
  }

  read(timeout_ms: number, signal?: AbortSignal): Promise<number | null> {
    if (this.#waiter) return Promise.reject(new Error('ByteQueue.read: another read is still waiting'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#length > 0) return Promise.resolve(this.#take());
    return new Promise<number | null>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        timer: this.#clock.setTimeout(() => {
          this.#settle(waiter);
          resolve(null);
        }, timeout_ms)
      };
      if (signal) {
        waiter.onAbort = () => {
          this.#settle(waiter);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiter = waiter;
    });
  }

  /** Drop everything buffered. A pending read keeps waiting for new bytes. */
  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#offset = 0;
    this.#length = 0;
  }

  #settle(waiter: Waiter): void {
    this.#clock.clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    if (this.#waiter === waiter) this.#waiter = null;
  }

  #take(): number {
    const chunk = this.#chunks[this.#head];
    const byte = chunk[this.#offset++];
    this.#length--;
    if (this.#offset === chunk.length) {
      this.#head++;
      this.#offset = 0;
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
      } else if (this.#head >= 64) {
        this.#chunks = this.#chunks.slice(this.#head);
        this.#head = 0;
      }
    }
    return byte;
  }
}

/** A ByteIo over a Transport: subscribes to its data until `close()`. */
export function transportByteIo(transport: Transport, clock: Clock): ByteIo & { close(): void } {
  const queue = new ByteQueue(clock);
  const unsubscribe: Unsubscribe = transport.onData((chunk) => queue.push(chunk));
  return {
    write: (bytes) => transport.write(bytes),
    read: (timeout_ms, signal) => queue.read(timeout_ms, signal),
    discardInput: () => queue.clear(),
    close: unsubscribe
  };
}

/** The part of the client's bus lease (protocol/client.ts BusLease) a transfer needs. */
export interface RawBus {
  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
}

/**
 * A ByteIo over the client's exclusive lease: what the bootloader sends arrives through the lease,
 * what we send is logged by the client as TX. Subscribe only after the last framed exchange is
 * over, so no reply frame's bytes (hex digits include 'C') reach the transfer.
 */
export function leaseByteIo(bus: RawBus, clock: Clock): ByteIo & { close(): void } {
  const queue = new ByteQueue(clock);
  const unsubscribe = bus.onData((chunk) => queue.push(chunk));
  return {
    write: (bytes) => bus.write(bytes),
    read: (timeout_ms, signal) => queue.read(timeout_ms, signal),
    discardInput: () => queue.clear(),
    close: unsubscribe
  };
}

// One request on the bus at a time (design.md): every exchange waits its turn here. Interactive
// work (a page's read, a write, the debug console) goes ahead of queued polling; exclusive work
// holds the bus for a whole sequence (the lease: write and read back, a firmware transfer), and
// the poller hears about it so it can say why it is paused.

import { ProtocolError } from './errors';
import type { Unsubscribe } from '../transport/types';

export type RequestPriority = 'normal' | 'interactive';

/** Which request a queue failure belongs to, for the error's details. */
export interface QueueDetails {
  cid2?: number;
  adr?: number;
}

interface Entry {
  priority: RequestPriority;
  start(): void;
  cancel(error: ProtocolError): void;
}

export function abortedError(details: QueueDetails = {}): ProtocolError {
  return new ProtocolError('aborted', 'The request was cancelled.', details);
}

export class BusQueue {
  readonly #queue: Entry[] = [];
  #running = false;
  #exclusive = false;
  #disposed = false;
  readonly #exclusiveListeners = new Set<(active: boolean) => void>();

  /** Work waiting for the bus (not counting the one running). */
  get waiting(): number {
    return this.#queue.length;
  }

  /** True while exclusive work holds the bus. */
  get exclusiveActive(): boolean {
    return this.#exclusive;
  }

  /**
   * Run `work` when the bus is free. A signal aborted while it waits removes it from the queue
   * (rejecting with kind 'aborted'); once started, `work` itself must honour the signal.
   */
  run<T>(work: () => Promise<T>, priority: RequestPriority, signal: AbortSignal | undefined, details: QueueDetails): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#disposed) {
        reject(new ProtocolError('transport', 'The client is closed.', details));
        return;
      }
      if (signal?.aborted) {
        reject(abortedError(details));
        return;
      }
      const onAbort = () => {
        const i = this.#queue.indexOf(entry);
        if (i >= 0) {
          this.#queue.splice(i, 1);
          reject(abortedError(details));
        }
      };
      const entry: Entry = {
        priority,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          work()
            .then(resolve, reject)
            .finally(() => {
              this.#running = false;
              this.#pump();
            });
        },
        cancel: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (priority === 'interactive') {
        // Ahead of polling, behind other interactive work, so two dialogs keep their order.
        let i = 0;
        while (i < this.#queue.length && this.#queue[i].priority === 'interactive') i++;
        this.#queue.splice(i, 0, entry);
      } else {
        this.#queue.push(entry);
      }
      this.#pump();
    });
  }

  /** Run `work` with the bus held for its whole duration; listeners hear it start and end. */
  exclusive<T>(work: () => Promise<T>, priority: RequestPriority, signal: AbortSignal | undefined): Promise<T> {
    return this.run(
      async () => {
        this.#setExclusive(true);
        try {
          return await work();
        } finally {
          this.#setExclusive(false);
        }
      },
      priority,
      signal,
      {}
    );
  }

  /** Exclusive work starts (true) or ends (false). */
  onExclusive(listener: (active: boolean) => void): Unsubscribe {
    this.#exclusiveListeners.add(listener);
    return () => this.#exclusiveListeners.delete(listener);
  }

  /** Fail everything still waiting; later run() calls reject at once. */
  dispose(error: ProtocolError): void {
    this.#disposed = true;
    for (const e of this.#queue.splice(0)) e.cancel(error);
  }

  #pump(): void {
    if (this.#running) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#running = true;
    next.start();
  }

  #setExclusive(active: boolean): void {
    this.#exclusive = active;
    for (const l of [...this.#exclusiveListeners]) l(active);
  }
}

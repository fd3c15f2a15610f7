// The two outward event streams every transport has: received bytes, and status changes that are
// de-duplicated. Shared so serial and Bluetooth (and anything else) behave identically.

import type { TransportStatus, Unsubscribe } from './types';

/** A listener that throws must not stop delivery to others or kill a read loop: report it like a DOM event handler would. */
function reportListenerError(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}

export class Listeners<T> {
  readonly #set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): Unsubscribe {
    // Wrap so the same function added twice is two subscriptions, each removable on its own.
    const entry = (value: T) => listener(value);
    this.#set.add(entry);
    return () => {
      this.#set.delete(entry);
    };
  }

  emit(value: T): void {
    for (const l of [...this.#set]) {
      try {
        l(value);
      } catch (err) {
        reportListenerError(err);
      }
    }
  }

  get size(): number {
    return this.#set.size;
  }
}

function sameStatus(a: TransportStatus, b: TransportStatus): boolean {
  return a.state === b.state && a.reason === b.reason && a.message === b.message && (a.reconnecting ?? false) === (b.reconnecting ?? false);
}

/** The current status plus its listeners; setting an identical status is a no-op. */
export class StatusCell {
  #current: TransportStatus;
  readonly #listeners = new Listeners<TransportStatus>();

  constructor(initial: TransportStatus = { state: 'closed' }) {
    this.#current = Object.freeze({ ...initial });
  }

  get current(): TransportStatus {
    return this.#current;
  }

  set(next: TransportStatus): void {
    const clean: TransportStatus = { state: next.state };
    if (next.reason !== undefined) clean.reason = next.reason;
    if (next.message !== undefined) clean.message = next.message;
    if (next.reconnecting) clean.reconnecting = true;
    if (sameStatus(this.#current, clean)) return;
    this.#current = Object.freeze(clean);
    this.#listeners.emit(this.#current);
  }

  subscribe(listener: (status: TransportStatus) => void): Unsubscribe {
    return this.#listeners.add(listener);
  }
}

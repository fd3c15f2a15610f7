// The session's own re-open of a link that was lost and that the transport does not re-open by
// itself (a serial port closed under us, a device that refused): try again after 1 s, 2 s, 5 s,
// 10 s, then every 10 s, until it is open or the person disconnects.

import { backoffDelay_ms, checkSchedule } from '$lib/protocol/backoff';
import type { Clock, TimerId } from '$lib/time/clock';
import type { Transport } from '$lib/transport/types';

export const DEFAULT_REOPEN_BACKOFF_MS: readonly number[] = [1000, 2000, 5000, 10000];

export interface ReopenEvents {
  /** A re-open attempt starts. */
  reopening(): void;
  /** It failed (the next one is scheduled). */
  failed(message: string): void;
}

export class LinkReopener {
  readonly #clock: Clock;
  readonly #backoff_ms: readonly number[];
  readonly #events: ReopenEvents;
  #timer: TimerId | null = null;
  #step = 0;
  #transport: Transport | null = null;

  constructor(clock: Clock, backoff_ms: readonly number[], events: ReopenEvents) {
    this.#clock = clock;
    this.#backoff_ms = checkSchedule('reopenBackoff_ms', backoff_ms);
    this.#events = events;
  }

  /** A try is waiting for its time. */
  get pending(): boolean {
    return this.#timer !== null;
  }

  /** Try `transport` again after the next delay of the back-off (unless a try is already waiting). */
  schedule(transport: Transport): void {
    if (this.#timer !== null) return;
    this.#transport = transport;
    const delay = backoffDelay_ms(this.#backoff_ms, this.#step++);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      void this.#attempt(transport);
    }, delay);
  }

  /** Try now, and start the back-off over. */
  now(transport: Transport): void {
    this.reset();
    void this.#attempt(transport);
  }

  /** The link is back, or the person disconnected: no more tries, and the next loss starts at the first delay. */
  reset(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#step = 0;
    this.#transport = null;
  }

  async #attempt(transport: Transport): Promise<void> {
    this.#transport = transport;
    const state = transport.status.state;
    if (state === 'open' || state === 'opening' || transport.status.reconnecting) return;
    this.#events.reopening();
    try {
      await transport.open();
    } catch (e) {
      // Reset (disconnect) or another transport meanwhile: not ours to report or retry.
      if (this.#transport !== transport) return;
      this.#events.failed(e instanceof Error ? e.message : String(e));
      this.schedule(transport);
    }
  }
}

// When the poller may use the bus: not while pause() holds it, not while the link is down, not
// before its pause between cycles is over (unless refresh() cuts it short), and never again once
// stopped. It also keeps the time the poller was held (pause() or the client's exclusive work),
// so a refresh interval measured across a firmware update does not count the update.

import type { Clock, TimerId } from '../time/clock';
import type { Transport } from '../transport/types';

/** Thrown out of a wait once the poller is stopped. */
export class Stopped extends Error {}

export class PollGate {
  readonly #clock: Clock;
  readonly #transport: Transport;
  #running = false;
  #pauses = 0;
  #waiters: (() => void)[] = [];
  #wake: (() => void) | null = null;
  #refreshRequested = false;
  #holds = 0;
  #heldSince_ms = 0;
  #held_ms = 0;

  constructor(clock: Clock, transport: Transport) {
    this.#clock = clock;
    this.#transport = transport;
  }

  get running(): boolean {
    return this.#running;
  }

  get paused(): boolean {
    return this.#pauses > 0;
  }

  /** Total time (ms) held so far, including a hold still going on. */
  get held_ms(): number {
    return this.#held_ms + (this.#holds > 0 ? this.#clock.now() - this.#heldSince_ms : 0);
  }

  start(): void {
    this.#running = true;
  }

  /** Ends every wait; gate() throws Stopped from now on. */
  stop(): void {
    this.#running = false;
    this.#wake?.();
    this.#release();
  }

  /** One more reason to hold the poller (pause() or exclusive work) starts or ends. */
  hold(on: boolean): void {
    if (on) {
      if (this.#holds++ === 0) this.#heldSince_ms = this.#clock.now();
    } else if (this.#holds > 0 && --this.#holds === 0) {
      this.#held_ms += this.#clock.now() - this.#heldSince_ms;
    }
  }

  /** pause(): no exchange starts until every pause is released. Returns the release. */
  pause(): () => void {
    if (this.#pauses++ === 0) this.hold(true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#pauses > 0) return;
      this.hold(false);
      this.#release();
    };
  }

  /** Resolves when no pause holds the poller; throws Stopped once stopped. */
  async pass(): Promise<void> {
    while (this.#pauses > 0 && this.#running) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    if (!this.#running) throw new Stopped();
  }

  /** Poll now: the pause between cycles ends early, or the next one is skipped. */
  refresh(): void {
    this.#refreshRequested = true;
    this.#wake?.();
  }

  /** The pause between cycles: `ms`, unless refresh() was asked for (then none). */
  async betweenCycles(ms: number): Promise<void> {
    if (this.#refreshRequested) this.#refreshRequested = false;
    else await this.idle(ms);
  }

  /** Sleep on the clock, cut short by refresh(), stop() or a lost link. */
  idle(ms: number): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: TimerId | null = null;
      const done = () => {
        if (timer !== null) this.#clock.clearTimeout(timer);
        timer = null;
        unsubscribe();
        this.#wake = null;
        resolve();
      };
      const unsubscribe = this.#transport.onStatus((s) => {
        if (s.state !== 'open') done();
      });
      this.#wake = () => {
        this.#refreshRequested = false;
        done();
      };
      timer = this.#clock.setTimeout(done, ms);
    });
  }

  /** Resolves once the link is open again (or the poller stops). */
  waitForLink(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        unsubscribe();
        this.#wake = null;
        resolve();
      };
      const unsubscribe = this.#transport.onStatus((s) => {
        if (s.state === 'open') done();
      });
      this.#wake = () => {
        if (!this.#running) done();
      };
      if (this.#transport.status.state === 'open' || !this.#running) done();
    });
  }

  #release(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

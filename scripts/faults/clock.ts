// The virtual clock of a fault scenario, with a watch: before every timer fires, the scenario's
// invariants are checked. Time only moves when a timer fires, and every promise continuation has
// settled before the next one (VirtualClock.run), so what the app shows is constant between two
// timers: checking at the moment time has jumped to the next timer sees the oldest each value
// gets in that interval. That is "continuously" on the virtual clock.

import { VirtualClock, type TimerId } from '../../src/lib/time/clock';

export class WatchedClock extends VirtualClock {
  #watchers: (() => void)[] = [];

  /** Run `check` before every timer from now on. */
  watch(check: () => void): () => void {
    this.#watchers.push(check);
    return () => {
      this.#watchers = this.#watchers.filter((w) => w !== check);
    };
  }

  override setTimeout(fn: () => void, ms: number): TimerId {
    return super.setTimeout(() => {
      for (const w of this.#watchers) w();
      fn();
    }, ms);
  }
}

// A latch with delays on both edges: it sets once its set-condition has held for `setDelay_ms` and
// clears once its clear-condition has held for `clearDelay_ms`. Every BMS protection is one of
// these (protect threshold + delay, release threshold + delay), which gives the hysteresis.

export class DelayedLatch {
  #active = false;
  #since: number | null = null;

  get active(): boolean {
    return this.#active;
  }

  /** Set or clear immediately (power-on, reboot, forced release). */
  force(active: boolean): void {
    this.#active = active;
    this.#since = null;
  }

  update(now_ms: number, setCondition: boolean, clearCondition: boolean, setDelay_ms: number, clearDelay_ms: number): boolean {
    const want = this.#active ? clearCondition : setCondition;
    if (!want) {
      this.#since = null;
      return this.#active;
    }
    if (this.#since === null) this.#since = now_ms;
    const delay = this.#active ? clearDelay_ms : setDelay_ms;
    if (now_ms - this.#since >= delay) {
      this.#active = !this.#active;
      this.#since = null;
    }
    return this.#active;
  }
}

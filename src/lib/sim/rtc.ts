// The pack's real-time clock (B1H / B2H, history time stamps): an offset on the bank's simulated
// time line, so it runs on virtual time in tests, follows a demo's time scale, and can be set
// over the wire.

/** Anything with a time line in ms (the bank's simulated time). */
export interface TimeSource {
  now(): number;
}

export class Rtc {
  readonly #clock: TimeSource;
  #offset_ms: number;

  /** `start_ms`: calendar time (Unix epoch ms, UTC) the clock shows at clock time now. */
  constructor(clock: TimeSource, start_ms: number) {
    this.#clock = clock;
    this.#offset_ms = start_ms - clock.now();
  }

  /** Calendar time now, Unix epoch ms (the pack has no time zone; we read it as UTC). */
  now_ms(): number {
    return Math.floor(this.#clock.now() + this.#offset_ms);
  }

  set(epoch_ms: number): void {
    this.#offset_ms = epoch_ms - this.#clock.now();
  }
}

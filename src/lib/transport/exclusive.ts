// Run async jobs one after another. Opening, closing, re-baud and automatic reconnects all touch
// the same port; letting them interleave is how ports end up half-open.

export class Exclusive {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(job, job);
    // The chain must survive a failed job; the caller still sees the failure through `result`.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

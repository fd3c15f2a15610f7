// Seeded pseudo-random numbers. The simulator must give the same bytes for the same seed, so
// nothing in sim/ calls Math.random(); every consumer takes its own forked stream, so turning on
// one source of randomness (say fault injection) does not shift the numbers another one sees.

/** 32-bit string hash (FNV-1a followed by a murmur-style finaliser). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32: small, fast, and passes PractRand far beyond what a simulator needs. */
export class Rng {
  readonly seed: string;
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spareNormal: number | null = null;

  constructor(seed: number | string) {
    this.seed = String(seed);
    this.#a = hash32(this.seed + '#a');
    this.#b = hash32(this.seed + '#b');
    this.#c = hash32(this.seed + '#c');
    this.#d = 1;
    // Discard the first outputs: sfc32 mixes its state slowly right after seeding.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** Normal deviate (Box–Muller, polar form). */
  normal(mean = 0, sd = 1): number {
    if (this.#spareNormal !== null) {
      const z = this.#spareNormal;
      this.#spareNormal = null;
      return mean + sd * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spareNormal = v * f;
    return mean + sd * u * f;
  }

  /** An independent stream named `label`, fixed by this generator's seed (not its position). */
  fork(label: string): Rng {
    return new Rng(`${this.seed}/${label}`);
  }
}

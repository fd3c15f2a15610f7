// Big-endian byte reading and writing for INFO payloads. Reads past the end throw DecodeError so
// a short INFO becomes a typed "this is not that reply" instead of NaN values.

import { DecodeError } from '../command';

export class ByteReader {
  readonly bytes: Uint8Array;
  #pos: number;
  readonly #end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.#pos = start;
    this.#end = end;
  }

  get pos(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  #need(n: number, what: string): number {
    if (this.#pos + n > this.#end) {
      throw new DecodeError(`INFO ends at byte ${this.#end} while reading ${what} (${n} byte${n === 1 ? '' : 's'} at ${this.#pos})`);
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  u8(what = 'a byte'): number {
    return this.bytes[this.#need(1, what)];
  }

  u16(what = 'a u16'): number {
    const at = this.#need(2, what);
    return (this.bytes[at] << 8) | this.bytes[at + 1];
  }

  s16(what = 'an s16'): number {
    const v = this.u16(what);
    return v >= 0x8000 ? v - 0x10000 : v;
  }

  u24(what = 'a u24'): number {
    const at = this.#need(3, what);
    return (this.bytes[at] << 16) | (this.bytes[at + 1] << 8) | this.bytes[at + 2];
  }

  u32(what = 'a u32'): number {
    const at = this.#need(4, what);
    return ((this.bytes[at] << 24) >>> 0) + (this.bytes[at + 1] << 16) + (this.bytes[at + 2] << 8) + this.bytes[at + 3];
  }

  take(n: number, what = 'bytes'): Uint8Array {
    const at = this.#need(n, what);
    return this.bytes.slice(at, at + n);
  }

  /** Everything left, consumed. */
  rest(): Uint8Array {
    return this.take(this.remaining);
  }
}

export class ByteWriter {
  #buf = new Uint8Array(64);
  #len = 0;

  #grow(n: number): number {
    const need = this.#len + n;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    const at = this.#len;
    this.#len = need;
    return at;
  }

  u8(v: number, what = 'byte'): this {
    checkRange(v, 0, 0xff, what);
    this.#buf[this.#grow(1)] = v;
    return this;
  }

  u16(v: number, what = 'u16'): this {
    checkRange(v, 0, 0xffff, what);
    const at = this.#grow(2);
    this.#buf[at] = v >> 8;
    this.#buf[at + 1] = v & 0xff;
    return this;
  }

  s16(v: number, what = 's16'): this {
    checkRange(v, -0x8000, 0x7fff, what);
    return this.u16(v & 0xffff, what);
  }

  u24(v: number, what = 'u24'): this {
    checkRange(v, 0, 0xffffff, what);
    const at = this.#grow(3);
    this.#buf[at] = (v >> 16) & 0xff;
    this.#buf[at + 1] = (v >> 8) & 0xff;
    this.#buf[at + 2] = v & 0xff;
    return this;
  }

  u32(v: number, what = 'u32'): this {
    checkRange(v, 0, 0xffffffff, what);
    const at = this.#grow(4);
    this.#buf[at] = Math.floor(v / 0x1000000) & 0xff;
    this.#buf[at + 1] = (v >> 16) & 0xff;
    this.#buf[at + 2] = (v >> 8) & 0xff;
    this.#buf[at + 3] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array | readonly number[]): this {
    const at = this.#grow(b.length);
    for (let i = 0; i < b.length; i++) this.#buf[at + i] = b[i] & 0xff;
    return this;
  }

  zeros(n: number): this {
    const at = this.#grow(n);
    this.#buf.fill(0, at, at + n);
    return this;
  }

  get length(): number {
    return this.#len;
  }

  toBytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function checkRange(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${what} = ${v} does not fit the field (${min}..${max})`);
  }
}

/** Round to a fixed number of decimals without binary noise (48.19, not 48.190000000000005). */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

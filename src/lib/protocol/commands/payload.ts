// Shared building blocks for the settings/control codecs: big-endian INFO readers and writers,
// range checks that speak in the typed value's units, and the two command shapes almost every
// setting uses (a read with empty request INFO, a write answered by an empty INFO).

import { DecodeError, type Command, type CommandKind, type DecodeContext } from '../command';
import { bytesToHex, hex2 } from '../hex';
import type { DecodeOptions } from '../types';

/** The allowed values of one numeric field of a typed request, in the field's own unit. */
export interface FieldSpec {
  /** Property name in the typed value, e.g. "alarm_mV". */
  readonly field: string;
  /** What the vendor tool calls it, e.g. "Cell OV alarm". */
  readonly label: string;
  /** Unit of the typed value, e.g. "mV", "ms", "°C". */
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  /** Resolution the wire can carry (one count of the raw value, in `unit`). */
  readonly step: number;
  /** Increment the vendor tool offers in its spinners; a UI hint, not enforced. */
  readonly vendorStep?: number;
}

/** Values closer than this to a step multiple count as on the step (floating point noise). */
const STEP_EPSILON = 1e-6;

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}

/**
 * Throw a RangeError naming the field, the value, the allowed range and the unit when `value`
 * cannot be written. Also rejects values between two representable steps, so nothing is
 * silently rounded on its way to the pack.
 */
export function checkField(value: number, spec: FieldSpec): void {
  const where = `${spec.label} (${spec.field})`;
  const range = `${formatNumber(spec.min)}..${formatNumber(spec.max)} ${spec.unit}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${where} must be a number in ${range}, got ${String(value)}`);
  }
  if (value < spec.min || value > spec.max) {
    throw new RangeError(`${where} = ${formatNumber(value)} ${spec.unit} is outside the allowed range ${range}`);
  }
  // Relative to zero, not to min: the wire carries value / step as an integer count.
  const steps = value / spec.step;
  if (Math.abs(steps - Math.round(steps)) > STEP_EPSILON) {
    throw new RangeError(
      `${where} = ${formatNumber(value)} ${spec.unit} is not a multiple of ${formatNumber(spec.step)} ${spec.unit} (allowed range ${range})`
    );
  }
}

/** Same as checkField for a value that must be one of a fixed set. */
export function checkOneOf<T extends number | string>(value: T, allowed: readonly T[], field: string, label: string, unit = ''): void {
  if (!allowed.includes(value)) {
    const u = unit ? ` ${unit}` : '';
    throw new RangeError(`${label} (${field}) = ${String(value)}${u} is not one of the allowed values ${allowed.join(', ')}${u}`);
  }
}

/** Sequential big-endian reader over a reply or request INFO. Throws DecodeError when short. */
export class InfoReader {
  #pos = 0;
  constructor(
    readonly info: Uint8Array,
    /** What is being decoded, for error messages ("D1H cell over-voltage reply"). */
    readonly what: string
  ) {}

  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.info.length - this.#pos;
  }

  #need(n: number, field: string): void {
    if (this.#pos + n > this.info.length) {
      throw new DecodeError(
        `${this.what}: INFO ends at byte ${this.info.length} but ${field} needs bytes ${this.#pos}..${this.#pos + n - 1} (INFO ${bytesToHex(this.info)})`
      );
    }
  }

  u8(field: string): number {
    this.#need(1, field);
    return this.info[this.#pos++];
  }

  u16(field: string): number {
    this.#need(2, field);
    const v = (this.info[this.#pos] << 8) | this.info[this.#pos + 1];
    this.#pos += 2;
    return v;
  }

  s16(field: string): number {
    const v = this.u16(field);
    return v >= 0x8000 ? v - 0x10000 : v;
  }

  u32(field: string): number {
    const hi = this.u16(field);
    const lo = this.u16(field);
    return hi * 0x10000 + lo;
  }

  bytes(n: number, field: string): Uint8Array {
    this.#need(n, field);
    const out = this.info.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** Everything not read yet. */
  rest(): Uint8Array {
    const out = this.info.slice(this.#pos);
    this.#pos = this.info.length;
    return out;
  }

  /** For requests, whose length is exact: anything left over is a format error. */
  end(): void {
    if (this.remaining !== 0) {
      throw new DecodeError(`${this.what}: ${this.remaining} unexpected bytes after the last field (INFO ${bytesToHex(this.info)})`);
    }
  }
}

/** Big-endian writer. Values must already be validated; out-of-width values are a bug and throw. */
export class InfoWriter {
  readonly #bytes: number[] = [];

  #check(v: number, min: number, max: number, width: string): void {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`raw value ${v} does not fit ${width}`);
    }
  }

  u8(v: number): this {
    this.#check(v, 0, 0xff, 'u8');
    this.#bytes.push(v);
    return this;
  }

  u16(v: number): this {
    this.#check(v, 0, 0xffff, 'u16');
    this.#bytes.push(v >> 8, v & 0xff);
    return this;
  }

  s16(v: number): this {
    this.#check(v, -0x8000, 0x7fff, 's16');
    return this.u16(v & 0xffff);
  }

  u32(v: number): this {
    this.#check(v, 0, 0xffffffff, 'u32');
    return this.u16(Math.floor(v / 0x10000)).u16(v % 0x10000);
  }

  bytes(b: Uint8Array | readonly number[]): this {
    for (const x of b) this.u8(x);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

// ---- unit conversions (reference §2.5) --------------------------------------------------------

/** PACE temperatures are 0.1 K with 273.0 °C offset: °C = (raw − 2730) / 10. */
const TEMP_OFFSET_RAW = 2730;
/** Raw value a missing sensor reports. */
export const TEMP_ABSENT_RAW = 0x8000;

export function tempFromRaw(raw: number): number {
  return (raw - TEMP_OFFSET_RAW) / 10;
}

export function tempToRaw(temp_C: number): number {
  return Math.round(temp_C * 10) + TEMP_OFFSET_RAW;
}

/** Convert a typed value to its integer wire count (`value / lsb`), rounding away float noise. */
export function toCount(value: number, lsb: number): number {
  return Math.round(value / lsb);
}

/** Convert a wire count to the typed unit, avoiding 0.1 + 0.2 style noise for decimal LSBs. */
export function fromCount(count: number, lsb: number): number {
  if (Number.isInteger(lsb)) return count * lsb;
  const decimals = Math.max(0, Math.ceil(-Math.log10(lsb)) + 1);
  return Number((count * lsb).toFixed(decimals));
}

// ---- empty requests and write acknowledgements ------------------------------------------------

/**
 * What a successful write returns. Every captured PACE pack answers a write with an empty INFO
 * (`~250046000000FDAF`); `extra` keeps whatever a different firmware might append so the debug
 * console can show it, instead of failing a write that the pack accepted.
 */
export interface WriteAck {
  extra: Uint8Array;
}

export const EMPTY_ACK: WriteAck = Object.freeze({ extra: new Uint8Array(0) }) as WriteAck;

export function decodeWriteAck(info: Uint8Array): WriteAck {
  return { extra: info.slice() };
}

export function encodeWriteAck(ack: WriteAck | undefined): Uint8Array {
  return ack ? ack.extra.slice() : new Uint8Array(0);
}

export function encodeEmpty(): Uint8Array {
  return new Uint8Array(0);
}

export function decodeEmptyRequest(info: Uint8Array, what: string): void {
  if (info.length !== 0) {
    throw new DecodeError(`${what}: the request carries no INFO, got ${info.length} bytes (${bytesToHex(info)})`);
  }
}

/** The typed request of a command whose request carries no INFO and that is not Command<void> (90H, C1H, C2H, EG4 42H/44H). */
export type EmptyRequest = Record<string, never>;

export function decodeEmptyInfo(info: Uint8Array): EmptyRequest {
  if (info.length !== 0) throw new DecodeError(`this request carries no INFO, got ${info.length} bytes: ${bytesToHex(info)}`);
  return {};
}

// ---- command shapes ---------------------------------------------------------------------------

const hexCode = (cid2: number) => hex2(cid2) + 'H';

export interface ReadCommandSpec<Res> {
  cid2: number;
  id: string;
  title: string;
  /** Extra flags of the definition (extension etc.). */
  extension?: boolean;
  decode(r: InfoReader, options: DecodeOptions): Res;
  encode(res: Res, options: DecodeOptions): Uint8Array;
  /** Upper estimate of the reply INFO in bytes. */
  replyBytes: number;
}

/** A read: no request INFO, a typed reply. */
export function readCommand<Res>(spec: ReadCommandSpec<Res>): Command<void, Res> {
  const what = `${hexCode(spec.cid2)} ${spec.title} reply`;
  return {
    cid2: spec.cid2,
    id: spec.id,
    title: spec.title,
    kind: 'read',
    ...(spec.extension ? { extension: true } : {}),
    encodeRequest: () => encodeEmpty(),
    decodeRequest: (info) => decodeEmptyRequest(info, `${hexCode(spec.cid2)} ${spec.title} request`),
    encodeReply: (res, _req, options) => spec.encode(res, options),
    decodeReply: (info, ctx: DecodeContext<void>) => spec.decode(new InfoReader(info, what), ctx.options),
    expectedReplyBytes: () => spec.replyBytes
  };
}

export interface WriteCommandSpec<Req> {
  cid2: number;
  id: string;
  title: string;
  kind: Exclude<CommandKind, 'read'>;
  extension?: boolean;
  /** Validate (RangeError) and encode the request INFO. */
  encode(req: Req): Uint8Array;
  /** Parse a request INFO; DecodeError when malformed. Must not range-check (that is the pack's job). */
  decode(r: InfoReader): Req;
}

/** A write: typed request INFO, answered by an (empty) acknowledgement. */
export function writeCommand<Req>(spec: WriteCommandSpec<Req>): Command<Req, WriteAck> {
  const what = `${hexCode(spec.cid2)} ${spec.title} request`;
  return {
    cid2: spec.cid2,
    id: spec.id,
    title: spec.title,
    kind: spec.kind,
    ...(spec.extension ? { extension: true } : {}),
    encodeRequest: (req) => spec.encode(req),
    decodeRequest: (info) => {
      const r = new InfoReader(info, what);
      const req = spec.decode(r);
      r.end();
      return req;
    },
    encodeReply: (res) => encodeWriteAck(res),
    decodeReply: (info) => decodeWriteAck(info),
    expectedReplyBytes: () => 0
  };
}

/** Decode a 0/1 function-control ("FC") byte. Any non-zero value means enabled. */
function flagFromByte(b: number): boolean {
  return b !== 0;
}

export function flagToByte(enabled: boolean, field: string, label: string): number {
  if (typeof enabled !== 'boolean') {
    throw new RangeError(`${label} (${field}) must be true or false, got ${String(enabled)}`);
  }
  return enabled ? 1 : 0;
}

// ---- fixed layouts ----------------------------------------------------------------------------

/** One field of a fixed binary layout. */
export type LayoutField<T> =
  | {
      kind: 'flag';
      key: keyof T & string;
      label: string;
    }
  | {
      kind: 'number';
      key: keyof T & string;
      /** Range and resolution checked before a request is encoded. */
      spec: FieldSpec;
      width: 'u8' | 'u16' | 's16';
      /** Typed value -> raw wire integer. */
      toRaw(value: number): number;
      /** Raw wire integer -> typed value. */
      fromRaw(raw: number): number;
    };

export interface Layout<T> {
  readonly fields: readonly LayoutField<T>[];
  /** Encoded size in bytes. */
  readonly size: number;
  /** Field specs by key, for params metadata and UIs. */
  readonly specs: Readonly<Record<string, FieldSpec>>;
  /** Check every field; throws RangeError naming the first bad one. */
  validate(value: T): void;
  /** Encode; `validate` runs first unless the caller is a pack answering with its own values. */
  encode(value: T, validate: boolean): Uint8Array;
  decode(r: InfoReader): T;
}

/** Number field scaled by a linear LSB: raw = value / lsb. */
export function scaled<T>(key: keyof T & string, spec: FieldSpec, width: 'u8' | 'u16' | 's16' = 'u16'): LayoutField<T> {
  return { kind: 'number', key, spec, width, toRaw: (v) => toCount(v, spec.step), fromRaw: (raw) => fromCount(raw, spec.step) };
}

/** Temperature field in 0.1 K on the wire, °C in the typed value. */
export function temperature<T>(key: keyof T & string, spec: FieldSpec): LayoutField<T> {
  return { kind: 'number', key, spec, width: 'u16', toRaw: tempToRaw, fromRaw: tempFromRaw };
}

export function flag<T>(key: keyof T & string, label: string): LayoutField<T> {
  return { kind: 'flag', key, label };
}

const WIDTH_BYTES = { u8: 1, u16: 2, s16: 2 } as const;

export function layout<T>(fields: readonly LayoutField<T>[]): Layout<T> {
  const size = fields.reduce((n, f) => n + (f.kind === 'flag' ? 1 : WIDTH_BYTES[f.width]), 0);
  const specs: Record<string, FieldSpec> = {};
  for (const f of fields) if (f.kind === 'number') specs[f.key] = f.spec;
  const validate = (value: T): void => {
    if (value === null || typeof value !== 'object') throw new RangeError(`expected an object with ${fields.map((f) => f.key).join(', ')}`);
    const rec = value as Record<string, unknown>;
    for (const f of fields) {
      if (f.kind === 'flag') flagToByte(rec[f.key] as boolean, f.key, f.label);
      else checkField(rec[f.key] as number, f.spec);
    }
  };
  return {
    fields,
    size,
    specs,
    validate,
    encode(value, doValidate) {
      if (doValidate) validate(value);
      const rec = value as Record<string, unknown>;
      const w = new InfoWriter();
      for (const f of fields) {
        if (f.kind === 'flag') {
          w.u8(flagToByte(rec[f.key] as boolean, f.key, f.label));
          continue;
        }
        const raw = f.toRaw(rec[f.key] as number);
        if (f.width === 'u8') w.u8(raw);
        else if (f.width === 'u16') w.u16(raw);
        else w.s16(raw);
      }
      return w.finish();
    },
    decode(r) {
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        if (f.kind === 'flag') {
          out[f.key] = flagFromByte(r.u8(f.key));
          continue;
        }
        const raw = f.width === 'u8' ? r.u8(f.key) : f.width === 'u16' ? r.u16(f.key) : r.s16(f.key);
        out[f.key] = f.fromRaw(raw);
      }
      return out as T;
    }
  };
}

/** A read/write pair sharing one fixed layout (most PACE parameter groups). */
export function settingPair<T>(opts: { readCid2: number; writeCid2: number; readId: string; writeId: string; title: string; layout: Layout<T> }): {
  read: Command<void, T>;
  write: Command<T, WriteAck>;
} {
  const { layout: l } = opts;
  const read = readCommand<T>({
    cid2: opts.readCid2,
    id: opts.readId,
    title: opts.title,
    decode: (r) => l.decode(r),
    encode: (res) => l.encode(res, false),
    replyBytes: l.size
  });
  const write = writeCommand<T>({
    cid2: opts.writeCid2,
    id: opts.writeId,
    title: opts.title,
    kind: 'write',
    encode: (req) => l.encode(req, true),
    decode: (r) => l.decode(r)
  });
  return { read, write };
}

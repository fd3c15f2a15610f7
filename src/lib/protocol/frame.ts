// The PACE / YD/T 1363.3 ASCII frame (reference pace-protocol.md §2):
//   '~' VER ADR CID1 CID2|RTN LENGTH INFO CHKSUM '\r'
// where everything between '~' and '\r' is hex-ASCII. This module is pure: no I/O, no timers.

import { asciiBytes, bytesToHex, hex2, hexDigitValue, printableAscii } from './hex';

const SOI = 0x7e; // '~'
const EOI = 0x0d; // '\r'
/** Characters in a frame besides INFO: SOI + 12 header chars + 4 checksum chars + EOI. */
export const FRAME_OVERHEAD_CHARS = 18;
/** LENID is 12 bits, so INFO can never exceed this many ASCII characters. */
export const MAX_INFO_CHARS = 0xfff;
/** The longest frame LENID can describe: 4113 bytes. Nothing longer is ever buffered as one frame. */
export const MAX_FRAME_BYTES = FRAME_OVERHEAD_CHARS + MAX_INFO_CHARS;
/**
 * The reader takes its input in pieces of at most this many bytes, so one huge chunk (a flood of
 * noise, a stuck adapter) never makes the buffer grow beyond one frame plus one piece.
 */
export const READER_SLICE_BYTES = 1024;

/**
 * One decoded frame. `code` is CID2 in a request and RTN in a reply: the wire does not say which,
 * only the direction does.
 */
export interface Frame {
  ver: number;
  adr: number;
  cid1: number;
  code: number;
  info: Uint8Array;
}

/** LCHKSUM nibble for a LENID (§2.2): two's complement of the nibble sum, mod 16. */
export function lengthChecksum(lenid: number): number {
  const sum = (lenid & 0xf) + ((lenid >> 4) & 0xf) + ((lenid >> 8) & 0xf);
  return (~sum + 1) & 0xf;
}

/** The 16-bit LENGTH field for a LENID in characters. */
export function lengthField(lenid: number): number {
  if (!Number.isInteger(lenid) || lenid < 0 || lenid > MAX_INFO_CHARS) {
    throw new RangeError(`LENID ${lenid} is outside 0..${MAX_INFO_CHARS}`);
  }
  return (lengthChecksum(lenid) << 12) | lenid;
}

/** CHKSUM over ASCII codes (§2.4): two's complement of the byte sum, mod 65536. */
export function frameChecksum(ascii: Uint8Array, start = 0, end = ascii.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += ascii[i];
  return (~sum + 1) & 0xffff;
}

/** Frame as its wire text, including '~' and '\r'. */
export function encodeFrameText(frame: Frame): string {
  const infoHex = bytesToHex(frame.info);
  const length = lengthField(infoHex.length);
  const body = hex2(frame.ver) + hex2(frame.adr) + hex2(frame.cid1) + hex2(frame.code) + bytesToHex([length >> 8, length & 0xff]) + infoHex;
  const chk = frameChecksum(asciiBytes(body));
  return '~' + body + bytesToHex([chk >> 8, chk & 0xff]) + '\r';
}

/** Frame as wire bytes. */
export function encodeFrame(frame: Frame): Uint8Array {
  return asciiBytes(encodeFrameText(frame));
}

/** Wire length in bytes of a frame whose INFO holds `infoBytes` binary bytes. */
export function frameWireLength(infoBytes: number): number {
  return FRAME_OVERHEAD_CHARS + 2 * infoBytes;
}

export type FrameErrorKind =
  /** CHKSUM does not match the characters. */
  | 'checksum'
  /** LCHKSUM does not match LENID, or the frame ends later than LENID says. */
  | 'length'
  /** The frame stopped early: CR or a new '~' arrived before LENID characters, or the input ended. */
  | 'truncated'
  /** LENID is larger than the reader accepts. */
  | 'oversize'
  /** A non-hex character inside the frame. */
  | 'format'
  /** Bytes outside any frame were skipped (noise, a run of stray '~', binary data). */
  | 'garbage';

export interface FrameEvent {
  type: 'frame';
  frame: Frame;
  /** The exact wire bytes of the frame, '~' to '\r'. */
  raw: Uint8Array;
  /** Set when the frame was accepted despite a bad LCHKSUM (lengthChecksum: 'warn'). */
  warning?: 'length-checksum';
}

export interface FrameErrorEvent {
  type: 'error';
  kind: FrameErrorKind;
  message: string;
  /** The bytes that were dropped. */
  raw: Uint8Array;
}

export type ReaderEvent = FrameEvent | FrameErrorEvent;

export interface FrameReaderOptions {
  /** What to do with a bad LCHKSUM. Some firmware is reported to send one; default 'reject'. */
  lengthChecksum?: 'reject' | 'warn';
  /** Largest INFO in characters that is accepted. Default MAX_INFO_CHARS (4095), i.e. anything LENID can say. */
  maxInfoChars?: number;
}

const HEADER_CHARS = 13; // '~' + VER ADR CID1 CID2 (8) + LENGTH (4)

/**
 * Streaming frame reader: push arbitrary chunks, get whole frames and typed errors back.
 * It resynchronises on '~' (which can never occur inside a valid frame), accepts lower-case hex,
 * and never throws on input.
 */
export class FrameReader {
  #buf = new Uint8Array(256);
  #len = 0;
  /** Bytes at the front already checked to be hex, so a frame arriving in many chunks is scanned once. */
  #checked = 0;
  readonly #lengthChecksum: 'reject' | 'warn';
  readonly #maxInfoChars: number;
  readonly #limit: number;

  constructor(options: FrameReaderOptions = {}) {
    this.#lengthChecksum = options.lengthChecksum ?? 'reject';
    const max = options.maxInfoChars ?? MAX_INFO_CHARS;
    if (!Number.isInteger(max) || max < 0 || max > MAX_INFO_CHARS) {
      throw new RangeError(`maxInfoChars must be an integer in 0..${MAX_INFO_CHARS}`);
    }
    this.#maxInfoChars = max;
    this.#limit = FRAME_OVERHEAD_CHARS + max + READER_SLICE_BYTES;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.#len;
  }

  /** Bytes the reader has allocated for its buffer; never more than `bufferLimit`. */
  get bufferBytes(): number {
    return this.#buf.length;
  }

  /** The most the buffer can ever hold: the longest accepted frame plus one input slice. */
  get bufferLimit(): number {
    return this.#limit;
  }

  /** Drop everything held (e.g. before a new request). Returns the dropped byte count. */
  reset(): number {
    const n = this.#len;
    this.#len = 0;
    this.#checked = 0;
    return n;
  }

  /** Feed a chunk; returns the events it completes, in wire order. */
  push(chunk: Uint8Array): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    if (chunk.length <= READER_SLICE_BYTES && (this.#len > 0 || chunk[0] === SOI)) {
      // The common case (a reply arriving in serial or BLE pieces) in one step.
      this.#append(chunk);
      while (this.#scan(events) >= 0);
      return mergeGarbage(events);
    }
    let at = 0;
    while (at < chunk.length) {
      if (this.#len === 0) {
        // Nothing held: bytes before the next '~' can never be part of a frame, so they are
        // reported straight from the chunk instead of passing through the buffer.
        let soi = chunk.indexOf(SOI, at);
        if (soi < 0) soi = chunk.length;
        if (soi > at) {
          const raw = chunk.slice(at, soi);
          if (!isLineNoise(raw)) events.push({ type: 'error', kind: 'garbage', message: garbageMessage(raw), raw });
          at = soi;
          continue;
        }
      }
      // Slices keep the buffer bounded: whatever is held is less than one frame, so after each
      // slice it stays under the longest frame plus one slice.
      const end = Math.min(chunk.length, at + READER_SLICE_BYTES);
      this.#append(chunk.subarray(at, end));
      at = end;
      while (this.#scan(events) >= 0);
    }
    return mergeGarbage(events);
  }

  /**
   * Declare the input finished (a deadline passed, the port closed): a partial frame becomes a
   * 'truncated' error and leftover non-frame bytes become 'garbage'.
   */
  flush(): ReaderEvent[] {
    if (this.#len === 0) return [];
    const raw = this.#buf.slice(0, this.#len);
    this.#len = 0;
    this.#checked = 0;
    if (raw[0] === SOI) {
      return [{ type: 'error', kind: 'truncated', message: `frame cut off after ${raw.length} bytes: ${preview(raw)}`, raw }];
    }
    return [{ type: 'error', kind: 'garbage', message: garbageMessage(raw), raw }];
  }

  #append(chunk: Uint8Array): void {
    const need = this.#len + chunk.length;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      // Held bytes are always less than one frame, so the limit is never below `need`.
      cap = Math.max(need, Math.min(cap, this.#limit));
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.set(chunk, this.#len);
    this.#len = need;
  }

  /** Consume `n` bytes from the front of the buffer. */
  #consume(n: number): Uint8Array {
    const raw = this.#buf.slice(0, n);
    this.#buf.copyWithin(0, n, this.#len);
    this.#len -= n;
    this.#checked = 0;
    return raw;
  }

  /**
   * Try to take one event from the front of the buffer. Returns >= 0 when something was consumed
   * (call again), -1 when more input is needed.
   */
  #scan(events: ReaderEvent[]): number {
    const buf = this.#buf;
    const len = this.#len;
    if (len === 0) return -1;

    // A run of '~' (a storm of SOI bytes, or a line stuck at 0x7E) is one garbage event, not one
    // "frame cut off" per byte. The last '~' of the run stays: it may start a real frame.
    if (buf[0] === SOI && len > 1 && buf[1] === SOI) {
      let run = 2;
      while (run < len && buf[run] === SOI) run++;
      const raw = this.#consume(run - 1);
      events.push({ type: 'error', kind: 'garbage', message: `${raw.length} stray '~' (SOI) bytes skipped`, raw });
      return 0;
    }

    // Skip anything before the next SOI as garbage.
    if (buf[0] !== SOI) {
      let i = 1;
      while (i < len && buf[i] !== SOI) i++;
      if (i === len) {
        // Keep nothing: no frame can start inside these bytes. Report them once, now.
        const raw = this.#consume(len);
        if (!isLineNoise(raw)) events.push({ type: 'error', kind: 'garbage', message: garbageMessage(raw), raw });
        return 0;
      }
      const raw = this.#consume(i);
      if (!isLineNoise(raw)) events.push({ type: 'error', kind: 'garbage', message: garbageMessage(raw), raw });
      return 0;
    }

    // Header: every character must be hex; a '~' or CR here means the frame was cut short.
    const headerAvail = Math.min(len, HEADER_CHARS);
    for (let i = Math.max(1, this.#checked); i < headerAvail; i++) {
      const c = buf[i];
      if (hexDigitValue(c) >= 0) continue;
      return this.#dropBroken(i, c, events);
    }
    if (len < HEADER_CHARS) {
      this.#checked = len;
      return -1;
    }

    const lengthValue = (hexAt(buf, 9) << 8) | hexAt(buf, 11);
    const lenid = lengthValue & 0x0fff;
    const lchk = lengthValue >> 12;
    let warning: FrameEvent['warning'];
    if (lchk !== lengthChecksum(lenid)) {
      if (this.#lengthChecksum === 'reject') {
        const raw = this.#consume(1);
        events.push({
          type: 'error',
          kind: 'length',
          message: `length checksum ${lchk.toString(16).toUpperCase()} does not match LENID ${lenid} (expected ${lengthChecksum(lenid).toString(16).toUpperCase()})`,
          raw
        });
        return 0;
      }
      warning = 'length-checksum';
    }
    if (lenid > this.#maxInfoChars) {
      const raw = this.#consume(1);
      events.push({ type: 'error', kind: 'oversize', message: `LENID ${lenid} exceeds the accepted ${this.#maxInfoChars} characters`, raw });
      return 0;
    }
    if (lenid % 2 !== 0) {
      const raw = this.#consume(1);
      events.push({ type: 'error', kind: 'length', message: `LENID ${lenid} is odd; INFO must be whole bytes`, raw });
      return 0;
    }

    const total = FRAME_OVERHEAD_CHARS + lenid;
    const bodyEnd = total - 1; // index of EOI
    const avail = Math.min(len, bodyEnd);
    for (let i = Math.max(HEADER_CHARS, this.#checked); i < avail; i++) {
      const c = buf[i];
      if (hexDigitValue(c) >= 0) continue;
      return this.#dropBroken(i, c, events, total);
    }
    if (len < total) {
      this.#checked = avail;
      return -1;
    }

    if (buf[bodyEnd] !== EOI) {
      // More characters than LENID said: the length field lies, or two frames merged.
      const raw = this.#consume(1);
      events.push({ type: 'error', kind: 'length', message: `no CR where LENID ${lenid} says the frame ends (byte ${bodyEnd})`, raw });
      return 0;
    }

    const expected = frameChecksum(buf, 1, bodyEnd - 4);
    const got = (hexAt(buf, bodyEnd - 4) << 8) | hexAt(buf, bodyEnd - 2);
    if (expected !== got) {
      const raw = this.#consume(total);
      events.push({
        type: 'error',
        kind: 'checksum',
        message: `checksum ${hex4(got)} does not match the characters (expected ${hex4(expected)})`,
        raw
      });
      return 0;
    }

    const info = new Uint8Array(lenid / 2);
    for (let i = 0; i < info.length; i++) info[i] = hexAt(buf, HEADER_CHARS + 2 * i);
    const frame: Frame = { ver: hexAt(buf, 1), adr: hexAt(buf, 3), cid1: hexAt(buf, 5), code: hexAt(buf, 7), info };
    const raw = this.#consume(total);
    const ev: FrameEvent = { type: 'frame', frame, raw };
    if (warning) ev.warning = warning;
    events.push(ev);
    return 0;
  }

  /** A non-hex byte at index i inside a frame that began at 0; `total` is the length LENID promised, once known. */
  #dropBroken(i: number, c: number, events: ReaderEvent[], total?: number): number {
    if (c === SOI || c === EOI) {
      // A new frame started, or the frame ended, before it was complete: bytes were lost, or
      // LENID promised more than was sent.
      const raw = this.#consume(c === EOI ? i + 1 : i);
      const why =
        total === undefined
          ? ''
          : c === EOI
            ? ` (CR at byte ${i}, but LENID says the frame is ${total} bytes: characters were lost or the length field lies)`
            : ` (a new '~' at byte ${i}, but LENID says the frame is ${total} bytes)`;
      events.push({ type: 'error', kind: 'truncated', message: `frame cut off after ${raw.length} bytes${why}: ${preview(raw)}`, raw });
      return 0;
    }
    const raw = this.#consume(i + 1);
    events.push({
      type: 'error',
      kind: 'format',
      message: `non-hex byte 0x${hex2(c)} at offset ${i} of a frame: ${preview(raw)}`,
      raw
    });
    return 0;
  }
}

/**
 * Adjacent garbage events (one per input slice of a long run of noise) become one, so a flood
 * reads as one event. Their raw bytes are kept whole: the caller holds the input anyway.
 */
function mergeGarbage(events: ReaderEvent[]): ReaderEvent[] {
  if (events.length < 2) return events;
  const out: ReaderEvent[] = [];
  let run: FrameErrorEvent[] = [];
  const close = () => {
    if (run.length === 1) out.push(run[0]);
    else if (run.length > 1) {
      // One copy per run, not per slice: a megabyte of noise costs a megabyte, not its square.
      const raw = new Uint8Array(run.reduce((n, e) => n + e.raw.length, 0));
      let at = 0;
      for (const e of run) {
        raw.set(e.raw, at);
        at += e.raw.length;
      }
      out.push({ type: 'error', kind: 'garbage', message: garbageMessage(raw), raw });
    }
    run = [];
  };
  for (const ev of events) {
    if (ev.type === 'error' && ev.kind === 'garbage') run.push(ev);
    else {
      close();
      out.push(ev);
    }
  }
  close();
  return out;
}

function garbageMessage(raw: Uint8Array): string {
  let soi = 0;
  for (const b of raw) if (b === SOI) soi++;
  if (soi === raw.length) return `${raw.length} stray '~' (SOI) bytes skipped`;
  return `${raw.length} bytes outside a frame skipped: ${preview(raw)}`;
}

function hexAt(buf: Uint8Array, i: number): number {
  return (hexDigitValue(buf[i]) << 4) | hexDigitValue(buf[i + 1]);
}

function hex4(n: number): string {
  return bytesToHex([n >> 8, n & 0xff]);
}

/** Stray CR/LF between frames (some adapters add LF) are not worth reporting. */
function isLineNoise(raw: Uint8Array): boolean {
  for (const b of raw) if (b !== 0x0d && b !== 0x0a) return false;
  return true;
}

function preview(raw: Uint8Array): string {
  const text = printableAscii(raw.length > 48 ? raw.subarray(0, 48) : raw);
  return raw.length > 48 ? `${text}…` : text;
}

/**
 * Parse exactly one frame from text (the decoder CLI, the debug console, tests).
 * Leading/trailing whitespace is ignored and the CR is optional.
 */
export function parseFrameText(text: string): ReaderEvent {
  let t = text.trim();
  if (!t.startsWith('~')) t = '~' + t;
  if (!t.endsWith('\r')) t += '\r';
  const reader = new FrameReader();
  const events = [...reader.push(asciiBytes(t)), ...reader.flush()];
  const frame = events.find((e): e is FrameEvent => e.type === 'frame');
  if (frame) return frame;
  const err = events.find((e): e is FrameErrorEvent => e.type === 'error' && e.kind !== 'garbage') ?? events[0];
  return err ?? { type: 'error', kind: 'truncated', message: 'empty input', raw: new Uint8Array(0) };
}

/**
 * A reply byte-identical to the request is an adapter echo (RS485 adapters that hear themselves,
 * bridged RX/TX), never an answer. Compares the frames from '~' to '\r'.
 */
export function isEchoOf(reply: Uint8Array, request: Uint8Array): boolean {
  if (reply.length !== request.length || reply.length === 0) return false;
  for (let i = 0; i < reply.length; i++) if (reply[i] !== request[i]) return false;
  return true;
}

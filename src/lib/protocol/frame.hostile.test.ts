// Hostile and malformed input (issue 15): each case gives typed events with a clear message from
// the frame reader (and, for valid frames that are not our answer, from reply-check), never an
// exception and never an unbounded buffer. frame.test.ts covers the basic error kinds one by one;
// this file covers what a broken adapter, a noisy line or a second master does to a stream.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from './command';
import { explainFrame } from './explain';
import * as F from './fixtures/telemetry-frames';
import {
  FrameReader,
  MAX_FRAME_BYTES,
  READER_SLICE_BYTES,
  encodeFrameText,
  frameChecksum,
  lengthChecksum,
  lengthField,
  type ReaderEvent
} from './frame';
import { asciiBytes, bytesToHex } from './hex';
import { readAnalog } from './commands/analog';
import { readStatus } from './commands/status';
import { checkPackAttribution, classifyIncoming } from './reply-check';
import { DEFAULT_DECODE_OPTIONS, type ProtocolProfile } from './types';

const PBMS = F.ANALOG_PBMSTOOLS.text;
const REQ = F.REQ_ANALOG_PBMSTOOLS.text;

function kinds(events: ReaderEvent[]): string[] {
  return events.map((e) => (e.type === 'frame' ? 'frame' : e.kind));
}

function errors(events: ReaderEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'error' ? [e.message] : []));
}

/** Push in chunks of `size`, checking the buffer bound after every push. */
function feed(reader: FrameReader, bytes: Uint8Array, size = bytes.length || 1): ReaderEvent[] {
  const out: ReaderEvent[] = [];
  let largest = 0;
  let mostPending = 0;
  for (let i = 0; i < bytes.length; i += size) {
    out.push(...reader.push(bytes.subarray(i, i + size)));
    largest = Math.max(largest, reader.bufferBytes);
    mostPending = Math.max(mostPending, reader.pending);
  }
  expect(largest).toBeLessThanOrEqual(reader.bufferLimit);
  expect(mostPending).toBeLessThan(MAX_FRAME_BYTES);
  return out;
}

function cat(...parts: (string | Uint8Array)[]): Uint8Array {
  const arrays = parts.map((p) => (typeof p === 'string' ? asciiBytes(p) : p));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** `text` with its LENGTH field replaced (LCHKSUM kept consistent) and CHKSUM recomputed: a frame whose LENID lies. */
function withLenid(text: string, lenid: number): string {
  const body = text.slice(1, 9) + lengthField(lenid).toString(16).toUpperCase().padStart(4, '0') + text.slice(13, -5);
  const sum = frameChecksum(asciiBytes(body));
  return '~' + body + bytesToHex([sum >> 8, sum & 0xff]) + '\r';
}

function checksumHolds(raw: Uint8Array): boolean {
  const end = raw.length - 1;
  const got = parseInt(String.fromCharCode(...raw.subarray(end - 4, end)), 16);
  const lenid = parseInt(String.fromCharCode(...raw.subarray(10, 13)), 16);
  const lchk = parseInt(String.fromCharCode(raw[9]), 16);
  return frameChecksum(raw, 1, end - 4) === got && lchk === lengthChecksum(lenid) && raw.length === 18 + lenid;
}

describe('LENID that lies', () => {
  it('promises more than is sent: the early CR says so, and the next frame is found', () => {
    const liar = withLenid(PBMS, 0x7e);
    const events = [...feed(new FrameReader(), cat(liar, PBMS))];
    expect(kinds(events)).toEqual(['truncated', 'frame']);
    expect(errors(events)[0]).toMatch(/CR at byte 139, but LENID says the frame is 144 bytes/);
  });

  it('promises less than is sent: no CR where it should be, the rest is skipped, the next frame is found', () => {
    const liar = withLenid(PBMS, 0x76);
    const events = feed(new FrameReader(), cat(liar, PBMS));
    expect(kinds(events)).toEqual(['length', 'garbage', 'frame']);
    expect(errors(events)[0]).toMatch(/no CR where LENID 118 says the frame ends/);
  });
});

describe('frames that never end, and oversized replies', () => {
  it('a header followed by endless hex: one length error, then one garbage event per push, buffer bounded', () => {
    const reader = new FrameReader();
    const head = asciiBytes(PBMS.slice(0, 13));
    const hex = asciiBytes('0123456789ABCDEF'.repeat(64 * 1024)); // 1 MiB
    const events = feed(reader, cat(head, hex), 4096);
    expect(events.filter((e) => e.type === 'frame')).toEqual([]);
    expect(kinds(events)[0]).toBe('length');
    expect(new Set(kinds(events).slice(1))).toEqual(new Set(['garbage']));
    expect(reader.bufferBytes).toBeLessThanOrEqual(MAX_FRAME_BYTES + READER_SLICE_BYTES);
    // The stream recovers at the next '~'.
    expect(kinds(feed(reader, asciiBytes(PBMS)))).toEqual(['frame']);
  });

  it('the same megabyte pushed as one chunk never grows the buffer past one frame plus a slice', () => {
    const reader = new FrameReader();
    const events = feed(reader, cat(PBMS.slice(0, 13), '0123456789ABCDEF'.repeat(64 * 1024), PBMS));
    expect(kinds(events)).toEqual(['length', 'garbage', 'frame']);
    expect(reader.bufferBytes).toBeLessThanOrEqual(reader.bufferLimit);
  });

  it('an oversized reply (5000 characters where LENID can say at most 4095) is refused, not buffered', () => {
    const body = '25014600' + lengthField(0xffe).toString(16).toUpperCase() + 'AB'.repeat(2500);
    const reader = new FrameReader();
    const events = feed(reader, cat('~', body, 'FFFF\r', PBMS), 97);
    // One garbage event per push of 97 bytes until the next '~'.
    expect(kinds(events).filter((k, i, all) => k !== all[i - 1])).toEqual(['length', 'garbage', 'frame']);
    expect(errors(events)[0]).toMatch(/LENID 4094/);
  });

  it('a reader capped below 4095 refuses longer frames as oversize', () => {
    const big = encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: new Uint8Array(1000) });
    const reader = new FrameReader({ maxInfoChars: 1024 });
    const events = feed(reader, asciiBytes(big + PBMS));
    expect(kinds(events)).toEqual(['oversize', 'garbage', 'frame']);
    expect(reader.bufferLimit).toBe(18 + 1024 + READER_SLICE_BYTES);
  });

  it('a frame cut off for good is reported when the input is declared over', () => {
    const reader = new FrameReader();
    expect(feed(reader, asciiBytes(PBMS.slice(0, 60)))).toEqual([]);
    const [ev] = reader.flush();
    expect(ev).toMatchObject({ type: 'error', kind: 'truncated' });
    expect(reader.pending).toBe(0);
  });
});

describe('characters that do not belong', () => {
  it('a CR inside INFO ends the frame early, with what LENID promised', () => {
    const text = PBMS.slice(0, 50) + '\r' + PBMS.slice(51);
    const events = feed(new FrameReader(), asciiBytes(text + PBMS));
    expect(kinds(events)).toEqual(['truncated', 'garbage', 'frame']);
    expect(errors(events)[0]).toMatch(/CR at byte 50, but LENID says the frame is 140 bytes/);
  });

  it('a non-hex character names its offset and value', () => {
    const events = feed(new FrameReader(), asciiBytes(PBMS.slice(0, 30) + 'G' + PBMS.slice(31) + PBMS));
    expect(kinds(events)).toEqual(['format', 'garbage', 'frame']);
    expect(errors(events)[0]).toMatch(/non-hex byte 0x47 at offset 30/);
  });

  it('lower-case hex is a frame like its upper-case twin (checksum over the characters sent)', () => {
    const body = PBMS.slice(1, -5).toLowerCase();
    const sum = frameChecksum(asciiBytes(body));
    const lower = '~' + body + bytesToHex([sum >> 8, sum & 0xff]).toLowerCase() + '\r';
    const [a] = feed(new FrameReader(), asciiBytes(lower));
    const [b] = feed(new FrameReader(), asciiBytes(PBMS));
    expect(a.type === 'frame' && b.type === 'frame' && a.frame).toEqual(b.type === 'frame' && b.frame);
  });

  it('binary garbage is one event with its length, and the frame after it is found', () => {
    const junk = Uint8Array.from({ length: 3000 }, (_, i) => (i * 151 + 7) & 0xff).filter((b) => b !== 0x7e);
    const events = feed(new FrameReader(), cat(junk, PBMS));
    expect(kinds(events)).toEqual(['garbage', 'frame']);
    expect(errors(events)[0]).toMatch(new RegExp(`^${junk.length} bytes outside a frame skipped`));
  });

  it("a storm of 0x7E is one event, not one per byte, and the frame whose '~' ends it is found", () => {
    const storm = '~'.repeat(10_000);
    const events = feed(new FrameReader(), asciiBytes(storm + PBMS.slice(1)));
    expect(kinds(events)).toEqual(['garbage', 'frame']);
    // The last '~' of the storm is the frame's own SOI.
    expect(errors(events)[0]).toBe("9999 stray '~' (SOI) bytes skipped");
  });

  it('a storm split over many pushes stays a handful of events', () => {
    const reader = new FrameReader();
    const events: ReaderEvent[] = [];
    for (let i = 0; i < 100; i++) events.push(...reader.push(asciiBytes('~'.repeat(100))));
    events.push(...reader.push(asciiBytes(PBMS.slice(1))));
    expect(events.length).toBeLessThanOrEqual(101);
    expect(kinds(events).at(-1)).toBe('frame');
    expect(reader.bufferBytes).toBeLessThanOrEqual(reader.bufferLimit);
  });
});

describe('valid frames that are not the answer (reply-check)', () => {
  const request = F.frameOf(F.REQ_ANALOG_PBMSTOOLS);

  it("the adapter's echo of the request is an echo, and the answer behind it in the same chunk is the answer", () => {
    const events = feed(new FrameReader(), asciiBytes(REQ + PBMS));
    expect(kinds(events)).toEqual(['frame', 'frame']);
    const verdicts = events.map((e) => (e.type === 'frame' ? classifyIncoming(request, e.frame).kind : null));
    expect(verdicts).toEqual(['echo', 'answer']);
  });

  it("another master's 90H scan of address 0B is a foreign request, not an RTN 90 answer", () => {
    const c = classifyIncoming(request, F.frameOf(F.REQ_COUNT_SCAN_0B));
    expect(c.kind).toBe('foreign-request');
    expect(c.message).toMatch(/90H request \(readPackCount\) to address 0B from another master/);
  });

  it("a master polling its slave's 42H on the link bus is a foreign request", () => {
    expect(classifyIncoming(request, F.frameOf(F.REQ_ANALOG_RS485_ADR2)).kind).toBe('foreign-request');
    expect(classifyIncoming(F.frameOf(F.REQ_STATUS_PBMSTOOLS), F.frameOf(F.REQ_STATUS_LINK_ADR2)).kind).toBe('foreign-request');
  });

  it('a 42H request to the same pack, but not ours (COMMAND FF), cannot be a 42H answer', () => {
    expect(classifyIncoming(request, F.frameOf(F.REQ_ANALOG_ADR1_ALL)).kind).toBe('foreign-request');
  });

  it('an answer from another address is still the answer, with a note (RS232 reports the real address)', () => {
    const fromZero = F.frameOf(F.ANALOG_DOC_ALL_ONE_PACK); // ADR 00
    const c = classifyIncoming(request, fromZero);
    expect(c.kind).toBe('answer');
    expect(c.notes).toEqual(['answered from address 00, asked at 01 (a pack on RS232 reports its own address)']);
  });

  it('an RTN 90 (ADR error) from the pack asked is an answer: RTN and CID2 values overlap', () => {
    const rtn90 = { ver: 0x25, adr: 1, cid1: 0x46, code: 0x90, info: new Uint8Array(0) };
    expect(classifyIncoming(request, rtn90).kind).toBe('answer');
    const refused = F.frameOf({ source: '§7.2', text: '~25004609E00204FD2B\r' });
    expect(classifyIncoming(F.frameOf({ source: '§7.2', text: '~2500469BE00201FD1C\r' }), refused).kind).toBe('answer');
  });

  it("a relayed reply carrying another pack's block is refused; asked directly it is a note", () => {
    const reply = readAnalog.decodeReply(F.frameOf(F.ANALOG_RELAY_LONGER).info, { request: { command: 3 }, options: DEFAULT_DECODE_OPTIONS });
    expect(reply.command).toBe(2);
    expect(checkPackAttribution(1, 3, reply)).toEqual({
      ok: false,
      message: "asked the master at address 1 for pack 3, but the reply carries pack 2's block"
    });
    expect(checkPackAttribution(2, 2, reply)).toEqual({ ok: true, notes: [] });
    expect(checkPackAttribution(3, 3, reply)).toMatchObject({ ok: true, notes: ['asked pack 3 directly; its reply names itself 2'] });
  });

  it('FF answered by a non-master with only itself is a note; a single request answered for many is refused', () => {
    const one = readAnalog.decodeReply(F.frameOf(F.ANALOG_PBMSTOOLS).info, { request: { command: 1 }, options: DEFAULT_DECODE_OPTIONS });
    expect(checkPackAttribution(1, 0xff, one)).toMatchObject({ ok: true, notes: ['asked for every pack but the reply is for pack 1 only'] });
    const ten = readAnalog.decodeReply(F.frameOf(F.ANALOG_BROADCAST_10_P9).info, { request: { command: 0xff }, options: DEFAULT_DECODE_OPTIONS });
    expect(checkPackAttribution(1, 0xff, ten)).toEqual({ ok: true, notes: [] });
    expect(checkPackAttribution(1, 3, ten)).toEqual({ ok: false, message: 'asked for pack 3 but the reply holds 10 packs' });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: random bytes, and random mutations of real captured frames.

const CAPTURED = Object.values(F)
  .filter((v): v is F.FrameFixture => typeof v === 'object' && v !== null && 'text' in v)
  .map((f) => asciiBytes(f.text));

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'delete'; at: number; count: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'duplicate'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'case' };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x7e, 0x0d, 0x0a, 0x00, 0xff, 0x47, 0x30, 0x46, 0x61) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('case' as const) })
);

function mutate(src: Uint8Array, m: Mutation): Uint8Array {
  const b = Array.from(src);
  const at = 'at' in m ? m.at % (b.length + 1) : 0;
  switch (m.op) {
    case 'flip':
      if (at < b.length) b[at] ^= 1 << m.bit;
      break;
    case 'set':
      if (at < b.length) b[at] = m.value;
      break;
    case 'delete':
      b.splice(at, m.count);
      break;
    case 'insert':
      b.splice(at, 0, ...m.bytes);
      break;
    case 'duplicate':
      b.splice(at, 0, ...b.slice(at, at + m.count));
      break;
    case 'truncate':
      b.length = at;
      break;
    case 'case':
      return Uint8Array.from(b.map((c) => (c >= 0x41 && c <= 0x46 ? c + 0x20 : c)));
  }
  return Uint8Array.from(b);
}

const PROFILES: ProtocolProfile[] = ['pace', 'pylon', 'seplos', 'eg4'];

/** Decoding a frame that passed the reader: only DecodeError may come out of a 42H/44H decoder. */
function decodeNeverThrowsOtherwise(info: Uint8Array): void {
  for (const profile of PROFILES) {
    for (const cmd of [readAnalog, readStatus]) {
      for (const request of [undefined, { command: 0xff }]) {
        try {
          cmd.decodeReply(info, { request, options: { ...DEFAULT_DECODE_OPTIONS, profile } });
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }
    }
  }
}

describe('hostile streams (fast-check, seeded)', () => {
  it('mutated captured frames in random chunks: no exception, only verified frames, bounded buffer', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(CAPTURED.length - 1), fc.array(mutationArb, { maxLength: 4 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 300 }),
        (picks, chunk) => {
          const stream = cat(...picks.map(([i, ms]) => ms.reduce(mutate, CAPTURED[i])));
          const reader = new FrameReader();
          const events = [...feed(reader, stream, chunk), ...reader.flush()];
          for (const e of events) {
            if (e.type === 'frame') {
              expect(checksumHolds(e.raw)).toBe(true);
              decodeNeverThrowsOtherwise(e.frame.info);
            } else expect(e.message.length).toBeGreaterThan(10);
          }
          expect(reader.pending).toBe(0);
        }
      ),
      { numRuns: 300, seed: 0x1515 }
    );
  }, 30_000);

  it('an unmutated capture between mutated ones is always found', () => {
    fc.assert(
      fc.property(
        fc.nat(CAPTURED.length - 1),
        fc.nat(CAPTURED.length - 1),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 200 }),
        (broken, good, ms, chunk) => {
          // A mutation can leave a frame that swallows what follows only up to its LENID; a CR
          // then ends anything, so a CR before the good frame gives it a clean start.
          const stream = cat(ms.reduce(mutate, CAPTURED[broken]), '\r', CAPTURED[good]);
          const events = feed(new FrameReader(), stream, chunk);
          const frames = events.filter((e) => e.type === 'frame');
          expect(frames.length).toBeGreaterThan(0);
          const last = frames[frames.length - 1];
          expect(last.type === 'frame' && Array.from(last.raw)).toEqual(Array.from(CAPTURED[good]));
        }
      ),
      { numRuns: 400, seed: 0x7e }
    );
  }, 30_000);

  it('random bytes through the whole decoder (explainFrame) never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(undefined, 0x42, 0x44, 0x90, 0xc1, 0xc2), (bytes, cmd) => {
        const text = String.fromCharCode(...bytes);
        const r = explainFrame(text, { cmd });
        if (!r.ok) expect(r.message.length).toBeGreaterThan(5);
      }),
      { numRuns: 500, seed: 0x42 }
    );
  });

  it('mutated captures through explainFrame for every dialect never throw', () => {
    fc.assert(
      fc.property(fc.nat(CAPTURED.length - 1), fc.array(mutationArb, { maxLength: 3 }), fc.constantFrom(...PROFILES), (i, ms, profile) => {
        const text = String.fromCharCode(...ms.reduce(mutate, CAPTURED[i]));
        for (const cmd of [0x42, 0x44]) explainFrame(text, { cmd, profile });
      }),
      { numRuns: 400, seed: 0x44 }
    );
  });
});

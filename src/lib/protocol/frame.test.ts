import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAnalog } from './commands/analog';
import { ALL_PACKS } from './commands/pack-request';
import * as F from './fixtures/telemetry-frames';
import {
  FrameReader,
  encodeFrame,
  encodeFrameText,
  frameChecksum,
  lengthChecksum,
  lengthField,
  parseFrameText,
  type Frame,
  type FrameErrorKind,
  type ReaderEvent
} from './frame';
import { asciiBytes, bytesToHex } from './hex';
import { DEFAULT_DECODE_OPTIONS, type PackAnalog } from './types';

const PBMS = F.ANALOG_PBMSTOOLS.text;

function pushAll(reader: FrameReader, text: string | Uint8Array): ReaderEvent[] {
  const bytes = typeof text === 'string' ? asciiBytes(text) : text;
  return [...reader.push(bytes), ...reader.flush()];
}

function kinds(events: ReaderEvent[]): string[] {
  return events.map((e) => (e.type === 'frame' ? 'frame' : e.kind));
}

/** The checksum the characters of a raw frame should carry. */
function checksumHolds(raw: Uint8Array): boolean {
  const end = raw.length - 1;
  const got = parseInt(String.fromCharCode(...raw.subarray(end - 4, end)), 16);
  return frameChecksum(raw, 1, end - 4) === got;
}

describe('frame checksums (reference §2.2, §2.4 worked examples)', () => {
  it('LCHKSUM of the tabulated LENIDs', () => {
    expect([0x012, 0x000, 0x002, 0x004, 0x00c, 0x028, 0x04c, 0x050, 0x07a, 0x090].map(lengthField)).toEqual([
      0xd012, 0x0000, 0xe002, 0xc004, 0x400c, 0x6028, 0x004c, 0xb050, 0xf07a, 0x7090
    ]);
    expect(lengthChecksum(0x07a)).toBe(0xf);
    expect(() => lengthField(0x1000)).toThrow(RangeError);
  });

  it('CHKSUM of worked examples 1 and 2, and the corrected Pylon/EG4 example', () => {
    expect(frameChecksum(asciiBytes('25014642E00201'))).toBe(0xfd30);
    expect(frameChecksum(asciiBytes('1203400356ABCEFE'))).toBe(0xfc72);
    expect(frameChecksum(asciiBytes('1203400456ABCEFE'))).toBe(0xfc71);
  });

  it('encodes the PbmsTools request', () => {
    expect(encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0x42, info: Uint8Array.of(1) })).toBe('~25014642E00201FD30\r');
  });
});

describe('FrameReader: one event per case', () => {
  const cases: [string, string, string[], FrameReaderOpts?][] = [
    ['valid frame', PBMS, ['frame']],
    ['lower-case hex (checksum over the characters sent)', lowerCase(PBMS), ['frame']],
    ['bad checksum', PBMS.replace('E1E4', 'E1E5'), ['checksum']],
    ['bad LCHKSUM, rest skipped as garbage', PBMS.replace('F07A', 'E07A'), ['length', 'garbage']],
    ['odd LENID', withBody('25014642', 0x003, '010'), ['length', 'garbage']],
    ['CR missing where LENID says the frame ends', PBMS.replace('E1E4\r', 'E1E40\r'), ['length', 'garbage']],
    ['CR inside the frame', PBMS.slice(0, 40) + '\r', ['truncated']],
    ['a new "~" inside the frame, then a whole frame', PBMS.slice(0, 40) + PBMS, ['truncated', 'frame']],
    ['input ends inside the frame', PBMS.slice(0, 80), ['truncated']],
    ['non-hex character in the header', '~25014X42E00201FD30\r', ['format', 'garbage']],
    ['non-hex character in INFO', PBMS.slice(0, 30) + 'Z' + PBMS.slice(31), ['format', 'garbage']],
    ['garbage before a frame', 'hello' + PBMS, ['garbage', 'frame']],
    ['garbage after a frame', PBMS + '\x00\xff', ['frame', 'garbage']],
    ['CR/LF between frames is not reported', PBMS + '\r\n' + PBMS, ['frame', 'frame']],
    ['LENID above maxInfoChars', PBMS, ['oversize', 'garbage'], { maxInfoChars: 100 }],
    [
      'bad LCHKSUM accepted in warn mode',
      PBMS.replace('F07A', 'E07A').replace('E1E4', checksumFor(PBMS.replace('F07A', 'E07A'))),
      ['frame'],
      { lengthChecksum: 'warn' }
    ]
  ];

  it.each(cases)('%s', (_name, text, expected, opts) => {
    const events = pushAll(new FrameReader(opts ?? {}), text);
    expect(kinds(events)).toEqual(expected);
    for (const e of events) {
      if (e.type === 'error') expect(e.message.length).toBeGreaterThan(5);
      else expect(checksumHolds(e.raw)).toBe(true);
    }
  });

  it('covers every error kind the reader reports', () => {
    const all: FrameErrorKind[] = ['checksum', 'length', 'truncated', 'oversize', 'format', 'garbage'];
    const seen = new Set(cases.flatMap(([, , expected]) => expected));
    for (const k of all) expect(seen.has(k)).toBe(true);
  });

  it('marks a frame accepted with a bad LCHKSUM', () => {
    const text = PBMS.replace('F07A', 'E07A');
    const [ev] = pushAll(new FrameReader({ lengthChecksum: 'warn' }), text.replace('E1E4', checksumFor(text)));
    expect(ev.type === 'frame' && ev.warning).toBe('length-checksum');
  });

  it('decodes the fields of the PbmsTools frame and returns its exact bytes', () => {
    const [ev] = pushAll(new FrameReader(), PBMS);
    expect(ev.type).toBe('frame');
    if (ev.type !== 'frame') return;
    expect(ev.frame).toMatchObject({ ver: 0x25, adr: 1, cid1: 0x46, code: 0 });
    expect(ev.frame.info.length).toBe(61);
    expect(ev.raw).toEqual(asciiBytes(PBMS));
  });

  it('accepts every INFO size up to the maximum and rejects a bad maxInfoChars', () => {
    expect(() => new FrameReader({ maxInfoChars: 5000 })).toThrow(RangeError);
    const big = encodeFrame({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: new Uint8Array(0xffe / 2) });
    expect(kinds(pushAll(new FrameReader(), big))).toEqual(['frame']);
  });

  it('reset() drops a half frame', () => {
    const r = new FrameReader();
    r.push(asciiBytes(PBMS.slice(0, 50)));
    expect(r.pending).toBe(50);
    expect(r.reset()).toBe(50);
    expect(kinds(pushAll(r, PBMS))).toEqual(['frame']);
  });

  it('parseFrameText tolerates a missing "~" and CR', () => {
    const ev = parseFrameText(PBMS.slice(1, -1));
    expect(ev.type).toBe('frame');
    expect(parseFrameText('').type).toBe('error');
  });
});

type FrameReaderOpts = ConstructorParameters<typeof FrameReader>[0];

function checksumFor(text: string): string {
  const body = text.slice(1, -5);
  return bytesToHex([frameChecksum(asciiBytes(body)) >> 8, frameChecksum(asciiBytes(body)) & 0xff]);
}

function lowerCase(text: string): string {
  const body = text.slice(1, -5).toLowerCase();
  return '~' + body + checksumFor('~' + body + '0000\r').toLowerCase() + '\r';
}

/** A frame with a LENGTH field built from the LENID (with its correct LCHKSUM) and raw INFO text. */
function withBody(head: string, lenid: number, infoText: string): string {
  const length = ((lengthChecksum(lenid) << 12) | lenid).toString(16).toUpperCase().padStart(4, '0');
  const body = head + length + infoText;
  return '~' + body + checksumFor('~' + body + '0000\r') + '\r';
}

/** A 16-pack broadcast 42H reply with the P = 9 tail: 2 + 16 × 73 INFO bytes, 2358 characters on the wire. */
function sixteenPackBroadcast(): { frame: Frame; wire: Uint8Array } {
  const pack = (i: number): PackAnalog => ({
    cells_mV: Array.from({ length: 16 }, (_, c) => 3300 + i + c),
    temps_C: [20, 21, 22, 23, 25, 24],
    tempLabels: [],
    current_A: -1.5 * i,
    voltage_V: 53,
    remaining_Ah: 50 + i,
    full_Ah: 100,
    design_Ah: 100,
    cycles: i,
    soc_pct: 50 + i,
    soh_pct: 100,
    socSource: 'reported',
    userDefinedCount: 9,
    tail: { cumulativeCharge_Ah: 1000, cumulativeDischarge_Ah: 900, portVoltage_V: 53, portCurrent_A: 0 },
    empty: false
  });
  const reply = { infoFlag: 0, broadcast: true, command: 16, packs: Array.from({ length: 16 }, (_, i) => pack(i)), trailingBytes: 0 };
  const info = readAnalog.encodeReply(reply, { command: ALL_PACKS }, DEFAULT_DECODE_OPTIONS);
  const frame = { ver: 0x25, adr: 1, cid1: 0x46, code: 0, info };
  return { frame, wire: encodeFrame(frame) };
}

describe('FrameReader: long frames in small pieces', () => {
  it('reassembles a 16-pack broadcast (> 1 KiB) from 20-byte BLE notifications', () => {
    const { frame, wire } = sixteenPackBroadcast();
    expect(wire.length).toBe(18 + 2 * (2 + 16 * 73));
    expect(wire.length).toBeGreaterThan(2048);
    const reader = new FrameReader();
    const events: ReaderEvent[] = [];
    for (let i = 0; i < wire.length; i += 20) events.push(...reader.push(wire.subarray(i, i + 20)));
    expect(kinds(events)).toEqual(['frame']);
    const ev = events[0];
    if (ev.type !== 'frame') return;
    expect(ev.frame).toEqual(frame);
    const decoded = readAnalog.decodeReply(ev.frame.info, { request: { command: ALL_PACKS }, options: DEFAULT_DECODE_OPTIONS });
    expect(decoded.packs).toHaveLength(16);
    expect(decoded.packs[15].cycles).toBe(15);
    expect(reader.pending).toBe(0);
  });

  it('finds the same frame when fed one byte at a time', () => {
    const { wire } = sixteenPackBroadcast();
    const reader = new FrameReader();
    const events: ReaderEvent[] = [];
    for (const b of wire) events.push(...reader.push(Uint8Array.of(b)));
    expect(kinds(events)).toEqual(['frame']);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const frameArb: fc.Arbitrary<Frame> = fc.record({
  ver: fc.constantFrom(0x20, 0x25),
  adr: fc.integer({ min: 0, max: 15 }),
  cid1: fc.constantFrom(0x46, 0x4a),
  code: fc.integer({ min: 0, max: 255 }),
  info: fc.uint8Array({ maxLength: 120 })
});

/** Cut `bytes` at the given points (sorted, deduplicated) into chunks. */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function framesOf(events: ReaderEvent[]): Frame[] {
  return events.flatMap((e) => (e.type === 'frame' ? [e.frame] : []));
}

describe('FrameReader properties (fast-check)', () => {
  it('any chunking of a stream of valid frames yields the same frames', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), fc.boolean(), (frames, cuts, crlf) => {
        const wire = concat(frames.flatMap((f) => (crlf ? [encodeFrame(f), Uint8Array.of(0x0a)] : [encodeFrame(f)])));
        const reader = new FrameReader();
        const events: ReaderEvent[] = [];
        for (const c of chunk(wire, cuts)) events.push(...reader.push(c));
        events.push(...reader.flush());
        expect(events.every((e) => e.type === 'frame')).toBe(true);
        expect(framesOf(events)).toEqual(frames);
      }),
      { numRuns: 300, seed: 0x2501 }
    );
  });

  it('random bytes never throw and never yield a frame with a bad checksum', () => {
    const noisy = fc.uint8Array({ maxLength: 400 });
    const frameLike = fc.array(fc.constantFrom(...asciiBytes('~0123456789ABCDEFabcdef\r\n~~G')), { maxLength: 400 }).map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(fc.oneof(noisy, frameLike), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const reader = new FrameReader();
        const events: ReaderEvent[] = [];
        for (const c of chunk(bytes, cuts)) events.push(...reader.push(c));
        events.push(...reader.flush());
        for (const e of events) if (e.type === 'frame') expect(checksumHolds(e.raw)).toBe(true);
        // Every input byte is accounted for: in a frame, an error's raw, or silent CR/LF noise.
        const accounted = events.reduce((n, e) => n + e.raw.length, 0);
        expect(accounted).toBeLessThanOrEqual(bytes.length);
        expect(reader.pending).toBe(0);
      }),
      { numRuns: 500, seed: 0x46 }
    );
  });

  it('a valid frame after garbage is always found', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), frameArb, fc.array(fc.nat(), { maxLength: 10 }), (garbage, frame, cuts) => {
        const wire = concat([garbage, encodeFrame(frame)]);
        const reader = new FrameReader();
        const events: ReaderEvent[] = [];
        for (const c of chunk(wire, cuts)) events.push(...reader.push(c));
        const found = framesOf(events);
        expect(found[found.length - 1]).toEqual(frame);
      }),
      { numRuns: 500, seed: 0x42 }
    );
  });

  it('captured fixtures survive every split point', () => {
    for (const f of [F.ANALOG_PBMSTOOLS, F.STATUS_PBMSTOOLS, F.EG4_ANALOG, F.SERIALS_PBMSTOOLS]) {
      const wire = asciiBytes(f.text);
      for (let cut = 0; cut <= wire.length; cut++) {
        const reader = new FrameReader();
        const events = [...reader.push(wire.subarray(0, cut)), ...reader.push(wire.subarray(cut))];
        expect(kinds(events)).toEqual(['frame']);
      }
    }
  });
});

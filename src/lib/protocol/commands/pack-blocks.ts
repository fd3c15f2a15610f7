// Splitting the per-pack blocks of a 42H/44H reply. The user-defined count P and the firmware
// generation change how long a block is, and a relay reply can be longer than a broadcast one, so
// block boundaries come from LENID (the INFO length), the pack count and the cell/temperature
// counts inside each block; never from P alone (reference §5, §16.4).

import { DecodeError } from '../command';
import { ByteReader, ByteWriter } from './byte-cursor';

/** Where one pack's block sits in the reply body. */
export interface BlockSpan {
  start: number;
  end: number;
  /** Every byte of the block is zero: the master's way of reporting an offline slave. */
  empty: boolean;
}

export interface BlockSplit {
  blocks: BlockSpan[];
  /** Bytes after the last block. */
  trailing: number;
  /** Bytes each non-empty block carries beyond its base layout (uniform across the reply). */
  extraPerBlock: number;
}

/**
 * Length of the fixed part of a block starting at `offset`, read from its own counts; null when the
 * bytes there cannot start a block (counts out of range, too short).
 */
export type BaseLengthFn = (body: Uint8Array, offset: number) => number | null;

/**
 * Length of a block that opens with its own counts, as every 42H/44H dialect does: M, M values,
 * N, N values (plus `uncountedValues` the dialect sends beyond N), then `fixedBytes` more. Each
 * value is `valueBytes` wide (2 for readings, 1 for alarm codes). Null when the counts there are
 * out of range (M 1..32, N 0..16) or the body ends before N.
 */
export function countedBlockLength(body: Uint8Array, offset: number, valueBytes: 1 | 2, fixedBytes: number, uncountedValues = 0): number | null {
  if (offset >= body.length) return null;
  const m = body[offset];
  if (m < 1 || m > 32) return null;
  const nAt = offset + 1 + valueBytes * m;
  if (nAt >= body.length) return null;
  const n = body[nAt];
  if (n > 16) return null;
  return 1 + valueBytes * m + 1 + valueBytes * (n + uncountedValues) + fixedBytes;
}

/** Largest per-block tail we look for: the newest PACE docs add 22 bytes; leave room for unknown ones. */
const MAX_EXTRA_PER_BLOCK = 48;

function allZero(body: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (body[i] !== 0) return false;
  return true;
}

function walk(body: Uint8Array, count: number, baseAt: BaseLengthFn, extra: number): BlockSplit | null {
  const blocks: BlockSpan[] = [];
  let pos = 0;
  let lastLen: number | null = null;
  for (let i = 0; i < count; i++) {
    if (pos >= body.length) return null;
    if (body[pos] === 0) {
      // A zero block has no counts of its own; it is as long as its neighbours.
      let len = lastLen;
      if (len === null) {
        let z = pos;
        while (z < body.length && body[z] === 0) z++;
        if (z === body.length) {
          const left = count - i;
          const rest = body.length - pos;
          if (rest % left !== 0) return null;
          len = rest / left;
        } else {
          const base = baseAt(body, z);
          if (base === null) return null;
          len = base + extra;
          if ((z - pos) % len !== 0) return null;
        }
      }
      if (len <= 0 || pos + len > body.length || !allZero(body, pos, pos + len)) return null;
      blocks.push({ start: pos, end: pos + len, empty: true });
      pos += len;
      continue;
    }
    const base = baseAt(body, pos);
    if (base === null) return null;
    const len = base + extra;
    if (pos + len > body.length) return null;
    blocks.push({ start: pos, end: pos + len, empty: false });
    lastLen = len;
    pos += len;
  }
  return { blocks, trailing: body.length - pos, extraPerBlock: extra };
}

/**
 * Split `body` (the INFO after INFOFLAG and COMMAND) into `count` blocks. Every block may carry the
 * same number of extra bytes after its base layout; the split that explains the most bytes wins
 * (fewest left over), and among equals the one with the shortest blocks. Null when no split fits.
 */
function splitBlocks(body: Uint8Array, count: number, baseAt: BaseLengthFn): BlockSplit | null {
  if (count === 0) return { blocks: [], trailing: body.length, extraPerBlock: 0 };
  if (count === 1) {
    // One block owns the whole body: a relay reply may be longer than a broadcast block.
    if (body.length === 0) return null;
    if (allZero(body, 0, body.length)) return { blocks: [{ start: 0, end: body.length, empty: true }], trailing: 0, extraPerBlock: 0 };
    const base = baseAt(body, 0);
    if (base === null || base > body.length) return null;
    return { blocks: [{ start: 0, end: body.length, empty: false }], trailing: 0, extraPerBlock: body.length - base };
  }
  let best: BlockSplit | null = null;
  for (let extra = 0; extra <= MAX_EXTRA_PER_BLOCK; extra++) {
    const r = walk(body, count, baseAt, extra);
    if (r === null) continue;
    if (best === null || r.trailing < best.trailing) best = r;
    if (r.trailing === 0) break;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Whole replies: INFOFLAG, COMMAND (address echo or pack count), then the blocks.

/** What every per-pack value type has in common. */
export interface PackBlockValue {
  empty: boolean;
  extraBytes?: number[];
}

/** One profile's block layout for one command. */
export interface BlockCodec<P extends PackBlockValue> {
  baseLength: BaseLengthFn;
  /** Decode one non-empty block; unread bytes at its end go to extraBytes. */
  decode: (r: ByteReader) => P;
  /** Encode one non-empty block including its extraBytes. */
  encode: (w: ByteWriter, pack: P) => void;
  empty: () => P;
  /**
   * Whether an empty pack still carries a layout (counts, P) to write; an empty pack without one is
   * written as a zero block.
   */
  hasLayout: (pack: P) => boolean;
  /** Zero-block length when the reply has no non-empty block to copy the length from. */
  defaultBlockBytes: number;
  /** How many leading extraBytes the dialect documents as reserved (not counted as unexplained). */
  reservedExtra?: (pack: P) => number;
}

export interface MultiPackReply<P> {
  infoFlag: number;
  broadcast: boolean;
  command: number;
  packs: P[];
  trailingBytes: number;
}

/**
 * Decode INFOFLAG, COMMAND and the pack blocks. `broadcast` undefined means the request is unknown
 * (decoder CLI): COMMAND is then read as a pack count when the body splits into exactly that many
 * blocks with nothing left over, else as an address echo.
 */
export function decodeMultiPack<P extends PackBlockValue>(
  info: Uint8Array,
  broadcast: boolean | undefined,
  codec: BlockCodec<P>,
  what: string
): MultiPackReply<P> {
  if (info.length < 2) throw new DecodeError(`${what} reply INFO has ${info.length} bytes; it needs at least INFOFLAG and COMMAND`);
  const infoFlag = info[0];
  const command = info[1];
  const body = info.subarray(2);
  let split: BlockSplit | null;
  let isBroadcast: boolean;
  if (broadcast === true) {
    split = splitBlocks(body, command, codec.baseLength);
    isBroadcast = true;
    if (split === null) {
      throw new DecodeError(`${what} broadcast reply says ${command} pack(s) but its ${body.length} bytes do not split into ${command} pack blocks`);
    }
  } else {
    const asMany = broadcast === undefined && command >= 2 && command <= 32 ? splitBlocks(body, command, codec.baseLength) : null;
    if (asMany !== null && asMany.trailing === 0) {
      split = asMany;
      isBroadcast = true;
    } else {
      split = splitBlocks(body, 1, codec.baseLength);
      isBroadcast = false;
      if (split === null) throw new DecodeError(`${what} reply for pack ${command}: its ${body.length} bytes are not a pack block`);
    }
  }
  const packs: P[] = split.blocks.map((span) => (span.empty ? codec.empty() : codec.decode(new ByteReader(body, span.start, span.end))));
  if (split.trailing > 0) {
    // Bytes after the last block belong to nobody; keep them on the last pack so the reply re-encodes.
    const last = packs[packs.length - 1];
    if (last === undefined || (last.empty && !codec.hasLayout(last))) {
      throw new DecodeError(`${what} reply: ${split.trailing} byte(s) after the last pack block`);
    }
    last.extraBytes = [...(last.extraBytes ?? []), ...body.subarray(body.length - split.trailing)];
  }
  const trailingBytes = packs.reduce((n, p) => n + Math.max(0, (p.extraBytes?.length ?? 0) - (codec.reservedExtra?.(p) ?? 0)), 0);
  return { infoFlag, broadcast: isBroadcast, command, packs, trailingBytes };
}

export function encodeMultiPack<P extends PackBlockValue>(reply: MultiPackReply<P>, codec: BlockCodec<P>): Uint8Array {
  const w = new ByteWriter();
  w.u8(reply.infoFlag, 'INFOFLAG');
  w.u8(reply.broadcast ? reply.packs.length : reply.command, 'COMMAND');
  const encoded = reply.packs.map((p) => {
    if (p.empty && !codec.hasLayout(p)) return null;
    const bw = new ByteWriter();
    codec.encode(bw, p);
    return bw.toBytes();
  });
  // An offline slave is a zero block as long as the others (§5.5).
  const zeroLen = encoded.find((b): b is Uint8Array => b !== null)?.length ?? codec.defaultBlockBytes;
  for (const b of encoded) {
    if (b === null) w.zeros(zeroLen);
    else w.bytes(b);
  }
  return w.toBytes();
}

// YMODEM-1K framing, shared by the sender (ymodem.ts) and the simulated bootloader
// (sim/bootloader.ts). Pure: no I/O, no timers.
//
// The packs' real image-transfer protocol after FF 50 is not published (reference §15, §17).
// YMODEM-1K with CRC-16 is our documented assumption (design.md), not a captured fact.
//
// A block on the wire:  SOH|STX  seq  255-seq  data(128|1024)  CRC-16/XMODEM(data) big-endian
// Block 0 carries "name\0size" (size in decimal); an all-NUL block 0 ends the batch.

import { crc16Xmodem } from './crc';

export const SOH = 0x01;
export const STX = 0x02;
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;
export const CAN = 0x18;
/** 'C': the receiver asks for a CRC-16 transfer (and, after block 0 or EOT, for the next file). */
export const CRC_REQUEST = 0x43;
/** Padding of the last data block (CP/M end-of-file); the receiver cuts at the size from block 0. */
export const SUB = 0x1a;

export type BlockSize = 128 | 1024;

/** Bytes a block occupies on the wire: header, seq, complement, data, two CRC bytes. */
export function blockWireLength(size: BlockSize): number {
  return 3 + size + 2;
}

/** The data size announced by a block's first byte, or null if it does not start a block. */
export function blockSizeFor(headerByte: number): BlockSize | null {
  if (headerByte === SOH) return 128;
  if (headerByte === STX) return 1024;
  return null;
}

/** One block ready to send; `data` shorter than `size` is padded with `pad`. */
export function encodeBlock(seq: number, data: Uint8Array, size: BlockSize, pad = SUB): Uint8Array {
  if (data.length > size) throw new RangeError(`${data.length} bytes do not fit a ${size}-byte block`);
  const out = new Uint8Array(blockWireLength(size));
  out[0] = size === 1024 ? STX : SOH;
  out[1] = seq & 0xff;
  out[2] = 0xff - (seq & 0xff);
  out.set(data, 3);
  out.fill(pad, 3 + data.length, 3 + size);
  const crc = crc16Xmodem(out, 3, 3 + size);
  out[3 + size] = crc >> 8;
  out[4 + size] = crc & 0xff;
  return out;
}

/** Block 0 for a file: "name\0size", NUL-padded; a 1 KiB block only when the name needs it. */
export function encodeHeaderBlock(name: string, size_bytes: number): Uint8Array {
  if (!Number.isSafeInteger(size_bytes) || size_bytes < 0) throw new RangeError(`file size ${size_bytes} is not a byte count`);
  // The receiver reads the name up to the first NUL, so only the base name in plain ASCII goes out.
  const base = name.split(/[\\/]/).pop() ?? '';
  const safe = Array.from(base, (ch) => (/^[\x21-\x7e]$/.test(ch) ? ch : '_')).join('') || 'firmware.bin';
  const text = `${safe}\0${size_bytes}`;
  const bytes = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
  if (bytes.length > 1024) throw new RangeError(`file name "${safe}" is too long for a YMODEM header block`);
  return encodeBlock(0, bytes, bytes.length <= 128 ? 128 : 1024, 0);
}

/** The all-NUL block 0 that closes a YMODEM batch. */
export function encodeEndOfBatchBlock(): Uint8Array {
  return encodeBlock(0, new Uint8Array(0), 128, 0);
}

export interface HeaderInfo {
  /** Empty for the end-of-batch block. */
  name: string;
  /** Null when the sender did not give a size (it is optional in YMODEM). */
  size_bytes: number | null;
}

/** Read block 0's data: "name\0size[ more fields]". */
export function parseHeaderBlock(data: Uint8Array): HeaderInfo {
  let i = 0;
  let name = '';
  while (i < data.length && data[i] !== 0) name += String.fromCharCode(data[i++]);
  i++;
  let digits = '';
  while (i < data.length && data[i] >= 0x30 && data[i] <= 0x39) digits += String.fromCharCode(data[i++]);
  const size = digits === '' ? null : Number(digits);
  return { name, size_bytes: size !== null && Number.isSafeInteger(size) ? size : null };
}

export type BlockCheck =
  | { readonly ok: true; readonly seq: number; readonly data: Uint8Array }
  | { readonly ok: false; readonly reason: 'header' | 'length' | 'sequence-complement' | 'crc' };

/** Check a whole received block (header byte included); `data` is a view into `block`. */
export function checkBlock(block: Uint8Array): BlockCheck {
  const size = blockSizeFor(block[0]);
  if (size === null) return { ok: false, reason: 'header' };
  if (block.length !== blockWireLength(size)) return { ok: false, reason: 'length' };
  if (((block[1] + block[2]) & 0xff) !== 0xff) return { ok: false, reason: 'sequence-complement' };
  const crc = crc16Xmodem(block, 3, 3 + size);
  if (crc !== ((block[3 + size] << 8) | block[4 + size])) return { ok: false, reason: 'crc' };
  return { ok: true, seq: block[1], data: block.subarray(3, 3 + size) };
}

// Intel HEX files, as compilers and vendors hand out firmware: parsed by nrf-intel-hex (Nordic
// Semiconductor, BSD-3-Clause; README "Firmware images" reproduces its notice), then laid out as
// one contiguous image from its lowest to its highest address, gaps filled with 0xFF (erased
// flash), which is what `objcopy -O binary` produces from the same file.
//
// A HEX file says where its bytes go but not which pack they are for, so unless its data is one
// of our containers, it is a raw image (preflight.ts).

import MemoryMap from 'nrf-intel-hex';
import { FirmwareError } from './errors';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './image';

export interface HexRange {
  /** First address, inclusive. */
  readonly start: number;
  /** Last address + 1. */
  readonly end: number;
}

export interface HexImage {
  /** Address of the first byte of `bytes`. */
  readonly baseAddress: number;
  readonly bytes: Uint8Array;
  /** The address ranges the file fills, in order; everything between them is 0xFF. */
  readonly ranges: readonly HexRange[];
}

export interface ParseHexOptions {
  /** Largest span (lowest to highest address) accepted. Default DEFAULT_MAX_PAYLOAD_BYTES. */
  maxSpan_bytes?: number;
}

function hexAddress(address: number): string {
  return `0x${address.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Does the text look like Intel HEX (a record mark, hex digits)? For format detection only. */
export function looksLikeIntelHex(bytes: Uint8Array): boolean {
  let i = 0;
  // A UTF-8 byte order mark and leading blank lines are tolerated.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x0d || bytes[i] === 0x0a || bytes[i] === 0x20)) i++;
  if (bytes[i] !== 0x3a) return false;
  for (let k = i + 1; k < Math.min(bytes.length, i + 11); k++) {
    const c = bytes[k];
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return false;
  }
  return true;
}

/** Parse an Intel HEX file into one contiguous image. Throws FirmwareError 'hex' | 'too-large'. */
export function parseIntelHex(bytes: Uint8Array, options: ParseHexOptions = {}): HexImage {
  const maxSpan_bytes = options.maxSpan_bytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  let text: string;
  try {
    text = new TextDecoder('ascii', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  } catch (e) {
    throw new FirmwareError('hex', 'The Intel HEX file could not be read as text.', { field: 'text', cause: e });
  }
  // nrf-intel-hex rejects anything after the EOF record, trailing newlines and spaces included.
  text = text.replace(/^\s+/, '').replace(/\s+$/, '');
  let map: MemoryMap;
  try {
    map = MemoryMap.fromHex(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new FirmwareError('hex', `The Intel HEX file is damaged: ${why}. Download it again or ask for the file in another format.`, {
      field: 'record',
      cause: e
    });
  }
  const blocks = [...map.entries()].filter(([, data]) => data.length > 0);
  if (blocks.length === 0) throw new FirmwareError('hex', 'The Intel HEX file holds no data records.', { field: 'record' });
  const baseAddress = blocks[0][0];
  const last = blocks[blocks.length - 1];
  const end = last[0] + last[1].length;
  const span = end - baseAddress;
  const ranges = blocks.map(([start, data]) => ({ start, end: start + data.length }));
  if (span > maxSpan_bytes) {
    const list = ranges.map((r) => `${hexAddress(r.start)}–${hexAddress(r.end - 1)}`).join(', ');
    throw new FirmwareError(
      'too-large',
      `The Intel HEX file spans ${span} bytes (${list}), more than the ${maxSpan_bytes} bytes of application flash: it probably also holds the bootloader or option bytes, which must not be sent.`,
      { field: 'address range', found: `${hexAddress(baseAddress)}–${hexAddress(end - 1)}`, expected: `at most ${maxSpan_bytes} bytes` }
    );
  }
  const out = new Uint8Array(span).fill(0xff);
  for (const [start, data] of blocks) out.set(data, start - baseAddress);
  return { baseAddress, bytes: out, ranges };
}

// Identity and bank size: 90H pack count, C1H software version (+ Bluetooth name on V3.1
// firmware), C2H BMS and pack serial numbers (reference §9). All three have an empty request
// INFO and answer only for the pack on the cable (90H on the master answers for the bank).

import { DecodeError, type Command } from '../command';
import { bytesToHex } from '../hex';
import { ByteReader, ByteWriter } from './byte-cursor';
import { decodeEmptyInfo, encodeEmpty, type EmptyRequest } from './payload';

export const CID2_PACK_COUNT = 0x90;
export const CID2_SOFTWARE_VERSION = 0xc1;
export const CID2_PRODUCT_INFO = 0xc2;

/** The requests of this module carry no INFO. */
export type { EmptyRequest };

export interface PackCountReply {
  /** Packs in the bank as the master counts them; 1 from any pack that is not the master. */
  packCount: number;
}

export interface SoftwareVersionReply {
  /** E.g. "P16S100A-1812-1.00", trailing spaces and NULs removed. */
  version: string;
  /** V3.1 firmware appends a 20-character Bluetooth device name; absent on older firmware. */
  bluetoothName?: string;
}

export interface ProductInfoReply {
  bmsSerial: string;
  /** Absent when the reply carries only the BMS serial (20 characters). */
  packSerial?: string;
}

/** Width of each fixed ASCII field in C1H / C2H. */
const ASCII_FIELD_CHARS = 20;

/** Printable text of a fixed-width field: padding spaces and NULs trimmed, other bytes as \xNN. */
export function asciiField(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else if (b === 0) out += '\0';
    else out += `\\x${bytesToHex([b])}`;
  }
  return out.replace(/[\s\0]+$/, '').replace(/^[\s\0]+/, '');
}

/** A string padded with spaces to a fixed-width field; throws when it does not fit or is not ASCII. */
export function padAscii(text: string, width = ASCII_FIELD_CHARS): Uint8Array {
  if (text.length > width) throw new RangeError(`"${text}" is longer than ${width} characters`);
  const out = new Uint8Array(width).fill(0x20);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`"${text}" has a character that is not printable ASCII at ${i}`);
    out[i] = c;
  }
  return out;
}

/** Split a C1H/C2H INFO into its 20-character fields; tolerates a short last field. */
function fields(info: Uint8Array, what: string): Uint8Array[] {
  if (info.length === 0) throw new DecodeError(`${what} reply has no INFO`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < info.length; i += ASCII_FIELD_CHARS) out.push(info.subarray(i, Math.min(info.length, i + ASCII_FIELD_CHARS)));
  return out;
}

export const readPackCount: Command<EmptyRequest, PackCountReply> = {
  cid2: CID2_PACK_COUNT,
  id: 'readPackCount',
  title: 'Number of packs in the bank',
  kind: 'read',
  encodeRequest: encodeEmpty,
  decodeRequest: decodeEmptyInfo,
  encodeReply: (res) => new ByteWriter().u8(res.packCount, 'pack count').toBytes(),
  decodeReply(info) {
    if (info.length !== 1) throw new DecodeError(`90H reply carries 1 byte (the pack count), got ${info.length}: ${bytesToHex(info)}`);
    const packCount = new ByteReader(info).u8('pack count');
    // V3.1 allows up to 32; anything above is not a count.
    if (packCount > 32) throw new DecodeError(`90H reply says ${packCount} packs; at most 32 can be linked`);
    return { packCount };
  },
  expectedReplyBytes: () => 1
};

export const readSoftwareVersion: Command<EmptyRequest, SoftwareVersionReply> = {
  cid2: CID2_SOFTWARE_VERSION,
  id: 'readSoftwareVersion',
  title: 'Software version (and Bluetooth name)',
  kind: 'read',
  encodeRequest: encodeEmpty,
  decodeRequest: decodeEmptyInfo,
  encodeReply(res) {
    const w = new ByteWriter().bytes(padAscii(res.version));
    if (res.bluetoothName !== undefined) w.bytes(padAscii(res.bluetoothName));
    return w.toBytes();
  },
  decodeReply(info) {
    const [version, name] = fields(info, 'C1H');
    const reply: SoftwareVersionReply = { version: asciiField(version) };
    if (name !== undefined) reply.bluetoothName = asciiField(name);
    return reply;
  },
  expectedReplyBytes: () => 2 * ASCII_FIELD_CHARS
};

export const readProductInfo: Command<EmptyRequest, ProductInfoReply> = {
  cid2: CID2_PRODUCT_INFO,
  id: 'readProductInfo',
  title: 'BMS and pack serial numbers',
  kind: 'read',
  encodeRequest: encodeEmpty,
  decodeRequest: decodeEmptyInfo,
  encodeReply(res) {
    const w = new ByteWriter().bytes(padAscii(res.bmsSerial));
    if (res.packSerial !== undefined) w.bytes(padAscii(res.packSerial));
    return w.toBytes();
  },
  decodeReply(info) {
    const [bms, pack] = fields(info, 'C2H');
    const reply: ProductInfoReply = { bmsSerial: asciiField(bms) };
    if (pack !== undefined) reply.packSerial = asciiField(pack);
    return reply;
  },
  expectedReplyBytes: () => 2 * ASCII_FIELD_CHARS
};

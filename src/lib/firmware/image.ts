// Our firmware image container, and its validation.
//
// The vendor's image format is not published (reference §15), so this is OUR container, not the
// vendor's: a fixed 128-byte little-endian header followed by the payload that the bootloader
// writes to flash. Every check here runs before the pack is touched, and every error names the
// field, the value found and the likely cause.
//
//   offset size field
//        0    4 magic "PKFW"
//        4    2 header version (1)
//        6    2 header length in bytes (128 for version 1)
//        8   16 target model, ASCII, NUL-padded           ("P16S100A")
//       24   32 hardware patterns, ASCII, NUL-padded ("1812,2147?" or "*"; identity.ts)
//       56   16 firmware version, ASCII, NUL-padded       ("1.07")
//       72    4 payload length in bytes
//       76    4 payload CRC-32
//       80    4 build time, Unix seconds UTC
//       84   40 reserved, zero
//      124    4 header CRC-32 over bytes 0..123
//      128    … payload

import { crc32, crc32Hex } from './crc';
import { FirmwareError } from './errors';

export const IMAGE_MAGIC: readonly number[] = [0x50, 0x4b, 0x46, 0x57]; // "PKFW"
export const IMAGE_HEADER_VERSION = 1;
export const IMAGE_HEADER_BYTES = 128;
/** Our assumption of the flash left for the application on the pack's MCU (1 MiB part). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

const FIELD = {
  magic: { offset: 0, size: 4 },
  headerVersion: { offset: 4, size: 2 },
  headerLength: { offset: 6, size: 2 },
  model: { offset: 8, size: 16 },
  hardwareCompat: { offset: 24, size: 32 },
  firmwareVersion: { offset: 56, size: 16 },
  payloadLength: { offset: 72, size: 4 },
  payloadCrc: { offset: 76, size: 4 },
  builtAt: { offset: 80, size: 4 },
  headerCrc: { offset: 124, size: 4 }
} as const;

export interface FirmwareImageMeta {
  /** The pack model the image is for, as the pack's version string starts: "P16S100A". */
  readonly model: string;
  /**
   * Board revisions the image runs on, as in the second part of the pack's version string
   * ("P16S100A-1812-1.00" has board "1812"): comma-separated patterns with the wildcards * and ?
   * ("1812,2147?"), or "*" for any (identity.ts).
   */
  readonly hardwareCompat: string;
  readonly firmwareVersion: string;
  /** Build time, Unix seconds UTC. */
  readonly builtAt_s: number;
}

export interface FirmwareImage extends FirmwareImageMeta {
  readonly headerVersion: number;
  /** What the bootloader writes to flash (a view into `bytes`). */
  readonly payload: Uint8Array;
  readonly payloadCrc32: number;
  /** The whole container as parsed: this is what gets sent to the pack and stored. */
  readonly bytes: Uint8Array;
}

export interface ParseImageOptions {
  /** Largest payload accepted, in bytes. Default DEFAULT_MAX_PAYLOAD_BYTES. */
  maxPayload_bytes?: number;
}

function hexList(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}

/** A guess at what a file that is not our image is, so the message can say what went wrong. */
function describeForeignFile(bytes: Uint8Array): string {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'This is a ZIP archive: extract the firmware file (.pkfw) from it and choose that.';
  if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return 'This is an ELF build output, not a release image.';
  if (bytes[0] === 0x3a) return 'This looks like an Intel HEX file; this tool needs the packaged image (.pkfw).';
  if (bytes[0] === 0x3c || bytes[0] === 0x7b)
    return 'This looks like a text, HTML or JSON document, perhaps an error page saved instead of the download.';
  return 'This is not a firmware image for this tool: probably the wrong file was chosen.';
}

function readU16(bytes: Uint8Array, offset: number): number {
  return bytes[offset] | (bytes[offset + 1] << 8);
}

function readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

function writeU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
}

function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  for (let i = 0; i < 4; i++) bytes[offset + i] = (value >>> (8 * i)) & 0xff;
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function readText(bytes: Uint8Array, field: { offset: number; size: number }, name: string): string {
  let text = '';
  for (let i = field.offset; i < field.offset + field.size; i++) {
    const c = bytes[i];
    if (c === 0) break;
    if (c < 0x20 || c > 0x7e) {
      throw new FirmwareError(
        'unsupported-header',
        `The ${name} field holds byte ${c.toString(16).toUpperCase().padStart(2, '0')}H at offset ${i}, which is not printable ASCII. The header passed its CRC, so the image was built by an incompatible tool.`,
        { field: name, found: hexList(bytes.subarray(field.offset, field.offset + field.size)), offset: i }
      );
    }
    text += String.fromCharCode(c);
  }
  return text;
}

function writeText(bytes: Uint8Array, field: { offset: number; size: number }, name: string, text: string): void {
  if (!isPrintableAscii(text)) throw new RangeError(`${name} "${text}" must be printable ASCII`);
  if (text.length > field.size) throw new RangeError(`${name} "${text}" is longer than its ${field.size}-byte field`);
  for (let i = 0; i < text.length; i++) bytes[field.offset + i] = text.charCodeAt(i);
}

function headerTruncated(length_bytes: number): FirmwareError {
  return new FirmwareError(
    'truncated',
    `The file is only ${length_bytes} bytes long, shorter than the ${IMAGE_HEADER_BYTES}-byte header: the download or copy was cut off.`,
    {
      field: 'file length',
      found: String(length_bytes),
      expected: `at least ${IMAGE_HEADER_BYTES}`
    }
  );
}

/**
 * Build an image file from metadata and payload (for tests, the simulator and the demo catalog).
 * Throws RangeError on metadata that cannot be stored.
 */
export function buildFirmwareImage(meta: FirmwareImageMeta, payload: Uint8Array): Uint8Array {
  if (meta.model.trim() === '') throw new RangeError('model must not be empty');
  if (meta.hardwareCompat.trim() === '') throw new RangeError('hardwareCompat must not be empty (use "*" for any board)');
  if (!Number.isInteger(meta.builtAt_s) || meta.builtAt_s < 0 || meta.builtAt_s > 0xffffffff) {
    throw new RangeError(`builtAt_s ${meta.builtAt_s} must be a whole number of seconds in 0..2^32-1`);
  }
  if (payload.length > 0xffffffff) throw new RangeError('payload does not fit a 32-bit length');
  const out = new Uint8Array(IMAGE_HEADER_BYTES + payload.length);
  out.set(IMAGE_MAGIC, FIELD.magic.offset);
  writeU16(out, FIELD.headerVersion.offset, IMAGE_HEADER_VERSION);
  writeU16(out, FIELD.headerLength.offset, IMAGE_HEADER_BYTES);
  writeText(out, FIELD.model, 'model', meta.model);
  writeText(out, FIELD.hardwareCompat, 'hardwareCompat', meta.hardwareCompat);
  writeText(out, FIELD.firmwareVersion, 'firmwareVersion', meta.firmwareVersion);
  writeU32(out, FIELD.payloadLength.offset, payload.length);
  writeU32(out, FIELD.payloadCrc.offset, crc32(payload));
  writeU32(out, FIELD.builtAt.offset, meta.builtAt_s);
  writeU32(out, FIELD.headerCrc.offset, crc32(out, 0, FIELD.headerCrc.offset));
  out.set(payload, IMAGE_HEADER_BYTES);
  return out;
}

/** The header fields of an image, read and checked without its payload. */
export interface FirmwareImageHeader extends FirmwareImageMeta {
  readonly headerVersion: number;
  readonly payloadLength: number;
  readonly payloadCrc32: number;
}

/**
 * Read and check an image's header from the first bytes of the file (at least 128): magic,
 * header version and length, header CRC, text fields, payload size against the flash. A
 * bootloader uses this on its first data block to refuse a wrong image before erasing anything.
 * Throws FirmwareError ('bad-magic' | 'truncated' | 'unsupported-header' | 'crc' | 'too-large').
 */
export function parseImageHeader(bytes: Uint8Array, options: ParseImageOptions = {}): FirmwareImageHeader {
  const maxPayload_bytes = options.maxPayload_bytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (bytes.length === 0) {
    throw new FirmwareError('truncated', 'The file is empty (0 bytes): the download or copy did not complete.', {
      field: 'file length',
      found: '0',
      expected: `at least ${IMAGE_HEADER_BYTES}`
    });
  }
  // A file shorter than the magic that matches so far is a cut-off image, not a foreign file.
  const magicFound = bytes.subarray(0, Math.min(bytes.length, IMAGE_MAGIC.length));
  if (!magicFound.every((b, i) => b === IMAGE_MAGIC[i])) {
    throw new FirmwareError(
      'bad-magic',
      `The file starts with ${hexList(magicFound)} instead of the magic "PKFW" (50 4B 46 57). ${describeForeignFile(bytes)}`,
      {
        field: 'magic',
        found: hexList(magicFound),
        expected: hexList(Uint8Array.from(IMAGE_MAGIC)),
        offset: 0
      }
    );
  }
  if (bytes.length < FIELD.headerLength.offset + FIELD.headerLength.size) {
    throw headerTruncated(bytes.length);
  }
  const headerVersion = readU16(bytes, FIELD.headerVersion.offset);
  if (headerVersion !== IMAGE_HEADER_VERSION) {
    const why = headerVersion > IMAGE_HEADER_VERSION ? 'It was made by a newer tool: update this app.' : 'The file is damaged or not one of ours.';
    throw new FirmwareError(
      'unsupported-header',
      `Header version ${headerVersion} is not supported (this app reads version ${IMAGE_HEADER_VERSION}). ${why}`,
      {
        field: 'header version',
        found: String(headerVersion),
        expected: String(IMAGE_HEADER_VERSION),
        offset: FIELD.headerVersion.offset
      }
    );
  }
  const headerLength = readU16(bytes, FIELD.headerLength.offset);
  if (headerLength !== IMAGE_HEADER_BYTES) {
    throw new FirmwareError(
      'unsupported-header',
      `Header length ${headerLength} does not match version ${IMAGE_HEADER_VERSION}'s ${IMAGE_HEADER_BYTES} bytes: the file is damaged or made by an incompatible tool.`,
      {
        field: 'header length',
        found: String(headerLength),
        expected: String(IMAGE_HEADER_BYTES),
        offset: FIELD.headerLength.offset
      }
    );
  }
  if (bytes.length < IMAGE_HEADER_BYTES) {
    throw headerTruncated(bytes.length);
  }
  const headerCrcStored = readU32(bytes, FIELD.headerCrc.offset);
  const headerCrcActual = crc32(bytes, 0, FIELD.headerCrc.offset);
  if (headerCrcStored !== headerCrcActual) {
    throw new FirmwareError(
      'crc',
      `The header CRC-32 is ${crc32Hex(headerCrcActual)} but the file says ${crc32Hex(headerCrcStored)}: the header is corrupted (damaged download or storage).`,
      {
        field: 'header CRC-32',
        found: crc32Hex(headerCrcActual),
        expected: crc32Hex(headerCrcStored),
        offset: FIELD.headerCrc.offset
      }
    );
  }
  const model = readText(bytes, FIELD.model, 'model');
  const hardwareCompat = readText(bytes, FIELD.hardwareCompat, 'hardware compatibility');
  const firmwareVersion = readText(bytes, FIELD.firmwareVersion, 'firmware version');
  if (model.trim() === '') {
    throw new FirmwareError('unsupported-header', 'The model field is empty: the image does not say which pack it is for, so it cannot be checked.', {
      field: 'model',
      found: '',
      offset: FIELD.model.offset
    });
  }
  const payloadLength = readU32(bytes, FIELD.payloadLength.offset);
  if (payloadLength > maxPayload_bytes) {
    throw new FirmwareError(
      'too-large',
      `The payload is ${payloadLength} bytes, more than the ${maxPayload_bytes} bytes of flash available: this image is not for this pack.`,
      {
        field: 'payload length',
        found: String(payloadLength),
        expected: `at most ${maxPayload_bytes}`,
        offset: FIELD.payloadLength.offset
      }
    );
  }
  return {
    headerVersion,
    model,
    hardwareCompat,
    firmwareVersion,
    builtAt_s: readU32(bytes, FIELD.builtAt.offset),
    payloadLength,
    payloadCrc32: readU32(bytes, FIELD.payloadCrc.offset)
  };
}

/**
 * Parse and verify an image file: the header (parseImageHeader), then payload length and CRC.
 * Throws FirmwareError ('bad-magic' | 'truncated' | 'unsupported-header' | 'crc' | 'too-large').
 * Compatibility with a particular pack is a separate question: checkCompatibility() in identity.ts.
 */
export function parseFirmwareImage(bytes: Uint8Array, options: ParseImageOptions = {}): FirmwareImage {
  const header = parseImageHeader(bytes, options);
  const fileLength = IMAGE_HEADER_BYTES + header.payloadLength;
  if (bytes.length < fileLength) {
    throw new FirmwareError(
      'truncated',
      `The file is ${bytes.length} bytes but its header declares ${fileLength} (${header.payloadLength} bytes of payload): the download or copy was cut off.`,
      {
        field: 'file length',
        found: String(bytes.length),
        expected: String(fileLength)
      }
    );
  }
  if (bytes.length > fileLength) {
    throw new FirmwareError(
      'too-large',
      `The file is ${bytes.length} bytes but its header declares ${fileLength}: ${bytes.length - fileLength} bytes were appended, so it is not the file that was built.`,
      {
        field: 'file length',
        found: String(bytes.length),
        expected: String(fileLength)
      }
    );
  }
  const payload = bytes.subarray(IMAGE_HEADER_BYTES, fileLength);
  const payloadCrcActual = crc32(payload);
  if (payloadCrcActual !== header.payloadCrc32) {
    throw new FirmwareError(
      'crc',
      `The payload CRC-32 is ${crc32Hex(payloadCrcActual)} but the header says ${crc32Hex(header.payloadCrc32)}: the firmware data is corrupted (damaged download or storage).`,
      {
        field: 'payload CRC-32',
        found: crc32Hex(payloadCrcActual),
        expected: crc32Hex(header.payloadCrc32),
        offset: IMAGE_HEADER_BYTES
      }
    );
  }
  return {
    headerVersion: header.headerVersion,
    model: header.model,
    hardwareCompat: header.hardwareCompat,
    firmwareVersion: header.firmwareVersion,
    builtAt_s: header.builtAt_s,
    payload,
    payloadCrc32: header.payloadCrc32,
    bytes: bytes.subarray(0, fileLength)
  };
}

// One entry point for every firmware file a person can bring: our package (.pkpg), our container
// (.pkfw), Intel HEX (.hex) and raw binary (.bin). The format is told by the content, not the file
// name, and everything that can be checked without the pack is checked here.
//
// A file that names its model (package, container, or a HEX whose data is a container) comes out
// 'identified'; a HEX or binary of application code comes out 'raw' and can only be sent with the
// expert confirmation (preflight.ts). Files that are plainly no firmware (ZIP, ELF, an HTML error
// page, JSON) are refused rather than taken for a raw binary.

import { FirmwareError } from './errors';
import { IMAGE_MAGIC, parseFirmwareImage, type FirmwareImage, DEFAULT_MAX_PAYLOAD_BYTES } from './image';
import { looksLikeIntelHex, parseIntelHex } from './intel-hex';
import type { ImageManifest } from './manifest';
import { looksLikePackage, parsePackage } from './package';
import { sha256Hex } from './sha256';

export type FirmwareFileFormat = 'package' | 'container' | 'intel-hex' | 'binary';

interface LoadedBase {
  readonly format: FirmwareFileFormat;
  readonly fileName: string;
  /** SHA-256 of the file as given: the key it is cached under. */
  readonly fileSha256: string;
  readonly fileSize_bytes: number;
}

/** A file that says which pack it is for. */
export interface IdentifiedFirmware extends LoadedBase {
  readonly kind: 'identified';
  readonly format: 'package' | 'container' | 'intel-hex';
  /** The container the bootloader receives, verified. */
  readonly image: FirmwareImage;
  /** Release notes and SHA-256 of a package; null for a bare container. */
  readonly manifest: ImageManifest | null;
}

/** Application bytes with no model or version: sendable only with the expert confirmation. */
export interface RawFirmware extends LoadedBase {
  readonly kind: 'raw';
  readonly format: 'intel-hex' | 'binary';
  readonly payload: Uint8Array;
  /** Flash address of the first byte, from a HEX file; null for a binary. */
  readonly baseAddress: number | null;
}

export type LoadedFirmware = IdentifiedFirmware | RawFirmware;

export interface LoadOptions {
  /** Largest payload accepted. Default DEFAULT_MAX_PAYLOAD_BYTES. */
  maxPayload_bytes?: number;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** Why a file is plainly not firmware, or null when it may be a raw binary. */
function notFirmware(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'This is a ZIP archive: extract the firmware file from it and choose that.';
  if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return 'This is an ELF build output, not a release image: ask for the .hex or .bin file.';
  // Text documents: the first bytes are all printable and start like HTML, XML or JSON.
  const head = bytes.subarray(0, Math.min(bytes.length, 64));
  const printable = head.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d);
  const first = head.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  if (printable && (first === 0x3c || first === 0x7b || first === 0x5b)) {
    return 'This is a text document (HTML, XML or JSON), perhaps an error page saved instead of the download.';
  }
  return null;
}

/** Read a firmware file of any accepted format. Throws FirmwareError saying what is wrong. */
export async function loadFirmwareFile(bytes: Uint8Array, fileName: string, options: LoadOptions = {}): Promise<LoadedFirmware> {
  const maxPayload_bytes = options.maxPayload_bytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (bytes.length === 0) {
    throw new FirmwareError('truncated', `${fileName} is empty (0 bytes): the download or copy did not complete.`, {
      field: 'file length',
      found: '0'
    });
  }
  const base = { fileName, fileSha256: await sha256Hex(bytes), fileSize_bytes: bytes.length };
  if (looksLikePackage(bytes)) {
    const pkg = await parsePackage(bytes, { maxPayload_bytes });
    return { ...base, kind: 'identified', format: 'package', image: pkg.image, manifest: pkg.manifest };
  }
  if (startsWith(bytes, IMAGE_MAGIC)) {
    return { ...base, kind: 'identified', format: 'container', image: parseFirmwareImage(bytes, { maxPayload_bytes }), manifest: null };
  }
  if (looksLikeIntelHex(bytes)) {
    const hex = parseIntelHex(bytes, { maxSpan_bytes: maxPayload_bytes + 128 });
    // A container written out as HEX (some tools only move .hex files) is still identified.
    if (startsWith(hex.bytes, IMAGE_MAGIC)) {
      return { ...base, kind: 'identified', format: 'intel-hex', image: parseFirmwareImage(hex.bytes, { maxPayload_bytes }), manifest: null };
    }
    if (hex.bytes.length > maxPayload_bytes) {
      throw new FirmwareError(
        'too-large',
        `The HEX data is ${hex.bytes.length} bytes, more than the ${maxPayload_bytes} bytes of application flash.`,
        {
          field: 'payload length',
          found: String(hex.bytes.length),
          expected: `at most ${maxPayload_bytes}`
        }
      );
    }
    return { ...base, kind: 'raw', format: 'intel-hex', payload: hex.bytes, baseAddress: hex.baseAddress };
  }
  const foreign = notFirmware(bytes);
  if (foreign) throw new FirmwareError('unknown-format', `${fileName} is not a firmware file. ${foreign}`, { field: 'format' });
  if (bytes.length > maxPayload_bytes) {
    throw new FirmwareError('too-large', `${fileName} is ${bytes.length} bytes, more than the ${maxPayload_bytes} bytes of application flash.`, {
      field: 'payload length',
      found: String(bytes.length),
      expected: `at most ${maxPayload_bytes}`
    });
  }
  return { ...base, kind: 'raw', format: 'binary', payload: bytes, baseAddress: null };
}

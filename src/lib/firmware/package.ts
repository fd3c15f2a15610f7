// Our firmware package: a release as one file, the PKFW container (image.ts) wrapped with its
// manifest (manifest.ts): release notes, SHA-256, and the fields the catalog lists. The container
// stays exactly what the bootloader receives and what the catalog links to; the package adds what
// only the app needs, so neither format has to change for the other.
//
//   offset size field (little-endian)
//        0    4 magic "PKPG"
//        4    2 format version (1)
//        6    2 reserved, zero
//        8    4 manifest length M in bytes (1..65536)
//       12    4 CRC-32 of the manifest bytes
//       16    M manifest: a UTF-8 JSON object (manifest.ts)
//     16+M    N the image: one PKFW container; N = manifest "size", nothing after it
//
// Reading checks, in order: magic, version, manifest CRC, manifest fields, image length, image
// CRC-32 and SHA-256 against the manifest, the container's own header and payload CRCs, and that
// manifest and container header agree on model, hardware and version.

import { crc32, crc32Hex } from './crc';
import { FirmwareError } from './errors';
import { FieldReader } from './fields';
import { parseFirmwareImage, type FirmwareImage, type ParseImageOptions } from './image';
import { manifestJson, readManifestFields, type ImageManifest, type ReleaseNotes } from './manifest';
import { sha256Hex } from './sha256';

export const PACKAGE_MAGIC: readonly number[] = [0x50, 0x4b, 0x50, 0x47]; // "PKPG"
export const PACKAGE_VERSION = 1;
export const PACKAGE_HEADER_BYTES = 16;
export const MAX_MANIFEST_BYTES = 65_536;

export interface FirmwarePackage {
  readonly manifest: ImageManifest;
  /** The container inside, parsed and verified. */
  readonly image: FirmwareImage;
}

function u16(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8);
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function putU32(bytes: Uint8Array, at: number, value: number): void {
  for (let i = 0; i < 4; i++) bytes[at + i] = (value >>> (8 * i)) & 0xff;
}

/** True when the file starts like a package (the loader's format detection). */
export function looksLikePackage(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && PACKAGE_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Wrap a PKFW container into a package. Model, hardware, version, size and checksums come from the
 * container itself; the caller adds the release date and notes.
 */
export async function buildPackage(container: Uint8Array, extra: { released?: string | null; notes: ReleaseNotes }): Promise<Uint8Array> {
  const image = parseFirmwareImage(container);
  const manifest: ImageManifest = {
    model: image.model,
    hardware: image.hardwareCompat,
    version: image.firmwareVersion,
    size_bytes: image.bytes.length,
    crc32: crc32Hex(crc32(image.bytes)),
    sha256: await sha256Hex(image.bytes),
    released: extra.released ?? null,
    notes: extra.notes
  };
  // Validate what we write with the reader's own rules, so we never publish a package we refuse.
  readManifestFields(new FieldReader('manifest', '', manifestJson(manifest)));
  const json = new TextEncoder().encode(JSON.stringify(manifestJson(manifest)));
  if (json.length > MAX_MANIFEST_BYTES) throw new RangeError(`the manifest is ${json.length} bytes; at most ${MAX_MANIFEST_BYTES} fit`);
  const out = new Uint8Array(PACKAGE_HEADER_BYTES + json.length + image.bytes.length);
  out.set(PACKAGE_MAGIC, 0);
  out[4] = PACKAGE_VERSION;
  putU32(out, 8, json.length);
  putU32(out, 12, crc32(json));
  out.set(json, PACKAGE_HEADER_BYTES);
  out.set(image.bytes, PACKAGE_HEADER_BYTES + json.length);
  return out;
}

function truncated(length: number, expected: number, what: string): FirmwareError {
  return new FirmwareError(
    'truncated',
    `The package is ${length} bytes, shorter than its ${what} (${expected} bytes): the download or copy was cut off.`,
    {
      field: 'file length',
      found: String(length),
      expected: `at least ${expected}`
    }
  );
}

/** Parse and verify a package file. Throws FirmwareError naming the field that failed. */
export async function parsePackage(bytes: Uint8Array, options: ParseImageOptions = {}): Promise<FirmwarePackage> {
  if (!looksLikePackage(bytes)) {
    throw new FirmwareError('bad-magic', 'The file does not start with the package magic "PKPG".', { field: 'magic', offset: 0 });
  }
  if (bytes.length < PACKAGE_HEADER_BYTES) throw truncated(bytes.length, PACKAGE_HEADER_BYTES, 'header');
  const version = u16(bytes, 4);
  if (version !== PACKAGE_VERSION) {
    throw new FirmwareError(
      'unsupported-header',
      `Package format ${version} is not supported (this app reads format ${PACKAGE_VERSION}). ${version > PACKAGE_VERSION ? 'It was made by a newer tool: update this app.' : 'The file is damaged.'}`,
      { field: 'package version', found: String(version), expected: String(PACKAGE_VERSION), offset: 4 }
    );
  }
  const manifestLength = u32(bytes, 8);
  if (manifestLength < 2 || manifestLength > MAX_MANIFEST_BYTES) {
    throw new FirmwareError('unsupported-header', `The manifest length ${manifestLength} is outside 2..${MAX_MANIFEST_BYTES}: the file is damaged.`, {
      field: 'manifest length',
      found: String(manifestLength),
      offset: 8
    });
  }
  const imageStart = PACKAGE_HEADER_BYTES + manifestLength;
  if (bytes.length < imageStart) throw truncated(bytes.length, imageStart, 'manifest');
  const manifestBytes = bytes.subarray(PACKAGE_HEADER_BYTES, imageStart);
  const manifestCrc = crc32(manifestBytes);
  if (manifestCrc !== u32(bytes, 12)) {
    throw new FirmwareError(
      'crc',
      `The manifest CRC-32 is ${crc32Hex(manifestCrc)} but the package says ${crc32Hex(u32(bytes, 12))}: the manifest is corrupted.`,
      { field: 'manifest CRC-32', found: crc32Hex(manifestCrc), expected: crc32Hex(u32(bytes, 12)), offset: 12 }
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
  } catch (e) {
    throw new FirmwareError('manifest', `The package manifest is not valid UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`, {
      field: '(JSON)',
      cause: e
    });
  }
  const manifest = readManifestFields(new FieldReader('manifest', '', json));

  const imageBytes = bytes.subarray(imageStart);
  if (imageBytes.length < manifest.size_bytes) {
    throw new FirmwareError(
      'truncated',
      `The package holds ${imageBytes.length} bytes of image where its manifest declares ${manifest.size_bytes}: the download or copy was cut off.`,
      { field: 'image length', found: String(imageBytes.length), expected: String(manifest.size_bytes) }
    );
  }
  if (imageBytes.length > manifest.size_bytes) {
    throw new FirmwareError(
      'too-large',
      `The package holds ${imageBytes.length} bytes of image where its manifest declares ${manifest.size_bytes}: bytes were appended, so it is not the file that was built.`,
      { field: 'image length', found: String(imageBytes.length), expected: String(manifest.size_bytes) }
    );
  }
  const imageCrc = crc32Hex(crc32(imageBytes));
  if (imageCrc !== manifest.crc32) {
    throw new FirmwareError('crc', `The image CRC-32 is ${imageCrc} but the manifest says ${manifest.crc32}: the image is corrupted.`, {
      field: 'image CRC-32',
      found: imageCrc,
      expected: manifest.crc32
    });
  }
  const imageSha = await sha256Hex(imageBytes);
  if (imageSha !== manifest.sha256) {
    throw new FirmwareError(
      'sha256',
      `The image SHA-256 is ${imageSha} but the manifest says ${manifest.sha256}: the image is not the one released.`,
      {
        field: 'image SHA-256',
        found: imageSha,
        expected: manifest.sha256
      }
    );
  }
  const image = parseFirmwareImage(imageBytes, options);
  const disagree = (field: string, fromManifest: string, fromImage: string) =>
    new FirmwareError(
      'manifest',
      `The manifest says ${field} ${fromManifest} but the image header says ${fromImage}: the package was put together wrongly.`,
      { field, found: fromImage, expected: fromManifest }
    );
  if (manifest.model.toUpperCase() !== image.model.toUpperCase()) throw disagree('model', manifest.model, image.model);
  if (manifest.hardware !== image.hardwareCompat.trim()) throw disagree('hardware', manifest.hardware, image.hardwareCompat);
  if (manifest.version !== image.firmwareVersion.trim()) throw disagree('version', manifest.version, image.firmwareVersion);
  return { manifest, image };
}

// The manifest of a firmware release: what a package file carries beside its image, and what each
// entry of the catalog says about the image it links to. One schema for both, validated field by
// field (fields.ts), so a catalog entry and a package are checked by the same rules.
//
//   model     "P16S100A"            the pack model, as C1H starts (at most 16 characters)
//   hardware  "1812,2147?"          board patterns (identity.ts), "*" for any (at most 32)
//   version   "1.10"                the firmware version C1H reports after the update
//   size      204928                bytes of the image (the PKFW container the bootloader receives)
//   crc32     "89ABCDEF"            CRC-32 of those bytes, 8 hex digits
//   sha256    "3f…"                 SHA-256 of those bytes, 64 hex digits
//   released  "2025-11-20"          optional release date
//   notes     {"en": "…", "zh-CN": "…"} or one string   release notes per locale

import { DEFAULT_MAX_PAYLOAD_BYTES, IMAGE_HEADER_BYTES } from './image';
import { hardwareFieldProblem } from './identity';
import { FieldReader, fieldError, isCalendarDate, isObject } from './fields';

/** Release notes by locale ("en", "zh-CN"); English is the fallback. */
export type ReleaseNotes = Readonly<Record<string, string>>;

export interface ImageManifest {
  readonly model: string;
  readonly hardware: string;
  readonly version: string;
  readonly size_bytes: number;
  /** 8 upper-case hex digits. */
  readonly crc32: string;
  /** 64 lower-case hex digits. */
  readonly sha256: string;
  /** "YYYY-MM-DD", or null when not given. */
  readonly released: string | null;
  readonly notes: ReleaseNotes;
}

const PRINTABLE = /^[\x20-\x7e]+$/;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** Read the manifest fields of `reader`'s object (a package manifest or a catalog release). */
export function readManifestFields(reader: FieldReader): ImageManifest {
  const model = reader.string('model', { pattern: PRINTABLE, expected: 'a model name in printable ASCII', maxLength: 16 });
  const hardware = reader.string('hardware', { pattern: PRINTABLE, expected: 'board patterns such as "1812,21473" or "*"', maxLength: 32 });
  const hardwareProblem = hardwareFieldProblem(hardware);
  if (hardwareProblem)
    throw fieldError(reader.kind, reader.at('hardware'), `board patterns such as "1812,2147?" or "*" (it ${hardwareProblem})`, hardware);
  const version = reader.string('version', { pattern: PRINTABLE, expected: 'a version in printable ASCII', maxLength: 16 });
  const size_bytes = reader.integer('size', IMAGE_HEADER_BYTES, IMAGE_HEADER_BYTES + DEFAULT_MAX_PAYLOAD_BYTES);
  const crc32 = reader.string('crc32', { pattern: /^[0-9a-fA-F]{8}$/, expected: 'a CRC-32 of 8 hex digits' }).toUpperCase();
  const sha256 = reader.string('sha256', { pattern: /^[0-9a-fA-F]{64}$/, expected: 'a SHA-256 of 64 hex digits' }).toLowerCase();
  const released = reader.optionalString('released', { expected: 'a date as YYYY-MM-DD' });
  if (released !== null && !isCalendarDate(released)) throw fieldError(reader.kind, reader.at('released'), 'a date as YYYY-MM-DD', released);
  return { model, hardware, version, size_bytes, crc32, sha256, released, notes: readNotes(reader) };
}

function readNotes(reader: FieldReader): ReleaseNotes {
  const value = reader.raw('notes');
  const path = reader.at('notes');
  if (typeof value === 'string' && value.trim() !== '') return { en: value.trim() };
  if (!isObject(value)) throw fieldError(reader.kind, path, 'release notes: a text, or texts by locale such as {"en": "…"}', value);
  const notes: Record<string, string> = {};
  for (const [locale, text] of Object.entries(value)) {
    if (!LOCALE.test(locale)) throw fieldError(reader.kind, `${path}`, `locales such as "en" or "zh-CN" as keys`, locale);
    if (typeof text !== 'string' || text.trim() === '') throw fieldError(reader.kind, `${path}.${locale}`, 'a non-empty text', text);
    notes[locale] = text.trim();
  }
  if (Object.keys(notes).length === 0) throw fieldError(reader.kind, path, 'release notes in at least one language', value);
  return notes;
}

/** The notes for `locale`: that locale, then its language ("zh" for "zh-CN"), then English, then any. */
export function notesFor(notes: ReleaseNotes, locale: string): string {
  const language = locale.split('-')[0];
  const sameLanguage = Object.keys(notes).find((k) => k.split('-')[0] === language);
  return notes[locale] ?? (sameLanguage ? notes[sameLanguage] : undefined) ?? notes.en ?? Object.values(notes)[0] ?? '';
}

/** The manifest as JSON fields (the inverse of readManifestFields). */
export function manifestJson(manifest: ImageManifest): Record<string, unknown> {
  const out: Record<string, unknown> = {
    model: manifest.model,
    hardware: manifest.hardware,
    version: manifest.version,
    size: manifest.size_bytes,
    crc32: manifest.crc32,
    sha256: manifest.sha256
  };
  if (manifest.released !== null) out.released = manifest.released;
  out.notes = manifest.notes;
  return out;
}

// The firmware catalog: a JSON file at a configurable URL listing released images, validated field
// by field on load so a corrupt catalog names the field ("releases[2].sha256"), and searched for
// the newest release that fits a pack.
//
//   {
//     "schema": 1,
//     "title": "…",                      optional
//     "releases": [
//       { "model": "P16S100A", "hardware": "1812,21473", "version": "1.10",
//         "released": "2025-11-20", "file": "P16S100A-1812-1.10.pkfw",
//         "size": 198500, "crc32": "…", "sha256": "…",
//         "notes": { "en": "…", "zh-CN": "…" } }
//     ]
//   }
//
// Each release is a manifest (manifest.ts) plus "file", the PKFW container's URL relative to the
// catalog. Unknown fields are ignored, so a newer catalog still loads in an older app.

import { FirmwareError } from './errors';
import { FieldReader, fieldError } from './fields';
import { checkCompatibility, type PackIdentity } from './identity';
import { readManifestFields, type ImageManifest } from './manifest';
import { compareFirmwareVersions, sameFirmwareVersion } from './version';

export const CATALOG_SCHEMA = 1;

export interface CatalogRelease extends ImageManifest {
  /** The container's URL, relative to the catalog's. */
  readonly file: string;
}

export interface FirmwareCatalog {
  readonly schema: number;
  readonly title: string | null;
  readonly releases: readonly CatalogRelease[];
}

/** Parse and validate catalog JSON text. Throws FirmwareError 'catalog' naming the field. */
export function parseCatalog(text: string): FirmwareCatalog {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FirmwareError('catalog', `The firmware catalog is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, {
      field: '(JSON)',
      cause: e
    });
  }
  const top = new FieldReader('catalog', '', json);
  const schema = top.integer('schema', 1, 1000);
  if (schema !== CATALOG_SCHEMA) {
    throw new FirmwareError(
      'catalog',
      `The firmware catalog uses schema ${schema}; this app reads schema ${CATALOG_SCHEMA}. ${schema > CATALOG_SCHEMA ? 'Update the app.' : ''}`.trim(),
      { field: 'schema', found: String(schema), expected: String(CATALOG_SCHEMA) }
    );
  }
  const title = top.optionalString('title', { maxLength: 200 });
  const seen = new Map<string, number>();
  const releases = top.array('releases').map((value, i): CatalogRelease => {
    const reader = new FieldReader('catalog', `releases[${i}]`, value);
    const manifest = readManifestFields(reader);
    const file = reader.string('file', { pattern: /^[^\s]+$/, expected: 'a file name or URL without spaces', maxLength: 500 });
    const key = `${manifest.model.toUpperCase()} ${manifest.hardware} ${manifest.version.toUpperCase()}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw fieldError(
        'catalog',
        `releases[${i}]`,
        `a release not listed before (releases[${earlier}] is the same ${manifest.model} ${manifest.version})`,
        file
      );
    }
    seen.set(key, i);
    return { ...manifest, file };
  });
  return { schema, title, releases };
}

/** A release that fits a pack, with the warnings of its compatibility check. */
export interface ApplicableRelease {
  readonly release: CatalogRelease;
  readonly warnings: readonly string[];
}

/** Releases that fit the pack, newest first. */
export function releasesFor(catalog: FirmwareCatalog, pack: PackIdentity): ApplicableRelease[] {
  const out: ApplicableRelease[] = [];
  for (const release of catalog.releases) {
    const fit = checkCompatibility({ model: release.model, hardwareCompat: release.hardware, firmwareVersion: release.version, builtAt_s: 0 }, pack);
    if (fit.ok) out.push({ release, warnings: fit.warnings });
  }
  return out.sort((a, b) => compareFirmwareVersions(b.release.version, a.release.version));
}

export interface NewestRelease extends ApplicableRelease {
  /** How the release compares with what the pack runs; 'unknown' when the pack did not say. */
  readonly comparedToPack: 'newer' | 'same' | 'older' | 'unknown';
}

/** The newest release that fits the pack, or null when none does. */
export function newestReleaseFor(catalog: FirmwareCatalog, pack: PackIdentity): NewestRelease | null {
  const [newest] = releasesFor(catalog, pack);
  if (!newest) return null;
  const current = pack.firmwareVersion?.trim();
  let comparedToPack: NewestRelease['comparedToPack'] = 'unknown';
  if (current) {
    const order = compareFirmwareVersions(newest.release.version, current);
    // "1.06" and "1.6" order alike but are not the same text: call them the same, not newer.
    if (sameFirmwareVersion(current, newest.release.version) || order === 0) comparedToPack = 'same';
    else comparedToPack = order > 0 ? 'newer' : 'older';
  }
  return { ...newest, comparedToPack };
}

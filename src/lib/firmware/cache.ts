// The firmware cache as the firmware layer needs it: images keyed by their SHA-256, and the last
// catalog fetched from each URL. The storage layer (src/lib/storage) implements these two
// interfaces with IndexedDB; MemoryFirmwareCache here serves tests and a browser without
// IndexedDB (nothing survives a reload there, which the page says).
//
// What the cache holds is the file as it came (package, container, HEX or binary), so reading it
// back goes through the same loader and checks as the first time, plus a fresh SHA-256: a copy
// damaged in storage is refused, never sent.

import { FirmwareError } from './errors';
import { loadFirmwareFile, type FirmwareFileFormat, type LoadOptions, type LoadedFirmware } from './load';
import type { ReleaseNotes } from './manifest';
import { sha256Hex } from './sha256';

export type CachedImageSource = 'catalog' | 'local';

export interface CachedImageMeta {
  /** SHA-256 of the stored bytes, 64 lower-case hex digits: the key. */
  readonly sha256: string;
  readonly size_bytes: number;
  readonly fileName: string;
  readonly format: FirmwareFileFormat;
  readonly source: CachedImageSource;
  /** What the file says it is; null for a raw binary or HEX. */
  readonly model: string | null;
  readonly hardware: string | null;
  readonly version: string | null;
  readonly released: string | null;
  readonly notes: ReleaseNotes | null;
  /** Wall-clock time it was stored (epoch ms). */
  readonly addedAt_ms: number;
  /** The catalog it was downloaded for; null for a local file. */
  readonly catalogUrl: string | null;
}

export interface CachedImage {
  readonly meta: CachedImageMeta;
  readonly bytes: Uint8Array;
}

/** Firmware images by SHA-256. put() of an existing key replaces its entry. */
export interface FirmwareCache {
  list(): Promise<CachedImageMeta[]>;
  get(sha256: string): Promise<CachedImage | null>;
  put(bytes: Uint8Array, meta: CachedImageMeta): Promise<void>;
  delete(sha256: string): Promise<void>;
}

/** The catalog text as last fetched from a URL. */
export interface StoredCatalog {
  readonly url: string;
  readonly text: string;
  /** Wall-clock time of the fetch (epoch ms). */
  readonly fetchedAt_ms: number;
}

export interface CatalogCache {
  getCatalog(url: string): Promise<StoredCatalog | null>;
  putCatalog(entry: StoredCatalog): Promise<void>;
}

/** Both caches in memory. */
export class MemoryFirmwareCache implements FirmwareCache, CatalogCache {
  readonly #images = new Map<string, CachedImage>();
  readonly #catalogs = new Map<string, StoredCatalog>();

  async list(): Promise<CachedImageMeta[]> {
    return [...this.#images.values()].map((e) => e.meta);
  }

  async get(sha256: string): Promise<CachedImage | null> {
    const entry = this.#images.get(sha256.toLowerCase());
    // A copy: callers must not be able to change what is stored.
    return entry ? { meta: entry.meta, bytes: entry.bytes.slice() } : null;
  }

  async put(bytes: Uint8Array, meta: CachedImageMeta): Promise<void> {
    this.#images.set(meta.sha256.toLowerCase(), { meta, bytes: bytes.slice() });
  }

  async delete(sha256: string): Promise<void> {
    this.#images.delete(sha256.toLowerCase());
  }

  async getCatalog(url: string): Promise<StoredCatalog | null> {
    return this.#catalogs.get(url) ?? null;
  }

  async putCatalog(entry: StoredCatalog): Promise<void> {
    this.#catalogs.set(entry.url, entry);
  }
}

/** Entries and bytes the cache holds, for "storage used". */
export function cacheUsage(entries: readonly CachedImageMeta[]): { entries: number; bytes: number } {
  return { entries: entries.length, bytes: entries.reduce((n, e) => n + e.size_bytes, 0) };
}

/** The metadata of a loaded file, ready to store. */
export function metaFor(
  loaded: LoadedFirmware,
  source: CachedImageSource,
  extra: { addedAt_ms: number; catalogUrl?: string | null; released?: string | null; notes?: ReleaseNotes | null }
): CachedImageMeta {
  const identified = loaded.kind === 'identified' ? loaded : null;
  return {
    sha256: loaded.fileSha256,
    size_bytes: loaded.fileSize_bytes,
    fileName: loaded.fileName,
    format: loaded.format,
    source,
    model: identified?.image.model ?? null,
    hardware: identified?.image.hardwareCompat ?? null,
    version: identified?.image.firmwareVersion ?? null,
    released: extra.released ?? identified?.manifest?.released ?? null,
    notes: extra.notes ?? identified?.manifest?.notes ?? null,
    addedAt_ms: extra.addedAt_ms,
    catalogUrl: extra.catalogUrl ?? null
  };
}

/**
 * Add a file the person chose to the cache, after the checks of loadFirmwareFile(). A file that
 * fails them is not stored and the FirmwareError says why.
 */
export async function addLocalFile(
  cache: FirmwareCache,
  bytes: Uint8Array,
  fileName: string,
  options: LoadOptions & { now_ms?: number } = {}
): Promise<{ meta: CachedImageMeta; loaded: LoadedFirmware }> {
  const loaded = await loadFirmwareFile(bytes, fileName, options);
  const meta = metaFor(loaded, 'local', { addedAt_ms: options.now_ms ?? Date.now() });
  await cache.put(bytes, meta);
  return { meta, loaded };
}

/**
 * Read an image back from the cache: its SHA-256 checked again, then loaded with every check of
 * the first time. Throws FirmwareError 'not-cached' | 'sha256' | whatever the loader refuses.
 */
export async function loadCachedImage(cache: FirmwareCache, sha256: string, options: LoadOptions = {}): Promise<LoadedFirmware> {
  const entry = await cache.get(sha256);
  if (!entry) {
    throw new FirmwareError(
      'not-cached',
      `The image ${sha256.slice(0, 12)}… is not in this browser's firmware cache: download it or add the file again.`,
      {
        field: 'sha256',
        expected: sha256
      }
    );
  }
  const actual = await sha256Hex(entry.bytes);
  if (actual !== sha256.toLowerCase()) {
    throw new FirmwareError(
      'sha256',
      `The cached copy of ${entry.meta.fileName} is damaged (its SHA-256 changed): remove it and download or add it again.`,
      {
        field: 'sha256',
        found: actual,
        expected: sha256.toLowerCase()
      }
    );
  }
  return loadFirmwareFile(entry.bytes, entry.meta.fileName, options);
}

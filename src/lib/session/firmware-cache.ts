// The firmware layer's two cache interfaces (FirmwareCache, CatalogCache) over the app's IndexedDB
// storage (storage.firmware), so images downloaded or added on one visit can be flashed on a site
// without internet on the next. The shapes differ a little: the storage record keeps the firmware
// layer's extras (release date, notes in both languages) in its `extra` JSON, calls a local file
// 'file' where the firmware layer says 'local', and keeps the catalog as parsed JSON.
//
// A copy damaged in storage surfaces as the firmware layer's 'sha256' error, worded for the page,
// never as a generic storage failure, and is never handed out.

import type { CachedImage, CachedImageMeta, CatalogCache, FirmwareCache, FirmwareFileFormat, ReleaseNotes, StoredCatalog } from '$lib/firmware';
import { FirmwareError } from '$lib/firmware';
import { StorageError, type AppStorage, type FirmwareImageRecord, type JsonObject, type JsonValue } from '$lib/storage';

const FORMATS: readonly FirmwareFileFormat[] = ['package', 'container', 'intel-hex', 'binary'];

function isFormat(v: string): v is FirmwareFileFormat {
  return (FORMATS as readonly string[]).includes(v);
}

function notesFrom(v: JsonValue | undefined): ReleaseNotes | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, text] of Object.entries(v)) if (typeof text === 'string') out[k] = text;
  return Object.keys(out).length > 0 ? (out as ReleaseNotes) : null;
}

/** A stored record as the firmware layer's metadata; null for a record this code cannot read. */
export function metaFromRecord(r: FirmwareImageRecord): CachedImageMeta | null {
  if (!isFormat(r.format)) return null;
  const released = r.extra.released;
  return {
    sha256: r.sha256,
    size_bytes: r.size_B,
    fileName: r.name,
    format: r.format,
    source: r.source === 'catalog' ? 'catalog' : 'local',
    model: r.model,
    hardware: r.hardwarePattern,
    version: r.version,
    released: typeof released === 'string' ? released : null,
    notes: notesFrom(r.extra.notes),
    addedAt_ms: r.added_ms,
    catalogUrl: r.url
  };
}

function extraFrom(meta: CachedImageMeta): JsonObject {
  const extra: JsonObject = {};
  if (meta.released !== null) extra.released = meta.released;
  if (meta.notes) extra.notes = { ...meta.notes };
  return extra;
}

/** Images and catalogs in storage.firmware. */
export class StorageFirmwareCache implements FirmwareCache, CatalogCache {
  readonly #storage: () => Promise<AppStorage>;

  constructor(storage: () => Promise<AppStorage>) {
    this.#storage = storage;
  }

  async list(): Promise<CachedImageMeta[]> {
    const records = await (await this.#storage()).firmware.list();
    return records.map(metaFromRecord).filter((m): m is CachedImageMeta => m !== null);
  }

  async get(sha256: string): Promise<CachedImage | null> {
    const key = sha256.toLowerCase();
    const repo = (await this.#storage()).firmware;
    const record = await repo.get(key);
    const meta = record && metaFromRecord(record);
    if (!meta) return null;
    let bytes: Uint8Array | null;
    try {
      bytes = await repo.bytes(key);
    } catch (e) {
      if (e instanceof StorageError && e.kind === 'integrity') {
        throw new FirmwareError(
          'sha256',
          `The cached copy of ${meta.fileName} is damaged (its SHA-256 changed): remove it and download or add it again.`,
          { field: 'sha256', expected: key, cause: e }
        );
      }
      throw e;
    }
    return bytes ? { meta, bytes } : null;
  }

  async put(bytes: Uint8Array, meta: CachedImageMeta): Promise<void> {
    await (
      await this.#storage()
    ).firmware.put(
      {
        name: meta.fileName,
        format: meta.format,
        source: meta.source === 'catalog' ? 'catalog' : 'file',
        url: meta.catalogUrl,
        model: meta.model,
        hardwarePattern: meta.hardware,
        version: meta.version,
        releaseNotes: meta.notes?.en ?? null,
        added_ms: meta.addedAt_ms,
        extra: extraFrom(meta),
        // The key is the hash of the bytes; storage computes it and refuses a mismatch.
        expectedSha256: meta.sha256
      },
      bytes
    );
  }

  async delete(sha256: string): Promise<void> {
    await (await this.#storage()).firmware.delete(sha256.toLowerCase());
  }

  async getCatalog(url: string): Promise<StoredCatalog | null> {
    const record = await (await this.#storage()).firmware.getCatalog(url);
    // Stored as parsed JSON (syncCatalog only stores a catalog that parsed); handed back as text.
    return record ? { url: record.url, text: JSON.stringify(record.json), fetchedAt_ms: record.fetched_ms } : null;
  }

  async putCatalog(entry: StoredCatalog): Promise<void> {
    await (await this.#storage()).firmware.putCatalog(entry.url, JSON.parse(entry.text) as JsonValue, entry.fetchedAt_ms);
  }
}

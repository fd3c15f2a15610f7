// Cached firmware images and the catalog, for updating packs on site without internet. Images are
// keyed by their SHA-256, computed here from the bytes (a caller's expected hash is checked, never
// trusted). Metadata and bytes live in two stores so listing the cache reads no megabytes; both
// are written in one transaction, so an image is never half there.

import type { Database } from './database';
import { StorageError } from './errors';
import { isSha256Hex, sha256Hex } from './hash';
import { jsonProblem, type JsonValue } from './json';
import type { CatalogRecord, FirmwareImageRecord } from './records';

export type FirmwareImageInput = Omit<FirmwareImageRecord, 'sha256' | 'size_B'> & {
  /** When the catalog or package states a hash: the bytes must match it. */
  expectedSha256?: string;
};

/** Largest image accepted (the packs' flash is far smaller; this guards against a wrong file). */
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024;

export class FirmwareRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores an image (replacing metadata of the same bytes). Resolves with its record. */
  async put(meta: FirmwareImageInput, bytes: Uint8Array): Promise<FirmwareImageRecord> {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new StorageError('invalid', 'A firmware image needs its bytes.');
    if (bytes.length > MAX_IMAGE_BYTES)
      throw new StorageError('invalid', `${meta.name}: ${bytes.length} bytes is larger than any pack firmware (${MAX_IMAGE_BYTES} bytes at most).`);
    const extraProblem = jsonProblem(meta.extra, 'extra');
    if (extraProblem) throw new StorageError('invalid', `Firmware metadata is not plain JSON: ${extraProblem}`);
    const sha256 = await sha256Hex(bytes);
    if (meta.expectedSha256 !== undefined && meta.expectedSha256.toLowerCase() !== sha256)
      throw new StorageError(
        'integrity',
        `${meta.name}: the file's SHA-256 is ${sha256}, but ${meta.expectedSha256} was expected. The download is damaged or not this image.`
      );
    const { expectedSha256: _unused, ...rest } = meta;
    const record: FirmwareImageRecord = { ...rest, sha256, size_B: bytes.length };
    await this.#db.run(['firmwareImages', 'firmwareBlobs'], 'readwrite', 'saving a firmware image', async (tx) => {
      await Promise.all([
        tx.objectStore('firmwareImages').put(record),
        tx.objectStore('firmwareBlobs').put({ sha256, bytes: new Uint8Array(bytes) })
      ]);
    });
    return record;
  }

  /** Every cached image's metadata, newest first. */
  async list(): Promise<FirmwareImageRecord[]> {
    const all = await this.#db.run(['firmwareImages'], 'readonly', 'listing firmware images', (tx) =>
      tx.objectStore('firmwareImages').index('added_ms').getAll()
    );
    return all.reverse();
  }

  async get(sha256: string): Promise<FirmwareImageRecord | null> {
    return (
      (await this.#db.run(['firmwareImages'], 'readonly', 'reading a firmware image', (tx) => tx.objectStore('firmwareImages').get(sha256))) ?? null
    );
  }

  /** The image's bytes, checked against their hash again (storage can rot); null when not cached. */
  async bytes(sha256: string): Promise<Uint8Array | null> {
    if (!isSha256Hex(sha256)) throw new StorageError('invalid', `"${sha256}" is not a SHA-256 in hex.`);
    const rec = await this.#db.run(['firmwareBlobs'], 'readonly', 'reading a firmware image', (tx) => tx.objectStore('firmwareBlobs').get(sha256));
    if (!rec) return null;
    const actual = await sha256Hex(rec.bytes);
    if (actual !== sha256)
      throw new StorageError('integrity', `The cached image ${sha256} is damaged (its bytes hash to ${actual}). Remove it and download it again.`);
    return rec.bytes;
  }

  async delete(sha256: string): Promise<void> {
    await this.#db.run(['firmwareImages', 'firmwareBlobs'], 'readwrite', 'removing a firmware image', async (tx) => {
      await Promise.all([tx.objectStore('firmwareImages').delete(sha256), tx.objectStore('firmwareBlobs').delete(sha256)]);
    });
  }

  /** Bytes of all cached images together. */
  async totalBytes(): Promise<number> {
    return (await this.list()).reduce((n, r) => n + r.size_B, 0);
  }

  async putCatalog(url: string, json: JsonValue, fetched_ms: number, etag: string | null = null): Promise<void> {
    if (!url) throw new StorageError('invalid', 'A catalog needs its URL.');
    const p = jsonProblem(json, 'catalog');
    if (p) throw new StorageError('invalid', `The catalog is not plain JSON: ${p}`);
    await this.#db.run(['firmwareCatalog'], 'readwrite', 'saving the firmware catalog', async (tx) => {
      await tx.objectStore('firmwareCatalog').put({ url, json, fetched_ms, etag });
    });
  }

  async getCatalog(url: string): Promise<CatalogRecord | null> {
    return (
      (await this.#db.run(['firmwareCatalog'], 'readonly', 'reading the firmware catalog', (tx) => tx.objectStore('firmwareCatalog').get(url))) ??
      null
    );
  }
}

// Keep the catalog and its images in the cache: fetch the catalog when online, download each image
// that is not cached yet and check it against what the catalog publishes (size, CRC-32, SHA-256,
// and the container's own header). Offline, or when the server sends something broken, the cached
// catalog serves, and what was downloaded before can still be flashed. Fetch is injected, so this
// runs in Node tests and the browser alike.

import { crc32, crc32Hex } from './crc';
import { FirmwareError } from './errors';
import { metaFor, type CatalogCache, type CachedImageMeta, type FirmwareCache } from './cache';
import { parseCatalog, type CatalogRelease, type FirmwareCatalog } from './catalog';
import { loadFirmwareFile } from './load';
import { sha256Hex } from './sha256';

/** Where the app looks for the catalog unless the settings name another URL: the demo bank's, built with the app. */
export const DEFAULT_CATALOG_URL = '/firmware/catalog.json';

/** The part of a fetch() Response this module reads. */
export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** fetch() as this module calls it; globalThis.fetch fits. */
export type FetchLike = (url: string, init: { signal?: AbortSignal; cache?: RequestCache }) => Promise<FetchResponse>;

export interface CatalogSyncOptions {
  /** The catalog's URL; a relative one is resolved against baseUrl. */
  url: string;
  /** Base for a relative url (the page's location). Default: url must be absolute. */
  baseUrl?: string;
  fetch: FetchLike;
  catalogCache: CatalogCache;
  imageCache: FirmwareCache;
  /** Download only releases for these models (the bank's). Default: every release. */
  models?: readonly string[];
  signal?: AbortSignal;
  /** Wall clock for "fetched at" / "added at" (epoch ms). Default Date.now. */
  now_ms?: () => number;
  onProgress?: (progress: CatalogSyncProgress) => void;
}

export interface CatalogSyncProgress {
  readonly step: 'catalog' | 'image';
  /** Images handled so far and in all (0 of n during the catalog step). */
  readonly done: number;
  readonly total: number;
  readonly release?: CatalogRelease;
}

export type ReleaseCacheState =
  /** Already in the cache before this sync. */
  | 'cached'
  | 'downloaded'
  /** Not cached and could not be downloaded now (offline): only flashable once online again. */
  | 'missing'
  /** The download failed or did not match the catalog; `error` says how. */
  | 'failed'
  /** Not for the bank's models, so not downloaded. */
  | 'skipped';

export interface ReleaseStatus {
  readonly release: CatalogRelease;
  readonly state: ReleaseCacheState;
  readonly error?: FirmwareError;
}

export interface CatalogSyncResult {
  readonly url: string;
  /** Where the catalog came from this time. */
  readonly source: 'network' | 'cache';
  readonly catalog: FirmwareCatalog;
  readonly fetchedAt_ms: number;
  /** Why the network's catalog was not used (offline, HTTP status, invalid JSON); null when it was. */
  readonly networkProblem: FirmwareError | null;
  readonly releases: readonly ReleaseStatus[];
}

function resolve(url: string, base: string | undefined): string {
  try {
    return new URL(url, base).href;
  } catch (e) {
    throw new FirmwareError('catalog', `The catalog address "${url}" is not a valid URL.`, { field: 'url', found: url, cause: e });
  }
}

function networkError(what: string, url: string, e: unknown): FirmwareError {
  const why = e instanceof Error ? e.message : String(e);
  return new FirmwareError('download', `Could not download ${what} from ${url}: ${why}. The device may be offline.`, { field: 'network', cause: e });
}

function httpError(what: string, url: string, response: FetchResponse): FirmwareError {
  return new FirmwareError('download', `The server answered ${response.status} ${response.statusText} for ${what} (${url}).`, {
    field: 'HTTP status',
    found: String(response.status)
  });
}

async function fetchCatalogText(options: CatalogSyncOptions, url: string): Promise<string> {
  let response: FetchResponse;
  try {
    // no-cache: ask the server every time, so a new release shows up; offline, the cache below serves.
    response = await options.fetch(url, { signal: options.signal, cache: 'no-cache' });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw networkError('the firmware catalog', url, e);
  }
  if (!response.ok) throw httpError('the firmware catalog', url, response);
  return response.text();
}

/** Download one release's container and check it against the catalog before storing it. */
export async function downloadRelease(
  release: CatalogRelease,
  catalogUrl: string,
  options: Pick<CatalogSyncOptions, 'fetch' | 'imageCache' | 'signal' | 'now_ms'>
): Promise<CachedImageMeta> {
  const url = resolve(release.file, catalogUrl);
  let response: FetchResponse;
  try {
    response = await options.fetch(url, { signal: options.signal });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw networkError(release.file, url, e);
  }
  if (!response.ok) throw httpError(release.file, url, response);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const name = url.split('/').pop() || release.file;
  if (bytes.length !== release.size_bytes) {
    throw new FirmwareError(
      bytes.length < release.size_bytes ? 'truncated' : 'too-large',
      `${name} arrived with ${bytes.length} bytes; the catalog says ${release.size_bytes}. The download was cut off or the file was replaced.`,
      { field: 'size', found: String(bytes.length), expected: String(release.size_bytes) }
    );
  }
  const crc = crc32Hex(crc32(bytes));
  if (crc !== release.crc32) {
    throw new FirmwareError('crc', `${name} has CRC-32 ${crc}; the catalog says ${release.crc32}: the download is corrupted.`, {
      field: 'crc32',
      found: crc,
      expected: release.crc32
    });
  }
  const sha = await sha256Hex(bytes);
  if (sha !== release.sha256) {
    throw new FirmwareError('sha256', `${name} has SHA-256 ${sha}; the catalog says ${release.sha256}: it is not the file that was released.`, {
      field: 'sha256',
      found: sha,
      expected: release.sha256
    });
  }
  const loaded = await loadFirmwareFile(bytes, name);
  if (loaded.kind !== 'identified') {
    throw new FirmwareError('manifest', `${name} is not a firmware container, though the catalog lists it as release ${release.version}.`, {
      field: 'file'
    });
  }
  const header = loaded.image;
  for (const [field, listed, inFile] of [
    ['model', release.model, header.model],
    ['hardware', release.hardware, header.hardwareCompat],
    ['version', release.version, header.firmwareVersion]
  ] as const) {
    if (listed.toUpperCase() !== inFile.trim().toUpperCase()) {
      throw new FirmwareError('manifest', `The catalog lists ${name} as ${field} ${listed}, but the image says ${inFile}: the catalog is wrong.`, {
        field,
        found: inFile,
        expected: listed
      });
    }
  }
  const meta = metaFor(loaded, 'catalog', {
    addedAt_ms: (options.now_ms ?? Date.now)(),
    catalogUrl,
    released: release.released,
    notes: release.notes
  });
  await options.imageCache.put(bytes, meta);
  return meta;
}

/**
 * Bring the cached catalog and images up to date. Throws only when there is no usable catalog at
 * all (offline with nothing cached, or broken on the server with nothing cached); everything else
 * is reported per release.
 */
export async function syncCatalog(options: CatalogSyncOptions): Promise<CatalogSyncResult> {
  const url = resolve(options.url, options.baseUrl);
  const now = options.now_ms ?? Date.now;
  options.onProgress?.({ step: 'catalog', done: 0, total: 0 });

  let source: CatalogSyncResult['source'] = 'network';
  let catalog: FirmwareCatalog;
  let fetchedAt_ms = now();
  let networkProblem: FirmwareError | null = null;
  try {
    const text = await fetchCatalogText(options, url);
    catalog = parseCatalog(text);
    await options.catalogCache.putCatalog({ url, text, fetchedAt_ms });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    if (!(e instanceof FirmwareError)) throw e;
    networkProblem = e;
    const stored = await options.catalogCache.getCatalog(url);
    if (!stored) throw e;
    catalog = parseCatalog(stored.text);
    fetchedAt_ms = stored.fetchedAt_ms;
    source = 'cache';
  }

  const wanted = options.models?.map((m) => m.trim().toUpperCase());
  const cached = new Set((await options.imageCache.list()).map((m) => m.sha256));
  const total = catalog.releases.length;
  const releases: ReleaseStatus[] = [];
  for (const [i, release] of catalog.releases.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.({ step: 'image', done: i, total, release });
    if (wanted && !wanted.includes(release.model.toUpperCase())) releases.push({ release, state: 'skipped' });
    else if (cached.has(release.sha256)) releases.push({ release, state: 'cached' });
    else if (source === 'cache') releases.push({ release, state: 'missing' });
    else {
      try {
        await downloadRelease(release, url, options);
        cached.add(release.sha256);
        releases.push({ release, state: 'downloaded' });
      } catch (e) {
        if (options.signal?.aborted) throw e;
        if (!(e instanceof FirmwareError)) throw e;
        releases.push({ release, state: 'failed', error: e });
      }
    }
  }
  options.onProgress?.({ step: 'image', done: total, total });
  return { url, source, catalog, fetchedAt_ms, networkProblem, releases };
}

// The catalog: validated field by field, searched for the newest release that fits a pack, synced
// into the cache online and served from it offline.

import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_RELEASES, demoCatalogFiles, demoContainer, demoPayload, type DemoCatalogFiles } from '../sim/firmware-releases';
import { MemoryFirmwareCache, addLocalFile, cacheUsage, loadCachedImage } from './cache';
import { newestReleaseFor, parseCatalog, releasesFor } from './catalog';
import { syncCatalog, type FetchLike, type FetchResponse } from './catalog-sync';
import { FirmwareError } from './errors';
import { identityFromReplies } from './identity';

const BASE = 'https://fw.example/firmware/';
const CATALOG_URL = `${BASE}catalog.json`;
let demo: DemoCatalogFiles;

beforeAll(async () => {
  demo = await demoCatalogFiles();
});

/** A server with these files; `offline` makes every request fail as fetch() does without network. */
function server(files: Map<string, Uint8Array>) {
  const state = { offline: false, requests: [] as string[] };
  const fetch: FetchLike = async (url) => {
    state.requests.push(url);
    if (state.offline) throw new TypeError('Failed to fetch');
    const body = files.get(url);
    const response: FetchResponse = {
      ok: body !== undefined,
      status: body ? 200 : 404,
      statusText: body ? 'OK' : 'Not Found',
      text: async () => new TextDecoder().decode(body ?? new Uint8Array(0)),
      arrayBuffer: async () => (body ?? new Uint8Array(0)).slice().buffer
    };
    return response;
  };
  return { fetch, state };
}

function demoServer() {
  const files = new Map<string, Uint8Array>([[CATALOG_URL, new TextEncoder().encode(demo.catalogJson)]]);
  for (const f of demo.files) files.set(`${BASE}${f.name}`, f.bytes);
  return { files, ...server(files) };
}

function catalogWith(edit: (json: { releases: Record<string, unknown>[] } & Record<string, unknown>) => void): string {
  const json = JSON.parse(demo.catalogJson) as { releases: Record<string, unknown>[] } & Record<string, unknown>;
  edit(json);
  return JSON.stringify(json);
}

function catalogError(text: string): FirmwareError {
  try {
    parseCatalog(text);
  } catch (e) {
    if (e instanceof FirmwareError) return e;
    throw e;
  }
  throw new Error('the catalog was accepted');
}

describe('catalog schema', () => {
  it('reads the demo catalog', () => {
    const catalog = parseCatalog(demo.catalogJson);
    expect(catalog.releases.map((r) => `${r.model} ${r.version}`)).toEqual(['P16S100A 1.06', 'P16S100A 1.10', 'P16S200A 1.03A']);
    expect(catalog.releases[1].file).toBe('P16S100A-1812-1.10.pkfw');
  });

  const broken: { name: string; text: () => string; field: string; message: RegExp }[] = [
    { name: 'not JSON', text: () => '{"schema": 1, "releases": [', field: '(JSON)', message: /not valid JSON/ },
    { name: 'a newer schema', text: () => catalogWith((j) => (j.schema = 2)), field: 'schema', message: /schema 2.*Update the app/ },
    { name: 'releases not a list', text: () => catalogWith((j) => (j.releases = {} as never)), field: 'releases', message: /should be a list/ },
    {
      name: 'a bad SHA-256',
      text: () => catalogWith((j) => (j.releases[2].sha256 = 'xyz')),
      field: 'releases[2].sha256',
      message: /releases\[2\]\.sha256 should be a SHA-256 of 64 hex digits, but is "xyz"/
    },
    { name: 'a size as text', text: () => catalogWith((j) => (j.releases[0].size = '198500')), field: 'releases[0].size', message: /whole number/ },
    { name: 'a missing file', text: () => catalogWith((j) => delete j.releases[1].file), field: 'releases[1].file', message: /file name or URL/ },
    {
      name: 'a bad hardware pattern',
      text: () => catalogWith((j) => (j.releases[0].hardware = '1812;21473')),
      field: 'releases[0].hardware',
      message: /invalid board pattern/
    },
    {
      name: 'notes that are a number',
      text: () => catalogWith((j) => (j.releases[0].notes = { en: 5 })),
      field: 'releases[0].notes.en',
      message: /non-empty text/
    },
    {
      name: 'the same release twice',
      text: () => catalogWith((j) => j.releases.push({ ...j.releases[1], file: 'copy.pkfw' })),
      field: 'releases[3]',
      message: /releases\[1\] is the same P16S100A 1.10/
    }
  ];
  for (const c of broken) {
    it(`names the field of ${c.name}`, () => {
      const error = catalogError(c.text());
      expect(error.kind).toBe('catalog');
      expect(error.field).toBe(c.field);
      expect(error.message).toMatch(c.message);
    });
  }

  it('ignores fields it does not know (a newer catalog still loads)', () => {
    const catalog = parseCatalog(catalogWith((j) => ((j.mirror = 'x'), (j.releases[0].signature = 'abc'))));
    expect(catalog.releases).toHaveLength(3);
  });
});

describe('newest applicable release', () => {
  it('for the demo pack: 1.10, newer than the 1.00 it runs, with notes in both languages', () => {
    const catalog = parseCatalog(demo.catalogJson);
    const pack = identityFromReplies({ version: 'P16S100A-1812-1.00' });
    expect(releasesFor(catalog, pack).map((r) => r.release.version)).toEqual(['1.10', '1.06']);
    const newest = newestReleaseFor(catalog, pack);
    expect(newest?.release.version).toBe('1.10');
    expect(newest?.comparedToPack).toBe('newer');
    expect(newest?.release.notes.en).toMatch(/Growatt/);
    expect(newest?.release.notes['zh-CN']).toMatch(/古瑞瓦特/);
  });

  it('says when the pack already runs it, and finds nothing for another board', () => {
    const catalog = parseCatalog(demo.catalogJson);
    expect(newestReleaseFor(catalog, identityFromReplies({ version: 'P16S100A-21473-1.10' }))?.comparedToPack).toBe('same');
    // Board 21473 is only listed for 1.10; 1.06 is for 1812 alone.
    expect(releasesFor(catalog, identityFromReplies({ version: 'P16S100A-21473-1.00' })).map((r) => r.release.version)).toEqual(['1.10']);
    expect(newestReleaseFor(catalog, identityFromReplies({ version: 'P16S100A-31916-1.06' }))).toBeNull();
    expect(newestReleaseFor(catalog, identityFromReplies({ version: 'P16S200A-21473-1.03A' }))?.release.version).toBe('1.03A');
  });
});

describe('catalog sync and cache', () => {
  it('online: fetches the catalog, downloads every image with its hashes checked, and caches both', async () => {
    const { fetch, state } = demoServer();
    const cache = new MemoryFirmwareCache();
    const result = await syncCatalog({ url: 'catalog.json', baseUrl: BASE, fetch, catalogCache: cache, imageCache: cache, now_ms: () => 1000 });
    expect(result.source).toBe('network');
    expect(result.networkProblem).toBeNull();
    expect(result.releases.map((r) => r.state)).toEqual(['downloaded', 'downloaded', 'downloaded']);
    const metas = await cache.list();
    expect(metas.map((m) => m.version).sort()).toEqual(['1.03A', '1.06', '1.10']);
    expect(metas.every((m) => m.source === 'catalog' && m.catalogUrl === CATALOG_URL && m.addedAt_ms === 1000)).toBe(true);
    expect(cacheUsage(metas).bytes).toBe(DEMO_RELEASES.reduce((n, r) => n + demoContainer(r).length, 0));

    // A second sync downloads nothing again.
    state.requests = [];
    const again = await syncCatalog({ url: CATALOG_URL, fetch, catalogCache: cache, imageCache: cache });
    expect(again.releases.map((r) => r.state)).toEqual(['cached', 'cached', 'cached']);
    expect(state.requests).toEqual([CATALOG_URL]);
  });

  it('offline: the cached catalog and images serve, and an image is loaded back with its hash checked', async () => {
    const { fetch, state } = demoServer();
    const cache = new MemoryFirmwareCache();
    await syncCatalog({ url: CATALOG_URL, fetch, catalogCache: cache, imageCache: cache, models: ['P16S100A'], now_ms: () => 5000 });
    state.offline = true;
    const result = await syncCatalog({ url: CATALOG_URL, fetch, catalogCache: cache, imageCache: cache, models: ['P16S100A'] });
    expect(result.source).toBe('cache');
    expect(result.fetchedAt_ms).toBe(5000);
    expect(result.networkProblem?.kind).toBe('download');
    expect(result.networkProblem?.message).toMatch(/offline/);
    expect(result.releases.map((r) => r.state)).toEqual(['cached', 'cached', 'skipped']);
    const newest = newestReleaseFor(result.catalog, identityFromReplies({ version: 'P16S100A-1812-1.00' }))!;
    const loaded = await loadCachedImage(cache, newest.release.sha256);
    expect(loaded.kind === 'identified' && loaded.image.firmwareVersion).toBe('1.10');
  });

  it('offline with nothing cached: says so', async () => {
    const { fetch, state } = demoServer();
    state.offline = true;
    const cache = new MemoryFirmwareCache();
    await expect(syncCatalog({ url: CATALOG_URL, fetch, catalogCache: cache, imageCache: cache })).rejects.toThrow(/offline/);
  });

  it('a corrupt catalog on the server: the cached one serves and the problem names the field', async () => {
    const { fetch, files } = demoServer();
    const cache = new MemoryFirmwareCache();
    await syncCatalog({ url: CATALOG_URL, fetch, catalogCache: cache, imageCache: cache });
    files.set(CATALOG_URL, new TextEncoder().encode(catalogWith((j) => (j.releases[1].crc32 = 12))));
    const result = await syncCatalog({ url: CATALOG_URL, fetch, catalogCache: cache, imageCache: cache });
    expect(result.source).toBe('cache');
    expect(result.networkProblem?.field).toBe('releases[1].crc32');
  });

  it('an image that does not match the catalog is not cached; the others are', async () => {
    const { fetch, files } = demoServer();
    const corrupt = files.get(`${BASE}P16S100A-1812-1.10.pkfw`)!.slice();
    corrupt[5000] ^= 1;
    files.set(`${BASE}P16S100A-1812-1.10.pkfw`, corrupt);
    files.delete(`${BASE}P16S200A-21473-1.03A.pkfw`);
    const cache = new MemoryFirmwareCache();
    const result = await syncCatalog({ url: CATALOG_URL, fetch, catalogCache: cache, imageCache: cache });
    expect(result.releases.map((r) => r.state)).toEqual(['downloaded', 'failed', 'failed']);
    expect(result.releases[1].error?.kind).toBe('crc');
    expect(result.releases[2].error?.message).toMatch(/404 Not Found/);
    expect((await cache.list()).map((m) => m.version)).toEqual(['1.06']);
  });

  it('a local file joins the cache; a damaged cached copy is refused, a removed one is reported missing', async () => {
    const cache = new MemoryFirmwareCache();
    const v110 = DEMO_RELEASES.find((r) => r.version === '1.10')!;
    const { meta } = await addLocalFile(cache, demoPayload(v110), 'app.bin', { now_ms: 42 });
    expect(meta).toMatchObject({ source: 'local', format: 'binary', model: null, version: null, addedAt_ms: 42 });
    expect((await loadCachedImage(cache, meta.sha256)).kind).toBe('raw');

    const stored = (await cache.get(meta.sha256))!;
    const damaged = stored.bytes.slice();
    damaged[10] ^= 1;
    await cache.put(damaged, stored.meta);
    await expect(loadCachedImage(cache, meta.sha256)).rejects.toThrow(/damaged/);

    await cache.delete(meta.sha256);
    await expect(loadCachedImage(cache, meta.sha256)).rejects.toMatchObject({ kind: 'not-cached' });
    await expect(addLocalFile(cache, new TextEncoder().encode('<html>'), 'page.bin')).rejects.toMatchObject({ kind: 'unknown-format' });
    expect(await cache.list()).toEqual([]);
  });
});

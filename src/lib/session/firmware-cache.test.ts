import 'fake-indexeddb/auto';
// The firmware layer's cache interfaces over the app's IndexedDB storage: what goes in comes back
// with every field, the catalog round-trips, and a copy damaged in storage is refused as the
// firmware layer's 'sha256' error, never handed out.

import { describe, expect, it } from 'vitest';
import { addLocalFile, loadCachedImage, FirmwareError } from '$lib/firmware';
import { DEMO_RELEASES, demoPackage } from '$lib/sim/firmware-releases';
import { openStorage } from '$lib/storage';
import { StorageFirmwareCache } from './firmware-cache';

let n = 0;

async function cache() {
  const name = `fw-cache-${n++}`;
  const storage = await openStorage({ name, storageManager: null });
  return { name, storage, cache: new StorageFirmwareCache(async () => storage) };
}

describe('StorageFirmwareCache', () => {
  it('keeps a package with its notes and release date, and lists it without its bytes', async () => {
    const { cache: c, storage } = await cache();
    const bytes = await demoPackage(DEMO_RELEASES[1]);
    const { meta } = await addLocalFile(c, bytes, 'P16S100A-1812-1.10.pkpg', { now_ms: 1234 });
    const [listed] = await c.list();
    expect(listed).toEqual(meta);
    expect(listed).toMatchObject({
      format: 'package',
      source: 'local',
      model: 'P16S100A',
      hardware: '1812,21473',
      version: '1.10',
      released: '2025-11-20',
      addedAt_ms: 1234,
      catalogUrl: null
    });
    expect(listed.notes?.['zh-CN']).toMatch(/古瑞瓦特/);
    expect((await storage.firmware.list())[0]).toMatchObject({ source: 'file', releaseNotes: DEMO_RELEASES[1].notes.en });
    const loaded = await loadCachedImage(c, meta.sha256);
    expect(loaded.kind === 'identified' && loaded.image.firmwareVersion).toBe('1.10');
    await c.delete(meta.sha256);
    expect(await c.list()).toEqual([]);
    expect(await c.get(meta.sha256)).toBeNull();
  });

  it('refuses to store bytes under another hash than their own', async () => {
    const { cache: c } = await cache();
    const bytes = await demoPackage(DEMO_RELEASES[0]);
    const { meta } = await addLocalFile(c, bytes, 'a.pkpg', { now_ms: 1 });
    await expect(c.put(bytes.subarray(1), meta)).rejects.toThrow(/SHA-256/);
  });

  it('a copy damaged in IndexedDB is refused with the sha256 reason', async () => {
    const { cache: c, name, storage } = await cache();
    const { meta } = await addLocalFile(c, await demoPackage(DEMO_RELEASES[0]), 'a.pkpg', { now_ms: 1 });
    storage.close();
    // Rot one byte behind the repository's back.
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const store = db.transaction('firmwareBlobs', 'readwrite').objectStore('firmwareBlobs');
        const get = store.get(meta.sha256);
        get.onsuccess = () => {
          const rec = get.result as { sha256: string; bytes: Uint8Array };
          rec.bytes[300] ^= 0x01;
          store.put(rec).onsuccess = () => {
            db.close();
            resolve();
          };
        };
      };
    });
    const reopened = await openStorage({ name, storageManager: null });
    const again = new StorageFirmwareCache(async () => reopened);
    const error = await again.get(meta.sha256).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FirmwareError);
    expect((error as FirmwareError).kind).toBe('sha256');
    await expect(loadCachedImage(again, meta.sha256)).rejects.toMatchObject({ kind: 'sha256' });
  });

  it('keeps the catalog per URL', async () => {
    const { cache: c } = await cache();
    expect(await c.getCatalog('https://a/catalog.json')).toBeNull();
    const text = JSON.stringify({ schema: 1, releases: [] });
    await c.putCatalog({ url: 'https://a/catalog.json', text, fetchedAt_ms: 42 });
    const back = await c.getCatalog('https://a/catalog.json');
    expect(back).toEqual({ url: 'https://a/catalog.json', text, fetchedAt_ms: 42 });
    expect(await c.getCatalog('https://b/catalog.json')).toBeNull();
  });
});

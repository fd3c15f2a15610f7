// The build's demo firmware files: a valid catalog whose every file matches what it publishes, and
// packages that load. (That the simulated bootloader takes them: src/lib/firmware/updater.test.ts.)

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFirmwareImages } from '../../scripts/firmware-images';
import { parseCatalog } from '../../src/lib/firmware/catalog';
import { crc32, crc32Hex } from '../../src/lib/firmware/crc';
import { loadFirmwareFile } from '../../src/lib/firmware/load';
import { sha256Hex } from '../../src/lib/firmware/sha256';

const dir = mkdtempSync(join(tmpdir(), 'fw-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/firmware-images.ts', () => {
  it('writes a catalog whose files match their size, CRC-32 and SHA-256, and rewrites nothing unchanged', async () => {
    const first = await writeFirmwareImages(dir);
    expect(first.written.sort()).toContain('catalog.json');
    const catalog = parseCatalog(readFileSync(join(dir, 'catalog.json'), 'utf8'));
    expect(catalog.releases.length).toBeGreaterThanOrEqual(2);
    for (const release of catalog.releases) {
      const bytes = new Uint8Array(readFileSync(join(dir, release.file)));
      expect(bytes.length).toBe(release.size_bytes);
      expect(crc32Hex(crc32(bytes))).toBe(release.crc32);
      expect(await sha256Hex(bytes)).toBe(release.sha256);
      const pkg = await loadFirmwareFile(new Uint8Array(readFileSync(join(dir, release.file.replace(/\.pkfw$/, '.pkpg')))), 'x.pkpg');
      expect(pkg.kind === 'identified' && pkg.manifest?.sha256).toBe(release.sha256);
    }
    expect((await writeFirmwareImages(dir)).written).toEqual([]);
  });
});

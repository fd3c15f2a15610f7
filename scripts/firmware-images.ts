// Writes the demo bank's firmware catalog and image files to static/firmware/ (catalog.json, one
// .pkfw container and one .pkpg package per release; src/lib/sim/firmware-releases.ts makes them,
// the same bytes every time). The build runs it through a Vite plugin (vite.config.ts), so
// `npm run build`, `npm start` and `npm run dev` all serve real files the simulated bootloader
// accepts; the files are build output and not committed.
//
//   npx tsx scripts/firmware-images.ts [outDir]     write them by hand (default static/firmware)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoCatalogFiles } from '../src/lib/sim/firmware-releases';

export const DEFAULT_OUT_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)), 'static', 'firmware');

function sameContent(path: string, bytes: Uint8Array): boolean {
  try {
    const old = readFileSync(path);
    return old.length === bytes.length && old.every((b, i) => b === bytes[i]);
  } catch {
    return false;
  }
}

/** Write the catalog and its files; unchanged files are left alone (no needless dev reloads). */
export async function writeFirmwareImages(outDir = DEFAULT_OUT_DIR): Promise<{ written: string[]; unchanged: string[] }> {
  const { catalogJson, files } = await demoCatalogFiles();
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const { name, bytes } of [...files, { name: 'catalog.json', bytes: new TextEncoder().encode(catalogJson) }]) {
    const path = join(outDir, name);
    if (sameContent(path, bytes)) unchanged.push(name);
    else {
      writeFileSync(path, bytes);
      written.push(name);
    }
  }
  return { written, unchanged };
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUT_DIR;
  const { written, unchanged } = await writeFirmwareImages(outDir);
  process.stdout.write(`${outDir}: ${written.length} written, ${unchanged.length} unchanged\n`);
}

// Bench group "bundle": how much JS the first page (and the overview) loads before it runs,
// gzip -9, from the built static site. Target: initial_js_gzip_kB <= 120.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchFigures } from '../bench';
import { BUILD_DIR, ensureBuild, initialJsWeight, round } from './_ui-harness';

export async function run(): Promise<BenchFigures> {
  ensureBuild();
  const first = initialJsWeight(join(BUILD_DIR, 'index.html'));
  const figures: BenchFigures = {
    initial_js_gzip_kB: round(first.gzip_B / 1024, 1),
    initial_js_raw_kB: round(first.raw_B / 1024, 1),
    initial_js_files: first.files
  };
  // The overview is prerendered when its route allows it; measure it as a first page too.
  const overview = join(BUILD_DIR, 'overview.html');
  if (existsSync(overview)) figures.overview_js_gzip_kB = round(initialJsWeight(overview).gzip_B / 1024, 1);
  return figures;
}

// Bench group "bundle": how much JS the page people land on (/connect) and the overview load
// before they run, gzip -9, from the built static site. Target: initial_js_gzip_kB <= 120.

import { join } from 'node:path';
import type { BenchFigures } from '../bench';
import { BUILD_DIR, ensureBuild, initialJsWeight, round } from './_ui-harness';
import { targets } from './_targets';

export async function run(): Promise<BenchFigures> {
  ensureBuild();
  const first = initialJsWeight(join(BUILD_DIR, 'connect.html'));
  const figures: BenchFigures = {
    initial_js_gzip_kB: round(first.gzip_B / 1024, 1),
    initial_js_raw_kB: round(first.raw_B / 1024, 1),
    initial_js_files: first.files,
    overview_js_gzip_kB: round(initialJsWeight(join(BUILD_DIR, 'overview.html')).gzip_B / 1024, 1)
  };
  return { ...figures, ...targets(figures, { initial_js_gzip_kB: ['<=', 120] }) };
}

// Closes a CI run on one plain line, "N passed, N failed" (nothing else on it), counted from the JSON that
// Vitest and Playwright wrote into TEST_SUMMARY_DIR (.ci/run sets it). A suite that never ran
// (an earlier step failed) is named, so a short count is not mistaken for a whole run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? process.env.TEST_SUMMARY_DIR;
if (!dir) {
  console.error('usage: node scripts/test-summary.mjs <dir written by the test runners>');
  process.exit(2);
}

function read(name) {
  const path = join(dir, name);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    console.error(`${path} is not readable JSON: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;

const unit = read('unit.json');
if (unit) {
  passed += unit.numPassedTests ?? 0;
  failed += unit.numFailedTests ?? 0;
  skipped += (unit.numPendingTests ?? 0) + (unit.numTodoTests ?? 0);
  console.log(`unit tests (Vitest): ${unit.numPassedTests} of ${unit.numTotalTests} passed`);
} else console.log('unit tests (Vitest): did not run');

const e2e = read('e2e.json');
if (e2e?.stats) {
  const { expected = 0, unexpected = 0, flaky = 0, skipped: s = 0 } = e2e.stats;
  passed += expected + flaky;
  failed += unexpected;
  skipped += s;
  const retried = flaky ? `; ${flaky} of them only on a retry (flaky)` : '';
  console.log(`browser tests (Playwright): ${expected + flaky} of ${expected + flaky + unexpected + s} passed${retried}`);
} else console.log('browser tests (Playwright): did not run');

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);

// Closes a CI run on one plain line, "N passed, N failed" (nothing else on it), counted from the
// reports that Vitest, Playwright and node's test runner wrote into TEST_SUMMARY_DIR (.ci/run sets it). A suite that never
// ran (an earlier step failed) is named, so a short count is not mistaken for a whole run.
// Plain JavaScript for plain node, tested with node's own runner (test-summary.test.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @param {string} dir
 * @param {string} name
 * @param {string[]} problems collects what could not be read
 * @returns {any}
 */
function read(dir, name, problems) {
  const path = join(dir, name);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(`${path} is not readable JSON: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/**
 * What the runners in `dir` report, as the lines to print (the last is the plain one) and the sums.
 * @param {string} dir
 * @returns {{ lines: string[], problems: string[], passed: number, failed: number, skipped: number }}
 */
export function summarize(dir) {
  /** @type {string[]} */
  const lines = [];
  /** @type {string[]} */
  const problems = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;

  const unit = read(dir, 'unit.json', problems);
  if (unit) {
    passed += unit.numPassedTests ?? 0;
    failed += unit.numFailedTests ?? 0;
    skipped += (unit.numPendingTests ?? 0) + (unit.numTodoTests ?? 0);
    lines.push(`unit tests (Vitest): ${unit.numPassedTests ?? 0} of ${unit.numTotalTests ?? 0} passed`);
  } else lines.push('unit tests (Vitest): did not run');

  const e2e = read(dir, 'e2e.json', problems);
  if (e2e?.stats) {
    const { expected = 0, unexpected = 0, flaky = 0, skipped: s = 0 } = e2e.stats;
    passed += expected + flaky;
    failed += unexpected;
    skipped += s;
    const retried = flaky ? `; ${flaky} of them only on a retry (flaky)` : '';
    lines.push(`browser tests (Playwright): ${expected + flaky} of ${expected + flaky + unexpected + s} passed${retried}`);
  } else lines.push('browser tests (Playwright): did not run');

  const tap = join(dir, 'scripts.tap');
  if (existsSync(tap)) {
    const text = readFileSync(tap, 'utf8');
    const count = (/** @type {string} */ what) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    passed += count('pass');
    failed += count('fail') + count('cancelled');
    skipped += count('skipped') + count('todo');
    lines.push(`script tests (node --test): ${count('pass')} of ${count('tests')} passed`);
  } else lines.push('script tests (node --test): did not run');

  lines.push(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return { lines, problems, passed, failed, skipped };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] ?? process.env.TEST_SUMMARY_DIR;
  if (!dir) {
    console.error('usage: node scripts/test-summary.mjs <dir written by the test runners>');
    process.exit(2);
  }
  const { lines, problems } = summarize(dir);
  for (const p of problems) console.error(p);
  for (const line of lines) console.log(line);
}

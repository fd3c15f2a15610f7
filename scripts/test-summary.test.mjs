// The CI summary is plain node (it must run whatever state node_modules is in), so it is tested
// with node's own runner: `npm run test:scripts`, part of `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from './test-summary.mjs';

/** A fresh directory holding the given runner reports. */
function reports(/** @type {Record<string, unknown>} */ files) {
  const dir = mkdtempSync(join(tmpdir(), 'test-summary-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  return dir;
}

const TAP = 'TAP version 13\nok 1 - a\nok 2 - b\n1..2\n# tests 2\n# suites 0\n# pass 2\n# fail 0\n# cancelled 0\n# skipped 0\n# todo 0\n';
const UNIT = { numPassedTests: 2083, numFailedTests: 0, numTotalTests: 2083, numPendingTests: 0, numTodoTests: 0 };

test('all three runners: the counts add up, and the last line is the bare form', (t) => {
  const dir = reports({ 'unit.json': UNIT, 'e2e.json': { stats: { expected: 103, unexpected: 0, flaky: 1, skipped: 0 } }, 'scripts.tap': TAP });
  t.after(() => rmSync(dir, { recursive: true }));
  const s = summarize(dir);
  assert.equal(s.passed, 2189);
  assert.equal(s.failed, 0);
  assert.deepEqual(s.lines, [
    'unit tests (Vitest): 2083 of 2083 passed',
    'browser tests (Playwright): 104 of 104 passed; 1 of them only on a retry (flaky)',
    'script tests (node --test): 2 of 2 passed',
    '2189 passed, 0 failed'
  ]);
  assert.match(s.lines.at(-1) ?? '', /^\d+ passed, \d+ failed$/);
});

test('failures and skips are counted, skips named only when there are some', (t) => {
  const dir = reports({
    'unit.json': { ...UNIT, numPassedTests: 2080, numFailedTests: 2, numPendingTests: 1 },
    'e2e.json': { stats: { expected: 100, unexpected: 3, flaky: 0, skipped: 1 } },
    'scripts.tap': TAP.replace('# pass 2', '# pass 1').replace('# fail 0', '# fail 1')
  });
  t.after(() => rmSync(dir, { recursive: true }));
  assert.equal(summarize(dir).lines.at(-1), '2181 passed, 6 failed, 2 skipped');
});

test('a suite that never ran is named, not silently counted as nothing', (t) => {
  const dir = reports({ 'unit.json': UNIT });
  t.after(() => rmSync(dir, { recursive: true }));
  const s = summarize(dir);
  assert.ok(s.lines.includes('browser tests (Playwright): did not run'));
  assert.ok(s.lines.includes('script tests (node --test): did not run'));
  assert.equal(s.lines.at(-1), '2083 passed, 0 failed');
});

test('a report that is not JSON is a problem to print, and its suite did not run', (t) => {
  const dir = reports({ 'unit.json': '{"numPassedTests": 3,' });
  t.after(() => rmSync(dir, { recursive: true }));
  const s = summarize(dir);
  assert.equal(s.problems.length, 1);
  assert.match(s.problems[0], /unit\.json is not readable JSON/);
  assert.equal(s.lines[0], 'unit tests (Vitest): did not run');
  assert.equal(s.lines.at(-1), '0 passed, 0 failed');
});

// `npm test` (its pretest), the e2e suite (playwright.config.ts) and `npm run bench` stop at once
// with what to install when Chromium is missing, instead of building the app and then timing out.
// Each is run here as a user runs it, with CHROMIUM_PATH pointing at nothing.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumPath, chromiumProblem, DEFAULT_CHROMIUM_PATH, missingChromiumMessage } from '../../scripts/chromium.mjs';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'chromium-check-'));
const BOGUS = join(dir, 'no-such-chromium');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command in the repository with CHROMIUM_PATH=BOGUS; never lets it wait longer than the limit. */
function runWithBogusChromium(command: string, args: string[]): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(command, args, {
    cwd: root,
    env: { ...process.env, CHROMIUM_PATH: BOGUS, E2E_PORT: '4299', FORCE_COLOR: '0' },
    encoding: 'utf8',
    // A guard against a hang, not a speed limit: that nothing was built or run is checked from
    // the output (a loaded machine takes a while just to start tsx or Playwright).
    timeout: 120_000
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('chromiumProblem', () => {
  it('accepts an executable file and names what is wrong otherwise', () => {
    const exe = join(dir, 'chromium');
    writeFileSync(exe, '#!/bin/sh\n');
    chmodSync(exe, 0o755);
    expect(chromiumProblem(exe)).toBeNull();
    expect(chromiumProblem(BOGUS)).toBe(`No Chromium at ${BOGUS}.`);
    expect(chromiumProblem(dir)).toMatch(/is not a file/);
    const plain = join(dir, 'not-executable');
    writeFileSync(plain, 'x');
    chmodSync(plain, 0o644);
    // root may execute nothing without an x bit either: access(X_OK) says so for root too.
    expect(chromiumProblem(plain)).toMatch(/is not executable/);
  });

  it('uses CHROMIUM_PATH when set, Debian’s Chromium otherwise', () => {
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/chrome' })).toBe('/opt/chrome');
    expect(chromiumPath({})).toBe(DEFAULT_CHROMIUM_PATH);
    expect(chromiumPath({ CHROMIUM_PATH: '' })).toBe(DEFAULT_CHROMIUM_PATH);
    const message = missingChromiumMessage(`No Chromium at ${BOGUS}.`, 'The browser tests');
    expect(message).toContain('apt-get install -y chromium');
    expect(message).toContain('CHROMIUM_PATH');
  });
});

describe('with CHROMIUM_PATH pointing at nothing', () => {
  it('npm test stops in its pretest check with the message', () => {
    const r = runWithBogusChromium('node', ['scripts/ensure-deps.mjs', '--browser']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`No Chromium at ${BOGUS}.`);
    expect(r.stderr).toContain('apt-get install -y chromium');
  }, 150_000);

  it('the e2e suite stops when its config loads, before the web server builds anything', () => {
    const r = runWithBogusChromium(join(root, 'node_modules/.bin/playwright'), ['test', '--list']);
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stdout + r.stderr).toContain(`No Chromium at ${BOGUS}.`);
    expect(r.stdout + r.stderr).toContain('The browser tests');
    // The web server's build never started.
    expect(r.stdout + r.stderr).not.toMatch(/vite build|building|transformed/i);
  }, 150_000);

  it('npm run bench stops before any group runs, naming the groups that need the browser', () => {
    const r = runWithBogusChromium(join(root, 'node_modules/.bin/tsx'), ['scripts/bench.ts', '--json', '--only', 'poll,ui']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`No Chromium at ${BOGUS}.`);
    expect(r.stderr).toContain('npm run bench (groups ui)');
    // Nothing ran: no figures on stdout.
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/bench group \w+ failed|vite build|transformed/i);
  }, 150_000);
});

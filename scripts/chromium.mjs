// Which Chromium the browser tests, the benchmarks and the screenshots use, and a check that it is
// there. Plain JavaScript so that scripts/ensure-deps.mjs (plain node, before anything is
// installed) can use it as well as playwright.config.ts and scripts/bench.ts. Without it, a missing
// browser showed up only after a full build and a preview server start, as Playwright's launch error.
import { accessSync, constants, statSync } from 'node:fs';

/** Flags from reference/toolchain.md for headless Debian Chromium. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Not --enable-features=...: Playwright passes its own --enable-features and the last one wins.
  '--enable-blink-features=WebBluetooth'
];

/** Debian's Chromium (reference/toolchain.md); never a browser Playwright downloads. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The Chromium binary to run: CHROMIUM_PATH when set and not empty, else Debian's.
 * @param {Record<string, string | undefined>} [env]
 * @returns {string}
 */
export function chromiumPath(env = process.env) {
  return env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

/**
 * What is wrong with `path` as a browser to launch, in one sentence; null when it is an executable file.
 * @param {string} path
 * @returns {string | null}
 */
export function chromiumProblem(path) {
  let isFile;
  try {
    isFile = statSync(path).isFile();
  } catch {
    return `No Chromium at ${path}.`;
  }
  if (!isFile) return `${path} is not a file, so it cannot be Chromium.`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return `${path} is not executable.`;
  }
  return null;
}

/**
 * The full message for a missing browser: what is wrong, and the two ways to fix it.
 * @param {string} problem
 * @param {string} what  who needs the browser ("The browser tests", "npm run bench")
 * @returns {string}
 */
export function missingChromiumMessage(problem, what) {
  return (
    `${problem}\n${what}: this runs in Debian's Chromium, never a downloaded browser. Install it:\n` +
    '  sudo apt-get update && sudo apt-get install -y chromium\n' +
    'or set CHROMIUM_PATH to a Chromium/Chrome binary.'
  );
}

/**
 * The Chromium path when it can be launched; otherwise prints the message and ends the process
 * with exit code 1, before any build or server start.
 * @param {string} what
 * @returns {string}
 */
export function requireChromium(what) {
  const path = chromiumPath();
  const problem = chromiumProblem(path);
  if (problem) {
    console.error(missingChromiumMessage(problem, what));
    process.exit(1);
  }
  return path;
}

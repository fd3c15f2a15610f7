// Shared by the ui and bundle bench groups: build the app when the sources are newer than the
// build, serve it with `vite preview`, launch Debian's Chromium through playwright-core, and size
// the JS a page loads before it runs. Underscore prefix: not a bench group itself.

import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { openDemo, takeOverUpdates } from '../../tests/e2e/monitor-helpers';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD_DIR = join(ROOT, 'build');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` unless build/ is newer than every source and config file. */
export function ensureBuild(): { built: boolean } {
  const marker = join(BUILD_DIR, 'index.html');
  const inputs = [join(ROOT, 'src'), join(ROOT, 'static')].filter(existsSync);
  const configs = ['vite.config.ts', 'svelte.config.js', 'package.json'].map((f) => join(ROOT, f)).filter(existsSync);
  const newestInput = Math.max(...inputs.map(newestMtime), ...configs.map((f) => statSync(f).mtimeMs));
  if (existsSync(marker) && statSync(marker).mtimeMs > newestInput && !process.env.BENCH_REBUILD) return { built: false };
  process.stderr.write('bench: building the app (npm run build)…\n');
  execSync('npm run --silent build', { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
  return { built: true };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface Preview {
  url: string;
  stop(): Promise<void>;
}

/** `vite preview` on a free port (not 4173, which the e2e tests may hold). */
/** Serve a build with vite preview; `root` serves another checkout's build (before/after figures). */
export async function startPreview(timeout_ms = 60_000, root = ROOT): Promise<Preview> {
  const port = await freePort();
  // vite itself, not through npx: a signal to npx does not always reach the server.
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const child: ChildProcess = spawn(process.execPath, [vite, 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeout_ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}): ${output}`);
    try {
      const res = await fetch(url + '/');
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`vite preview did not answer on ${url} within ${timeout_ms} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      })
  };
}

const STATIC_IMPORT = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.js)["']/g;
const DYNAMIC_IN_HTML = /import\(\s*["']([^"']+\.js)["']\s*\)/g;
const MODULEPRELOAD = /<link[^>]+href="([^"]+\.js)"[^>]*rel="modulepreload"|<link[^>]+rel="modulepreload"[^>]*href="([^"]+\.js)"/g;
const SCRIPT_SRC = /<script[^>]+src="([^"]+\.js)"/g;

/** URL paths of JS a page fetches before it runs: its preloads and entry imports. */
export function htmlEntryScripts(html: string): string[] {
  const found = new Set<string>();
  for (const re of [MODULEPRELOAD, SCRIPT_SRC, DYNAMIC_IN_HTML]) {
    for (const m of html.matchAll(re)) found.add(m[1] ?? m[2]);
  }
  return [...found];
}

/** Static imports of one module, resolved against its own URL path. */
export function staticImports(code: string, fromPath: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(STATIC_IMPORT)) {
    const spec = m[1];
    out.push(spec.startsWith('.') ? posix.normalize(posix.join(posix.dirname(fromPath), spec)) : spec);
  }
  return out;
}

export interface JsWeight {
  files: number;
  raw_B: number;
  gzip_B: number;
}

/**
 * gzip (level 9, like a static host would serve) of every JS file the page loads up front: the
 * HTML's preloads and entry imports plus everything they import statically. Dynamic imports
 * (uPlot behind the trends) are not counted: they load later, on demand.
 */
export function initialJsWeight(htmlFile: string, buildDir = BUILD_DIR): JsWeight {
  const html = readFileSync(htmlFile, 'utf8');
  const seen = new Set<string>();
  const queue = htmlEntryScripts(html);
  let raw = 0;
  let gz = 0;
  while (queue.length) {
    const path = queue.shift()!;
    if (seen.has(path) || !path.startsWith('/')) continue;
    seen.add(path);
    const file = join(buildDir, path);
    if (!existsSync(file)) throw new Error(`${relative(ROOT, htmlFile)} refers to ${path}, which is not in ${relative(ROOT, buildDir)}`);
    const code = readFileSync(file);
    raw += code.length;
    gz += gzipSync(code, { level: 9 }).length;
    queue.push(...staticImports(code.toString('utf8'), path));
  }
  return { files: seen.size, raw_B: raw, gzip_B: gz };
}

/**
 * tsx compiles scripts with esbuild's keepNames, which wraps named functions inside page.evaluate
 * callbacks in a `__name(fn, "name")` helper that exists only in Node. Give the page a no-op one.
 */
export const NAME_HELPER_SCRIPT = 'globalThis.__name = globalThis.__name || ((fn) => fn);';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export const round = (v: number, decimals = 2): number => Math.round(v * 10 ** decimals) / 10 ** decimals;

/** One Chromium trace event, as much of it as the bench reads. */
export interface TraceEvent {
  name: string;
  cat: string;
  /** Thread time (µs of CPU the thread has used so far): what makes CPU time measurable. */
  tts?: number;
}

/** Runs `work` while Chromium traces `categories` and returns the events with its result. */
export async function traceDuring<T>(page: Page, categories: string, work: () => Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { categories, transferMode: 'ReportEvents' });
  let result: T;
  try {
    result = await work();
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
  }
  return { result, events };
}

/** A 1280x800 page on the demo bank with `packs` packs, updates taken over by the bench (takeOverUpdates). */
export async function openBenchPage(browser: Browser, baseURL: string, packs = 16): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL });
  await context.addInitScript(NAME_HELPER_SCRIPT);
  const page = await context.newPage();
  await openDemo(page, packs);
  await takeOverUpdates(page, packs);
  return page;
}

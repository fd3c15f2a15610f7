// A second "deploy" without a second build: a tiny static server for build/ whose sw.js can be
// switched to different bytes while a page is open, which is what a real deploy looks like to the
// browser's service worker update check.
//
// Why not Playwright's context.route('**/sw.js'): in Chromium 156 with Playwright 1.65 the route
// sees the registration's first script fetch, but not the fetch that registration.update() makes,
// so the update check would compare against bytes the route never served. And the opt-in
// PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS left the first install hanging here. A real server
// leaves the browser's whole update algorithm (byte comparison, installing, waiting) untouched.

import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD_DIR = fileURLToPath(new URL('../../build/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm'
};

/** The message a page posts to its controller (with a MessagePort) to learn which deploy it is. */
export const DEPLOY_ID_MESSAGE = 'E2E_DEPLOY_ID';

/**
 * The built sw.js, unchanged, with one listener appended that answers DEPLOY_ID_MESSAGE with the
 * deploy's id. Two ids give two byte-different scripts, i.e. two service worker versions, and let
 * the test ask the controlling worker which one it is.
 */
export function swForDeploy(realSw: string, deployId: string): string {
  return (
    `${realSw}\n` +
    `self.addEventListener('message', (event) => {\n` +
    `  if (event.data && event.data.type === ${JSON.stringify(DEPLOY_ID_MESSAGE)} && event.ports[0]) {\n` +
    `    event.ports[0].postMessage(${JSON.stringify(deployId)});\n` +
    `  }\n` +
    `});\n`
  );
}

export interface DeployServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash; a secure context like localhost). */
  readonly origin: string;
  /** From now on /sw.js is the given deploy's script. */
  deploy(deployId: string): void;
  /** How many times the browser fetched /sw.js (registration and update checks). */
  readonly swFetches: number;
  close(): Promise<void>;
}

/** Resolve a URL path to a file in build/ the way the static adapter's output is meant to be served. */
async function resolveFile(urlPath: string): Promise<string | null> {
  const clean = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  if (clean.split(sep).includes('..')) return null;
  const candidates = clean === '' ? ['index.html'] : [clean, `${clean}.html`, join(clean, 'index.html')];
  for (const candidate of candidates) {
    const file = join(BUILD_DIR, candidate);
    try {
      if ((await stat(file)).isFile()) return file;
    } catch {
      // Not this candidate; try the next.
    }
  }
  return null;
}

export async function startDeployServer(firstDeployId: string): Promise<DeployServer> {
  const realSw = await readFile(join(BUILD_DIR, 'sw.js'), 'utf8');
  let sw = swForDeploy(realSw, firstDeployId);
  let swFetches = 0;

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    void (async () => {
      if (path === '/sw.js') {
        swFetches += 1;
        res.writeHead(200, { 'content-type': CONTENT_TYPES['.js'], 'cache-control': 'no-cache' });
        res.end(sw);
        return;
      }
      // Unknown paths (deep links such as /pack/3) get the static adapter's fallback page.
      const file = (await resolveFile(path)) ?? join(BUILD_DIR, '200.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  // Port 0: the system picks a free port, so parallel checkouts and runs never collide.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('deploy server has no TCP port');

  return {
    origin: `http://127.0.0.1:${address.port}`,
    deploy(deployId: string) {
      sw = swForDeploy(realSw, deployId);
    },
    get swFetches() {
      return swFetches;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    }
  };
}

import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

// One version name per build. This file is evaluated more than once in a build (the client
// build and the prerendering each load it); a name computed on every evaluation (the time to
// the minute) differed when a build crossed a minute boundary, and the prerendered pages then
// looked for a `__sveltekit_<version>` global the client code never set: a blank app. The first
// evaluation pins it in the environment, which later ones and child processes inherit.
process.env.BUILD_VERSION ??= new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');

/**
 * Origins besides the app's own that the app may fetch from: the firmware catalog and its images
 * when they are published elsewhere than the app (the default catalog, /firmware/catalog.json, is
 * same-origin). Space-separated origins in FIRMWARE_CATALOG_ORIGINS at build time, e.g.
 * "https://firmware.example.com". Nothing else is ever contacted.
 */
const catalogOrigins = (process.env.FIRMWARE_CATALOG_ORIGINS ?? '').split(/\s+/).filter(Boolean);

/**
 * SvelteKit's root component writes one style attribute of its own: the route announcer's
 * visually-hidden style (@sveltejs/kit src/core/sync/write_root.js). Allowed by its hash
 * ('unsafe-hashes' permits exactly the attributes whose hash is listed), read from the installed
 * Kit so that an upgrade that changes it cannot silently break the policy; the build fails instead.
 */
function announcerStyleHash() {
  const file = new URL('./node_modules/@sveltejs/kit/src/core/sync/write_root.js', import.meta.url);
  const style = /id="svelte-announcer"[^>]*?\sstyle="([^"]+)"/.exec(readFileSync(file, 'utf8'))?.[1];
  if (!style) throw new Error(`svelte.config.js: no svelte-announcer style attribute in ${file.pathname}; update the CSP's style-src-attr`);
  return `sha256-${createHash('sha256').update(style).digest('base64')}`;
}

/**
 * The Content-Security-Policy, as a <meta> tag in every page (a static site has no headers of its
 * own). mode 'hash': SvelteKit adds the hash of each inline script and style it writes (the boot
 * script), so no 'unsafe-inline' is needed, for scripts or styles. Svelte's style: directives and
 * uPlot write styles through the CSSOM, which CSP does not restrict; a static style="" attribute in
 * a component's markup would be blocked (use a class). frame-ancestors, report-uri and sandbox are ignored in a
 * meta tag, so they are not listed.
 * @type {import('@sveltejs/kit').Config['kit']['csp']}
 */
export const csp = {
  mode: 'hash',
  directives: {
    'default-src': ['self'],
    'script-src': ['self'],
    'style-src': ['self'],
    'style-src-attr': ['unsafe-hashes', announcerStyleHash()],
    'img-src': ['self', 'data:', 'blob:'],
    'font-src': ['self'],
    'connect-src': ['self', ...catalogOrigins],
    'worker-src': ['self'],
    'manifest-src': ['self'],
    'object-src': ['none'],
    'base-uri': ['self'],
    'form-action': ['self']
  }
};

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: '200.html', precompress: false, strict: true }),
    // vite-plugin-pwa owns the service worker.
    serviceWorker: { register: false },
    // Absolute asset URLs: the SW serves the "/" shell for deep links such as /pack/3, whose
    // relative asset paths would otherwise resolve under /pack/ and fail offline.
    paths: { relative: false },
    version: { name: process.env.BUILD_VERSION },
    csp
  }
};

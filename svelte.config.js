import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// One version name per build. This file is evaluated more than once in a build (the client
// build and the prerendering each load it); a name computed on every evaluation (the time to
// the minute) differed when a build crossed a minute boundary, and the prerendered pages then
// looked for a `__sveltekit_<version>` global the client code never set: a blank app. The first
// evaluation pins it in the environment, which later ones and child processes inherit.
process.env.BUILD_VERSION ??= new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');

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
    version: { name: process.env.BUILD_VERSION }
  }
};

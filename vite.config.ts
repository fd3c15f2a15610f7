import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';
import type { Plugin } from 'vite';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

function gitRevision(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'nogit';
  }
}

const BUILD_VERSION = `${pkg.version}+${gitRevision()}`;

/**
 * The demo bank's firmware catalog and images in static/firmware/ (scripts/firmware-images.ts),
 * written before static/ is copied or served. Loaded through tsx at build time rather than imported,
 * so this config does not pull the app's TypeScript sources into its own bundle.
 */
function firmwareImages(): Plugin {
  let done: Promise<unknown> | null = null;
  return {
    name: 'packservice-firmware-images',
    buildStart() {
      // SvelteKit builds twice (server and client); the files are the same, write them once.
      done ??= (tsImport('./scripts/firmware-images.ts', import.meta.url) as Promise<typeof import('./scripts/firmware-images')>).then((m) =>
        m.writeFirmwareImages()
      );
      return done.then(() => undefined);
    }
  };
}

export default defineConfig({
  define: {
    __BUILD_VERSION__: JSON.stringify(BUILD_VERSION),
    __BUILD_TIME__: JSON.stringify(new Date().toISOString())
  },
  plugins: [
    firmwareImages(),
    // Compiled messages (messages/<area>/<locale>.json): each page ships only the messages it uses.
    // The locale comes from the switch (localStorage), else the browser's languages, else English.
    paraglideVitePlugin({
      project: './project.inlang',
      outdir: './src/lib/paraglide',
      strategy: ['localStorage', 'preferredLanguage', 'baseLocale']
    }),
    sveltekit(),
    SvelteKitPWA({
      // 'prompt': a new version waits until the user accepts; we never reload in the middle of work.
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'Pack Service Tool',
        short_name: 'PackService',
        description: 'Monitor, configure and update 51.2 V LiFePO4 wall packs over USB or Bluetooth.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#0b3d5c',
        background_color: '#ffffff',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' }
        ]
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,ico,png,svg,webmanifest,json}'],
        // The firmware catalog is fetched by the app and kept in IndexedDB with its images; a copy
        // precached with the app would answer offline as if it had just been fetched.
        globIgnores: ['firmware/**'],
        navigateFallback: '/',
        clientsClaim: true,
        // No skipWaiting: the update prompt decides when the new worker takes over.
        skipWaiting: false
      },
      devOptions: { enabled: false }
    })
  ],
  test: {
    include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts'],
    environment: 'node',
    pool: 'threads',
    // Simulator-backed tests run minutes of virtual time; on a loaded 2-core machine a few take
    // more than Vitest's default 5 s. The limit guards against hangs, not speed.
    testTimeout: 30_000,
    maxWorkers: 2,
    // .ci/run asks for a machine-readable result so it can close on one "N passed, N failed" line.
    reporters: process.env.TEST_SUMMARY_DIR ? ['default', ['json', { outputFile: `${process.env.TEST_SUMMARY_DIR}/unit.json` }]] : ['default']
  }
});

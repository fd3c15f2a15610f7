import { defineConfig } from '@playwright/test';

/** Debian's Chromium; never a downloaded browser. Flags from reference/toolchain.md. */
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

/** E2E_PORT lets a second checkout run its browser tests beside a running dev preview. */
const port = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'tests/e2e',
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    // The app picks its language from the browser: tests run in English unless they ask for
    // another (tests/e2e/i18n.spec.ts), whatever the machine's LANG.
    locale: 'en-US',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'off'
  },
  webServer: {
    command: `npm run build && npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000
  }
});

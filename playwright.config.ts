import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath, chromiumProblem, missingChromiumMessage } from './scripts/chromium.mjs';

/** Debian's Chromium; never a downloaded browser. The flags live in scripts/chromium.mjs (bench uses them too). */
export { CHROMIUM_ARGS };

// Fail here, when the config loads: before the webServer builds the app (a minute or more) and
// before each test times out on a browser that cannot start.
const chromium = chromiumPath();
const chromiumMissing = chromiumProblem(chromium);
if (chromiumMissing) throw new Error(missingChromiumMessage(chromiumMissing, 'The browser tests'));

/** E2E_PORT lets a second checkout run its browser tests beside a running dev preview. */
const port = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'tests/e2e',
  // Most of a test's time is the browser waiting on the simulated bank's real-time polls (the
  // suite's CPU time is about a quarter of its wall time), so two workers halve the run on two cores.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  // On CI a failed test runs once more and is reported as flaky: the diagnose wizard's verdicts
  // (a pack slow to answer under two busy browsers counts as needing attention) are the known case.
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // .ci/run asks for a machine-readable result so it can close on one "N passed, N failed" line.
  reporter: process.env.TEST_SUMMARY_DIR ? [['list'], ['json', { outputFile: `${process.env.TEST_SUMMARY_DIR}/e2e.json` }]] : [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    // The app picks its language from the browser: tests run in English unless they ask for
    // another (tests/e2e/i18n.spec.ts), whatever the machine's LANG.
    locale: 'en-US',
    launchOptions: { executablePath: chromium, args: CHROMIUM_ARGS },
    trace: 'off'
  },
  webServer: {
    command: `npm run build && npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000
  }
});

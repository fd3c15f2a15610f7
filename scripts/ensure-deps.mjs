// Makes `npm start` and `npm test` work on a fresh clone: installs node_modules from the lockfile
// when they are missing or older than the lockfile, and checks for Debian's Chromium when asked.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { requireChromium } from './chromium.mjs';

const wantBrowser = process.argv.includes('--browser');
const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log('Installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
if (wantBrowser) requireChromium('The browser tests');

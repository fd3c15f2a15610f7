// Benchmark dispatcher: `npm run --silent bench -- [--json] [--only group[,group...]]`.
//
// Every scripts/bench/<group>.ts (not *.test.ts, not _*.ts) is a group: it exports
// `run(): Promise<Record<string, number | string | boolean | null>>`, whose keys are figure names
// without the group prefix ("cycle_s"). The dispatcher prefixes them ("poll.cycle_s") and prints
// one object merging every group that ran. Adding a group means adding a file; nothing here changes.
// A key that starts with "/" is a figure some issue names outside the group's namespace
// ("/discovery_s", "/bundle.initial_js_gzip_kB"): it is printed as given, without the slash.
// A group prints its targets beside its figures with targets() from bench/_targets.ts:
// "<figure>.target" ("<= 16") and "<figure>.pass" (true or false).
// A group that launches Chromium exports `needsChromium = true`; when one is selected and the
// browser is missing, the run stops at once with what to install (exit 1), instead of after the
// groups before it and a build.
// With --json stdout carries that one JSON object and nothing else (group chatter goes to stderr).

import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireChromium } from './chromium.mjs';

export type BenchFigures = Record<string, number | string | boolean | null>;

interface BenchGroup {
  run(): Promise<BenchFigures>;
  /** The group launches Chromium: without one, the whole run stops before any group starts. */
  needsChromium?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
const groupDir = join(here, 'bench');

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run --silent bench -- [--json] [--only group[,group...]]\ngroups: ${availableGroups().join(', ')}\n`);
  process.exit(2);
}

function availableGroups(): string[] {
  return readdirSync(groupDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .map((f) => basename(f, '.ts'))
    .sort();
}

function parseArgs(argv: string[]): { json: boolean; only: string[] | null } {
  let json = false;
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!v) usage('--only needs a group name');
      only = [
        ...(only ?? []),
        ...v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      ];
    } else usage(`unknown argument ${a}`);
  }
  return { json, only };
}

async function main(): Promise<void> {
  const { json, only } = parseArgs(process.argv.slice(2));
  const groups = availableGroups();
  const selected = only ?? groups;
  for (const g of selected) if (!groups.includes(g)) usage(`unknown group "${g}"`);

  // Figures are the only thing on stdout: anything a group prints goes to stderr.
  const log = console.log;
  console.log = (...args: unknown[]) => console.error(...args);
  const merged: BenchFigures = {};
  let failed = false;
  // Load every selected group first (loading runs nothing), so a missing browser stops the run now.
  const modules = new Map<string, Partial<BenchGroup> | Error>();
  for (const name of selected) {
    try {
      modules.set(name, (await import(pathToFileURL(join(groupDir, `${name}.ts`)).href)) as Partial<BenchGroup>);
    } catch (e) {
      modules.set(name, e instanceof Error ? e : new Error(String(e)));
    }
  }
  const browserGroups = selected.filter((name) => {
    const mod = modules.get(name);
    return !(mod instanceof Error) && mod?.needsChromium === true;
  });
  if (browserGroups.length > 0) requireChromium(`npm run bench (groups ${browserGroups.join(', ')})`);
  for (const name of selected) {
    try {
      const mod = modules.get(name);
      if (mod instanceof Error || mod === undefined) throw mod ?? new Error(`scripts/bench/${name}.ts did not load`);
      if (typeof mod.run !== 'function') throw new Error(`scripts/bench/${name}.ts does not export run()`);
      const figures = await mod.run();
      for (const [k, v] of Object.entries(figures)) merged[k.startsWith('/') ? k.slice(1) : `${name}.${k}`] = v;
    } catch (e) {
      failed = true;
      merged[`${name}.error`] = e instanceof Error ? e.message : String(e);
      process.stderr.write(`bench group ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
  }
  console.log = log;

  if (json) process.stdout.write(JSON.stringify(merged) + '\n');
  else {
    const width = Math.max(0, ...Object.keys(merged).map((k) => k.length));
    for (const [k, v] of Object.entries(merged)) process.stdout.write(`${k.padEnd(width)}  ${String(v)}\n`);
  }
  process.exitCode = failed ? 1 : 0;
}

await main();

// The decoder CLI (scripts/decode.ts) run as a person or a script would: node + tsx, arguments or
// stdin, one JSON line per frame, exit status 0 / 1 / 2.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as F from './fixtures/telemetry-frames';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsxCli = `${root}node_modules/tsx/dist/cli.mjs`;
const script = `${root}scripts/decode.ts`;

function decode(args: string[], stdin?: string): { code: number | null; lines: Record<string, unknown>[]; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [tsxCli, script, ...args], { cwd: root, input: stdin ?? '', encoding: 'utf8', timeout: 60_000 });
  const stdout = r.stdout ?? '';
  const lines = stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.status, lines, stdout, stderr: r.stderr ?? '' };
}

describe('scripts/decode.ts', { timeout: 120_000 }, () => {
  it('decodes frames from arguments and exits 0', () => {
    const r = decode(['--cmd', '42', F.ANALOG_PBMSTOOLS.text, F.ANALOG_BROADCAST_10_P9.text]);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toMatchObject({
      ok: true,
      ver: 37,
      adr: 1,
      cid1: 70,
      rtn: 0,
      data: { packCount: 1, packs: [{ voltage_V: 52.429, cycles: 140 }] }
    });
    expect(r.lines[1]).toMatchObject({ ok: true, data: { packCount: 10 } });
    expect(r.stdout.startsWith('{"ok":true,"ver":37,"adr":1,"cid1":70,"rtn":0,"data":{"packCount":1,"packs":[{"cells_mV":[')).toBe(true);
  });

  it('reads one frame per line from stdin, exits 1 when one is refused', () => {
    const input = [F.COUNT_MASTER.text, '~25014600E00202FD36', F.REQ_COUNT_MASTER.text, ''].join('\n');
    const r = decode(['--cmd', '90'], input);
    expect(r.code).toBe(1);
    expect(r.lines.map((l) => (l.ok ? 'ok' : l.error))).toEqual(['ok', 'checksum', 'echo']);
    expect(r.lines[0]).toMatchObject({ data: { packCount: 2 } });
  });

  it('reads frames as requests without --cmd, and honours --profile', () => {
    const r = decode([F.REQ_ANALOG_ADR1_ALL.text, F.REQ_SERIALS.text]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toEqual({ ok: true, ver: 37, adr: 1, cid1: 70, cid2: 66, request: { command: 255 }, command: 'readAnalog' });
    expect(r.lines[1]).toMatchObject({ ok: true, cid2: 0xc2, request: {} });
    const p = decode(['--cmd=42', '--profile', 'seplos', F.SEPLOS_ANALOG.text]);
    expect(p.lines[0]).toMatchObject({ ok: true, profile: 'seplos', data: { packs: [{ soc_pct: 78.7 }] } });
  });

  it('exits 2 with usage on stderr for bad arguments', () => {
    for (const args of [
      ['--cmd', 'zz', F.COUNT_MASTER.text],
      ['--profile', 'jbd', F.COUNT_MASTER.text]
    ]) {
      const r = decode(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/usage: npm run --silent decode/);
    }
  });

  it('exits 2 when stdin holds no frames', () => {
    const r = decode([], '\n\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no frames/);
  });
});

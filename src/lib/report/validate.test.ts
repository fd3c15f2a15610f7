// Opening a report file: what is refused, with which reason and which field, and what comes back
// for a good one (only the fields the schema knows).

import { describe, expect, it } from 'vitest';
import { reportFileName, reportJson } from './build';
import { jsonEndsEarly } from './check';
import { sampleReport } from './testing';
import { REPORT_SCHEMA } from './types';
import { MAX_REPORT_BYTES, parseReport, type ReportRefusal } from './validate';

const good = () => JSON.parse(reportJson(sampleReport())) as Record<string, unknown> & { packs: Record<string, unknown>[] };

function refusal(text: string): ReportRefusal {
  const r = parseReport(text);
  if (r.ok) throw new Error('expected a refusal');
  return r.refusal;
}

describe('opening a report file', () => {
  it('opens a report it made, value for value', () => {
    const report = sampleReport();
    const r = parseReport(reportJson(report));
    expect(r.ok).toBe(true);
    expect(r.ok && r.report).toEqual(report);
  });

  it('refuses a newer schema before looking at anything else, naming both versions', () => {
    const next = { ...good(), schema: REPORT_SCHEMA + 1, packs: 'changed in a way we cannot know' };
    expect(refusal(JSON.stringify(next))).toEqual({ kind: 'newer', schema: REPORT_SCHEMA + 1, supported: REPORT_SCHEMA });
  });

  it('refuses a file cut short as truncated, wherever it was cut', () => {
    const text = reportJson(sampleReport());
    for (const at of [1, 200, Math.floor(text.length / 2), text.length - 2])
      expect(refusal(text.slice(0, at)).kind, `cut at ${at}`).toBe('truncated');
  });

  it('refuses text that is not JSON, and JSON that is no report', () => {
    expect(refusal('')).toEqual({ kind: 'empty' });
    expect(refusal('  \n')).toEqual({ kind: 'empty' });
    expect(refusal('PK\u0003\u0004 this is a zip').kind).toBe('not-json');
    expect(refusal('{"format": "packservice-diagnose-report",, }').kind).toBe('not-json');
    expect(refusal('[1, 2, 3]')).toEqual({ kind: 'not-report', found: 'a list of 3' });
    expect(refusal('{"format": "parameter-profile", "schema": 1}')).toEqual({ kind: 'not-report', found: '"parameter-profile"' });
    expect(refusal('{"hello": 1}')).toEqual({ kind: 'not-report', found: 'missing' });
  });

  it('names the field that is wrong', () => {
    const cases: [string, (r: ReturnType<typeof good>) => void][] = [
      ['packs[1].analog.cells_mV[5]', (r) => ((r.packs[1].analog as { cells_mV: unknown[] }).cells_mV[5] = 'x')],
      ['packs[0].health.state', (r) => ((r.packs[0].health as { state: string }).state = 'happy')],
      ['request.ticket', (r) => ((r.request as { ticket: string }).ticket = 'x'.repeat(65))],
      ['created_ms', (r) => delete r.created_ms],
      ['schema', (r) => (r.schema = 0)],
      ['packs[1].address', (r) => (r.packs[1].address = 1)],
      ['packs[0].analog.tempLabels', (r) => (r.packs[0].analog as { tempLabels: string[] }).tempLabels.pop()],
      ['packs[0].clock.status', (r) => ((r.packs[0].clock as { status: string }).status = 'fine')],
      ['traffic.entries[1].dir', (r) => ((r.traffic as { entries: { dir: string }[] }).entries[1].dir = 'sideways')],
      ['verdicts[1].address', (r) => ((r.verdicts as { address: number }[])[1].address = 9)],
      ['findings[0].pack', (r) => ((r.findings as { pack: number | null }[])[0].pack = 12)]
    ];
    for (const [field, spoil] of cases) {
      const r = good();
      spoil(r);
      const why = refusal(JSON.stringify(r));
      expect(why.kind, field).toBe('invalid');
      expect(why.kind === 'invalid' && why.field, field).toBe(field);
      expect(why.kind === 'invalid' && why.message, field).toContain(field);
    }
  });

  it('keeps what the schema knows and drops the rest', () => {
    const r = good();
    (r as Record<string, unknown>).extra = { script: '<script>alert(1)</script>' };
    (r.packs[0] as Record<string, unknown>).__secret = 1;
    const opened = parseReport(JSON.stringify(r));
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect('extra' in opened.report).toBe(false);
    expect('__secret' in opened.report.packs[0]).toBe(false);
  });

  it('keeps hostile text as text: validation neither runs nor changes it', () => {
    const r = good();
    (r.request as { ticket: string }).ticket = '<img src=x onerror=alert(1)>\u202e';
    const opened = parseReport(JSON.stringify(r));
    expect(opened.ok && opened.report.request.ticket).toBe('<img src=x onerror=alert(1)>\u202e');
  });

  it('refuses a prototype-polluting key and an oversized file', () => {
    const text = reportJson(sampleReport()).replace('"values": {', '"values": {"__proto__": 1,');
    expect(refusal(text)).toMatchObject({ kind: 'invalid' });
    expect(refusal(' '.repeat(MAX_REPORT_BYTES + 1)).kind).toBe('too-large');
  });

  it('reads a file with a byte-order mark', () => {
    expect(parseReport(`\uFEFF${reportJson(sampleReport())}`).ok).toBe(true);
  });

  it('tells a file cut short from one that is merely wrong', () => {
    expect(jsonEndsEarly('{"a": [1, 2')).toBe(true);
    expect(jsonEndsEarly('{"a": "x}')).toBe(true);
    expect(jsonEndsEarly('{"a": "\\"}"}')).toBe(false);
    expect(jsonEndsEarly('{"a": 1}}')).toBe(false);
    expect(jsonEndsEarly('nonsense')).toBe(false);
  });

  it('names the file by ticket and time, with nothing unsafe from the ticket', () => {
    const r = sampleReport({ ticket: '../../etc/passwd <x>' });
    expect(reportFileName(r)).toMatch(/^battery-report-etcpasswdx-\d{4}-\d{2}-\d{2}-\d{4}\.json$/);
    expect(reportFileName(sampleReport({ ticket: null }))).toMatch(/^battery-report-\d{4}-/);
  });
});

// A report from what was read: judge it, say it in the customer's language, and give it the
// format and schema marks. Pure: the diagnose run (session/diagnose-run.ts) does the reading.

import { judgeHealth } from './health';
import { summaryText } from './summary';
import { REPORT_FORMAT, REPORT_SCHEMA, type DiagnoseReport } from './types';

/** Everything but what the report module adds itself. */
export type ReportData = Omit<DiagnoseReport, 'format' | 'schema' | 'findings' | 'verdicts' | 'summary'>;

export function buildReport(data: ReportData): DiagnoseReport {
  const { findings, verdicts } = judgeHealth({ packs: data.packs, expectedPacks: data.request.expectedPacks });
  const report: Omit<DiagnoseReport, 'summary'> = { format: REPORT_FORMAT, schema: REPORT_SCHEMA, ...data, findings, verdicts };
  return { ...report, summary: { language: data.request.language, text: summaryText(report, data.request.language) } };
}

/** The file's text: JSON, indented lightly so it stays readable in an editor but not huge. */
export function reportJson(report: DiagnoseReport): string {
  return JSON.stringify(report, null, 1);
}

/** A file name that sorts by time and carries the ticket: "battery-report-12345-2026-03-12-1403.json". */
export function reportFileName(report: Pick<DiagnoseReport, 'created_ms' | 'request'>): string {
  const d = new Date(report.created_ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
  const ticket = (report.request.ticket ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
  return `battery-report-${ticket ? `${ticket}-` : ''}${stamp}.json`;
}

// The readable summary: the same structure the printed summary page shows (a verdict per pack, what
// needs attention, what was checked and found fine), as data for the page and as plain text for
// the report file, so support can read what the customer saw without the app.

import { m } from '../paraglide/messages';
import { formatDateTime, formatDuration, formatNumber } from './format';
import { notable } from './health';
import type { DiagnoseReport, Finding, ReportLocale, Verdict } from './types';
import { findingWords, linkWords, packWords, severityWords, verdictWords } from './words';

export interface SummaryPack {
  address: number;
  verdict: Verdict;
  /** Findings of this pack worth telling (note and above), most severe first. */
  notable: Finding[];
  /** What was checked and found fine. */
  fine: Finding[];
}

export interface SummaryModel {
  /** Packs that need attention (watch or problem), and those that did not answer. */
  attention: number;
  noData: number;
  /** Bank findings worth telling, and those found fine. */
  bank: { notable: Finding[]; fine: Finding[] };
  packs: SummaryPack[];
}

export function summaryModel(report: Pick<DiagnoseReport, 'findings' | 'verdicts'>): SummaryModel {
  const bankFindings = report.findings.filter((f) => f.pack === null);
  const packs = report.verdicts.map((v): SummaryPack => {
    const own = report.findings.filter((f) => f.pack === v.address);
    return { address: v.address, verdict: v.verdict, notable: notable(own), fine: own.filter((f) => f.severity === 'ok') };
  });
  return {
    attention: report.verdicts.filter((v) => v.verdict === 'watch' || v.verdict === 'problem').length,
    noData: report.verdicts.filter((v) => v.verdict === 'no-data').length,
    bank: { notable: notable(bankFindings), fine: bankFindings.filter((f) => f.severity === 'ok') },
    packs
  };
}

/** The one-line overall result: "All 16 packs look good." / "3 packs need attention." */
export function overallWords(model: SummaryModel, locale: ReportLocale): string {
  const o = { locale };
  const total = formatNumber(model.packs.length, locale, 0);
  if (model.packs.length === 0) return m.diagnose_overall_none({}, o);
  if (model.attention === 0 && model.noData === 0) return m.diagnose_overall_good({ total }, o);
  return m.diagnose_overall_attention({ attention: formatNumber(model.attention + model.noData, locale, 0), total }, o);
}

/** The summary as plain text in `locale`, for the report file. */
export function summaryText(report: Omit<DiagnoseReport, 'summary'>, locale: ReportLocale): string {
  const o = { locale };
  const model = summaryModel(report);
  const lines: string[] = [];
  lines.push(m.diagnose_report_title({}, o));
  if (report.request.ticket) lines.push(`${m.diagnose_summary_ticket({}, o)}: ${report.request.ticket}`);
  lines.push(`${m.diagnose_summary_made({}, o)}: ${formatDateTime(report.created_ms, locale)}`);
  lines.push(`${m.diagnose_summary_link({}, o)}: ${linkWords(report.link, locale)}`);
  const found = formatNumber(report.packs.length, locale, 0);
  lines.push(
    `${m.diagnose_summary_packs({}, o)}: ${
      report.request.expectedPacks !== null
        ? m.diagnose_summary_packs_expected({ found, expected: formatNumber(report.request.expectedPacks, locale, 0) }, o)
        : found
    }`
  );
  lines.push(`${m.diagnose_summary_watched({}, o)}: ${formatDuration(report.request.watch_s, locale)}`);
  lines.push('');
  lines.push(overallWords(model, locale));
  lines.push('');
  for (const p of model.packs) {
    lines.push(`${packWords(p.address, locale)}: ${verdictWords(p.verdict, locale)}`);
    for (const f of p.notable) lines.push(`  - [${severityWords(f.severity, locale)}] ${findingWords(f, locale)}`);
    for (const f of p.fine) lines.push(`  - ${findingWords(f, locale)}`);
  }
  lines.push('');
  lines.push(m.diagnose_summary_bank({}, o));
  for (const f of model.bank.notable) lines.push(`  - [${severityWords(f.severity, locale)}] ${findingWords(f, locale)}`);
  for (const f of model.bank.fine) lines.push(`  - ${findingWords(f, locale)}`);
  return lines.join('\n');
}

// What the diagnose pages and the report summary need of the report engine, re-exported for ui/
// and routes/ (design.md: pages talk to session/ only). Loaded by those pages alone.

export type {
  DiagnoseReport,
  Finding,
  FindingValue,
  PackVerdict,
  ReportLocale,
  ReportPack,
  Severity,
  Verdict,
  SummaryModel,
  SummaryPack
} from '$lib/report';
export {
  findingWords,
  formatDateTime,
  formatDuration,
  formatList,
  formatNumber,
  formatPercent,
  formatTemp,
  formatTime,
  HEALTH_RULES,
  joinSentences,
  linkWords,
  overallWords,
  packWords,
  severityWords,
  summaryModel,
  verdictWords,
  withUnit
} from '$lib/report';

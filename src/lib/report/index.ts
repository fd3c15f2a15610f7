// The diagnose report: its file format (types.ts, schema 1), opening a file (validate.ts), the
// health check with its thresholds (health*.ts, rules.ts), and the summary in words (words.ts,
// summary.ts, format.ts). Plain TypeScript above protocol/, params/ and history/ types, beside
// storage/; session/ builds reports from a live bank (diagnose-run.ts) and shows opened ones.

export * from './types';
export { buildReport, reportFileName, reportJson, type ReportData } from './build';
export { checkReport, parseReport, MAX_REPORT_BYTES, type ReportOpen, type ReportRefusal } from './validate';
export { judgeHealth, notable, type HealthInput, type HealthPack, type HealthResult } from './health';
export { HEALTH_RULES, type HealthRules } from './rules';
export { sensorKind, type SensorKind } from './health-temps';
export { summaryModel, summaryText, overallWords, type SummaryModel, type SummaryPack } from './summary';
export { findingWords, joinSentences, linkWords, packWords, severityWords, verdictWords } from './words';
export * from './format';

// Statistics over recorded readings (the vendor app's "statistical analysis"): pure functions, no
// storage, no protocol. Pages ask the session, which feeds these the recorder's rows.

export { packStats, type PackStats, type CapacityPoint } from './pack';
export { bankStats, type BankStats, type BankPeriodFigures, type ExtremeSources } from './bank';
export type { Figures, FlowFigures, ExtremeFigures, PeriodFigures } from './figures';
export { DEFAULT_IDLE_BAND_A, DEFAULT_MAX_GAP_MS, type StatsOptions, type StatsSample } from './sample';
export { bucketsBetween, localTimeZone, type Bucket, type Period } from './calendar';
export { sampleFromAnalog } from './from-analog';
export { MinuteStatsBuilder, MINUTE_STATS_COLUMNS, type MinuteColumns } from './minutes';

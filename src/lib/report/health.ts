// The diagnose health check: what was read from a bank in, findings and a verdict per pack out.
// Pure and deterministic, so the same report judged twice says the same. Every finding carries
// an id, a severity and the numbers its sentence needs; report/words.ts says it in words.
//
// A pack's verdict is its worst finding: 'problem' (act now), 'watch' (look at it at the next
// service), else 'good'; 'no-data' when it never answered. Notes ('note') do not lower a verdict.
// Thresholds: rules.ts.

import type { PackHealth } from '../protocol/bank-types';
import type { PackAnalog, PackStatus } from '../protocol/types';
import { judgeSpread, judgeWeakCell } from './health-cells';
import { judgeHotter, judgeTemps, packCellTemp } from './health-temps';
import { HEALTH_RULES } from './rules';
import type { Finding, PackVerdict, ReportClock, ReportIdentity, ReportParams, ReportSample, Severity, Verdict } from './types';

export interface HealthPack {
  address: number;
  identity: ReportIdentity | null;
  analog: PackAnalog | null;
  status: PackStatus | null;
  health: Pick<PackHealth, 'state' | 'lastGood_ms' | 'lastError'>;
  clock: ReportClock;
  params: ReportParams | null;
  samples: ReportSample[];
  polls: { answered: number; missed: number };
}

export interface HealthInput {
  packs: readonly HealthPack[];
  /** How many packs support expected (a query parameter of the link); null when not said. */
  expectedPacks: number | null;
}

export interface HealthResult {
  /** Bank findings first, then each pack's in address order; 'ok' findings included (the summary lists what was checked). */
  findings: Finding[];
  verdicts: PackVerdict[];
}

const RANK: Record<Severity, number> = { ok: 0, note: 1, watch: 2, problem: 3 };

/** Whether the pack ever gave values (a pack that never answered gets 'no-data'). */
function answered(p: HealthPack): boolean {
  return (p.analog !== null && !p.analog.empty) || p.polls.answered > 0;
}

function linkFindings(p: HealthPack): Finding[] {
  if (!answered(p)) return [{ id: 'no-answer', severity: 'problem', pack: p.address, values: { error: p.health.lastError } }];
  const out: Finding[] = [];
  if (p.health.state !== 'ok')
    out.push({ id: 'went-silent', severity: 'problem', pack: p.address, values: { state: p.health.state, error: p.health.lastError } });
  const polls = p.polls.answered + p.polls.missed;
  if (p.polls.missed >= HEALTH_RULES.missedPollsMin && p.polls.missed / polls >= HEALTH_RULES.missedPollsWatch) {
    out.push({ id: 'missed-polls', severity: 'watch', pack: p.address, values: { missed: p.polls.missed, polls } });
  }
  return out;
}

function alarmFindings(p: HealthPack): Finding[] {
  const s = p.status;
  if (!s || s.empty) return [];
  const out: Finding[] = [];
  for (const f of s.flags) {
    if (f.severity === 'state') continue;
    out.push({
      id: 'alarm',
      severity: f.severity === 'warning' ? 'watch' : 'problem',
      pack: p.address,
      values: { flag: f.id, source: f.source, bit: f.bit, kind: f.severity }
    });
  }
  s.cellAlarms.forEach((level, i) => {
    if (level !== 'normal') out.push({ id: 'cell-alarm', severity: 'watch', pack: p.address, values: { cell: i + 1, level } });
  });
  s.tempAlarms.forEach((level, i) => {
    if (level !== 'normal') out.push({ id: 'temp-alarm', severity: 'watch', pack: p.address, values: { sensor: i + 1, level } });
  });
  return out;
}

function capacityFinding(p: HealthPack): Finding | null {
  const a = p.analog;
  if (!a || a.empty || a.design_Ah === null || !(a.design_Ah > 0) || !(a.full_Ah > 0)) return null;
  const soh_pct = Math.round((a.full_Ah / a.design_Ah) * 1000) / 10;
  const severity: Severity =
    soh_pct < HEALTH_RULES.sohProblem_pct
      ? 'problem'
      : soh_pct < HEALTH_RULES.sohWatch_pct
        ? 'watch'
        : soh_pct < HEALTH_RULES.sohNote_pct
          ? 'note'
          : 'ok';
  return { id: 'capacity', severity, pack: p.address, values: { full_Ah: a.full_Ah, design_Ah: a.design_Ah, soh_pct, cycles: a.cycles } };
}

function clockFinding(p: HealthPack): Finding | null {
  const c = p.clock;
  if (c.status === 'unread') return answered(p) ? { id: 'clock-unread', severity: 'note', pack: p.address, values: { reason: c.reason } } : null;
  // A wrong clock makes the event history's times wrong, not the battery unhealthy: a note at most.
  if (!c.valid || c.drift_s === null) return { id: 'clock-invalid', severity: 'note', pack: p.address, values: { pack: c.pack } };
  const severity: Severity = Math.abs(c.drift_s) >= HEALTH_RULES.clockNote_s ? 'note' : 'ok';
  return { id: 'clock-drift', severity, pack: p.address, values: { drift_s: Math.round(c.drift_s), pack: c.pack } };
}

/**
 * Packs set up together share one clock error: said once for the bank when every pack read has
 * a valid clock within clockSame_s of the others, else per pack.
 */
function clockFindings(packs: readonly HealthPack[]): { bank: Finding | null; perPack: Map<number, Finding> } {
  const perPack = new Map<number, Finding>();
  for (const p of packs) {
    const f = clockFinding(p);
    if (f) perPack.set(p.address, f);
  }
  const drifts = [...perPack.values()].filter((f) => f.id === 'clock-drift').map((f) => f.values.drift_s as number);
  if (packs.length < 2 || drifts.length !== perPack.size || drifts.length < 2) return { bank: null, perPack };
  if (Math.max(...drifts) - Math.min(...drifts) > HEALTH_RULES.clockSame_s) return { bank: null, perPack };
  const drift_s = Math.round(median(drifts));
  const bank: Finding = {
    id: 'clock-drift',
    severity: Math.abs(drift_s) >= HEALTH_RULES.clockNote_s ? 'note' : 'ok',
    pack: null,
    values: { drift_s, packs: drifts.length }
  };
  return { bank, perPack: new Map() };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function bankFindings(input: HealthInput, loadSamples: number): Finding[] {
  const out: Finding[] = [];
  const found = input.packs.length;
  if (input.expectedPacks !== null) {
    const severity: Severity = found < input.expectedPacks ? 'problem' : found > input.expectedPacks ? 'watch' : 'ok';
    out.push({ id: 'pack-count', severity, pack: null, values: { expected: input.expectedPacks, found } });
  }
  const socs = input.packs
    .filter((p) => p.analog && !p.analog.empty && p.health.state === 'ok' && p.analog.soc_pct !== null)
    .map((p) => ({ address: p.address, soc: p.analog!.soc_pct! }));
  if (socs.length >= 2) {
    const low = socs.reduce((a, b) => (b.soc < a.soc ? b : a));
    const high = socs.reduce((a, b) => (b.soc > a.soc ? b : a));
    const gap = high.soc - low.soc;
    const severity: Severity = gap >= HEALTH_RULES.socGapProblem_pct ? 'problem' : gap >= HEALTH_RULES.socGapWatch_pct ? 'watch' : 'ok';
    out.push({
      id: 'soc-gap',
      severity,
      pack: null,
      values: { gap_pct: Math.round(gap * 10) / 10, low_pack: low.address, low_pct: low.soc, high_pack: high.address, high_pct: high.soc }
    });
  }
  const versions = input.packs
    .filter((p) => p.identity?.softwareVersion)
    .map((p) => ({ address: p.address, version: p.identity!.softwareVersion!.trim() }));
  const distinct = [...new Set(versions.map((v) => v.version))];
  if (distinct.length > 1) {
    const list = distinct
      .map(
        (v) =>
          `${v} (${versions
            .filter((x) => x.version === v)
            .map((x) => x.address)
            .join(', ')})`
      )
      .join('; ');
    out.push({ id: 'firmware-mixed', severity: 'watch', pack: null, values: { versions: list, count: distinct.length } });
  } else if (distinct.length === 1) {
    const unknown = input.packs.length - versions.length;
    out.push({ id: 'firmware-same', severity: unknown > 0 ? 'note' : 'ok', pack: null, values: { version: distinct[0], unknown } });
  }
  if (loadSamples === 0 && input.packs.some(answered)) out.push({ id: 'no-load', severity: 'note', pack: null, values: {} });
  return out;
}

function verdictOf(p: HealthPack, findings: readonly Finding[]): Verdict {
  if (!answered(p)) return 'no-data';
  const worst = findings.reduce((w, f) => Math.max(w, RANK[f.severity]), 0);
  return worst >= RANK.problem ? 'problem' : worst >= RANK.watch ? 'watch' : 'good';
}

export function judgeHealth(input: HealthInput): HealthResult {
  const packs = [...input.packs].sort((a, b) => a.address - b.address);
  const perPack = new Map<number, Finding[]>();
  let loadSamples = 0;
  for (const p of packs) {
    const own: Finding[] = [...linkFindings(p), ...alarmFindings(p)];
    if (answered(p)) {
      const spread = judgeSpread(p.address, p.analog, p.samples);
      if (spread) own.push(spread);
      const capacity_Ah = p.analog?.full_Ah && p.analog.full_Ah > 0 ? p.analog.full_Ah : (p.analog?.design_Ah ?? 100);
      const weak = judgeWeakCell(p.address, p.samples, capacity_Ah);
      loadSamples += weak.loadSamples;
      if (weak.finding) own.push(weak.finding);
      own.push(...judgeTemps(p.address, p.analog, p.params));
      const capacity = capacityFinding(p);
      if (capacity) own.push(capacity);
    }
    perPack.set(p.address, own);
  }
  const clocks = clockFindings(packs);
  for (const [address, f] of clocks.perPack) perPack.get(address)?.push(f);
  for (const f of judgeHotter(
    packs.map((p) => ({ address: p.address, temp_C: p.health.state === 'ok' ? packCellTemp(p.analog, p.samples) : null }))
  )) {
    perPack.get(f.pack!)?.push(f);
  }
  const findings = [...bankFindings(input, loadSamples)];
  if (clocks.bank) findings.push(clocks.bank);
  const verdicts: PackVerdict[] = [];
  for (const p of packs) {
    const own = perPack.get(p.address) ?? [];
    findings.push(...own);
    verdicts.push({ address: p.address, verdict: verdictOf(p, own) });
  }
  return { findings, verdicts };
}

/** The findings worth telling (note and above), most severe first, bank before packs. */
export function notable(findings: readonly Finding[]): Finding[] {
  return findings
    .filter((f) => f.severity !== 'ok')
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[b.f.severity] - RANK[a.f.severity] || a.i - b.i)
    .map((x) => x.f);
}

// A diagnose report as the bank the pages show: the same PackViews, totals and trends a live bank
// gives, built once from the file, so the overview and the pack pages show a report "as if
// connected" while the session says it is a report (phase 'report', with its time). Times in a
// report are Unix ms; in report mode the session's `now_ms` is the moment of the report's newest
// values, so every age reads as it did then.

import type { BankTopology } from '$lib/protocol/bank-types';
import type { DiagnoseReport, ReportPack } from '$lib/report';
import type { TransportInfo } from '$lib/transport/types';
import { computeBankTotals } from './totals';
import { TrendBuffer, trendSample } from './trend-buffer';
import type { BankTotals, LinkHealth, PackView } from './types';

/** What the pages read of a bank, live or from a report. BankState has the same shape. */
export interface BankSource {
  readonly topology: BankTopology | null;
  readonly packs: PackView[];
  readonly totals: BankTotals;
  readonly lastReply_ms: number | null;
  pack(address: number): PackView | undefined;
  trend(address: number): TrendBuffer | undefined;
  trendRevision(address: number): number;
}

function view(p: ReportPack): PackView {
  return {
    address: p.address,
    isMaster: p.isMaster,
    analog: p.analog,
    status: p.status,
    statusUnsupported: p.statusUnsupported,
    health: p.health,
    received_ms: p.received_ms,
    // Nothing in a report is live now; the pages show its values "as read" (ui/freshness 'report').
    fresh: false,
    identity: p.identity,
    fromReport: true
  };
}

/** Whether a pack answered its last poll with values: live at the time of the report. */
function liveThen(p: ReportPack): boolean {
  return p.health.state === 'ok' && p.analog !== null && !p.analog.empty;
}

export class ReportSource implements BankSource {
  readonly report: DiagnoseReport;
  readonly topology: BankTopology;
  readonly packs: PackView[];
  readonly totals: BankTotals;
  readonly lastReply_ms: number | null;
  /** "Now" while the report is shown: when its newest values arrived (else when it was made). */
  readonly now_ms: number;
  readonly link: LinkHealth;
  readonly transportInfo: TransportInfo;
  readonly #trends = new Map<number, TrendBuffer>();

  constructor(report: DiagnoseReport) {
    this.report = report;
    const packs = [...report.packs];
    this.topology = {
      masterAddress: report.link.masterAddress,
      addresses: packs.map((p) => p.address),
      broadcast: report.link.broadcast ?? false,
      profile: report.link.profile as BankTopology['profile'],
      ver: report.link.ver,
      cid1: report.link.cid1
    };
    this.packs = packs.map(view);
    // The bank's totals as they were at the end of the check.
    this.totals = computeBankTotals(this.packs.map((v, i) => ({ ...v, fresh: liveThen(packs[i]) })));
    const received = packs.map((p) => p.received_ms).filter((t): t is number => t !== null);
    this.lastReply_ms = received.length ? Math.max(...received) : null;
    this.now_ms = this.lastReply_ms ?? report.created_ms;
    this.link = {
      phase: 'report',
      lastReply_ms: this.lastReply_ms,
      timeouts: report.stats.timeouts,
      badFrames: report.stats.badFrames,
      reconnects: 0,
      message: null
    };
    this.transportInfo = { kind: report.link.kind, label: report.link.label };
    for (const p of packs) {
      const buffer = new TrendBuffer(Math.max(1, p.samples.length));
      for (const s of p.samples) {
        const sample = trendSample(s.t_ms, { ...s, empty: false });
        if (sample) buffer.push(sample);
      }
      if (buffer.length > 0) this.#trends.set(p.address, buffer);
    }
  }

  pack(address: number): PackView | undefined {
    return this.packs.find((p) => p.address === address);
  }

  trend(address: number): TrendBuffer | undefined {
    return this.#trends.get(address);
  }

  /** A report never changes. */
  trendRevision(): number {
    return 0;
  }
}

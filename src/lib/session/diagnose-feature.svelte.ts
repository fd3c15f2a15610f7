// The diagnose wizard's state, kept per session so it survives a look at the overview and back:
// which step, how the bank is reached, the run's progress, the report it made and where it was
// saved. The run itself (diagnose-run.ts, with the parameter, history and report engines) is
// loaded only when reading starts, so the wizard's first screen stays light.

import type { DiagnoseReport, ReportLocale } from '$lib/report';
import type { JsonObject, JsonValue } from '$lib/storage';
import type { DemoScenario } from './demo-scenarios';
import type { DiagnoseProgress } from './diagnose-run';
import type { DeviceSession } from './session.svelte';
import type { TransportKind } from './types';

export type WizardStep = 'start' | 'plug' | 'reading' | 'result';

export type DiagnoseFailure =
  /** The connect did not succeed (the session's error says why). */
  | { kind: 'connect' }
  /** Connected, but no pack answered. */
  | { kind: 'no-bank'; detail: string }
  /** Reading stopped on an error. */
  | { kind: 'failed'; detail: string }
  | { kind: 'cancelled' };

export interface ReadRequest {
  ticket: string | null;
  expectedPacks: number | null;
  language: ReportLocale;
  appVersion: string;
  userAgent: string | null;
}

export class DiagnoseFeature {
  readonly #session: DeviceSession;
  step = $state<WizardStep>('start');
  via = $state<TransportKind>('serial');
  demo = $state<DemoScenario>('faults');
  /** How long to watch the bank (s). */
  watch_s = $state(120);
  progress = $state.raw<DiagnoseProgress | null>(null);
  report = $state.raw<DiagnoseReport | null>(null);
  failure = $state.raw<DiagnoseFailure | null>(null);
  /** Id in the app's report store once saved; null before, or when saving failed (saveProblem). */
  savedId = $state<number | null>(null);
  saveProblem = $state<string | null>(null);
  #abort: AbortController | null = null;

  constructor(session: DeviceSession) {
    this.#session = session;
  }

  get reading(): boolean {
    return this.step === 'reading' && this.#abort !== null;
  }

  choose(via: TransportKind): void {
    this.via = via;
    this.failure = null;
    this.step = 'plug';
  }

  back(): void {
    this.failure = null;
    this.step = 'start';
  }

  /** Connect the chosen way. Call from a click: the browser shows its device list only then. */
  async connect(): Promise<boolean> {
    this.failure = null;
    const ok = await this.#session.connect({ kind: this.via, ...(this.via === 'sim' ? { demoScenario: this.demo } : {}) });
    if (!ok && this.#session.phase === 'error') this.failure = { kind: 'connect' };
    return ok;
  }

  /** Read everything and make the report; resolves when done, failed or cancelled. */
  async read(request: ReadRequest): Promise<void> {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.step = 'reading';
    this.failure = null;
    this.report = null;
    this.savedId = null;
    this.saveProblem = null;
    this.progress = { step: 'bank', fraction: 0 };
    try {
      const { runDiagnose, DiagnoseError } = await import('./diagnose-run');
      try {
        const report = await runDiagnose(this.#session, {
          watch_ms: this.watch_s * 1000,
          ticket: request.ticket,
          expectedPacks: request.expectedPacks,
          language: request.language,
          appVersion: request.appVersion,
          userAgent: request.userAgent,
          signal: abort.signal,
          onProgress: (p) => (this.progress = p)
        });
        this.report = report;
        this.step = 'result';
        void this.#save(report);
      } catch (e) {
        if (abort.signal.aborted) this.failure = { kind: 'cancelled' };
        else if (e instanceof DiagnoseError && e.kind === 'no-bank') this.failure = { kind: 'no-bank', detail: e.message };
        else this.failure = { kind: 'failed', detail: e instanceof Error ? e.message : String(e) };
        this.step = 'plug';
      }
    } finally {
      this.#abort = null;
    }
  }

  cancel(): void {
    this.#abort?.abort(new DOMException('Cancelled', 'AbortError'));
  }

  /** A new check from the first step (the connection stays as it is). */
  restart(): void {
    this.cancel();
    this.step = 'start';
    this.report = null;
    this.failure = null;
    this.progress = null;
  }

  async #save(report: DiagnoseReport): Promise<void> {
    try {
      const db = await this.#session.database();
      const summary: JsonObject = {
        packs: report.packs.length,
        problem: report.verdicts.filter((v) => v.verdict === 'problem').length,
        watch: report.verdicts.filter((v) => v.verdict === 'watch').length,
        noData: report.verdicts.filter((v) => v.verdict === 'no-data').length,
        link: report.link.label
      };
      const title = report.request.ticket ? `Ticket ${report.request.ticket}` : report.link.label;
      this.savedId = await db.reports.add(
        { created_ms: report.created_ms, kind: 'diagnose', title, ticket: report.request.ticket, summary },
        report as unknown as JsonValue
      );
    } catch (e) {
      this.saveProblem = e instanceof Error ? e.message : String(e);
    }
  }
}

const features = new WeakMap<DeviceSession, DiagnoseFeature>();

/** The wizard state of this session (one per session). */
export function diagnoseFeature(session: DeviceSession): DiagnoseFeature {
  let f = features.get(session);
  if (!f) features.set(session, (f = new DiagnoseFeature(session)));
  return f;
}

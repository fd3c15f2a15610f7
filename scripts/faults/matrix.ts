// The fault matrix: every fault against every workload, each scenario in a world of its own (a
// fresh simulated bank, session and database), judged against the simulator, and the counts the
// issue asks for summed over the scenarios. Used by scripts/faults.ts (the command) and by the
// unit test that runs a few scenarios.

import { faultSpec, FAULT_IDS, type FaultId } from './faults';
import { firmwareTransfer } from './firmware';
import { historyRead } from './history';
import { monitoring, monitoringRelay } from './monitoring';
import { parameterWrite } from './param-write';
import { WORKLOAD_IDS, type Workload, type WorkloadId } from './workload';
import { World } from './world';

export { FAULT_IDS, type FaultId } from './faults';
export { WORKLOAD_IDS, type WorkloadId } from './workload';

const WORKLOADS: Record<WorkloadId, Workload> = {
  monitoring,
  'monitoring-relay': monitoringRelay,
  'parameter-write': parameterWrite,
  'history-read': historyRead,
  'firmware-transfer': firmwareTransfer
};

export interface Counts {
  staleShownAsFresh: number;
  unverifiedWrites: number;
  unbootablePacks: number;
  lostRows: number;
  unhandledExceptions: number;
}

export interface ScenarioResult {
  fault: FaultId;
  workload: WorkloadId;
  counts: Counts;
  /** What happened, in one line. */
  summary: string;
  /** Expectations the scenario did not meet (besides the counts). */
  unmet: string[];
  /** Why each count is not zero. */
  details: string[];
  virtual_s: number;
  real_s: number;
}

export interface MatrixResult {
  scenarios: number;
  totals: Counts;
  /** Scenarios with an unmet expectation. */
  unmetExpectations: number;
  results: ScenarioResult[];
}

export interface MatrixOptions {
  faults?: readonly FaultId[];
  workloads?: readonly WorkloadId[];
  /** Called after each scenario (the command prints it). */
  onResult?: (r: ScenarioResult) => void;
}

export function zeroCounts(): Counts {
  return { staleShownAsFresh: 0, unverifiedWrites: 0, unbootablePacks: 0, lostRows: 0, unhandledExceptions: 0 };
}

let dbCounter = 0;

/** Errors no engine call returned: unhandled rejections and uncaught exceptions, while a scenario runs. */
class ProcessErrors {
  readonly caught: string[] = [];
  readonly #onRejection = (reason: unknown) => this.caught.push(`unhandled rejection: ${describe(reason)}`);
  readonly #onException = (error: unknown) => this.caught.push(`uncaught exception: ${describe(error)}`);

  listen(): void {
    process.on('unhandledRejection', this.#onRejection);
    process.on('uncaughtException', this.#onException);
  }

  stop(): void {
    process.off('unhandledRejection', this.#onRejection);
    process.off('uncaughtException', this.#onException);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.message}${e.stack ? ` @ ${e.stack.split('\n')[1]?.trim() ?? ''}` : ''}` : String(e);
}

export async function runScenario(faultId: FaultId, workloadId: WorkloadId): Promise<ScenarioResult> {
  const started = performance.now();
  const errors = new ProcessErrors();
  errors.listen();
  const workload = WORKLOADS[workloadId];
  const world = await World.create({ seed: `${faultId}/${workloadId}`, dbName: `faults-${process.pid}-${++dbCounter}`, bank: workload.bank });
  const counts = zeroCounts();
  const details: string[] = [];
  let summary = '';
  let unmet: string[] = [];
  try {
    await world.start();
    // Not driven by the clock as a whole: the workload moves the clock itself (world.run, idle,
    // until), so work that needs no timer (crypto, IndexedDB) takes no virtual time.
    const ran = await world.settled(`workload ${workloadId}`, workload.run(world, faultSpec(faultId)));
    if (ran.ok) {
      const o = ran.value;
      summary = o.summary;
      unmet = o.unmet;
      counts.unverifiedWrites = o.unverifiedWrites;
      counts.unbootablePacks = o.unbootablePacks;
      counts.lostRows = o.lostRows;
    }
    const rows = await world.lostRows();
    counts.lostRows += rows.lost;
    if (rows.detail) details.push(`lost rows: ${rows.detail}`);
  } finally {
    await world.dispose();
    // Rejections surface a macrotask after they happen.
    await new Promise((r) => setImmediate(r));
    errors.stop();
  }
  counts.staleShownAsFresh = world.watch.violations.length;
  for (const v of world.watch.violations.slice(0, 3))
    details.push(`stale shown as fresh: pack ${v.address} at ${(v.at_ms / 1000).toFixed(3)} s, ${v.detail}`);
  counts.unhandledExceptions = world.escapes.length + errors.caught.length;
  for (const e of world.escapes) details.push(`escaped from ${e.where}: ${e.message}`);
  for (const e of errors.caught) details.push(e);
  return {
    fault: faultId,
    workload: workloadId,
    counts,
    summary,
    unmet,
    details,
    virtual_s: world.clock.now() / 1000,
    real_s: (performance.now() - started) / 1000
  };
}

export async function runMatrix(options: MatrixOptions = {}): Promise<MatrixResult> {
  const faults = options.faults ?? FAULT_IDS;
  const workloads = options.workloads ?? WORKLOAD_IDS;
  const results: ScenarioResult[] = [];
  const totals = zeroCounts();
  for (const workload of workloads) {
    for (const fault of faults) {
      const r = await runScenario(fault, workload);
      results.push(r);
      for (const k of Object.keys(totals) as (keyof Counts)[]) totals[k] += r.counts[k];
      options.onResult?.(r);
    }
  }
  return { scenarios: results.length, totals, unmetExpectations: results.filter((r) => r.unmet.length > 0).length, results };
}

/** A count is not 0, or an expectation was not met. */
export function failed(r: ScenarioResult): boolean {
  return Object.values(r.counts).some((n) => n > 0) || r.unmet.length > 0;
}

/** The scenario as a few readable lines (stderr). */
export function formatResult(r: ScenarioResult): string {
  const c = r.counts;
  const head = `${failed(r) ? 'FAIL' : 'ok  '} ${r.fault} × ${r.workload}: ${r.summary}`;
  const tail = `     counts stale=${c.staleShownAsFresh} unverified=${c.unverifiedWrites} unbootable=${c.unbootablePacks} lost=${c.lostRows} exceptions=${c.unhandledExceptions}; ${r.virtual_s.toFixed(0)} s virtual in ${r.real_s.toFixed(1)} s`;
  const more = [...r.unmet.map((u) => `     unmet: ${u}`), ...r.details.map((d) => `     ${d}`)];
  return [head, tail, ...more].join('\n');
}

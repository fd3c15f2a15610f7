// The one write path (design.md): validate → snapshot → write → read back → compare → log, for
// every change to a pack (parameters, restore, factory defaults, profiles, controls, calibration,
// clock, vendor extensions). Operations describe what to read, what to send and how to confirm
// it; this module runs them in that order inside the client's exclusive lease and no operation
// can leave a step out. Each write request goes out inside the path's grant (WriteGrant, the
// session's ScopedGrant registered with its WriteAuthority), scoped to exactly that command and
// address while it is sent: the client's guard lets nothing else through, so a page that calls
// the client directly cannot write at all.
//
// What a result means: only 'written' says the pack holds the new value (read back and equal).
// A link lost after the request left is 'not-confirmed', never 'written'; such writes are kept
// and recheck() reads the pack's true values once the link is back.

import type { AnyCommand } from '../protocol/command';
import { readProductInfo } from '../protocol/commands/info';
import type { WriteAttempt } from '../protocol/write-guard';
import { ask, type AnswerFailure, type BusOwner, type PackRef, type ParamBus } from './bus';
import type { ParamGroupId, ParamValue } from './model';
import type { Violation } from './rules';
import type { LoggedChange, ParamSnapshot, SnapshotStore, WriteKind, WriteLog, WriteLogEntry, WriteOutcome } from './stores';

/** What a step changes, for the log: old value from the snapshot, new value sent. */
export interface PlannedChange {
  key: string;
  label: string;
  from: ParamValue | null;
  to: ParamValue | null;
  /** Value with its unit, for the log text. Default String(v). */
  format?: (v: ParamValue | null) => string;
}

export type Verification =
  /**
   * Read back and equal to what was sent. `changes` replaces the step's planned changes when the
   * new values are only known from the read-back (factory defaults).
   */
  | { kind: 'match'; readBack: Record<string, ParamValue | null>; changes?: PlannedChange[] }
  /** Read back and different: `message` says how. */
  | { kind: 'mismatch'; readBack: Record<string, ParamValue | null>; message: string }
  /** Could not read back (`lost`: the link or the pack went silent). */
  | { kind: 'unreadable'; message: string; lost: boolean }
  /** The pack has no command to read this back. */
  | { kind: 'no-read-back'; message: string };

export interface WriteStep {
  /** "Cell over-voltage" */
  what: string;
  command: AnyCommand;
  request: unknown;
  changes: PlannedChange[];
  /** Confirm on the same lease; `reply` is the write's own decoded answer when it had one. */
  verify(bus: ParamBus, adr: number, reply: unknown): Promise<Verification>;
  /** Retries of the write exchange. Default the client's; 0 for writes that must not be repeated. */
  retries?: number;
  /** Words for a refusal (RTN 09 on a MOSFET switch, ...); undefined = the RTN's own message. */
  explainRefusal?(rtn: number | undefined, message: string): string;
}

export type SnapshotRead =
  | { ok: true; values: Record<string, ParamValue>; groups: ParamGroupId[] }
  | { ok: false; kind: AnswerFailure | 'unsupported-group'; message: string };

export interface WritePlan {
  steps: WriteStep[];
  /** Violations found against the pack's fresh values (nothing is sent when there are any). */
  violations?: Violation[];
}

export interface WriteOperation {
  kind: WriteKind;
  pack: PackRef;
  /** "Write cell over-voltage", "Restore factory defaults" */
  title: string;
  /** Violations known before anything is read (from the values the user edited against). */
  violations: readonly Violation[];
  /** Set when it is known up front that nothing needs writing: the bus is not touched. */
  unchanged?: boolean;
  /** Set when the operation may not run at all (a feature disabled on this link): 'not-sent' with this reason. */
  refuse?: string;
  /** Read, inside the lease, what the snapshot holds: the state this operation may change. */
  snapshot(bus: ParamBus, adr: number): Promise<SnapshotRead>;
  /** The steps, once the snapshot (the pack's values right now) is known. */
  plan(snapshot: { values: Record<string, ParamValue>; groups: ParamGroupId[] }): WritePlan;
}

export interface StepResult {
  what: string;
  outcome: WriteOutcome;
  message: string;
  changes: LoggedChange[];
  rtn?: number;
  logEntryId?: string;
}

export interface WriteReport {
  operationId: string;
  kind: WriteKind;
  pack: PackRef;
  title: string;
  /** 'unchanged': the pack already held the values; nothing was sent or logged. */
  outcome: WriteOutcome | 'unchanged';
  message: string;
  steps: StepResult[];
  violations: Violation[];
  snapshotId?: string;
  /** Log entries that could not be stored (the result above still stands). */
  logErrors: string[];
}

/** A write whose result is not known: recheck() settles it once the link is back. */
export interface UnconfirmedWrite {
  operationId: string;
  kind: WriteKind;
  pack: PackRef;
  step: WriteStep;
  time_ms: number;
}

/**
 * Authority to send writes, scoped to some work: `during(match, fn)` lets the client's guard pass
 * the requests `match` accepts while `fn` runs, and nothing before or after. The session's
 * ScopedGrant (registered with its WriteAuthority) is one.
 */
export interface WriteGrant {
  during<T>(match: (attempt: WriteAttempt) => boolean, fn: () => Promise<T>): Promise<T>;
}

/** No guard on the client (tests, benchmarks): the work just runs. */
export const OPEN_GRANT: WriteGrant = { during: (_match, fn) => fn() };

/** A matcher for exactly one typed command to one address. */
export function exactly(cmd: Pick<AnyCommand, 'id' | 'cid2'>, adr: number): (attempt: WriteAttempt) => boolean {
  return (a) => a.via === 'command' && a.adr === adr && a.cid2 === cmd.cid2 && a.commands.includes(cmd.id);
}

export interface WritePathOptions {
  bus: BusOwner;
  /** What lets the writes through the client's guard. Default OPEN_GRANT (no guard installed). */
  grant?: WriteGrant;
  snapshots: SnapshotStore;
  log: WriteLog;
  /** Wall clock for snapshot and log times (epoch ms). Default Date.now. */
  wallClock?: () => number;
  /** Asked before anything is read or sent; a sentence refuses the operation (installer lock). */
  permit?: (op: { kind: WriteKind; pack: PackRef; commands: readonly AnyCommand[] }) => string | null;
}

const SEVERITY: readonly WriteOutcome[] = ['invalid', 'not-sent', 'refused', 'mismatch', 'not-confirmed', 'unverified', 'written'];

function overall(steps: readonly StepResult[]): WriteOutcome {
  let worst: WriteOutcome = 'written';
  for (const s of steps) if (SEVERITY.indexOf(s.outcome) < SEVERITY.indexOf(worst)) worst = s.outcome;
  return worst;
}

function fmt(c: PlannedChange, v: ParamValue | null): string {
  if (c.format) return c.format(v);
  return v === null ? '—' : String(v);
}

function logged(changes: readonly PlannedChange[], readBack: Record<string, ParamValue | null> | null): LoggedChange[] {
  return changes.map((c) => {
    const rb = readBack ? (readBack[c.key] ?? null) : null;
    const tail = readBack ? ` (read back ${fmt(c, rb)})` : '';
    return { key: c.key, label: c.label, from: c.from, to: c.to, readBack: rb, text: `${fmt(c, c.from)} → ${fmt(c, c.to)}${tail}` };
  });
}

export class WritePath {
  readonly #o: WritePathOptions;
  readonly #wall: () => number;
  readonly #grant: WriteGrant;
  #unconfirmed: UnconfirmedWrite[] = [];
  #ops = 0;

  constructor(options: WritePathOptions) {
    this.#o = options;
    this.#wall = options.wallClock ?? Date.now;
    this.#grant = options.grant ?? OPEN_GRANT;
  }

  /** Writes whose result is not known yet, oldest first. */
  get unconfirmed(): readonly UnconfirmedWrite[] {
    return this.#unconfirmed;
  }

  async run(op: WriteOperation, opts: { signal?: AbortSignal } = {}): Promise<WriteReport> {
    const operationId = `op-${this.#wall()}-${++this.#ops}`;
    const report: WriteReport = {
      operationId,
      kind: op.kind,
      pack: op.pack,
      title: op.title,
      outcome: 'written',
      message: '',
      steps: [],
      violations: [...op.violations],
      logErrors: []
    };
    const stop = async (outcome: 'invalid' | 'not-sent', message: string): Promise<WriteReport> => {
      report.outcome = outcome;
      report.message = message;
      await this.#log(report, { what: op.title, outcome, message, changes: [] });
      return report;
    };

    if (op.unchanged && report.violations.length === 0) {
      report.outcome = 'unchanged';
      report.message = 'Nothing to write: these are the values the pack already holds.';
      return report;
    }
    if (op.refuse) return stop('not-sent', `Nothing was sent: ${op.refuse}`);
    if (report.violations.length > 0) return stop('invalid', `Nothing was sent: ${report.violations.map((v) => v.message).join(' ')}`);
    if (op.pack.bmsSerial === null) {
      return stop(
        'not-sent',
        'Nothing was sent: the pack did not report its serial number, so its values could not be snapshotted. Read the pack again.'
      );
    }
    const denied = this.#o.permit?.({ kind: op.kind, pack: op.pack, commands: [] });
    if (denied) return stop('not-sent', `Nothing was sent: ${denied}`);
    if (opts.signal?.aborted) return stop('not-sent', 'Nothing was sent: cancelled.');

    try {
      return await this.#o.bus.exclusive((bus) => this.#inLease(bus, op, report, opts.signal), { priority: 'interactive' });
    } catch (e) {
      // The lease was never granted (client closed) or the bus failed outside an exchange.
      if (report.steps.length > 0) throw e;
      return stop('not-sent', `Nothing was sent: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async #inLease(bus: ParamBus, op: WriteOperation, report: WriteReport, signal: AbortSignal | undefined): Promise<WriteReport> {
    const adr = op.pack.address;
    const notSent = async (message: string, outcome: 'not-sent' | 'invalid' = 'not-sent'): Promise<WriteReport> => {
      report.outcome = outcome;
      report.message = message;
      await this.#log(report, { what: op.title, outcome, message, changes: [] });
      return report;
    };

    // Which pack is this? A different pack at the address (swapped cable, changed DIP switch,
    // an RS232 link answering for another address) must never get this pack's values.
    const id = await ask(bus, readProductInfo, adr, {});
    if (!id.ok) return notSent(`Nothing was sent: the pack at address ${adr} could not be identified. ${id.message}`);
    const serial = id.value.bmsSerial.trim();
    if (serial !== op.pack.bmsSerial) {
      return notSent(
        `Nothing was sent: the pack answering at address ${adr} has serial ${serial || '(none)'}, not ${op.pack.bmsSerial}. Read the bank again before writing.`
      );
    }

    const snap = await op.snapshot(bus, adr);
    if (!snap.ok) return notSent(`Nothing was sent: the pack's current values could not be read for the snapshot. ${snap.message}`);
    const plan = op.plan({ values: snap.values, groups: snap.groups });
    if (plan.violations && plan.violations.length > 0) {
      report.violations = plan.violations;
      return notSent(`Nothing was sent: with the pack's current values, ${plan.violations.map((v) => v.message).join(' ')}`, 'invalid');
    }
    if (plan.steps.length === 0) {
      report.outcome = 'unchanged';
      report.message = 'Nothing to write: the pack already holds these values.';
      return report;
    }
    const denied = this.#o.permit?.({ kind: op.kind, pack: op.pack, commands: plan.steps.map((s) => s.command) });
    if (denied) return notSent(`Nothing was sent: ${denied}`);

    let snapshot: ParamSnapshot;
    try {
      snapshot = await this.#o.snapshots.save({
        bmsSerial: serial,
        address: adr,
        time_ms: this.#wall(),
        reason: op.kind === 'restore-snapshot' ? 'before-restore' : op.kind === 'restore-defaults' ? 'before-defaults' : 'before-write',
        note: op.title,
        values: snap.values,
        groups: snap.groups
      });
    } catch (e) {
      return notSent(`Nothing was sent: the snapshot of the current values could not be saved (${e instanceof Error ? e.message : String(e)}).`);
    }
    report.snapshotId = snapshot.id;

    let stopped: string | null = null;
    for (const step of plan.steps) {
      if (stopped === null && signal?.aborted) stopped = 'Cancelled before this step; nothing of it was sent.';
      const result: StepResult = stopped === null ? await this.#runStep(bus, adr, op, report, step) : this.#skipped(step, stopped);
      if (stopped === null && result.outcome !== 'written' && result.outcome !== 'unverified') {
        stopped = `Not sent: the previous step ended "${result.outcome}".`;
      }
      const entry = await this.#log(report, {
        what: step.what,
        outcome: result.outcome,
        message: result.message,
        changes: result.changes,
        command: step.command,
        rtn: result.rtn
      });
      if (entry) result.logEntryId = entry.id;
      report.steps.push(result);
    }
    report.outcome = overall(report.steps);
    report.message = report.steps.find((s) => s.outcome === report.outcome)?.message ?? '';
    return report;
  }

  #skipped(step: WriteStep, message: string): StepResult {
    return { what: step.what, outcome: 'not-sent', message, changes: logged(step.changes, null) };
  }

  async #runStep(bus: ParamBus, adr: number, op: WriteOperation, report: WriteReport, step: WriteStep): Promise<StepResult> {
    const opts = step.retries === undefined ? {} : { retries: step.retries };
    const r = await this.#grant.during(exactly(step.command, adr), () => ask(bus, step.command, adr, step.request, opts));
    const done = (
      outcome: WriteOutcome,
      message: string,
      readBack: Record<string, ParamValue | null> | null,
      rtn?: number,
      changes: readonly PlannedChange[] = step.changes
    ): StepResult => ({
      what: step.what,
      outcome,
      message,
      changes: logged(changes, readBack),
      ...(rtn !== undefined ? { rtn } : {})
    });
    const keep = () => this.#unconfirmed.push({ operationId: report.operationId, kind: op.kind, pack: op.pack, step, time_ms: this.#wall() });

    if (!r.ok && (r.kind === 'rtn' || r.kind === 'unsupported')) {
      const why = step.explainRefusal?.(r.rtn, r.message) ?? r.message;
      return done('refused', `${step.what}: the pack refused it. ${why}`, null, r.rtn);
    }
    if (!r.ok && !r.sent) {
      return done('not-sent', `${step.what}: not sent. ${r.message}`, null);
    }
    if (!r.ok && r.kind === 'transport') {
      keep();
      return done(
        'not-confirmed',
        `${step.what}: the link was lost after the request was sent, so it is not known whether the pack took it. ${r.message} It will be read again when the link is back.`,
        null
      );
    }
    // Acknowledged, or the acknowledgement got lost (timeout, garbled): the read-back decides.
    const v = await step.verify(bus, adr, r.ok ? r.value : undefined);
    const noAck = r.ok ? '' : ` (no valid acknowledgement: ${r.message})`;
    switch (v.kind) {
      case 'match':
        return done('written', `${step.what}: written and read back${noAck}.`, v.readBack, undefined, v.changes);
      case 'mismatch':
        return done('mismatch', `${step.what}: the pack reads back different values${noAck}. ${v.message}`, v.readBack);
      case 'no-read-back':
        return r.ok
          ? done('unverified', `${step.what}: acknowledged by the pack; ${v.message}`, null)
          : (keep(), done('not-confirmed', `${step.what}: no acknowledgement${noAck}, and ${v.message}`, null));
      case 'unreadable':
        keep();
        return done('not-confirmed', `${step.what}: sent${noAck}, but it could not be read back: ${v.message}`, null);
    }
  }

  /**
   * Read back every unconfirmed write (call once the link is back). Each settled write gets a new
   * log entry with what the pack really holds; writes that still cannot be read stay unconfirmed.
   */
  async recheck(): Promise<StepResult[]> {
    if (this.#unconfirmed.length === 0) return [];
    const pending = this.#unconfirmed;
    this.#unconfirmed = [];
    return this.#o.bus.exclusive(
      async (bus) => {
        const out: StepResult[] = [];
        for (const u of pending) {
          const adr = u.pack.address;
          const id = await ask(bus, readProductInfo, adr, {});
          if (!id.ok || id.value.bmsSerial.trim() !== u.pack.bmsSerial) {
            this.#unconfirmed.push(u);
            continue;
          }
          const v = await u.step.verify(bus, adr, undefined);
          if (v.kind === 'unreadable' || v.kind === 'no-read-back') {
            this.#unconfirmed.push(u);
            continue;
          }
          const result: StepResult =
            v.kind === 'match'
              ? {
                  what: u.step.what,
                  outcome: 'written',
                  message: `${u.step.what}: read again after the link came back; the pack holds the new values.`,
                  changes: logged(v.changes ?? u.step.changes, v.readBack)
                }
              : {
                  what: u.step.what,
                  outcome: 'mismatch',
                  message: `${u.step.what}: read again after the link came back; the write did not take (or only in part). ${v.message}`,
                  changes: logged(u.step.changes, v.readBack)
                };
          const entry = await this.#append({
            time_ms: this.#wall(),
            operationId: u.operationId,
            kind: u.kind,
            pack: { address: adr, bmsSerial: u.pack.bmsSerial },
            what: u.step.what,
            command: { id: u.step.command.id, cid2: u.step.command.cid2 },
            changes: result.changes,
            outcome: result.outcome,
            message: result.message
          });
          if (entry) result.logEntryId = entry.id;
          out.push(result);
        }
        return out;
      },
      { priority: 'interactive' }
    );
  }

  async #log(
    report: WriteReport,
    e: { what: string; outcome: WriteOutcome; message: string; changes: LoggedChange[]; command?: AnyCommand; rtn?: number }
  ): Promise<WriteLogEntry | null> {
    const entry = await this.#append({
      time_ms: this.#wall(),
      operationId: report.operationId,
      kind: report.kind,
      pack: { address: report.pack.address, bmsSerial: report.pack.bmsSerial },
      what: e.what,
      ...(e.command ? { command: { id: e.command.id, cid2: e.command.cid2 } } : {}),
      changes: e.changes,
      outcome: e.outcome,
      message: e.message,
      ...(e.rtn !== undefined ? { rtn: e.rtn } : {}),
      ...(report.snapshotId ? { snapshotId: report.snapshotId } : {})
    });
    if (!entry) report.logErrors.push(`The log entry for "${e.what}" could not be stored.`);
    return entry;
  }

  async #append(entry: Omit<WriteLogEntry, 'id'>): Promise<WriteLogEntry | null> {
    try {
      return await this.#o.log.append(entry);
    } catch {
      return null;
    }
  }
}

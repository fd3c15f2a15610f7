// Parameter operations on the write path: write edits, restore a snapshot, apply a profile (all
// the same operation with different edits), and restore factory defaults (A4H).
//
// Edits are checked twice: against the values the user edited against (before the bus is
// taken), and against the pack's values read fresh inside the lease (the snapshot), because
// that is what the pack will hold. Only rules that involve a changed value block the write:
// a pack that already breaks a rule elsewhere can still be fixed one group at a time. Each
// changed group is written whole, its untouched fields taken from the fresh read, never from a
// possibly stale copy.

import { restoreDefaults } from '../protocol/commands/system';
import { ask, type PackRef, type ParamBus } from './bus';
import { diffParams, mergeValues, pickGroups } from './diff';
import { PARAM_GROUPS, paramGroup, PARAMS, type ParamGroupId, type ParamValue, type ParamValues } from './model';
import { formatParamValue, groupRequest, groupValues, sameParamValue, writableParams } from './values';
import { validate, type Violation } from './rules';
import type { ParamSnapshot } from './stores';
import type { PlannedChange, SnapshotRead, Verification, WriteOperation, WritePath, WriteReport, WriteStep } from './write-path';

export interface ParamWriteInput {
  pack: PackRef;
  /** The pack's values as last read: what the edits were made against (all groups, for the rules between groups). */
  base: ParamValues;
  /** New values by param id; only the ones that differ from the pack are written. */
  edits: ParamValues;
  /** Cells in series (from 42H), for the pack-vs-cell rules; unknown = those rules are skipped. */
  cellCount?: number;
  kind?: 'parameters' | 'restore-snapshot' | 'profile';
  title?: string;
}

/** Violations that involve at least one changed value (the ones that block a write). */
export function blockingViolations(values: ParamValues, changed: ReadonlySet<string>, cellCount?: number): Violation[] {
  return validate(values, { cellCount }).filter((v) => v.params.some((p) => changed.has(p)));
}

function changedIds(pack: ParamValues, edits: ParamValues): Set<string> {
  return new Set(diffParams(pack, edits).flatMap((g) => g.changes.map((c) => c.param)));
}

/** Read groups for a snapshot; any failure (RTN 04 included) stops the operation. */
async function readGroups(bus: ParamBus, adr: number, groups: readonly ParamGroupId[]): Promise<SnapshotRead> {
  const values: Record<string, ParamValue> = {};
  for (const id of groups) {
    const g = paramGroup(id);
    const r = await ask(bus, g.read, adr, undefined);
    if (!r.ok) {
      if (r.kind === 'unsupported') return { ok: false, kind: 'unsupported-group', message: `The pack does not have "${g.title}" (RTN 04).` };
      return { ok: false, kind: r.kind, message: `"${g.title}": ${r.message}` };
    }
    Object.assign(values, groupValues(id, r.value));
  }
  return { ok: true, values, groups: [...groups] };
}

const format =
  (id: string) =>
  (v: ParamValue | null): string => {
    const m = PARAMS.get(id);
    return v === null ? '—' : m ? formatParamValue(m, v) : String(v);
  };

/** Read a group back and compare every field that was sent. */
function verifyGroup(id: ParamGroupId, expected: ParamValues): (bus: ParamBus, adr: number) => Promise<Verification> {
  return async (bus, adr) => {
    const g = paramGroup(id);
    const r = await ask(bus, g.read, adr, undefined);
    if (!r.ok) return { kind: 'unreadable', message: r.message, lost: r.kind === 'transport' || r.kind === 'timeout' };
    const got = groupValues(id, r.value);
    const readBack: Record<string, ParamValue | null> = {};
    const wrong: string[] = [];
    for (const m of writableParams(id)) {
      const want = expected[m.id];
      if (want === undefined) continue;
      readBack[m.id] = got[m.id] ?? null;
      if (!sameParamValue(m, got[m.id], want)) wrong.push(`${m.label}: sent ${formatParamValue(m, want)}, reads ${formatParamValue(m, got[m.id])}`);
    }
    return wrong.length === 0 ? { kind: 'match', readBack } : { kind: 'mismatch', readBack, message: `${wrong.join('; ')}.` };
  };
}

function groupStep(id: ParamGroupId, fresh: ParamValues, target: Record<string, ParamValue>): WriteStep | Violation {
  const g = paramGroup(id);
  const request = groupRequest(id, target);
  try {
    g.write.encodeRequest(request);
  } catch (e) {
    // A sibling field the user did not touch holds a value outside what this tool writes.
    return { rule: 'range', kind: 'range', params: writableParams(id).map((m) => m.id), message: `${g.title}: ${(e as Error).message}.` };
  }
  const changes: PlannedChange[] = writableParams(id)
    .filter((m) => target[m.id] !== undefined && !sameParamValue(m, fresh[m.id], target[m.id]))
    .map((m) => ({ key: m.id, label: m.label, from: fresh[m.id] ?? null, to: target[m.id], format: format(m.id) }));
  return {
    what: `${g.title} (${g.write.cid2.toString(16).toUpperCase()}H)`,
    command: g.write,
    request,
    changes,
    verify: verifyGroup(id, target)
  };
}

/** The write-path operation for parameter edits. */
export function paramWriteOperation(input: ParamWriteInput): WriteOperation {
  // The user's changes are what differs from the values they edited against; a form that hands
  // in every value touches only the groups where something was changed.
  const intended = diffParams(input.base, input.edits);
  const groups = intended.map((g) => g.group);
  const edits = pickGroups(input.edits, groups);
  const early = blockingViolations(mergeValues(input.base, edits), changedIds(input.base, edits), input.cellCount);
  const kind = input.kind ?? 'parameters';
  const title = input.title ?? `Write ${intended.map((g) => g.title).join(', ') || 'parameters'}`;
  return {
    kind,
    pack: input.pack,
    title,
    violations: early,
    unchanged: groups.length === 0,
    snapshot: (bus, adr) => readGroups(bus, adr, groups),
    plan: ({ values: fresh }) => {
      const pack = { ...input.base, ...fresh };
      const target = mergeValues(pack, edits);
      const violations = blockingViolations(target, changedIds(fresh, edits), input.cellCount);
      const steps: WriteStep[] = [];
      for (const d of diffParams(fresh, edits)) {
        const s = groupStep(d.group, fresh, pickGroups(target, [d.group]));
        if ('verify' in s) steps.push(s);
        else violations.push(s);
      }
      return { steps, violations };
    }
  };
}

export function writeParams(path: WritePath, input: ParamWriteInput, opts: { signal?: AbortSignal } = {}): Promise<WriteReport> {
  return path.run(paramWriteOperation(input), opts);
}

/** Restore the parameter values a snapshot holds (the groups it covers) through the write path. */
export function restoreSnapshot(
  path: WritePath,
  snapshot: ParamSnapshot,
  input: { pack: PackRef; base: ParamValues; cellCount?: number },
  opts: { signal?: AbortSignal } = {}
): Promise<WriteReport> {
  const edits: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(snapshot.values)) if (PARAMS.get(k)?.writable) edits[k] = v;
  const when = new Date(snapshot.time_ms).toISOString().replace('T', ' ').slice(0, 19);
  return path.run(
    paramWriteOperation({ ...input, edits, kind: 'restore-snapshot', title: `Restore the snapshot of ${when} UTC (${snapshot.note})` }),
    opts
  );
}

/**
 * A4H: every parameter back to the factory defaults. The snapshot holds every group the pack
 * has; afterwards every group is read again, and the log shows old → new for each value that
 * changed. The defaults themselves are the pack's own (not this tool's), so the read-back is the
 * confirmation, not a comparison with a table.
 */
export function restoreDefaultsOperation(pack: PackRef): WriteOperation {
  let supported: ParamGroupId[] = [];
  let before: Record<string, ParamValue> = {};
  return {
    kind: 'restore-defaults',
    pack,
    title: 'Restore factory default parameters (A4H)',
    violations: [],
    snapshot: async (bus, adr) => {
      const values: Record<string, ParamValue> = {};
      supported = [];
      for (const g of PARAM_GROUPS) {
        const r = await ask(bus, g.read, adr, undefined);
        if (!r.ok && r.kind === 'unsupported' && g.optional) continue;
        if (!r.ok) return { ok: false, kind: r.kind, message: `"${g.title}": ${r.message}` };
        Object.assign(values, groupValues(g.id, r.value));
        supported.push(g.id);
      }
      before = values;
      return { ok: true, values, groups: [...supported] };
    },
    plan: () => ({
      steps: [
        {
          what: 'Restore factory defaults (A4H)',
          command: restoreDefaults,
          request: undefined,
          changes: [],
          // Sending it twice does no harm, but a retry after a lost acknowledgement is decided by the read-back.
          retries: 0,
          verify: async (bus, adr, reply) => {
            const after = await readGroups(bus, adr, supported);
            if (!after.ok) return { kind: 'unreadable', message: after.message, lost: after.kind === 'transport' || after.kind === 'timeout' };
            const readBack: Record<string, ParamValue | null> = { ...after.values };
            const changes: PlannedChange[] = [];
            for (const [k, v] of Object.entries(after.values)) {
              const m = PARAMS.get(k);
              if (m && !sameParamValue(m, before[k], v)) changes.push({ key: k, label: m.label, from: before[k] ?? null, to: v, format: format(k) });
            }
            // Without the pack's acknowledgement, unchanged values cannot tell "restored" from "never got it".
            if (reply === undefined && changes.length === 0) {
              return { kind: 'mismatch', readBack, message: 'No value changed: the pack did not restore its defaults, or it already held them.' };
            }
            return { kind: 'match', readBack, changes };
          }
        }
      ]
    })
  };
}

export function restoreFactoryDefaults(path: WritePath, pack: PackRef, opts: { signal?: AbortSignal } = {}): Promise<WriteReport> {
  return path.run(restoreDefaultsOperation(pack), opts);
}

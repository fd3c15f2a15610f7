// Reading parameters: every group of one pack, or of the whole bank as one operation inside one
// exclusive lease (polling pauses for it and resumes after), with progress and cancel. A group
// the pack refuses with RTN 04 is "not supported" (timed storage on older firmware), not an error
// for the rest; a pack that stops answering is skipped after two silent groups rather than
// waited on for every remaining group.
//
// Addresses: each pack is asked at its own ADR (see bus.ts for why, and for the reply-ADR check).

import { readProductInfo } from '../protocol/commands/info';
import type { Clock } from '../time/clock';
import { ask, type AnswerFailure, type BusOwner, type ParamBus } from './bus';
import { PARAM_GROUPS, paramGroup, type ParamGroupId, type ParamValue } from './model';
import { groupValues } from './values';

export type GroupRead =
  | { status: 'ok'; values: Record<string, ParamValue> }
  /** RTN 04: this firmware does not have the group. */
  | { status: 'unsupported'; message: string }
  | { status: 'failed'; kind: AnswerFailure; message: string }
  /** Not asked: the pack had stopped answering, or the operation was cancelled. */
  | { status: 'skipped'; message: string };

export interface PackParamRead {
  address: number;
  /** C2H BMS serial, trimmed; null when the pack did not give one. */
  bmsSerial: string | null;
  /** False when the pack never answered (or another pack answered for it). */
  reachable: boolean;
  /** Why it is unreachable, in words. */
  problem?: string;
  groups: Partial<Record<ParamGroupId, GroupRead>>;
  /** Every value of every group read ok, by param id. */
  values: Record<string, ParamValue>;
  started_ms: number;
  ended_ms: number;
}

export interface ReadProgress {
  address: number;
  /** 'identity' (C2H) or the group being read. */
  step: ParamGroupId | 'identity';
  /** Exchanges finished in the whole operation, and how many it has in all. */
  done: number;
  total: number;
}

export interface ReadOptions {
  /** Groups to read; default every group of the model. */
  groups?: readonly ParamGroupId[];
  signal?: AbortSignal;
  onProgress?: (p: ReadProgress) => void;
  /** For the timestamps. */
  clock?: Pick<Clock, 'now'>;
}

/** Silent groups in a row after which the rest of a pack is skipped. */
const SILENT_LIMIT = 2;

const SILENT: ReadonlySet<AnswerFailure> = new Set(['timeout', 'transport', 'echo']);

const nowOf = (o: ReadOptions) => o.clock?.now() ?? Date.now();

interface Counter {
  done: number;
  total: number;
}

async function readOne(bus: ParamBus, address: number, groups: readonly ParamGroupId[], o: ReadOptions, count: Counter): Promise<PackParamRead> {
  const started_ms = nowOf(o);
  const result: PackParamRead = { address, bmsSerial: null, reachable: false, groups: {}, values: {}, started_ms, ended_ms: started_ms };
  const finish = (): PackParamRead => ({ ...result, ended_ms: nowOf(o) });
  const skipRest = (from: number, message: string) => {
    for (const g of groups.slice(from)) result.groups[g] ??= { status: 'skipped', message };
    count.done += groups.length - from;
  };

  if (o.signal?.aborted) {
    skipRest(0, 'Cancelled.');
    count.done++;
    return finish();
  }
  const id = await ask(bus, readProductInfo, address, {}, { signal: o.signal });
  count.done++;
  o.onProgress?.({ address, step: 'identity', done: count.done, total: count.total });
  if (id.ok) {
    result.reachable = true;
    result.bmsSerial = id.value.bmsSerial.trim() || null;
  } else if (id.kind === 'wrong-pack' || SILENT.has(id.kind) || id.kind === 'aborted') {
    result.problem = id.kind === 'aborted' ? 'Cancelled.' : id.message;
    skipRest(0, id.kind === 'aborted' ? 'Cancelled.' : `Not read: ${id.message}`);
    return finish();
  } else {
    // A pack that refuses C2H still has parameters; it just cannot be told apart from another one.
    result.reachable = true;
    result.problem = `The pack did not give its serial number: ${id.message}`;
  }

  let silent = 0;
  for (let i = 0; i < groups.length; i++) {
    if (o.signal?.aborted) {
      skipRest(i, 'Cancelled.');
      break;
    }
    const g = paramGroup(groups[i]);
    const r = await ask(bus, g.read, address, undefined, { signal: o.signal });
    count.done++;
    if (r.ok) {
      silent = 0;
      const values = groupValues(g.id, r.value);
      result.groups[g.id] = { status: 'ok', values };
      Object.assign(result.values, values);
    } else if (r.kind === 'unsupported') {
      silent = 0;
      result.groups[g.id] = { status: 'unsupported', message: `This pack does not have "${g.title}" (it answered RTN 04).` };
    } else if (r.kind === 'aborted') {
      result.groups[g.id] = { status: 'skipped', message: 'Cancelled.' };
    } else {
      result.groups[g.id] = { status: 'failed', kind: r.kind, message: r.message };
      if (r.kind === 'wrong-pack') {
        skipRest(i + 1, `Not read: ${r.message}`);
        result.problem = r.message;
        break;
      }
      if (SILENT.has(r.kind) && ++silent >= SILENT_LIMIT) {
        result.problem = `The pack stopped answering: ${r.message}`;
        skipRest(i + 1, `Not read: the pack stopped answering.`);
        break;
      }
    }
    o.onProgress?.({ address, step: g.id, done: count.done, total: count.total });
  }
  return finish();
}

/** Every group (or the given ones) of one pack, on a bus the caller already holds. */
export function readPackParams(bus: ParamBus, address: number, o: ReadOptions = {}): Promise<PackParamRead> {
  const groups = o.groups ?? PARAM_GROUPS.map((g) => g.id);
  return readOne(bus, address, groups, o, { done: 0, total: groups.length + 1 });
}

export interface BankParamRead {
  packs: PackParamRead[];
  /** True when the signal stopped it before every pack was read. */
  cancelled: boolean;
  started_ms: number;
  ended_ms: number;
}

/**
 * Every group of every pack in `addresses`, as one exclusive operation. Cancel with the signal:
 * the exchange in flight is abandoned and every pack not read is returned with its groups
 * 'skipped', so what was read is kept.
 */
export async function readBankParams(owner: BusOwner, addresses: readonly number[], o: ReadOptions = {}): Promise<BankParamRead> {
  const groups = o.groups ?? PARAM_GROUPS.map((g) => g.id);
  const count: Counter = { done: 0, total: addresses.length * (groups.length + 1) };
  const started_ms = nowOf(o);
  const run = async (bus: ParamBus): Promise<PackParamRead[]> => {
    const packs: PackParamRead[] = [];
    for (const address of addresses) packs.push(await readOne(bus, address, groups, o, count));
    return packs;
  };
  // The signal is not handed to exclusive(): a cancel while waiting for the lease must still
  // return the (empty) per-pack results, which readOne produces without touching the bus.
  const packs = await owner.exclusive(run, { priority: 'interactive' });
  return { packs, cancelled: o.signal?.aborted ?? false, started_ms, ended_ms: nowOf(o) };
}

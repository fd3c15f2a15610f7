// One refresh of the whole bank: 42H and 44H for every pack, by broadcast (COMMAND FF, one reply
// each for the whole bank) or per address. What each reply means for each pack goes to the
// poller's succeed / fail, which keep the health (pack-health.ts) and stream the values.

import type { BankTopology } from './bank-types';
import type { ExchangeResult } from './client';
import type { Command } from './command';
import { readAnalog } from './commands/analog';
import { ALL_PACKS } from './commands/pack-request';
import { modulesOfGroupReply } from './commands/pylon-group';
import { DecodeError } from './command';
import { readStatus } from './commands/status';
import { isReplyFrom, perPackAdr, type Addressing } from './discovery';
import type { ProtocolError } from './errors';
import type { PackHealthState } from './pack-health';
import { checkPackAttribution } from './reply-check';
import type { AnalogReply, PackAnalog, PackStatus } from './types';

/** What one reply brought for one pack. */
export type PackValues = { analog?: PackAnalog; status?: PackStatus; statusUnsupported?: true };

export interface CycleHost {
  /** One exchange through the poller. `covers`: packs made stale by its first attempt without a reply. */
  ask<Req, Res>(
    cmd: Command<Req, Res>,
    adr: number,
    req: Req,
    opts?: { packCount?: number; covers?: readonly number[] }
  ): Promise<ExchangeResult<Res>>;
  /** The pack answered. `analogDeadline_ms`: deadline of the exchange that refreshes its analog values (null: no analog values). */
  succeed(address: number, values: PackValues, badFrames: number, analogDeadline_ms: number | null): void;
  fail(address: number, error: ProtocolError | string, badFrames: number): void;
  /** The deadline the client derives for a 42H/44H exchange with this COMMAND and pack count. */
  deadlineOf(cmd: Command<{ command: number }, unknown>, command: number, packCount: number): number;
  health(address: number): PackHealthState | undefined;
  /** Offline packs wait for their probe time. */
  skip(address: number): boolean;
  /** Packs that refused 44H with RTN 04: not asked again until the bank is discovered anew. */
  readonly noStatus: Set<number>;
  readonly addressing: Addressing;
  /** The reply does not match the topology: find the bank again after this cycle. */
  rediscover(): void;
}

/** A cycle's length before one was measured: every exchange of it taking its whole deadline. */
export function estimatedCycle_ms(topology: BankTopology, host: Pick<CycleHost, 'deadlineOf'>): number {
  const n = topology.addresses.length;
  if (topology.broadcast) return host.deadlineOf(readAnalog, ALL_PACKS, n) + host.deadlineOf(readStatus, ALL_PACKS, n);
  return topology.addresses.reduce((sum, a) => sum + host.deadlineOf(readAnalog, a, 1) + host.deadlineOf(readStatus, a, 1), 0);
}

/** Broadcast: 42H FF and 44H FF for the whole bank. Returns the packs polled (all of them). */
export async function broadcastCycle(host: CycleHost, topology: BankTopology, prefetched: AnalogReply | null): Promise<Set<number>> {
  const all = topology.addresses;
  const n = all.length;
  const a = prefetched ? null : await host.ask(readAnalog, topology.masterAddress, { command: ALL_PACKS }, { packCount: n, covers: all });
  const analog = prefetched ?? (a?.ok ? a.value : null);
  const deadline_ms = a?.report.deadline_ms ?? host.deadlineOf(readAnalog, ALL_PACKS, n);
  if (analog) spread(host, topology, analog.packs, a?.report.badFrames ?? 0, (pack) => ({ analog: pack }), deadline_ms);
  else if (a && !a.ok) for (const address of all) host.fail(address, a.error, a.report.badFrames);

  if (all.every((address) => host.noStatus.has(address))) return new Set(all);
  const s = await host.ask(readStatus, topology.masterAddress, { command: ALL_PACKS }, { packCount: n, covers: all });
  if (s.ok) spread(host, topology, s.value.packs, s.report.badFrames, (pack) => ({ status: pack }), null);
  else if (s.error.kind === 'unsupported') {
    for (const address of all) {
      host.noStatus.add(address);
      host.succeed(address, { statusUnsupported: true }, s.report.badFrames, null);
    }
  } else for (const address of all) host.fail(address, s.error, s.report.badFrames);
  return new Set(all);
}

/** A broadcast reply's blocks, one per pack in address order. Corrupted frames on the way count against every pack. */
function spread<P extends { empty: boolean }>(
  host: CycleHost,
  topology: BankTopology,
  packs: P[],
  badFrames: number,
  values: (pack: P) => PackValues,
  analogDeadline_ms: number | null
): void {
  if (topology.pylonGroup !== undefined) return spreadGroup(host, topology, packs, badFrames, values, analogDeadline_ms);
  if (packs.length !== topology.addresses.length) host.rediscover();
  topology.addresses.forEach((address, i) => {
    const pack = packs[i];
    if (pack === undefined) host.fail(address, `The broadcast reply had ${packs.length} packs; this pack was not in it.`, badFrames);
    else if (pack.empty) host.fail(address, 'The master reports this pack offline (an all-zero block in the broadcast).', badFrames);
    else host.succeed(address, values(pack), badFrames, analogDeadline_ms);
  });
}

/**
 * A Pylontech group reply's blocks, one per module at master + i (pylon-group.ts). Its blocks carry
 * no address: when the group counts a module more or fewer than the topology, only the master's
 * block (always the first) can be told whose it is; every other module is not refreshed by this
 * frame, rather than shown with a neighbour's values, and the group is found again.
 */
function spreadGroup<P extends { empty: boolean }>(
  host: CycleHost,
  topology: BankTopology,
  packs: P[],
  badFrames: number,
  values: (pack: P) => PackValues,
  analogDeadline_ms: number | null
): void {
  const master = topology.masterAddress;
  let byAddress: Map<number, P>;
  let why: string;
  try {
    const modules = modulesOfGroupReply(master, { broadcast: true, command: packs.length, packs });
    const matches = packs.length === topology.addresses.length;
    byAddress = new Map(modules.filter((m) => matches || m.address === master).map((m) => [m.address, m.value]));
    why = `The group master counted ${packs.length} module(s), ${topology.addresses.length} were found: which block is this module's cannot be told; finding the group again.`;
    if (!matches) host.rediscover();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    byAddress = new Map();
    why = e.message;
    host.rediscover();
  }
  for (const address of topology.addresses) {
    const pack = byAddress.get(address);
    if (pack === undefined) host.fail(address, why, badFrames);
    else if (pack.empty) host.fail(address, 'The group master reports this module offline (an all-zero block in the group reply).', badFrames);
    else host.succeed(address, values(pack), badFrames, analogDeadline_ms);
  }
}

/** Per address: 42H then 44H for each pack in turn. Returns the packs polled (offline ones wait for their probe time). */
export async function relayCycle(host: CycleHost, topology: BankTopology, prefetched: Map<number, PackAnalog>): Promise<Set<number>> {
  const master = topology.masterAddress;
  const polled = new Set<number>();
  for (const address of topology.addresses) {
    if (!host.health(address) || host.skip(address)) continue;
    polled.add(address);
    const adr = perPackAdr(host.addressing, master, address);
    const cached = prefetched.get(address);
    if (cached) {
      host.succeed(address, { analog: cached }, 0, host.deadlineOf(readAnalog, address, 1));
    } else {
      const a = await host.ask(readAnalog, adr, { command: address }, { covers: [address] });
      const pack = a.ok ? a.value.packs[0] : undefined;
      if (a.ok && pack && !pack.empty && (address === master || isReplyFrom(address, a, host.addressing, null))) {
        host.succeed(address, { analog: pack }, a.report.badFrames, a.report.deadline_ms);
      } else {
        const why = !a.ok
          ? a.error
          : pack && !pack.empty
            ? `The reply was for address ${a.value.command}, not this pack.`
            : 'The reply held no values for this pack.';
        host.fail(address, why, a.report.badFrames);
      }
      // A pack that did not answer 42H will not answer 44H either: do not spend a second deadline
      // on it, and an offline pack's probe is one request.
      if (!a.ok && (a.error.kind === 'timeout' || a.error.kind === 'echo' || host.health(address)?.health.state === 'offline')) continue;
    }
    if (host.noStatus.has(address)) continue;
    const s = await host.ask(readStatus, adr, { command: address }, { covers: [address] });
    const status = s.ok ? s.value.packs[0] : undefined;
    // A relayed status block that names another pack is not this pack's (reply-check.ts).
    const attribution = s.ok ? checkPackAttribution(adr, address, s.value) : null;
    if (attribution && !attribution.ok) host.fail(address, `${attribution.message}.`, s.report.badFrames);
    else if (s.ok && status && !status.empty) host.succeed(address, { status }, s.report.badFrames, null);
    else if (!s.ok && s.error.kind === 'unsupported') {
      // RTN 04: this pack has no 44H (VER 20 modules). Its analog values stay as fresh as they are.
      host.noStatus.add(address);
      host.succeed(address, { statusUnsupported: true }, s.report.badFrames, null);
    } else host.fail(address, s.ok ? 'The reply held no status for this pack.' : s.error, s.report.badFrames);
  }
  return polled;
}

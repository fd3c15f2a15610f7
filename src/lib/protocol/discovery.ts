// Who is on the bus (design.md "Polling"): 90H on the master for the pack count, then a broadcast
// 42H (COMMAND FF) where the master supports it, else every address asked in turn. Whatever 42H
// values the probes read are kept, so the first poll cycle does not ask for them again. And who
// each pack is (C1H/C2H), asked once per pack.

import type { PackIdentityReport } from './bank-types';
import type { ExchangeResult } from './client';
import type { Command } from './command';
import { readAnalog } from './commands/analog';
import { readPackCount, readProductInfo, readSoftwareVersion } from './commands/info';
import { ALL_PACKS } from './commands/pack-request';
import { modulesOfGroupReply, pylonAddressParts, pylonModuleAddress, PYLON_MAX_MODULES } from './commands/pylon-group';
import { DecodeError } from './command';
import type { Frame } from './frame';
import type { AnalogReply, PackAnalog } from './types';

export type PollMode = 'auto' | 'broadcast' | 'relay';

/**
 * How per-pack (non-broadcast) requests are addressed: 'relay' sends them to the master with
 * COMMAND = the pack (PACE over RS232 or the host port); 'direct' sends ADR = COMMAND = the pack
 * (every pack on one RS485 bus, the Pylontech and Seplos numbering).
 */
export type Addressing = 'relay' | 'direct';

/**
 * What 42H/44H with COMMAND FF to the master answers: 'bank' — a PACE master for every pack of the
 * bank, blocks in address order from the master up (§5.5, §10.1); 'pylon-group' — a Pylontech
 * group master (ADR 0x02 + 0x10·group) for every module of its group, module i at ADR
 * master + i (§10.2); 'none' — never asked. The dialect table (detect.ts DIALECT_HEADERS) says
 * which a profile's packs use.
 */
export type GroupQuery = 'bank' | 'pylon-group' | 'none';

export interface DiscoveryOptions {
  masterAddress: number;
  mode: PollMode;
  /** Highest pack count and address probed. */
  maxPacks: number;
  addressing: Addressing;
  /** Default 'bank'. */
  groupQuery?: GroupQuery;
}

/** One exchange through the poller (pausing, stopping and link loss are the poller's business). */
export type Ask = <Req, Res>(
  cmd: Command<Req, Res>,
  adr: number,
  req: Req,
  opts?: { packCount?: number; retries?: number }
) => Promise<ExchangeResult<Res>>;

export interface FoundBank {
  masterAddress: number;
  /** Master first. */
  addresses: number[];
  broadcast: boolean;
  /** VER and CID1 the packs answered with (0 when no reply said). */
  ver: number;
  cid1: number;
  /** 42H values read while probing, by address. */
  analog: Map<number, PackAnalog>;
  /** The broadcast 42H reply read while probing. */
  broadcastAnalog: AnalogReply | null;
  /** The Pylontech group (0..7) whose master answered COMMAND FF for all its modules; null otherwise. */
  pylonGroup: number | null;
}

export type DiscoveryOutcome = { ok: true; bank: FoundBank } | { ok: false; message: string };

/** Retries for discovery probes: a noisy link should not hide a pack, a missing one should not cost much. */
export const PROBE_RETRIES = 1;

/** The ADR a per-pack request for `address` goes to. */
export function perPackAdr(addressing: Addressing, master: number, address: number): number {
  return addressing === 'direct' ? address : master;
}

/**
 * Whether a reply to a per-pack 42H for `address` really is that pack's. A pack that is alone on
 * its cable may answer any address with its own block (seen on a VER 20 module at address 2 that
 * answered a request for address 1): its COMMAND echo, or on a direct request its frame's ADR,
 * names another pack.
 */
export function isReplyFrom(
  address: number,
  reply: { value: AnalogReply; reply: Frame },
  addressing: Addressing,
  knownOther: number | null
): boolean {
  if (reply.value.command !== address) return false;
  return !(addressing === 'direct' && reply.reply.adr !== address && reply.reply.adr === knownOther);
}

export async function discoverBank(ask: Ask, o: DiscoveryOptions): Promise<DiscoveryOutcome> {
  const master = o.masterAddress;
  const analog = new Map<number, PackAnalog>();
  let ver = 0;
  let cid1 = 0;
  const heard = (frame: { ver: number; cid1: number }) => {
    ver ||= frame.ver;
    cid1 ||= frame.cid1;
  };
  const found = (
    addresses: number[],
    broadcast: boolean,
    broadcastAnalog: AnalogReply | null,
    masterAddress = master,
    pylonGroup: number | null = null
  ): DiscoveryOutcome => ({
    ok: true,
    bank: { masterAddress, addresses, broadcast, ver, cid1, analog, broadcastAnalog, pylonGroup }
  });
  const groupQuery = o.groupQuery ?? 'bank';
  // A Pylontech group is asked as one only through its master (module 0 of a group); any other
  // address is a module of somebody's group, asked by itself.
  const pylonParts = groupQuery === 'pylon-group' ? pylonAddressParts(master) : null;
  const pylonMaster = pylonParts !== null && pylonParts.index === 0;

  // 90H: how many packs the master sees. Pylon-style firmware may not know it (RTN 04 or
  // silence); then the master's own 42H decides whether anyone is there at all.
  const countResult = await ask(readPackCount, master, {}, { retries: PROBE_RETRIES });
  let count: number | null = null;
  let replyAdr = master;
  if (countResult.ok) {
    count = countResult.value.packCount;
    replyAdr = countResult.reply.adr;
    heard(countResult.reply);
  }
  let ownKnown = false;
  let ownAdr: number | null = null;
  const readOwn = async (address: number): Promise<boolean> => {
    const r = await ask(readAnalog, address, { command: address }, { retries: PROBE_RETRIES });
    const pack = r.ok ? r.value.packs[0] : undefined;
    if (!r.ok || !pack || pack.empty) return false;
    analog.set(address, pack);
    ownAdr = r.reply.adr;
    heard(r.reply);
    return true;
  };
  if (!countResult.ok) {
    ownKnown = await readOwn(master);
    if (!ownKnown) return { ok: false, message: `No pack answered at address ${master}: ${countResult.error.message}` };
  }

  // A stand-alone pack (it reports address 0) or a bank of one.
  if (replyAdr === 0 || count === 1 || o.maxPacks === 1) {
    const address = replyAdr;
    if (!analog.has(address) && !(await readOwn(address)) && !countResult.ok) {
      return { ok: false, message: `Discovery failed: the pack at address ${address} did not answer 42H.` };
    }
    return found([address], false, null, address);
  }

  if (o.mode !== 'relay' && (groupQuery === 'bank' || pylonMaster)) {
    const expected = count ?? (pylonMaster ? PYLON_MAX_MODULES : o.maxPacks);
    const r = await ask(readAnalog, master, { command: ALL_PACKS }, { packCount: expected, retries: PROBE_RETRIES });
    const packs = r.ok ? r.value.packs.length : 0;
    // One block is a group (or bank) of one, or a pack alone on its cable answering FF with its own
    // block: the per-address probe below tells them apart, as before groups were known.
    if (r.ok && packs > 1 && pylonMaster && pylonParts) {
      heard(r.reply);
      try {
        const modules = modulesOfGroupReply(master, r.value);
        return found(
          modules.map((m) => m.address),
          true,
          r.value,
          master,
          pylonParts.group
        );
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        return { ok: false, message: `Discovery failed: the group reply of the master at address ${master} does not hold: ${e.message}` };
      }
    }
    if (r.ok && packs > 1) {
      heard(r.reply);
      const n = Math.min(packs, o.maxPacks);
      // Broadcast blocks carry no address; they come in address order from the master up
      // (reference §5.5, UNCERTAIN for banks with gaps in their DIP addresses).
      return found(
        Array.from({ length: n }, (_, i) => master + i),
        true,
        r.value
      );
    }
    if (o.mode === 'broadcast') {
      const why = r.ok ? `the broadcast (42H FF) returned ${packs} pack` : r.error.message;
      return { ok: false, message: `Discovery failed in broadcast mode: ${why}` };
    }
  } else if (o.mode === 'broadcast') {
    const why =
      groupQuery === 'none'
        ? 'this dialect is never asked with COMMAND FF'
        : `address ${master} is not a Pylontech group master (0x02 + 0x10 × group)`;
    return { ok: false, message: `Discovery failed in broadcast mode: ${why}.` };
  }

  // Per address: the master first, then every other address until the count is found. When the
  // count is unknown every address is asked once; a missing one costs a single deadline.
  if (!ownKnown) ownKnown = await readOwn(master);
  const addresses: number[] = ownKnown || countResult.ok ? [master] : [];
  for (const a of candidates()) {
    if (count !== null && addresses.length >= count) break;
    if (a === master) continue;
    const r = await ask(readAnalog, perPackAdr(o.addressing, master, a), { command: a }, { retries: count === null ? 0 : PROBE_RETRIES });
    const pack = r.ok ? r.value.packs[0] : undefined;
    if (!r.ok || !pack || pack.empty || !isReplyFrom(a, r, o.addressing, ownAdr)) continue;
    analog.set(a, pack);
    addresses.push(a);
    heard(r.reply);
  }
  if (addresses.length === 0) return { ok: false, message: 'Discovery failed: no pack answered 42H on any address.' };
  return found(addresses, false, null);

  /** Addresses a pack of this bank can have: a Pylontech group's own (ADR 0 and 1 are reserved there), else 1..maxPacks. */
  function candidates(): number[] {
    if (pylonParts) {
      const n = Math.min(PYLON_MAX_MODULES, o.maxPacks);
      return Array.from({ length: n }, (_, i) => pylonModuleAddress(pylonParts.group, i));
    }
    return Array.from({ length: o.maxPacks }, (_, i) => i + 1);
  }
}

/** C1H/C2H of one pack. They reach only the pack on the cable: a reply from another address is not this pack's. */
export async function readIdentity(ask: Ask, address: number): Promise<PackIdentityReport> {
  const report: PackIdentityReport = { address, softwareVersion: null, bluetoothName: null, bmsSerial: null, packSerial: null };
  const v = await ask(readSoftwareVersion, address, {}, { retries: PROBE_RETRIES });
  if (v.ok && v.reply.adr === address) {
    report.softwareVersion = v.value.version;
    report.bluetoothName = v.value.bluetoothName ?? null;
  }
  const p = await ask(readProductInfo, address, {}, { retries: PROBE_RETRIES });
  if (p.ok && p.reply.adr === address) {
    report.bmsSerial = p.value.bmsSerial;
    report.packSerial = p.value.packSerial ?? null;
  }
  return report;
}

// Pylontech groups (reference §10.2, §11.1; Pylontech RS485 protocol V3.3): up to eight groups of
// modules on one bus, module n of group m at ADR 0x02 + n + 0x10·m, the group master at n = 0.
// 42H and 44H sent to the group master with COMMAND FF answer for every module of the group in
// one frame: INFOFLAG, the module count, then one block per module in address order and without
// addresses. This module turns such a frame into one pack per module with its address.

import { DecodeError } from '../command';
import type { Frame } from '../frame';
import { DEFAULT_DECODE_OPTIONS, type AnalogReply, type DecodeOptions, type PackAnalog, type PackStatus, type StatusReply } from '../types';
import { CID2_ANALOG, readAnalog } from './analog';
import { ALL_PACKS } from './pack-request';
import { CID2_STATUS, readStatus } from './status';

/** Address of the first module (the master) of group 0; ADR 0 and 1 are reserved. */
export const PYLON_FIRST_ADDRESS = 0x02;
/** Groups selectable on the master's DIP switches 2–4. */
export const PYLON_GROUPS = 8;
/** Modules a group can hold by its address range (0x02..0x0F of each group); products allow 8–12. */
export const PYLON_MAX_MODULES = 14;

/** ADR of module `index` (0 = the group master) of group `group`. */
export function pylonModuleAddress(group: number, index: number): number {
  if (!Number.isInteger(group) || group < 0 || group >= PYLON_GROUPS)
    throw new RangeError(`Pylontech group ${group} is outside 0..${PYLON_GROUPS - 1}`);
  if (!Number.isInteger(index) || index < 0 || index >= PYLON_MAX_MODULES) {
    throw new RangeError(`Pylontech module index ${index} is outside 0..${PYLON_MAX_MODULES - 1}`);
  }
  return PYLON_FIRST_ADDRESS + index + 0x10 * group;
}

/** ADR of a group's master, the one that answers COMMAND FF for the group. */
export function pylonGroupMaster(group: number): number {
  return pylonModuleAddress(group, 0);
}

/** Group and module index of a Pylontech ADR; null for the reserved addresses (low nibble 0 or 1). */
export function pylonAddressParts(adr: number): { group: number; index: number } | null {
  const low = adr & 0x0f;
  const group = adr >> 4;
  if (!Number.isInteger(adr) || adr < 0 || adr > 0xff || low < PYLON_FIRST_ADDRESS || group >= PYLON_GROUPS) return null;
  return { group, index: low - PYLON_FIRST_ADDRESS };
}

/** One module of a group reply with the address it answers at. */
export interface GroupModule<P> {
  address: number;
  value: P;
}

export interface PylonGroupReply<P> {
  group: number;
  /** ADR of the group master the reply came from. */
  master: number;
  infoFlag: number;
  modules: GroupModule<P>[];
}

/** The request that asks a group master for every module: ADR = master, INFO = COMMAND FF. */
export function pylonGroupRequest(group: number, cid2: typeof CID2_ANALOG | typeof CID2_STATUS): Pick<Frame, 'adr' | 'code' | 'info'> {
  const cmd = cid2 === CID2_ANALOG ? readAnalog : readStatus;
  return { adr: pylonGroupMaster(group), code: cid2, info: cmd.encodeRequest({ command: ALL_PACKS }) };
}

/** Attach addresses to the blocks of a COMMAND FF reply from the master at `masterAdr`. */
export function modulesOfGroupReply<P>(masterAdr: number, reply: { broadcast: boolean; command: number; packs: P[] }): PylonGroupReply<P>['modules'] {
  const parts = pylonAddressParts(masterAdr);
  if (parts === null || parts.index !== 0) {
    throw new DecodeError(`ADR ${hex2(masterAdr)}H is not a Pylontech group master (0x02 + 0x10 × group)`);
  }
  if (!reply.broadcast) throw new DecodeError('the reply is for one module, not the whole group (COMMAND FF)');
  if (reply.packs.length > PYLON_MAX_MODULES) {
    throw new DecodeError(`the reply counts ${reply.packs.length} modules; a group holds at most ${PYLON_MAX_MODULES}`);
  }
  return reply.packs.map((value, index) => ({ address: pylonModuleAddress(parts.group, index), value }));
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

function groupOf<P>(frame: Pick<Frame, 'adr'>, reply: { infoFlag: number; broadcast: boolean; command: number; packs: P[] }): PylonGroupReply<P> {
  const modules = modulesOfGroupReply(frame.adr, reply);
  return { group: frame.adr >> 4, master: frame.adr, infoFlag: reply.infoFlag, modules };
}

/** A group master's 42H COMMAND FF reply, one PackAnalog per module with its address. Throws DecodeError. */
export function decodePylonGroupAnalog(frame: Pick<Frame, 'adr' | 'info'>, options: Partial<DecodeOptions> = {}): PylonGroupReply<PackAnalog> {
  const decodeOptions: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...options, profile: 'pylon' };
  const reply: AnalogReply = readAnalog.decodeReply(frame.info, { request: { command: ALL_PACKS }, options: decodeOptions });
  return groupOf(frame, reply);
}

/** A group master's 44H COMMAND FF reply, one PackStatus per module with its address. Throws DecodeError. */
export function decodePylonGroupStatus(frame: Pick<Frame, 'adr' | 'info'>, options: Partial<DecodeOptions> = {}): PylonGroupReply<PackStatus> {
  const decodeOptions: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...options, profile: 'pylon' };
  const reply: StatusReply = readStatus.decodeReply(frame.info, { request: { command: ALL_PACKS }, options: decodeOptions });
  return groupOf(frame, reply);
}

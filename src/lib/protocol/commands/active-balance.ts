// Active balancing switch 6AH (set) / 6BH (read), V3.1 doc §4.80–4.81 (added 2024-04). One byte:
// 0 = off, 1 = on. The document's frame tables print CID2 64H and 68H for these two, which collide
// with the B35 module commands and the revision record; the command list (Table A.7) gives
// 6AH/6BH, which is what we send (reference §4). Older firmware answers RTN 04.
//
// Passive ("static") balancing has no read command: 99H 02H/03H switch it, and the control status
// byte has no bit for it, so it can be switched but not read back (see control.ts).

import { DecodeError, type Command } from '../command';
import { bytesToHex } from '../hex';
import { flagToByte, InfoWriter, readCommand, writeCommand, type WriteAck } from './payload';

export interface ActiveBalancing {
  enabled: boolean;
}

function decodeSwitch(b: number, what: string): boolean {
  if (b > 1) throw new DecodeError(`${what}: expected 00 (off) or 01 (on), got ${bytesToHex([b])}`);
  return b === 1;
}

/** 6BH: is active balancing on? */
export const readActiveBalancing: Command<void, ActiveBalancing> = readCommand({
  cid2: 0x6b,
  id: 'readActiveBalancing',
  title: 'Active balancing',
  decode: (r) => ({ enabled: decodeSwitch(r.u8('enabled'), '6BH active balancing reply') }),
  encode: (v) => new InfoWriter().u8(v.enabled ? 1 : 0).finish(),
  replyBytes: 1
});

/** 6AH: switch active balancing on or off. */
export const setActiveBalancing: Command<ActiveBalancing, WriteAck> = writeCommand({
  cid2: 0x6a,
  id: 'setActiveBalancing',
  title: 'Active balancing',
  kind: 'write',
  encode: (req) => Uint8Array.of(flagToByte(req.enabled, 'enabled', 'Active balancing')),
  decode: (r) => ({ enabled: decodeSwitch(r.u8('enabled'), '6AH active balancing request') })
});

export const activeBalanceCommands = [readActiveBalancing, setActiveBalancing] as const;

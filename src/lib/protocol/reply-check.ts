// What a valid frame that arrives after a request is, before anyone trusts its INFO (reference
// §10.1, §16.2; design.md "Protocol"): our own request coming back (adapter echo), another master's
// request on a shared RS485 bus, or an answer. An answer from another ADR is still an answer (on
// RS232 the pack reports its real address), but the difference is said. For 42H/44H the COMMAND
// byte of a single-pack reply names the pack whose block it is; a relayed reply carrying another
// pack's block must not be filed under the pack asked for.
//
// Pure: no I/O, no clock. The client calls classifyIncoming() on each frame it reads while waiting,
// and checkPackAttribution() after decoding a 42H/44H reply (see the report for the wiring).

import { DecodeError, type AnyCommand } from './command';
import { RTN_MESSAGES, isSuccessRtn } from './rtn';
import type { Frame } from './frame';
import { bytesToHex } from './hex';
import { ALL_PACKS } from './commands/pack-request';
import { findCommands } from './registry';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions } from './types';

export type IncomingKind =
  /** Identical to the request: the adapter hears itself, or RX and TX are bridged. Keep waiting. */
  | 'echo'
  /** A request another master put on the bus (a master pack polling its slaves, a second PC). Keep waiting. */
  | 'foreign-request'
  /** The answer to decode (its RTN may still be a refusal). */
  | 'answer';

export interface IncomingCheck {
  kind: IncomingKind;
  /** Why, in a sentence for the traffic log. */
  message: string;
  /** Things about an answer worth logging that do not make it a wrong one (another ADR). */
  notes: string[];
}

function hex2(n: number): string {
  return bytesToHex([n & 0xff]);
}

function sameFrame(a: Frame, b: Frame): boolean {
  if (a.ver !== b.ver || a.adr !== b.adr || a.cid1 !== b.cid1 || a.code !== b.code || a.info.length !== b.info.length) return false;
  for (let i = 0; i < a.info.length; i++) if (a.info[i] !== b.info[i]) return false;
  return true;
}

/** The command whose request this frame is, if its CID2 is known and its INFO is that command's request. */
function asRequest(frame: Frame): AnyCommand | null {
  for (const cmd of findCommands(frame.code, frame.ver, frame.cid1)) {
    try {
      cmd.decodeRequest(frame.info);
      return cmd;
    } catch (e) {
      if (!(e instanceof DecodeError) && !(e instanceof RangeError)) throw e;
    }
  }
  return null;
}

/** Whether `info` is a reply `cmd` could send. */
function fitsReply(cmd: AnyCommand, info: Uint8Array, options: DecodeOptions): boolean {
  try {
    cmd.decodeReply(info, { request: undefined, options });
    return true;
  } catch (e) {
    if (!(e instanceof DecodeError) && !(e instanceof RangeError)) throw e;
    return false;
  }
}

/**
 * Classify a valid frame read while waiting for the answer to `request`. RTN and CID2 values
 * overlap (90H is "ADR error" and "pack count"; PACE V3.1 allows RTN = the request's CID2), so a
 * frame is another master's request only when it cannot be our answer:
 * - it has the shape of a known request (its CID2 is known and its INFO is that request's INFO), and
 * - it names another pack than the one asked, or its code is no return code we could get (00,
 *   our CID2, a documented RTN), or it uses our CID2 as its code but its INFO is no reply to it.
 * An answer from another ADR stays an answer (RS232 packs report their own address), with a note.
 */
export function classifyIncoming(request: Frame, reply: Frame, options: DecodeOptions = DEFAULT_DECODE_OPTIONS): IncomingCheck {
  const notes: string[] = [];
  if (sameFrame(request, reply)) {
    return {
      kind: 'echo',
      message: `our own ${hex2(request.code)}H request to address ${hex2(request.adr)} came back: the adapter echoes what it sends (or RX and TX are bridged)`,
      notes
    };
  }
  const otherAdr = reply.adr !== request.adr;
  const cmd = asRequest(reply);
  if (cmd !== null) {
    const documentedRtn = RTN_MESSAGES[reply.code] !== undefined;
    const couldBeRtn = isSuccessRtn(reply.code, request.code) || documentedRtn;
    const ours = findCommands(request.code, request.ver, request.cid1);
    const notOurReply = reply.code === request.code && !documentedRtn && !ours.some((c) => fitsReply(c, reply.info, options));
    if (otherAdr || !couldBeRtn || notOurReply) {
      return {
        kind: 'foreign-request',
        message: `a ${hex2(reply.code)}H request (${cmd.id}) to address ${hex2(reply.adr)} from another master on the bus, not the answer to our ${hex2(request.code)}H`,
        notes
      };
    }
  }
  if (otherAdr) notes.push(`answered from address ${hex2(reply.adr)}, asked at ${hex2(request.adr)} (a pack on RS232 reports its own address)`);
  return { kind: 'answer', message: `answer from address ${hex2(reply.adr)}, RTN ${hex2(reply.code)}`, notes };
}

export type AttributionVerdict =
  /** The block is the pack's that was asked for (or a broadcast, where blocks go by position). */
  | { ok: true; notes: string[] }
  /** The master relayed another pack's block: filing it under the pack asked for would be wrong. */
  | { ok: false; message: string };

/**
 * After decoding a 42H/44H reply to `command` sent to `adr`: whether its COMMAND byte says the
 * block is the asked pack's. A relay (ADR = master, COMMAND = slave) that comes back with another
 * slave's address is refused. Asked directly, a pack on RS232 may echo its own address instead of
 * the one asked (§5.1), which is a note. A broadcast whose reply is a single block (a non-master
 * pack answers FF with only itself, §5.1) is a note too.
 */
export function checkPackAttribution(
  adr: number,
  command: number,
  reply: { broadcast: boolean; command: number; packs: unknown[] }
): AttributionVerdict {
  if (command === ALL_PACKS) {
    if (!reply.broadcast) return { ok: true, notes: [`asked for every pack but the reply is for pack ${reply.command} only`] };
    return { ok: true, notes: [] };
  }
  if (reply.broadcast) return { ok: false, message: `asked for pack ${command} but the reply holds ${reply.packs.length} packs` };
  if (reply.command === command) return { ok: true, notes: [] };
  if (adr !== command) {
    return {
      ok: false,
      message: `asked the master at address ${adr} for pack ${command}, but the reply carries pack ${reply.command}'s block`
    };
  }
  return { ok: true, notes: [`asked pack ${command} directly; its reply names itself ${reply.command}`] };
}

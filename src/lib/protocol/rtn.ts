// What a reply frame means before its INFO is decoded: an answer, a refusal (RTN), or our own
// request coming back from the adapter.

import type { Frame } from './frame';
import { ProtocolError, isSuccessRtn, rtnMessage } from './errors';

/** RTN 04: "CID2 invalid", i.e. the pack does not know the command (vendor extension missing). */
export const RTN_UNSUPPORTED = 0x04;

export type ReplyVerdict = { ok: true } | { ok: false; error: ProtocolError };

/**
 * Classify a reply by its RTN. Success is RTN 00 or RTN equal to the request CID2 (the PACE V3.1
 * table's "Normal = CID2"); RTN 04 becomes kind 'unsupported', any other code kind 'rtn'.
 */
export function classifyReply(frame: Frame, requestCid2: number): ReplyVerdict {
  const rtn = frame.code;
  if (isSuccessRtn(rtn, requestCid2)) return { ok: true };
  const details = { rtn, cid2: requestCid2, adr: frame.adr };
  if (rtn === RTN_UNSUPPORTED) return { ok: false, error: new ProtocolError('unsupported', rtnMessage(rtn), details) };
  return { ok: false, error: new ProtocolError('rtn', rtnMessage(rtn), details) };
}

/**
 * A reply byte-identical to the request is an adapter echo (RS485 adapters that hear themselves,
 * bridged RX/TX), never an answer. Compares the frames from '~' to '\r'.
 */
export function isEchoOf(reply: Uint8Array, request: Uint8Array): boolean {
  if (reply.length !== request.length || reply.length === 0) return false;
  for (let i = 0; i < reply.length; i++) if (reply[i] !== request[i]) return false;
  return true;
}

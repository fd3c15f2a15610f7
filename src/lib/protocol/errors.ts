// Errors a request can end with. One class, a closed `kind`, and a message a person understands.

import type { Frame } from './frame';
import { RTN, isSuccessRtn, rtnMessage } from './rtn';

export type ProtocolErrorKind =
  /** No complete reply before the deadline derived from baud rate and reply size. */
  | 'timeout'
  /** The pack answered with a non-success RTN. */
  | 'rtn'
  /** Only our own request came back (an adapter echo), never an answer. */
  | 'echo'
  /** A reply arrived but failed its checksum / length checks every time. */
  | 'checksum'
  /** A valid frame whose INFO does not fit the command. */
  | 'decode'
  /** RTN 04: the pack does not know this command (vendor extension not supported). */
  | 'unsupported'
  /** The caller aborted. */
  | 'aborted'
  /** A request that would change the pack was refused by the client's write guard; nothing was sent. */
  | 'write-refused'
  /** The link is closed or was lost. */
  | 'transport';

export class ProtocolError extends Error {
  readonly kind: ProtocolErrorKind;
  /** The RTN when kind is 'rtn' or 'unsupported'. */
  readonly rtn?: number;
  /** CID2 of the request that failed. */
  readonly cid2?: number;
  /** Address the request went to. */
  readonly adr?: number;

  constructor(kind: ProtocolErrorKind, message: string, details: { rtn?: number; cid2?: number; adr?: number; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.name = 'ProtocolError';
    this.kind = kind;
    this.rtn = details.rtn;
    this.cid2 = details.cid2;
    this.adr = details.adr;
  }
}

export type ReplyVerdict = { ok: true } | { ok: false; error: ProtocolError };

/**
 * Classify a reply by its RTN. Success is RTN 00 or RTN equal to the request CID2 (the PACE V3.1
 * table's "Normal = CID2"); RTN 04 becomes kind 'unsupported', any other code kind 'rtn'.
 */
export function classifyReply(frame: Frame, requestCid2: number): ReplyVerdict {
  const rtn = frame.code;
  if (isSuccessRtn(rtn, requestCid2)) return { ok: true };
  const details = { rtn, cid2: requestCid2, adr: frame.adr };
  if (rtn === RTN.unsupported) return { ok: false, error: new ProtocolError('unsupported', rtnMessage(rtn), details) };
  return { ok: false, error: new ProtocolError('rtn', rtnMessage(rtn), details) };
}

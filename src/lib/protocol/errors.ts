// Errors a request can end with. One class, a closed `kind`, and a message a person understands.

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
  /** The link is closed or was lost. */
  | 'transport';

/** RTN codes (reference §2.3) with what they mean to a person. */
export const RTN_MESSAGES: Readonly<Record<number, string>> = {
  0x00: 'OK',
  0x01: 'The pack rejected the protocol version (RTN 01).',
  0x02: 'The pack received a corrupted request (checksum error, RTN 02). Check the cable and baud rate.',
  0x03: 'The pack received a corrupted request (length checksum error, RTN 03).',
  0x04: 'The pack does not support this command (RTN 04).',
  0x05: 'The pack rejected the command format (RTN 05).',
  0x06: 'The pack rejected the value as invalid (RTN 06).',
  0x07: 'No data: the pack has nothing to return (RTN 07).',
  0x09: 'The pack refused the operation (RTN 09), e.g. switching a MOSFET while current flows.',
  0x90: 'Address error (RTN 90).',
  0x91: 'The master could not reach that slave over the link bus (RTN 91).',
  0xe1: 'The pack rejected the device type (CID1, RTN E1).',
  0xe2: 'The command failed to execute on the pack (RTN E2).',
  0xe3: 'The pack reports a device fault (RTN E3).',
  0xe4: 'The pack refused: no permission (RTN E4).'
};

export function rtnMessage(rtn: number): string {
  return RTN_MESSAGES[rtn] ?? `The pack answered with unknown return code ${rtn.toString(16).toUpperCase().padStart(2, '0')}H.`;
}

/**
 * Success: RTN 00, or RTN equal to the request's CID2 (the PACE V3.1 table literally says
 * "Normal = CID2 of request").
 */
export function isSuccessRtn(rtn: number, requestCid2: number): boolean {
  return rtn === 0 || rtn === requestCid2;
}

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

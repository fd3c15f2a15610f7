// A command is data: one definition per CID2 that the client (to ask), the simulator (to answer),
// the decoder CLI and the debug console (to explain) all share. "Device differences are data."

import type { DecodeOptions } from './types';

/** How a command may affect a pack; drives installer-mode gating and the write-safety rules. */
export type CommandKind =
  /** Reads state, changes nothing. Allowed on the diagnose page. */
  | 'read'
  /** Changes settings or state. Validated before, read back after, logged, snapshotted. */
  | 'write'
  /** Can make a pack unusable if misused (calibration, cell count, firmware entry). Expert mode. */
  | 'dangerous';

export interface DecodeContext<Req> {
  /** The request this reply answers (the decoder CLI may not know it; then undefined). */
  request: Req | undefined;
  options: DecodeOptions;
}

export interface Command<Req, Res> {
  /** The request CID2. */
  readonly cid2: number;
  /** Stable id for logs and code: "readAnalog", "setCellOverVoltage". */
  readonly id: string;
  /** What the vendor tool calls it, in plain English: "Cell over-voltage protection". */
  readonly title: string;
  readonly kind: CommandKind;
  /**
   * A vendor extension that no public document describes (design.md). Support is detected at run
   * time: RTN 04 means the pack does not know it.
   */
  readonly extension?: boolean;
  /** True for 42H/44H, whose COMMAND byte may be FF (all packs) or a slave address (relay). */
  readonly multiPack?: boolean;

  encodeRequest(req: Req): Uint8Array;
  /** Inverse of encodeRequest; throws DecodeError on a malformed INFO. */
  decodeRequest(info: Uint8Array): Req;
  /** Build the reply INFO a pack sends (the simulator uses this). */
  encodeReply(res: Res, req: Req, options: DecodeOptions): Uint8Array;
  /** Throws DecodeError when INFO cannot be this reply. */
  decodeReply(info: Uint8Array, ctx: DecodeContext<Req>): Res;
  /**
   * Upper estimate of the reply INFO size in bytes, so the client can derive a deadline from the
   * baud rate. `packCount` is known for broadcasts once discovery has run.
   */
  expectedReplyBytes(req: Req, packCount?: number): number;
}

/** Any command, for registries and dispatch tables. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous registry; callers narrow by cid2/id
export type AnyCommand = Command<any, any>;

/** INFO is malformed for the command it is meant to be. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

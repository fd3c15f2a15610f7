// The one-byte COMMAND request shared by 42H and 44H: a pack address (single pack or relay through
// the master) or FFH for every pack in one reply (reference §5.1, §6.1).

import { DecodeError } from '../command';
import { bytesToHex } from '../hex';

/** COMMAND value that asks the master for every pack (broadcast). */
export const ALL_PACKS = 0xff;

export interface PackRequest {
  /** Pack address 0..15 (single or relay), or ALL_PACKS. */
  command: number;
}

export function encodePackRequest(req: PackRequest): Uint8Array {
  if (!Number.isInteger(req.command) || req.command < 0 || req.command > 0xff) {
    throw new RangeError(`COMMAND ${req.command} is not a byte`);
  }
  return Uint8Array.of(req.command);
}

export function decodePackRequest(info: Uint8Array): PackRequest {
  if (info.length !== 1) {
    throw new DecodeError(`a pack request carries exactly 1 byte of INFO (the pack address or FF), got ${info.length}: ${bytesToHex(info)}`);
  }
  return { command: info[0] };
}

/**
 * Whether a reply is a broadcast. With the request known this is exact; without it (the decoder
 * CLI) the caller decides from the layout.
 */
export function isBroadcastRequest(req: PackRequest | undefined): boolean | undefined {
  return req === undefined ? undefined : req.command === ALL_PACKS;
}

/**
 * Upper estimate of a 42H/44H reply INFO: INFOFLAG and COMMAND, then one block for a single pack,
 * or one per pack for a broadcast (16 when the bank size is not known yet).
 */
export function packReplyBytes(req: PackRequest, packCount: number | undefined, blockBytes: number): number {
  return 2 + (req.command === ALL_PACKS ? (packCount ?? 16) : 1) * blockBytes;
}

// The client's write guard: every request that could change a pack (design.md "the diagnose
// session cannot write at all (enforced in the client)") is shown to a guard before a byte goes
// out. A request is a read only when its command says so: a Command declares its kind; a raw frame
// is a read only when every definition of its CID2 in the registry is one; unframed bytes and
// unknown CID2s are writes.

import type { AnyCommand, CommandKind } from './command';
import { FrameReader, type Frame } from './frame';
import { hex2 } from './hex';

/** A request the guard is asked about (never a read). */
export interface WriteAttempt {
  /** How the request was made: a typed command, a raw frame, or bytes with no frame in them. */
  via: 'command' | 'raw-frame' | 'bytes';
  /** 'unknown': a CID2 no definition knows, or bytes that are no frame; treated as a write. */
  kind: Exclude<CommandKind, 'read'> | 'unknown';
  /** Ids of the command definitions it matches ("setChargeMos"); empty when none. */
  commands: readonly string[];
  /** CID2 and ADR of the frame; null for unframed bytes. */
  cid2: number | null;
  adr: number | null;
  /** In words, for the refusal message: "setChargeMos (9AH) to address 1". */
  what: string;
}

/** Returns null to allow the write, or the reason it is refused (shown to the person). */
export type WriteGuard = (attempt: WriteAttempt) => string | null;

/** The guard question for a typed command; null for a read. */
export function commandWrite(cmd: AnyCommand, adr: number, what: string): WriteAttempt | null {
  if (cmd.kind === 'read') return null;
  return { via: 'command', kind: cmd.kind, commands: [cmd.id], cid2: cmd.cid2, adr, what };
}

function strongest(kinds: readonly CommandKind[]): WriteAttempt['kind'] {
  if (kinds.includes('dangerous')) return 'dangerous';
  if (kinds.includes('write')) return 'write';
  return 'unknown';
}

/**
 * The guard question for a raw frame; null when every definition of its CID2 (for its VER and
 * CID1) is a read. The registry is loaded only here, so pages that never send raw frames do not
 * download every command definition.
 */
export async function rawFrameWrite(frame: Frame, what: string): Promise<WriteAttempt | null> {
  const { findCommands } = await import('./registry');
  const matches = findCommands(frame.code, frame.ver, frame.cid1);
  if (matches.length > 0 && matches.every((c) => c.kind === 'read')) return null;
  return {
    via: 'raw-frame',
    kind: strongest(matches.map((c) => c.kind)),
    commands: matches.map((c) => c.id),
    cid2: frame.code,
    adr: frame.adr,
    what
  };
}

/** Raw bytes: judged as the frame they hold when they are exactly one frame, else as a write. */
export function rawBytesWrite(bytes: Uint8Array, what: string): Promise<WriteAttempt | null> | WriteAttempt {
  const reader = new FrameReader();
  const events = reader.push(bytes);
  if (events.length === 1 && events[0].type === 'frame' && reader.pending === 0 && events[0].raw.length === bytes.length) {
    return rawFrameWrite(events[0].frame, what);
  }
  return { via: 'bytes', kind: 'unknown', commands: [], cid2: null, adr: null, what };
}

/** "setChargeMos (9AH) to address 1" / "raw frame 9AH to address 1". */
export function describeCommand(id: string, cid2: number, adr: number): string {
  return `${id} (${hex2(cid2)}H) to address ${adr}`;
}

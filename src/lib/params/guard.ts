// The guard the session installs on the client (core-split's client.setWriteGuard): a command that
// is not a read goes out only when
//   1. the session may write at all (the diagnose session never does),
//   2. installer mode is unlocked,
//   3. the write path is the one sending it (so no page can write around validate → snapshot →
//      write → read back → log), and
//   4. for a vendor extension, it is enabled on this link (demo bank or extension profile).
// Reads always pass. Each refusal says why in words.

import type { CommandKind } from '../protocol/command';

/** What the guard needs to know about a command (every Command has these). */
export interface GuardCommand {
  id: string;
  cid2: number;
  kind: CommandKind;
  extension?: boolean;
}

export type GuardDecision = { allowed: true } | { allowed: false; reason: string };

export interface WriteGuardOptions {
  /** The diagnose session: nothing but reads. */
  readOnly?: boolean;
  installer: { isUnlocked(): boolean };
  writePath: { authorizes(cmd: { cid2: number; id: string }, adr: number): boolean };
  extensions?: { allows(cmd: { cid2: number; id: string; extension?: boolean }): string | null };
}

export type WriteGuard = (cmd: GuardCommand, adr: number) => GuardDecision;

export function createWriteGuard(o: WriteGuardOptions): WriteGuard {
  return (cmd, adr) => {
    if (cmd.kind === 'read') return { allowed: true };
    if (o.readOnly) return { allowed: false, reason: `This session only reads: ${cmd.id} changes the pack and is never sent from here.` };
    if (!o.installer.isUnlocked()) return { allowed: false, reason: `${cmd.id} changes the pack: unlock installer mode first.` };
    if (!o.writePath.authorizes(cmd, adr)) {
      return {
        allowed: false,
        reason: `${cmd.id} changes the pack and only goes out through the write path (validate, snapshot, write, read back, log).`
      };
    }
    if (cmd.extension) {
      const why = o.extensions ? o.extensions.allows(cmd) : 'Vendor extensions are not enabled on this link.';
      if (why) return { allowed: false, reason: why };
    }
    return { allowed: true };
  };
}

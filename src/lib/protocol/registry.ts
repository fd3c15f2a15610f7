// Every command definition in one place, looked up by CID2 (and CID1 where EG4 reuses a CID2 with
// a different request). The decoder CLI, the debug console and the simulator's dispatcher use it.

import type { AnyCommand } from './command';
import { settingsCommands } from './commands/settings';
import { eg4Commands, telemetryCommands } from './commands/telemetry';
import { CID1_EG4 } from './types';

const EG4_CID1S = new Set([CID1_EG4, 0x4e]);

/** Telemetry first, then settings; each definition once. */
export function allCommands(): AnyCommand[] {
  return [...telemetryCommands, ...settingsCommands];
}

/**
 * Every definition for a CID2 that fits the frame's dialect, most likely first. EG4 packs
 * (CID1 4AH/4EH) get the EG4 forms of 42H/44H; everyone else never does. `ver` is accepted for
 * dialect-specific commands; no command is VER-specific yet.
 */
export function findCommands(cid2: number, _ver?: number, cid1?: number): AnyCommand[] {
  const eg4 = cid1 !== undefined && EG4_CID1S.has(cid1);
  const matches = allCommands().filter((c) => c.cid2 === cid2);
  const eg4Forms = matches.filter((c) => eg4Commands.includes(c));
  const others = matches.filter((c) => !eg4Commands.includes(c));
  return eg4 && eg4Forms.length > 0 ? [...eg4Forms, ...others] : others;
}

/** The most likely definition for a CID2 (see findCommands), or undefined when none is known. */
export function findCommand(cid2: number, ver?: number, cid1?: number): AnyCommand | undefined {
  return findCommands(cid2, ver, cid1)[0];
}

/** A command by its stable id ("readAnalog"). */
export function commandById(id: string): AnyCommand | undefined {
  return allCommands().find((c) => c.id === id);
}

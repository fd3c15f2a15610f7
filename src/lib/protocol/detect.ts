// Which dialect a pack speaks (reference §3, §11), from a reply's VER, CID1 and user-defined count
// P, and how to pick one from a setting. VER alone is not enough: some rebrands "lie" about it, and
// the three VER 20 dialects differ only in their 42H/44H layouts.

import type { AnyCommand } from './command';
import type { GroupQuery } from './discovery';
import type { Frame } from './frame';
import { hex2 } from './hex';
import { readAnalog } from './commands/analog';
import { eg4ReadAnalog, eg4ReadStatus } from './commands/pylon';
import { readStatus } from './commands/status';
import { CID1_EG4, CID1_LFP, PROTOCOL_PROFILES, VER_20, VER_PACE, type ProtocolProfile } from './types';

/** A profile setting: a fixed dialect, or 'auto' to follow detection. */
export type ProfileSetting = 'auto' | ProtocolProfile;

export const PROFILE_SETTINGS: readonly ProfileSetting[] = ['auto', ...PROTOCOL_PROFILES];

/** How a bank of each dialect is addressed. */
export interface DialectHeader {
  ver: number;
  cid1: number;
  /** Address of the pack on the cable in this family's usual numbering: PACE 1 (§10.1), Pylontech 2 (§10.2). */
  masterAddress: number;
  /**
   * Per-pack requests: PACE relays through the master (ADR = master, COMMAND = the pack, §10.1);
   * the VER 20 families put every pack on one RS485 bus with its own ADR, COMMAND = ADR (§10.2).
   */
  addressing: 'relay' | 'direct';
  /**
   * What 42H/44H with COMMAND FF to the master answers (discovery.ts GroupQuery): PACE's master for
   * the whole bank (§10.1); a Pylontech group master for every module of its group (§10.2). Seplos
   * documents FF for RS232 only and EG4 is undocumented, so on their buses the question may cost
   * one deadline: kept as it was, UNCERTAIN.
   */
  groupQuery: GroupQuery;
}

export const DIALECT_HEADERS: Readonly<Record<ProtocolProfile, DialectHeader>> = {
  pace: { ver: VER_PACE, cid1: CID1_LFP, masterAddress: 1, addressing: 'relay', groupQuery: 'bank' },
  pylon: { ver: VER_20, cid1: CID1_LFP, masterAddress: 2, addressing: 'direct', groupQuery: 'pylon-group' },
  // Seplos and EG4 number from the DIP switch; 1 is the usual first pack.
  seplos: { ver: VER_20, cid1: CID1_LFP, masterAddress: 1, addressing: 'direct', groupQuery: 'bank' },
  eg4: { ver: VER_20, cid1: CID1_EG4, masterAddress: 1, addressing: 'direct', groupQuery: 'bank' }
};

export interface ProfileGuess {
  profile: ProtocolProfile;
  /** 'certain': VER/CID1 decide; 'likely': the P byte agrees with one layout; 'guess': a fallback. */
  confidence: 'certain' | 'likely' | 'guess';
  /** Why, in a sentence for logs and the debug page. */
  reason: string;
}

/** EG4 uses 4AH for LiFePO4 and 4EH/4FH for titanate chemistries (reference §3). */
const EG4_CID1S = new Set([CID1_EG4, 0x4e]);

/** P of a 42H block at the PACE/Pylon/Seplos position: after M cells, N temps, current, voltage, remaining. */
function analogPAt(info: Uint8Array, uncountedTemps: number, valuesBeforeP: number): number | null {
  const m = info[2];
  if (m === undefined || m < 1 || m > 32) return null;
  const n = info[3 + 2 * m];
  if (n === undefined || n > 16) return null;
  return info[3 + 2 * m + 1 + 2 * (n + uncountedTemps) + valuesBeforeP] ?? null;
}

/** P of a 44H block (Seplos 20, EG4 9) after the alarm bytes. */
function statusPAt(info: Uint8Array, uncountedTemps: number): number | null {
  const m = info[2];
  if (m === undefined || m < 1 || m > 32) return null;
  const n = info[3 + m];
  if (n === undefined || n > 16) return null;
  return info[3 + m + 1 + n + uncountedTemps + 2] ?? null;
}

/**
 * Guess the dialect of a reply. `cid2` is the request's command when known: 42H and 44H replies
 * carry the P byte that tells the VER 20 dialects apart.
 */
export function detectProfile(frame: Pick<Frame, 'ver' | 'cid1' | 'info'>, cid2?: number): ProfileGuess {
  if (EG4_CID1S.has(frame.cid1)) return { profile: 'eg4', confidence: 'certain', reason: `CID1 ${hex2(frame.cid1)}H is EG4's` };
  if (frame.ver === VER_PACE) return { profile: 'pace', confidence: 'certain', reason: 'VER 25H is PACE firmware (PbmsTools)' };
  const info = frame.info;
  if (cid2 === 0x42 || cid2 === undefined) {
    if (analogPAt(info, 2, 10) === 15)
      return { profile: 'eg4', confidence: 'likely', reason: '42H reply has P = 15 after the cycle count (EG4 layout)' };
    const p = analogPAt(info, 0, 6);
    if (p === 10) return { profile: 'seplos', confidence: 'likely', reason: '42H reply has P = 10 (Seplos V2.0 layout)' };
    if (p === 2 || p === 4) return { profile: 'pylon', confidence: 'likely', reason: `42H reply has P = ${p} (Pylontech layout)` };
    if (p === 3 || p === 9)
      return { profile: 'pace', confidence: 'likely', reason: `42H reply has P = ${p} (PACE layout) although VER is ${hex2(frame.ver)}H` };
  }
  if (cid2 === 0x44) {
    if (statusPAt(info, 0) === 20) return { profile: 'seplos', confidence: 'likely', reason: '44H reply has P = 20 (Seplos V2.0 layout)' };
    if (statusPAt(info, 2) === 9) return { profile: 'eg4', confidence: 'likely', reason: '44H reply has P = 9 (EG4 layout)' };
  }
  if (frame.ver === VER_20 && frame.cid1 === CID1_LFP) {
    return { profile: 'pylon', confidence: 'guess', reason: 'VER 20H with CID1 46H: the Pylontech standard, unless the layout says otherwise' };
  }
  return { profile: 'pace', confidence: 'guess', reason: `VER ${hex2(frame.ver)}H is not a known dialect; assuming a PACE-like layout` };
}

/** The profile to use: the setting unless it is 'auto', then the detected one, then PACE. */
export function pickProfile(setting: ProfileSetting, detected?: ProtocolProfile | ProfileGuess): ProtocolProfile {
  if (setting !== 'auto') return setting;
  if (detected === undefined) return 'pace';
  return typeof detected === 'string' ? detected : detected.profile;
}

export function isProfileSetting(value: string): value is ProfileSetting {
  return (PROFILE_SETTINGS as readonly string[]).includes(value);
}

/** Header bytes a request to a pack of this profile carries. */
export function requestHeader(profile: ProtocolProfile): { ver: number; cid1: number } {
  const { ver, cid1 } = DIALECT_HEADERS[profile];
  return { ver, cid1 };
}

/** The 42H / 44H command objects for a profile (EG4's requests carry no INFO). */
export function telemetryCommandsFor(profile: ProtocolProfile): { analog: AnyCommand; status: AnyCommand } {
  return profile === 'eg4' ? { analog: eg4ReadAnalog, status: eg4ReadStatus } : { analog: readAnalog, status: readStatus };
}

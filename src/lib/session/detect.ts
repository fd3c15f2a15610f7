// Baud rate and protocol auto-detection with manual override. Installers meet packs at 9600 (the
// default), 19200 or 115200 baud, speaking PACE (VER 25) or a VER 20 dialect (reference §1, §3).
// "Auto" tries the likely combinations in order; a manual choice is used as is, untried.

import { m } from '$lib/paraglide/messages';
import { DIALECT_HEADERS } from '$lib/protocol/detect';
import { PACK_BAUDS, type ProtocolProfile } from '$lib/protocol/types';
import type { TransportKind } from '$lib/transport/types';
import type { BaudChoice, ProfileChoice } from './settings';
import type { LinkProfile } from './ports';

function linkProfile(profile: ProtocolProfile): LinkProfile {
  return { profile, ...DIALECT_HEADERS[profile] };
}

export const LINK_PROFILES: Readonly<Record<ProtocolProfile, LinkProfile>> = {
  pace: linkProfile('pace'),
  pylon: linkProfile('pylon'),
  seplos: linkProfile('seplos'),
  eg4: linkProfile('eg4')
};

/**
 * Profiles "Auto" tries, most likely first. Seplos is not among them: it answers with the same
 * VER and CID1 as Pylontech, so a header cannot tell them apart; it is a manual choice.
 */
const AUTO_PROFILE_ORDER: readonly ProtocolProfile[] = ['pace', 'pylon', 'eg4'];

export const PROFILE_LABELS: Readonly<Record<ProtocolProfile, string>> = {
  pace: 'PACE (VER 25)',
  pylon: 'Pylontech (VER 20)',
  seplos: 'Seplos (VER 20)',
  eg4: 'EG4 LifePower4 (VER 20)'
};

/** The baud a transport runs at when the user cannot choose one (BLE bridge, demo). */
const FIXED_LINK_BAUD = 9600;

export interface DetectionAttempt extends LinkProfile {
  baud: number;
}

export interface PlanInput {
  kind: TransportKind;
  baud: BaudChoice;
  profile: ProfileChoice;
  /** Baud that worked last time with this device; tried first under Auto. */
  lastBaud?: number;
  /** Profile that worked last time; tried first under Auto. */
  lastProfile?: ProtocolProfile;
}

export interface DetectionPlan {
  attempts: DetectionAttempt[];
  /** True when anything is left to find out; false means "use the only attempt without probing". */
  probe: boolean;
}

function lastFirst<T>(order: readonly T[], last: T | undefined): T[] {
  return last !== undefined && order.includes(last) ? [last, ...order.filter((x) => x !== last)] : [...order];
}

export function detectionPlan(input: PlanInput): DetectionPlan {
  // Only a serial port has a baud rate the app can set; a BLE bridge's UART is fixed in the module,
  // and the demo bank speaks PACE at whatever rate it is told.
  const bauds: number[] =
    input.kind !== 'serial' ? [FIXED_LINK_BAUD] : input.baud === 'auto' ? lastFirst<number>(PACK_BAUDS, input.lastBaud) : [input.baud];
  const profiles: ProtocolProfile[] =
    input.kind === 'sim' ? ['pace'] : input.profile === 'auto' ? lastFirst(AUTO_PROFILE_ORDER, input.lastProfile) : [input.profile];
  // The likeliest dialect at every baud first (a PACE pack set to 115200 is found after two
  // silent probes, not after every VER 20 dialect at 9600 and 19200), then the others.
  const [first, ...rest] = profiles;
  const attempts: DetectionAttempt[] = bauds.map((baud) => ({ baud, ...LINK_PROFILES[first] }));
  for (const baud of bauds) for (const p of rest) attempts.push({ baud, ...LINK_PROFILES[p] });
  return { attempts, probe: attempts.length > 1 };
}

export interface DetectionRun {
  attempts: readonly DetectionAttempt[];
  /** Switch the link to this baud (re-open it); throws to abandon detection. */
  useBaud(baud: number, signal: AbortSignal): Promise<void>;
  /**
   * Whether the bank answers `attempt`'s profile at the current baud. `firstAtBaud`: the first
   * request since the port was (re)opened, which a half-initialised adapter may lose.
   */
  probe(attempt: DetectionAttempt, signal: AbortSignal, firstAtBaud: boolean): Promise<boolean>;
  signal: AbortSignal;
  /** Progress for the UI: "Trying 19200 baud, Pylontech (VER 20)". */
  onAttempt?: (attempt: DetectionAttempt, index: number, total: number) => void;
}

/** The first attempt the bank answers, or null after trying them all. Rejects when aborted. */
export async function runDetection(run: DetectionRun): Promise<DetectionAttempt | null> {
  let currentBaud: number | null = null;
  for (let i = 0; i < run.attempts.length; i++) {
    run.signal.throwIfAborted();
    const attempt = run.attempts[i];
    run.onAttempt?.(attempt, i, run.attempts.length);
    const firstAtBaud = attempt.baud !== currentBaud;
    if (firstAtBaud) {
      await run.useBaud(attempt.baud, run.signal);
      currentBaud = attempt.baud;
    }
    if (await run.probe(attempt, run.signal, firstAtBaud)) return attempt;
  }
  run.signal.throwIfAborted();
  return null;
}

export function describeAttempt(a: DetectionAttempt, kind: TransportKind): string {
  return kind === 'serial' ? m.connect_attempt_serial({ baud: String(a.baud), profile: PROFILE_LABELS[a.profile] }) : PROFILE_LABELS[a.profile];
}

type Lang = 'en' | 'zh-CN';

/** "a, b and c" / "a、b 和 c" in the given (default: the app's) language. */
function list(xs: readonly string[], locale?: Lang): string {
  if (xs.length <= 1) return xs.join('');
  const o = locale ? { locale } : undefined;
  return m.connect_list_and({ items: xs.slice(0, -1).join(m.connect_list_separator({}, o)), last: xs[xs.length - 1] }, o);
}

/**
 * "9600, 19200 and 115200 baud with the PACE and Pylontech protocols": what was tried, for the
 * failure message. `locale` pins the language (the English one goes into the error's message).
 */
export function describeTried(attempts: readonly DetectionAttempt[], kind: TransportKind, locale?: Lang): string {
  const bauds = [...new Set(attempts.map((a) => String(a.baud)))];
  const profiles = [...new Set(attempts.map((a) => PROFILE_LABELS[a.profile]))];
  const o = locale ? { locale } : undefined;
  const protocols =
    profiles.length > 1
      ? m.connect_tried_protocols({ list: list(profiles, locale) }, o)
      : m.connect_tried_protocol({ name: list(profiles, locale) }, o);
  return kind === 'serial' ? m.connect_tried_serial({ bauds: list(bauds, locale), protocols }, o) : protocols;
}

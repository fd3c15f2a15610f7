// Connecting, as one plain async function: get a transport (the browser's picker, a port granted
// earlier, or the demo bank), open it at the right baud, and find out which dialect the bank
// answers in (detect.ts), or say why not. No reactive state here: the session shows progress
// through `onProgress` and owns what comes back. Progress and errors are Words (worded when
// read), so a language switch re-words what is on screen.

import { ProtocolError } from '$lib/protocol/errors';
import { isPackBaud, type ProtocolProfile } from '$lib/protocol/types';
import type { Clock } from '$lib/time/clock';
import { TransportError, type Transport, type TransportKind } from '$lib/transport/types';
import { m } from '$lib/paraglide/messages';
import { NO_ANSWER_ADVICE, transportAdviceWords, transportErrorWords, type Words } from './advice';
import { describeAttempt, describeTried, detectionPlan, runDetection, type DetectionAttempt } from './detect';
import type { LastDevice } from './last-device';
import type { LinkChoice, LinkFactory } from './ports';
import type { AppSettings, BaudChoice } from './settings';
import type { ConnectOptions } from './types';

/** Why the last connect failed, worded for the connect page (in the app's language when read). */
export interface SessionError {
  /** TransportError kind, 'no-answer' when detection found nothing, or 'failed'. */
  readonly kind: string;
  readonly message: string;
  /** What the person can do about it; may be empty. */
  readonly advice: string;
  /** The lower layer's own message (English, factual), for logs and reports. */
  readonly detail: string;
}

/** A connect that reached the device but found no bank to talk to. */
class NoAnswer extends Error {
  readonly words: Words;
  constructor(message: string, words: Words) {
    super(message);
    this.words = words;
  }
}

function sessionError(kind: string, message: Words, advice: Words | null, detail: string): SessionError {
  // Getters: the error stays on screen while the language may change.
  return {
    kind,
    get message() {
      return message();
    },
    get advice() {
      return advice?.() ?? '';
    },
    detail
  };
}

export function toSessionError(e: unknown): SessionError {
  if (e instanceof NoAnswer) return sessionError('no-answer', e.words, NO_ANSWER_ADVICE, e.message);
  if (e instanceof TransportError) return sessionError(e.kind, transportErrorWords(e.kind), transportAdviceWords(e), e.message);
  // A protocol or programming error has no better words than its own: said as it is, after a
  // sentence in the person's language.
  const detail = e instanceof Error ? e.message : String(e);
  const kind = e instanceof ProtocolError ? e.kind : 'failed';
  return sessionError(kind, () => m.connect_error_failed({ detail }), null, detail);
}

/** The person closed the device picker, or the connect was cancelled: not an error to show. */
export function isCancel(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (e instanceof TransportError && e.kind === 'picker-cancelled');
}

/** What the person picked, resolved against the settings and the last device. */
export function linkChoice(options: ConnectOptions, settings: AppSettings, last: LastDevice | null): LinkChoice {
  const baud = typeof options.baud === 'number' ? options.baud : settings.baud === 'auto' ? (last?.baud ?? 9600) : settings.baud;
  return { kind: options.kind, baud, demoPacks: options.simPacks ?? settings.demoPacks, demoScenario: options.demoScenario ?? 'household' };
}

/** A baud from ConnectOptions, when it is one the app offers. */
function baudChoice(b: ConnectOptions['baud']): BaudChoice | undefined {
  if (b === 'auto') return 'auto';
  return isPackBaud(b) ? b : undefined;
}

/**
 * Asked when no pack answers a connect: does something else hold the line that the app should stay
 * connected to (a pack waiting in its bootloader after an interrupted firmware update)? Listens on
 * the open transport, at the likeliest baud; true keeps the link.
 */
export type SilentLinkCheck = (transport: Transport, signal: AbortSignal) => Promise<boolean>;

export interface ConnectFlow {
  links: LinkFactory;
  clock: Clock;
  settings: AppSettings;
  /** The last device of this kind, whose baud is tried first. */
  last: LastDevice | null;
  /** The dialect found last time in this tab, tried first. */
  lastProfile?: ProtocolProfile;
  signal: AbortSignal;
  /** Throws when this connect was superseded or cancelled; called after every await. */
  check(): void;
  onProgress(words: Words): void;
  /** The transport is in hand (the session closes it if what follows fails). */
  onTransport(transport: Transport): void;
  /** When detection finds nothing; see SilentLinkCheck. */
  silentLink?: SilentLinkCheck;
}

/**
 * Get, open and identify a link. Resolves null when there is nothing to connect to (no granted
 * port to resume); rejects with TransportError, NoAnswer, or whatever check() throws.
 */
export async function connectLink(
  options: ConnectOptions,
  obtain: () => Promise<Transport | null>,
  flow: ConnectFlow
): Promise<{ transport: Transport; found: DetectionAttempt } | null> {
  const transport = await obtain();
  flow.check();
  if (!transport) return null;
  flow.onTransport(transport);
  const choice = linkChoice(options, flow.settings, flow.last);
  const plan = detectionPlan({
    kind: options.kind,
    baud: baudChoice(options.baud) ?? flow.settings.baud,
    profile: flow.settings.profile,
    lastBaud: flow.last?.kind === options.kind ? flow.last.baud : undefined,
    lastProfile: flow.lastProfile
  });
  const useBaud = async (baud: number) => {
    await flow.links.setBaud(transport, baud);
    flow.check();
    if (transport.status.state !== 'open') await transport.open(flow.signal);
    flow.check();
  };
  if (!plan.probe) {
    const only = plan.attempts[0];
    flow.onProgress(options.kind === 'sim' ? m.connect_progress_starting_demo : m.connect_progress_opening);
    await useBaud(options.kind === 'serial' ? only.baud : choice.baud);
    return { transport, found: only };
  }
  const found = await runDetection({
    attempts: plan.attempts,
    signal: flow.signal,
    useBaud,
    // Only the first request after the port (re)opened gets a second try: a silent line at a wrong
    // baud stays silent, and every extra try costs a whole probe deadline.
    probe: (attempt, signal, firstAtBaud) => flow.links.probe(transport, attempt, { clock: flow.clock, signal, retries: firstAtBaud ? 1 : 0 }),
    onAttempt: (attempt, i, n) =>
      flow.onProgress(() => m.connect_progress_looking({ attempt: describeAttempt(attempt, options.kind), index: String(i + 1), total: String(n) }))
  });
  if (!found && flow.silentLink) {
    // Back to the likeliest attempt (the last device's baud first), and listen there.
    const likeliest = plan.attempts[0];
    flow.onProgress(() => m.connect_progress_bootloader());
    await useBaud(likeliest.baud);
    if (await flow.silentLink(transport, flow.signal)) return { transport, found: likeliest };
    flow.check();
  }
  if (!found) {
    const attempts = plan.attempts;
    throw new NoAnswer(`No pack answered. Tried ${describeTried(attempts, options.kind, 'en')}.`, () =>
      m.connect_no_answer({ tried: describeTried(attempts, options.kind) })
    );
  }
  return { transport, found };
}

/** What to remember of a link that worked, so a reload can resume it. */
export function rememberedDevice(kind: TransportKind, transport: Transport, found: DetectionAttempt): LastDevice {
  const info = transport.info;
  return {
    kind,
    ...(info.usbVendorId !== undefined ? { usbVendorId: info.usbVendorId } : {}),
    ...(info.usbProductId !== undefined ? { usbProductId: info.usbProductId } : {}),
    ...(info.bleName !== undefined ? { bleName: info.bleName } : {}),
    ...(kind === 'serial' ? { baud: found.baud } : {}),
    label: info.label,
    autoReconnect: true
  };
}

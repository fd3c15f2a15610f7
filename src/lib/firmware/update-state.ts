// The update as states the page renders: one snapshot object per change, a discriminated union on
// `phase`. Running phases carry phase-weighted progress, bytes, rate and time left; the two final
// ones say how it ended, and a failure says where the pack was left (packState), which is what
// the person needs to know next.

import type { BackupRef } from './hooks';
import type { PhaseEstimate } from './profile';

export type RunningPhase =
  /** Reading the pack (C1H, C2H) and checking the image against it. */
  | 'check'
  /** Backing up the pack's parameters. */
  | 'backup'
  /** FF 50 sent; waiting for the bootloader to ask for the image. */
  | 'enter'
  | 'transfer'
  /** All blocks are in; the bootloader checks the image. */
  | 'verify'
  /** The bootloader accepted the image; waiting for the pack to answer C1H with the new version. */
  | 'reboot';

export type UpdatePhase = RunningPhase | 'done' | 'failed';

/** The order of the running phases; an update moves forward through them only. */
export const RUNNING_PHASES: readonly RunningPhase[] = ['check', 'backup', 'enter', 'transfer', 'verify', 'reboot'];

export interface UpdateProgress {
  /** 0..1 of the whole update, each phase weighted by its expected duration. */
  readonly fraction: number;
  /** Image bytes the bootloader has acknowledged, and in all. */
  readonly bytesSent: number;
  readonly bytesTotal: number;
  /** Measured over the last seconds of the transfer; null until there is enough to say. */
  readonly rate_Bps: number | null;
  /** Expected time to the end, null when unknown. */
  readonly timeLeft_ms: number | null;
  readonly elapsed_ms: number;
  /** Blocks sent again so far. */
  readonly retries: number;
}

/**
 * Where a failed update left the pack.
 * - 'untouched': it never left its application; nothing changed.
 * - 'old-firmware': it was in its bootloader and is back on the firmware it had (C1H confirmed).
 * - 'new-firmware-unconfirmed': the bootloader accepted the image, but C1H did not confirm it.
 * - 'unexpected-version': it answers C1H with a version that is neither the old nor the new one.
 * - 'in-bootloader': it waits in its bootloader for an image (recoverable: send one).
 * - 'unknown': the link was lost; the next connect tells (recovery).
 */
export type PackEndState = 'untouched' | 'old-firmware' | 'new-firmware-unconfirmed' | 'unexpected-version' | 'in-bootloader' | 'unknown';

export type UpdateFailureReason =
  /** The image does not fit this pack (model, board, size). */
  | 'incompatible'
  /** The pack did not answer C1H before the update. */
  | 'unreadable'
  | 'backup-failed'
  /** The pack refused FF 50 (an RTN error). */
  | 'entry-refused'
  /** No bootloader asked for the image after FF 50. */
  | 'bootloader-silent'
  /** Blocks kept being refused or unanswered beyond the retry cap. */
  | 'link-errors'
  /** The cable or Bluetooth link went away. */
  | 'link-lost'
  /** The bootloader refused the image (CAN CAN). */
  | 'refused-by-bootloader'
  | 'cancelled'
  /** The image was accepted but the pack did not answer afterwards. */
  | 'no-reboot'
  /** The pack answers with another version than the image's. */
  | 'version-mismatch'
  /**
   * The app itself did not let a write out (installer mode locked, a read-only session): the
   * client's write guard refused it, so nothing more was sent.
   */
  | 'write-refused';

export interface UpdateFailure {
  readonly reason: UpdateFailureReason;
  /** What happened, in English, for the log and the details line (the page words the reason). */
  readonly message: string;
  /** The phase the update was in. */
  readonly failedIn: RunningPhase;
  readonly packState: PackEndState;
  /** What C1H said last, when the pack answered after the failure. */
  readonly reportedVersion: string | null;
  /** The pack waits for an image or may: the update can be restarted from the cached image. */
  readonly recoverable: boolean;
  readonly cause?: unknown;
}

export interface UpdateResult {
  /** What the pack ran before; null when unknown (a recovery). */
  readonly fromVersion: string | null;
  /** What C1H reports now. */
  readonly version: string;
  readonly versionString: string;
  readonly duration_ms: number;
  readonly retries: number;
  readonly backup: BackupRef | null;
  readonly warnings: readonly string[];
}

interface SnapshotBase {
  readonly address: number;
  readonly targetVersion: string;
  readonly progress: UpdateProgress;
  /** Whether cancelling still keeps the old firmware (false once the bootloader is checking the image). */
  readonly cancellable: boolean;
  /** Clock time (ms) each phase began, for logs and the bench. */
  readonly timeline: Readonly<Partial<Record<UpdatePhase, number>>>;
}

export type UpdateSnapshot =
  | (SnapshotBase & { readonly phase: 'check' })
  | (SnapshotBase & { readonly phase: 'backup' })
  | (SnapshotBase & { readonly phase: 'enter'; readonly waitingForBootloader: boolean })
  | (SnapshotBase & { readonly phase: 'transfer'; readonly block: number; readonly blocks: number })
  | (SnapshotBase & { readonly phase: 'verify' })
  | (SnapshotBase & { readonly phase: 'reboot'; readonly waited_ms: number })
  | (SnapshotBase & { readonly phase: 'done'; readonly result: UpdateResult })
  | (SnapshotBase & { readonly phase: 'failed'; readonly failure: UpdateFailure });

/** May `next` follow `previous`? Forward through the running phases, then done or failed, then nothing. */
export function isValidTransition(previous: UpdatePhase | null, next: UpdatePhase): boolean {
  if (previous === 'done' || previous === 'failed') return false;
  if (next === 'failed') return true;
  if (next === 'done') return previous === 'reboot';
  if (previous === null) return true;
  return RUNNING_PHASES.indexOf(next) >= RUNNING_PHASES.indexOf(previous);
}

/** Expected duration of every running phase, for the progress weights. */
export type PhaseWeights = Readonly<Record<RunningPhase, number>>;

export function phaseWeights(estimate: PhaseEstimate, other: { check_ms: number; backup_ms: number }): PhaseWeights {
  return {
    check: other.check_ms,
    backup: other.backup_ms,
    enter: estimate.enter_ms,
    transfer: estimate.transfer_ms,
    verify: estimate.verify_ms,
    reboot: estimate.reboot_ms
  };
}

/** Samples the transfer rate is measured over. */
const RATE_WINDOW_MS = 10_000;
/** Shortest span of samples that gives a rate worth showing. */
const RATE_MIN_SPAN_MS = 1500;

/**
 * Turns "phase X, y% of it" into the whole update's fraction, rate and time left. Skipped phases
 * (a recovery starts at the transfer) weigh nothing.
 */
export class ProgressModel {
  readonly #weights: PhaseWeights;
  readonly #total: number;
  readonly #started_ms: number;
  #samples: { t: number; bytes: number }[] = [];

  constructor(weights: PhaseWeights, started_ms: number, skipped: readonly RunningPhase[] = []) {
    const w = { ...weights };
    for (const p of skipped) w[p] = 0;
    this.#weights = w;
    this.#total = RUNNING_PHASES.reduce((n, p) => n + Math.max(0, w[p]), 0) || 1;
    this.#started_ms = started_ms;
  }

  /** Note acknowledged bytes at clock time `t`, for the rate. */
  sample(t: number, bytes: number): void {
    this.#samples.push({ t, bytes });
    while (this.#samples.length > 2 && t - this.#samples[0].t > RATE_WINDOW_MS) this.#samples.shift();
  }

  get rate_Bps(): number | null {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.t - first.t < RATE_MIN_SPAN_MS) return null;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /**
   * Progress in `phase`, `within` (0..1) of it done. Time left: during the transfer, the bytes
   * left at the measured rate plus the later phases' estimates; otherwise the estimates alone.
   */
  at(phase: RunningPhase | 'done', within: number, now: number, bytes: { sent: number; total: number; retries: number }): UpdateProgress {
    const elapsed_ms = now - this.#started_ms;
    if (phase === 'done') {
      return {
        fraction: 1,
        bytesSent: bytes.sent,
        bytesTotal: bytes.total,
        rate_Bps: this.rate_Bps,
        timeLeft_ms: 0,
        elapsed_ms,
        retries: bytes.retries
      };
    }
    const i = RUNNING_PHASES.indexOf(phase);
    const clamped = Math.min(1, Math.max(0, within));
    const before = RUNNING_PHASES.slice(0, i).reduce((n, p) => n + this.#weights[p], 0);
    const after = RUNNING_PHASES.slice(i + 1).reduce((n, p) => n + this.#weights[p], 0);
    const here = this.#weights[phase];
    const rate = this.rate_Bps;
    let left_ms = here * (1 - clamped) + after;
    if (phase === 'transfer' && rate !== null && rate > 0) left_ms = ((bytes.total - bytes.sent) * 1000) / rate + after;
    return {
      fraction: Math.min(0.999, (before + here * clamped) / this.#total),
      bytesSent: bytes.sent,
      bytesTotal: bytes.total,
      rate_Bps: rate,
      timeLeft_ms: Math.max(0, Math.round(left_ms)),
      elapsed_ms,
      retries: bytes.retries
    };
  }
}

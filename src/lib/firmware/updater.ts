// One pack's firmware update, from reading the pack to confirming its new version, as a sequence
// of snapshots (update-state.ts). It runs inside the client's exclusive bus lease, so polling is
// paused and nothing else talks on the bus, and it holds the FlashGuard for the app's prompts.
//
//   check    C1H (model, board, version) and C2H (serial) read; the image checked against them
//   backup   the parameter snapshot (ParameterBackup); a failure stops here, pack untouched
//   enter    FF 50 with the restore bits; the journal notes the pack; the bootloader's first 'C'
//   transfer the profile sends the image, retrying blocks up to its cap
//   verify   the bootloader checks the complete image
//   reboot   the pack restarts; C1H polled until it answers with the new version
//
// When anything fails after FF 50, the bootloader is asked to leave (so a pack that still has its
// application boots it) and the pack is read again: the failure says whether it is back on its
// old firmware, waiting in its bootloader, or out of reach. A recovery (resume) starts at the
// transfer for a pack already waiting in its bootloader.

import type { BusLease } from '../protocol/client';
import { ProtocolError } from '../protocol/errors';
import { readProductInfo, readSoftwareVersion } from '../protocol/commands/info';
import { enterFirmwareUpgrade, type UpgradeRestoreSelection } from '../protocol/commands/system';
import { sleep, type Clock } from '../time/clock';
import { TransportError, type LinkTiming, type TransportStatus, type Unsubscribe } from '../transport/types';
import { leaseByteIo, type ByteIo } from './byte-io';
import { FirmwareError } from './errors';
import type { BackupRef, FlashGuard, ParameterBackup } from './hooks';
import { checkCompatibility, identityFromReplies, parsePackVersion, type PackIdentity } from './identity';
import type { FlashJournal, FlashJournalEntry } from './journal';
import type { FlashPlan } from './preflight';
import type { BootloaderProfile, TransferProgress, TransferStage } from './profile';
import {
  ProgressModel,
  isValidTransition,
  phaseWeights,
  type PackEndState,
  type RunningPhase,
  type UpdateFailure,
  type UpdateFailureReason,
  type UpdatePhase,
  type UpdateResult,
  type UpdateSnapshot
} from './update-state';
import { sameFirmwareVersion } from './version';
import { classifyTransferFailure, settleAfterFailure } from './settle';
import { ymodemProfile } from './ymodem-profile';

/** The client as the updater uses it: PaceClient fits. */
export interface ExclusiveBus {
  exclusive<T>(fn: (bus: BusLease) => Promise<T>, opts?: { signal?: AbortSignal }): Promise<T>;
  readonly transport: {
    readonly status: TransportStatus;
    readonly timing: LinkTiming;
    onStatus(listener: (s: TransportStatus) => void): Unsubscribe;
  };
  readonly clock: Clock;
}

export interface UpdateTiming {
  /** From FF 50 (or the start of a recovery) to the bootloader's first request. Default 10 000 ms. */
  entryTimeout_ms: number;
  /** From the image accepted to C1H answering. Default 60 000 ms. */
  rebootTimeout_ms: number;
  /** Pause between two C1H polls while the pack boots. Default 100 ms. */
  pollInterval_ms: number;
  /** After a failure: how long to look for the old firmware answering. Default 15 000 ms. */
  fallback_ms: number;
  /** Sends of one block before the transfer fails. Default 10. */
  blockAttempts: number;
}

const DEFAULT_TIMING: UpdateTiming = {
  entryTimeout_ms: 10_000,
  rebootTimeout_ms: 60_000,
  pollInterval_ms: 100,
  fallback_ms: 15_000,
  blockAttempts: 10
};
/** Weights of the phases the profile does not estimate (ms). */
const CHECK_ESTIMATE_MS = 400;
const BACKUP_ESTIMATE_MS = 3000;

const NO_RESTORE: UpgradeRestoreSelection = { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false };

/** A pack found waiting in its bootloader, to be updated without FF 50 (recovery.ts). */
export interface ResumeFrom {
  /** What the pack is, from the journal or the person. */
  readonly identity: PackIdentity;
  readonly fromVersion: string | null;
  /** The journal entry of the update that left it there, if any. */
  readonly journalEntry?: FlashJournalEntry;
}

export interface UpdatePackOptions {
  bus: ExclusiveBus;
  address: number;
  plan: FlashPlan;
  /** FF 50's restore bits. Default: restore nothing. */
  restore?: UpgradeRestoreSelection;
  /** Required for a normal update; null only with `resume` (the application is not running). */
  backup: ParameterBackup | null;
  /** Default ymodemProfile. */
  profile?: BootloaderProfile;
  journal?: FlashJournal;
  guard?: FlashGuard;
  signal?: AbortSignal;
  onSnapshot?: (snapshot: UpdateSnapshot) => void;
  timing?: Partial<UpdateTiming>;
  resume?: ResumeFrom;
  /** Wall clock for the journal (epoch ms). Default Date.now. */
  now_ms?: () => number;
}

export type FinalSnapshot = Extract<UpdateSnapshot, { phase: 'done' | 'failed' }>;

/** Thrown inside the run to end it with a failure snapshot. */
class Stop {
  constructor(readonly failure: UpdateFailure) {}
}

/** Why the run's internal signal was aborted. */
type AbortWhy = { kind: 'cancelled' } | { kind: 'link-lost'; message: string };

/** Update one pack. Never throws for the pack's or the link's sake: the final snapshot says how it ended. */
export function updatePack(options: UpdatePackOptions): Promise<FinalSnapshot> {
  return new PackUpdate(options).run();
}

class PackUpdate {
  readonly #o: UpdatePackOptions;
  readonly #clock: Clock;
  readonly #timing: UpdateTiming;
  readonly #profile: BootloaderProfile;
  readonly #file: { name: string; bytes: Uint8Array };
  readonly #progress: ProgressModel;
  readonly #internal = new AbortController();
  #phase: UpdatePhase | null = null;
  #bytes = { sent: 0, total: 0, retries: 0 };
  #timeline: Partial<Record<UpdatePhase, number>> = {};
  #journalEntry: FlashJournalEntry | null = null;
  #fromVersion: string | null = null;
  #warnings: string[] = [];
  #backupRef: BackupRef | null = null;

  constructor(options: UpdatePackOptions) {
    if (!options.backup && !options.resume)
      throw new TypeError('updatePack: a parameter backup is required unless resuming a pack in its bootloader');
    this.#o = options;
    this.#clock = options.bus.clock;
    this.#timing = { ...DEFAULT_TIMING, ...options.timing };
    this.#profile = options.profile ?? ymodemProfile;
    this.#file = this.#profile.wireFile(options.plan.image, options.plan.fileName);
    this.#bytes.total = this.#file.bytes.length;
    const estimate = this.#profile.estimate(this.#file.bytes.length, options.bus.transport.timing);
    const weights = phaseWeights(estimate, { check_ms: CHECK_ESTIMATE_MS, backup_ms: options.backup?.estimate_ms ?? BACKUP_ESTIMATE_MS });
    this.#progress = new ProgressModel(weights, this.#clock.now(), options.resume ? ['check', 'backup'] : []);
  }

  get #signal(): AbortSignal {
    return this.#internal.signal;
  }

  async run(): Promise<FinalSnapshot> {
    const o = this.#o;
    const release = o.guard?.hold(`pack ${o.address}`);
    const onUserAbort = () => this.#abort({ kind: 'cancelled' });
    if (o.signal?.aborted) onUserAbort();
    o.signal?.addEventListener('abort', onUserAbort, { once: true });
    const unsubscribe = o.bus.transport.onStatus((s) => {
      if (s.state === 'lost' || s.state === 'closed') this.#abort({ kind: 'link-lost', message: s.message ?? `The link is ${s.state}.` });
    });
    try {
      return await o.bus.exclusive((bus) => this.#inLease(bus), { signal: o.signal });
    } catch (e) {
      if (e instanceof Stop) return this.#final(e.failure);
      // exclusive() itself refused: cancelled while queued, or the client is closed.
      const reason: UpdateFailureReason = o.signal?.aborted ? 'cancelled' : 'link-lost';
      return this.#final({
        reason,
        message: e instanceof Error ? e.message : String(e),
        failedIn: 'check',
        packState: 'untouched',
        reportedVersion: null,
        recoverable: false,
        cause: e
      });
    } finally {
      unsubscribe();
      o.signal?.removeEventListener('abort', onUserAbort);
      release?.();
    }
  }

  #abort(why: AbortWhy): void {
    if (!this.#internal.signal.aborted) this.#internal.abort(why);
  }

  get #abortWhy(): AbortWhy | null {
    return this.#signal.aborted ? (this.#signal.reason as AbortWhy) : null;
  }

  // ---- the run, inside the lease ----

  async #inLease(bus: BusLease): Promise<FinalSnapshot> {
    const o = this.#o;
    let identity: PackIdentity;
    if (o.resume) {
      identity = o.resume.identity;
      this.#fromVersion = o.resume.fromVersion;
      this.#checkFits(identity, 'enter');
      this.#journalEntry = o.resume.journalEntry ?? null;
      if (!this.#journalEntry) await this.#beginJournal(identity);
    } else {
      this.#emit('check', 0);
      identity = await this.#readIdentity(bus);
      this.#fromVersion = identity.firmwareVersion ?? null;
      this.#checkFits(identity, 'check');
      this.#emit('backup', 0);
      this.#backupRef = await this.#takeBackup(bus, identity);
      this.#emit('enter', 0, { waitingForBootloader: false });
      await this.#beginJournal(identity);
      await this.#enter(bus);
    }
    this.#emit('enter', 0.5, { waitingForBootloader: true });

    const io = leaseByteIo(bus, this.#clock);
    let stage: TransferStage = 'waiting';
    let block = 0;
    try {
      await this.#profile.transfer(io, this.#file, {
        clock: this.#clock,
        timing: this.#o.bus.transport.timing,
        signal: this.#signal,
        startTimeout_ms: this.#timing.entryTimeout_ms,
        maxAttempts: this.#timing.blockAttempts,
        onProgress: (p) => {
          if (p.stage === 'sending' && stage === 'waiting') void this.#journal({ stage: 'transferring' });
          stage = p.stage;
          block = p.block;
          this.#onTransferProgress(p);
        }
      });
    } catch (e) {
      // Awaited here, so the io is still open while the failure is settled.
      return await this.#afterTransferFailure(e, io, bus, stage, block);
    } finally {
      io.close();
    }
    await this.#journal({ stage: 'committed' });
    return this.#confirmReboot(bus);
  }

  async #readIdentity(bus: BusLease): Promise<PackIdentity> {
    const adr = this.#o.address;
    const c1 = await bus.exchange(readSoftwareVersion, adr, {}, { signal: this.#signal });
    if (!c1.ok) {
      const why = this.#abortWhy;
      throw new Stop(
        this.#failure(
          why ? (why.kind === 'cancelled' ? 'cancelled' : 'link-lost') : 'unreadable',
          'check',
          'untouched',
          `The pack did not tell its version (C1H): ${c1.error.message}`,
          {
            cause: c1.error
          }
        )
      );
    }
    // C2H adds the serial (a cross-check of the board); the update does not depend on it.
    const c2 = await bus.exchange(readProductInfo, adr, {}, { signal: this.#signal, retries: 1 });
    if (!c2.ok && this.#signal.aborted) throw new Stop(this.#stoppedBeforeEntry('check'));
    return identityFromReplies(c1.value, c2.ok ? c2.value : null);
  }

  #checkFits(identity: PackIdentity, phase: RunningPhase): void {
    const fit = checkCompatibility(this.#o.plan.image, identity);
    if (!fit.ok)
      throw new Stop(
        this.#failure('incompatible', phase, phase === 'check' ? 'untouched' : 'in-bootloader', fit.error.message, { cause: fit.error })
      );
    this.#warnings.push(...fit.warnings);
  }

  async #takeBackup(bus: BusLease, identity: PackIdentity): Promise<BackupRef> {
    try {
      return await this.#o.backup!.snapshot({ address: this.#o.address, identity, bus, signal: this.#signal, reason: 'firmware-update' });
    } catch (e) {
      if (this.#signal.aborted) throw new Stop(this.#stoppedBeforeEntry('backup'));
      const why = e instanceof Error ? e.message : String(e);
      throw new Stop(
        this.#failure('backup-failed', 'backup', 'untouched', `The parameters could not be backed up, so the update did not start: ${why}`, {
          cause: e
        })
      );
    }
  }

  #stoppedBeforeEntry(phase: RunningPhase): UpdateFailure {
    const why = this.#abortWhy;
    if (why?.kind === 'link-lost') return this.#failure('link-lost', phase, 'untouched', `${why.message} The update did not start.`);
    return this.#failure('cancelled', phase, 'untouched', 'Cancelled before the pack was touched.');
  }

  async #enter(bus: BusLease): Promise<void> {
    if (this.#signal.aborted) throw new Stop(this.#stoppedBeforeEntry('enter'));
    const restore = this.#o.restore ?? NO_RESTORE;
    // No retry: a pack that took FF 50 and lost only its reply is already in its bootloader, and
    // the bootloader's 'C' (not a second FF 50) is what tells.
    const r = await bus.exchange(enterFirmwareUpgrade, this.#o.address, { restore }, { signal: this.#signal, retries: 0 });
    if (r.ok) return;
    if (r.error.kind === 'write-refused') {
      // Nothing left: the app's own guard stopped FF 50 (installer mode locked, read-only session).
      await this.#journalFinish();
      throw new Stop(this.#failure('write-refused', 'enter', 'untouched', r.error.message, { cause: r.error }));
    }
    if (r.error.kind === 'rtn' || r.error.kind === 'unsupported') {
      await this.#journalFinish();
      throw new Stop(
        this.#failure('entry-refused', 'enter', 'untouched', `The pack refused to enter its bootloader: ${r.error.message}`, { cause: r.error })
      );
    }
    // Timeout or corrupted reply: the pack may be in its bootloader anyway; its 'C' decides.
  }

  #onTransferProgress(p: TransferProgress): void {
    this.#bytes = { sent: p.bytesSent, total: p.bytesTotal, retries: p.retries };
    const now = this.#clock.now();
    switch (p.stage) {
      case 'waiting':
        return;
      case 'sending':
        this.#progress.sample(now, p.bytesSent);
        this.#emit('transfer', p.bytesTotal > 0 ? p.bytesSent / p.bytesTotal : 1, { block: p.block, blocks: p.blocks });
        return;
      case 'verifying':
        this.#emit('verify', 0);
        return;
      case 'closing':
        this.#emit('reboot', 0, { waited_ms: 0 });
        return;
    }
  }

  // ---- after the image was accepted ----

  async #confirmReboot(bus: BusLease): Promise<FinalSnapshot> {
    if (this.#phase !== 'reboot') this.#emit('reboot', 0, { waited_ms: 0 });
    const started = this.#timeline.reboot ?? this.#clock.now();
    const deadline = started + this.#timing.rebootTimeout_ms;
    const target = this.#o.plan.targetVersion;
    while (this.#clock.now() < deadline && !this.#signal.aborted) {
      const r = await bus.exchange(readSoftwareVersion, this.#o.address, {}, { retries: 0, signal: this.#signal });
      if (r.ok) {
        const version = parsePackVersion(r.value.version).firmwareVersion;
        if (sameFirmwareVersion(version, target)) return this.#done(r.value.version);
        await this.#journal({ outcome: 'unexpected-version' });
        throw new Stop(
          this.#failure(
            'version-mismatch',
            'reboot',
            'unexpected-version',
            `The pack restarted but reports ${r.value.version}, not version ${target}.`,
            {
              reportedVersion: r.value.version,
              recoverable: false
            }
          )
        );
      }
      const waited_ms = this.#clock.now() - started;
      this.#emit('reboot', waited_ms / Math.max(1, this.#progressRebootEstimate()), { waited_ms });
      await sleep(this.#clock, this.#timing.pollInterval_ms, this.#signal).catch(() => undefined);
    }
    await this.#journal({ outcome: 'new-firmware-unconfirmed' });
    const why = this.#abortWhy;
    const reason: UpdateFailureReason = why ? (why.kind === 'cancelled' ? 'cancelled' : 'link-lost') : 'no-reboot';
    const message =
      reason === 'no-reboot'
        ? `The bootloader accepted version ${target}, but the pack did not answer within ${Math.round(this.#timing.rebootTimeout_ms / 1000)} s.`
        : `The bootloader accepted version ${target}; the wait for the pack to answer was ${reason === 'cancelled' ? 'cancelled' : 'cut off by the lost link'}.`;
    throw new Stop(this.#failure(reason, 'reboot', 'new-firmware-unconfirmed', message, { recoverable: false }));
  }

  #progressRebootEstimate(): number {
    return this.#profile.estimate(this.#bytes.total, this.#o.bus.transport.timing).reboot_ms;
  }

  async #done(versionString: string): Promise<FinalSnapshot> {
    await this.#journalFinish();
    const now = this.#clock.now();
    this.#timeline.done = now;
    const result: UpdateResult = {
      fromVersion: this.#fromVersion,
      version: parsePackVersion(versionString).firmwareVersion ?? versionString,
      versionString,
      duration_ms: now - (this.#timeline.check ?? this.#timeline.enter ?? now),
      retries: this.#bytes.retries,
      backup: this.#backupRef,
      warnings: this.#warnings
    };
    const snapshot: FinalSnapshot = { ...this.#base('done', 1), cancellable: false, phase: 'done', result, timeline: { ...this.#timeline } };
    this.#publish(snapshot);
    return snapshot;
  }

  // ---- after a failed transfer ----

  async #afterTransferFailure(e: unknown, io: ByteIo, bus: BusLease, stage: TransferStage, block: number): Promise<FinalSnapshot> {
    if (e instanceof ProtocolError && e.kind === 'write-refused') {
      // The guard stopped our bytes after FF 50 (installer mode locked in the middle): nothing more
      // can be sent, not even the request to leave the bootloader, so where the pack is stays open.
      await this.#journal({ outcome: 'unknown' });
      const failedIn: RunningPhase = stage === 'waiting' ? 'enter' : stage === 'sending' ? 'transfer' : 'verify';
      return this.#final(
        this.#failure(
          'write-refused',
          failedIn,
          'unknown',
          `${e.message} The pack may be waiting in its bootloader: unlock and restart the update.`,
          {
            cause: e,
            recoverable: true
          }
        )
      );
    }
    if (!(e instanceof FirmwareError) && !(e instanceof TransportError)) throw e;
    const why = this.#abortWhy;
    const linkDown = why?.kind === 'link-lost' || e instanceof TransportError || this.#o.bus.transport.status.state !== 'open';
    const failedIn: RunningPhase = stage === 'waiting' ? 'enter' : stage === 'sending' ? 'transfer' : 'verify';
    const reason = classifyTransferFailure(e, { linkDown, cancelled: why?.kind === 'cancelled', stage, block });
    const message = linkDown && why?.kind === 'link-lost' ? `${why.message} ${e.message}` : e.message;

    if (linkDown) {
      await this.#journal({ outcome: 'unknown' });
      // Not the transfer's own words ("the pack keeps its old firmware"): with the link gone that
      // cannot be known, and on a single-bank pack it would be wrong.
      const lost = why?.kind === 'link-lost' ? why.message : e.message;
      const at = stage === 'sending' ? ` The transfer stopped at ${this.#bytes.sent} of ${this.#bytes.total} bytes.` : '';
      return this.#final(
        this.#failure(reason, failedIn, 'unknown', `${lost}${at} The pack is in its bootloader or back on its old firmware; reconnect to find out.`, {
          cause: e,
          recoverable: true
        })
      );
    }
    const state = await settleAfterFailure({
      bus,
      io,
      profile: this.#profile,
      clock: this.#clock,
      timing: this.#o.bus.transport.timing,
      address: this.#o.address,
      fromVersion: this.#fromVersion,
      neverStarted: stage === 'waiting',
      window_ms: this.#timing.fallback_ms,
      linkOpen: () => this.#o.bus.transport.status.state === 'open'
    });
    if (state.packState === 'untouched' || state.packState === 'old-firmware') await this.#journalFinish();
    else await this.#journal({ outcome: state.packState });
    return this.#final(this.#failure(reason, failedIn, state.packState, message, { cause: e, reportedVersion: state.reportedVersion }));
  }

  // ---- journal ----

  async #beginJournal(identity: PackIdentity): Promise<void> {
    const journal = this.#o.journal;
    if (!journal) return;
    const plan = this.#o.plan;
    this.#journalEntry = await journal.begin({
      address: this.#o.address,
      model: identity.model,
      board: identity.board ?? null,
      bmsSerial: identity.bmsSerial ?? null,
      fromVersion: this.#fromVersion,
      targetVersion: plan.targetVersion,
      imageSha256: plan.fileSha256,
      fileName: plan.fileName,
      profileId: this.#profile.id,
      startedAt_ms: (this.#o.now_ms ?? Date.now)()
    });
  }

  async #journal(change: Partial<Pick<FlashJournalEntry, 'stage' | 'outcome'>>): Promise<void> {
    if (this.#o.journal && this.#journalEntry) await this.#o.journal.update(this.#journalEntry.id, change);
  }

  async #journalFinish(): Promise<void> {
    if (this.#o.journal && this.#journalEntry) await this.#o.journal.finish(this.#journalEntry.id);
  }

  // ---- snapshots ----

  #failure(
    reason: UpdateFailureReason,
    failedIn: RunningPhase,
    packState: PackEndState,
    message: string,
    extra: { cause?: unknown; reportedVersion?: string | null; recoverable?: boolean } = {}
  ): UpdateFailure {
    return {
      reason,
      message,
      failedIn,
      packState,
      reportedVersion: extra.reportedVersion ?? null,
      recoverable: extra.recoverable ?? (packState === 'in-bootloader' || packState === 'unknown'),
      cause: extra.cause
    };
  }

  #final(failure: UpdateFailure): FinalSnapshot {
    this.#timeline.failed = this.#clock.now();
    const snapshot: FinalSnapshot = {
      ...this.#base(failure.failedIn, 0),
      cancellable: false,
      phase: 'failed',
      failure,
      timeline: { ...this.#timeline }
    };
    this.#publish(snapshot);
    return snapshot;
  }

  #base(phase: RunningPhase | 'done', within: number) {
    const o = this.#o;
    const cancellable = phase === 'check' || phase === 'backup' || phase === 'enter' || phase === 'transfer';
    return {
      address: o.address,
      targetVersion: o.plan.targetVersion,
      progress: this.#progress.at(phase, within, this.#clock.now(), this.#bytes),
      cancellable
    };
  }

  #emit(phase: 'check' | 'backup' | 'verify', within: number): void;
  #emit(phase: 'enter', within: number, extra: { waitingForBootloader: boolean }): void;
  #emit(phase: 'transfer', within: number, extra: { block: number; blocks: number }): void;
  #emit(phase: 'reboot', within: number, extra: { waited_ms: number }): void;
  #emit(phase: RunningPhase, within: number, extra: object = {}): void {
    if (this.#timeline[phase] === undefined) this.#timeline[phase] = this.#clock.now();
    const snapshot = { ...this.#base(phase, within), ...extra, phase, timeline: { ...this.#timeline } } as UpdateSnapshot;
    this.#publish(snapshot);
  }

  #publish(snapshot: UpdateSnapshot): void {
    if (!isValidTransition(this.#phase, snapshot.phase)) {
      throw new Error(`firmware update: ${snapshot.phase} cannot follow ${this.#phase ?? 'the start'}`);
    }
    this.#phase = snapshot.phase;
    this.#o.onSnapshot?.(snapshot);
  }
}

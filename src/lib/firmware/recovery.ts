// A pack left in its bootloader (the cable was pulled, the tab closed, the power cut mid-update,
// or the manual's forced-bootloader procedure was used) does not answer frames: it asks for an
// image with 'C' about once a second. On a freshly opened link, watchForBootloader() listens for
// that pattern for a few seconds (in parallel with discovery, whose failed 42H/90H the session
// sees at the same time). The journal then says which pack it was and which cached image its
// update used, so the update restarts from the cache, offline too.

import type { BusLease } from '../protocol/client';
import type { Clock } from '../time/clock';
import { loadCachedImage, type CachedImageMeta, type FirmwareCache } from './cache';
import { FirmwareError } from './errors';
import { parsePackVersion, type PackIdentity } from './identity';
import type { FlashJournal, FlashJournalEntry } from './journal';
import { preflight, type FlashPlan, type RawImageConfirmation } from './preflight';
import type { BootloaderProfile, BootloaderSighting } from './profile';
import { updatePack, type FinalSnapshot, type UpdatePackOptions } from './updater';
import { sameFirmwareVersion } from './version';

// The watch itself lives in its own small module, so the app can listen on every connect without
// loading the updater; re-exported here for the firmware layer's callers.
export { DEFAULT_LISTEN_MS, PENDING_LISTEN_MS, watchForBootloader } from './bootloader-watch';
import { PENDING_LISTEN_MS, watchForBootloader } from './bootloader-watch';

/**
 * watchForBootloader() with the client's bus lease held, so no poll goes out while it listens. A
 * bootloader that lost its host in mid-transfer takes every byte it hears as part of that transfer
 * and waits again only after abandonAfter_ms of silence: discovery's requests, sent in parallel,
 * kept the simulated one from ever asking within PENDING_LISTEN_MS (fault matrix:
 * unplug-mid-frame × firmware-transfer). Use this when the journal holds an unfinished update.
 */
export function listenForBootloader(
  client: { exclusive<T>(fn: (lease: BusLease) => Promise<T>, opts?: { signal?: AbortSignal }): Promise<T> },
  clock: Clock,
  options: { profile?: BootloaderProfile; listen_ms?: number; signal?: AbortSignal } = {}
): Promise<BootloaderSighting | null> {
  return client.exclusive((lease) => watchForBootloader(lease, clock, { listen_ms: PENDING_LISTEN_MS, ...options }), { signal: options.signal });
}

/** What the page can offer for a pack found in its bootloader. */
export interface RecoveryOffer {
  readonly sighting: BootloaderSighting;
  /** The interrupted update, when this browser started it; null after a forced entry or another device. */
  readonly entry: FlashJournalEntry | null;
  /** Its image in the cache; null when the journal has none or the image was removed. */
  readonly cached: CachedImageMeta | null;
}

/** Match a sighting with the newest unfinished update of the same profile, and its cached image. */
export async function findRecovery(sighting: BootloaderSighting, journal: FlashJournal, cache: FirmwareCache): Promise<RecoveryOffer> {
  const entry = (await journal.pending()).find((e) => e.profileId === sighting.profileId) ?? null;
  const cached = entry ? ((await cache.list()).find((m) => m.sha256 === entry.imageSha256) ?? null) : null;
  return { sighting, entry, cached };
}

/** The identity the journal recorded for the pack. */
export function identityFromJournal(entry: FlashJournalEntry): PackIdentity {
  return { model: entry.model, board: entry.board, firmwareVersion: entry.fromVersion, bmsSerial: entry.bmsSerial };
}

/**
 * The plan to restart an interrupted update: the cached file loaded again (SHA-256 checked) and
 * checked against the pack the journal describes. A raw file needs the expert confirmation again.
 * Throws FirmwareError ('not-cached', 'sha256', or the preflight's refusal).
 */
export async function planFromJournal(entry: FlashJournalEntry, cache: FirmwareCache, rawConfirmation?: RawImageConfirmation): Promise<FlashPlan> {
  const loaded = await loadCachedImage(cache, entry.imageSha256);
  const result = preflight(loaded, identityFromJournal(entry), { rawConfirmation });
  if (!result.ok) throw result.error;
  return result.plan;
}

export interface RecoverPackOptions extends Omit<UpdatePackOptions, 'backup' | 'resume' | 'restore'> {
  /** What the pack is: from the journal (identityFromJournal) or stated by the person. */
  identity: PackIdentity;
  /** The journal entry of the interrupted update, if any: it is finished or updated as the run ends. */
  journalEntry?: FlashJournalEntry;
}

/**
 * Send an image to a pack already waiting in its bootloader: no C1H, no backup (the application
 * is not running), no FF 50. The new version is confirmed after the reboot as in a normal update.
 */
export function recoverPack(options: RecoverPackOptions): Promise<FinalSnapshot> {
  const { identity, journalEntry, ...rest } = options;
  if (identity.model.trim() === '') {
    return Promise.reject(
      new FirmwareError('wrong-model', 'Say which pack model is in the bootloader before sending an image to it.', { field: 'model' })
    );
  }
  return updatePack({
    ...rest,
    backup: null,
    resume: { identity, fromVersion: journalEntry?.fromVersion ?? identity.firmwareVersion ?? null, journalEntry }
  });
}

export type JournalVerdict =
  /** The pack runs the version the update was for: it did happen. */
  | 'updated'
  /** The pack runs the version it had before: nothing changed. */
  | 'old-firmware'
  /** Another version: the entry stays for the person to look at. */
  | 'other';

/**
 * On a connect where the journalled pack answers C1H, settle its entry: a pack on the target or the
 * old version is fine, and the entry is closed.
 */
export async function reconcileJournal(journal: FlashJournal, entry: FlashJournalEntry, reportedVersion: string): Promise<JournalVerdict> {
  const version = parsePackVersion(reportedVersion).firmwareVersion;
  let verdict: JournalVerdict = 'other';
  if (sameFirmwareVersion(version, entry.targetVersion)) verdict = 'updated';
  else if (sameFirmwareVersion(version, entry.fromVersion)) verdict = 'old-firmware';
  if (verdict !== 'other') await journal.finish(entry.id);
  return verdict;
}

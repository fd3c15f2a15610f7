// The firmware layer's public surface, for session/ and the firmware page (through session/'s
// re-exports). Test support (flash-rig.ts, transfer-rig.ts) is not part of it.

export { FirmwareError, isFirmwareError, type FirmwareErrorKind } from './errors';
export { checkCompatibility, identityFromReplies, parsePackVersion, type PackIdentity, type Compatibility } from './identity';
export { DEFAULT_MAX_PAYLOAD_BYTES, type FirmwareImage } from './image';
export { loadFirmwareFile, type LoadedFirmware, type IdentifiedFirmware, type RawFirmware, type FirmwareFileFormat } from './load';
export { notesFor, type ImageManifest, type ReleaseNotes } from './manifest';
export { preflight, DEFAULT_MIN_PAYLOAD_BYTES, type FlashPlan, type Preflight, type RawImageConfirmation } from './preflight';
export { compareFirmwareVersions, sameFirmwareVersion } from './version';

export {
  parseCatalog,
  releasesFor,
  newestReleaseFor,
  type FirmwareCatalog,
  type CatalogRelease,
  type NewestRelease,
  type ApplicableRelease
} from './catalog';
export {
  syncCatalog,
  downloadRelease,
  DEFAULT_CATALOG_URL,
  type CatalogSyncResult,
  type CatalogSyncProgress,
  type ReleaseStatus,
  type ReleaseCacheState,
  type FetchLike
} from './catalog-sync';
export {
  MemoryFirmwareCache,
  addLocalFile,
  cacheUsage,
  loadCachedImage,
  type FirmwareCache,
  type CatalogCache,
  type CachedImageMeta,
  type CachedImage,
  type StoredCatalog
} from './cache';

export type { BootloaderProfile, BootloaderSighting, PhaseEstimate } from './profile';
export { ymodemProfile, YMODEM_PROFILE_ID } from './ymodem-profile';

export { updatePack, type UpdatePackOptions, type ExclusiveBus, type FinalSnapshot, type UpdateTiming } from './updater';
export {
  updateBank,
  type BankUpdateOptions,
  type BankUpdateSnapshot,
  type BankUpdateResult,
  type PackUpdateResult,
  type PackOutcome,
  type PackRow,
  type PackRowStatus
} from './bank-update';
export type {
  UpdateSnapshot,
  UpdatePhase,
  UpdateProgress,
  UpdateFailure,
  UpdateFailureReason,
  UpdateResult,
  PackEndState,
  RunningPhase
} from './update-state';
export { RUNNING_PHASES } from './update-state';
export { FlashGuard, type ParameterBackup, type BackupRequest, type BackupRef } from './hooks';
export { StorageFlashJournal, MemoryStorage, type FlashJournal, type FlashJournalEntry, type StorageLike } from './journal';
export {
  DEFAULT_LISTEN_MS,
  PENDING_LISTEN_MS,
  watchForBootloader,
  listenForBootloader,
  findRecovery,
  planFromJournal,
  recoverPack,
  reconcileJournal,
  identityFromJournal,
  type RecoveryOffer,
  type JournalVerdict
} from './recovery';
export {
  UPGRADE_RESTORE_OPTIONS,
  DEFAULT_RESTORE,
  FORCED_BOOTLOADER_STEPS,
  MANUAL_SECTION_TITLES,
  PHASE_MESSAGES,
  FAILURE_MESSAGES,
  PACK_STATE_MESSAGES,
  ERROR_MESSAGES,
  type FirmwareMessageKey,
  type ManualStep,
  type ManualSection,
  type RestoreOption,
  type UpgradeRestoreSelection
} from './guidance';

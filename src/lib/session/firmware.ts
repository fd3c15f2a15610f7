// What the firmware page and the app-wide notice need from the firmware layer, re-exported here so
// routes/ and ui/ talk to session/ only (design.md's arrows).

export type {
  BackupRef,
  CachedImageMeta,
  CatalogRelease,
  CatalogSyncResult,
  FirmwareErrorKind,
  FirmwareFileFormat,
  ManualSection,
  ManualStep,
  NewestRelease,
  PackEndState,
  PackIdentity,
  PackRow,
  PackRowStatus,
  RawImageConfirmation,
  ReleaseCacheState,
  ReleaseNotes,
  ReleaseStatus,
  RestoreOption,
  RunningPhase,
  UpdateFailure,
  UpdateFailureReason,
  UpdatePhase,
  UpdateProgress,
  UpdateSnapshot,
  UpgradeRestoreSelection
} from '$lib/firmware';
export {
  DEFAULT_RESTORE,
  ERROR_MESSAGES,
  FAILURE_MESSAGES,
  FORCED_BOOTLOADER_STEPS,
  FirmwareError,
  MANUAL_SECTION_TITLES,
  PACK_STATE_MESSAGES,
  PHASE_MESSAGES,
  RUNNING_PHASES,
  UPGRADE_RESTORE_OPTIONS,
  notesFor
} from '$lib/firmware';
export {
  firmwareFeature,
  firmwareVersionOf,
  imageFits,
  type AfterUpdate,
  type Assessment,
  type CatalogState,
  type FirmwareFeature,
  type FirmwareRun,
  type PackFirmware,
  type PackFit
} from './firmware-feature.svelte';
export type { ParameterRestore } from './firmware-params';
export { firmwareWatch, type BootloaderFinding, type FirmwareWatch, type JournalSettlement, type WakeLockState } from './firmware-watch.svelte';

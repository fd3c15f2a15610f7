// The words the firmware page shows, as structured data with message keys (messages/firmware/*.json),
// so the page only renders: FF 50's restore bits as options with explanations (reference §15),
// the vendor manual's forced-bootloader procedure (section 8) as steps, and the keys for each
// update phase, failure reason and pack state. The firmware layer does not import the compiled
// messages (it runs in Node); the page looks each key up with `m[key]()`.

import type { UpgradeRestoreSelection } from '../protocol/commands/system';
import type { FirmwareErrorKind } from './errors';
import type { PackEndState, UpdateFailureReason, UpdatePhase } from './update-state';

export type { UpgradeRestoreSelection };

/** A key of messages/firmware/en.json. */
export type FirmwareMessageKey = `firmware_${string}`;

export interface RestoreOption {
  readonly key: keyof UpgradeRestoreSelection;
  /** Bit in FF 50's "recoverable parameter" byte. */
  readonly bit: number;
  readonly label: FirmwareMessageKey;
  readonly help: FirmwareMessageKey;
}

/** The four restore bits of FF 50 in bit order (V3.1 doc, reference §15). */
export const UPGRADE_RESTORE_OPTIONS: readonly RestoreOption[] = [
  { key: 'capacity', bit: 0, label: 'firmware_restore_capacity', help: 'firmware_restore_capacity_help' },
  { key: 'cellAndNtcCount', bit: 1, label: 'firmware_restore_cell_ntc_count', help: 'firmware_restore_cell_ntc_count_help' },
  { key: 'protectionParameters', bit: 2, label: 'firmware_restore_protection', help: 'firmware_restore_protection_help' },
  { key: 'protocol', bit: 3, label: 'firmware_restore_protocol', help: 'firmware_restore_protocol_help' }
];

/**
 * Nothing restored by default: the update changes the firmware and nothing else. The vendor's
 * manual restores the protection defaults afterwards; the page offers that (or the backup) once
 * the update is done, where the person sees what changes.
 */
export const DEFAULT_RESTORE: UpgradeRestoreSelection = { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false };

export type ManualSection = 'prepare' | 'open' | 'force' | 'update';

export interface ManualStep {
  readonly id: string;
  readonly section: ManualSection;
  readonly text: FirmwareMessageKey;
  /** A warning shown with the step. */
  readonly caution?: FirmwareMessageKey;
  /** Where it comes from: the vendor manual's step, or our own safety addition. */
  readonly source: 'manual 8.1' | 'manual 8.2' | 'safety';
}

export const MANUAL_SECTION_TITLES: Readonly<Record<ManualSection, FirmwareMessageKey>> = {
  prepare: 'firmware_forced_section_prepare',
  open: 'firmware_forced_section_open',
  force: 'firmware_forced_section_force',
  update: 'firmware_forced_section_update'
};

/** The vendor manual's "firmware update change plate brick processing method", step by step. */
export const FORCED_BOOTLOADER_STEPS: readonly ManualStep[] = [
  { id: 'power-off', section: 'prepare', text: 'firmware_forced_step_power_off', caution: 'firmware_forced_caution_power', source: 'safety' },
  { id: 'cover', section: 'open', text: 'firmware_forced_step_cover', source: 'manual 8.1' },
  { id: 'front-panel', section: 'open', text: 'firmware_forced_step_front_panel', source: 'manual 8.1' },
  { id: 'tools', section: 'open', text: 'firmware_forced_step_tools', source: 'manual 8.1' },
  { id: 'short-dio', section: 'force', text: 'firmware_forced_step_short_dio', source: 'manual 8.2' },
  { id: 'indicator', section: 'force', text: 'firmware_forced_step_indicator', source: 'manual 8.2' },
  { id: 'connect', section: 'update', text: 'firmware_forced_step_connect', caution: 'firmware_forced_caution_model', source: 'manual 8.2' }
];

export const PHASE_MESSAGES: Readonly<Record<UpdatePhase, FirmwareMessageKey>> = {
  check: 'firmware_phase_check',
  backup: 'firmware_phase_backup',
  enter: 'firmware_phase_enter',
  transfer: 'firmware_phase_transfer',
  verify: 'firmware_phase_verify',
  reboot: 'firmware_phase_reboot',
  done: 'firmware_phase_done',
  failed: 'firmware_phase_failed'
};

export const FAILURE_MESSAGES: Readonly<Record<UpdateFailureReason, FirmwareMessageKey>> = {
  incompatible: 'firmware_failure_incompatible',
  unreadable: 'firmware_failure_unreadable',
  'backup-failed': 'firmware_failure_backup_failed',
  'entry-refused': 'firmware_failure_entry_refused',
  'bootloader-silent': 'firmware_failure_bootloader_silent',
  'link-errors': 'firmware_failure_link_errors',
  'link-lost': 'firmware_failure_link_lost',
  'refused-by-bootloader': 'firmware_failure_refused_by_bootloader',
  cancelled: 'firmware_failure_cancelled',
  'no-reboot': 'firmware_failure_no_reboot',
  'version-mismatch': 'firmware_failure_version_mismatch',
  'write-refused': 'firmware_failure_write_refused'
};

/** firmware_pack_unexpected_version takes {version}. */
export const PACK_STATE_MESSAGES: Readonly<Record<PackEndState, FirmwareMessageKey>> = {
  untouched: 'firmware_pack_untouched',
  'old-firmware': 'firmware_pack_old_firmware',
  'new-firmware-unconfirmed': 'firmware_pack_new_firmware_unconfirmed',
  'unexpected-version': 'firmware_pack_unexpected_version',
  'in-bootloader': 'firmware_pack_in_bootloader',
  unknown: 'firmware_pack_unknown'
};

/**
 * One sentence per FirmwareError kind, in the person's language; the error's own message (English,
 * with the field and values) goes beside it as the detail.
 */
export const ERROR_MESSAGES: Readonly<Record<FirmwareErrorKind, FirmwareMessageKey>> = {
  'bad-magic': 'firmware_error_bad_magic',
  truncated: 'firmware_error_truncated',
  crc: 'firmware_error_crc',
  'unsupported-header': 'firmware_error_unsupported_header',
  'too-large': 'firmware_error_too_large',
  'wrong-model': 'firmware_error_wrong_model',
  'too-small': 'firmware_error_too_small',
  'unknown-format': 'firmware_error_unknown_format',
  hex: 'firmware_error_hex',
  manifest: 'firmware_error_manifest',
  sha256: 'firmware_error_sha256',
  'needs-confirmation': 'firmware_error_needs_confirmation',
  catalog: 'firmware_error_catalog',
  download: 'firmware_error_download',
  'not-cached': 'firmware_error_not_cached',
  timeout: 'firmware_error_timeout',
  cancelled: 'firmware_error_cancelled',
  'nak-limit': 'firmware_error_nak_limit',
  'aborted-by-device': 'firmware_error_aborted_by_device'
};

// The firmware page's words for the engine's states, as static tables of message functions (so the
// bundler keeps only the messages this page uses), plus the number formats it shows. A unit test
// holds each table against the firmware layer's own key tables (guidance.ts).

import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import type {
  FirmwareErrorKind,
  FirmwareFileFormat,
  ManualSection,
  PackEndState,
  PackRowStatus,
  ReleaseCacheState,
  UpdateFailureReason,
  UpdatePhase,
  UpgradeRestoreSelection
} from '$lib/session/firmware';

export const PHASE_TEXT: Readonly<Record<UpdatePhase, () => string>> = {
  check: m.firmware_phase_check,
  backup: m.firmware_phase_backup,
  enter: m.firmware_phase_enter,
  transfer: m.firmware_phase_transfer,
  verify: m.firmware_phase_verify,
  reboot: m.firmware_phase_reboot,
  done: m.firmware_phase_done,
  failed: m.firmware_phase_failed
};

export const FAILURE_TEXT: Readonly<Record<UpdateFailureReason, () => string>> = {
  incompatible: m.firmware_failure_incompatible,
  unreadable: m.firmware_failure_unreadable,
  'backup-failed': m.firmware_failure_backup_failed,
  'entry-refused': m.firmware_failure_entry_refused,
  'bootloader-silent': m.firmware_failure_bootloader_silent,
  'link-errors': m.firmware_failure_link_errors,
  'link-lost': m.firmware_failure_link_lost,
  'refused-by-bootloader': m.firmware_failure_refused_by_bootloader,
  cancelled: m.firmware_failure_cancelled,
  'no-reboot': m.firmware_failure_no_reboot,
  'version-mismatch': m.firmware_failure_version_mismatch,
  'write-refused': m.firmware_failure_write_refused
};

export function packStateText(state: PackEndState, version: string | null): string {
  switch (state) {
    case 'untouched':
      return m.firmware_pack_untouched();
    case 'old-firmware':
      return m.firmware_pack_old_firmware();
    case 'new-firmware-unconfirmed':
      return m.firmware_pack_new_firmware_unconfirmed();
    case 'unexpected-version':
      return m.firmware_pack_unexpected_version({ version: version ?? '?' });
    case 'in-bootloader':
      return m.firmware_pack_in_bootloader();
    case 'unknown':
      return m.firmware_pack_unknown();
  }
}

export const ERROR_TEXT: Readonly<Record<FirmwareErrorKind, () => string>> = {
  'bad-magic': m.firmware_error_bad_magic,
  truncated: m.firmware_error_truncated,
  crc: m.firmware_error_crc,
  'unsupported-header': m.firmware_error_unsupported_header,
  'too-large': m.firmware_error_too_large,
  'wrong-model': m.firmware_error_wrong_model,
  'too-small': m.firmware_error_too_small,
  'unknown-format': m.firmware_error_unknown_format,
  hex: m.firmware_error_hex,
  manifest: m.firmware_error_manifest,
  sha256: m.firmware_error_sha256,
  'needs-confirmation': m.firmware_error_needs_confirmation,
  catalog: m.firmware_error_catalog,
  download: m.firmware_error_download,
  'not-cached': m.firmware_error_not_cached,
  timeout: m.firmware_error_timeout,
  cancelled: m.firmware_error_cancelled,
  'nak-limit': m.firmware_error_nak_limit,
  'aborted-by-device': m.firmware_error_aborted_by_device
};

export const RESTORE_TEXT: Readonly<Record<keyof UpgradeRestoreSelection, { label: () => string; help: () => string }>> = {
  capacity: { label: m.firmware_restore_capacity, help: m.firmware_restore_capacity_help },
  cellAndNtcCount: { label: m.firmware_restore_cell_ntc_count, help: m.firmware_restore_cell_ntc_count_help },
  protectionParameters: { label: m.firmware_restore_protection, help: m.firmware_restore_protection_help },
  protocol: { label: m.firmware_restore_protocol, help: m.firmware_restore_protocol_help }
};

export const SECTION_TEXT: Readonly<Record<ManualSection, () => string>> = {
  prepare: m.firmware_forced_section_prepare,
  open: m.firmware_forced_section_open,
  force: m.firmware_forced_section_force,
  update: m.firmware_forced_section_update
};

/** The manual's steps' words, by step id (guidance.ts FORCED_BOOTLOADER_STEPS). */
export const STEP_TEXT: Readonly<Record<string, { text: () => string; caution?: () => string }>> = {
  'power-off': { text: m.firmware_forced_step_power_off, caution: m.firmware_forced_caution_power },
  cover: { text: m.firmware_forced_step_cover },
  'front-panel': { text: m.firmware_forced_step_front_panel },
  tools: { text: m.firmware_forced_step_tools },
  'short-dio': { text: m.firmware_forced_step_short_dio },
  indicator: { text: m.firmware_forced_step_indicator },
  connect: { text: m.firmware_forced_step_connect, caution: m.firmware_forced_caution_model }
};

export const FORMAT_TEXT: Readonly<Record<FirmwareFileFormat, () => string>> = {
  package: m.firmware_format_package,
  container: m.firmware_format_container,
  'intel-hex': m.firmware_format_intel_hex,
  binary: m.firmware_format_binary
};

export const RELEASE_STATE_TEXT: Readonly<Record<ReleaseCacheState, () => string>> = {
  cached: m.firmware_release_cached,
  downloaded: m.firmware_release_downloaded,
  missing: m.firmware_release_missing,
  failed: m.firmware_release_failed,
  skipped: m.firmware_release_skipped
};

export function rowText(status: PackRowStatus, version: string | null): string {
  switch (status) {
    case 'waiting':
      return m.firmware_row_waiting();
    case 'checking':
      return m.firmware_row_checking();
    case 'running':
      return m.firmware_row_running();
    case 'updated':
      return m.firmware_row_updated({ version: version ?? '?' });
    case 'already-current':
      return m.firmware_row_already_current({ version: version ?? '?' });
    case 'incompatible':
      return m.firmware_row_incompatible();
    case 'unreachable':
      return m.firmware_row_unreachable();
    case 'failed':
      return m.firmware_row_failed();
    case 'not-started':
      return m.firmware_row_not_started();
  }
}

/** "193.8 KiB", "1.2 MiB", "512 B". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toLocaleString(getLocale(), { maximumFractionDigits: value < 10 ? 2 : 1 })} ${units[unit]}`;
}

/** "45 s", "3 min 20 s". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const min = Math.floor(total / 60);
  const s = total % 60;
  return min > 0 ? m.firmware_duration_min({ min: String(min), s: String(s) }) : m.firmware_duration_s({ s: String(s) });
}

/** A wall-clock time for the person ("20 Nov 2025, 14:03"). */
export function formatWhen(ms: number): string {
  return new Date(ms).toLocaleString(getLocale(), { dateStyle: 'medium', timeStyle: 'short' });
}

// The checks before anything is sent: the file against the pack it is meant for. Model and board
// against C1H (and the C2H serial), payload size against the flash, checksums (already verified
// when the file was loaded). A mismatch is refused with its reason. The one way past the model
// check is the expert override, and only for a raw binary or HEX, which cannot name its model at
// all: the expert states the version and confirms, and the bytes go out in a container built for
// this pack (the bootloader receives containers, ymodem-profile.ts).

import { FirmwareError } from './errors';
import { checkCompatibility, type PackIdentity } from './identity';
import { DEFAULT_MAX_PAYLOAD_BYTES, buildFirmwareImage, parseFirmwareImage, type FirmwareImage } from './image';
import type { LoadedFirmware } from './load';

/** Smallest payload that can be a pack's application; smaller is an empty or placeholder file. */
export const DEFAULT_MIN_PAYLOAD_BYTES = 1024;

/**
 * The expert override for a raw binary or HEX: the person confirms they know the bytes are for
 * this pack and says which version they are, so the version check after the reboot still works.
 */
export interface RawImageConfirmation {
  readonly confirmed: true;
  /** The version the pack will report after the update (C1H's last part). */
  readonly version: string;
}

export interface PreflightOptions {
  /** Largest payload. Default DEFAULT_MAX_PAYLOAD_BYTES. */
  maxPayload_bytes?: number;
  /** Smallest payload. Default DEFAULT_MIN_PAYLOAD_BYTES. */
  minPayload_bytes?: number;
  /** Only for a raw file; ignored for one that names its model. */
  rawConfirmation?: RawImageConfirmation;
  /** Build time stamped into a container made for a raw file (Unix s). Default now. */
  now_s?: number;
}

/** What will be sent, to which kind of pack, and what the pack should report afterwards. */
export interface FlashPlan {
  /** The container the bootloader receives. */
  readonly image: FirmwareImage;
  readonly targetVersion: string;
  readonly fileName: string;
  /** The cache key of the file the plan came from: recovery finds the image again by it. */
  readonly fileSha256: string;
  readonly format: LoadedFirmware['format'];
  /** The expert override was used: model and version were not checked. */
  readonly override: boolean;
}

export type Preflight =
  { readonly ok: true; readonly plan: FlashPlan; readonly warnings: readonly string[] } | { readonly ok: false; readonly error: FirmwareError };

function refuse(error: FirmwareError): Preflight {
  return { ok: false, error };
}

function sizeProblem(length: number, min: number, max: number): FirmwareError | null {
  if (length > max) {
    return new FirmwareError(
      'too-large',
      `The firmware is ${length} bytes, more than the ${max} bytes of application flash: it is not for this pack.`,
      {
        field: 'payload length',
        found: String(length),
        expected: `at most ${max}`
      }
    );
  }
  if (length < min) {
    return new FirmwareError(
      'too-small',
      `The firmware is only ${length} bytes, less than any pack application (${min}): it is an empty or placeholder file.`,
      {
        field: 'payload length',
        found: String(length),
        expected: `at least ${min}`
      }
    );
  }
  return null;
}

/** May `file` be sent to the pack `pack` describes? */
export function preflight(file: LoadedFirmware, pack: PackIdentity, options: PreflightOptions = {}): Preflight {
  const max = options.maxPayload_bytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const min = options.minPayload_bytes ?? DEFAULT_MIN_PAYLOAD_BYTES;
  if (pack.model.trim() === '') {
    return refuse(
      new FirmwareError('wrong-model', 'The pack did not say which model it is (C1H), so no image can be checked against it. Read the pack again.', {
        field: 'model'
      })
    );
  }
  if (file.kind === 'identified') {
    const fit = checkCompatibility(file.image, pack);
    if (!fit.ok) return refuse(fit.error);
    const size = sizeProblem(file.image.payload.length, min, max);
    if (size) return refuse(size);
    return {
      ok: true,
      plan: {
        image: file.image,
        targetVersion: file.image.firmwareVersion,
        fileName: file.fileName,
        fileSha256: file.fileSha256,
        format: file.format,
        override: false
      },
      warnings: fit.warnings
    };
  }

  const size = sizeProblem(file.payload.length, min, max);
  if (size) return refuse(size);
  const confirmation = options.rawConfirmation;
  const what = file.format === 'intel-hex' ? 'This Intel HEX file' : 'This binary';
  if (!confirmation || confirmation.confirmed !== true) {
    return refuse(
      new FirmwareError(
        'needs-confirmation',
        `${what} does not say which pack model or version it is for, so it cannot be checked. Only an expert who knows it is right for a ${pack.model} may send it, with the explicit confirmation.`,
        { field: 'model' }
      )
    );
  }
  const version = confirmation.version.trim();
  if (!/^[\x21-\x7e][\x20-\x7e]{0,15}$/.test(version)) {
    return refuse(
      new FirmwareError(
        'needs-confirmation',
        `The version "${confirmation.version}" must be 1 to 16 printable ASCII characters, as the pack reports it.`,
        {
          field: 'version',
          found: confirmation.version
        }
      )
    );
  }
  const board = pack.board?.trim();
  const container = buildFirmwareImage(
    {
      model: pack.model.trim(),
      hardwareCompat: board ? board : '*',
      firmwareVersion: version,
      builtAt_s: options.now_s ?? Math.floor(Date.now() / 1000)
    },
    file.payload
  );
  const warnings = [
    `Expert override: ${what.toLowerCase()} was not checked against the pack's model or hardware; it is sent as version ${version} for a ${pack.model}${board ? ` board ${board}` : ''}.`
  ];
  if (file.baseAddress !== null)
    warnings.push(
      `The HEX data starts at address 0x${file.baseAddress.toString(16).toUpperCase()}; the bootloader writes it where its application starts.`
    );
  return {
    ok: true,
    plan: {
      image: parseFirmwareImage(container, { maxPayload_bytes: max }),
      targetVersion: version,
      fileName: file.fileName,
      fileSha256: file.fileSha256,
      format: file.format,
      override: true
    },
    warnings
  };
}

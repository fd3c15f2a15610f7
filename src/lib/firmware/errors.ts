// Errors of the firmware layer: one class, a closed `kind`, a message a person can act on, and the
// field / value details a UI can show without parsing the message.

export type FirmwareErrorKind =
  // Image file (image.ts): raised before the pack is touched.
  /** The file does not start with our container's magic: a different file was chosen. */
  | 'bad-magic'
  /** The file ends before its header or payload does: an interrupted download or copy. */
  | 'truncated'
  /** A CRC-32 (header or payload) does not match: the file was corrupted. */
  | 'crc'
  /** A header version or layout this code does not know (made by a newer tool). */
  | 'unsupported-header'
  /** The payload is larger than the pack's flash, or the file longer than its header says. */
  | 'too-large'
  /** The image is built for another pack model or hardware revision. */
  | 'wrong-model'
  /** The payload is too small to be a pack's firmware (an empty or placeholder file). */
  | 'too-small'
  /** The file is none of the accepted formats and plainly not firmware (ZIP, HTML, ELF, JSON...). */
  | 'unknown-format'
  /** An Intel HEX file that does not parse, or whose data cannot form one application image. */
  | 'hex'
  /** A package manifest that is invalid, or that disagrees with the image it carries. */
  | 'manifest'
  /** The SHA-256 of the bytes is not the one published for them: damaged or replaced. */
  | 'sha256'
  /** A raw binary carries no model or version: it needs the expert's explicit confirmation. */
  | 'needs-confirmation'
  // Catalog and cache (catalog.ts, catalog-sync.ts).
  /** The catalog JSON is not valid; `field` names the path ("releases[2].sha256"). */
  | 'catalog'
  /** An image could not be downloaded (network, HTTP status). */
  | 'download'
  /** The image is not in the cache (never downloaded, or removed). */
  | 'not-cached'
  // Transfer (ymodem.ts).
  /** The bootloader did not answer in time (no 'C', no ACK). */
  | 'timeout'
  /** Our caller aborted; the bootloader was told with CAN CAN. */
  | 'cancelled'
  /** A block was refused (NAK) or went unanswered more times than the retry limit. */
  | 'nak-limit'
  /** The bootloader sent CAN CAN: it gave up on the transfer or refused the image. */
  | 'aborted-by-device';

export interface FirmwareErrorDetails {
  /** The header field or protocol step concerned: "magic", "payload CRC-32", "block 17". */
  field?: string;
  /** What was found, as text ("50 4B 03 04", "P15S100A"). */
  found?: string;
  /** What was required. */
  expected?: string;
  /** Byte offset in the file, where that helps. */
  offset?: number;
  cause?: unknown;
}

export class FirmwareError extends Error {
  readonly kind: FirmwareErrorKind;
  readonly field?: string;
  readonly found?: string;
  readonly expected?: string;
  readonly offset?: number;

  constructor(kind: FirmwareErrorKind, message: string, details: FirmwareErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FirmwareError';
    this.kind = kind;
    this.field = details.field;
    this.found = details.found;
    this.expected = details.expected;
    this.offset = details.offset;
  }
}

export function isFirmwareError(value: unknown, kind?: FirmwareErrorKind): value is FirmwareError {
  return value instanceof FirmwareError && (kind === undefined || value.kind === kind);
}

// Every failure of the storage layer becomes a StorageError with a `kind` a page can branch on and a
// sentence a person can act on. Browsers report a full disk under different names (Chrome and the
// spec: QuotaExceededError; older Firefox: NS_ERROR_DOM_QUOTA_REACHED, or NS_ERROR_FILE_NO_DEVICE_SPACE
// when the disk itself is full; very old engines only set the legacy code 22). Classification is by
// `name` and legacy `code`, never by message text, which differs between browsers and languages.

export type StorageErrorKind =
  /** The browser refused to store more (origin quota or disk full). Nothing already stored is lost. */
  | 'quota'
  /** The database on disk was written by a newer version of the app (schema newer than this code). */
  | 'version'
  /** Another tab holds an older version of the database open, so it cannot be upgraded yet. */
  | 'blocked'
  /** IndexedDB is not available (private mode in some browsers, blocked site data, no API at all). */
  | 'unavailable'
  /** The connection was closed: another tab upgraded the database, or the browser shut it. */
  | 'closed'
  /** Stored or supplied bytes do not match their checksum. */
  | 'integrity'
  /** A value handed to the storage layer is not acceptable (names the field). */
  | 'invalid'
  /** Anything else IndexedDB reported. */
  | 'failed';

export class StorageError extends Error {
  readonly kind: StorageErrorKind;
  constructor(kind: StorageErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.kind = kind;
  }
}

/** The `name` of a thrown value, if it has one (DOMException, Error, or a look-alike). */
export function errorName(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'name' in err) {
    const name = (err as { name: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return undefined;
}

function errorCode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

function errorText(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const message = (err as { message: unknown }).message;
    if (typeof message === 'string' && message.length > 0) return message;
  }
  return String(err);
}

const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED', 'NS_ERROR_FILE_NO_DEVICE_SPACE']);
/** DOMException.QUOTA_EXCEEDED_ERR (22) and Firefox's legacy NS_ERROR_DOM_QUOTA_REACHED code (1014). */
const QUOTA_CODES = new Set([22, 1014]);

/** True for every browser's way of saying "no more room". */
export function isQuotaError(err: unknown): boolean {
  if (err instanceof StorageError) return err.kind === 'quota';
  const name = errorName(err);
  if (name !== undefined && QUOTA_NAMES.has(name)) return true;
  const code = errorCode(err);
  return code !== undefined && QUOTA_CODES.has(code);
}

export const QUOTA_MESSAGE =
  'The browser has no more room for this app’s data (its storage quota is used up, or the disk is full). ' +
  'Everything stored before this point is kept. Free space by exporting and deleting old recordings, ' +
  'shortening the retention setting, or freeing disk space, then start again.';

/**
 * Turns anything IndexedDB (or idb) threw into a StorageError. `doing` names the operation for the
 * message ("saving telemetry"). A StorageError passes through unchanged.
 */
export function toStorageError(err: unknown, doing: string): StorageError {
  if (err instanceof StorageError) return err;
  if (isQuotaError(err)) return new StorageError('quota', QUOTA_MESSAGE, { cause: err });
  const name = errorName(err);
  switch (name) {
    case 'VersionError':
      return new StorageError(
        'version',
        'The data stored in this browser was written by a newer version of this app. Reload the page to get the newer ' +
          'version; this older one cannot read it and will not touch it.',
        { cause: err }
      );
    case 'InvalidStateError':
      return new StorageError('closed', `The database connection is closed (${doing}). Reload the page.`, { cause: err });
    case 'SecurityError':
      return new StorageError(
        'unavailable',
        'This browser does not allow the app to store data (site data is blocked, or a private window forbids it).',
        { cause: err }
      );
    case 'DataCloneError':
    case 'DataError':
      return new StorageError('invalid', `A value could not be stored (${doing}): ${errorText(err)}`, { cause: err });
    default:
      return new StorageError('failed', `Storage failed while ${doing}: ${name ? `${name}: ` : ''}${errorText(err)}`, { cause: err });
  }
}

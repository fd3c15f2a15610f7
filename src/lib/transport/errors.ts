// DOMExceptions from navigator.serial / navigator.bluetooth turned into TransportError kinds.
// Classification is by `name` (the spec's contract), never by message text, which differs between
// browsers, versions and languages. What a person should do about each kind is worded above this
// layer (session/advice.ts), from the kind and the link.

import { TransportError, type TransportErrorKind, type TransportKind } from './types';

/** The `name` of a thrown value, if it has one (DOMException, Error, or a look-alike). */
export function errorName(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'name' in err) {
    const name = (err as { name: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return undefined;
}

/** The message of a thrown value for logs and details. */
export function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const message = (err as { message: unknown }).message;
    if (typeof message === 'string' && message.length > 0) return message;
  }
  return String(err);
}

/**
 * Serial read errors after which the port is still usable: the stream errored, but
 * `port.readable` hands out a fresh one (WICG Serial §"readable" and the read error table).
 */
const RECOVERABLE_READ_ERRORS = new Set(['BufferOverrunError', 'FramingError', 'BreakError', 'ParityError']);

export function isRecoverableReadError(err: unknown): boolean {
  const name = errorName(err);
  return name !== undefined && RECOVERABLE_READ_ERRORS.has(name);
}

function make(kind: TransportErrorKind, link: TransportKind, message: string, cause: unknown): TransportError {
  return new TransportError(kind, message, { link, cause });
}

/** Anything already classified passes through unchanged. */
function passThrough(err: unknown): TransportError | undefined {
  return err instanceof TransportError ? err : undefined;
}

/** `navigator.serial.requestPort()` failed. */
export function classifySerialRequestError(err: unknown): TransportError {
  const known = passThrough(err);
  if (known) return known;
  switch (errorName(err)) {
    case 'NotFoundError':
      return make('picker-cancelled', 'serial', 'No serial port was chosen.', err);
    case 'SecurityError':
    case 'NotAllowedError':
      return make('permission', 'serial', 'The browser did not allow access to serial ports.', err);
    default:
      return make('unsupported', 'serial', `The serial port list could not be shown: ${errorMessage(err)}`, err);
  }
}

/** `port.open()` failed (after any retries). */
export function classifySerialOpenError(err: unknown): TransportError {
  const known = passThrough(err);
  if (known) return known;
  switch (errorName(err)) {
    case 'InvalidStateError':
      return make('busy', 'serial', 'The serial port is already open.', err);
    case 'NetworkError':
      // Chrome reports an OS-level open failure (port held by another process or tab) this way.
      return make('in-use', 'serial', 'The serial port could not be opened; another program or tab is probably using it.', err);
    case 'NotFoundError':
      return make('gone', 'serial', 'The serial port is no longer available.', err);
    case 'SecurityError':
    case 'NotAllowedError':
      return make('permission', 'serial', 'The browser did not allow opening this serial port.', err);
    default:
      return make('in-use', 'serial', `The serial port could not be opened: ${errorMessage(err)}`, err);
  }
}

/** `navigator.bluetooth.requestDevice()` failed. */
export function classifyBleRequestError(err: unknown): TransportError {
  const known = passThrough(err);
  if (known) return known;
  switch (errorName(err)) {
    case 'NotFoundError':
      // Also what Chrome throws without an adapter; BleTransport.request checks availability first.
      return make('picker-cancelled', 'ble', 'No Bluetooth device was chosen.', err);
    case 'SecurityError':
    case 'NotAllowedError':
      return make('permission', 'ble', 'The browser did not allow access to Bluetooth.', err);
    case 'NotSupportedError':
      return make('unsupported', 'ble', 'This browser cannot use Bluetooth devices.', err);
    default:
      return make('unsupported', 'ble', `The Bluetooth device list could not be shown: ${errorMessage(err)}`, err);
  }
}

/** GATT connect, discovery or subscription failed. */
export function classifyBleConnectError(err: unknown): TransportError {
  const known = passThrough(err);
  if (known) return known;
  switch (errorName(err)) {
    case 'NotFoundError':
    case 'NotSupportedError':
      return make('no-service', 'ble', 'The Bluetooth device does not offer a known serial service.', err);
    case 'SecurityError':
    case 'NotAllowedError':
      return make('permission', 'ble', 'The browser did not allow access to this Bluetooth device.', err);
    case 'InvalidStateError':
      return make('busy', 'ble', 'The Bluetooth connection was in the middle of another operation.', err);
    default:
      return make('gone', 'ble', `Could not connect to the Bluetooth device: ${errorMessage(err)}`, err);
  }
}

export function notOpenError(link: TransportKind, what: string): TransportError {
  return new TransportError('not-open', `${what} is not open.`, { link });
}

export function lostError(link: TransportKind, what: string): TransportError {
  return new TransportError('lost', `${what}: the connection was lost.`, { link });
}

export function writeFailedError(link: TransportKind, err: unknown): TransportError {
  return make('write-failed', link, `Sending failed: ${errorMessage(err)}`, err);
}

/**
 * An abort from the caller's signal, as a TransportError (the contract never throws DOMExceptions).
 * The kind says what state the abort left: an aborted open() is 'not-open', an aborted write() is
 * 'write-failed'. The signal's reason is the cause, so callers can still tell it was theirs.
 */
export function abortedError(signal: AbortSignal, link: TransportKind, kind: 'not-open' | 'write-failed', what: string): TransportError {
  return new TransportError(kind, `${what} was cancelled.`, { link, cause: signal.reason });
}

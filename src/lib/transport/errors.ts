// DOMExceptions from navigator.serial / navigator.bluetooth turned into TransportError kinds with
// advice a person can act on. Classification is by `name` (the spec's contract), never by message
// text, which differs between browsers, versions and languages.

import { TransportError, type TransportErrorKind } from './types';

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

export const ADVICE = {
  serialPicker:
    'If your cable is not listed: check it is plugged in, try another USB socket, install the driver for the ' +
    'adapter chip (CP210x, CH340, FTDI or Prolific), and on Linux add your user to the "dialout" group.',
  serialPermission:
    'The port list only opens from a click: press the button again. If it still fails, allow serial ports ' +
    'for this site in the browser settings (your administrator may have blocked them).',
  serialInUse:
    'Another program or browser tab is using this port. Close the vendor BMS tool, serial terminals and other ' +
    'tabs of this tool, then try again. If it keeps failing, unplug the USB cable and plug it back in.',
  serialBusy:
    'The port is still open from an earlier connection. Wait a moment and try again; if that fails, close ' +
    'other tabs of this tool or unplug and replug the cable.',
  serialGone: 'The USB adapter is no longer there. Plug the cable back in and connect again.',
  serialUnsupported: 'USB serial needs desktop Chrome or Edge (version 89 or newer), opened over https or localhost.',
  bleChooser:
    'If your pack is not listed: make sure its Bluetooth module is powered and close by, that no phone app is ' +
    'connected to it (modules accept one connection at a time), and that Bluetooth is on.',
  blePermission:
    'The device list only opens from a click: press the button again. If it still fails, allow Bluetooth for ' + 'this site in the browser settings.',
  bleUnavailable: 'Bluetooth is off or this computer has no Bluetooth adapter. Turn Bluetooth on and try again.',
  bleConnect: 'Could not connect. Move closer to the pack, make sure no phone app is connected to its Bluetooth module, ' + 'and try again.',
  bleNoService:
    'This device does not offer a serial (UART) service this tool knows (FFE0, FF00, Nordic UART or FFF0). ' +
    "It may not be the pack's Bluetooth module.",
  bleUnsupported:
    'Bluetooth needs Chrome or Edge on desktop or Android, opened over https or localhost. On Linux, enable ' +
    'chrome://flags/#enable-experimental-web-platform-features.',
  notOpen: 'Connect first.',
  lost: 'The connection was lost. Reconnect the cable or move closer to the pack, then connect again.',
  writeFailed: 'Sending failed. Check the connection and try again.'
} as const;

function make(kind: TransportErrorKind, message: string, advice: string, cause: unknown): TransportError {
  return new TransportError(kind, message, advice, { cause });
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
      return make('picker-cancelled', 'No serial port was chosen.', ADVICE.serialPicker, err);
    case 'SecurityError':
    case 'NotAllowedError':
      return make('permission', 'The browser did not allow access to serial ports.', ADVICE.serialPermission, err);
    default:
      return make('unsupported', `The serial port list could not be shown: ${errorMessage(err)}`, ADVICE.serialUnsupported, err);
  }
}

/** `port.open()` failed (after any retries). */
export function classifySerialOpenError(err: unknown): TransportError {
  const known = passThrough(err);
  if (known) return known;
  switch (errorName(err)) {
    case 'InvalidStateError':
      return make('busy', 'The serial port is already open.', ADVICE.serialBusy, err);
    case 'NetworkError':
      // Chrome reports an OS-level open failure (port held by another process or tab) this way.
      return make('in-use', 'The serial port could not be opened; another program or tab is probably using it.', ADVICE.serialInUse, err);
    case 'NotFoundError':
      return make('gone', 'The serial port is no longer available.', ADVICE.serialGone, err);
    case 'SecurityError':
    case 'NotAllowedError':
      return make('permission', 'The browser did not allow opening this serial port.', ADVICE.serialPermission, err);
    default:
      return make('in-use', `The serial port could not be opened: ${errorMessage(err)}`, ADVICE.serialInUse, err);
  }
}

/** `navigator.bluetooth.requestDevice()` failed. */
export function classifyBleRequestError(err: unknown): TransportError {
  const known = passThrough(err);
  if (known) return known;
  switch (errorName(err)) {
    case 'NotFoundError':
      // Also what Chrome throws without an adapter; BleTransport.request checks availability first.
      return make('picker-cancelled', 'No Bluetooth device was chosen.', ADVICE.bleChooser, err);
    case 'SecurityError':
    case 'NotAllowedError':
      return make('permission', 'The browser did not allow access to Bluetooth.', ADVICE.blePermission, err);
    case 'NotSupportedError':
      return make('unsupported', 'This browser cannot use Bluetooth devices.', ADVICE.bleUnsupported, err);
    default:
      return make('unsupported', `The Bluetooth device list could not be shown: ${errorMessage(err)}`, ADVICE.bleUnsupported, err);
  }
}

/** GATT connect, discovery or subscription failed. */
export function classifyBleConnectError(err: unknown): TransportError {
  const known = passThrough(err);
  if (known) return known;
  switch (errorName(err)) {
    case 'NotFoundError':
    case 'NotSupportedError':
      return make('no-service', 'The Bluetooth device does not offer a known serial service.', ADVICE.bleNoService, err);
    case 'SecurityError':
    case 'NotAllowedError':
      return make('permission', 'The browser did not allow access to this Bluetooth device.', ADVICE.blePermission, err);
    case 'InvalidStateError':
      return make('busy', 'The Bluetooth connection was in the middle of another operation.', ADVICE.bleConnect, err);
    default:
      return make('gone', `Could not connect to the Bluetooth device: ${errorMessage(err)}`, ADVICE.bleConnect, err);
  }
}

export function notOpenError(what: string): TransportError {
  return new TransportError('not-open', `${what} is not open.`, ADVICE.notOpen);
}

export function lostError(what: string): TransportError {
  return new TransportError('lost', `${what}: the connection was lost.`, ADVICE.lost);
}

export function writeFailedError(err: unknown): TransportError {
  return make('write-failed', `Sending failed: ${errorMessage(err)}`, ADVICE.writeFailed, err);
}

/**
 * An abort from the caller's signal, as a TransportError (the contract never throws DOMExceptions).
 * The kind says what state the abort left: an aborted open() is 'not-open', an aborted write() is
 * 'write-failed'. The signal's reason is the cause, so callers can still tell it was theirs.
 */
export function abortedError(signal: AbortSignal, kind: 'not-open' | 'write-failed', what: string): TransportError {
  return new TransportError(kind, `${what} was cancelled.`, '', { cause: signal.reason });
}

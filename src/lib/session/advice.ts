// What a person can do when a connection cannot be made, worded from what the layers below
// report: a TransportError's kind and link, or a bank that does not answer. The transports only
// say what happened; the words for people live here (and in support.ts, for the browser).

import { TransportError, type TransportErrorKind, type TransportKind } from '$lib/transport/types';

type AdviceTable = Partial<Record<TransportErrorKind, string>>;

const SERIAL: AdviceTable = {
  'picker-cancelled':
    'If your cable is not listed: check it is plugged in, try another USB socket, install the driver for the ' +
    'adapter chip (CP210x, CH340, FTDI or Prolific), and on Linux add your user to the "dialout" group.',
  permission:
    'The port list only opens from a click: press the button again. If it still fails, allow serial ports ' +
    'for this site in the browser settings (your administrator may have blocked them).',
  'in-use':
    'Another program or browser tab is using this port. Close the vendor BMS tool, serial terminals and other ' +
    'tabs of this tool, then try again. If it keeps failing, unplug the USB cable and plug it back in.',
  busy:
    'The port is still open from an earlier connection. Wait a moment and try again; if that fails, close ' +
    'other tabs of this tool or unplug and replug the cable.',
  gone: 'The USB adapter is no longer there. Plug the cable back in and connect again.',
  unsupported: 'USB serial needs desktop Chrome or Edge (version 89 or newer), opened over https or localhost.'
};

const BLE: AdviceTable = {
  'picker-cancelled':
    'If your pack is not listed: make sure its Bluetooth module is powered and close by, that no phone app is ' +
    'connected to it (modules accept one connection at a time), and that Bluetooth is on.',
  permission:
    'The device list only opens from a click: press the button again. If it still fails, allow Bluetooth for this site in the browser settings.',
  unavailable: 'Bluetooth is off or this computer has no Bluetooth adapter. Turn Bluetooth on and try again.',
  busy: 'Could not connect. Move closer to the pack, make sure no phone app is connected to its Bluetooth module, and try again.',
  gone: 'Could not connect. Move closer to the pack, make sure no phone app is connected to its Bluetooth module, and try again.',
  'no-service':
    'This device does not offer a serial (UART) service this tool knows (FFE0, FF00, Nordic UART or FFF0). ' +
    "It may not be the pack's Bluetooth module.",
  unsupported:
    'Bluetooth needs Chrome or Edge on desktop or Android, opened over https or localhost. On Linux, enable ' +
    'chrome://flags/#enable-experimental-web-platform-features.'
};

const SIM: AdviceTable = {
  gone: 'Plug it back in, then connect again.'
};

/** Whatever the link: the same advice. */
const ANY: AdviceTable = {
  'not-open': 'Connect first.',
  lost: 'The connection was lost. Reconnect the cable or move closer to the pack, then connect again.',
  'write-failed': 'Sending failed. Check the connection and try again.'
};

const BY_LINK: Record<TransportKind, AdviceTable> = { serial: SERIAL, ble: BLE, sim: SIM };

/** What to do about a failed transport operation; empty when there is nothing useful to say. */
export function transportAdvice(error: Pick<TransportError, 'kind' | 'link'>): string {
  const own = error.link ? BY_LINK[error.link][error.kind] : undefined;
  return own ?? ANY[error.kind] ?? '';
}

/** A connect that reached the device but found no bank that answers. */
export const NO_ANSWER_ADVICE =
  'Check that the cable is in the RS232 port (or host RS485 port) of the master pack and that the pack is on. ' +
  'On RS485, swap A and B. Under Advanced, set Baud rate and Protocol to Auto, or to what the pack is set to.';

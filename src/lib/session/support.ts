// Whether this browser can reach a pack at all, and if not what to do instead, for the connect
// page. transport/support.ts detects; the words for each reason live here. Kept apart from
// advice.ts so that only the connect page loads them.

import { detectBluetoothSupport, detectSerialSupport, type BrowserEnvironment, type LinkSupport, type SupportReason } from '$lib/transport/support';

export interface Support extends LinkSupport {
  /** One or two sentences for the connect page. Empty when available. */
  advice: string;
}

const INSECURE = 'The page must be opened over https (or from localhost) for the browser to allow USB and Bluetooth.';
const IOS =
  'iPhone and iPad browsers cannot talk to USB or Bluetooth devices. Use a laptop with Chrome or Edge, or an ' +
  'Android phone with Chrome. The demo bank works everywhere.';

const SERIAL_SUPPORT: Record<SupportReason, string> = {
  'insecure-context': INSECURE,
  ios: IOS,
  'mobile-no-usb': 'Phones and tablets cannot use a USB serial cable from the browser. Use a laptop with Chrome or Edge, or connect over Bluetooth.',
  'not-chromium': 'USB cables need Chrome or Edge on a desktop or laptop. This browser cannot open serial ports.',
  outdated: 'This browser version cannot open serial ports. Update Chrome or Edge (version 89 or newer).',
  'linux-flag-needed': ''
};

const BLE_SUPPORT: Record<SupportReason, string> = {
  'insecure-context': INSECURE,
  ios: IOS,
  'linux-flag-needed':
    'Chrome on Linux keeps Bluetooth behind a flag: open chrome://flags/#enable-experimental-web-platform-features, ' +
    'set it to Enabled, restart the browser and reload this page. A USB cable works without it.',
  'not-chromium': 'Bluetooth needs Chrome or Edge on Windows, macOS, ChromeOS or Android. This browser cannot use Bluetooth devices.',
  outdated: 'This browser version cannot use Bluetooth devices. Update Chrome or Edge.',
  'mobile-no-usb': ''
};

function worded(support: LinkSupport, table: Record<SupportReason, string>): Support {
  return { ...support, advice: support.available || !support.reason ? '' : table[support.reason] };
}

/** Whether the USB cable can work in this browser, and what to do if not. */
export function serialSupport(env?: BrowserEnvironment): Support {
  return worded(detectSerialSupport(env), SERIAL_SUPPORT);
}

/** Whether Bluetooth can work in this browser, and what to do if not. */
export function bluetoothSupport(env?: BrowserEnvironment): Support {
  return worded(detectBluetoothSupport(env), BLE_SUPPORT);
}

/** The demo bank works everywhere. */
export const DEMO_SUPPORT: Support = { available: true, advice: '' };

// Whether this browser can reach a pack at all, and if not what to do instead, for the connect
// page. transport/support.ts detects; the words for each reason live here (messages/connect/).
// Kept apart from advice.ts so that only the connect page loads them.

import { m } from '$lib/paraglide/messages';
import { detectBluetoothSupport, detectSerialSupport, type BrowserEnvironment, type LinkSupport, type SupportReason } from '$lib/transport/support';

export interface Support extends LinkSupport {
  /** One or two sentences for the connect page, in the app's language. Empty when available. */
  readonly advice: string;
}

type Words = () => string;

const SERIAL_SUPPORT: Record<SupportReason, Words | null> = {
  'insecure-context': m.connect_support_insecure,
  ios: m.connect_support_ios,
  'mobile-no-usb': m.connect_support_serial_mobile,
  'not-chromium': m.connect_support_serial_not_chromium,
  outdated: m.connect_support_serial_outdated,
  'linux-flag-needed': null
};

const BLE_SUPPORT: Record<SupportReason, Words | null> = {
  'insecure-context': m.connect_support_insecure,
  ios: m.connect_support_ios,
  'linux-flag-needed': m.connect_support_ble_linux_flag,
  'not-chromium': m.connect_support_ble_not_chromium,
  outdated: m.connect_support_ble_outdated,
  'mobile-no-usb': null
};

function worded(support: LinkSupport, table: Record<SupportReason, Words | null>): Support {
  const words = support.available || !support.reason ? null : table[support.reason];
  // A getter, so the sentence follows a language switch while the page keeps this object.
  return {
    ...support,
    get advice() {
      return words?.() ?? '';
    }
  };
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

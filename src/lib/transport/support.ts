// Can this browser reach a pack at all, and if not, what should the person do? Feature detection
// first (the APIs either exist or not); the user agent only picks the advice.

export type SupportReason = 'insecure-context' | 'not-chromium' | 'mobile-no-usb' | 'linux-flag-needed' | 'ios';

export interface Support {
  available: boolean;
  reason?: SupportReason;
  /** One or two sentences for the connect page. Empty when available. */
  advice: string;
}

/** What the checks look at; defaults to the running browser. Tests pass their own. */
export interface BrowserEnvironment {
  isSecureContext: boolean;
  hasSerial: boolean;
  hasBluetooth: boolean;
  userAgent: string;
  /** navigator.userAgentData.brands, where the browser has it. */
  brands?: readonly string[];
  /** navigator.userAgentData.mobile, where the browser has it. */
  mobile?: boolean;
  /** navigator.maxTouchPoints: iPadOS reports itself as a Mac, but with touch. */
  maxTouchPoints?: number;
}

interface NavigatorUAData {
  brands?: readonly { brand: string }[];
  mobile?: boolean;
}

export function currentEnvironment(): BrowserEnvironment {
  const g = globalThis as { isSecureContext?: boolean; navigator?: Navigator & { userAgentData?: NavigatorUAData } };
  const nav = g.navigator;
  return {
    isSecureContext: g.isSecureContext === true,
    hasSerial: nav !== undefined && 'serial' in nav && nav.serial !== undefined,
    hasBluetooth: nav !== undefined && 'bluetooth' in nav && nav.bluetooth !== undefined,
    userAgent: nav?.userAgent ?? '',
    brands: nav?.userAgentData?.brands?.map((b) => b.brand),
    mobile: nav?.userAgentData?.mobile,
    maxTouchPoints: nav?.maxTouchPoints
  };
}

function isIos(env: BrowserEnvironment): boolean {
  if (/iPhone|iPad|iPod/.test(env.userAgent)) return true;
  // iPadOS Safari asks for desktop pages and says "Macintosh"; only the touch points give it away.
  return /Macintosh/.test(env.userAgent) && (env.maxTouchPoints ?? 0) > 1;
}

function isMobile(env: BrowserEnvironment): boolean {
  return env.mobile ?? /Android|Mobile/.test(env.userAgent);
}

function isChromium(env: BrowserEnvironment): boolean {
  if (env.brands && env.brands.some((b) => b === 'Chromium' || b === 'Google Chrome' || b === 'Microsoft Edge')) return true;
  return /Chrome\/|Chromium\/|Edg\//.test(env.userAgent) && !/Firefox\//.test(env.userAgent);
}

function isLinuxDesktop(env: BrowserEnvironment): boolean {
  // ChromeOS says "X11; CrOS" but has Bluetooth on by default; Android says "Linux" too.
  return /Linux|X11/.test(env.userAgent) && !/Android|CrOS/.test(env.userAgent);
}

const ADVICE_INSECURE = 'The page must be opened over https (or from localhost) for the browser to allow USB and Bluetooth.';
const ADVICE_IOS =
  'iPhone and iPad browsers cannot talk to USB or Bluetooth devices. Use a laptop with Chrome or Edge, or an ' +
  'Android phone with Chrome. The demo bank works everywhere.';

/** Web Serial: the USB-RS485/RS232 cable. */
export function serialSupport(env: BrowserEnvironment = currentEnvironment()): Support {
  if (!env.isSecureContext) return { available: false, reason: 'insecure-context', advice: ADVICE_INSECURE };
  if (env.hasSerial) return { available: true, advice: '' };
  if (isIos(env)) return { available: false, reason: 'ios', advice: ADVICE_IOS };
  if (isMobile(env)) {
    return {
      available: false,
      reason: 'mobile-no-usb',
      advice: 'Phones and tablets cannot use a USB serial cable from the browser. Use a laptop with Chrome or Edge, or connect over Bluetooth.'
    };
  }
  if (!isChromium(env)) {
    return {
      available: false,
      reason: 'not-chromium',
      advice: 'USB cables need Chrome or Edge on a desktop or laptop. This browser cannot open serial ports.'
    };
  }
  return {
    available: false,
    reason: 'not-chromium',
    advice: 'This browser version cannot open serial ports. Update Chrome or Edge (version 89 or newer).'
  };
}

/** Web Bluetooth: a BLE UART module on the pack. */
export function bluetoothSupport(env: BrowserEnvironment = currentEnvironment()): Support {
  if (!env.isSecureContext) return { available: false, reason: 'insecure-context', advice: ADVICE_INSECURE };
  if (env.hasBluetooth) return { available: true, advice: '' };
  if (isIos(env)) return { available: false, reason: 'ios', advice: ADVICE_IOS };
  if (isChromium(env) && isLinuxDesktop(env)) {
    return {
      available: false,
      reason: 'linux-flag-needed',
      advice:
        'Chrome on Linux keeps Bluetooth behind a flag: open chrome://flags/#enable-experimental-web-platform-features, ' +
        'set it to Enabled, restart the browser and reload this page. A USB cable works without it.'
    };
  }
  return {
    available: false,
    reason: 'not-chromium',
    advice: 'Bluetooth needs Chrome or Edge on Windows, macOS, ChromeOS or Android. This browser cannot use Bluetooth devices.'
  };
}

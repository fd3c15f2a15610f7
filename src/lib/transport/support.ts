// Can this browser reach a pack at all, and if not, why not? Feature detection first (the APIs
// either exist or not); the user agent only tells the reasons apart. What the person should do
// about each reason is worded in session/advice.ts.

export type SupportReason =
  /** Not https or localhost: the browser hides USB and Bluetooth. */
  | 'insecure-context'
  /** Firefox, Safari and others have neither API. */
  | 'not-chromium'
  /** A Chromium too old for the API. */
  | 'outdated'
  /** Phones and tablets have no Web Serial. */
  | 'mobile-no-usb'
  /** Chrome on desktop Linux keeps Web Bluetooth behind a flag. */
  | 'linux-flag-needed'
  | 'ios';

export interface LinkSupport {
  available: boolean;
  /** Why not, when not available. */
  reason?: SupportReason;
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

function currentEnvironment(): BrowserEnvironment {
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

/** Web Serial: the USB-RS485/RS232 cable. */
export function detectSerialSupport(env: BrowserEnvironment = currentEnvironment()): LinkSupport {
  if (!env.isSecureContext) return { available: false, reason: 'insecure-context' };
  if (env.hasSerial) return { available: true };
  if (isIos(env)) return { available: false, reason: 'ios' };
  if (isMobile(env)) return { available: false, reason: 'mobile-no-usb' };
  if (!isChromium(env)) return { available: false, reason: 'not-chromium' };
  return { available: false, reason: 'outdated' };
}

/** Web Bluetooth: a BLE UART module on the pack. */
export function detectBluetoothSupport(env: BrowserEnvironment = currentEnvironment()): LinkSupport {
  if (!env.isSecureContext) return { available: false, reason: 'insecure-context' };
  if (env.hasBluetooth) return { available: true };
  if (isIos(env)) return { available: false, reason: 'ios' };
  if (isChromium(env) && isLinuxDesktop(env)) return { available: false, reason: 'linux-flag-needed' };
  return { available: false, reason: 'not-chromium' };
}

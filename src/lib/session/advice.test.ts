import { describe, expect, it } from 'vitest';
import type { BrowserEnvironment } from '$lib/transport/support';
import { TransportError } from '$lib/transport/types';
import { classifySerialOpenError } from '$lib/transport/errors';
import { NO_ANSWER_ADVICE, transportAdvice } from './advice';
import { bluetoothSupport, serialSupport } from './support';

const UA = {
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  chromeOs: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.0.0 Mobile/15E148 Safari/604.1'
};

function env(over: Partial<BrowserEnvironment>): BrowserEnvironment {
  return { isSecureContext: true, hasSerial: false, hasBluetooth: false, userAgent: UA.chromeWindows, ...over };
}

describe('serialSupport', () => {
  it('is available wherever navigator.serial exists in a secure context', () => {
    expect(serialSupport(env({ hasSerial: true }))).toEqual({ available: true, advice: '' });
    expect(serialSupport(env({ hasSerial: true, userAgent: UA.edgeWindows })).available).toBe(true);
  });

  it('needs a secure context first of all', () => {
    const s = serialSupport(env({ hasSerial: true, isSecureContext: false }));
    expect(s).toMatchObject({ available: false, reason: 'insecure-context' });
    expect(s.advice).toMatch(/https/);
  });

  it('names iOS, phones, and non-Chromium browsers, with advice for each', () => {
    expect(serialSupport(env({ userAgent: UA.iphone }))).toMatchObject({ available: false, reason: 'ios' });
    expect(serialSupport(env({ userAgent: UA.safariMac, maxTouchPoints: 5 }))).toMatchObject({ reason: 'ios' });
    expect(serialSupport(env({ userAgent: UA.chromeAndroid }))).toMatchObject({ available: false, reason: 'mobile-no-usb' });
    expect(serialSupport(env({ userAgent: UA.chromeWindows, mobile: true }))).toMatchObject({ reason: 'mobile-no-usb' });
    const ff = serialSupport(env({ userAgent: UA.firefoxLinux }));
    expect(ff).toMatchObject({ available: false, reason: 'not-chromium' });
    expect(ff.advice).toMatch(/Chrome or Edge/);
    expect(serialSupport(env({ userAgent: UA.safariMac, maxTouchPoints: 0 }))).toMatchObject({ reason: 'not-chromium' });
  });

  it('an old Chromium without the API is told to update', () => {
    const s = serialSupport(env({ userAgent: UA.chromeWindows, brands: ['Chromium', 'Google Chrome'] }));
    expect(s).toMatchObject({ available: false, reason: 'outdated' });
    expect(s.advice).toMatch(/Update/);
  });
});

describe('bluetoothSupport', () => {
  it('is available wherever navigator.bluetooth exists in a secure context', () => {
    expect(bluetoothSupport(env({ hasBluetooth: true, userAgent: UA.chromeAndroid }))).toEqual({ available: true, advice: '' });
    expect(bluetoothSupport(env({ hasBluetooth: true, isSecureContext: false }))).toMatchObject({ reason: 'insecure-context' });
  });

  it('tells Linux desktop Chrome users about the flag, but not ChromeOS or Android', () => {
    const linux = bluetoothSupport(env({ userAgent: UA.chromeLinux }));
    expect(linux).toMatchObject({ available: false, reason: 'linux-flag-needed' });
    expect(linux.advice).toContain('chrome://flags/#enable-experimental-web-platform-features');
    expect(bluetoothSupport(env({ userAgent: UA.chromeOs })).reason).toBe('not-chromium');
    expect(bluetoothSupport(env({ userAgent: UA.chromeAndroid })).reason).toBe('not-chromium');
  });

  it('names iOS and non-Chromium browsers', () => {
    expect(bluetoothSupport(env({ userAgent: UA.iphone })).reason).toBe('ios');
    expect(bluetoothSupport(env({ userAgent: UA.firefoxLinux })).reason).toBe('not-chromium');
  });
});

describe('transportAdvice', () => {
  const dom = (name: string) => new DOMException('message text that must not matter', name);

  it('words each serial failure by its kind', () => {
    expect(transportAdvice(new TransportError('permission', 'x', { link: 'serial' }))).toMatch(/click/);
    expect(transportAdvice(new TransportError('picker-cancelled', 'x', { link: 'serial' }))).toMatch(/driver/);
    expect(transportAdvice(classifySerialOpenError(dom('NetworkError')))).toMatch(/another program|other tabs/i);
    expect(transportAdvice(classifySerialOpenError(dom('NetworkError')))).toMatch(/Close the vendor BMS tool/);
    for (const e of ['InvalidStateError', 'NetworkError', 'NotFoundError', 'SecurityError']) {
      expect(transportAdvice(classifySerialOpenError(dom(e))).length).toBeGreaterThan(20);
    }
  });

  it('words Bluetooth failures for Bluetooth, not for a cable', () => {
    expect(transportAdvice(new TransportError('unavailable', 'x', { link: 'ble' }))).toMatch(/Bluetooth on/);
    expect(transportAdvice(new TransportError('picker-cancelled', 'x', { link: 'ble' }))).toMatch(/phone app/);
    expect(transportAdvice(new TransportError('gone', 'x', { link: 'ble' }))).toMatch(/closer/);
    expect(transportAdvice(new TransportError('gone', 'x', { link: 'serial' }))).toMatch(/Plug the cable back in/);
  });

  it('falls back to link-independent words, and to nothing rather than a wrong hint', () => {
    expect(transportAdvice(new TransportError('lost', 'x', { link: 'serial' }))).toMatch(/connection was lost/);
    expect(transportAdvice(new TransportError('not-open', 'x'))).toBe('Connect first.');
    expect(transportAdvice(new TransportError('no-service', 'x', { link: 'serial' }))).toBe('');
    expect(NO_ANSWER_ADVICE()).toMatch(/RS232/);
  });
});

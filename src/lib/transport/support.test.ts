import { describe, expect, it } from 'vitest';
import { detectBluetoothSupport, detectSerialSupport, type BrowserEnvironment } from './support';

// What is detected; the words for each reason are tested in session/advice.test.ts.

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.0.0 Mobile/15E148 Safari/604.1';

function env(over: Partial<BrowserEnvironment>): BrowserEnvironment {
  return { isSecureContext: true, hasSerial: false, hasBluetooth: false, userAgent: CHROME_LINUX, ...over };
}

describe('link support detection', () => {
  it('reports the API when it exists in a secure context, and no reason', () => {
    expect(detectSerialSupport(env({ hasSerial: true }))).toEqual({ available: true });
    expect(detectBluetoothSupport(env({ hasBluetooth: true }))).toEqual({ available: true });
  });

  it('names one reason when it cannot work', () => {
    expect(detectSerialSupport(env({ hasSerial: true, isSecureContext: false }))).toEqual({ available: false, reason: 'insecure-context' });
    expect(detectSerialSupport(env({ userAgent: IPHONE }))).toEqual({ available: false, reason: 'ios' });
    expect(detectSerialSupport(env({ userAgent: FIREFOX }))).toEqual({ available: false, reason: 'not-chromium' });
    expect(detectSerialSupport(env({}))).toEqual({ available: false, reason: 'outdated' });
    expect(detectBluetoothSupport(env({}))).toEqual({ available: false, reason: 'linux-flag-needed' });
  });
});

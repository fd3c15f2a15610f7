// SHA-256 through Web Crypto (browsers in a secure context, Node 20): the catalog publishes it for
// every image, and the cache is keyed by it.

import { bytesToHex } from '../protocol/hex';

/** The SHA-256 of `bytes` as 64 lower-case hex digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  // Web Crypto exists only in secure contexts (https, localhost); say so rather than fail obscurely.
  if (!subtle) throw new Error('SHA-256 needs Web Crypto, which the browser offers only on https:// or localhost.');
  // digest() takes an ArrayBuffer-backed view; a copy also guards against a view into a larger buffer.
  const digest = await subtle.digest('SHA-256', bytes.slice());
  return bytesToHex(new Uint8Array(digest)).toLowerCase();
}

/** 64 hex digits, either case. */
export function isSha256Hex(text: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(text);
}

// SHA-256 through Web Crypto (browsers in a secure context, and Node 20's globalThis.crypto).

import { StorageError } from './errors';

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new StorageError('unavailable', 'This page cannot compute SHA-256 (Web Crypto needs https or localhost).');
  // digest() wants an ArrayBuffer-backed view; copy when the bytes live in a SharedArrayBuffer or a larger buffer.
  const view = bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

export function isSha256Hex(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

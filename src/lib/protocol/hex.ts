// Hex-ASCII helpers. The PACE wire format carries every binary byte as two ASCII hex digits.

const HEX_UPPER = '0123456789ABCDEF';

/** Value of one ASCII hex digit (either case), or -1 when the byte is not a hex digit. */
export function hexDigitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/** One byte as two upper-case hex digits ("0A"), as CID2s and RTNs are written ("42H"). */
export function hex2(n: number): string {
  const b = n & 0xff;
  return HEX_UPPER[b >> 4] + HEX_UPPER[b & 0x0f];
}

/** Upper-case hex of the bytes, no separators. */
export function bytesToHex(bytes: Uint8Array | readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] & 0xff;
    out += HEX_UPPER[b >> 4] + HEX_UPPER[b & 0x0f];
  }
  return out;
}

/** Decode a hex string (either case, even length). Returns null on any non-hex character. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigitValue(hex.charCodeAt(2 * i));
    const lo = hexDigitValue(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** The ASCII bytes of a string of 7-bit characters (frames are pure ASCII). */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

/** A printable rendering of raw line bytes for consoles and error messages: CR as \r, others as \xNN. */
export function printableAscii(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + HEX_UPPER[b >> 4] + HEX_UPPER[b & 0x0f];
  }
  return out;
}

// Checksums of the firmware layer. Both are table-driven: a 200 KiB image is checked on every
// transfer and every parse, and the bit-by-bit loop is eight times the work.
//
// CRC-16/XMODEM: poly 0x1021, init 0, no reflection, no final XOR (check "123456789" = 0x31C3).
//   YMODEM appends it big-endian to every data block.
// CRC-32 (ISO-HDLC, zlib, PNG): reflected poly 0xEDB88320, init and final XOR 0xFFFFFFFF
//   (check "123456789" = 0xCBF43926). Our image container (image.ts) protects header and payload with it.

const CRC16_TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    table[i] = c;
  }
  return table;
})();

const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-16/XMODEM of `bytes[start, end)`. Pass the previous result as `crc` to continue a running
 * checksum over several pieces.
 */
export function crc16Xmodem(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = crc & 0xffff;
  for (let i = start; i < end; i++) c = ((c << 8) & 0xff00) ^ CRC16_TABLE[((c >> 8) ^ bytes[i]) & 0xff];
  return c;
}

/** Running CRC-32 state: start with CRC32_INIT, feed pieces with crc32Update, end with crc32Final. */
export const CRC32_INIT = 0xffffffff;

export function crc32Update(state: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = state >>> 0;
  for (let i = start; i < end; i++) c = (c >>> 8) ^ CRC32_TABLE[(c ^ bytes[i]) & 0xff];
  return c >>> 0;
}

export function crc32Final(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/** CRC-32 of `bytes[start, end)`, as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32Final(crc32Update(CRC32_INIT, bytes, start, end));
}

/** A CRC-32 as the 8 upper-case hex digits our manifests and messages use ("CBF43926"). */
export function crc32Hex(value: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

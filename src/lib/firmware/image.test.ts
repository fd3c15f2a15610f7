import { describe, expect, it } from 'vitest';
import { crc32 } from './crc';
import { FirmwareError, type FirmwareErrorKind } from './errors';
import { IMAGE_HEADER_BYTES, buildFirmwareImage, parseFirmwareImage, parseImageHeader, type FirmwareImageMeta } from './image';

const META: FirmwareImageMeta = { model: 'P16S100A', hardwareCompat: '1812,21473', firmwareVersion: '1.07', builtAt_s: 1_754_000_000 };
const PAYLOAD = new Uint8Array(4096).map((_, i) => (i * 13 + 5) & 0xff);

/** A copy of `file` with `edit` applied to the header and the header CRC made right again. */
function withHeader(file: Uint8Array, edit: (bytes: Uint8Array) => void): Uint8Array {
  const out = file.slice();
  edit(out);
  const c = crc32(out, 0, 124);
  for (let i = 0; i < 4; i++) out[124 + i] = (c >>> (8 * i)) & 0xff;
  return out;
}

function parseError(bytes: Uint8Array, options?: { maxPayload_bytes?: number }): FirmwareError {
  try {
    parseFirmwareImage(bytes, options);
  } catch (e) {
    if (e instanceof FirmwareError) return e;
    throw e;
  }
  throw new Error('parseFirmwareImage accepted the bytes');
}

describe('buildFirmwareImage / parseFirmwareImage', () => {
  it('round-trips metadata and payload', () => {
    const file = buildFirmwareImage(META, PAYLOAD);
    expect(file.length).toBe(IMAGE_HEADER_BYTES + PAYLOAD.length);
    // Header fields at their documented offsets (little-endian).
    expect(Array.from(file.subarray(0, 4))).toEqual([0x50, 0x4b, 0x46, 0x57]);
    expect(file[4] | (file[5] << 8)).toBe(1);
    expect(file[6] | (file[7] << 8)).toBe(128);
    expect(new TextDecoder().decode(file.subarray(8, 16))).toBe('P16S100A');
    expect((file[72] | (file[73] << 8) | (file[74] << 16) | (file[75] << 24)) >>> 0).toBe(4096);

    const image = parseFirmwareImage(file);
    expect(image.model).toBe('P16S100A');
    expect(image.hardwareCompat).toBe('1812,21473');
    expect(image.firmwareVersion).toBe('1.07');
    expect(image.builtAt_s).toBe(1_754_000_000);
    expect(image.headerVersion).toBe(1);
    expect(image.payloadCrc32).toBe(crc32(PAYLOAD));
    expect(Array.from(image.payload)).toEqual(Array.from(PAYLOAD));
    expect(image.bytes.length).toBe(file.length);
  });

  it('accepts an empty payload and fields that fill their whole width', () => {
    const meta = { model: 'P16S100A-LONGNAM', hardwareCompat: '*', firmwareVersion: '1234567890123456', builtAt_s: 0xffffffff };
    const image = parseFirmwareImage(buildFirmwareImage(meta, new Uint8Array(0)));
    expect(image.model).toBe('P16S100A-LONGNAM');
    expect(image.firmwareVersion).toBe('1234567890123456');
    expect(image.builtAt_s).toBe(0xffffffff);
    expect(image.payload.length).toBe(0);
  });

  it('refuses metadata that cannot be stored', () => {
    expect(() => buildFirmwareImage({ ...META, model: '' }, PAYLOAD)).toThrow(RangeError);
    expect(() => buildFirmwareImage({ ...META, model: 'P16S100A-TOO-LONG-FOR-FIELD' }, PAYLOAD)).toThrow(/longer than its 16-byte field/);
    expect(() => buildFirmwareImage({ ...META, firmwareVersion: 'v\u00e9' }, PAYLOAD)).toThrow(/printable ASCII/);
    expect(() => buildFirmwareImage({ ...META, builtAt_s: -1 }, PAYLOAD)).toThrow(RangeError);
    expect(() => buildFirmwareImage({ ...META, hardwareCompat: ' ' }, PAYLOAD)).toThrow(RangeError);
  });
});

describe('parseFirmwareImage errors', () => {
  const good = buildFirmwareImage(META, PAYLOAD);

  const cases: {
    name: string;
    bytes: () => Uint8Array;
    kind: FirmwareErrorKind;
    field: string;
    message: RegExp;
    options?: { maxPayload_bytes: number };
  }[] = [
    {
      name: 'a ZIP archive',
      bytes: () => Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0),
      kind: 'bad-magic',
      field: 'magic',
      message: /50 4B 03 04.*ZIP archive/
    },
    {
      name: 'an Intel HEX file',
      bytes: () => new TextEncoder().encode(':100000000C9434000C943E000C943E000C943E0082\n'),
      kind: 'bad-magic',
      field: 'magic',
      message: /3A 31 30 30.*Intel HEX/
    },
    {
      name: 'an HTML error page',
      bytes: () => new TextEncoder().encode('<!doctype html><title>404</title>'),
      kind: 'bad-magic',
      field: 'magic',
      message: /error page/
    },
    {
      name: 'random bytes',
      bytes: () => Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
      kind: 'bad-magic',
      field: 'magic',
      message: /01 02 03 04.*wrong file/
    },
    { name: 'an empty file', bytes: () => new Uint8Array(0), kind: 'truncated', field: 'file length', message: /empty/ },
    { name: 'only the first two magic bytes', bytes: () => good.slice(0, 2), kind: 'truncated', field: 'file length', message: /only 2 bytes/ },
    {
      name: 'a header cut at byte 100',
      bytes: () => good.slice(0, 100),
      kind: 'truncated',
      field: 'file length',
      message: /only 100 bytes.*cut off/
    },
    {
      name: 'a payload cut short',
      bytes: () => good.slice(0, good.length - 1000),
      kind: 'truncated',
      field: 'file length',
      message: /3224 bytes but its header declares 4224/
    },
    { name: 'a flipped payload bit', bytes: () => flip(good, 2000), kind: 'crc', field: 'payload CRC-32', message: /payload CRC-32 .* corrupted/ },
    { name: 'a flipped header bit', bytes: () => flip(good, 10), kind: 'crc', field: 'header CRC-32', message: /header CRC-32 .* corrupted/ },
    {
      name: 'header version 2',
      bytes: () => withHeader(good, (b) => (b[4] = 2)),
      kind: 'unsupported-header',
      field: 'header version',
      message: /version 2 .*newer tool/
    },
    {
      name: 'header version 0',
      bytes: () => withHeader(good, (b) => (b[4] = 0)),
      kind: 'unsupported-header',
      field: 'header version',
      message: /version 0 .*damaged/
    },
    {
      name: 'a header length of 64',
      bytes: () => withHeader(good, (b) => (b[6] = 64)),
      kind: 'unsupported-header',
      field: 'header length',
      message: /Header length 64/
    },
    {
      name: 'a control character in the version',
      bytes: () => withHeader(good, (b) => (b[57] = 0x07)),
      kind: 'unsupported-header',
      field: 'firmware version',
      message: /firmware version field holds byte 07H at offset 57/
    },
    {
      name: 'an empty model',
      bytes: () => withHeader(good, (b) => b.fill(0, 8, 24)),
      kind: 'unsupported-header',
      field: 'model',
      message: /model field is empty/
    },
    {
      name: 'a payload over the flash size',
      bytes: () => good,
      options: { maxPayload_bytes: 4095 },
      kind: 'too-large',
      field: 'payload length',
      message: /4096 bytes, more than the 4095/
    },
    {
      name: 'bytes appended after the payload',
      bytes: () => Uint8Array.of(...good, 0x1a, 0x1a),
      kind: 'too-large',
      field: 'file length',
      message: /2 bytes were appended/
    }
  ];

  for (const c of cases) {
    it(`${c.kind}: ${c.name}`, () => {
      const error = parseError(c.bytes(), c.options);
      expect(error.kind).toBe(c.kind);
      expect(error.field).toBe(c.field);
      expect(error.message).toMatch(c.message);
      expect(error.name).toBe('FirmwareError');
    });
  }

  it('reports the found and expected values of a CRC mismatch', () => {
    const error = parseError(flip(good, 200));
    expect(error.expected).toBe(crc32(PAYLOAD).toString(16).toUpperCase().padStart(8, '0'));
    expect(error.found).not.toBe(error.expected);
  });
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at] ^= 0x10;
  return out;
}

describe('parseImageHeader', () => {
  const good = buildFirmwareImage(META, PAYLOAD);

  it('reads the header from the first block alone, payload not needed', () => {
    const header = parseImageHeader(good.subarray(0, 1024));
    expect(header).toEqual({
      headerVersion: 1,
      model: 'P16S100A',
      hardwareCompat: '1812,21473',
      firmwareVersion: '1.07',
      builtAt_s: 1_754_000_000,
      payloadLength: 4096,
      payloadCrc32: crc32(PAYLOAD)
    });
  });

  it('refuses a first block whose header is corrupt or oversized, before any payload arrives', () => {
    expect(() => parseImageHeader(flip(good, 10).subarray(0, 1024))).toThrow(/header CRC-32/);
    expect(() => parseImageHeader(good.subarray(0, 1024), { maxPayload_bytes: 1000 })).toThrow(FirmwareError);
    expect(() => parseImageHeader(good.subarray(0, 100))).toThrow(/only 100 bytes/);
  });
});

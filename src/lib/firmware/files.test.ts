// Firmware files as people bring them: package, container, Intel HEX, raw binary; and the checks
// against the pack before anything is sent.

import MemoryMap from 'nrf-intel-hex';
import { describe, expect, it } from 'vitest';
import { DEMO_RELEASES, demoContainer, demoPackage, demoPayload } from '../sim/firmware-releases';
import { crc32 } from './crc';
import { FirmwareError } from './errors';
import { identityFromReplies } from './identity';
import { buildFirmwareImage } from './image';
import { parseIntelHex } from './intel-hex';
import { loadFirmwareFile, type LoadedFirmware } from './load';
import { PACKAGE_HEADER_BYTES, buildPackage, parsePackage } from './package';
import { preflight } from './preflight';
import { sha256Hex } from './sha256';

const V110 = DEMO_RELEASES.find((r) => r.version === '1.10')!;
const PACK = identityFromReplies({ version: 'P16S100A-1812-1.00' }, { bmsSerial: 'P1812101380309D' });

async function rejection(promise: Promise<unknown>): Promise<FirmwareError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof FirmwareError) return e;
    throw e;
  }
  throw new Error('it was accepted');
}

/** The package with its manifest JSON replaced (and the manifest CRC made right again). */
function withManifest(pkg: Uint8Array, edit: (json: Record<string, unknown>) => void): Uint8Array {
  const length = pkg[8] | (pkg[9] << 8) | (pkg[10] << 16) | (pkg[11] << 24);
  const json = JSON.parse(new TextDecoder().decode(pkg.subarray(16, 16 + length))) as Record<string, unknown>;
  edit(json);
  const text = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(16 + text.length + pkg.length - 16 - length);
  out.set(pkg.subarray(0, 16));
  out.set(text, 16);
  out.set(pkg.subarray(16 + length), 16 + text.length);
  for (let i = 0; i < 4; i++) out[8 + i] = (text.length >>> (8 * i)) & 0xff;
  const c = crc32(text);
  for (let i = 0; i < 4; i++) out[12 + i] = (c >>> (8 * i)) & 0xff;
  return out;
}

describe('package format', () => {
  it('wraps the container with a manifest that carries its size, CRC-32, SHA-256 and notes', async () => {
    const container = demoContainer(V110);
    const pkg = await demoPackage(V110);
    expect(new TextDecoder().decode(pkg.subarray(0, 4))).toBe('PKPG');
    const parsed = await parsePackage(pkg);
    expect(parsed.manifest).toMatchObject({
      model: 'P16S100A',
      hardware: '1812,21473',
      version: '1.10',
      size_bytes: container.length,
      sha256: await sha256Hex(container),
      released: '2025-11-20'
    });
    expect(parsed.manifest.notes['zh-CN']).toMatch(/德业/);
    // The image inside is byte for byte the container the catalog links to.
    expect(Array.from(parsed.image.bytes)).toEqual(Array.from(container));
  });

  const cases: { name: string; make: (pkg: Uint8Array) => Uint8Array; kind: string; field: string; message: RegExp }[] = [
    { name: 'cut off inside the image', make: (p) => p.slice(0, p.length - 500), kind: 'truncated', field: 'image length', message: /cut off/ },
    { name: 'bytes appended', make: (p) => Uint8Array.of(...p, 0), kind: 'too-large', field: 'image length', message: /appended/ },
    {
      name: 'a flipped manifest byte',
      make: (p) => {
        const o = p.slice();
        o[PACKAGE_HEADER_BYTES + 5] ^= 1;
        return o;
      },
      kind: 'crc',
      field: 'manifest CRC-32',
      message: /manifest is corrupted/
    },
    {
      name: 'a flipped image byte',
      make: (p) => {
        const o = p.slice();
        o[o.length - 1000] ^= 1;
        return o;
      },
      kind: 'crc',
      field: 'image CRC-32',
      message: /image is corrupted/
    },
    {
      name: 'a manifest with a short SHA-256',
      make: (p) => withManifest(p, (j) => (j.sha256 = 'abc')),
      kind: 'manifest',
      field: 'sha256',
      message: /sha256 should be a SHA-256 of 64 hex digits, but is "abc"/
    },
    {
      name: 'a manifest whose SHA-256 is for another file',
      make: (p) => withManifest(p, (j) => (j.sha256 = '0'.repeat(64))),
      kind: 'sha256',
      field: 'image SHA-256',
      message: /not the one released/
    },
    {
      name: 'a manifest naming another version than the image',
      make: (p) => withManifest(p, (j) => (j.version = '1.11')),
      kind: 'manifest',
      field: 'version',
      message: /manifest says version 1.11 but the image header says 1.10/
    },
    {
      name: 'a manifest without notes',
      make: (p) => withManifest(p, (j) => delete j.notes),
      kind: 'manifest',
      field: 'notes',
      message: /release notes/
    },
    {
      name: 'a date that does not exist',
      make: (p) => withManifest(p, (j) => (j.released = '2025-02-30')),
      kind: 'manifest',
      field: 'released',
      message: /YYYY-MM-DD/
    },
    {
      name: 'a newer format version',
      make: (p) => {
        const o = p.slice();
        o[4] = 2;
        return o;
      },
      kind: 'unsupported-header',
      field: 'package version',
      message: /newer tool/
    }
  ];
  for (const c of cases) {
    it(`refuses ${c.name}, naming the field`, async () => {
      const error = await rejection(parsePackage(c.make(await demoPackage(V110))));
      expect(error.kind).toBe(c.kind);
      expect(error.field).toBe(c.field);
      expect(error.message).toMatch(c.message);
    });
  }

  it('builds only packages it would read back', async () => {
    await expect(buildPackage(demoContainer(V110), { notes: {} })).rejects.toThrow(/release notes/);
  });
});

describe('Intel HEX', () => {
  it('lays out sparse records as one image from the lowest address, gaps as erased flash', () => {
    const map = new MemoryMap();
    map.set(0x0800_8000, Uint8Array.of(1, 2, 3, 4));
    map.set(0x0800_8010, Uint8Array.of(5, 6));
    const hex = parseIntelHex(new TextEncoder().encode(map.asHexString() + '\r\n\r\n'));
    expect(hex.baseAddress).toBe(0x0800_8000);
    expect(Array.from(hex.bytes)).toEqual([1, 2, 3, 4, ...new Array(12).fill(0xff), 5, 6]);
    expect(hex.ranges).toEqual([
      { start: 0x0800_8000, end: 0x0800_8004 },
      { start: 0x0800_8010, end: 0x0800_8012 }
    ]);
  });

  it('refuses a damaged record, naming the library reason', () => {
    const text = ':100000000102030405060708090A0B0C0D0E0F1069\n:00000001FF\n';
    expect(() => parseIntelHex(new TextEncoder().encode(text))).toThrow(/damaged: Checksum failed at record 1/);
  });

  it('refuses a file that spans more than the application flash (bootloader and option bytes included)', () => {
    const map = new MemoryMap();
    map.set(0x0800_0000, new Uint8Array(16));
    map.set(0x1fff_f800, new Uint8Array(16));
    const error = (() => {
      try {
        parseIntelHex(new TextEncoder().encode(map.asHexString()));
      } catch (e) {
        return e as FirmwareError;
      }
      throw new Error('accepted');
    })();
    expect(error.kind).toBe('too-large');
    expect(error.message).toMatch(/0x08000000–0x0800000F, 0x1FFFF800–0x1FFFF80F/);
  });
});

describe('loadFirmwareFile', () => {
  it('tells the formats apart by content, not by name', async () => {
    const container = demoContainer(V110);
    const pkg = await demoPackage(V110);
    const hexOfContainer = (() => {
      const map = new MemoryMap();
      map.set(0, container);
      return new TextEncoder().encode(map.asHexString());
    })();
    const payload = demoPayload(V110);
    const hexOfApp = (() => {
      const map = new MemoryMap();
      map.set(0x0800_8000, payload);
      return new TextEncoder().encode(map.asHexString());
    })();

    const a = await loadFirmwareFile(pkg, 'release.bin');
    expect(a).toMatchObject({ kind: 'identified', format: 'package', fileSha256: await sha256Hex(pkg) });
    const b = await loadFirmwareFile(container, 'x.hex');
    expect(b).toMatchObject({ kind: 'identified', format: 'container', manifest: null });
    const c = await loadFirmwareFile(hexOfContainer, 'x.hex');
    expect(c).toMatchObject({ kind: 'identified', format: 'intel-hex' });
    const d = await loadFirmwareFile(hexOfApp, 'app.hex');
    expect(d).toMatchObject({ kind: 'raw', format: 'intel-hex', baseAddress: 0x0800_8000 });
    if (d.kind === 'raw') expect(d.payload.length).toBe(payload.length);
    const e = await loadFirmwareFile(payload, 'app.bin');
    expect(e).toMatchObject({ kind: 'raw', format: 'binary', baseAddress: null });
  });

  it('refuses files that are plainly no firmware instead of taking them for a binary', async () => {
    for (const [bytes, why] of [
      [Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 1, 2), /ZIP archive/],
      [Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1, 2), /ELF/],
      [new TextEncoder().encode('<!doctype html><title>404 Not Found</title>'), /error page/],
      [new TextEncoder().encode('{"error": "not found"}'), /error page/]
    ] as const) {
      const error = await rejection(loadFirmwareFile(bytes, 'download.bin'));
      expect(error.kind).toBe('unknown-format');
      expect(error.message).toMatch(why);
    }
    expect((await rejection(loadFirmwareFile(new Uint8Array(0), 'empty.bin'))).kind).toBe('truncated');
  });
});

describe('preflight', () => {
  async function load(bytes: Uint8Array, name = 'fw.pkfw'): Promise<LoadedFirmware> {
    return loadFirmwareFile(bytes, name);
  }

  it('accepts a release for this model and board, planning its version', async () => {
    const result = preflight(await load(await demoPackage(V110), 'fw.pkpg'), PACK);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan).toMatchObject({ targetVersion: '1.10', format: 'package', override: false, fileName: 'fw.pkpg' });
    expect(result.warnings).toEqual([]);
  });

  it('refuses another model and another board with the reason', async () => {
    const other = DEMO_RELEASES.find((r) => r.model === 'P16S200A')!;
    const wrongModel = preflight(await load(demoContainer(other)), PACK);
    expect(wrongModel.ok).toBe(false);
    if (!wrongModel.ok) expect(wrongModel.error.message).toMatch(/for model P16S200A, but the pack is a P16S100A/);
    const wrongBoard = preflight(await load(demoContainer(V110)), identityFromReplies({ version: 'P16S100A-31916-1.06' }));
    expect(wrongBoard.ok).toBe(false);
    if (!wrongBoard.ok) expect(wrongBoard.error.field).toBe('hardware compatibility');
  });

  it('refuses an empty placeholder and a payload over the flash', async () => {
    const tiny = buildFirmwareImage({ model: 'P16S100A', hardwareCompat: '*', firmwareVersion: '9.99', builtAt_s: 0 }, new Uint8Array(100));
    const small = preflight(await load(tiny), PACK);
    expect(small.ok || small.error.kind).toBe('too-small');
    const big = preflight(await load(demoContainer(V110)), PACK, { maxPayload_bytes: 64 * 1024 });
    expect(big.ok || big.error.kind).toBe('too-large');
  });

  it('a raw binary needs the explicit expert confirmation with a version, and nothing else gets past the model check', async () => {
    const raw = await load(demoPayload(V110), 'app.bin');
    const refused = preflight(raw, PACK);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.kind).toBe('needs-confirmation');
      expect(refused.error.message).toMatch(/does not say which pack model/);
    }
    const badVersion = preflight(raw, PACK, { rawConfirmation: { confirmed: true, version: '' } });
    expect(badVersion.ok).toBe(false);

    const ok = preflight(raw, PACK, { rawConfirmation: { confirmed: true, version: '1.10' }, now_s: 1_760_000_000 });
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.plan.override).toBe(true);
    expect(ok.plan.image).toMatchObject({ model: 'P16S100A', hardwareCompat: '1812', firmwareVersion: '1.10' });
    expect(Array.from(ok.plan.image.payload)).toEqual(Array.from(demoPayload(V110)));
    expect(ok.warnings[0]).toMatch(/Expert override/);

    // The confirmation does nothing for an identified image of another model.
    const other = DEMO_RELEASES.find((r) => r.model === 'P16S200A')!;
    const stillRefused = preflight(await load(demoContainer(other)), PACK, { rawConfirmation: { confirmed: true, version: '1.03A' } });
    expect(stillRefused.ok).toBe(false);
  });

  it('refuses every image for a pack that did not say its model', async () => {
    const result = preflight(await load(demoContainer(V110)), { model: '' });
    expect(result.ok).toBe(false);
  });
});

// The demo bank's firmware releases: real image files the simulated bootloader accepts, made the
// same way every time (no randomness, no clock), so the build, the tests and the bench all see
// the same bytes. scripts/firmware-images.ts writes them and their catalog to static/firmware/.
//
// The payload is laid out like a Cortex-M application: a vector table (initial stack pointer in
// RAM, handler addresses in the application's flash, Thumb bit set), the version string the
// firmware reports in C1H, then code-like bytes. Sizes are what a BMS application with a dozen
// inverter protocols takes on this MCU class (a PACE board uses an STM32H725, reference §15):
// about 190 KiB.

import { crc32, crc32Hex } from '../firmware/crc';
import { buildFirmwareImage } from '../firmware/image';
import type { ImageManifest, ReleaseNotes } from '../firmware/manifest';
import { buildPackage } from '../firmware/package';
import { sha256Hex } from '../firmware/sha256';

export interface DemoRelease {
  readonly model: string;
  /** Board patterns (identity.ts). */
  readonly hardware: string;
  /** The board written into the embedded version string. */
  readonly board: string;
  readonly version: string;
  readonly released: string;
  readonly payload_bytes: number;
  readonly notes: ReleaseNotes;
}

/** The demo bank's packs report "P16S100A-1812-1.00" (sim/bank.ts DEFAULT_FIRMWARE). */
export const DEMO_RELEASES: readonly DemoRelease[] = [
  {
    model: 'P16S100A',
    hardware: '1812',
    board: '1812',
    version: '1.06',
    released: '2025-03-14',
    payload_bytes: 187_316,
    notes: {
      en: 'Fixes the state of charge jumping after a full charge on packs past 300 cycles. The heater now switches with 3 °C of hysteresis instead of 1 °C.',
      'zh-CN': '修复循环超过 300 次的电池包在充满电后 SOC 跳变的问题。加热器的开关回差由 1 °C 改为 3 °C。'
    }
  },
  {
    model: 'P16S100A',
    hardware: '1812,21473',
    board: '1812',
    version: '1.10',
    released: '2025-11-20',
    payload_bytes: 198_372,
    notes: {
      en: 'Adds the Growatt and Deye CAN protocols. Balancing starts at a 30 mV spread instead of 50 mV. History records keep fault status 8. Includes the fixes of 1.06.',
      'zh-CN': '新增古瑞瓦特和德业 CAN 协议。均衡启动压差由 50 mV 改为 30 mV。历史记录保留故障状态 8。包含 1.06 的全部修复。'
    }
  },
  {
    model: 'P16S200A',
    hardware: '2147?',
    board: '21473',
    version: '1.03A',
    released: '2025-08-02',
    payload_bytes: 231_904,
    notes: {
      en: 'For the 200 Ah pack only: corrects the current reading above 150 A.',
      'zh-CN': '仅适用于 200 Ah 电池包：修正 150 A 以上的电流读数。'
    }
  }
];

/** Build time stamped into the containers: noon UTC on the release date. */
function builtAt_s(release: DemoRelease): number {
  return Date.parse(`${release.released}T12:00:00Z`) / 1000;
}

/** The file name a release is published under. */
export function demoFileName(release: DemoRelease, extension: 'pkfw' | 'pkpg' = 'pkfw'): string {
  return `${release.model}-${release.board}-${release.version}.${extension}`;
}

/** The application bytes of a release. */
export function demoPayload(release: DemoRelease): Uint8Array {
  const out = new Uint8Array(release.payload_bytes);
  const view = new DataView(out.buffer);
  const appBase = 0x0800_8000;
  // Vector table: initial SP at the top of 128 KiB of RAM, then 95 handlers (Thumb addresses).
  view.setUint32(0, 0x2002_0000, true);
  for (let v = 1; v < 96; v++) view.setUint32(v * 4, (appBase + 0x400 + v * 0x40) | 1, true);
  // The version string the application reports in C1H.
  const text = new TextEncoder().encode(`${release.model}-${release.board}-${release.version}\0${release.released}\0`);
  out.set(text, 0x180);
  // Code-like bytes: a linear congruential sequence seeded by the release, so each version differs.
  let x = crc32(new TextEncoder().encode(`${release.model}/${release.version}`));
  for (let i = 0x200; i < out.length; i++) {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The PKFW container of a release: what the catalog links to and the bootloader receives. */
export function demoContainer(release: DemoRelease): Uint8Array {
  return buildFirmwareImage(
    { model: release.model, hardwareCompat: release.hardware, firmwareVersion: release.version, builtAt_s: builtAt_s(release) },
    demoPayload(release)
  );
}

/** The release as a package file (container and manifest). */
export function demoPackage(release: DemoRelease): Promise<Uint8Array> {
  return buildPackage(demoContainer(release), { released: release.released, notes: release.notes });
}

export interface DemoCatalogFiles {
  /** catalog.json's text. */
  catalogJson: string;
  /** Every file the catalog and the demo offer, by name. */
  files: { name: string; bytes: Uint8Array }[];
}

/** The catalog (schema of catalog.ts) and the files it links to, plus one package per release. */
export async function demoCatalogFiles(): Promise<DemoCatalogFiles> {
  const files: { name: string; bytes: Uint8Array }[] = [];
  const releases: (Record<string, unknown> & { file: string })[] = [];
  for (const release of DEMO_RELEASES) {
    const container = demoContainer(release);
    const manifest: ImageManifest = {
      model: release.model,
      hardware: release.hardware,
      version: release.version,
      size_bytes: container.length,
      crc32: crc32Hex(crc32(container)),
      sha256: await sha256Hex(container),
      released: release.released,
      notes: release.notes
    };
    releases.push({
      model: manifest.model,
      hardware: manifest.hardware,
      version: manifest.version,
      released: manifest.released,
      file: demoFileName(release),
      size: manifest.size_bytes,
      crc32: manifest.crc32,
      sha256: manifest.sha256,
      notes: manifest.notes
    });
    files.push({ name: demoFileName(release), bytes: container });
    files.push({ name: demoFileName(release, 'pkpg'), bytes: await demoPackage(release) });
  }
  const catalog = {
    schema: 1,
    title: 'Demo bank firmware (simulated packs)',
    releases
  };
  return { catalogJson: `${JSON.stringify(catalog, null, 2)}\n`, files };
}

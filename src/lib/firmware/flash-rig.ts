// Test and bench support: a simulated bank behind the sim transport and the real client, with the
// cache, journal and guard an update uses, and a plan for an image. The update engine runs here
// exactly as in the app; only the pack is simulated.

import { PaceClient } from '../protocol/client';
import { readSoftwareVersion } from '../protocol/commands/info';
import { createSimBank, type SimBank, type SimBankOptions } from '../sim/bank';
import type { FlashLayout, BootloaderTiming } from '../sim/bootloader';
import type { SimPack } from '../sim/pack';
import { VirtualClock } from '../time/clock';
import { SimTransport } from '../transport/sim';
import { MemoryFirmwareCache, addLocalFile } from './cache';
import { FlashGuard, type BackupRef, type ParameterBackup } from './hooks';
import { buildFirmwareImage } from './image';
import { MemoryStorage, StorageFlashJournal } from './journal';
import { preflight, type FlashPlan } from './preflight';
import type { PackEndState } from './update-state';

export interface FlashRigOptions {
  packs?: number;
  baud?: number;
  seed?: string;
  layout?: FlashLayout;
  bootloaderTiming?: Partial<BootloaderTiming>;
  bank?: Partial<Omit<SimBankOptions, 'clock' | 'packCount' | 'seed' | 'baud' | 'bootloader'>>;
}

export interface FlashRig {
  clock: VirtualClock;
  bank: SimBank;
  transport: SimTransport;
  client: PaceClient;
  cache: MemoryFirmwareCache;
  journal: StorageFlashJournal;
  storage: MemoryStorage;
  guard: FlashGuard;
  /** Backups taken, in order, with the clock time and whether the pack was still running its application. */
  backups: { address: number; at_ms: number; packRunning: boolean }[];
  backup: ParameterBackup;
  /** Cache a file and plan it for a pack that reports `version` (default the demo pack's). */
  plan(bytes: Uint8Array, fileName: string, version?: string): Promise<FlashPlan>;
  pack(address: number): SimPack;
}

export async function createFlashRig(options: FlashRigOptions = {}): Promise<FlashRig> {
  const clock = new VirtualClock();
  const bank = createSimBank({
    packCount: options.packs ?? 2,
    seed: options.seed ?? 'flash',
    clock,
    baud: options.baud ?? 9600,
    bootloader: { layout: options.layout, timing: options.bootloaderTiming },
    ...options.bank
  });
  const transport = new SimTransport(bank, { clock });
  await transport.open();
  const client = new PaceClient(transport, { clock });
  const cache = new MemoryFirmwareCache();
  const storage = new MemoryStorage();
  const journal = new StorageFlashJournal(storage, { now_ms: () => 1_760_000_000_000 });
  const guard = new FlashGuard();
  const backups: FlashRig['backups'] = [];
  const pack = (address: number): SimPack => {
    const p = bank.packAt(address);
    if (!p) throw new RangeError(`no pack at ${address}`);
    return p;
  };
  const backup: ParameterBackup = {
    async snapshot(request): Promise<BackupRef> {
      // A real snapshot reads parameters through the lease: do one read so the test sees it works.
      await request.bus.call(readSoftwareVersion, request.address, {}, { signal: request.signal });
      backups.push({ address: request.address, at_ms: clock.now(), packRunning: pack(request.address).power === 'on' });
      return { id: `backup-${backups.length}`, label: `pack ${request.address}` };
    }
  };
  return {
    clock,
    bank,
    transport,
    client,
    cache,
    journal,
    storage,
    guard,
    backups,
    backup,
    pack,
    async plan(bytes, fileName, version = 'P16S100A-1812-1.00') {
      const { loaded } = await addLocalFile(cache, bytes, fileName, { now_ms: 1 });
      const [model, board] = version.split('-');
      const result = preflight(loaded, { model, board });
      if (!result.ok) throw result.error;
      return result.plan;
    }
  };
}

/** A container for the demo packs with a payload of `payload_bytes`, quick to send in tests. */
export function testImage(version: string, payload_bytes: number, hardware = '1812'): Uint8Array {
  const payload = new Uint8Array(payload_bytes);
  let x = 0x12345678 ^ payload_bytes;
  for (let i = 0; i < payload.length; i++) {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    payload[i] = x >>> 24;
  }
  return buildFirmwareImage({ model: 'P16S100A', hardwareCompat: hardware, firmwareVersion: version, builtAt_s: 1_760_000_000 }, payload);
}

/** Where the simulated pack really is, to hold a final snapshot's packState against. */
export function packTruth(
  bank: SimBank,
  address: number
): { state: 'application' | 'bootloader' | 'booting' | 'other'; version: string; appLost: boolean } {
  const pack = bank.packAt(address);
  if (!pack) throw new RangeError(`no pack at ${address}`);
  const state = bank.packInBootloader === pack ? 'bootloader' : pack.power === 'on' ? 'application' : pack.power === 'booting' ? 'booting' : 'other';
  return { state, version: pack.identity.firmwareVersion, appLost: bank.appLost(pack) };
}

/** The pack states a truth allows. */
export function statesFor(truth: ReturnType<typeof packTruth>, fromVersion: string, targetVersion: string): PackEndState[] {
  if (truth.state === 'bootloader') return truth.appLost ? ['in-bootloader'] : ['in-bootloader', 'unknown'];
  if (truth.version === fromVersion) return ['untouched', 'old-firmware'];
  if (truth.version === targetVersion) return ['new-firmware-unconfirmed'];
  return ['unexpected-version'];
}

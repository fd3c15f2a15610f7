// Test and benchmark support: a simulated bank behind the real SimTransport and PaceClient on a
// virtual clock, with in-memory snapshot store and write log and a WritePath over them. Not used
// by the app (the session builds its own from the storage layer).

import { PaceClient, type PaceClientOptions } from '../protocol/client';
import { createSimBank, type SimBank, type SimBankOptions } from '../sim/bank';
import { VirtualClock } from '../time/clock';
import { SimTransport } from '../transport/sim';
import type { PackRef } from './bus';
import { readPackParams, type PackParamRead } from './reader';
import { MemorySnapshotStore, MemoryWriteLog } from './stores';
import { WritePath, type WritePathOptions } from './write-path';

/** Wall-clock time the rig's virtual clock starts at (2025-06-01 08:00 UTC). */
export const RIG_EPOCH_ms = Date.UTC(2025, 5, 1, 8, 0, 0);

export interface ParamRig {
  clock: VirtualClock;
  bank: SimBank;
  transport: SimTransport;
  client: PaceClient;
  snapshots: MemorySnapshotStore;
  log: MemoryWriteLog;
  path: WritePath;
  /** Drive the virtual clock until the promise settles. */
  run<T>(p: Promise<T>): Promise<T>;
  /** Read every group of one pack (its own lease). */
  read(address: number): Promise<PackParamRead>;
  /** Address and serial of a pack, as the editor would know them after a read. */
  ref(address: number): PackRef;
  dispose(): void;
}

export async function createParamRig(
  o: {
    packCount?: number;
    bank?: Partial<SimBankOptions>;
    client?: PaceClientOptions;
    permit?: WritePathOptions['permit'];
  } = {}
): Promise<ParamRig> {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: o.packCount ?? 3, seed: 'params', clock, realTimeStep_ms: 0, ...o.bank });
  const transport = new SimTransport(bank, { clock });
  await transport.open();
  const client = new PaceClient(transport, { clock, ...o.client });
  const snapshots = new MemorySnapshotStore();
  const log = new MemoryWriteLog();
  const wallClock = () => RIG_EPOCH_ms + clock.now();
  const path = new WritePath({ bus: client, snapshots, log, wallClock, permit: o.permit });
  const run = <T>(p: Promise<T>) => clock.run(p);
  return {
    clock,
    bank,
    transport,
    client,
    snapshots,
    log,
    path,
    run,
    read: (address) => run(client.exclusive((bus) => readPackParams(bus, address, { clock }))),
    ref: (address) => {
      const pack = bank.packAt(address);
      if (!pack) throw new RangeError(`no pack at address ${address}`);
      return { address, bmsSerial: pack.identity.bmsSerial };
    },
    dispose: () => bank.dispose()
  };
}

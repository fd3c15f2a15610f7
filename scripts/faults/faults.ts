// The seven faults of the matrix, each as the simulator injects it (sim/bank.ts Fault), aimed at the
// pack a workload works on and started at the moment the workload chooses (its trigger). Each
// fault ends by itself after its duration (rates back to 0, cable back in, link cable back),
// except a reboot, which ends when the pack has booted.

import type { World } from './world';

export type FaultId = 'dropped-bytes' | 'flipped-bits' | 'noise-bursts' | 'stall-2s' | 'unplug-mid-frame' | 'pack-reboot' | 'slave-offline';

export const FAULT_IDS: readonly FaultId[] = [
  'dropped-bytes',
  'flipped-bits',
  'noise-bursts',
  'stall-2s',
  'unplug-mid-frame',
  'pack-reboot',
  'slave-offline'
];

export interface FaultSpec {
  id: FaultId;
  /** What it does, for the report. */
  describe(target: number): string;
  /** Start it now. Returns a promise that resolves when the fault is over (rates off, cable back). */
  start(world: World, target: number): Promise<void>;
}

/** How long the line faults (rates, noise) and outages (cable, link cable) last. */
export const LINE_FAULT_ms = 6000;
export const OUTAGE_ms = 4000;
const STALL_ms = 2000;

/** Resolve after `ms` of the world's virtual time (a timer, so the watch sees the end). */
function after(world: World, ms: number): Promise<void> {
  return new Promise((resolve) => world.clock.setTimeout(resolve, ms));
}

/** Resolve when the next bytes of a reply reach the host (so a fault lands mid-frame). */
function nextReplyBytes(world: World): Promise<void> {
  return new Promise((resolve) => {
    const off = world.bank.onOutput(() => {
      off();
      resolve();
    });
  });
}

const SPECS: Record<FaultId, FaultSpec> = {
  'dropped-bytes': {
    id: 'dropped-bytes',
    describe: () => `3 % of reply bytes and 1 % of request bytes dropped for ${LINE_FAULT_ms / 1000} s`,
    async start(world) {
      world.bank.inject({ kind: 'byte-errors', dropRate: 0.03, requestDropRate: 0.01 });
      await after(world, LINE_FAULT_ms);
      world.bank.inject({ kind: 'byte-errors', dropRate: 0, requestDropRate: 0 });
    }
  },
  'flipped-bits': {
    id: 'flipped-bits',
    describe: () => `one bit flipped in 1 % of reply bytes and 0.5 % of request bytes for ${LINE_FAULT_ms / 1000} s`,
    async start(world) {
      world.bank.inject({ kind: 'byte-errors', flipRate: 0.01, requestFlipRate: 0.005 });
      await after(world, LINE_FAULT_ms);
      world.bank.inject({ kind: 'byte-errors', flipRate: 0, requestFlipRate: 0 });
    }
  },
  'noise-bursts': {
    id: 'noise-bursts',
    describe: () => `a 150 ms burst of garbage every 600 ms for ${LINE_FAULT_ms / 1000} s`,
    async start(world) {
      const end = world.clock.now() + LINE_FAULT_ms;
      while (world.clock.now() < end) {
        world.bank.inject({ kind: 'noise', duration_ms: 150 });
        await after(world, 600);
      }
    }
  },
  'stall-2s': {
    id: 'stall-2s',
    describe: () => `the bank's output frozen for ${STALL_ms / 1000} s in the middle of a reply`,
    async start(world) {
      await nextReplyBytes(world);
      world.bank.inject({ kind: 'stall', duration_ms: STALL_ms });
      await after(world, STALL_ms);
    }
  },
  'unplug-mid-frame': {
    id: 'unplug-mid-frame',
    describe: () => `the USB cable pulled 7 bytes into a reply, plugged back ${OUTAGE_ms / 1000} s later`,
    async start(world) {
      await new Promise<void>((resolve) => {
        const off = world.bank.onLink((e) => {
          if (e !== 'unplugged') return;
          off();
          resolve();
        });
        world.bank.inject({ kind: 'unplug', afterBytes: 7 });
      });
      await after(world, OUTAGE_ms);
      world.bank.inject({ kind: 'replug' });
    }
  },
  'pack-reboot': {
    id: 'pack-reboot',
    describe: (target) => `pack ${target} power-cycled as the answer to a request starts (silent while it boots)`,
    async start(world, target) {
      // Right after the pack took the request: a write is applied, its confirmation is not.
      await nextReplyBytes(world);
      world.bank.inject({ kind: 'reboot', address: target });
      const pack = world.bank.packAt(target)!;
      await after(world, pack.bootTime_ms + 250);
    }
  },
  'slave-offline': {
    id: 'slave-offline',
    describe: (target) => `pack ${target}'s link cable out for ${OUTAGE_ms / 1000} s`,
    async start(world, target) {
      world.bank.inject({ kind: 'link-cable', address: target, connected: false });
      await after(world, OUTAGE_ms);
      world.bank.inject({ kind: 'link-cable', address: target, connected: true });
    }
  }
};

export function faultSpec(id: FaultId): FaultSpec {
  return SPECS[id];
}

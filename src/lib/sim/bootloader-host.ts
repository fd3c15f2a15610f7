// The bank's side of a pack's bootloader: which pack's bootloader owns the serial line after FF 50
// (or a forced entry), the line faults aimed at firmware blocks, and which packs lost their
// application in a single-bank transfer that never finished (they come back in their bootloader
// after a power cycle). The bank routes host bytes here while a bootloader is active.

import type { UpgradeRestoreSelection } from '../protocol/commands/system';
import { blockSizeFor, blockWireLength } from '../firmware/ymodem-block';
import type { Clock } from '../time/clock';
import type { Unsubscribe } from '../transport/types';
import { SimBootloader, type BootloaderTiming, type FlashLayout } from './bootloader';
import type { SimPack } from './pack';
import type { SimWire } from './wire';

/** FF 50's restore bits when the bootloader starts without FF 50 (power cycle, forced entry). */
export const NO_RESTORE: UpgradeRestoreSelection = { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false };

export interface BootloaderOptions {
  /** Default 'dual-bank'. */
  layout?: FlashLayout;
  timing?: Partial<BootloaderTiming>;
}

/** A fault on one firmware-transfer block; see the bank's 'upgrade-block' fault. */
export interface BlockFault {
  /** Data block, counted from 1 (not wrapped at 256). */
  block: number;
  action: 'drop' | 'flip' | 'stall';
  /** Sends of that block still to hit. */
  left: number;
  stall_ms: number;
}

export interface BootloaderHostOptions {
  clock: Clock;
  wire: SimWire;
  bootloader: BootloaderOptions;
  /** The bank's simulated time, for the pack's reboot. */
  simTime_ms: () => number;
  /** The line changes hands (application <-> bootloader): drop partial frames. */
  onHandover: () => void;
}

export class BootloaderHost {
  readonly #o: BootloaderHostOptions;
  #active: { pack: SimPack; loader: SimBootloader; unsubscribe: Unsubscribe } | null = null;
  readonly #appLost = new Set<SimPack>();
  #faults: BlockFault[] = [];
  /** Host bytes held by a 'stall' fault; later bytes queue behind them (the line is FIFO). */
  #stalled: Uint8Array[] | null = null;
  /** Data blocks seen since the current file's block 0, and the last sequence number. */
  #blockIndex = 0;
  #lastSeq = -1;

  constructor(options: BootloaderHostOptions) {
    this.#o = options;
  }

  get loader(): SimBootloader | null {
    return this.#active?.loader ?? null;
  }

  get pack(): SimPack | null {
    return this.#active?.pack ?? null;
  }

  appLost(pack: SimPack): boolean {
    return this.#appLost.has(pack);
  }

  addFault(fault: { block: number; action: BlockFault['action']; count?: number; stall_ms?: number }): void {
    if (!Number.isInteger(fault.block) || fault.block < 1)
      throw new RangeError(`upgrade-block: block must be a whole number >= 1, got ${fault.block}`);
    const count = fault.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`upgrade-block: count must be a whole number >= 1, got ${count}`);
    this.#faults.push({ block: fault.block, action: fault.action, left: count, stall_ms: fault.stall_ms ?? 4000 });
  }

  /** A power cycle of `pack`: it leaves its bootloader, and boots it again if it has no application. */
  powerCycle(pack: SimPack): void {
    if (this.#active?.pack === pack) this.leave();
    if (this.#appLost.has(pack)) this.enter(pack, NO_RESTORE);
    else pack.reboot(this.#o.simTime_ms());
  }

  /** The manual's forced entry: the pack restarts into its bootloader. */
  force(pack: SimPack): void {
    if (this.#active?.pack === pack) return;
    if (this.#active) this.leave();
    this.enter(pack, NO_RESTORE);
  }

  /** FF 50 accepted (or forced): `pack`'s bootloader takes the line. */
  enter(pack: SimPack, restore: UpgradeRestoreSelection): void {
    if (this.#active) return;
    const { clock, wire, bootloader } = this.#o;
    pack.enterBootloader();
    this.#o.onHandover();
    this.#stalled = null;
    this.#blockIndex = 0;
    this.#lastSeq = -1;
    const loader = new SimBootloader({
      clock,
      baud: wire.baud,
      currentImage: null,
      appValid: !this.#appLost.has(pack),
      model: pack.identity.model,
      board: pack.identity.board,
      layout: bootloader.layout,
      timing: bootloader.timing,
      onCommit: (image) => {
        pack.identity.firmwareVersion = image.firmwareVersion;
        this.#appLost.delete(pack);
        pack.applyUpgradeRestore(restore);
      },
      onExit: () => {
        // Let the bootloader's last bytes leave before the application takes the UART back.
        clock.setTimeout(
          () => {
            if (this.#active?.loader !== loader) return;
            this.leave();
            pack.reboot(this.#o.simTime_ms());
          },
          Math.max(0, wire.deviceFree_ms - clock.now())
        );
      }
    });
    const unsubscribe = loader.onOutput((bytes) => {
      // The first block written over a single-bank application loses it until a verified image.
      if (!loader.appValid) this.#appLost.add(pack);
      // With its link cable out, the bootloader talks to nobody.
      if (pack.linkUp) wire.toHost(bytes, 0);
    });
    this.#active = { pack, loader, unsubscribe };
  }

  /** The bootloader stops (exit, power cut, bank disposed). */
  leave(): void {
    const active = this.#active;
    if (!active) return;
    this.#active = null;
    if (!active.loader.appValid) this.#appLost.add(active.pack);
    active.unsubscribe();
    active.loader.close();
    this.#o.onHandover();
  }

  /** Host bytes for the bootloader, through any block fault. One host write arrives as one chunk. */
  deliver(chunk: Uint8Array): void {
    const loader = this.#active?.loader;
    if (!loader || !this.#active?.pack.linkUp) return;
    if (this.#stalled) {
      this.#stalled.push(chunk);
      return;
    }
    const size = blockSizeFor(chunk[0]);
    if (size === null || chunk.length !== blockWireLength(size)) {
      loader.handle(chunk);
      return;
    }
    // Block 0 starts (or ends) a file; a data block with a new sequence number is the next block,
    // one with the same number a resend of it.
    const seq = chunk[1];
    if (seq === 0) this.#blockIndex = 0;
    else if (seq !== this.#lastSeq) this.#blockIndex++;
    this.#lastSeq = seq;
    const fault = this.#faults.find((f) => f.block === this.#blockIndex && f.left > 0);
    if (!fault) {
      loader.handle(chunk);
      return;
    }
    fault.left--;
    this.#faults = this.#faults.filter((f) => f.left > 0);
    switch (fault.action) {
      case 'drop':
        return;
      case 'flip': {
        const bad = chunk.slice();
        bad[3 + (size >> 1)] ^= 0x20;
        loader.handle(bad);
        return;
      }
      case 'stall': {
        const held = [chunk];
        this.#stalled = held;
        this.#o.clock.setTimeout(() => {
          if (this.#stalled === held) this.#stalled = null;
          if (this.#active?.loader !== loader) return;
          for (const c of held) loader.handle(c);
        }, fault.stall_ms);
        return;
      }
    }
  }
}

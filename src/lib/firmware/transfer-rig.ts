// Test support: a host and a simulated bootloader joined by an in-memory serial line with wire
// timing (bits per byte at the baud rate, one byte at a time per direction) and fault hooks.
// Used by the transfer tests here and meant for the update state machine's tests; the app's
// own sim transport is a separate thing.

import { SimBootloader, type BootloaderExitReason, type SimBootloaderOptions } from '../sim/bootloader';
import type { Clock } from '../time/clock';
import { ByteQueue, type ByteIo } from './byte-io';
import type { FirmwareImage } from './image';

/**
 * Rewrites bytes in flight: gets a chunk and the time its first byte went on the wire, returns
 * what arrives (fewer bytes to drop, changed bytes to corrupt).
 */
export type LaneFault = (bytes: Uint8Array, start_ms: number, byte_ms: number) => Uint8Array;

/** One direction of the line. */
export class WireLane {
  fault: LaneFault | null = null;
  /** Chunks handed to the line, before faults. */
  readonly sent: Uint8Array[] = [];
  readonly #clock: Clock;
  readonly #byte_ms: number;
  readonly #deliver: (bytes: Uint8Array) => void;
  #busyUntil_ms = 0;

  constructor(clock: Clock, byte_ms: number, deliver: (bytes: Uint8Array) => void) {
    this.#clock = clock;
    this.#byte_ms = byte_ms;
    this.#deliver = deliver;
  }

  /** Queue bytes on the line; they arrive, all at once, when the last one has been shifted out. */
  send(bytes: Uint8Array): void {
    const copy = bytes.slice();
    this.sent.push(copy);
    const start_ms = Math.max(this.#clock.now(), this.#busyUntil_ms);
    const end_ms = start_ms + copy.length * this.#byte_ms;
    this.#busyUntil_ms = end_ms;
    this.#clock.setTimeout(() => {
      const arrived = this.fault ? this.fault(copy, start_ms, this.#byte_ms) : copy;
      if (arrived.length > 0) this.#deliver(arrived);
    }, end_ms - this.#clock.now());
  }
}

/** A fault that loses every byte on the wire during [from_ms, to_ms). */
export function deadBetween(from_ms: number, to_ms: number): LaneFault {
  return (bytes, start_ms, byte_ms) =>
    bytes.filter((_, i) => {
      const at = start_ms + i * byte_ms;
      return at < from_ms || at >= to_ms;
    });
}

/** A fault that applies `edit` to the n-th chunk (1-based) for which `match` is true. */
export function onNthMatching(n: number, match: (bytes: Uint8Array) => boolean, edit: (bytes: Uint8Array) => Uint8Array): LaneFault {
  let seen = 0;
  return (bytes) => (match(bytes) && ++seen === n ? edit(bytes) : bytes);
}

export interface TransferRigOptions {
  clock: Clock;
  /** Default 9600. */
  baud?: number;
  bootloader: Omit<SimBootloaderOptions, 'clock' | 'baud' | 'onCommit' | 'onExit'>;
}

export interface TransferRig {
  bootloader: SimBootloader;
  /** The host's end of the line. */
  io: ByteIo;
  toDevice: WireLane;
  toHost: WireLane;
  /** Every image the bootloader committed, in order. */
  commits: FirmwareImage[];
  exits: BootloaderExitReason[];
}

export function createTransferRig(options: TransferRigOptions): TransferRig {
  const baud = options.baud ?? 9600;
  const byte_ms = (10 * 1000) / baud;
  const commits: FirmwareImage[] = [];
  const exits: BootloaderExitReason[] = [];
  const bootloader = new SimBootloader({
    ...options.bootloader,
    clock: options.clock,
    baud,
    onCommit: (image) => commits.push(image),
    onExit: (reason) => exits.push(reason)
  });
  const queue = new ByteQueue(options.clock);
  const toDevice = new WireLane(options.clock, byte_ms, (bytes) => bootloader.handle(bytes));
  const toHost = new WireLane(options.clock, byte_ms, (bytes) => queue.push(bytes));
  bootloader.onOutput((bytes) => toHost.send(bytes));
  const io: ByteIo = {
    write: async (bytes) => toDevice.send(bytes),
    read: (timeout_ms, signal) => queue.read(timeout_ms, signal),
    discardInput: () => queue.clear()
  };
  return { bootloader, io, toDevice, toHost, commits, exits };
}

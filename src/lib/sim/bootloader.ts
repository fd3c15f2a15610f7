// The simulated pack bootloader that runs after the FF 50 entry command: a YMODEM-1K (CRC-16)
// receiver driven only by bytes, as the real one would be over the wire.
//
// The real transfer protocol is not published (reference §15); YMODEM-1K with CRC-16 is our
// documented assumption (design.md). What matters for the updater is the contract this models:
//   - after the reset into the bootloader it asks for a transfer with 'C', then every second;
//   - a bad or short block is NAKed, a repeated block (our ACK was lost) is ACKed and ignored;
//   - each good block is programmed (blockWrite_ms) before it is ACKed;
//   - the image header in the first data block is checked (model, board, size) before anything
//     is erased, and a wrong image is refused at once with CAN CAN;
//   - flash layout 'dual-bank' (default): blocks go to the inactive bank, the running image stays
//     intact, and the banks swap only when the whole image verifies. 'single-bank': blocks
//     overwrite the application in place, so from the first written block until a verified image
//     the pack has no application and its bootloader waits for an image for ever (the case the
//     vendor manual's forced-bootloader procedure exists for);
//   - a complete image is verified (CRCs, model, board) before it counts; refused with CAN CAN
//     otherwise, and the bootloader waits for a new transfer;
//   - a transfer whose host goes silent is discarded and the bootloader waits again;
//   - an empty batch (end-of-batch block 0) while waiting means "no image": it leaves and the
//     application boots, when there is a valid one;
//   - with no transfer for a long while it leaves too, again only to a valid application.

import { FirmwareError } from '../firmware/errors';
import { checkCompatibility } from '../firmware/identity';
import { DEFAULT_MAX_PAYLOAD_BYTES, IMAGE_HEADER_BYTES, parseFirmwareImage, parseImageHeader, type FirmwareImage } from '../firmware/image';
import { ACK, CAN, CRC_REQUEST, EOT, NAK, blockSizeFor, blockWireLength, checkBlock, parseHeaderBlock } from '../firmware/ymodem-block';
import type { Clock, TimerId } from '../time/clock';
import type { Unsubscribe } from '../transport/types';

export type BootloaderState =
  /** Sending 'C' every second, waiting for block 0. */
  | 'waiting'
  /** A file is coming in. */
  | 'receiving'
  /** The whole file is in; checking it before it counts. */
  | 'verifying'
  /** The new image is in flash; closing the batch, then exiting. */
  | 'committed'
  /** Exited without a new image (idle timeout, or the host ended the batch): the old firmware boots. */
  | 'failed';

export type BootloaderExitReason =
  /** A verified image is in flash. */
  | 'committed'
  /** No transfer for idleTimeout_ms, and the application is intact. */
  | 'timeout'
  /** The host sent an empty batch while nothing was transferring, and the application is intact. */
  | 'ended-by-host';

/**
 * Where received blocks are written. 'dual-bank': to the bank not running, swapped in only once
 * verified (the old image survives every failure). 'single-bank': over the application in place.
 */
export type FlashLayout = 'dual-bank' | 'single-bank';

export interface BootloaderTiming {
  /** From the reset into the bootloader (or the end of a refused transfer) to the first 'C'. Default 50 ms. */
  start_ms: number;
  /** Between two 'C' requests while waiting. Default 1000 ms. */
  crcRequestInterval_ms: number;
  /** No transfer started for this long: exit and boot the old firmware. Default 120 000 ms. */
  idleTimeout_ms: number;
  /** Host silent this long in a transfer: discard it and wait again. Default 10 000 ms. */
  abandonAfter_ms: number;
  /** Silence inside a block (a byte was lost) before it is NAKed. Default max(1000, 64 byte times). */
  interByteTimeout_ms: number;
  /**
   * Programming one data block (page erase and write) before its ACK. Default 20 ms: a 1 KiB page
   * on a Cortex-M class part (erase ~10 ms, program ~10 ms).
   */
  blockWrite_ms: number;
  /** Time to check the complete image. Default 500 ms. */
  verify_ms: number;
  /** After commit, how long to wait for the end-of-batch block before exiting. Default 5000 ms. */
  batchEndTimeout_ms: number;
}

export interface SimBootloaderOptions {
  clock: Clock;
  /** Link baud rate, for the inter-byte timeout. Default 9600. */
  baud?: number;
  /** What is in flash now; stays there unless a verified image replaces it. */
  currentImage: FirmwareImage | null;
  /** This pack's model, e.g. "P16S100A"; images for other models are refused. */
  model: string;
  /** Board revision ("1812"); when given, the image must list it. */
  board?: string | null;
  /** Application flash in bytes. Default DEFAULT_MAX_PAYLOAD_BYTES. */
  flashSize_bytes?: number;
  /** Default 'dual-bank'. */
  layout?: FlashLayout;
  /** Whether the application in flash is whole when the bootloader starts. Default true. */
  appValid?: boolean;
  timing?: Partial<BootloaderTiming>;
  onCommit(image: FirmwareImage): void;
  onExit(reason: BootloaderExitReason): void;
}

/** What is coming in, for tests and the debug view. */
export interface BootloaderTransfer {
  readonly name: string;
  readonly size_bytes: number;
  readonly received_bytes: number;
  readonly blocks: number;
}

type TimerName =
  /** The next 'C' while waiting. */
  | 'crc'
  | 'idle'
  | 'abandon'
  | 'interByte'
  /** Verification, then the wait for the end of the batch. */
  | 'step'
  /** Programming a block. */
  | 'write';

interface Staging {
  name: string;
  size_bytes: number;
  data: Uint8Array;
  /** Data bytes received, padding of the last block included. */
  received_bytes: number;
  blocks: number;
  lastSeq: number;
  eots: number;
  /** The image header (first data block) passed its checks. */
  headerChecked: boolean;
}

export class SimBootloader {
  readonly #clock: Clock;
  readonly #timing: BootloaderTiming;
  readonly #model: string;
  readonly #board: string | null;
  readonly #flashSize_bytes: number;
  readonly #layout: FlashLayout;
  readonly #onCommit: (image: FirmwareImage) => void;
  readonly #onExit: (reason: BootloaderExitReason) => void;
  readonly #listeners = new Set<(bytes: Uint8Array) => void>();

  #state: BootloaderState = 'waiting';
  #flash: FirmwareImage | null;
  #appValid: boolean;
  #staging: Staging | null = null;
  #lastRefusal: FirmwareError | null = null;
  #exitReason: BootloaderExitReason | null = null;

  /** A block being collected (header byte included) and how much of it has arrived. */
  #block: Uint8Array | null = null;
  #blockFill = 0;
  /** Swallowing garbage until the line goes quiet, then NAK. */
  #purging = false;
  #canSeen = false;
  /** Programming a block: input waits here, as a UART's receive buffer holds it. */
  #writing = false;
  #held: Uint8Array[] = [];

  #lastAbort: string | null = null;
  /** Exited or closed: no more input, output or timers. */
  #stopped = false;
  readonly #timers = new Map<TimerName, TimerId>();

  constructor(options: SimBootloaderOptions) {
    const baud = options.baud ?? 9600;
    if (!(baud > 0)) throw new RangeError(`baud must be positive, got ${baud}`);
    this.#clock = options.clock;
    this.#timing = {
      start_ms: 50,
      crcRequestInterval_ms: 1000,
      idleTimeout_ms: 120_000,
      abandonAfter_ms: 10_000,
      interByteTimeout_ms: Math.max(1000, Math.ceil((64 * 10 * 1000) / baud)),
      blockWrite_ms: 20,
      verify_ms: 500,
      batchEndTimeout_ms: 5000,
      ...options.timing
    };
    for (const [name, value] of Object.entries(this.#timing)) {
      if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`timing.${name} must be a non-negative number, got ${value}`);
    }
    this.#model = options.model;
    this.#board = options.board ?? null;
    this.#flashSize_bytes = options.flashSize_bytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.#layout = options.layout ?? 'dual-bank';
    this.#flash = options.currentImage;
    this.#appValid = options.appValid ?? true;
    this.#onCommit = options.onCommit;
    this.#onExit = options.onExit;
    this.#enterWaiting(this.#timing.start_ms);
  }

  get state(): BootloaderState {
    return this.#state;
  }

  get timing(): Readonly<BootloaderTiming> {
    return this.#timing;
  }

  get layout(): FlashLayout {
    return this.#layout;
  }

  /** The image in flash: the one given at start until a verified image replaces it; null once erased. */
  get flash(): FirmwareImage | null {
    return this.#flash;
  }

  /**
   * Whether flash holds a whole application the pack can boot. Only a single-bank layout loses it,
   * from the first block written until an image verifies.
   */
  get appValid(): boolean {
    return this.#appValid;
  }

  /** Why the last transfer was refused (image checks); null if none was. */
  get lastRefusal(): FirmwareError | null {
    return this.#lastRefusal;
  }

  /** Why the last transfer was given up for a line problem (bad sequence, excess data); null if none was. */
  get lastAbort(): string | null {
    return this.#lastAbort;
  }

  get exitReason(): BootloaderExitReason | null {
    return this.#exitReason;
  }

  get transfer(): BootloaderTransfer | null {
    const s = this.#staging;
    return s && { name: s.name, size_bytes: s.size_bytes, received_bytes: Math.min(s.received_bytes, s.size_bytes), blocks: s.blocks };
  }

  /** Bytes the bootloader sends to the host. */
  onOutput(listener: (bytes: Uint8Array) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Bytes from the host, in any chunking. Ignored once the bootloader has exited. */
  handle(bytes: Uint8Array): void {
    if (this.#stopped || bytes.length === 0) return;
    if (this.#writing) {
      this.#held.push(bytes.slice());
      return;
    }
    for (let i = 0; i < bytes.length && !this.#stopped; i++) {
      this.#byte(bytes[i]);
      if (this.#writing) {
        // The rest waits until the block is programmed.
        if (i + 1 < bytes.length) this.#held.push(bytes.slice(i + 1));
        return;
      }
    }
    this.#afterInput();
  }

  /** Stop all timers without exiting (the simulated pack was switched off). */
  close(): void {
    this.#stopped = true;
    this.#clearAll();
    this.#listeners.clear();
  }

  #afterInput(): void {
    if (this.#stopped) return;
    if (this.#block || this.#purging) this.#arm('interByte', this.#timing.interByteTimeout_ms, () => this.#onLineQuiet());
    else this.#clear('interByte');
    if (this.#state === 'receiving') this.#arm('abandon', this.#timing.abandonAfter_ms, () => this.#enterWaiting());
  }

  #byte(b: number): void {
    if (this.#block) {
      this.#block[this.#blockFill++] = b;
      if (this.#blockFill === this.#block.length) this.#blockComplete();
      return;
    }
    if (this.#purging || this.#state === 'verifying') return;
    const size = blockSizeFor(b);
    if (size !== null) {
      this.#canSeen = false;
      this.#block = new Uint8Array(blockWireLength(size));
      this.#block[0] = b;
      this.#blockFill = 1;
      return;
    }
    if (b === CAN) {
      if (this.#canSeen) this.#hostCancelled();
      else this.#canSeen = true;
      return;
    }
    this.#canSeen = false;
    if (b === EOT) {
      if (this.#state === 'receiving') this.#endOfFile();
      // Our ACK of the final EOT was lost and the host asks again.
      else if (this.#state === 'committed') this.#send(ACK);
      return;
    }
    // Noise inside a transfer may hide the start of a block: let it pass, then ask again.
    if (this.#state === 'receiving') this.#purging = true;
  }

  #blockComplete(): void {
    const raw = this.#block!;
    this.#block = null;
    this.#clear('interByte');
    const check = checkBlock(raw);
    if (!check.ok) {
      this.#send(NAK);
      return;
    }
    switch (this.#state) {
      case 'waiting':
        if (check.seq === 0) this.#headerBlock(check.data);
        // A data block while waiting belongs to a transfer we already dropped: tell the host now.
        else this.#send(CAN, CAN);
        return;
      case 'receiving':
        this.#dataBlock(check.seq, check.data);
        return;
      case 'committed':
        if (check.seq === 0) {
          this.#send(ACK);
          this.#exit('committed');
        }
        return;
    }
  }

  #headerBlock(data: Uint8Array): void {
    const header = parseHeaderBlock(data);
    if (header.name === '') {
      // An empty batch: the host has nothing to send. Leave for the application if there is one.
      this.#send(ACK);
      if (this.#appValid) this.#exit('ended-by-host');
      return;
    }
    if (header.size_bytes === null) {
      this.#refuse(
        new FirmwareError(
          'unsupported-header',
          `Block 0 for "${header.name}" carries no file size; this bootloader needs it to know where the image ends.`,
          { field: 'block 0 size' }
        )
      );
      return;
    }
    const limit_bytes = this.#flashSize_bytes + IMAGE_HEADER_BYTES;
    if (header.size_bytes > limit_bytes) {
      this.#refuse(
        new FirmwareError('too-large', `The file "${header.name}" is ${header.size_bytes} bytes; at most ${limit_bytes} fit this pack's flash.`, {
          field: 'block 0 size',
          found: String(header.size_bytes),
          expected: `at most ${limit_bytes}`
        })
      );
      return;
    }
    this.#staging = {
      name: header.name,
      size_bytes: header.size_bytes,
      data: new Uint8Array(header.size_bytes),
      received_bytes: 0,
      blocks: 0,
      lastSeq: 0,
      eots: 0,
      headerChecked: false
    };
    this.#state = 'receiving';
    this.#clear('crc');
    this.#clear('idle');
    this.#send(ACK, CRC_REQUEST);
  }

  #dataBlock(seq: number, data: Uint8Array): void {
    const s = this.#staging!;
    if (seq === s.lastSeq) {
      // The host did not hear our ACK and sent the block again. Before any data, that block is
      // block 0, which also wants its 'C'.
      if (s.blocks === 0) this.#send(ACK, CRC_REQUEST);
      else this.#send(ACK);
      return;
    }
    if (seq !== ((s.lastSeq + 1) & 0xff)) {
      this.#abortTransfer(`block number ${seq} arrived where ${(s.lastSeq + 1) & 0xff} was due`);
      return;
    }
    if (s.received_bytes >= s.size_bytes) {
      this.#abortTransfer(`block ${s.blocks + 1} is beyond the announced ${s.size_bytes} bytes`);
      return;
    }
    const take = Math.min(data.length, s.size_bytes - s.received_bytes);
    s.data.set(data.subarray(0, take), s.received_bytes);
    if (!s.headerChecked && s.received_bytes + take >= Math.min(IMAGE_HEADER_BYTES, s.size_bytes)) {
      // The image header is in: refuse a wrong image now, before a single page is erased.
      const refusal = this.#checkHeader(s.data.subarray(0, s.received_bytes + take));
      if (refusal) {
        this.#refuse(refusal);
        return;
      }
      s.headerChecked = true;
    }
    const accept = () => {
      // A single-bank part overwrites the running application: from here it has none.
      if (this.#layout === 'single-bank' && this.#appValid) {
        this.#appValid = false;
        this.#flash = null;
      }
      s.received_bytes += data.length;
      s.blocks++;
      s.lastSeq = seq;
      this.#send(ACK);
    };
    if (this.#timing.blockWrite_ms <= 0) {
      accept();
      return;
    }
    this.#writing = true;
    this.#clear('abandon');
    this.#arm('write', this.#timing.blockWrite_ms, () => {
      this.#writing = false;
      accept();
      const held = this.#held.splice(0);
      if (held.length === 0) this.#afterInput();
      for (const chunk of held) this.handle(chunk);
    });
  }

  /** The image header from the first data block; null when it fits this pack. */
  #checkHeader(first: Uint8Array): FirmwareError | null {
    try {
      const header = parseImageHeader(first, { maxPayload_bytes: this.#flashSize_bytes });
      const fit = checkCompatibility(header, { model: this.#model, board: this.#board });
      return fit.ok ? null : fit.error;
    } catch (e) {
      if (e instanceof FirmwareError) return e;
      throw e;
    }
  }

  #endOfFile(): void {
    const s = this.#staging!;
    s.eots++;
    // YMODEM: the first EOT is answered with NAK so a stray EOT byte cannot end a file.
    if (s.eots === 1) {
      this.#send(NAK);
      return;
    }
    this.#state = 'verifying';
    this.#clear('abandon');
    this.#arm('step', this.#timing.verify_ms, () => this.#verify());
  }

  #verify(): void {
    const s = this.#staging!;
    if (s.received_bytes < s.size_bytes) {
      this.#refuse(
        new FirmwareError('truncated', `The transfer ended after ${s.received_bytes} of ${s.size_bytes} bytes.`, {
          field: 'file length',
          found: String(s.received_bytes),
          expected: String(s.size_bytes)
        })
      );
      return;
    }
    let image: FirmwareImage;
    try {
      image = parseFirmwareImage(s.data, { maxPayload_bytes: this.#flashSize_bytes });
    } catch (e) {
      if (!(e instanceof FirmwareError)) throw e;
      this.#refuse(e);
      return;
    }
    const fit = checkCompatibility(image, { model: this.#model, board: this.#board });
    if (!fit.ok) {
      this.#refuse(fit.error);
      return;
    }
    // Dual bank: the banks swap now. Single bank: the image is already in place.
    this.#flash = image;
    this.#appValid = true;
    this.#staging = null;
    this.#state = 'committed';
    this.#onCommit(image);
    if (this.#stopped) return;
    this.#send(ACK, CRC_REQUEST);
    this.#arm('step', this.#timing.batchEndTimeout_ms, () => this.#exit('committed'));
  }

  /** Refuse a transfer: tell the host, wait for a new transfer. Flash keeps what it has. */
  #refuse(error: FirmwareError): void {
    this.#lastRefusal = error;
    this.#send(CAN, CAN);
    this.#enterWaiting();
  }

  /** Give up on a transfer that went wrong on the line (not the image's fault). */
  #abortTransfer(why: string): void {
    this.#lastAbort = why;
    this.#send(CAN, CAN);
    this.#enterWaiting();
  }

  #hostCancelled(): void {
    this.#canSeen = false;
    if (this.#state === 'receiving') this.#enterWaiting();
  }

  #onLineQuiet(): void {
    const hadBlock = this.#block !== null || this.#purging;
    this.#block = null;
    this.#purging = false;
    if (hadBlock) this.#send(NAK);
  }

  #enterWaiting(firstAsk_ms = this.#timing.crcRequestInterval_ms): void {
    this.#clearAll();
    this.#staging = null;
    this.#block = null;
    this.#purging = false;
    this.#canSeen = false;
    this.#writing = false;
    this.#held = [];
    this.#state = 'waiting';
    const ask = () => {
      // Not while a block is arriving: the 'C' would cross it on a half-duplex line.
      if (!this.#block && !this.#purging) this.#send(CRC_REQUEST);
      this.#arm('crc', this.#timing.crcRequestInterval_ms, ask);
    };
    this.#arm('crc', firstAsk_ms, ask);
    this.#armIdle();
  }

  #armIdle(): void {
    this.#arm('idle', this.#timing.idleTimeout_ms, () => {
      // Without a whole application there is nothing to boot: keep asking for an image.
      if (this.#appValid) this.#exit('timeout');
      else this.#armIdle();
    });
  }

  #exit(reason: BootloaderExitReason): void {
    this.#stopped = true;
    this.#clearAll();
    this.#staging = null;
    this.#exitReason = reason;
    this.#state = reason === 'committed' ? 'committed' : 'failed';
    this.#onExit(reason);
  }

  #send(...bytes: number[]): void {
    const chunk = Uint8Array.from(bytes);
    for (const listener of this.#listeners) listener(chunk);
  }

  #arm(name: TimerName, delay_ms: number, fn: () => void): void {
    this.#clear(name);
    const id = this.#clock.setTimeout(() => {
      this.#timers.delete(name);
      fn();
    }, delay_ms);
    this.#timers.set(name, id);
  }

  #clear(name: TimerName): void {
    const id = this.#timers.get(name);
    if (id === undefined) return;
    this.#clock.clearTimeout(id);
    this.#timers.delete(name);
  }

  #clearAll(): void {
    for (const id of this.#timers.values()) this.#clock.clearTimeout(id);
    this.#timers.clear();
  }
}

// The host side of the firmware transfer: a YMODEM-1K (CRC-16) batch sender of one file.
//
// The pack's real transfer protocol after the FF 50 entry command is not published (reference
// §15); YMODEM-1K with CRC-16 is our documented assumption (design.md), kept in this one place.
//
// Sequence: wait for 'C'; block 0 "name\0size" -> ACK, 'C'; data blocks 1.. (STX 1 KiB, SOH 128
// for a short tail) each -> ACK (NAK or silence: send again, up to maxAttempts sends); EOT -> NAK,
// EOT -> ACK (our bootloader verifies the image before this ACK and answers CAN CAN to refuse
// it); 'C' -> empty block 0 -> ACK closes the batch. CAN CAN from the receiver ends the transfer;
// ours goes out when we stop for any other reason, so the receiver does not wait for us.

import type { Clock } from '../time/clock';
import type { ByteIo } from './byte-io';
import { FirmwareError } from './errors';
import { ACK, CAN, CRC_REQUEST, EOT, NAK, encodeBlock, encodeEndOfBatchBlock, encodeHeaderBlock, type BlockSize } from './ymodem-block';

export interface YmodemFile {
  /** Sent in block 0; only the base name, in ASCII. */
  name: string;
  bytes: Uint8Array;
}

export type YmodemPhase =
  /** Waiting for the receiver's first 'C'. */
  | 'waiting-for-receiver'
  /** Block 0 (name and size). */
  | 'header'
  | 'data'
  /** EOT exchange and the receiver's verification. */
  | 'finishing'
  /** The receiver accepted the file; closing the batch. */
  | 'closing'
  | 'done';

/** A snapshot; each change is a new object. */
export interface YmodemProgress {
  readonly phase: YmodemPhase;
  /** File bytes the receiver has acknowledged. */
  readonly bytesSent: number;
  readonly bytesTotal: number;
  /** Data block being sent (1-based, not wrapped at 256); 0 before the data phase. */
  readonly block: number;
  /** Re-sends so far over the whole transfer (after a NAK or no answer). */
  readonly retries: number;
}

export interface YmodemOptions {
  clock: Clock;
  signal?: AbortSignal;
  onProgress?: (progress: YmodemProgress) => void;
  /** Link baud rate; each answer deadline adds the wire time of what was sent. Default 9600. */
  baud?: number;
  /** Bits on the wire per byte. Default 10 (8N1). */
  bitsPerByte?: number;
  /** How long to wait for the receiver's first 'C'. Default 60 000 ms. */
  startTimeout_ms?: number;
  /** Wait for ACK/NAK after the wire time of a block. Default 3000 ms. */
  responseTimeout_ms?: number;
  /** Sends of one block before the transfer fails. Default 10. */
  maxAttempts?: number;
}

export interface YmodemResult {
  bytesSent: number;
  /** Data blocks acknowledged. */
  blocks: number;
  retries: number;
  /**
   * Whether the receiver acknowledged the end-of-batch block. The file itself was accepted
   * (EOT acknowledged) either way.
   */
  batchClosed: boolean;
  duration_ms: number;
}

const DEFAULTS = {
  baud: 9600,
  bitsPerByte: 10,
  startTimeout_ms: 60_000,
  responseTimeout_ms: 3000,
  maxAttempts: 10
} as const;

/** Two CANs in a row mean "abort"; a lone CAN is line noise. This is how long we wait for the second. */
const SECOND_CAN_TIMEOUT_MS = 1000;
/** Closing the batch is a courtesy after the image was accepted: fewer tries. */
const END_OF_BATCH_ATTEMPTS = 3;

type Reply = 'ack' | 'nak' | 'c' | 'timeout';

/**
 * What the receiver's CAN CAN means at each point of the transfer. Whether the pack still has its
 * old firmware depends on its flash layout, so the updater says that, not these messages.
 */
function deviceAbortMessage(progress: YmodemProgress): string {
  switch (progress.phase) {
    case 'header':
      return "The bootloader refused the file header (CAN CAN): the file is larger than the pack's flash or its size is missing. Nothing was written.";
    case 'data':
      return progress.block <= 1
        ? 'The bootloader refused the image at its first block (CAN CAN): its header names another model or hardware revision, is damaged, or does not fit the flash.'
        : `The bootloader gave up on the transfer at block ${progress.block} (CAN CAN), after the line stalled or a block went missing. Start the transfer again.`;
    case 'finishing':
      return 'The bootloader refused the image after receiving all of it (CAN CAN): it failed the checks (CRC, model or hardware revision).';
    default:
      return 'The bootloader cancelled before the transfer started (CAN CAN). Start the transfer again.';
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * Send one file to a YMODEM receiver. Resolves when the receiver has acknowledged the whole file;
 * throws FirmwareError 'timeout' | 'nak-limit' | 'aborted-by-device' | 'cancelled'.
 */
export async function sendYmodem(io: ByteIo, file: YmodemFile, options: YmodemOptions): Promise<YmodemResult> {
  const clock = options.clock;
  const signal = options.signal;
  const baud = positive('baud', options.baud ?? DEFAULTS.baud);
  const bitsPerByte = positive('bitsPerByte', options.bitsPerByte ?? DEFAULTS.bitsPerByte);
  const startTimeout_ms = positive('startTimeout_ms', options.startTimeout_ms ?? DEFAULTS.startTimeout_ms);
  const responseTimeout_ms = positive('responseTimeout_ms', options.responseTimeout_ms ?? DEFAULTS.responseTimeout_ms);
  const maxAttempts = positive('maxAttempts', options.maxAttempts ?? DEFAULTS.maxAttempts);
  if (!Number.isInteger(maxAttempts)) throw new RangeError(`maxAttempts must be a whole number, got ${maxAttempts}`);

  const total = file.bytes.length;
  const started_ms = clock.now();
  let progress: YmodemProgress = { phase: 'waiting-for-receiver', bytesSent: 0, bytesTotal: total, block: 0, retries: 0 };
  const report = (change: Partial<YmodemProgress>) => {
    progress = { ...progress, ...change };
    options.onProgress?.(progress);
  };
  const wire_ms = (bytes: number) => (bytes * bitsPerByte * 1000) / baud;
  let finished = false;
  /** The receiver sent CAN CAN: it must not be answered with ours. */
  let deviceAborted = false;

  /** Next meaningful byte from the receiver before `timeout_ms`; CAN CAN throws. */
  const awaitReply = async (timeout_ms: number): Promise<Reply> => {
    const deadline = clock.now() + timeout_ms;
    let afterCan: number | null = null;
    for (;;) {
      let byte: number | null;
      if (afterCan !== null) {
        byte = afterCan;
        afterCan = null;
      } else {
        const left = deadline - clock.now();
        if (left <= 0) return 'timeout';
        byte = await io.read(left, signal);
      }
      if (byte === null) return 'timeout';
      if (byte === ACK) return 'ack';
      if (byte === NAK) return 'nak';
      if (byte === CRC_REQUEST) return 'c';
      if (byte !== CAN) continue;
      const next = await io.read(SECOND_CAN_TIMEOUT_MS, signal);
      if (next === CAN) {
        deviceAborted = true;
        throw new FirmwareError('aborted-by-device', deviceAbortMessage(progress), { field: progress.phase });
      }
      // A lone CAN is line noise; whatever followed it is still an answer.
      afterCan = next;
    }
  };

  /** Wait for 'C', ignoring anything else, until `timeout_ms`. */
  const awaitCrcRequest = async (timeout_ms: number): Promise<boolean> => {
    const deadline = clock.now() + timeout_ms;
    for (;;) {
      const left = deadline - clock.now();
      if (left <= 0) return false;
      const reply = await awaitReply(left);
      if (reply === 'c') return true;
      if (reply === 'timeout') return false;
    }
  };

  /**
   * Send `packet` until it is acknowledged. A 'C' is no answer to a block; NAK and silence use up
   * an attempt. Stale input goes before each send so a late byte cannot pass for this answer.
   */
  const exchange = async (packet: Uint8Array, what: string, attempts: number): Promise<void> => {
    let naks = 0;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) report({ retries: progress.retries + 1 });
      signal?.throwIfAborted();
      io.discardInput();
      await io.write(packet);
      const deadline = clock.now() + wire_ms(packet.length) + responseTimeout_ms;
      let reply: Reply;
      do reply = await awaitReply(deadline - clock.now());
      while (reply === 'c');
      if (reply === 'ack') return;
      if (reply === 'nak') naks++;
    }
    if (naks === 0) {
      throw new FirmwareError(
        'timeout',
        `The bootloader did not answer ${what} after ${attempts} tries: the link is down or the pack left the bootloader.`,
        { field: what }
      );
    }
    throw new FirmwareError(
      'nak-limit',
      `The bootloader refused ${what} ${naks} times out of ${attempts} tries (NAK): the link is corrupting data. Check the cable, termination and baud rate.`,
      { field: what }
    );
  };

  try {
    report({});
    io.discardInput();
    if (!(await awaitCrcRequest(startTimeout_ms))) {
      throw new FirmwareError(
        'timeout',
        `The bootloader did not ask for the file ('C') within ${Math.round(startTimeout_ms / 1000)} s: the pack is not in update mode, or the link is down.`,
        { field: 'start' }
      );
    }

    report({ phase: 'header' });
    await exchange(encodeHeaderBlock(file.name, total), 'the file header (block 0)', maxAttempts);
    // The receiver asks again with 'C' for the data; if that 'C' is lost we carry on regardless.
    await awaitCrcRequest(responseTimeout_ms);

    report({ phase: 'data', block: 1 });
    let offset = 0;
    let block = 0;
    while (offset < total) {
      block++;
      const left = total - offset;
      const size: BlockSize = left > 128 ? 1024 : 128;
      const data = file.bytes.subarray(offset, offset + Math.min(size, left));
      report({ block });
      await exchange(encodeBlock(block & 0xff, data, size), `block ${block}`, maxAttempts);
      offset += data.length;
      report({ bytesSent: offset });
    }

    report({ phase: 'finishing' });
    await sendEndOfFile();
    // The receiver acknowledged EOT after verifying the image: from here on the update has
    // happened, so neither a failure nor an abort while closing the batch may report otherwise.
    finished = true;
    report({ phase: 'closing' });
    const batchClosed = await closeBatch().catch(() => false);
    report({ phase: 'done' });
    return { bytesSent: offset, blocks: block, retries: progress.retries, batchClosed, duration_ms: clock.now() - started_ms };
  } catch (e) {
    if (signal?.aborted && !deviceAborted) {
      throw new FirmwareError(
        'cancelled',
        `The transfer was cancelled at ${progress.bytesSent} of ${total} bytes; the pack keeps its old firmware.`,
        { cause: signal.reason }
      );
    }
    throw e;
  } finally {
    // Tell the receiver we stopped, so it discards the partial image now instead of timing out.
    if (!finished && !deviceAborted) await io.write(Uint8Array.of(CAN, CAN)).catch(() => undefined);
  }

  async function closeBatch(): Promise<boolean> {
    if (!(await awaitCrcRequest(responseTimeout_ms))) return false;
    await exchange(encodeEndOfBatchBlock(), 'the end-of-batch block', END_OF_BATCH_ATTEMPTS);
    return true;
  }

  /** EOT -> NAK, EOT -> ACK; a receiver that ACKs the first EOT is fine too. */
  async function sendEndOfFile(): Promise<void> {
    const what = 'the end of the file (EOT)';
    let naks = 0;
    let previous: Reply | null = null;
    // One extra send: the first NAK is the protocol, not a failure.
    for (let send = 1; send <= maxAttempts + 1; send++) {
      if (previous !== null && !(previous === 'nak' && naks === 1)) report({ retries: progress.retries + 1 });
      signal?.throwIfAborted();
      io.discardInput();
      await io.write(Uint8Array.of(EOT));
      const deadline = clock.now() + wire_ms(1) + responseTimeout_ms;
      do previous = await awaitReply(deadline - clock.now());
      while (previous === 'c');
      if (previous === 'ack') return;
      if (previous === 'nak') naks++;
    }
    if (naks <= 1)
      throw new FirmwareError('timeout', `The bootloader did not acknowledge ${what}: the link is down or the pack left the bootloader.`, {
        field: what
      });
    throw new FirmwareError('nak-limit', `The bootloader kept refusing ${what} (${naks} NAKs).`, { field: what });
  }
}

// The one bootloader profile today: YMODEM-1K with CRC-16 (ymodem.ts), carrying our PKFW
// container. Everything in it is our assumption about the packs (reference §15 has no transfer
// protocol), written down in `assumption` so the page can say so.
//
// A waiting YMODEM receiver asks for a file with a lone 'C' about once a second; that is how a
// pack left in its bootloader is recognised on a freshly opened link (createDetector), and an
// empty batch (an all-NUL block 0) tells it we have nothing to send, so it boots its application
// if it still has one (leave).

import type { LinkTiming } from '../transport/types';
import type { Clock } from '../time/clock';
import type { ByteIo } from './byte-io';
import type { FirmwareImage } from './image';
import type { BootloaderProfile, PhaseEstimate, TransferProgress, TransferStage } from './profile';
import { sendYmodem, type YmodemPhase } from './ymodem';
import { ACK, CRC_REQUEST, blockWireLength, encodeEndOfBatchBlock } from './ymodem-block';
import { CrcRequestDetector, YMODEM_PROFILE_ID } from './ymodem-detect';

// The detector and the id live in ymodem-detect.ts, small enough for the app to load on every page.
export { YMODEM_PROFILE_ID };

/** What we assume a bootloader takes to program a 1 KiB block (the simulator's default too). */
const ASSUMED_BLOCK_WRITE_MS = 20;
/** Reset into the bootloader until its first 'C'. */
const ASSUMED_START_MS = 100;
/** Checking the complete image before the final ACK. */
const ASSUMED_VERIFY_MS = 500;
/** The application starting after the bootloader leaves. */
const ASSUMED_BOOT_MS = 2500;
/** How long leave() waits for a 'C' before sending the end of the batch. */
const LEAVE_WAIT_MS = 2500;

function wire_ms(bytes: number, timing: LinkTiming): number {
  return (bytes * timing.bitsPerByte * 1000) / timing.baud;
}

/** Blocks the sender uses for a file: 1 KiB each, the tail in one block. */
export function ymodemBlocks(fileBytes: number): number {
  return Math.ceil(fileBytes / 1024);
}

function stageOf(phase: YmodemPhase): TransferStage {
  switch (phase) {
    case 'waiting-for-receiver':
      return 'waiting';
    case 'header':
    case 'data':
      return 'sending';
    case 'finishing':
      return 'verifying';
    case 'closing':
    case 'done':
      return 'closing';
  }
}

async function awaitByte(io: ByteIo, wanted: number, timeout_ms: number, clock: Clock, signal?: AbortSignal): Promise<boolean> {
  const deadline = clock.now() + timeout_ms;
  for (;;) {
    const left = deadline - clock.now();
    if (left <= 0) return false;
    const b = await io.read(left, signal);
    if (b === null) return false;
    if (b === wanted) return true;
  }
}

export const ymodemProfile: BootloaderProfile = {
  id: YMODEM_PROFILE_ID,
  name: 'YMODEM-1K, CRC-16',
  assumption:
    "After FF 50 the pack's bootloader receives one file by YMODEM-1K with CRC-16: it asks with 'C' about once a second, takes our PKFW container (header with model, board, version and CRC-32, then the application), checks it before it counts, and boots the new application after the batch ends. No public document describes the packs' real transfer; this is our assumption.",
  detectable: true,

  wireFile(image: FirmwareImage, fileName: string) {
    const base = fileName.replace(/\.[^.]*$/, '') || `${image.model}-${image.firmwareVersion}`;
    return { name: `${base}.pkfw`, bytes: image.bytes };
  },

  estimate(fileBytes: number, timing: LinkTiming): PhaseEstimate {
    const blocks = ymodemBlocks(fileBytes);
    const perBlock_ms = wire_ms(blockWireLength(1024) + 1, timing) + ASSUMED_BLOCK_WRITE_MS;
    return {
      enter_ms: wire_ms(40, timing) + ASSUMED_START_MS,
      transfer_ms: wire_ms(blockWireLength(128) + 2, timing) + blocks * perBlock_ms,
      verify_ms: wire_ms(3, timing) + ASSUMED_VERIFY_MS,
      reboot_ms: wire_ms(blockWireLength(128) + 1, timing) + ASSUMED_BOOT_MS
    };
  },

  async transfer(io, file, options) {
    const blocks = ymodemBlocks(file.bytes.length);
    const result = await sendYmodem(io, file, {
      clock: options.clock,
      signal: options.signal,
      baud: options.timing.baud,
      bitsPerByte: options.timing.bitsPerByte,
      startTimeout_ms: options.startTimeout_ms,
      maxAttempts: options.maxAttempts,
      onProgress: (p) => {
        const progress: TransferProgress = {
          stage: stageOf(p.phase),
          bytesSent: p.bytesSent,
          bytesTotal: p.bytesTotal,
          block: p.block,
          blocks,
          retries: p.retries
        };
        options.onProgress?.(progress);
      }
    });
    return { bytesSent: result.bytesSent, blocks: result.blocks, retries: result.retries, duration_ms: result.duration_ms };
  },

  createDetector: () => new CrcRequestDetector(),

  async leave(io, options) {
    io.discardInput();
    // Send between two 'C's, so the block does not cross one on a half-duplex line.
    if (!(await awaitByte(io, CRC_REQUEST, LEAVE_WAIT_MS, options.clock, options.signal))) return false;
    const block = encodeEndOfBatchBlock();
    io.discardInput();
    await io.write(block);
    return awaitByte(io, ACK, wire_ms(block.length + 1, options.timing) + 1000, options.clock, options.signal);
  }
};

// The bootloader transfer behind one interface. The packs' transfer protocol after FF 50 is not
// published (reference §15, §17): YMODEM-1K with CRC-16 (ymodem-profile.ts) is our assumption and
// the one profile today. Another bootloader is a new object implementing BootloaderProfile; the
// updater, the recovery detector and the page take whichever profile they are given.

import type { LinkTiming } from '../transport/types';
import type { Clock } from '../time/clock';
import type { ByteIo } from './byte-io';
import type { FirmwareImage } from './image';

/** What the updater expects each phase to take on a link, for progress weights and time left. */
export interface PhaseEstimate {
  /** From the entry command to the bootloader's first request. */
  readonly enter_ms: number;
  /** The image on the wire, with the bootloader's per-block programming. */
  readonly transfer_ms: number;
  /** The bootloader checking the complete image. */
  readonly verify_ms: number;
  /** From the end of the transfer to the application answering again. */
  readonly reboot_ms: number;
}

export type TransferStage =
  /** Waiting for the bootloader to ask for the file. */
  | 'waiting'
  /** Blocks on the wire. */
  | 'sending'
  /** All blocks acknowledged; the bootloader is checking the image. */
  | 'verifying'
  /** The image was accepted; the session is being closed so the pack reboots. */
  | 'closing';

export interface TransferProgress {
  readonly stage: TransferStage;
  /** Bytes of the file the bootloader has acknowledged. */
  readonly bytesSent: number;
  readonly bytesTotal: number;
  /** Block being sent, from 1; 0 before the first. */
  readonly block: number;
  /** Blocks the file takes. */
  readonly blocks: number;
  /** Blocks sent again after a refusal or silence, so far. */
  readonly retries: number;
}

export interface ProfileTransferOptions {
  clock: Clock;
  timing: LinkTiming;
  signal?: AbortSignal;
  /** Longest wait for the bootloader's first request. */
  startTimeout_ms: number;
  /** Sends of one block before the transfer fails (the per-block retry cap). */
  maxAttempts: number;
  onProgress?: (progress: TransferProgress) => void;
}

export interface ProfileTransferResult {
  readonly bytesSent: number;
  readonly blocks: number;
  readonly retries: number;
  readonly duration_ms: number;
}

/** Evidence that this profile's bootloader is waiting on the link. */
export interface BootloaderSighting {
  readonly profileId: string;
  /** Requests seen and when the first and last came (clock ms). */
  readonly requests: number;
  readonly firstAt_ms: number;
  readonly lastAt_ms: number;
}

/** Recognises a waiting bootloader in received bytes. */
export interface BootloaderDetector {
  push(chunk: Uint8Array, at_ms: number): void;
  /** Non-null once the pattern is certain. */
  readonly sighting: BootloaderSighting | null;
}

export interface BootloaderProfile {
  readonly id: string;
  /** Shown to the person: "YMODEM-1K, CRC-16". */
  readonly name: string;
  /** What the profile assumes about the pack, in one paragraph (it is not documented anywhere). */
  readonly assumption: string;
  /** Whether a waiting bootloader can be recognised from what it sends unasked. */
  readonly detectable: boolean;
  /** The file the bootloader receives for an image. */
  wireFile(image: FirmwareImage, fileName: string): { name: string; bytes: Uint8Array };
  estimate(fileBytes: number, timing: LinkTiming): PhaseEstimate;
  /** Send the file. Resolves once the bootloader has accepted it; throws FirmwareError otherwise. */
  transfer(io: ByteIo, file: { name: string; bytes: Uint8Array }, options: ProfileTransferOptions): Promise<ProfileTransferResult>;
  createDetector(): BootloaderDetector;
  /**
   * Ask a waiting bootloader to leave without an image, so a pack that still has its application
   * boots it. Best effort: true when the bootloader acknowledged.
   */
  leave(io: ByteIo, options: { clock: Clock; timing: LinkTiming; signal?: AbortSignal }): Promise<boolean>;
}

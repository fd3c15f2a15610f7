// Recognising the YMODEM receiver we assume the packs' bootloader is (ymodem-profile.ts) from what
// it sends unasked. Apart from the profile so that the app's connect-time watch
// (bootloader-watch.ts) loads this, not the sender.

import type { BootloaderDetector, BootloaderSighting } from './profile';

export const YMODEM_PROFILE_ID = 'ymodem-1k-crc16';

/** 'C': the receiver asks for a CRC-16 transfer (ymodem-block.ts CRC_REQUEST). */
const CRC_REQUEST = 0x43;
/** Two requests closer than this are noise, not a receiver's once-a-second 'C'. */
const MIN_REQUEST_GAP_MS = 400;
/** Two requests further apart than this are not one waiting receiver. */
const MAX_REQUEST_GAP_MS = 3000;

/**
 * Lone 'C's outside any frame, at least two, spaced like a receiver's once-a-second request. Frame
 * text is hex ASCII and contains 'C' as a digit, so bytes from '~' to CR are skipped.
 */
export class CrcRequestDetector implements BootloaderDetector {
  #inFrame = false;
  #times: number[] = [];
  #sighting: BootloaderSighting | null = null;

  get sighting(): BootloaderSighting | null {
    return this.#sighting;
  }

  push(chunk: Uint8Array, at_ms: number): void {
    for (const b of chunk) {
      if (b === 0x7e) {
        this.#inFrame = true;
        continue;
      }
      if (this.#inFrame) {
        const hexDigit = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46);
        // CR ends a frame; anything else that is no hex digit means it was garbage, not a frame.
        if (!hexDigit) this.#inFrame = false;
        continue;
      }
      if (b === CRC_REQUEST) this.#request(at_ms);
    }
  }

  #request(at_ms: number): void {
    const last = this.#times.at(-1);
    if (last !== undefined && at_ms - last < MIN_REQUEST_GAP_MS) return;
    if (last !== undefined && at_ms - last > MAX_REQUEST_GAP_MS) this.#times = [];
    this.#times.push(at_ms);
    if (this.#times.length >= 2) {
      this.#sighting = { profileId: YMODEM_PROFILE_ID, requests: this.#times.length, firstAt_ms: this.#times[0], lastAt_ms: at_ms };
    }
  }
}

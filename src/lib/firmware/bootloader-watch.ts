// Listening for a pack that waits in its bootloader: it does not answer frames, it asks for an
// image ('C' about once a second in our YMODEM assumption). Small on purpose and free of the
// updater, so the app can listen on every connect that finds no pack (and on a link that comes
// back while an update is unfinished) without loading the rest of the firmware layer.

import type { Clock } from '../time/clock';
import type { Unsubscribe } from '../transport/types';
import type { BootloaderProfile, BootloaderSighting } from './profile';
import { CrcRequestDetector } from './ymodem-detect';

/** Long enough for three of a receiver's once-a-second requests. */
export const DEFAULT_LISTEN_MS = 3500;
/**
 * When the journal holds an unfinished update, listen longer: a bootloader that lost its host in
 * mid-transfer first waits out the transfer (10 s in our assumption, sim/bootloader.ts
 * abandonAfter_ms) and then needs two requests a second apart to be recognised: 10 + 2 s, and a
 * margin for a link that took a moment to open.
 */
export const PENDING_LISTEN_MS = 14_000;

/**
 * Listen to a link's received bytes for `listen_ms` and resolve with the sighting as soon as the
 * profile's detector (default YMODEM's) is certain, or null. `source` is the transport, a bus lease, or anything
 * with onData.
 */
export function watchForBootloader(
  source: { onData(listener: (chunk: Uint8Array) => void): Unsubscribe },
  clock: Clock,
  options: { profile?: BootloaderProfile; listen_ms?: number; signal?: AbortSignal } = {}
): Promise<BootloaderSighting | null> {
  // Default: the one profile today, YMODEM (ymodemProfile.createDetector() is this detector).
  const detector = options.profile?.createDetector() ?? new CrcRequestDetector();
  return new Promise((resolve) => {
    let unsubscribe: Unsubscribe = () => undefined;
    const finish = (result: BootloaderSighting | null) => {
      clock.clearTimeout(timer);
      unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => finish(null);
    const timer = clock.setTimeout(() => finish(detector.sighting), options.listen_ms ?? DEFAULT_LISTEN_MS);
    if (options.signal?.aborted) {
      finish(null);
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    unsubscribe = source.onData((chunk) => {
      detector.push(chunk, clock.now());
      if (detector.sighting) finish(detector.sighting);
    });
  });
}

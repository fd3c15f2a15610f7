// What the update needs from the rest of the app, as narrow interfaces: a parameter backup taken
// before the pack is touched (the parameters engineer's snapshot store implements it), and the
// "flashing in progress" flag the app reads to hold back its own update prompt and to warn before
// the tab closes (the page adds the wake lock and the beforeunload handler).

import type { BusLease } from '../protocol/client';
import type { Unsubscribe } from '../transport/types';
import type { PackIdentity } from './identity';

export interface BackupRequest {
  readonly address: number;
  readonly identity: PackIdentity;
  /** The bus, held for the update: read the parameters through it (the poller is paused). */
  readonly bus: BusLease;
  readonly signal?: AbortSignal;
  /** Why the snapshot is taken, for its label. */
  readonly reason: 'firmware-update';
}

/** A stored backup the page can offer to restore after the update. */
export interface BackupRef {
  readonly id: string;
  /** "Pack 3, before firmware 1.10, 2025-12-01 14:03". */
  readonly label: string;
}

/**
 * Take and store a snapshot of the pack's parameters. Throw (anything) when it cannot be done:
 * the update then stops before the pack is touched.
 */
export interface ParameterBackup {
  snapshot(request: BackupRequest): Promise<BackupRef>;
  /** How long a snapshot takes on this link, for the progress weights (ms). Default 3000. */
  readonly estimate_ms?: number;
}

/** "Flashing in progress": held by every running update; the app listens. */
export class FlashGuard {
  readonly #holders = new Map<symbol, string>();
  readonly #listeners = new Set<(active: boolean) => void>();

  /** True while any update holds the guard. */
  get active(): boolean {
    return this.#holders.size > 0;
  }

  /** What is flashing now ("pack 3"), for the warning text. */
  get labels(): string[] {
    return [...this.#holders.values()];
  }

  /** Hold the guard; call the returned function (once) to release it. */
  hold(label: string): () => void {
    const key = Symbol(label);
    const wasActive = this.active;
    this.#holders.set(key, label);
    if (!wasActive) this.#emit();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holders.delete(key);
      if (!this.active) this.#emit();
    };
  }

  subscribe(listener: (active: boolean) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(): void {
    const active = this.active;
    for (const l of [...this.#listeners]) l(active);
  }
}

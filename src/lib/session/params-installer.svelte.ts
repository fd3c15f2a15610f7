// The session's installer mode as runes state, for the installer panel on the write pages and the
// small indicator in the header: whether a PIN is set, whether it is unlocked, and when it locks
// by itself (15 idle minutes; the time is re-read every tick, since every write and every edit
// pushes it out). The PIN itself is params/installer.ts, its hash in the app's storage.

import { createSubscriber } from 'svelte/reactivity';
import { DEFAULT_IDLE_MS, pinProblem, type InstallerState, type UnlockResult } from '$lib/params';
import type { DeviceSession } from './session.svelte';

type SessionLike = Pick<DeviceSession, 'installer' | 'now_ms' | 'clock'>;

export class InstallerView {
  readonly #session: SessionLike;
  readonly #subscribe: () => void;
  #ready = $state(false);
  #loadError = $state<string | null>(null);

  constructor(session: SessionLike) {
    this.#session = session;
    this.#subscribe = createSubscriber((update) => session.installer.onChange(() => update()));
    void session.installer
      .init()
      .then(() => (this.#ready = true))
      .catch((e: unknown) => (this.#loadError = e instanceof Error ? e.message : String(e)));
  }

  /** False until the stored PIN hash has been looked up. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Why the stored PIN could not be looked up (storage unavailable), else null. */
  get loadError(): string | null {
    return this.#loadError;
  }

  get state(): InstallerState {
    this.#subscribe();
    return this.#session.installer.state;
  }

  get unlocked(): boolean {
    return this.state === 'unlocked';
  }

  /** Milliseconds until it locks by itself (ticking), or null while locked. */
  get locksIn_ms(): number | null {
    this.#subscribe();
    const at = this.#session.installer.locksAt_ms;
    return at === null ? null : Math.max(0, at - this.#session.now_ms);
  }

  get idle_ms(): number {
    return DEFAULT_IDLE_MS;
  }

  /** Why a PIN cannot be used, or null. */
  problem(pin: string): string | null {
    return pinProblem(pin);
  }

  setPin(pin: string): Promise<string | null> {
    return this.#session.installer.setPin(pin);
  }

  unlock(pin: string): Promise<UnlockResult> {
    return this.#session.installer.unlock(pin);
  }

  lock(): void {
    this.#session.installer.lock();
  }

  /** Activity on a write page: postpones the idle lock. */
  touch(): void {
    this.#session.installer.touch();
  }
}

const views = new WeakMap<object, InstallerView>();

export function installerView(session: SessionLike): InstallerView {
  let v = views.get(session);
  if (!v) {
    v = new InstallerView(session);
    views.set(session, v);
  }
  return v;
}

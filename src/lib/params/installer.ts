// Installer mode: writes, calibration and control need a local PIN. It is a safety interlock on
// this computer (an owner poking around cannot change protection settings by accident), not a
// security boundary: anyone with the computer can clear the browser's storage.
//
// The PIN is set on first use and kept only as a salted PBKDF2-SHA-256 hash (crypto.subtle, in
// browsers and Node 20), in a PinStore the session backs with storage's key-value store. Installer
// mode locks again after 15 minutes without activity, on the injected clock. A few wrong PINs in a
// row make it wait before the next try, so a PIN cannot be guessed by a script in a minute.

import type { Clock, TimerId } from '../time/clock';

export interface PinRecord {
  version: 1;
  algorithm: 'PBKDF2-SHA-256';
  iterations: number;
  /** base64 */
  salt: string;
  /** base64 of the 256-bit derived key */
  hash: string;
}

/** Where the PIN hash is kept (storage's kv store in the app, memory in tests). */
export interface PinStore {
  load(): Promise<PinRecord | null>;
  save(record: PinRecord): Promise<void>;
}

export class MemoryPinStore implements PinStore {
  record: PinRecord | null = null;
  async load(): Promise<PinRecord | null> {
    return this.record && { ...this.record };
  }
  async save(record: PinRecord): Promise<void> {
    this.record = { ...record };
  }
}

export type InstallerState = 'no-pin' | 'locked' | 'unlocked';

export interface InstallerModeOptions {
  store: PinStore;
  clock: Clock;
  /** Lock after this long without activity (ms). Default 15 minutes. */
  idle_ms?: number;
  /** PBKDF2 iterations for new PINs. Default 100 000 (an interlock, not a vault: this keeps unlocking under ~0.2 s on a phone). */
  iterations?: number;
  /** Wrong PINs in a row before a wait. Default 5. */
  maxAttempts?: number;
  /** That wait (ms). Default 30 s. */
  lockout_ms?: number;
  /** Web Crypto; default globalThis.crypto. */
  crypto?: Crypto;
}

export const DEFAULT_IDLE_MS = 15 * 60_000;

/** What installer mode is and why writing waits, as message keys (messages/params). */
export const INSTALLER_MESSAGE_KEYS = {
  /** "a safety interlock on this computer, not a security boundary" */
  notice: 'params_installer_notice',
  noPin: 'params_installer_no_pin',
  locked: 'params_installer_locked'
} as const;
const PIN_RE = /^\d{4,12}$/;

export type UnlockResult = { ok: true } | { ok: false; reason: 'wrong' | 'wait' | 'no-pin'; message: string };

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** Equal without an early exit on the first differing byte. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Null when the PIN may be used, else why not. */
export function pinProblem(pin: string): string | null {
  return PIN_RE.test(pin) ? null : 'The PIN is 4 to 12 digits.';
}

export class InstallerMode {
  readonly #o: Required<Omit<InstallerModeOptions, 'crypto'>> & { crypto: Crypto };
  #record: PinRecord | null = null;
  #loaded = false;
  #unlocked = false;
  #lastActivity_ms = 0;
  #timer: TimerId | null = null;
  #wrong = 0;
  #waitUntil_ms = 0;
  readonly #listeners = new Set<(state: InstallerState) => void>();

  constructor(options: InstallerModeOptions) {
    const crypto = options.crypto ?? globalThis.crypto;
    if (!crypto?.subtle) throw new TypeError('InstallerMode needs Web Crypto (crypto.subtle)');
    this.#o = {
      store: options.store,
      clock: options.clock,
      idle_ms: options.idle_ms ?? DEFAULT_IDLE_MS,
      iterations: options.iterations ?? 100_000,
      maxAttempts: options.maxAttempts ?? 5,
      lockout_ms: options.lockout_ms ?? 30_000,
      crypto
    };
    if (!(this.#o.idle_ms > 0)) throw new RangeError(`idle_ms must be positive, got ${this.#o.idle_ms}`);
  }

  /** Load the stored hash (once); the mode starts locked, or 'no-pin' when none is set. */
  async init(): Promise<InstallerState> {
    if (!this.#loaded) {
      this.#record = await this.#o.store.load();
      this.#loaded = true;
      this.#emit();
    }
    return this.state;
  }

  get state(): InstallerState {
    if (!this.#loaded || this.#record === null) return 'no-pin';
    return this.#unlocked ? 'unlocked' : 'locked';
  }

  isUnlocked(): boolean {
    return this.state === 'unlocked';
  }

  /** When it locks by itself (clock ms), or null when locked. */
  get locksAt_ms(): number | null {
    return this.#unlocked ? this.#lastActivity_ms + this.#o.idle_ms : null;
  }

  onChange(listener: (state: InstallerState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * First use: set the PIN (and unlock). Later, changing it needs installer mode unlocked. Returns
   * why not, or null when done.
   */
  async setPin(pin: string): Promise<string | null> {
    await this.init();
    const problem = pinProblem(pin);
    if (problem) return problem;
    if (this.#record !== null && !this.#unlocked) return 'Unlock installer mode with the current PIN before changing it.';
    const salt = this.#o.crypto.getRandomValues(new Uint8Array(16));
    const hash = await this.#derive(pin, salt, this.#o.iterations);
    const record: PinRecord = { version: 1, algorithm: 'PBKDF2-SHA-256', iterations: this.#o.iterations, salt: toBase64(salt), hash: toBase64(hash) };
    await this.#o.store.save(record);
    this.#record = record;
    this.#unlock();
    return null;
  }

  async unlock(pin: string): Promise<UnlockResult> {
    await this.init();
    const now = this.#o.clock.now();
    if (this.#record === null) return { ok: false, reason: 'no-pin', message: 'No PIN has been set on this computer yet: choose one first.' };
    if (now < this.#waitUntil_ms) {
      const s = Math.ceil((this.#waitUntil_ms - now) / 1000);
      return { ok: false, reason: 'wait', message: `Too many wrong PINs. Try again in ${s} s.` };
    }
    const r = this.#record;
    const hash = typeof pin === 'string' ? await this.#derive(pin, fromBase64(r.salt), r.iterations) : new Uint8Array(0);
    if (!sameBytes(hash, fromBase64(r.hash))) {
      this.#wrong++;
      if (this.#wrong >= this.#o.maxAttempts) {
        this.#wrong = 0;
        this.#waitUntil_ms = now + this.#o.lockout_ms;
        return { ok: false, reason: 'wait', message: `Wrong PIN. Too many wrong PINs: wait ${Math.ceil(this.#o.lockout_ms / 1000)} s.` };
      }
      return { ok: false, reason: 'wrong', message: 'Wrong PIN.' };
    }
    this.#wrong = 0;
    this.#unlock();
    return { ok: true };
  }

  lock(): void {
    if (!this.#unlocked) return;
    this.#unlocked = false;
    this.#clearTimer();
    this.#emit();
  }

  /** Activity (a write, a page interaction): pushes the automatic lock 15 minutes out again. */
  touch(): void {
    if (!this.#unlocked) return;
    this.#lastActivity_ms = this.#o.clock.now();
    this.#arm();
  }

  /**
   * For the write path: null when writing is allowed (and counts as activity), else why not.
   * Says plainly that this is an interlock on this computer.
   */
  permit(): string | null {
    if (this.state === 'unlocked') {
      this.touch();
      return null;
    }
    return this.state === 'no-pin'
      ? 'Writing needs installer mode: set an installer PIN on this computer first (a safety interlock, not a password for the pack).'
      : 'Writing needs installer mode: it is locked. Enter the installer PIN (it locks again after 15 idle minutes).';
  }

  #unlock(): void {
    this.#unlocked = true;
    this.#lastActivity_ms = this.#o.clock.now();
    this.#arm();
    this.#emit();
  }

  #arm(): void {
    this.#clearTimer();
    const due = this.#lastActivity_ms + this.#o.idle_ms;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = null;
      // touch() may have moved the deadline without this timer knowing (it re-arms, but be exact).
      if (this.#o.clock.now() >= this.#lastActivity_ms + this.#o.idle_ms) this.lock();
      else this.#arm();
    }, due - this.#o.clock.now());
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #emit(): void {
    const s = this.state;
    for (const l of [...this.#listeners]) l(s);
  }

  async #derive(pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
    const subtle = this.#o.crypto.subtle;
    const key = await subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
    const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, key, 256);
    return new Uint8Array(bits);
  }
}

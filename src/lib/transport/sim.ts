// The Transport to the simulated bank (demo mode and tests). It carries the same bytes at the same
// pace a serial cable would: the bank's SimWire paces them at the baud rate, so the client, poller
// and firmware updater run unchanged against it. An injected unplug makes the link 'lost'
// (reason 'unplugged') exactly as a pulled USB cable does; replug() brings the device back and,
// like the serial transport, the link reopens by itself unless autoReconnect is off.

import type { Clock } from '../time/clock';
import type { SimBank } from '../sim/bank';
import { lostError, notOpenError } from './errors';
import { Listeners, StatusCell } from './link-events';
import { TransportError, type LinkTiming, type Transport, type TransportInfo, type TransportStatus, type Unsubscribe } from './types';

export interface SimTransportOptions {
  clock: Clock;
  /** Shown in the UI. Default "Demo bank". */
  label?: string;
  /**
   * Baud the host side opens at. Default: the bank's. A different value makes every byte arrive as
   * garbage, as a wrong baud setting does on a real cable (for baud auto-detection tests).
   */
  baud?: number;
  /** Reopen by itself when the bank is plugged back in. Default true (as the serial transport). */
  autoReconnect?: boolean;
}

export class SimTransport implements Transport {
  readonly #source: SimBank | (() => SimBank);
  readonly #label: string;
  readonly #hostBaud: number | undefined;
  readonly #autoReconnect: boolean;
  readonly #status = new StatusCell();
  readonly #data = new Listeners<Uint8Array>();
  #bank: SimBank | null = null;
  #unsubscribe: Unsubscribe[] = [];

  /** `bank`: the bank itself, or a factory called on the first open() (the bank then lives on across reconnects). */
  constructor(bank: SimBank | (() => SimBank), options: SimTransportOptions) {
    this.#source = bank;
    this.#label = options.label ?? 'Demo bank';
    this.#hostBaud = options.baud;
    this.#autoReconnect = options.autoReconnect ?? true;
    if (typeof bank !== 'function') this.#bank = bank;
  }

  get info(): TransportInfo {
    return { kind: 'sim', label: this.#label };
  }

  get status(): TransportStatus {
    return this.#status.current;
  }

  get timing(): LinkTiming {
    return { baud: this.#hostBaud ?? this.#bank?.baud ?? 9600, bitsPerByte: this.#bank?.bitsPerByte ?? 10 };
  }

  /** The bank behind this link (created on first open when a factory was given). */
  get bank(): SimBank | null {
    return this.#bank;
  }

  async open(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new TransportError('not-open', 'Opening the demo bank was cancelled.', { link: 'sim', cause: signal.reason });
    if (this.status.state === 'open') return;
    this.#status.set({ state: 'opening' });
    const bank = this.#ensureBank();
    if (!bank.plugged) {
      this.#status.set({ state: 'closed', reason: 'open-failed', message: 'The demo bank is unplugged.' });
      throw new TransportError('gone', 'The demo bank is unplugged.', { link: 'sim' });
    }
    this.#attach(bank);
    this.#status.set({ state: 'open' });
  }

  async close(): Promise<void> {
    this.#detach();
    if (this.status.state !== 'closed' || this.status.reason !== undefined) this.#status.set({ state: 'closed', reason: 'user' });
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.status.state === 'lost') throw lostError('sim', 'Demo bank');
    if (this.status.state !== 'open' || !this.#bank) throw notOpenError('sim', 'The demo bank');
    this.#bank.write(bytes.slice());
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.#data.add(listener);
  }

  onStatus(listener: (status: TransportStatus) => void): Unsubscribe {
    return this.#status.subscribe(listener);
  }

  /** Pull the cable (tests, demo): now, or after `afterBytes` more bytes have reached us. */
  unplug(afterBytes?: number): void {
    this.#ensureBank().inject({ kind: 'unplug', afterBytes });
  }

  /** Plug the cable back in. */
  replug(): void {
    this.#ensureBank().inject({ kind: 'replug' });
  }

  #ensureBank(): SimBank {
    if (!this.#bank) this.#bank = typeof this.#source === 'function' ? this.#source() : this.#source;
    return this.#bank;
  }

  #attach(bank: SimBank): void {
    this.#detach();
    bank.wire.setHostBaud(this.#hostBaud ?? bank.baud);
    this.#unsubscribe = [
      bank.onOutput((chunk) => {
        if (this.status.state === 'open') this.#data.emit(chunk.slice());
      }),
      bank.onLink((event) => this.#onLink(event))
    ];
  }

  #detach(): void {
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
  }

  #onLink(event: 'unplugged' | 'replugged'): void {
    if (event === 'unplugged') {
      if (this.status.state !== 'open' && this.status.state !== 'opening') return;
      this.#status.set({
        state: 'lost',
        reason: 'unplugged',
        message: this.#autoReconnect ? 'The demo bank was unplugged. Plug it back in to reconnect.' : 'The demo bank was unplugged.',
        reconnecting: this.#autoReconnect
      });
      if (!this.#autoReconnect) this.#detach();
      return;
    }
    if (this.status.state === 'lost' && this.status.reconnecting && this.#bank) {
      this.#status.set({ state: 'opening', reconnecting: true });
      this.#attach(this.#bank);
      this.#status.set({ state: 'open' });
    }
  }
}

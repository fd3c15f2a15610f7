// Web Serial transport: a USB-RS485/RS232 adapter on navigator.serial.
//
// Static factories do the fallible work (the picker, the list of granted ports); the constructor
// only wires. Port hygiene on open (close a port left open, retry while it reports
// InvalidStateError), a read loop that survives line errors, and an automatic reopen when the
// same adapter is plugged back in, so an installer who knocks the cable out does not have to
// reload the page.

import { realClock, sleep, type Clock, type TimerId } from '../time/clock';
import {
  abortedError,
  classifySerialOpenError,
  classifySerialRequestError,
  errorMessage,
  errorName,
  isRecoverableReadError,
  lostError,
  notOpenError,
  writeFailedError
} from './errors';
import { Exclusive } from './exclusive';
import { followAbort } from './follow-abort';
import { Listeners, StatusCell } from './link-events';
import { TransportError, type LinkTiming, type Transport, type TransportInfo, type TransportStatus, type Unsubscribe } from './types';

/** Line rate when none is given: 9600, the rate a serial link to a pack starts at. Which rates the packs use is protocol/'s list. */
const DEFAULT_BAUD = 9600;

/** What the transport needs of a SerialPort; the real one and the test double both fit. */
export interface SerialPortLike extends EventTarget {
  readonly readable: ReadableStream<Uint8Array> | null;
  readonly writable: WritableStream<Uint8Array> | null;
  /** Chromium 124+: false once the device is gone. Older versions lack it. */
  readonly connected?: boolean;
  open(options: SerialOptions): Promise<void>;
  close(): Promise<void>;
  getInfo(): SerialPortInfo;
}

/** What the transport needs of navigator.serial. */
export interface SerialLike extends EventTarget {
  getPorts(): Promise<SerialPortLike[]>;
  requestPort(options?: SerialPortRequestOptions): Promise<SerialPortLike>;
}

export interface SerialTransportOptions {
  /** Line rate (bit/s, a positive integer; which ones the packs use is protocol/'s PACK_BAUDS). Default 9600. */
  baud?: number;
  /** The Web Serial API. Default navigator.serial. */
  serial?: SerialLike;
  /** Timers for retries and the replug watch. Default the real clock. */
  clock?: Clock;
  /** Pause before each retry of open() while the port reports InvalidStateError. Default [250, 500, 1000]. */
  openRetryDelays_ms?: readonly number[];
  /** Reopen by itself when the same adapter is plugged back in. Default true. */
  autoReconnect?: boolean;
  /** While waiting for a replug, also look at getPorts() this often, in case a 'connect' event is missed. Default 1000. */
  replugPoll_ms?: number;
  /**
   * Receive buffer handed to port.open(). Default 8192: a 16-pack broadcast reply is ~2.4 kB and
   * Chromium's default of 255 bytes makes the browser stall the OS reads on long replies.
   */
  bufferSize_bytes?: number;
}

export interface SerialRequestOptions extends SerialTransportOptions {
  /** Limit the picker to these adapters. Default: show every port (adapters vary too much to filter). */
  filters?: SerialPortFilter[];
}

const DEFAULT_RETRY_DELAYS_MS = [250, 500, 1000] as const;
const DEFAULT_REPLUG_POLL_MS = 1000;
const DEFAULT_BUFFER_BYTES = 8192;
/** A USB-serial bridge buffers up to its latency timer (FTDI: 16 ms) before handing bytes over. */
const USB_LATENCY_MS = 20;

/** USB-serial bridge chips by vendor id, for a label a person recognises. */
const USB_BRIDGE_CHIPS: Readonly<Record<number, string>> = {
  0x0403: 'FTDI',
  0x10c4: 'CP210x',
  0x1a86: 'CH340',
  0x067b: 'PL2303',
  0x0483: 'STM32 VCP'
};

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

function serialLabel(info: SerialPortInfo): string {
  if (info.usbVendorId === undefined) return 'Serial port';
  const chip = USB_BRIDGE_CHIPS[info.usbVendorId] ?? 'serial';
  const ids = info.usbProductId === undefined ? hex4(info.usbVendorId) : `${hex4(info.usbVendorId)}:${hex4(info.usbProductId)}`;
  return `USB ${chip} (${ids})`;
}

function navigatorSerial(): SerialLike | undefined {
  const nav = (globalThis as { navigator?: { serial?: SerialLike } }).navigator;
  return nav?.serial;
}

function requireSerial(options: SerialTransportOptions): SerialLike {
  const serial = options.serial ?? navigatorSerial();
  if (!serial) throw new TransportError('unsupported', 'This browser cannot open serial ports.', { link: 'serial' });
  return serial;
}

function checkBaud(baud: number): number {
  if (!Number.isInteger(baud) || baud <= 0) throw new RangeError(`baud must be a positive integer, got ${baud}`);
  return baud;
}

export class SerialTransport implements Transport {
  /** Ask the person to pick a port. Must run inside a click handler. */
  static async request(options: SerialRequestOptions = {}): Promise<SerialTransport> {
    const serial = requireSerial(options);
    let port: SerialPortLike;
    try {
      port = await serial.requestPort(options.filters ? { filters: options.filters } : {});
    } catch (err) {
      throw classifySerialRequestError(err);
    }
    return new SerialTransport(port, { ...options, serial });
  }

  /** Ports this site was granted earlier (no picker, no click needed), each as an unopened transport. */
  static async fromGrantedPorts(options: SerialTransportOptions = {}): Promise<SerialTransport[]> {
    const serial = options.serial ?? navigatorSerial();
    if (!serial) return [];
    let ports: SerialPortLike[];
    try {
      ports = await serial.getPorts();
    } catch (err) {
      throw classifySerialRequestError(err);
    }
    return ports.map((port) => new SerialTransport(port, { ...options, serial }));
  }

  /** Null where there is no Web Serial (a port handed in directly, e.g. in Node): then no unplug/replug events. */
  readonly #serial: SerialLike | null;
  readonly #clock: Clock;
  readonly #retryDelays_ms: readonly number[];
  readonly #autoReconnect: boolean;
  readonly #replugPoll_ms: number;
  readonly #bufferSize_bytes: number;
  readonly #status = new StatusCell();
  readonly #data = new Listeners<Uint8Array>();
  readonly #exclusive = new Exclusive();

  #port: SerialPortLike;
  #info: TransportInfo;
  #baud: number;
  /** True from a successful port.open() until our port.close(). */
  #portOpen = false;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #readLoop: Promise<void> | null = null;
  /** Bumped whenever the link is torn down, so a read loop or event from an older link is ignored. */
  #generation = 0;
  #disconnectSeen = false;
  #replugTimer: TimerId | null = null;
  #replugBusy = false;
  #openAbort: AbortController | null = null;
  #detachEvents: (() => void) | null = null;
  #lineErrors = 0;

  constructor(port: SerialPortLike, options: SerialTransportOptions = {}) {
    this.#port = port;
    this.#serial = options.serial ?? navigatorSerial() ?? null;
    this.#clock = options.clock ?? realClock;
    this.#baud = checkBaud(options.baud ?? DEFAULT_BAUD);
    this.#retryDelays_ms = options.openRetryDelays_ms ?? DEFAULT_RETRY_DELAYS_MS;
    this.#autoReconnect = options.autoReconnect ?? true;
    this.#replugPoll_ms = options.replugPoll_ms ?? DEFAULT_REPLUG_POLL_MS;
    this.#bufferSize_bytes = options.bufferSize_bytes ?? DEFAULT_BUFFER_BYTES;
    if (this.#retryDelays_ms.some((d) => !(d >= 0))) throw new RangeError('openRetryDelays_ms must be non-negative');
    if (!(this.#replugPoll_ms > 0)) throw new RangeError('replugPoll_ms must be positive');
    if (!Number.isInteger(this.#bufferSize_bytes) || this.#bufferSize_bytes <= 0) throw new RangeError('bufferSize_bytes must be a positive integer');
    this.#info = this.#describe(port);
  }

  get info(): TransportInfo {
    return this.#info;
  }

  get status(): TransportStatus {
    return this.#status.current;
  }

  get timing(): LinkTiming {
    return { baud: this.#baud, bitsPerByte: 10, latency_ms: USB_LATENCY_MS };
  }

  get baud(): number {
    return this.#baud;
  }

  /** The SerialPort in use (after a replug, the new object). */
  get port(): SerialPortLike {
    return this.#port;
  }

  /** Recoverable line errors (framing, parity, overrun, break) seen since construction. */
  get lineErrors(): number {
    return this.#lineErrors;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.#data.add(listener);
  }

  onStatus(listener: (status: TransportStatus) => void): Unsubscribe {
    return this.#status.subscribe(listener);
  }

  open(signal?: AbortSignal): Promise<void> {
    return this.#exclusive.run(async () => {
      if (this.status.state === 'open') return;
      this.#stopReplugWatch();
      if (this.#port.connected === false) {
        this.#detach();
        const error = new TransportError('gone', 'The USB adapter is unplugged.', { link: 'serial' });
        this.#status.set({ state: 'closed', reason: 'open-failed', message: error.message });
        throw error;
      }
      this.#status.set({ state: 'opening' });
      const abort = new AbortController();
      this.#openAbort = abort;
      const unfollow = followAbort(signal, abort);
      try {
        await this.#openPort(abort.signal);
        this.#status.set({ state: 'open' });
      } catch (err) {
        this.#detach();
        const error = abort.signal.aborted
          ? abortedError(abort.signal, 'serial', 'not-open', 'Opening the serial port')
          : classifySerialOpenError(err);
        this.#status.set({ state: 'closed', reason: 'open-failed', message: error.message });
        throw error;
      } finally {
        unfollow();
        if (this.#openAbort === abort) this.#openAbort = null;
      }
    });
  }

  close(): Promise<void> {
    // An open() stuck in its retry pauses gives up at once instead of holding close() back.
    this.#openAbort?.abort(new TransportError('not-open', 'close() was called.', { link: 'serial' }));
    return this.#exclusive.run(async () => {
      this.#stopReplugWatch();
      await this.#teardown();
      this.#detach();
      this.#status.set({ state: 'closed', reason: 'user' });
    });
  }

  async write(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    const writer = this.#writer;
    if (this.status.state !== 'open' || !writer) {
      throw this.status.state === 'lost' ? lostError('serial', 'Serial port') : notOpenError('serial', 'The serial port');
    }
    if (signal?.aborted) throw abortedError(signal, 'serial', 'write-failed', 'Sending');
    try {
      await writer.write(bytes);
    } catch (err) {
      if (this.#linkGone()) throw lostError('serial', 'Serial port');
      throw writeFailedError('serial', err);
    }
  }

  /** Checked after a failed write, when the status may have changed meanwhile. */
  #linkGone(): boolean {
    return this.status.state === 'lost' || this.#disconnectSeen || this.#port.connected === false;
  }

  /**
   * Change the line rate (auto-detection tries each). Reopens the port when it is open; the status
   * goes opening -> open without a 'closed' in between.
   */
  setBaud(baud: number): Promise<void> {
    const next = checkBaud(baud);
    return this.#exclusive.run(async () => {
      if (next === this.#baud) return;
      this.#baud = next;
      if (this.status.state !== 'open') return;
      this.#status.set({ state: 'opening' });
      await this.#teardown();
      try {
        await this.#openPort(new AbortController().signal);
        this.#status.set({ state: 'open' });
      } catch (err) {
        this.#detach();
        const error = classifySerialOpenError(err);
        this.#status.set({ state: 'closed', reason: 'open-failed', message: error.message });
        throw error;
      }
    });
  }

  // ---- opening ----

  async #openPort(signal: AbortSignal): Promise<void> {
    this.#attach();
    const port = this.#port;
    // A port left open (by an earlier transport on this page, or a hot reload) must be closed
    // before it can be opened again; if someone still holds its streams this fails and open()
    // below reports InvalidStateError, which is retried.
    if (port.readable !== null || port.writable !== null) await port.close().catch(() => undefined);
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw signal.reason;
      try {
        await port.open({
          baudRate: this.#baud,
          dataBits: 8,
          stopBits: 1,
          parity: 'none',
          flowControl: 'none',
          bufferSize: this.#bufferSize_bytes
        });
        break;
      } catch (err) {
        const delay = this.#retryDelays_ms[attempt];
        if (errorName(err) !== 'InvalidStateError' || delay === undefined) throw err;
        await sleep(this.#clock, delay, signal);
      }
    }
    this.#portOpen = true;
    this.#disconnectSeen = false;
    const writable = port.writable;
    if (!writable) {
      await this.#teardown();
      throw new TransportError('gone', 'The serial port closed while opening.', { link: 'serial' });
    }
    this.#writer = writable.getWriter();
    this.#readLoop = this.#runReadLoop(port, this.#generation);
  }

  // ---- receiving ----

  async #runReadLoop(port: SerialPortLike, generation: number): Promise<void> {
    let failure: unknown = null;
    let streamEnded = false;
    while (generation === this.#generation && !streamEnded && failure === null) {
      const readable = port.readable;
      if (!readable) break;
      const reader = readable.getReader();
      this.#reader = reader;
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            streamEnded = true;
            break;
          }
          if (value && value.length > 0 && generation === this.#generation) this.#data.emit(value);
        }
      } catch (err) {
        if (isRecoverableReadError(err) && generation === this.#generation) {
          // The port hands out a fresh readable after a line error; keep reading.
          this.#lineErrors++;
        } else {
          failure = err;
        }
      } finally {
        reader.releaseLock();
        if (this.#reader === reader) this.#reader = null;
      }
    }
    if (generation === this.#generation) {
      // Not awaited: #linkEnded waits for this loop (through #teardown) and runs in turn with
      // close()/open(), which may themselves be waiting for this loop to finish.
      void this.#exclusive.run(() => this.#linkEnded(failure, generation));
    }
  }

  /** The read loop stopped without close(): the adapter is gone or the port failed. */
  async #linkEnded(failure: unknown, generation: number): Promise<void> {
    if (generation !== this.#generation) return;
    const unplugged = this.#disconnectSeen || this.#port.connected === false || errorName(failure) === 'NetworkError';
    await this.#teardown();
    if (unplugged) {
      this.#status.set({
        state: 'lost',
        reason: 'unplugged',
        message: this.#autoReconnect ? 'The USB cable was unplugged. Plug it back in to reconnect.' : 'The USB cable was unplugged.',
        reconnecting: this.#autoReconnect
      });
      if (this.#autoReconnect) this.#startReplugWatch();
      else this.#detach();
    } else {
      this.#detach();
      this.#status.set({
        state: 'lost',
        reason: 'read-error',
        message: failure === null ? 'The serial port stopped delivering data.' : `Reading from the serial port failed: ${errorMessage(failure)}`
      });
    }
  }

  // ---- closing ----

  /**
   * Release the port in the order Web Serial demands: cancel the reader, let the loop release its
   * lock, release the writer, then port.close() (which rejects while either stream is locked).
   */
  async #teardown(): Promise<void> {
    this.#generation++;
    const reader = this.#reader;
    if (reader) await reader.cancel().catch(() => undefined);
    const loop = this.#readLoop;
    this.#readLoop = null;
    if (loop) await loop.catch(() => undefined);
    const writer = this.#writer;
    this.#writer = null;
    writer?.releaseLock();
    if (this.#portOpen) {
      this.#portOpen = false;
      await this.#port.close().catch(() => undefined);
    }
  }

  // ---- unplug / replug ----

  #attach(): void {
    const serial = this.#serial;
    if (this.#detachEvents || !serial) return;
    const onDisconnect = (ev: Event) => {
      if (ev.target !== this.#port) return;
      this.#disconnectSeen = true;
      // Chromium may fire the event before the pending read fails; end the read now.
      this.#reader?.cancel().catch(() => undefined);
    };
    const onConnect = (ev: Event) => {
      const port = ev.target as SerialPortLike | null;
      if (port && this.#isOurAdapter(port)) void this.#tryReopen(port);
    };
    serial.addEventListener('disconnect', onDisconnect);
    serial.addEventListener('connect', onConnect);
    this.#detachEvents = () => {
      serial.removeEventListener('disconnect', onDisconnect);
      serial.removeEventListener('connect', onConnect);
    };
  }

  #detach(): void {
    this.#detachEvents?.();
    this.#detachEvents = null;
  }

  #isOurAdapter(port: SerialPortLike): boolean {
    if (port === this.#port) return true;
    const a = this.#port.getInfo();
    const b = port.getInfo();
    // Without USB ids (a built-in UART) only the same object can be the same port.
    if (a.usbVendorId === undefined || a.usbProductId === undefined) return false;
    return a.usbVendorId === b.usbVendorId && a.usbProductId === b.usbProductId;
  }

  #startReplugWatch(): void {
    this.#stopReplugWatch();
    const tick = () => {
      this.#replugTimer = this.#clock.setTimeout(() => {
        this.#replugTimer = null;
        void this.#pollGrantedPorts().finally(() => {
          if (this.status.state === 'lost' && this.status.reconnecting && this.#replugTimer === null) tick();
        });
      }, this.#replugPoll_ms);
    };
    tick();
  }

  #stopReplugWatch(): void {
    if (this.#replugTimer !== null) this.#clock.clearTimeout(this.#replugTimer);
    this.#replugTimer = null;
  }

  async #pollGrantedPorts(): Promise<void> {
    if (!this.#serial) return;
    let ports: SerialPortLike[];
    try {
      ports = await this.#serial.getPorts();
    } catch {
      return;
    }
    const candidate = ports.find((p) => p.connected !== false && this.#isOurAdapter(p));
    if (candidate) await this.#tryReopen(candidate);
  }

  #tryReopen(port: SerialPortLike): Promise<void> {
    if (this.#replugBusy) return Promise.resolve();
    this.#replugBusy = true;
    return this.#exclusive
      .run(async () => {
        if (this.status.state !== 'lost' || !this.status.reconnecting) return;
        this.#port = port;
        this.#info = this.#describe(port);
        this.#status.set({ state: 'opening', reconnecting: true });
        try {
          await this.#openPort(new AbortController().signal);
          this.#stopReplugWatch();
          this.#status.set({ state: 'open' });
        } catch (err) {
          // Right after a replug the OS may still be setting the device up; the watch tries again.
          await this.#teardown();
          this.#status.set({
            state: 'lost',
            reason: 'unplugged',
            message: `The adapter is back but could not be opened yet: ${errorMessage(err)}`,
            reconnecting: true
          });
          if (this.#replugTimer === null) this.#startReplugWatch();
        }
      })
      .finally(() => {
        this.#replugBusy = false;
      });
  }

  #describe(port: SerialPortLike): TransportInfo {
    const info = port.getInfo();
    const out: TransportInfo = { kind: 'serial', label: serialLabel(info) };
    if (info.usbVendorId !== undefined) out.usbVendorId = info.usbVendorId;
    if (info.usbProductId !== undefined) out.usbProductId = info.usbProductId;
    return out;
  }
}

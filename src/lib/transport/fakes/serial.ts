// A double of navigator.serial that keeps the rules of the real API (WICG Serial, as Chromium
// implements it), so code that passes against it behaves on a real port:
//   - readable / writable are null until open() resolves and after close();
//   - readable is created lazily, and after a recoverable read error (BufferOverrunError,
//     FramingError, BreakError, ParityError) the errored stream is dropped and the next access
//     hands out a fresh one; after a fatal error (device lost) it stays null;
//   - close() rejects with TypeError while readable or writable is locked (a reader or writer
//     still holds it), and with InvalidStateError when the port is not open;
//   - open() rejects with InvalidStateError when already open or opening, with NetworkError when
//     the OS cannot open it (held by another program, or unplugged), TypeError on bad options;
//   - requestPort() needs user activation (SecurityError) and rejects with NotFoundError when the
//     chooser is dismissed; getPorts() lists only granted, connected ports;
//   - unplug errors both streams with NetworkError, fires 'disconnect' at the port (bubbling to
//     navigator.serial); replug makes a NEW SerialPort object, as Chromium does, and fires
//     'connect' at it.
//
// The test-facing side is FakeSerialDevice: the USB adapter with whatever is behind it.
//   const serial = new FakeSerial();
//   const dev = serial.attachDevice({ usbVendorId: 0x10c4, usbProductId: 0xea60, granted: true });
//   dev.onWrite((bytes) => dev.push(reply(bytes)));
//   dev.unplug(); dev.replug(); dev.failNextOpen('InvalidStateError'); dev.readError('FramingError');

import { UserActivationGate, copyBytes, dispatchBubbling, domError, yieldToCaller } from './dom';
import { concatBytes } from '../bytes';

export interface FakeSerialDeviceOptions {
  usbVendorId?: number;
  usbProductId?: number;
  /** Permission was granted in an earlier visit: getPorts() lists it without requestPort(). Default false. */
  granted?: boolean;
  /** Keep the permission across unplug/replug (Chromium does for devices with a serial number). Default true. */
  keepPermissionOnReplug?: boolean;
}

export type SerialWriteListener = (bytes: Uint8Array) => void;

type PortState = 'closed' | 'opening' | 'opened' | 'closing' | 'forgotten';

const RECOVERABLE_READ_ERRORS = ['BufferOverrunError', 'FramingError', 'BreakError', 'ParityError'];
const MAX_BUFFER_SIZE = 16 * 1024 * 1024;

export class FakeSerialPort extends EventTarget {
  onconnect: ((this: FakeSerialPort, ev: Event) => void) | null = null;
  ondisconnect: ((this: FakeSerialPort, ev: Event) => void) | null = null;

  readonly #device: FakeSerialDevice;
  #state: PortState = 'closed';
  #connected = true;
  #options: SerialOptions | null = null;
  #readable: ReadableStream<Uint8Array> | null = null;
  #readController: ReadableStreamDefaultController<Uint8Array> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;
  #writeController: WritableStreamDefaultController | null = null;
  #readFatal = false;
  #writeFatal = false;
  #pendingClose: (() => void) | null = null;
  /** Bytes that arrived while nobody had taken `readable` yet (the OS buffer). */
  #rxBacklog: Uint8Array[] = [];
  #signals: SerialOutputSignals = { dataTerminalReady: false, requestToSend: false, break: false };

  constructor(device: FakeSerialDevice) {
    super();
    this.#device = device;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Spec getter: created on first access while open; null when closed or after a fatal error. */
  get readable(): ReadableStream<Uint8Array> | null {
    if (this.#readable) return this.#readable;
    if (this.#state !== 'opened' || this.#readFatal) return null;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#readController = controller;
          for (const chunk of this.#rxBacklog) controller.enqueue(chunk);
          this.#rxBacklog = [];
        },
        cancel: () => {
          if (this.#readable === stream) this.#dropReadable();
        }
      },
      { highWaterMark: this.#options?.bufferSize ?? 255, size: (chunk) => chunk?.byteLength ?? 1 }
    );
    this.#readable = stream;
    return stream;
  }

  get writable(): WritableStream<Uint8Array> | null {
    if (this.#writable) return this.#writable;
    if (this.#state !== 'opened' || this.#writeFatal) return null;
    const stream = new WritableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#writeController = controller;
        },
        write: async (chunk) => {
          // Typed as Uint8Array, but pages pass whatever they like; Chromium insists on a BufferSource.
          const raw: unknown = chunk;
          if (!ArrayBuffer.isView(raw) && !(raw instanceof ArrayBuffer)) {
            throw new TypeError("Failed to execute 'write': the chunk is not a BufferSource.");
          }
          const bytes = copyBytes(raw);
          await yieldToCaller(1);
          if (this.#writeFatal || !this.#connected) throw domError('NetworkError', 'The device has been lost.');
          this.#device._received(bytes);
        },
        close: () => {
          if (this.#writable === stream) this.#dropWritable();
        },
        abort: () => {
          if (this.#writable === stream) this.#dropWritable();
        }
      },
      { highWaterMark: this.#options?.bufferSize ?? 255, size: (chunk) => chunk?.byteLength ?? 1 }
    );
    this.#writable = stream;
    return stream;
  }

  getInfo(): SerialPortInfo {
    const info: SerialPortInfo = {};
    if (this.#device.options.usbVendorId !== undefined) info.usbVendorId = this.#device.options.usbVendorId;
    if (this.#device.options.usbProductId !== undefined) info.usbProductId = this.#device.options.usbProductId;
    return info;
  }

  async open(options: SerialOptions): Promise<void> {
    if (this.#state === 'forgotten') throw domError('InvalidStateError', 'The port has been forgotten.');
    if (this.#state !== 'closed') throw domError('InvalidStateError', 'The port is already open.');
    validateOptions(options);
    this.#state = 'opening';
    await yieldToCaller();
    const injected = this.#device._takeOpenFailure();
    const failure =
      injected ?? (!this.#connected || this.#device.heldByOtherProgram ? domError('NetworkError', 'Failed to open serial port.') : undefined);
    if (failure) {
      this.#state = 'closed';
      throw failure;
    }
    this.#options = { ...options };
    this.#readFatal = false;
    this.#writeFatal = false;
    this.#rxBacklog = [];
    this.#state = 'opened';
    this.#device._opened();
  }

  async close(): Promise<void> {
    if (this.#state !== 'opened') throw domError('InvalidStateError', 'The port is already closed.');
    // Chromium cancels readable and aborts writable; on a locked stream that throws before
    // anything changes, so a caller that forgot to release its reader gets a rejection.
    if (this.#readable?.locked) throw new TypeError('Cannot cancel a locked stream');
    if (this.#writable?.locked) throw new TypeError('Cannot abort a locked stream');
    const cancelled = this.#readable ? this.#readable.cancel() : Promise.resolve();
    const aborted = this.#writable ? this.#writable.abort() : Promise.resolve();
    const pendingClose =
      this.#readable || this.#writable
        ? new Promise<void>((resolve) => {
            this.#pendingClose = resolve;
            this.#maybeResolvePendingClose();
          })
        : Promise.resolve();
    this.#state = 'closing';
    try {
      await Promise.all([cancelled, aborted, pendingClose]);
    } finally {
      this.#pendingClose = null;
    }
    await yieldToCaller();
    this.#state = 'closed';
    this.#options = null;
    this.#readFatal = false;
    this.#writeFatal = false;
    this.#rxBacklog = [];
  }

  async forget(): Promise<void> {
    if (this.#state === 'opened') {
      try {
        await this.close();
      } catch {
        // forget() releases the port regardless of locks.
        this.#dropReadable();
        this.#dropWritable();
      }
    }
    this.#state = 'forgotten';
    this.#device._forgotten(this);
  }

  async setSignals(signals: SerialOutputSignals): Promise<void> {
    if (this.#state !== 'opened') throw domError('InvalidStateError', 'The port is closed.');
    if (signals.dataTerminalReady === undefined && signals.requestToSend === undefined && signals.break === undefined) {
      throw new TypeError('Signals dictionary must contain at least one member.');
    }
    this.#signals = { ...this.#signals, ...signals };
  }

  async getSignals(): Promise<SerialInputSignals> {
    if (this.#state !== 'opened') throw domError('InvalidStateError', 'The port is closed.');
    return { dataCarrierDetect: false, clearToSend: true, ringIndicator: false, dataSetReady: true };
  }

  // ---- device side (FakeSerialDevice calls these) ----

  /** The output signals last set by the page (DTR/RTS/break). */
  get outputSignals(): SerialOutputSignals {
    return { ...this.#signals };
  }

  get isOpen(): boolean {
    return this.#state === 'opened';
  }

  _deliver(bytes: Uint8Array): boolean {
    if (this.#state !== 'opened' || this.#readFatal) return false;
    if (this.#readController && this.#readable) this.#readController.enqueue(bytes.slice());
    else this.#rxBacklog.push(bytes.slice());
    return true;
  }

  _readError(name: string): void {
    if (this.#state !== 'opened') return;
    const fatal = !RECOVERABLE_READ_ERRORS.includes(name);
    if (fatal) this.#readFatal = true;
    this.#readController?.error(domError(name, fatal ? 'The device has been lost.' : `Read error: ${name}.`));
    this.#rxBacklog = [];
    this.#dropReadable();
  }

  _lose(): void {
    this.#connected = false;
    if (this.#state === 'opened' || this.#state === 'closing') {
      this.#readFatal = true;
      this.#writeFatal = true;
      const lost = domError('NetworkError', 'The device has been lost.');
      this.#readController?.error(lost);
      this.#writeController?.error(lost);
      this.#dropReadable();
      this.#dropWritable();
    }
  }

  #dropReadable(): void {
    this.#readable = null;
    this.#readController = null;
    this.#maybeResolvePendingClose();
  }

  #dropWritable(): void {
    this.#writable = null;
    this.#writeController = null;
    this.#maybeResolvePendingClose();
  }

  #maybeResolvePendingClose(): void {
    if (this.#pendingClose && !this.#readable && !this.#writable) {
      const resolve = this.#pendingClose;
      this.#pendingClose = null;
      resolve();
    }
  }
}

function validateOptions(options: SerialOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('SerialOptions required.');
  const { baudRate, dataBits = 8, stopBits = 1, parity = 'none', bufferSize = 255, flowControl = 'none' } = options;
  if (!Number.isInteger(baudRate) || baudRate <= 0) throw new TypeError('Requested baud rate must be greater than zero.');
  if (dataBits !== 7 && dataBits !== 8) throw new TypeError('Requested number of data bits must be 7 or 8.');
  if (stopBits !== 1 && stopBits !== 2) throw new TypeError('Requested number of stop bits must be 1 or 2.');
  if (!['none', 'even', 'odd'].includes(parity)) throw new TypeError(`Invalid parity: ${String(parity)}`);
  if (!['none', 'hardware'].includes(flowControl)) throw new TypeError(`Invalid flowControl: ${String(flowControl)}`);
  if (!Number.isInteger(bufferSize) || bufferSize <= 0 || bufferSize > MAX_BUFFER_SIZE) {
    throw new TypeError(`Requested buffer size (${bufferSize} bytes) is out of range.`);
  }
}

/** The physical adapter and whatever is behind it; outlives the SerialPort objects made for it. */
export class FakeSerialDevice {
  readonly options: Readonly<FakeSerialDeviceOptions>;
  readonly #serial: FakeSerial;
  #port: FakeSerialPort | null;
  #granted: boolean;
  #listeners = new Set<SerialWriteListener>();
  #openFailures: string[] = [];
  /** Every chunk the page wrote, in order. */
  readonly writes: Uint8Array[] = [];
  /** open() fails with NetworkError, like a port another program holds. */
  heldByOtherProgram = false;
  /** How many times a port of this device was opened successfully. */
  opens = 0;

  constructor(serial: FakeSerial, options: FakeSerialDeviceOptions) {
    this.#serial = serial;
    this.options = { keepPermissionOnReplug: true, ...options };
    this.#granted = options.granted === true;
    this.#port = new FakeSerialPort(this);
  }

  /** The current SerialPort object, null while unplugged. */
  get port(): FakeSerialPort | null {
    return this.#port;
  }

  get plugged(): boolean {
    return this.#port !== null;
  }

  get granted(): boolean {
    return this.#granted;
  }

  /** All bytes written so far, concatenated. */
  written(): Uint8Array {
    return concatBytes(this.writes);
  }

  /** Listen to bytes the page writes. */
  onWrite(listener: SerialWriteListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Bytes from the device to the page. Returns false when the port is not open (the bytes are lost, as on a wire). */
  push(bytes: Uint8Array | readonly number[]): boolean {
    return this.#port?._deliver(Uint8Array.from(bytes)) ?? false;
  }

  /** The next open() calls fail with these DOMException names, one per call. */
  failNextOpen(...names: string[]): void {
    this.#openFailures.push(...names);
  }

  /** A line error on the open port: a recoverable name errors the current stream only; any other is fatal. */
  readError(name: string): void {
    this.#port?._readError(name);
  }

  /** Pull the cable: streams error with NetworkError, 'disconnect' fires. */
  unplug(): void {
    const port = this.#port;
    if (!port) return;
    this.#port = null;
    port._lose();
    if (this.#granted) dispatchBubbling(port, this.#serial, 'disconnect');
    if (!this.options.keepPermissionOnReplug) this.#granted = false;
  }

  /** Plug it back in: a new SerialPort object appears and 'connect' fires at it. */
  replug(): FakeSerialPort {
    if (this.#port) return this.#port;
    const port = new FakeSerialPort(this);
    this.#port = port;
    // Chromium only tells an origin about ports it has permission for.
    if (this.#granted) dispatchBubbling(port, this.#serial, 'connect');
    return port;
  }

  _grant(): void {
    this.#granted = true;
  }

  _forgotten(port: FakeSerialPort): void {
    if (port === this.#port) this.#granted = false;
  }

  _takeOpenFailure(): DOMException | undefined {
    const name = this.#openFailures.shift();
    if (name === undefined) return undefined;
    const messages: Record<string, string> = {
      InvalidStateError: 'The port is already open.',
      NetworkError: 'Failed to open serial port.',
      NotFoundError: 'The port was not found.',
      SecurityError: 'Access denied.'
    };
    return domError(name, messages[name] ?? `Open failed: ${name}.`);
  }

  _received(bytes: Uint8Array): void {
    this.writes.push(bytes);
    for (const l of [...this.#listeners]) l(bytes);
  }

  _opened(): void {
    this.opens++;
  }
}

export interface FakeSerialOptions {
  /** Where user activation comes from; default: the page's navigator.userActivation, or grants from simulateUserGesture(). */
  userActivation?: () => boolean;
}

export class FakeSerial extends EventTarget {
  onconnect: ((this: FakeSerial, ev: Event) => void) | null = null;
  ondisconnect: ((this: FakeSerial, ev: Event) => void) | null = null;

  readonly #devices: FakeSerialDevice[] = [];
  readonly #gate: UserActivationGate;
  /**
   * Stands in for the person at the port chooser: gets the ports on offer, returns the one they
   * pick or null to dismiss it. Default: the first.
   */
  chooser: (ports: FakeSerialPort[]) => FakeSerialPort | null = (ports) => ports[0] ?? null;

  constructor(options: FakeSerialOptions = {}) {
    super();
    this.#gate = new UserActivationGate(options.userActivation);
  }

  get devices(): readonly FakeSerialDevice[] {
    return this.#devices;
  }

  attachDevice(options: FakeSerialDeviceOptions = {}): FakeSerialDevice {
    const device = new FakeSerialDevice(this, options);
    this.#devices.push(device);
    return device;
  }

  /** Stand-in for a click in Node: the next requestPort() is allowed. */
  simulateUserGesture(): void {
    this.#gate.grant();
  }

  async getPorts(): Promise<FakeSerialPort[]> {
    await yieldToCaller();
    return this.#devices.filter((d) => d.granted && d.port).map((d) => d.port as FakeSerialPort);
  }

  async requestPort(options: SerialPortRequestOptions = {}): Promise<FakeSerialPort> {
    if (!this.#gate.consume()) {
      throw domError('SecurityError', "Failed to execute 'requestPort' on 'Serial': Must be handling a user gesture to show a permission request.");
    }
    const filters = options.filters ?? [];
    for (const f of filters) {
      if (f.usbVendorId === undefined && f.usbProductId !== undefined)
        throw new TypeError('A filter containing a usbProductId must also specify a usbVendorId.');
    }
    await yieldToCaller();
    const offered = this.#devices
      .filter((d) => d.port)
      .filter((d) => filters.length === 0 || filters.some((f) => matchesFilter(d, f)))
      .map((d) => d.port as FakeSerialPort);
    const chosen = this.chooser(offered);
    if (!chosen || !offered.includes(chosen)) throw domError('NotFoundError', 'No port selected by the user.');
    this.#devices.find((d) => d.port === chosen)?._grant();
    return chosen;
  }
}

function matchesFilter(device: FakeSerialDevice, filter: SerialPortFilter): boolean {
  if (filter.usbVendorId !== undefined && filter.usbVendorId !== device.options.usbVendorId) return false;
  if (filter.usbProductId !== undefined && filter.usbProductId !== device.options.usbProductId) return false;
  return true;
}

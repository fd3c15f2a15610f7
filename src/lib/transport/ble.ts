// Web Bluetooth transport: a BLE UART module (HM-10, JBD-type, Nordic UART, PACEEX) that passes
// the pack's ASCII frames through. The GATT profile is found by looking at what the device offers;
// writes go out in small chunks, one GATT operation at a time; notifications arrive in pieces
// that the frame reader above reassembles. A dropped link is reconnected with back-off and
// notifications are subscribed again on the new connection's objects.

import { realClock, sleep, type Clock } from '../time/clock';
import { BLE_UART_PROFILES, checkProfiles, shortUuid, type BleUartProfile } from './ble-profiles';
import { abortedError, classifyBleConnectError, classifyBleRequestError, errorMessage, lostError, notOpenError, writeFailedError } from './errors';
import { Exclusive } from './exclusive';
import { followAbort } from './follow-abort';
import { Listeners, StatusCell } from './link-events';
import { TransportError, type LinkTiming, type Transport, type TransportInfo, type TransportStatus, type Unsubscribe } from './types';

// What the transport needs of Web Bluetooth; the real objects and the test double both fit.

export interface GattCharacteristicLike extends EventTarget {
  readonly uuid: string;
  readonly properties: { readonly write: boolean; readonly writeWithoutResponse: boolean; readonly notify: boolean; readonly indicate: boolean };
  readonly value?: DataView;
  writeValueWithResponse(value: BufferSource): Promise<void>;
  writeValueWithoutResponse(value: BufferSource): Promise<void>;
  startNotifications(): Promise<unknown>;
  stopNotifications(): Promise<unknown>;
}

export interface GattServiceLike {
  readonly uuid: string;
  getCharacteristic(characteristic: string): Promise<GattCharacteristicLike>;
}

export interface GattServerLike {
  readonly connected: boolean;
  connect(): Promise<unknown>;
  disconnect(): void;
  getPrimaryServices(): Promise<GattServiceLike[]>;
}

export interface BluetoothDeviceLike extends EventTarget {
  readonly id: string;
  readonly name?: string;
  readonly gatt?: GattServerLike;
  watchAdvertisements?(options?: { signal?: AbortSignal }): Promise<void>;
}

export interface BluetoothLike {
  requestDevice(options: RequestDeviceOptions): Promise<BluetoothDeviceLike>;
  getDevices?(): Promise<BluetoothDeviceLike[]>;
  getAvailability?(): Promise<boolean>;
}

export interface BleTransportOptions {
  /** The Web Bluetooth API. Default navigator.bluetooth. */
  bluetooth?: BluetoothLike;
  /** Timers for back-off and waits. Default the real clock. */
  clock?: Clock;
  /** UART profiles to look for, in order of preference. Default BLE_UART_PROFILES. */
  profiles?: readonly BleUartProfile[];
  /** Pause before each reconnect attempt after the link drops; one attempt per entry. Default [500, 1000, 2000, 4000, 8000]. */
  reconnectDelays_ms?: readonly number[];
  /**
   * Wait for an advertisement before connecting (devices from getDevices() may be out of range, and
   * Chromium connects more reliably to a device it has just seen). Default false; true from
   * fromGrantedDevices().
   */
  waitForAdvertisement?: boolean;
  /** How long to wait for that advertisement before trying anyway. Default 10000. */
  advertisementWait_ms?: number;
}

export interface BleRequestOptions extends BleTransportOptions {
  /** List every nearby device, not only ones that look like UART modules. Default false. */
  showAllDevices?: boolean;
}

const DEFAULT_RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000] as const;
const DEFAULT_ADVERTISEMENT_WAIT_MS = 10_000;
/**
 * Round-trip allowance the radio adds: a write waits for a connection event, and a reply comes
 * back as many notifications, a few per connection interval (7.5-50 ms, chosen by the OS).
 */
const BLE_LATENCY_MS = 250;

function navigatorBluetooth(): BluetoothLike | undefined {
  const nav = (globalThis as { navigator?: { bluetooth?: BluetoothLike } }).navigator;
  return nav?.bluetooth;
}

function requireBluetooth(options: BleTransportOptions): BluetoothLike {
  const bt = options.bluetooth ?? navigatorBluetooth();
  if (!bt) throw new TransportError('unsupported', 'This browser cannot use Bluetooth devices.', { link: 'ble' });
  return bt;
}

/** requestDevice() options that list UART modules and unlock every profile's service. */
export function requestOptionsFor(profiles: readonly BleUartProfile[], showAllDevices = false): RequestDeviceOptions {
  const optionalServices = [...new Set(profiles.map((p) => p.service))];
  if (showAllDevices) return { acceptAllDevices: true, optionalServices };
  const filters: BluetoothLEScanFilter[] = [
    ...optionalServices.map((service) => ({ services: [service] })),
    ...[...new Set(profiles.flatMap((p) => p.namePrefixes))].map((namePrefix) => ({ namePrefix }))
  ];
  return { filters, optionalServices };
}

interface Link {
  notify: GattCharacteristicLike;
  write: GattCharacteristicLike;
  profile: BleUartProfile;
  onValue: (ev: Event) => void;
}

export class BleTransport implements Transport {
  /** Ask the person to pick a device. Must run inside a click handler. */
  static async request(options: BleRequestOptions = {}): Promise<BleTransport> {
    const bt = requireBluetooth(options);
    const profiles = checkProfiles(options.profiles ?? BLE_UART_PROFILES);
    if (bt.getAvailability && !(await bt.getAvailability().catch(() => true))) {
      throw new TransportError('unavailable', 'Bluetooth is off or there is no Bluetooth adapter.', { link: 'ble' });
    }
    let device: BluetoothDeviceLike;
    try {
      device = await bt.requestDevice(requestOptionsFor(profiles, options.showAllDevices));
    } catch (err) {
      throw classifyBleRequestError(err);
    }
    return new BleTransport(device, { ...options, bluetooth: bt, profiles });
  }

  /** Devices this site was granted earlier (where the browser supports getDevices()), unopened. */
  static async fromGrantedDevices(options: BleTransportOptions = {}): Promise<BleTransport[]> {
    const bt = options.bluetooth ?? navigatorBluetooth();
    if (!bt?.getDevices) return [];
    let devices: BluetoothDeviceLike[];
    try {
      devices = await bt.getDevices();
    } catch (err) {
      throw classifyBleRequestError(err);
    }
    return devices.map((d) => new BleTransport(d, { waitForAdvertisement: true, ...options, bluetooth: bt }));
  }

  readonly #device: BluetoothDeviceLike;
  readonly #clock: Clock;
  readonly #profiles: readonly BleUartProfile[];
  readonly #reconnectDelays_ms: readonly number[];
  readonly #waitForAdvertisement: boolean;
  readonly #advertisementWait_ms: number;
  readonly #status = new StatusCell();
  readonly #data = new Listeners<Uint8Array>();
  readonly #exclusive = new Exclusive();
  readonly #writes = new Exclusive();
  #info: TransportInfo;
  #link: Link | null = null;
  /** Aborts whatever is in flight (an open, a reconnect) when close() is called. */
  #cancel: AbortController | null = null;
  #onDisconnected: ((ev: Event) => void) | null = null;

  constructor(device: BluetoothDeviceLike, options: BleTransportOptions = {}) {
    this.#device = device;
    this.#clock = options.clock ?? realClock;
    this.#profiles = checkProfiles(options.profiles ?? BLE_UART_PROFILES);
    this.#reconnectDelays_ms = options.reconnectDelays_ms ?? DEFAULT_RECONNECT_DELAYS_MS;
    this.#waitForAdvertisement = options.waitForAdvertisement ?? false;
    this.#advertisementWait_ms = options.advertisementWait_ms ?? DEFAULT_ADVERTISEMENT_WAIT_MS;
    if (this.#reconnectDelays_ms.some((d) => !(d >= 0))) throw new RangeError('reconnectDelays_ms must be non-negative');
    if (!(this.#advertisementWait_ms >= 0)) throw new RangeError('advertisementWait_ms must be non-negative');
    this.#info = this.#describe(null);
  }

  get info(): TransportInfo {
    return this.#info;
  }

  get status(): TransportStatus {
    return this.#status.current;
  }

  /** The bridge's UART behind the radio is not visible from here: assume the packs' 9600 8N1. */
  get timing(): LinkTiming {
    return { baud: 9600, bitsPerByte: 10, latency_ms: BLE_LATENCY_MS };
  }

  /** The profile in use while connected (kept after a disconnect for the label). */
  get profile(): BleUartProfile | null {
    return this.#link?.profile ?? null;
  }

  get device(): BluetoothDeviceLike {
    return this.#device;
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
      this.#cancel?.abort();
      const cancel = new AbortController();
      this.#cancel = cancel;
      const unfollow = followAbort(signal, cancel);
      this.#status.set({ state: 'opening' });
      try {
        if (this.#waitForAdvertisement) await this.#awaitAdvertisement(cancel.signal);
        await this.#connect(cancel.signal);
        this.#status.set({ state: 'open' });
      } catch (err) {
        await this.#teardown();
        const error = cancel.signal.aborted
          ? abortedError(cancel.signal, 'ble', 'not-open', 'Connecting to the Bluetooth device')
          : classifyBleConnectError(err);
        this.#status.set({ state: 'closed', reason: 'open-failed', message: error.message });
        throw error;
      } finally {
        unfollow();
      }
    });
  }

  close(): Promise<void> {
    this.#cancel?.abort(new TransportError('not-open', 'close() was called.', { link: 'ble' }));
    return this.#exclusive.run(async () => {
      this.#cancel = null;
      await this.#teardown();
      this.#status.set({ state: 'closed', reason: 'user' });
    });
  }

  /** Split into the profile's chunk size; all chunks of one write() go out before the next write() starts. */
  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (this.status.state !== 'open' || !this.#link) {
      return Promise.reject(this.status.state === 'lost' ? lostError('ble', 'Bluetooth link') : notOpenError('ble', 'The Bluetooth link'));
    }
    const data = bytes.slice();
    return this.#writes.run(async () => {
      const chunk_bytes = this.#link?.profile.writeChunk_bytes ?? data.length;
      for (let at = 0; at < data.length; at += chunk_bytes) {
        if (signal?.aborted) throw abortedError(signal, 'ble', 'write-failed', 'Sending');
        const link = this.#link;
        if (!link || this.status.state !== 'open')
          throw this.status.state === 'lost' ? lostError('ble', 'Bluetooth link') : notOpenError('ble', 'The Bluetooth link');
        const chunk = data.subarray(at, at + chunk_bytes);
        try {
          // Without response where allowed: no round trip per chunk, and HM-10 style modules
          // forward either kind to the UART the same way.
          if (link.write.properties.writeWithoutResponse) await link.write.writeValueWithoutResponse(chunk);
          else await link.write.writeValueWithResponse(chunk);
        } catch (err) {
          if (this.#link !== link || this.status.state !== 'open') throw lostError('ble', 'Bluetooth link');
          throw writeFailedError('ble', err);
        }
      }
    });
  }

  // ---- connecting ----

  async #connect(signal: AbortSignal): Promise<void> {
    const gatt = this.#device.gatt;
    if (!gatt) throw new TransportError('no-service', 'This device has no GATT server.', { link: 'ble' });
    this.#listenForDisconnect();
    const onAbort = () => gatt.disconnect();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted) throw signal.reason;
      await gatt.connect();
      if (signal.aborted) throw signal.reason;
      const services = await gatt.getPrimaryServices();
      const found = this.#profiles.map((p) => ({ profile: p, service: services.find((s) => s.uuid === p.service) })).find((x) => x.service);
      if (!found?.service) {
        throw new TransportError('no-service', `${this.#device.name ?? 'The device'} offers none of the known UART services.`, { link: 'ble' });
      }
      const { profile, service } = found;
      const notify = await service.getCharacteristic(profile.notify);
      const write = profile.write === profile.notify ? notify : await service.getCharacteristic(profile.write);
      if (!write.properties.write && !write.properties.writeWithoutResponse) {
        throw new TransportError('no-service', `The ${profile.label} characteristic cannot be written.`, { link: 'ble' });
      }
      const onValue = (ev: Event) => this.#onValue(ev, link);
      const link: Link = { notify, write, profile, onValue };
      notify.addEventListener('characteristicvaluechanged', onValue);
      try {
        await notify.startNotifications();
      } catch (err) {
        notify.removeEventListener('characteristicvaluechanged', onValue);
        throw err;
      }
      if (signal.aborted) {
        notify.removeEventListener('characteristicvaluechanged', onValue);
        throw signal.reason;
      }
      // A drop while we were subscribing was ignored (not open yet); do not call a dead link open.
      if (!gatt.connected) {
        notify.removeEventListener('characteristicvaluechanged', onValue);
        throw new TransportError('gone', 'The Bluetooth link dropped while connecting.', { link: 'ble' });
      }
      this.#link = link;
      this.#info = this.#describe(profile);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  #onValue(ev: Event, link: Link): void {
    if (this.#link !== link) return;
    const view = (ev.target as GattCharacteristicLike | null)?.value;
    if (!view || view.byteLength === 0) return;
    // Copy: the browser may reuse the DataView's buffer for the next notification.
    this.#data.emit(new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)));
  }

  async #awaitAdvertisement(signal: AbortSignal): Promise<void> {
    const device = this.#device;
    if (typeof device.watchAdvertisements !== 'function') return;
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const seen = new Promise<void>((resolve) => {
        device.addEventListener('advertisementreceived', () => resolve(), { once: true, signal: stop.signal });
      });
      try {
        await device.watchAdvertisements({ signal: stop.signal });
      } catch {
        return; // Not allowed or not supported here: connect straight away.
      }
      const timeout = sleep(this.#clock, this.#advertisementWait_ms, stop.signal).catch(() => undefined);
      await Promise.race([seen, timeout]);
      if (signal.aborted) throw signal.reason;
    } finally {
      stop.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  // ---- link loss ----

  #listenForDisconnect(): void {
    if (this.#onDisconnected) return;
    const handler = () => this.#linkDropped();
    this.#onDisconnected = handler;
    this.#device.addEventListener('gattserverdisconnected', handler);
  }

  #linkDropped(): void {
    // Only a live link counts; the disconnects we cause ourselves detach this handler first.
    if (this.status.state !== 'open' || !this.#link) return;
    this.#dropLink();
    const attempts = this.#reconnectDelays_ms.length;
    this.#status.set({
      state: 'lost',
      reason: 'gatt-disconnected',
      message: attempts > 0 ? 'The Bluetooth link dropped. Reconnecting…' : 'The Bluetooth link dropped.',
      reconnecting: attempts > 0
    });
    if (attempts === 0) return;
    const cancel = new AbortController();
    this.#cancel = cancel;
    void this.#reconnect(cancel.signal);
  }

  async #reconnect(signal: AbortSignal): Promise<void> {
    const attempts = this.#reconnectDelays_ms.length;
    let lastError: unknown = null;
    for (let i = 0; i < attempts; i++) {
      try {
        await sleep(this.#clock, this.#reconnectDelays_ms[i], signal);
      } catch {
        return; // close() was called.
      }
      const done = await this.#exclusive.run(async () => {
        if (signal.aborted || this.status.state !== 'lost') return true;
        try {
          await this.#connect(signal);
          this.#status.set({ state: 'open' });
          return true;
        } catch (err) {
          lastError = err;
          this.#dropLink();
          // A half-made connection (connected, but discovery or subscribing failed) is dropped so
          // the next attempt starts clean.
          if (this.#device.gatt?.connected) this.#device.gatt.disconnect();
          if (signal.aborted) return true;
          this.#status.set({
            state: 'lost',
            reason: 'gatt-disconnected',
            message: `The Bluetooth link dropped. Reconnect attempt ${i + 1} of ${attempts} failed.`,
            reconnecting: i + 1 < attempts
          });
          return false;
        }
      });
      if (done) return;
    }
    this.#status.set({
      state: 'lost',
      reason: 'gatt-disconnected',
      message: `Could not reconnect to the Bluetooth device${lastError ? `: ${errorMessage(lastError)}` : ''}. Move closer and connect again.`
    });
  }

  // ---- closing ----

  /** Forget the link's objects (they die with the connection) without touching the radio. */
  #dropLink(): void {
    const link = this.#link;
    this.#link = null;
    link?.notify.removeEventListener('characteristicvaluechanged', link.onValue);
  }

  async #teardown(): Promise<void> {
    const link = this.#link;
    this.#dropLink();
    if (this.#onDisconnected) {
      this.#device.removeEventListener('gattserverdisconnected', this.#onDisconnected);
      this.#onDisconnected = null;
    }
    const gatt = this.#device.gatt;
    if (link && gatt?.connected) await link.notify.stopNotifications().catch(() => undefined);
    if (gatt?.connected) gatt.disconnect();
  }

  #describe(profile: BleUartProfile | null): TransportInfo {
    const name = this.#device.name;
    const base = name && name.length > 0 ? name : 'Bluetooth device';
    const info: TransportInfo = { kind: 'ble', label: profile ? `${base} (${shortUuid(profile.service)})` : base };
    if (name) info.bleName = name;
    if (profile) info.bleProfile = profile.id;
    return info;
  }
}

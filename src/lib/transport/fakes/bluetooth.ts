// A double of navigator.bluetooth that keeps the rules of Web Bluetooth as Chromium implements
// them, so code that passes against it behaves with a real module:
//   - requestDevice() needs user activation (SecurityError), exactly one of `filters` /
//     `acceptAllDevices` (TypeError), and rejects with NotFoundError when the chooser is dismissed;
//   - only services named in filters or optionalServices may be used (SecurityError), unknown ones
//     are NotFoundError; nothing works while disconnected (NetworkError);
//   - service and characteristic objects belong to one connection: after a disconnect they fail
//     (NetworkError while down, InvalidStateError after a reconnect) and notifications stop, so a
//     client must fetch them again and re-subscribe;
//   - one GATT operation at a time per characteristic ("GATT operation already in progress",
//     NetworkError); values over 512 bytes are InvalidModificationError; write types must match
//     the characteristic's properties (NotSupportedError);
//   - startNotifications() needs notify/indicate and a CCCD descriptor (0x2902), as Chromium's
//     own emulation does;
//   - gattserverdisconnected fires on link loss and on gatt.disconnect().
//
// The test-facing side is FakePeripheral: the module on the pack.
//   const bt = new FakeBluetooth();
//   const hm10 = bt.addPeripheral(hm10Peripheral({ name: 'HM-10' }));
//   hm10.onWrite(0xffe1, (bytes) => hm10.notify(0xffe1, reply(bytes)));
//   hm10.dropConnection(); hm10.connectable = false; hm10.inRange = false;

import { expandUuid } from '../ble-profiles';
import { UserActivationGate, callHandler, copyBytes, domError, yieldToCaller } from './dom';
import { concatBytes } from '../bytes';

export type UuidLike = number | string;

export interface FakeCharacteristicSpec {
  uuid: UuidLike;
  properties: Partial<BluetoothCharacteristicProperties>;
  /** Descriptor UUIDs; add 0x2902 (CCCD) for anything that notifies. */
  descriptors?: UuidLike[];
}

export interface FakeServiceSpec {
  uuid: UuidLike;
  characteristics: FakeCharacteristicSpec[];
}

export interface FakePeripheralOptions {
  name?: string;
  /** Device id the page sees. Default a generated one. */
  id?: string;
  services: FakeServiceSpec[];
  /** Service UUIDs in the advertisement (what `filters: [{ services }]` match). Default: all services. */
  advertisedServices?: UuidLike[];
  /** Permission granted in an earlier visit: getDevices() lists it. Default false. */
  granted?: boolean;
  /** Services usable when granted earlier. Default: all of them. */
  grantedServices?: UuidLike[];
  /**
   * Largest write the module takes in one operation (its ATT MTU - 3). Longer writes reject with
   * NetworkError, so a client that does not chunk finds out. Default 512 (no module limit).
   */
  maxWrite_bytes?: number;
}

export type GattWriteType = 'with-response' | 'without-response';
export type PeripheralWriteListener = (bytes: Uint8Array, type: GattWriteType) => void;

const MAX_ATTRIBUTE_BYTES = 512;
const CCCD = expandUuid(0x2902);

/** Properties with every flag present, as BluetoothCharacteristicProperties has them. */
function fullProperties(p: Partial<BluetoothCharacteristicProperties>): BluetoothCharacteristicProperties {
  return Object.freeze({
    broadcast: p.broadcast ?? false,
    read: p.read ?? false,
    writeWithoutResponse: p.writeWithoutResponse ?? false,
    write: p.write ?? false,
    notify: p.notify ?? false,
    indicate: p.indicate ?? false,
    authenticatedSignedWrites: p.authenticatedSignedWrites ?? false,
    reliableWrite: p.reliableWrite ?? false,
    writableAuxiliaries: p.writableAuxiliaries ?? false
  });
}

function disconnectedError(what: string): DOMException {
  return domError('NetworkError', `GATT Server is disconnected. Cannot ${what}. (Re)connect first with \`device.gatt.connect\`.`);
}

/** The radio side of one characteristic: its value, its subscribers, its busy flag. */
class CharacteristicState {
  readonly uuid: string;
  readonly properties: BluetoothCharacteristicProperties;
  readonly descriptors: string[];
  value: Uint8Array = new Uint8Array(0);
  busy = false;
  readonly listeners = new Set<PeripheralWriteListener>();
  /** Page-side objects currently subscribed (only of the live connection). */
  readonly subscribers = new Set<FakeGattCharacteristic>();

  constructor(spec: FakeCharacteristicSpec) {
    this.uuid = expandUuid(spec.uuid);
    this.properties = fullProperties(spec.properties);
    this.descriptors = (spec.descriptors ?? []).map(expandUuid);
  }
}

export class FakeGattDescriptor {
  readonly characteristic: FakeGattCharacteristic;
  readonly uuid: string;
  value?: DataView;

  constructor(characteristic: FakeGattCharacteristic, uuid: string) {
    this.characteristic = characteristic;
    this.uuid = uuid;
  }

  async readValue(): Promise<DataView> {
    this.characteristic._check('read descriptor value');
    if (this.uuid === CCCD) {
      const on = this.characteristic._subscribed ? 1 : 0;
      this.value = new DataView(Uint8Array.of(on, 0).buffer);
      return this.value;
    }
    return new DataView(new ArrayBuffer(0));
  }

  async writeValue(): Promise<void> {
    this.characteristic._check('write descriptor value');
    if (this.uuid === CCCD) throw domError('SecurityError', 'writeValue() called on blocklisted object marked exclude-writes.');
  }
}

export class FakeGattCharacteristic extends EventTarget {
  oncharacteristicvaluechanged: ((ev: Event) => unknown) | null = null;
  readonly service: FakeGattService;
  readonly uuid: string;
  readonly properties: BluetoothCharacteristicProperties;
  value?: DataView;
  readonly #state: CharacteristicState;
  readonly #generation: number;
  _subscribed = false;

  constructor(service: FakeGattService, state: CharacteristicState, generation: number) {
    super();
    this.service = service;
    this.#state = state;
    this.#generation = generation;
    this.uuid = state.uuid;
    this.properties = state.properties;
  }

  /** Throws the error Chromium gives for an operation on this object now. */
  _check(what: string): void {
    const peripheral = this.service.device._peripheral;
    if (!peripheral._connected) throw disconnectedError(what);
    if (peripheral._generation !== this.#generation) throw domError('InvalidStateError', 'GATT Characteristic no longer exists.');
  }

  async getDescriptor(descriptor: BluetoothDescriptorUUID): Promise<FakeGattDescriptor> {
    this._check('retrieve descriptors');
    const uuid = expandUuid(descriptor);
    if (!this.#state.descriptors.includes(uuid))
      throw domError('NotFoundError', `No Descriptors matching UUID ${uuid} found in Characteristic with UUID ${this.uuid}.`);
    await yieldToCaller();
    return new FakeGattDescriptor(this, uuid);
  }

  async getDescriptors(descriptor?: BluetoothDescriptorUUID): Promise<FakeGattDescriptor[]> {
    this._check('retrieve descriptors');
    const wanted = descriptor === undefined ? undefined : expandUuid(descriptor);
    const found = this.#state.descriptors.filter((d) => wanted === undefined || d === wanted);
    if (found.length === 0) throw domError('NotFoundError', `No Descriptors found in Characteristic with UUID ${this.uuid}.`);
    await yieldToCaller();
    return found.map((d) => new FakeGattDescriptor(this, d));
  }

  async readValue(): Promise<DataView> {
    if (!this.properties.read) throw domError('NotSupportedError', 'GATT operation not permitted.');
    return this.#operation('read value', async () => {
      const view = new DataView(this.#state.value.slice().buffer);
      this.value = view;
      this.#fireValueChanged();
      return view;
    });
  }

  writeValue(value: BufferSource): Promise<void> {
    if (!this.properties.write && !this.properties.writeWithoutResponse)
      return Promise.reject(domError('NotSupportedError', 'GATT operation not permitted.'));
    return this.#write(value, this.properties.write ? 'with-response' : 'without-response');
  }

  writeValueWithResponse(value: BufferSource): Promise<void> {
    if (!this.properties.write) return Promise.reject(domError('NotSupportedError', 'GATT operation not permitted.'));
    return this.#write(value, 'with-response');
  }

  writeValueWithoutResponse(value: BufferSource): Promise<void> {
    if (!this.properties.writeWithoutResponse) return Promise.reject(domError('NotSupportedError', 'GATT operation not permitted.'));
    return this.#write(value, 'without-response');
  }

  async startNotifications(): Promise<FakeGattCharacteristic> {
    if (!this.properties.notify && !this.properties.indicate) throw domError('NotSupportedError', 'GATT operation not permitted.');
    return this.#operation('start notifications', async () => {
      if (!this.#state.descriptors.includes(CCCD)) throw domError('NotSupportedError', 'GATT Error: Not supported.');
      this._subscribed = true;
      this.#state.subscribers.add(this);
      return this;
    });
  }

  async stopNotifications(): Promise<FakeGattCharacteristic> {
    return this.#operation('stop notifications', async () => {
      this._subscribed = false;
      this.#state.subscribers.delete(this);
      return this;
    });
  }

  /** Deliver a notification (the peripheral calls this). */
  _notify(bytes: Uint8Array): void {
    this.value = new DataView(bytes.slice().buffer);
    this.#fireValueChanged();
  }

  #fireValueChanged(): void {
    const ev = new Event('characteristicvaluechanged', { bubbles: true });
    this.dispatchEvent(ev);
    callHandler(this, 'characteristicvaluechanged', ev);
  }

  #write(value: BufferSource, type: GattWriteType): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = copyBytes(value);
    } catch (err) {
      return Promise.reject(err);
    }
    if (bytes.length > MAX_ATTRIBUTE_BYTES) return Promise.reject(domError('InvalidModificationError', "Value can't exceed 512 bytes."));
    return this.#operation('write value', async () => {
      const peripheral = this.service.device._peripheral;
      if (bytes.length > peripheral.maxWrite_bytes) throw domError('NetworkError', 'GATT operation failed for unknown reason.');
      this.#state.value = bytes;
      peripheral._recordWrite(this.uuid, bytes, type);
      for (const l of [...this.#state.listeners]) l(bytes, type);
    });
  }

  async #operation<T>(what: string, body: () => Promise<T>): Promise<T> {
    this._check(what);
    if (this.#state.busy) throw domError('NetworkError', 'GATT operation already in progress.');
    this.#state.busy = true;
    try {
      await yieldToCaller();
      this._check(what);
      return await body();
    } finally {
      this.#state.busy = false;
    }
  }
}

export class FakeGattService extends EventTarget {
  oncharacteristicvaluechanged: ((ev: Event) => unknown) | null = null;
  onserviceadded: ((ev: Event) => unknown) | null = null;
  onservicechanged: ((ev: Event) => unknown) | null = null;
  onserviceremoved: ((ev: Event) => unknown) | null = null;
  readonly device: FakeBluetoothDevice;
  readonly uuid: string;
  readonly isPrimary = true;
  readonly #characteristics: CharacteristicState[];
  readonly #generation: number;

  constructor(device: FakeBluetoothDevice, uuid: string, characteristics: CharacteristicState[], generation: number) {
    super();
    this.device = device;
    this.uuid = uuid;
    this.#characteristics = characteristics;
    this.#generation = generation;
  }

  #check(what: string): void {
    const peripheral = this.device._peripheral;
    if (!peripheral._connected) throw disconnectedError(what);
    if (peripheral._generation !== this.#generation) throw domError('InvalidStateError', 'GATT Service no longer exists.');
  }

  async getCharacteristic(characteristic: BluetoothCharacteristicUUID): Promise<FakeGattCharacteristic> {
    this.#check('retrieve characteristics');
    const uuid = expandUuid(characteristic);
    await yieldToCaller();
    this.#check('retrieve characteristics');
    const state = this.#characteristics.find((c) => c.uuid === uuid);
    if (!state) throw domError('NotFoundError', `No Characteristics matching UUID ${uuid} found in Service with UUID ${this.uuid}.`);
    return new FakeGattCharacteristic(this, state, this.#generation);
  }

  async getCharacteristics(characteristic?: BluetoothCharacteristicUUID): Promise<FakeGattCharacteristic[]> {
    this.#check('retrieve characteristics');
    const wanted = characteristic === undefined ? undefined : expandUuid(characteristic);
    await yieldToCaller();
    this.#check('retrieve characteristics');
    const found = this.#characteristics.filter((c) => wanted === undefined || c.uuid === wanted);
    if (found.length === 0) throw domError('NotFoundError', `No Characteristics found in service ${this.uuid}.`);
    return found.map((c) => new FakeGattCharacteristic(this, c, this.#generation));
  }

  async getIncludedService(): Promise<FakeGattService> {
    throw domError('NotFoundError', 'No included services.');
  }

  async getIncludedServices(): Promise<FakeGattService[]> {
    throw domError('NotFoundError', 'No included services.');
  }
}

export class FakeGattServer {
  readonly device: FakeBluetoothDevice;

  constructor(device: FakeBluetoothDevice) {
    this.device = device;
  }

  get connected(): boolean {
    return this.device._peripheral._connected;
  }

  connect(): Promise<FakeGattServer> {
    return this.device._peripheral._connect().then(() => this);
  }

  disconnect(): void {
    this.device._peripheral._hostDisconnect();
  }

  async getPrimaryService(service: BluetoothServiceUUID): Promise<FakeGattService> {
    const uuid = expandUuid(service);
    const found = await this.#services(uuid);
    return found[0];
  }

  async getPrimaryServices(service?: BluetoothServiceUUID): Promise<FakeGattService[]> {
    return this.#services(service === undefined ? undefined : expandUuid(service));
  }

  async #services(uuid: string | undefined): Promise<FakeGattService[]> {
    const peripheral = this.device._peripheral;
    if (!peripheral._connected) throw disconnectedError('retrieve services');
    if (uuid !== undefined && !this.device._allowed.has(uuid)) {
      throw domError(
        'SecurityError',
        "Origin is not allowed to access the service. Tip: Add the service UUID to 'optionalServices' in requestDevice() options. https://goo.gl/HxfxSQ"
      );
    }
    await yieldToCaller();
    if (!peripheral._connected) throw disconnectedError('retrieve services');
    const generation = peripheral._generation;
    const found = peripheral._services
      .filter((s) => (uuid === undefined ? this.device._allowed.has(s.uuid) : s.uuid === uuid))
      .map((s) => new FakeGattService(this.device, s.uuid, s.characteristics, generation));
    if (found.length === 0) {
      throw domError('NotFoundError', uuid === undefined ? 'No Services found in device.' : `No Services matching UUID ${uuid} found in Device.`);
    }
    return found;
  }
}

export class FakeBluetoothDevice extends EventTarget {
  onadvertisementreceived: ((ev: Event) => unknown) | null = null;
  ongattserverdisconnected: ((ev: Event) => unknown) | null = null;
  oncharacteristicvaluechanged: ((ev: Event) => unknown) | null = null;
  onserviceadded: ((ev: Event) => unknown) | null = null;
  onservicechanged: ((ev: Event) => unknown) | null = null;
  onserviceremoved: ((ev: Event) => unknown) | null = null;
  readonly id: string;
  readonly name?: string;
  readonly gatt: FakeGattServer;
  readonly _peripheral: FakePeripheral;
  /** Services this origin may use (filters + optionalServices of every grant). */
  readonly _allowed = new Set<string>();
  #watch: AbortController | null = null;

  constructor(peripheral: FakePeripheral, id: string, name: string | undefined) {
    super();
    this._peripheral = peripheral;
    this.id = id;
    if (name !== undefined) this.name = name;
    this.gatt = new FakeGattServer(this);
  }

  get watchingAdvertisements(): boolean {
    return this.#watch !== null;
  }

  async watchAdvertisements(options: WatchAdvertisementsOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw domError('AbortError', 'The Bluetooth operation was cancelled.');
    this.#watch?.abort();
    const watch = new AbortController();
    this.#watch = watch;
    options.signal?.addEventListener('abort', () => {
      if (this.#watch === watch) this.#watch = null;
    });
    await yieldToCaller();
    if (this._peripheral.inRange) queueMicrotask(() => this._advertise());
  }

  async forget(): Promise<void> {
    this._peripheral._hostDisconnect();
    this._allowed.clear();
    this._peripheral._forget();
  }

  /** Fire one advertisement if someone watches (the peripheral calls this). */
  _advertise(): void {
    if (!this.#watch) return;
    const ev = new Event('advertisementreceived') as Event & Record<string, unknown>;
    Object.assign(ev, {
      device: this,
      uuids: this._peripheral._advertised,
      name: this.name,
      rssi: -60,
      txPower: 0,
      appearance: 0,
      manufacturerData: new Map(),
      serviceData: new Map()
    });
    this.dispatchEvent(ev);
    callHandler(this, 'advertisementreceived', ev);
  }

  _fireDisconnected(): void {
    const ev = new Event('gattserverdisconnected', { bubbles: true });
    this.dispatchEvent(ev);
    callHandler(this, 'gattserverdisconnected', ev);
  }
}

interface ServiceState {
  uuid: string;
  characteristics: CharacteristicState[];
}

let nextDeviceNumber = 1;

/** The module on the pack, as seen from the radio: the test drives it. */
export class FakePeripheral {
  readonly device: FakeBluetoothDevice;
  readonly maxWrite_bytes: number;
  readonly _services: ServiceState[];
  readonly _advertised: string[];
  /** Every write the page made, in order. */
  readonly writes: { characteristic: string; bytes: Uint8Array; type: GattWriteType }[] = [];
  /** Successful gatt.connect() calls so far. */
  connects = 0;
  /** When false, gatt.connect() fails (out of range, or another phone holds the module). */
  connectable = true;
  _connected = false;
  /** Bumped per connection; page-side GATT objects of older connections are dead. */
  _generation = 0;
  #inRange = true;
  #granted: boolean;
  #connecting: { reject: (e: unknown) => void } | null = null;

  constructor(options: FakePeripheralOptions) {
    this._services = options.services.map((s) => ({
      uuid: expandUuid(s.uuid),
      characteristics: s.characteristics.map((c) => new CharacteristicState(c))
    }));
    this._advertised = (options.advertisedServices ?? options.services.map((s) => s.uuid)).map(expandUuid);
    this.maxWrite_bytes = options.maxWrite_bytes ?? MAX_ATTRIBUTE_BYTES;
    this.device = new FakeBluetoothDevice(this, options.id ?? `fake-ble-${nextDeviceNumber++}`, options.name);
    this.#granted = options.granted === true;
    if (this.#granted) for (const s of (options.grantedServices ?? options.services.map((x) => x.uuid)).map(expandUuid)) this.device._allowed.add(s);
  }

  get granted(): boolean {
    return this.#granted;
  }

  get connected(): boolean {
    return this._connected;
  }

  get inRange(): boolean {
    return this.#inRange;
  }

  /** Out of range = not in the chooser, no advertisements, connect fails. */
  set inRange(value: boolean) {
    this.#inRange = value;
    if (value) this.device._advertise();
  }

  /** Listen to writes on one characteristic. */
  onWrite(characteristic: UuidLike, listener: PeripheralWriteListener): () => void {
    const state = this.#characteristic(characteristic);
    state.listeners.add(listener);
    return () => state.listeners.delete(listener);
  }

  /** All bytes written to one characteristic, concatenated. */
  written(characteristic: UuidLike): Uint8Array {
    const uuid = expandUuid(characteristic);
    return concatBytes(this.writes.filter((w) => w.characteristic === uuid).map((w) => w.bytes));
  }

  /** Send a notification. Returns false when nobody is subscribed (the bytes are lost). */
  notify(characteristic: UuidLike, bytes: Uint8Array | readonly number[]): boolean {
    const state = this.#characteristic(characteristic);
    if (!this._connected || state.subscribers.size === 0) return false;
    const data = Uint8Array.from(bytes);
    for (const c of [...state.subscribers]) c._notify(data);
    return true;
  }

  /** Whether the live connection has notifications on for this characteristic. */
  subscribed(characteristic: UuidLike): boolean {
    return this.#characteristic(characteristic).subscribers.size > 0;
  }

  /** The value a read returns. */
  setValue(characteristic: UuidLike, bytes: Uint8Array | readonly number[]): void {
    this.#characteristic(characteristic).value = Uint8Array.from(bytes);
  }

  /** The link drops from the radio side (out of range, module reset). */
  dropConnection(): void {
    if (!this._connected) return;
    this.#endConnection();
    this.device._fireDisconnected();
  }

  async _connect(): Promise<void> {
    if (this._connected) return;
    await new Promise<void>((resolve, reject) => {
      this.#connecting = { reject };
      void yieldToCaller(3).then(() => {
        if (this.#connecting?.reject !== reject) return;
        this.#connecting = null;
        if (!this.#inRange || !this.connectable) reject(domError('NetworkError', 'Connection attempt failed.'));
        else resolve();
      });
    });
    this._connected = true;
    this._generation++;
    this.connects++;
  }

  _hostDisconnect(): void {
    if (this.#connecting) {
      this.#connecting.reject(domError('AbortError', 'Connection is aborted.'));
      this.#connecting = null;
    }
    if (!this._connected) return;
    this.#endConnection();
    this.device._fireDisconnected();
  }

  _recordWrite(characteristic: string, bytes: Uint8Array, type: GattWriteType): void {
    this.writes.push({ characteristic, bytes, type });
  }

  _grant(services: Iterable<string>): void {
    this.#granted = true;
    for (const s of services) this.device._allowed.add(s);
  }

  _forget(): void {
    this.#granted = false;
  }

  #endConnection(): void {
    this._connected = false;
    for (const s of this._services) {
      for (const c of s.characteristics) {
        for (const sub of c.subscribers) sub._subscribed = false;
        c.subscribers.clear();
        c.busy = false;
      }
    }
  }

  #characteristic(uuid: UuidLike): CharacteristicState {
    const full = expandUuid(uuid);
    for (const s of this._services) {
      const c = s.characteristics.find((x) => x.uuid === full);
      if (c) return c;
    }
    throw new RangeError(`the peripheral has no characteristic ${full}`);
  }
}

/** An HM-10 style module: service FFE0, one characteristic FFE1 for both directions (+ CCCD). */
export function hm10Peripheral(options: Partial<FakePeripheralOptions> = {}): FakePeripheralOptions {
  return {
    name: 'HM-10',
    maxWrite_bytes: 20,
    ...options,
    services: options.services ?? [
      {
        uuid: 0xffe0,
        characteristics: [{ uuid: 0xffe1, properties: { read: true, write: true, writeWithoutResponse: true, notify: true }, descriptors: [0x2902] }]
      }
    ]
  };
}

export interface FakeBluetoothOptions {
  /** An adapter is present and on. Default true. */
  available?: boolean;
  /** Where user activation comes from; default: the page's, or grants from simulateUserGesture(). */
  userActivation?: () => boolean;
}

export class FakeBluetooth extends EventTarget {
  onavailabilitychanged: ((ev: Event) => unknown) | null = null;
  onadvertisementreceived: ((ev: Event) => unknown) | null = null;
  ongattserverdisconnected: ((ev: Event) => unknown) | null = null;
  oncharacteristicvaluechanged: ((ev: Event) => unknown) | null = null;
  onserviceadded: ((ev: Event) => unknown) | null = null;
  onservicechanged: ((ev: Event) => unknown) | null = null;
  onserviceremoved: ((ev: Event) => unknown) | null = null;
  readonly referringDevice?: FakeBluetoothDevice;
  readonly #peripherals: FakePeripheral[] = [];
  readonly #gate: UserActivationGate;
  #available: boolean;
  /**
   * Stands in for the person at the device chooser: gets the devices on offer, returns the one they
   * pick or null to dismiss it. Default: the first.
   */
  chooser: (devices: FakeBluetoothDevice[]) => FakeBluetoothDevice | null = (devices) => devices[0] ?? null;
  /** Every requestDevice() options object, for tests that check the filters. */
  readonly requests: RequestDeviceOptions[] = [];

  constructor(options: FakeBluetoothOptions = {}) {
    super();
    this.#available = options.available ?? true;
    this.#gate = new UserActivationGate(options.userActivation);
  }

  get peripherals(): readonly FakePeripheral[] {
    return this.#peripherals;
  }

  addPeripheral(options: FakePeripheralOptions): FakePeripheral {
    const p = new FakePeripheral(options);
    this.#peripherals.push(p);
    return p;
  }

  /** Stand-in for a click in Node: the next requestDevice() is allowed. */
  simulateUserGesture(): void {
    this.#gate.grant();
  }

  setAvailable(available: boolean): void {
    if (available === this.#available) return;
    this.#available = available;
    if (!available) for (const p of this.#peripherals) p.dropConnection();
    const ev = new Event('availabilitychanged');
    this.dispatchEvent(ev);
    callHandler(this, 'availabilitychanged', ev);
  }

  async getAvailability(): Promise<boolean> {
    await yieldToCaller();
    return this.#available;
  }

  async getDevices(): Promise<FakeBluetoothDevice[]> {
    await yieldToCaller();
    return this.#peripherals.filter((p) => p.granted).map((p) => p.device);
  }

  async requestDevice(options?: RequestDeviceOptions): Promise<FakeBluetoothDevice> {
    if (!this.#gate.consume()) {
      throw domError(
        'SecurityError',
        "Failed to execute 'requestDevice' on 'Bluetooth': Must be handling a user gesture to show a permission request."
      );
    }
    const opts = (options ?? {}) as { filters?: BluetoothLEScanFilter[]; acceptAllDevices?: boolean; optionalServices?: BluetoothServiceUUID[] };
    const hasFilters = opts.filters !== undefined;
    if (hasFilters === (opts.acceptAllDevices === true)) {
      throw new TypeError(
        "Failed to execute 'requestDevice' on 'Bluetooth': Either 'filters' should be present or 'acceptAllDevices' should be true, but not both."
      );
    }
    if (hasFilters && opts.filters!.length === 0)
      throw new TypeError("Failed to execute 'requestDevice' on 'Bluetooth': 'filters' member must be non-empty to find any devices.");
    this.requests.push(options as RequestDeviceOptions);
    if (!this.#available) throw domError('NotFoundError', 'Bluetooth adapter not available.');
    const filters: ExpandedFilter[] = (opts.filters ?? []).map((f) => ({
      name: f.name,
      namePrefix: f.namePrefix,
      services: f.services?.map((u) => expandUuid(u))
    }));
    await yieldToCaller();
    const offered = this.#peripherals
      .filter((p) => p.inRange)
      .filter((p) => opts.acceptAllDevices === true || filters.some((f) => matchesFilter(p, f)))
      .map((p) => p.device);
    const chosen = this.chooser(offered);
    if (!chosen || !offered.includes(chosen)) throw domError('NotFoundError', 'User cancelled the requestDevice() chooser.');
    const allowed = new Set<string>([...filters.flatMap((f) => f.services ?? []), ...(opts.optionalServices ?? []).map((u) => expandUuid(u))]);
    chosen._peripheral._grant(allowed);
    return chosen;
  }

  async requestLEScan(): Promise<BluetoothLEScan> {
    throw domError('NotSupportedError', 'requestLEScan() is not supported by this double.');
  }
}

interface ExpandedFilter {
  name?: string;
  namePrefix?: string;
  /** Full UUIDs. */
  services?: string[];
}

function matchesFilter(p: FakePeripheral, f: ExpandedFilter): boolean {
  const name = p.device.name;
  if (f.name !== undefined && name !== f.name) return false;
  if (f.namePrefix !== undefined && (name === undefined || !name.startsWith(f.namePrefix))) return false;
  if (f.services && !f.services.every((s) => p._advertised.includes(s))) return false;
  return true;
}

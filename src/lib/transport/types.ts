// The one Transport contract that serial, Bluetooth and the simulator all implement
// (design.md "Transport contract"). Framing is not a transport's job: it moves bytes.

export type TransportKind = 'serial' | 'ble' | 'sim';

export type TransportState = 'closed' | 'opening' | 'open' | 'lost';

/** Why a transport is not (or no longer) open. A closed set, so the UI can word each one. */
export type TransportReason =
  /** close() was called. */
  | 'user'
  /** The USB device was unplugged / the OS removed the port. */
  | 'unplugged'
  /** The BLE link dropped (gattserverdisconnected). */
  | 'gatt-disconnected'
  /** A read failed with an unrecoverable error. */
  | 'read-error'
  /** A write failed. */
  | 'write-error'
  /** The device rebooted or otherwise went silent and came back. */
  | 'device-reset'
  /** Opening failed; see the error's kind. */
  | 'open-failed';

export interface TransportStatus {
  state: TransportState;
  reason?: TransportReason;
  /** A sentence a person can read. */
  message?: string;
  /** True while the transport is trying to get back a lost link by itself. */
  reconnecting?: boolean;
}

export interface TransportInfo {
  kind: TransportKind;
  /** Short human label: "USB CP2102 (10c4:ea60)", "HM-10 (FFE0)", "Demo bank (16 packs)". */
  label: string;
  usbVendorId?: number;
  usbProductId?: number;
  bleName?: string;
  /** Which GATT UART profile was found. */
  bleProfile?: string;
}

/**
 * Byte-level timing of the link, so the client can derive deadlines from reply sizes.
 * For serial this is the UART; for BLE the bridge's UART behind it (unknown: assume 9600).
 */
export interface LinkTiming {
  baud: number;
  /** Bits on the wire per byte (start + 8 data + stop = 10 for 8N1). */
  bitsPerByte: number;
  /**
   * Extra time the link itself adds to a request/reply round trip, on top of the wire time
   * (USB bridge latency timers, BLE connection intervals). Deadlines add it once per exchange.
   * Absent = 0.
   */
  latency_ms?: number;
}

export type TransportErrorKind =
  /** The person closed the device picker without choosing. */
  | 'picker-cancelled'
  /** This browser cannot do it at all (no API, an old version). */
  | 'unsupported'
  /** The API exists but has nothing to work with (Bluetooth off, no adapter). */
  | 'unavailable'
  | 'permission'
  /** Another program or tab holds the port. */
  | 'in-use'
  /** Still open from an earlier connection, or mid-operation. */
  | 'busy'
  /** The device went away (unplugged, out of range). */
  | 'gone'
  /** A Bluetooth device without a UART service this tool knows. */
  | 'no-service'
  | 'not-open'
  | 'write-failed'
  | 'lost';

/**
 * Every transport throws this, never a bare DOMException. It says what happened (`kind`, a
 * factual `message`) and on which kind of link; what the person can do about it is worded above
 * this layer, from those two (session/advice.ts).
 */
export class TransportError extends Error {
  readonly kind: TransportErrorKind;
  /** The kind of link that failed, when the thrower knows it. */
  readonly link?: TransportKind;

  constructor(kind: TransportErrorKind, message: string, options: { link?: TransportKind; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TransportError';
    this.kind = kind;
    if (options.link !== undefined) this.link = options.link;
  }
}

export type Unsubscribe = () => void;

export interface Transport {
  readonly info: TransportInfo;
  readonly status: TransportStatus;
  readonly timing: LinkTiming;
  /** Open the link. Throws TransportError. Resolves once bytes can flow. */
  open(signal?: AbortSignal): Promise<void>;
  /** Close the link and release the device. Idempotent; never throws. */
  close(): Promise<void>;
  /** Send bytes. Throws TransportError('not-open' | 'write-failed' | 'lost'). */
  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** Received bytes, in order, as they arrive. */
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  /** State changes, de-duplicated. */
  onStatus(listener: (status: TransportStatus) => void): Unsubscribe;
}

// BLE UART bridges as data (reference pace-protocol.md §13). A pack's "Bluetooth" is usually an
// RS232/RS485-to-BLE module that passes the ASCII frames through unchanged; which module it is
// only shows in the GATT table, so the transport tries each profile against what the device offers.

/** The Bluetooth SIG base UUID that 16-bit short UUIDs expand into. */
const BASE_UUID_SUFFIX = '-0000-1000-8000-00805f9b34fb';

/** `0xffe0` or `'FFE0'` -> `'0000ffe0-0000-1000-8000-00805f9b34fb'`; full UUIDs are lower-cased. */
export function expandUuid(uuid: number | string): string {
  if (typeof uuid === 'number') {
    if (!Number.isInteger(uuid) || uuid < 0 || uuid > 0xffffffff) throw new RangeError(`not a short UUID: ${uuid}`);
    return uuid.toString(16).padStart(8, '0') + BASE_UUID_SUFFIX;
  }
  const text = uuid.trim().toLowerCase().replace(/^0x/, '');
  if (/^[0-9a-f]{4}$/.test(text)) return '0000' + text + BASE_UUID_SUFFIX;
  if (/^[0-9a-f]{8}$/.test(text)) return text + BASE_UUID_SUFFIX;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)) return text;
  throw new RangeError(`not a Bluetooth UUID: ${uuid}`);
}

/** The short form for labels ("FFE0"), or the full UUID when it is not SIG-based. */
export function shortUuid(uuid: string): string {
  const full = expandUuid(uuid);
  return full.endsWith(BASE_UUID_SUFFIX) && full.startsWith('0000') ? full.slice(4, 8).toUpperCase() : full;
}

export type BleProfileId = 'hm10' | 'ff00' | 'nus' | 'fff0';

export interface BleUartProfile {
  id: BleProfileId;
  /** For the connection label and the diagnose report. */
  label: string;
  /** Primary service, full 128-bit lower-case UUID. */
  service: string;
  /** Characteristic the bridge notifies received UART bytes on. */
  notify: string;
  /** Characteristic the host writes UART bytes to (may equal `notify`). */
  write: string;
  /**
   * Largest write per GATT operation. 20 = the default ATT MTU (23) minus 3, which every module
   * accepts; Web Bluetooth does not tell the page the negotiated MTU.
   */
  writeChunk_bytes: number;
  /** Name prefixes these modules advertise, so the chooser also lists ones that hide their service. */
  namePrefixes: readonly string[];
}

const DEFAULT_CHUNK_BYTES = 20;

/** In order of preference: when a device offers several, the first match is used. */
export const BLE_UART_PROFILES: readonly BleUartProfile[] = [
  {
    id: 'hm10',
    label: 'HM-10 / CC254x UART (FFE0)',
    service: expandUuid(0xffe0),
    notify: expandUuid(0xffe1),
    write: expandUuid(0xffe1),
    writeChunk_bytes: DEFAULT_CHUNK_BYTES,
    namePrefixes: ['HM', 'BT05', 'JDY', 'DSD', 'MLT-BT05']
  },
  {
    id: 'ff00',
    label: 'FF00 UART (JBD-type dongle)',
    service: expandUuid(0xff00),
    notify: expandUuid(0xff01),
    write: expandUuid(0xff02),
    writeChunk_bytes: DEFAULT_CHUNK_BYTES,
    namePrefixes: ['BP', 'xiaoxiang', 'JBD']
  },
  {
    id: 'nus',
    label: 'Nordic UART Service',
    service: '6e400001-b5a3-f393-e0a9-e50e24dcca9e',
    notify: '6e400003-b5a3-f393-e0a9-e50e24dcca9e',
    write: '6e400002-b5a3-f393-e0a9-e50e24dcca9e',
    writeChunk_bytes: DEFAULT_CHUNK_BYTES,
    namePrefixes: []
  },
  {
    id: 'fff0',
    label: 'FFF0 UART (PACEEX / PC-BMS module)',
    service: expandUuid(0xfff0),
    notify: expandUuid(0xfff1),
    write: expandUuid(0xfff2),
    writeChunk_bytes: DEFAULT_CHUNK_BYTES,
    namePrefixes: ['PC-']
  }
];

/** Validate a custom profile list up front, so a typo fails at construction, not at connect. */
export function checkProfiles(profiles: readonly BleUartProfile[]): readonly BleUartProfile[] {
  if (profiles.length === 0) throw new RangeError('at least one BLE UART profile is needed');
  for (const p of profiles) {
    for (const uuid of [p.service, p.notify, p.write]) {
      if (expandUuid(uuid) !== uuid) throw new RangeError(`profile ${p.id}: UUID ${uuid} must be full and lower-case`);
    }
    if (!Number.isInteger(p.writeChunk_bytes) || p.writeChunk_bytes < 1 || p.writeChunk_bytes > 512) {
      throw new RangeError(`profile ${p.id}: writeChunk_bytes must be 1..512 (Web Bluetooth's limit), got ${p.writeChunk_bytes}`);
    }
  }
  return profiles;
}

/** The profile whose service UUID this is, if any. */
export function profileForService(serviceUuid: number | string, profiles: readonly BleUartProfile[] = BLE_UART_PROFILES): BleUartProfile | undefined {
  const uuid = expandUuid(serviceUuid);
  return profiles.find((p) => p.service === uuid);
}

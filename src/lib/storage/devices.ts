// Which pack a stored row belongs to. Packs move between banks and addresses, so the key is the
// BMS serial number (C2H) when the pack reports a usable one: "sn:<serial>". Otherwise the pack is
// keyed by where it sits, "addr:<bank label>#<address>", and marked so (keyKind 'address' and a
// reason): its history then follows the position, not the pack, and the UI should say so.
//
// A serial is unusable when it is empty, shorter than 4 characters, contains anything but printable
// ASCII (the C2H decoder renders stray bytes as "\xNN"), or repeats one character ("0000000000",
// "FFFFFFFF": unprogrammed boards). Two packs of one bank reporting the same serial (cloned
// boards) are both keyed by position, since one key for two packs would mix their data.
//
// The bank label is the master's usable BMS serial ("bank:sn:…"), so address keys survive a
// change of cable or computer; when the master has none, the transport's label (e.g. "Demo bank",
// "USB 1a86:7523") stands in, which is weaker: the same packs on another adapter become new devices.

import type { Database } from './database';
import { StorageError } from './errors';
import type { AddressKeyReason, DeviceKeyKind, DeviceRecord } from './records';

export const SERIAL_PREFIX = 'sn:';
export const ADDRESS_PREFIX = 'addr:';

/** Why a serial cannot be a key, or null when it can. */
export function serialProblem(serial: string | null | undefined): string | null {
  if (serial === null || serial === undefined) return 'no serial reported';
  const s = serial.trim();
  if (s.length === 0) return 'the serial is blank';
  if (s.length < 4) return `"${s}" is too short to tell packs apart`;
  if (s.includes('\\x') || !/^[\x20-\x7e]+$/.test(s)) return 'the serial has characters that are not printable ASCII';
  if (/^(.)\1*$/.test(s)) return `"${s}" repeats one character (an unprogrammed board)`;
  return null;
}

export function isUsableSerial(serial: string | null | undefined): boolean {
  return serialProblem(serial) === null;
}

/** The label address-keyed packs of a bank are filed under (see the rule above). */
export function bankLabelFor(masterSerial: string | null | undefined, transportLabel: string): string {
  if (masterSerial && isUsableSerial(masterSerial)) return `bank:${SERIAL_PREFIX}${masterSerial.trim()}`;
  const t = transportLabel.trim();
  return t.length > 0 ? t : 'unknown link';
}

export interface DeviceKey {
  key: string;
  kind: DeviceKeyKind;
  reason: AddressKeyReason | null;
}

/** The key for one pack on its own (no duplicate check: use bankDeviceKeys for a whole bank). */
export function deviceKeyFor(bmsSerial: string | null | undefined, bank: string, address: number): DeviceKey {
  if (bmsSerial && isUsableSerial(bmsSerial)) return { key: SERIAL_PREFIX + bmsSerial.trim(), kind: 'serial', reason: null };
  return {
    key: `${ADDRESS_PREFIX}${bank}#${address}`,
    kind: 'address',
    reason: bmsSerial === null || bmsSerial === undefined || bmsSerial.trim() === '' ? 'no-serial' : 'unusable-serial'
  };
}

/** Keys for every pack of a bank at once, so that a serial two packs share keys neither. */
export function bankDeviceKeys(packs: readonly { address: number; bmsSerial: string | null }[], bank: string): Map<number, DeviceKey> {
  const count = new Map<string, number>();
  for (const p of packs) if (p.bmsSerial && isUsableSerial(p.bmsSerial)) count.set(p.bmsSerial.trim(), (count.get(p.bmsSerial.trim()) ?? 0) + 1);
  const out = new Map<number, DeviceKey>();
  for (const p of packs) {
    const k = deviceKeyFor(p.bmsSerial, bank, p.address);
    if (k.kind === 'serial' && (count.get(p.bmsSerial!.trim()) ?? 0) > 1)
      out.set(p.address, { key: `${ADDRESS_PREFIX}${bank}#${p.address}`, kind: 'address', reason: 'duplicate-serial' });
    else out.set(p.address, k);
  }
  return out;
}

/**
 * The usual C1H version shape "P16S100A-1812-1.00" (model, hardware, firmware). Best effort: any
 * other shape gives nulls, and the whole string is kept beside the parts.
 */
export function splitSoftwareVersion(version: string | null): {
  model: string | null;
  hardwareVersion: string | null;
  firmwareVersion: string | null;
} {
  const m = version?.trim().match(/^([A-Za-z0-9_.]+)-([A-Za-z0-9_.]+)-([A-Za-z0-9_.]+)$/);
  if (!m) return { model: null, hardwareVersion: null, firmwareVersion: null };
  return { model: m[1], hardwareVersion: m[2], firmwareVersion: m[3] };
}

/** What the session knows about a pack when it sees it. */
export interface DeviceSighting {
  key: DeviceKey;
  address: number;
  bank: string;
  seen_ms: number;
  /** Identity fields; undefined = not read this time (keeps the stored value), null = the pack did not say. */
  bmsSerial?: string | null;
  packSerial?: string | null;
  softwareVersion?: string | null;
  bluetoothName?: string | null;
}

/** A new record for a device seen for the first time, or the stored one updated. */
export function mergeSighting(stored: DeviceRecord | undefined, s: DeviceSighting): DeviceRecord {
  const base: DeviceRecord = stored ?? {
    key: s.key.key,
    keyKind: s.key.kind,
    addressKeyReason: s.key.reason,
    bmsSerial: null,
    packSerial: null,
    softwareVersion: null,
    model: null,
    hardwareVersion: null,
    firmwareVersion: null,
    bluetoothName: null,
    lastAddress: s.address,
    lastBank: s.bank,
    firstSeen_ms: s.seen_ms,
    lastSeen_ms: s.seen_ms,
    cellCount: null,
    tempCount: null,
    nickname: null
  };
  const next: DeviceRecord = { ...base, addressKeyReason: s.key.reason };
  if (s.seen_ms >= base.lastSeen_ms) {
    next.lastSeen_ms = s.seen_ms;
    next.lastAddress = s.address;
    next.lastBank = s.bank;
  }
  next.firstSeen_ms = Math.min(base.firstSeen_ms, s.seen_ms);
  if (s.bmsSerial !== undefined) next.bmsSerial = s.bmsSerial?.trim() || null;
  if (s.packSerial !== undefined) next.packSerial = s.packSerial?.trim() || null;
  if (s.bluetoothName !== undefined) next.bluetoothName = s.bluetoothName?.trim() || null;
  if (s.softwareVersion !== undefined) {
    next.softwareVersion = s.softwareVersion?.trim() || null;
    Object.assign(next, splitSoftwareVersion(next.softwareVersion));
  }
  return next;
}

export class DeviceRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  /** Records that the session saw a pack (identity read, or a poll answered). Returns the stored record. */
  async noteSighting(s: DeviceSighting): Promise<DeviceRecord> {
    if (!s.key.key) throw new StorageError('invalid', 'A device needs a key.');
    if (!Number.isFinite(s.seen_ms)) throw new StorageError('invalid', `Device ${s.key.key}: seen_ms ${s.seen_ms} is not a time.`);
    return this.#db.run(['devices'], 'readwrite', 'saving a device', async (tx) => {
      const store = tx.objectStore('devices');
      const next = mergeSighting(await store.get(s.key.key), s);
      await store.put(next);
      return next;
    });
  }

  async get(key: string): Promise<DeviceRecord | null> {
    return this.#db.run(['devices'], 'readonly', 'reading a device', async (tx) => (await tx.objectStore('devices').get(key)) ?? null);
  }

  /** Every known device, most recently seen first. */
  async list(): Promise<DeviceRecord[]> {
    const all = await this.#db.run(['devices'], 'readonly', 'listing devices', (tx) => tx.objectStore('devices').index('lastSeen_ms').getAll());
    return all.reverse();
  }

  /** Devices whose last sighting was in `bank`, by address. */
  async inBank(bank: string): Promise<DeviceRecord[]> {
    return (await this.list()).filter((d) => d.lastBank === bank).sort((a, b) => a.lastAddress - b.lastAddress);
  }

  async setNickname(key: string, nickname: string | null): Promise<void> {
    const name = nickname?.trim() || null;
    if (name !== null && name.length > 60) throw new StorageError('invalid', 'A pack name can be at most 60 characters.');
    await this.#db.run(['devices'], 'readwrite', 'renaming a device', async (tx) => {
      const store = tx.objectStore('devices');
      const d = await store.get(key);
      if (!d) throw new StorageError('invalid', `No device ${key} is stored.`);
      await store.put({ ...d, nickname: name });
    });
  }
}

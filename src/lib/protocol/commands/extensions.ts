// Vendor extensions: settings the vendor's BMS Client and phone app offer (manual §4.2, §4.3,
// §4.6, §6.1 "Wifi Set", "Can Baud rate") for which no public document gives a command.
// Each gets one definition here, in CID2 codes F0H–F5H: no documented PACE V2.5, Pylon V2.0 or
// Seplos command uses F0–FE (PACE's highest documented codes are EB–EE and FF test mode). The
// codes and layouts are this project's choice, implemented by the simulator; on a real pack
// RTN 04 "CID2 invalid" means unsupported, which the session shows as a greyed-out feature.
// Change a code in EXTENSION_CID2 alone; nothing else hard-codes it. A vendor's real codes and
// layouts come in as data (an "extension profile", validated in params/extension-profile.ts) and
// become command definitions through createExtensionCommands(); the ones exported here are the
// assumed set the simulator implements.

import { DecodeError, type Command } from '../command';
import { PACK_BAUDS, type PackBaud } from '../types';
import { checkField, checkOneOf, InfoWriter, type InfoReader, writeCommand, type FieldSpec, type WriteAck } from './payload';

/** The one table of extension CID2 codes (our assumption, see the file header). */
export const EXTENSION_CID2 = {
  setSoftwareAddress: 0xf0,
  setHost: 0xf1,
  exitModule: 0xf2,
  setSerialBaud: 0xf3,
  setCanBitrate: 0xf4,
  setWifi: 0xf5
} as const;

export type ExtensionId = keyof typeof EXTENSION_CID2;

export const EXTENSION_IDS: readonly ExtensionId[] = Object.keys(EXTENSION_CID2) as ExtensionId[];

/**
 * Pack addresses the vendor client offers: 0 stand-alone, 1–15 like the DIP switch, and 0x10,
 * which the client shows for the automatically chosen host (manual §4.1 screenshot).
 */
export const ADDRESS_SPEC: FieldSpec = { field: 'address', label: 'BMS address', unit: '', min: 0x00, max: 0x10, step: 1 };

export interface AddressRequest {
  address: number;
}

/**
 * Serial rates the BMS's own port may be set to: only those the app can connect at afterwards
 * (the one PACK_BAUDS list), so a change never strands the pack at a rate nobody here speaks.
 */
export const SERIAL_BAUD_RATES = PACK_BAUDS;
export type SerialBaud = PackBaud;

export interface SerialBaudRequest {
  baud: SerialBaud;
}

/** CAN bit rates in kbit/s (PACE CAN is 250, Pylon CAN 500; the BMS Client offers 125). */
export const CAN_BITRATES_kbps = [50, 100, 125, 250, 500, 800, 1000] as const;
export type CanBitrate_kbps = (typeof CAN_BITRATES_kbps)[number];

export interface CanBitrateRequest {
  bitrate_kbps: CanBitrate_kbps;
}

export interface WifiCredentials {
  /** 1–32 bytes as UTF-8 (802.11 limit). */
  ssid: string;
  /** Empty for an open network, else 8–63 printable ASCII characters (WPA2 passphrase). */
  password: string;
}

// ---- layouts a vendor may use (an extension profile picks one per command) --------------------

/** How the baud rate goes on the wire. */
export type BaudLayout =
  /** u32 bits per second (our assumption). */
  | { kind: 'u32-bps' }
  /** u16 bits per second / 100 (9600 -> 96). */
  | { kind: 'u16-bps-div100' }
  /** u8 index into the vendor's list of rates. */
  | { kind: 'u8-index'; rates: readonly number[] };

/** How the CAN bit rate goes on the wire. */
export type CanLayout = { kind: 'u16-kbps' } | { kind: 'u8-index'; rates_kbps: readonly number[] };

/** How the Wi-Fi credentials go on the wire. */
export type WifiLayout =
  /** len u8, SSID UTF-8, len u8, password ASCII (our assumption). */
  | { kind: 'length-prefixed' }
  /** SSID and password in fixed fields, zero-padded. */
  | { kind: 'fixed'; ssidBytes: number; passwordBytes: number };

/** Code and layout of every extension command. */
export interface ExtensionCodes {
  setSoftwareAddress: { cid2: number };
  setHost: { cid2: number };
  exitModule: { cid2: number };
  setSerialBaud: { cid2: number; layout: BaudLayout };
  setCanBitrate: { cid2: number; layout: CanLayout };
  setWifi: { cid2: number; layout: WifiLayout };
}

/** The codes and layouts this project assumed; the simulator answers these. */
const assumedCodes: ExtensionCodes = {
  setSoftwareAddress: { cid2: EXTENSION_CID2.setSoftwareAddress },
  setHost: { cid2: EXTENSION_CID2.setHost },
  exitModule: { cid2: EXTENSION_CID2.exitModule },
  setSerialBaud: { cid2: EXTENSION_CID2.setSerialBaud, layout: { kind: 'u32-bps' } },
  setCanBitrate: { cid2: EXTENSION_CID2.setCanBitrate, layout: { kind: 'u16-kbps' } },
  setWifi: { cid2: EXTENSION_CID2.setWifi, layout: { kind: 'length-prefixed' } }
};
export const ASSUMED_EXTENSION_CODES: Readonly<ExtensionCodes> = Object.freeze(assumedCodes);

export interface ExtensionCommandSet {
  setSoftwareAddress: Command<AddressRequest, WriteAck>;
  setHost: Command<AddressRequest, WriteAck>;
  exitModule: Command<AddressRequest, WriteAck>;
  setSerialBaud: Command<SerialBaudRequest, WriteAck>;
  setCanBitrate: Command<CanBitrateRequest, WriteAck>;
  setWifi: Command<WifiCredentials, WriteAck>;
}

function addressCommand(cid2: number, id: string, title: string): Command<AddressRequest, WriteAck> {
  const spec: FieldSpec = { ...ADDRESS_SPEC, label: title };
  return writeCommand<AddressRequest>({
    cid2,
    id,
    title,
    kind: 'write',
    extension: true,
    encode: (req) => {
      checkField(req.address, spec);
      return Uint8Array.of(req.address);
    },
    decode: (r) => ({ address: r.u8('address') })
  });
}

function indexOf(list: readonly number[], value: number, what: string): number {
  const i = list.indexOf(value);
  if (i < 0) throw new RangeError(`${what} ${value} is not in this pack's list (${list.join(', ')})`);
  return i;
}

function fromIndex(list: readonly number[], i: number, what: string): number {
  const v = list[i];
  if (v === undefined) throw new DecodeError(`${what} index ${i} is beyond the pack's list of ${list.length}`);
  return v;
}

function serialBaudCommand(cid2: number, layout: BaudLayout): Command<SerialBaudRequest, WriteAck> {
  return writeCommand<SerialBaudRequest>({
    cid2,
    id: 'setSerialBaud',
    title: 'BMS serial baud rate',
    kind: 'write',
    extension: true,
    encode: (req) => {
      checkOneOf(req.baud, SERIAL_BAUD_RATES, 'baud', 'BMS serial baud rate', 'bit/s');
      const w = new InfoWriter();
      if (layout.kind === 'u32-bps') w.u32(req.baud);
      else if (layout.kind === 'u16-bps-div100') w.u16(req.baud / 100);
      else w.u8(indexOf(layout.rates, req.baud, 'BMS serial baud rate'));
      return w.finish();
    },
    decode: (r) => {
      if (layout.kind === 'u32-bps') return { baud: r.u32('baud') as SerialBaud };
      if (layout.kind === 'u16-bps-div100') return { baud: (r.u16('baud') * 100) as SerialBaud };
      return { baud: fromIndex(layout.rates, r.u8('baud'), 'baud') as SerialBaud };
    }
  });
}

function canBitrateCommand(cid2: number, layout: CanLayout): Command<CanBitrateRequest, WriteAck> {
  return writeCommand<CanBitrateRequest>({
    cid2,
    id: 'setCanBitrate',
    title: 'CAN bit rate',
    kind: 'write',
    extension: true,
    encode: (req) => {
      checkOneOf(req.bitrate_kbps, CAN_BITRATES_kbps, 'bitrate_kbps', 'CAN bit rate', 'kbit/s');
      const w = new InfoWriter();
      if (layout.kind === 'u16-kbps') w.u16(req.bitrate_kbps);
      else w.u8(indexOf(layout.rates_kbps, req.bitrate_kbps, 'CAN bit rate'));
      return w.finish();
    },
    decode: (r) =>
      layout.kind === 'u16-kbps'
        ? { bitrate_kbps: r.u16('bitrate_kbps') as CanBitrate_kbps }
        : { bitrate_kbps: fromIndex(layout.rates_kbps, r.u8('bitrate_kbps'), 'bitrate_kbps') as CanBitrate_kbps }
  });
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Null when acceptable, else a sentence saying what is wrong. */
export function wifiCredentialsProblem(c: WifiCredentials, layout: WifiLayout = { kind: 'length-prefixed' }): string | null {
  if (typeof c.ssid !== 'string' || typeof c.password !== 'string') return 'Wi-Fi SSID and password must be text';
  const ssidBytes = utf8.encode(c.ssid).length;
  const ssidMax = layout.kind === 'fixed' ? Math.min(32, layout.ssidBytes) : 32;
  if (ssidBytes < 1 || ssidBytes > ssidMax) return `Wi-Fi SSID (ssid) is ${ssidBytes} bytes long; it must be 1..${ssidMax} bytes`;
  const pw = c.password;
  const pwMax = layout.kind === 'fixed' ? Math.min(63, layout.passwordBytes) : 63;
  if (pw.length !== 0 && (pw.length < 8 || pw.length > pwMax))
    return `Wi-Fi password (password) is ${pw.length} characters; it must be 8..${pwMax} characters, or empty for an open network`;
  if (!/^[\x20-\x7e]*$/.test(pw)) return 'Wi-Fi password (password) may only contain printable ASCII characters (WPA2 passphrase)';
  return null;
}

function decodeText(bytes: Uint8Array, what: string): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new DecodeError(`${what} is not valid UTF-8`);
  }
}

/** Bytes up to the first zero (fixed, zero-padded fields). */
function unpad(bytes: Uint8Array): Uint8Array {
  const end = bytes.indexOf(0);
  return end < 0 ? bytes : bytes.slice(0, end);
}

function wifiCommand(cid2: number, layout: WifiLayout): Command<WifiCredentials, WriteAck> {
  return writeCommand<WifiCredentials>({
    cid2,
    id: 'setWifi',
    title: 'Wi-Fi credentials',
    kind: 'write',
    extension: true,
    encode: (req) => {
      const problem = wifiCredentialsProblem(req, layout);
      if (problem) throw new RangeError(problem);
      const ssid = utf8.encode(req.ssid);
      const pw = utf8.encode(req.password);
      if (layout.kind === 'length-prefixed') return new InfoWriter().u8(ssid.length).bytes(ssid).u8(pw.length).bytes(pw).finish();
      const w = new InfoWriter().bytes(ssid).bytes(new Uint8Array(layout.ssidBytes - ssid.length));
      return w
        .bytes(pw)
        .bytes(new Uint8Array(layout.passwordBytes - pw.length))
        .finish();
    },
    decode: (r: InfoReader) => {
      if (layout.kind === 'length-prefixed') {
        const ssidBytes = r.bytes(r.u8('ssid length'), 'ssid');
        const pwBytes = r.bytes(r.u8('password length'), 'password');
        return { ssid: decodeText(ssidBytes, 'Wi-Fi SSID'), password: decodeText(pwBytes, 'Wi-Fi password') };
      }
      const ssid = unpad(r.bytes(layout.ssidBytes, 'ssid'));
      const password = unpad(r.bytes(layout.passwordBytes, 'password'));
      return { ssid: decodeText(ssid, 'Wi-Fi SSID'), password: decodeText(password, 'Wi-Fi password') };
    }
  });
}

/** Command definitions for one set of codes and layouts (the assumed set, or an extension profile's). */
export function createExtensionCommands(codes: ExtensionCodes): ExtensionCommandSet {
  return {
    setSoftwareAddress: addressCommand(codes.setSoftwareAddress.cid2, 'setSoftwareAddress', 'Software address'),
    setHost: addressCommand(codes.setHost.cid2, 'setHost', 'Host (master) setting'),
    exitModule: addressCommand(codes.exitModule.cid2, 'exitModule', 'Module unit exit'),
    setSerialBaud: serialBaudCommand(codes.setSerialBaud.cid2, codes.setSerialBaud.layout),
    setCanBitrate: canBitrateCommand(codes.setCanBitrate.cid2, codes.setCanBitrate.layout),
    setWifi: wifiCommand(codes.setWifi.cid2, codes.setWifi.layout)
  };
}

const assumed = createExtensionCommands(ASSUMED_EXTENSION_CODES);

/** F0H: give the connected pack a software address (instead of the DIP switch). INFO: new address u8. */
export const setSoftwareAddress = assumed.setSoftwareAddress;
/** F1H: make the pack at `address` the bank's host (master). INFO: address u8. */
export const setHost = assumed.setHost;
/** F2H: take the pack at `address` out of the bank ("module unit exit"). INFO: address u8. */
export const exitModule = assumed.exitModule;
/** F3H: the BMS's RS232/RS485 baud rate. INFO: u32 bits per second. The link must follow afterwards. */
export const setSerialBaud = assumed.setSerialBaud;
/** F4H: the CAN bus bit rate. INFO: u16 kbit/s. */
export const setCanBitrate = assumed.setCanBitrate;
/** F5H: Wi-Fi credentials for the pack's Wi-Fi module. INFO: len u8, SSID UTF-8, len u8, password ASCII. */
export const setWifi = assumed.setWifi;

export const extensionCommands = [setSoftwareAddress, setHost, exitModule, setSerialBaud, setCanBitrate, setWifi] as const;

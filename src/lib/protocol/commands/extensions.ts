// Vendor extensions: settings the vendor's BMS Client and phone app offer (manual §4.2, §4.3,
// §4.6, §6.1 "Wifi Set", "Can Baud rate") for which no public document gives a command.
// Each gets one definition here, in CID2 codes F0H–F5H: no documented PACE V2.5, Pylon V2.0 or
// Seplos command uses F0–FE (PACE's highest documented codes are EB–EE and FF test mode). The
// codes and layouts are this project's choice, implemented by the simulator; on a real pack
// RTN 04 "CID2 invalid" means unsupported, which the session shows as a greyed-out feature.
// Change a code in EXTENSION_CID2 alone; nothing else hard-codes it.

import { DecodeError, type Command } from '../command';
import { PACK_BAUDS, type PackBaud } from '../types';
import { checkField, checkOneOf, InfoReader, InfoWriter, writeCommand, type FieldSpec, type WriteAck } from './payload';

/** The one table of extension CID2 codes. */
export const EXTENSION_CID2 = {
  setSoftwareAddress: 0xf0,
  setHost: 0xf1,
  exitModule: 0xf2,
  setSerialBaud: 0xf3,
  setCanBitrate: 0xf4,
  setWifi: 0xf5
} as const;

/**
 * Pack addresses the vendor client offers: 0 stand-alone, 1–15 like the DIP switch, and 0x10,
 * which the client shows for the automatically chosen host (manual §4.1 screenshot).
 */
const ADDRESS_SPEC: FieldSpec = { field: 'address', label: 'BMS address', unit: '', min: 0x00, max: 0x10, step: 1 };

export interface AddressRequest {
  address: number;
}

function addressCommand(cid2: number, id: string, title: string, field: string): Command<AddressRequest, WriteAck> {
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
    decode: (r) => ({ address: r.u8(field) })
  });
}

/** F0H: give the connected pack a software address (instead of the DIP switch). INFO: new address u8. */
export const setSoftwareAddress = addressCommand(EXTENSION_CID2.setSoftwareAddress, 'setSoftwareAddress', 'Software address', 'address');
/** F1H: make the pack at `address` the bank's host (master). INFO: address u8. */
export const setHost = addressCommand(EXTENSION_CID2.setHost, 'setHost', 'Host (master) setting', 'address');
/** F2H: take the pack at `address` out of the bank ("module unit exit"). INFO: address u8. */
export const exitModule = addressCommand(EXTENSION_CID2.exitModule, 'exitModule', 'Module unit exit', 'address');

export interface SerialBaudRequest {
  baud: PackBaud;
}

/**
 * F3H: the BMS's RS232/RS485 baud rate. INFO: u32 bits per second. The link must follow
 * afterwards, so only rates the app can connect at (PACK_BAUDS) are accepted.
 */
export const setSerialBaud: Command<SerialBaudRequest, WriteAck> = writeCommand<SerialBaudRequest>({
  cid2: EXTENSION_CID2.setSerialBaud,
  id: 'setSerialBaud',
  title: 'BMS serial baud rate',
  kind: 'write',
  extension: true,
  encode: (req) => {
    checkOneOf(req.baud, PACK_BAUDS, 'baud', 'BMS serial baud rate', 'bit/s');
    return new InfoWriter().u32(req.baud).finish();
  },
  decode: (r) => ({ baud: r.u32('baud') as PackBaud })
});

/** CAN bit rates in kbit/s (PACE CAN is 250, Pylon CAN 500; the BMS Client offers 125). */
const CAN_BITRATES_kbps = [50, 100, 125, 250, 500, 800, 1000] as const;
export type CanBitrate_kbps = (typeof CAN_BITRATES_kbps)[number];

export interface CanBitrateRequest {
  bitrate_kbps: CanBitrate_kbps;
}

/** F4H: the CAN bus bit rate. INFO: u16 kbit/s. */
export const setCanBitrate: Command<CanBitrateRequest, WriteAck> = writeCommand<CanBitrateRequest>({
  cid2: EXTENSION_CID2.setCanBitrate,
  id: 'setCanBitrate',
  title: 'CAN bit rate',
  kind: 'write',
  extension: true,
  encode: (req) => {
    checkOneOf(req.bitrate_kbps, CAN_BITRATES_kbps, 'bitrate_kbps', 'CAN bit rate', 'kbit/s');
    return new InfoWriter().u16(req.bitrate_kbps).finish();
  },
  decode: (r) => ({ bitrate_kbps: r.u16('bitrate_kbps') as CanBitrate_kbps })
});

export interface WifiCredentials {
  /** 1–32 bytes as UTF-8 (802.11 limit). */
  ssid: string;
  /** Empty for an open network, else 8–63 printable ASCII characters (WPA2 passphrase). */
  password: string;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Null when acceptable, else a sentence saying what is wrong. */
export function wifiCredentialsProblem(c: WifiCredentials): string | null {
  if (typeof c.ssid !== 'string' || typeof c.password !== 'string') return 'Wi-Fi SSID and password must be text';
  const ssidBytes = utf8.encode(c.ssid).length;
  if (ssidBytes < 1 || ssidBytes > 32) return `Wi-Fi SSID (ssid) is ${ssidBytes} bytes long; it must be 1..32 bytes`;
  const pw = c.password;
  if (pw.length !== 0 && (pw.length < 8 || pw.length > 63))
    return `Wi-Fi password (password) is ${pw.length} characters; it must be 8..63 characters, or empty for an open network`;
  if (!/^[\x20-\x7e]*$/.test(pw)) return 'Wi-Fi password (password) may only contain printable ASCII characters (WPA2 passphrase)';
  return null;
}

/** F5H: Wi-Fi credentials for the pack's Wi-Fi module. INFO: len u8, SSID UTF-8, len u8, password ASCII. */
export const setWifi: Command<WifiCredentials, WriteAck> = writeCommand<WifiCredentials>({
  cid2: EXTENSION_CID2.setWifi,
  id: 'setWifi',
  title: 'Wi-Fi credentials',
  kind: 'write',
  extension: true,
  encode: (req) => {
    const problem = wifiCredentialsProblem(req);
    if (problem) throw new RangeError(problem);
    const ssid = utf8.encode(req.ssid);
    const pw = utf8.encode(req.password);
    return new InfoWriter().u8(ssid.length).bytes(ssid).u8(pw.length).bytes(pw).finish();
  },
  decode: (r: InfoReader) => {
    const ssidBytes = r.bytes(r.u8('ssid length'), 'ssid');
    const pwBytes = r.bytes(r.u8('password length'), 'password');
    try {
      return { ssid: utf8Strict.decode(ssidBytes), password: utf8Strict.decode(pwBytes) };
    } catch {
      throw new DecodeError('F5H Wi-Fi request: SSID or password is not valid UTF-8');
    }
  }
});

export const extensionCommands = [setSoftwareAddress, setHost, exitModule, setSerialBaud, setCanBitrate, setWifi] as const;

// Inverter protocol selection EBH (read) / ECH (write), reference §12 and V3.1 doc §4.72–4.73:
// three bytes [CAN id][485 id][type]. FF means "leave unchanged" in a write (and "none" in a
// read); automatic detection is FF FF 00. The id tables are the vendor's macro list; the vendor
// only ever appends to it, so new ids go at the end of these tables.

import { DecodeError, type Command } from '../command';
import { bytesToHex } from '../hex';
import { InfoReader, InfoWriter, readCommand, writeCommand, type WriteAck } from './payload';

export interface ProtocolEntry {
  id: number;
  /** The vendor's macro name. */
  name: string;
  /** Inverter brands that use it, as the vendor lists them. */
  brands?: string;
}

/** CAN protocol ids (V3.1 doc table 1; 17H/18H from the same table, whose column is ambiguous). */
export const CAN_PROTOCOLS: readonly ProtocolEntry[] = [
  { id: 0x00, name: 'PACE_CAN' },
  { id: 0x01, name: 'PYLON_CAN', brands: 'Deye, Megarevo, SunSynk, Sol-Ark' },
  { id: 0x02, name: 'GROWATT_CAN', brands: 'Growatt' },
  { id: 0x03, name: 'VICTRON_CAN', brands: 'Victron' },
  { id: 0x04, name: 'SE_CAN', brands: 'Schneider, SMA' },
  { id: 0x05, name: 'LUXPOWERTEK_CAN', brands: 'Luxpower' },
  { id: 0x06, name: 'SRD_CAN', brands: 'SoroTec' },
  { id: 0x07, name: 'SMA_CAN', brands: 'SMA' },
  { id: 0x08, name: 'GOODWE_CAN', brands: 'GoodWe' },
  { id: 0x09, name: 'STUDER_CAN', brands: 'Studer' },
  { id: 0x0a, name: 'SOFAR_CAN', brands: 'Sofar' },
  { id: 0x0b, name: 'PV_CAN', brands: 'Must' },
  { id: 0x0c, name: 'JINLANG_CAN', brands: 'Solis' },
  { id: 0x0d, name: 'DIDU_CAN' },
  { id: 0x0e, name: 'SENERGY_CAN' },
  { id: 0x0f, name: 'TBB_LITHIUM', brands: 'TBB' },
  { id: 0x10, name: 'PYLON_V202_CAN' },
  { id: 0x11, name: 'GROWATT_V109_CAN', brands: 'Growatt' },
  { id: 0x12, name: 'MUST_V202_CAN', brands: 'Must' },
  { id: 0x13, name: 'AFORE', brands: 'Afore' },
  { id: 0x14, name: 'YWT', brands: 'INVT' },
  { id: 0x15, name: 'FUJI' },
  { id: 0x16, name: 'SOFAR_V21003', brands: 'Sofar' },
  { id: 0x17, name: 'GT' },
  { id: 0x18, name: 'LEOCH_V106', brands: 'Leoch' }
];

/** RS485 protocol ids (V3.1 doc table 1). */
export const RS485_PROTOCOLS: readonly ProtocolEntry[] = [
  { id: 0x00, name: 'PACE_MODBUS' },
  { id: 0x01, name: 'PYLON_485', brands: 'Deye' },
  { id: 0x02, name: 'GROWATT_485', brands: 'Growatt' },
  { id: 0x03, name: 'VOLTRONIC_485', brands: 'Voltronic, EA Sun, MPP' },
  { id: 0x04, name: 'SE_485', brands: 'Schneider' },
  { id: 0x05, name: 'PHOCOS_485', brands: 'Phocos' },
  { id: 0x06, name: 'LUXPOWER_485', brands: 'Luxpower' },
  { id: 0x07, name: 'SOLAR_485' },
  { id: 0x08, name: 'LITHIUM_485', brands: 'SMARK' },
  { id: 0x09, name: 'EP_485', brands: 'MSL' },
  { id: 0x0a, name: 'RTU04_485' },
  { id: 0x0b, name: 'LUXPOWERTEK_V01_485', brands: 'Luxpower' },
  { id: 0x0c, name: 'LUXPOWERTEK_V03_485', brands: 'Luxpower' },
  { id: 0x0d, name: 'WOW_MODBUS', brands: 'SRNE' },
  { id: 0x0e, name: 'LEOCH_MODBUS', brands: 'Leoch' },
  { id: 0x0f, name: 'PYLON_485_F', brands: 'Deye' },
  { id: 0x10, name: 'AFORE', brands: 'Afore' },
  { id: 0x11, name: 'UPS_AGXN' },
  { id: 0x12, name: 'SUNPOLO', brands: 'Orex' },
  { id: 0x13, name: 'XIONGTAO' },
  { id: 0x14, name: 'RONGKE' },
  { id: 0x15, name: 'XINRUI' },
  { id: 0x16, name: 'ELTEK', brands: 'Eltek' }
];

/** The "no protocol / leave unchanged" id. */
const PROTOCOL_NONE = 0xff;

export type InverterMode = 'automatic' | 'manual';

const MODE_CODES: Readonly<Record<InverterMode, number>> = { automatic: 0x00, manual: 0x01 };

/**
 * The inverter protocol setting. In a write, null leaves that part unchanged (FF); in a read,
 * null means the pack reports FF (none selected).
 */
export interface InverterProtocols {
  can: number | null;
  rs485: number | null;
  mode: InverterMode | null;
}

/** FF FF 00: let the pack detect the inverter protocol itself (the documented "automatic"). */
export const AUTOMATIC_INVERTER_PROTOCOLS: Readonly<InverterProtocols> = Object.freeze({ can: null, rs485: null, mode: 'automatic' });

export function canProtocol(id: number): ProtocolEntry | undefined {
  return CAN_PROTOCOLS.find((p) => p.id === id);
}

export function rs485Protocol(id: number): ProtocolEntry | undefined {
  return RS485_PROTOCOLS.find((p) => p.id === id);
}

function decodeProtocols(r: InfoReader): InverterProtocols {
  const can = r.u8('can');
  const rs485 = r.u8('rs485');
  const type = r.u8('mode');
  let mode: InverterMode | null;
  if (type === PROTOCOL_NONE) mode = null;
  else if (type === MODE_CODES.automatic) mode = 'automatic';
  else if (type === MODE_CODES.manual) mode = 'manual';
  else throw new DecodeError(`inverter protocol type ${bytesToHex([type])} is neither 00 (automatic), 01 (manual) nor FF`);
  return { can: can === PROTOCOL_NONE ? null : can, rs485: rs485 === PROTOCOL_NONE ? null : rs485, mode };
}

function encodeProtocols(p: InverterProtocols): Uint8Array {
  return new InfoWriter()
    .u8(p.can ?? PROTOCOL_NONE)
    .u8(p.rs485 ?? PROTOCOL_NONE)
    .u8(p.mode === null ? PROTOCOL_NONE : MODE_CODES[p.mode])
    .finish();
}

function checkId(id: number | null, table: readonly ProtocolEntry[], field: string, label: string): void {
  if (id === null) return;
  if (!table.some((p) => p.id === id)) {
    const max = table[table.length - 1].id;
    throw new RangeError(
      `${label} (${field}) = ${String(id)} is not a known protocol id; allowed 0..${max} (00H..${bytesToHex([max])}H) or null to leave it unchanged`
    );
  }
}

/** EBH: read the selected CAN and RS485 inverter protocols. */
export const readInverterProtocols: Command<void, InverterProtocols> = readCommand({
  cid2: 0xeb,
  id: 'readInverterProtocols',
  title: 'Inverter protocols',
  decode: decodeProtocols,
  encode: encodeProtocols,
  replyBytes: 3
});

/** ECH: select the CAN / RS485 inverter protocols, or automatic (FF FF 00). */
export const setInverterProtocols: Command<InverterProtocols, WriteAck> = writeCommand({
  cid2: 0xec,
  id: 'setInverterProtocols',
  title: 'Inverter protocols',
  kind: 'write',
  encode: (p) => {
    checkId(p.can, CAN_PROTOCOLS, 'can', 'CAN protocol');
    checkId(p.rs485, RS485_PROTOCOLS, 'rs485', 'RS485 protocol');
    if (p.mode !== null && !(p.mode in MODE_CODES))
      throw new RangeError(`Inverter protocol mode (mode) = ${String(p.mode)} is not one of automatic, manual, null`);
    return encodeProtocols(p);
  },
  decode: decodeProtocols
});

export const inverterCommands = [readInverterProtocols, setInverterProtocols] as const;

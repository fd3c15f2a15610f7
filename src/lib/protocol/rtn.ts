// RTN, the return code a reply carries where a request carries its CID2 (reference §2.3). Named
// here once; everything else (client, poller, detection probe, simulator) uses these names.

import { hex2 } from './hex';

export const RTN = {
  ok: 0x00,
  /** The pack rejected the VER byte: it speaks another dialect. */
  verError: 0x01,
  /** Our request arrived with a bad CHKSUM. */
  checksumError: 0x02,
  /** Our request arrived with a bad LCHKSUM. */
  lengthChecksumError: 0x03,
  /** "CID2 invalid": the pack does not know the command (a missing vendor extension, 44H on some VER 20 modules). */
  unsupported: 0x04,
  formatError: 0x05,
  invalidData: 0x06,
  /** No data (history past its oldest record, on some firmware). */
  noData: 0x07,
  /** PACE: operation refused (a MOSFET switch while current flows). */
  refused: 0x09,
  addressError: 0x90,
  /** The master could not reach that slave over the link bus. */
  linkError: 0x91,
  /** The pack rejected the CID1 (device type): another dialect. */
  cid1Invalid: 0xe1,
  executionFailed: 0xe2,
  deviceFault: 0xe3,
  noPermission: 0xe4
} as const;

/** RTN codes with what they mean to a person. */
export const RTN_MESSAGES: Readonly<Record<number, string>> = {
  [RTN.ok]: 'OK',
  [RTN.verError]: 'The pack rejected the protocol version (RTN 01).',
  [RTN.checksumError]: 'The pack received a corrupted request (checksum error, RTN 02). Check the cable and baud rate.',
  [RTN.lengthChecksumError]: 'The pack received a corrupted request (length checksum error, RTN 03).',
  [RTN.unsupported]: 'The pack does not support this command (RTN 04).',
  [RTN.formatError]: 'The pack rejected the command format (RTN 05).',
  [RTN.invalidData]: 'The pack rejected the value as invalid (RTN 06).',
  [RTN.noData]: 'No data: the pack has nothing to return (RTN 07).',
  [RTN.refused]: 'The pack refused the operation (RTN 09), e.g. switching a MOSFET while current flows.',
  [RTN.addressError]: 'Address error (RTN 90).',
  [RTN.linkError]: 'The master could not reach that slave over the link bus (RTN 91).',
  [RTN.cid1Invalid]: 'The pack rejected the device type (CID1, RTN E1).',
  [RTN.executionFailed]: 'The command failed to execute on the pack (RTN E2).',
  [RTN.deviceFault]: 'The pack reports a device fault (RTN E3).',
  [RTN.noPermission]: 'The pack refused: no permission (RTN E4).'
};

export function rtnMessage(rtn: number): string {
  return RTN_MESSAGES[rtn] ?? `The pack answered with unknown return code ${hex2(rtn)}H.`;
}

/**
 * Success: RTN 00, or RTN equal to the request's CID2 (the PACE V3.1 table literally says
 * "Normal = CID2 of request").
 */
export function isSuccessRtn(rtn: number, requestCid2: number): boolean {
  return rtn === RTN.ok || rtn === requestCid2;
}

/** Our request arrived corrupted (RTN 02 / 03): sending it again can work. */
export function isRetryableRtn(rtn: number): boolean {
  return rtn === RTN.checksumError || rtn === RTN.lengthChecksumError;
}

/** The pack heard us but speaks another dialect (RTN 01 VER error, E1 CID1 invalid). */
export function isWrongDialectRtn(rtn: number): boolean {
  return rtn === RTN.verError || rtn === RTN.cid1Invalid;
}

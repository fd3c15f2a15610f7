// 44H "get pack alarm / status" in PACE's layout (VER 25, reference §6). Other dialects live in
// pylon.ts; this command dispatches to them by DecodeOptions.profile.

import type { Command, DecodeContext } from '../command';
import type { DecodeOptions, PackStatus, StatusFlag, StatusReply } from '../types';
import type { ByteReader, ByteWriter } from './byte-cursor';
import { countedBlockLength, decodeMultiPack, encodeMultiPack, type BlockCodec } from './pack-blocks';
import { decodePackRequest, encodePackRequest, isBroadcastRequest, packReplyBytes, type PackRequest } from './pack-request';
import { decodeFlags, type FlagSource } from './status-flags';
import { decodeVariantStatus, encodeVariantStatus } from './pylon';
import { alarmCode, alarmsOfCodes, balanceBytesOf, balancingCellsOf, emptyPackStatus, writeAlarmLists } from './telemetry-values';

export const CID2_STATUS = 0x44;

/** The nine status bytes every PACE firmware sends, in wire order. */
const CLASSIC_STATUS_BYTES = [
  'protection1',
  'protection2',
  'indication',
  'control',
  'fault',
  'balance1',
  'balance2',
  'warning1',
  'warning2'
] as const;

/** Bytes newer firmware appends, in wire order (§6.1); each is present only if the block is long enough. */
const NEWER_STATUS_BYTES = ['fault8', 'indication9', 'activeBalance1', 'activeBalance2', 'fault10'] as const;

/** Status bytes that carry flags (balance bytes are per cell instead). */
const FLAG_BYTES: readonly FlagSource[] = [
  'protection1',
  'protection2',
  'indication',
  'control',
  'fault',
  'warning1',
  'warning2',
  'fault8',
  'indication9',
  'fault10'
];

const INDICATION_CHARGE_MOS = 1 << 1;
const INDICATION_DISCHARGE_MOS = 1 << 2;
const INDICATION_HEATER = 1 << 7;

/** Fixed block length from its own counts: M, M alarms, N, N alarms, 3 alarm bytes, 9 status bytes. */
function paceStatusBaseLength(body: Uint8Array, offset: number): number | null {
  return countedBlockLength(body, offset, 1, 3 + CLASSIC_STATUS_BYTES.length);
}

/** Decoded flags of every flag-carrying byte present in `bytes`, in wire order. */
function flagsOfBytes(bytes: Record<string, number>, options: Pick<DecodeOptions, 'controlPolarity'>): StatusFlag[] {
  const flags: StatusFlag[] = [];
  for (const source of FLAG_BYTES) {
    const v = bytes[source];
    if (v !== undefined) flags.push(...decodeFlags(source, v, options));
  }
  return flags;
}

function decodePaceStatusBlock(r: ByteReader, options: DecodeOptions): PackStatus {
  const m = r.u8('cell count');
  const cells: number[] = [];
  for (let i = 0; i < m; i++) cells.push(r.u8(`cell ${i + 1} alarm`));
  const n = r.u8('temperature count');
  const temps: number[] = [];
  for (let i = 0; i < n; i++) temps.push(r.u8(`temperature ${i + 1} alarm`));
  const chargeCurrent = r.u8('charge-current alarm');
  const packVoltage = r.u8('pack-voltage alarm');
  const dischargeCurrent = r.u8('discharge-current alarm');
  const bytes: Record<string, number> = {};
  for (const name of CLASSIC_STATUS_BYTES) bytes[name] = r.u8(name);
  for (const name of NEWER_STATUS_BYTES) {
    if (r.remaining === 0) break;
    bytes[name] = r.u8(name);
  }
  const indication = bytes.indication;
  const pack: PackStatus = {
    ...alarmsOfCodes({ cells, temps, chargeCurrent, packVoltage, dischargeCurrent }),
    bytes,
    balancingCells: balancingCellsOf(bytes.balance1, bytes.balance2, options.balanceByteOrder),
    flags: flagsOfBytes(bytes, options),
    chargeMosOn: (indication & INDICATION_CHARGE_MOS) !== 0,
    dischargeMosOn: (indication & INDICATION_DISCHARGE_MOS) !== 0,
    heaterOn: (indication & INDICATION_HEATER) !== 0,
    empty: false
  };
  if (r.remaining > 0) pack.extraBytes = Array.from(r.rest());
  return pack;
}

/**
 * Write one block. Raw bytes in `pack.bytes` win; a byte that is missing is derived from the typed
 * fields (indication from the MOS/heater booleans, balance bytes from balancingCells, others 0), so
 * the simulator may fill in either.
 */
function encodePaceStatusBlock(w: ByteWriter, pack: PackStatus, options: DecodeOptions): void {
  const codes = pack.alarmCodes;
  writeAlarmLists(w, pack, pack.tempAlarms.length);
  w.u8(codes?.chargeCurrent ?? alarmCode(pack.chargeCurrentAlarm), 'charge-current alarm');
  w.u8(codes?.packVoltage ?? alarmCode(pack.packVoltageAlarm), 'pack-voltage alarm');
  w.u8(codes?.dischargeCurrent ?? alarmCode(pack.dischargeCurrentAlarm), 'discharge-current alarm');
  const [bal1, bal2] = balanceBytesOf(pack.balancingCells, options.balanceByteOrder);
  const derived: Record<string, number> = {
    indication:
      (pack.chargeMosOn ? INDICATION_CHARGE_MOS : 0) | (pack.dischargeMosOn ? INDICATION_DISCHARGE_MOS : 0) | (pack.heaterOn ? INDICATION_HEATER : 0),
    balance1: bal1,
    balance2: bal2
  };
  for (const name of CLASSIC_STATUS_BYTES) w.u8(pack.bytes[name] ?? derived[name] ?? 0, name);
  for (const name of NEWER_STATUS_BYTES) {
    const v = pack.bytes[name];
    if (v === undefined) break;
    w.u8(v, name);
  }
  if (pack.extraBytes) w.bytes(pack.extraBytes);
}

/** 16 cells, 6 temperatures, classic layout. */
const DEFAULT_STATUS_BLOCK_BYTES = 36;

function paceStatusCodec(options: DecodeOptions): BlockCodec<PackStatus> {
  return {
    baseLength: paceStatusBaseLength,
    decode: (r) => decodePaceStatusBlock(r, options),
    encode: (w, p) => encodePaceStatusBlock(w, p, options),
    empty: emptyPackStatus,
    hasLayout: (p) => p.cellAlarms.length > 0,
    defaultBlockBytes: DEFAULT_STATUS_BLOCK_BYTES
  };
}

function decodeStatusInfo(info: Uint8Array, request: PackRequest | undefined, options: DecodeOptions): StatusReply {
  const broadcast = isBroadcastRequest(request);
  if (options.profile !== 'pace') return decodeVariantStatus(options.profile, info, broadcast, options);
  return decodeMultiPack(info, broadcast, paceStatusCodec(options), '44H');
}

function encodeStatusInfo(reply: StatusReply, options: DecodeOptions): Uint8Array {
  if (options.profile !== 'pace') return encodeVariantStatus(options.profile, reply, options);
  return encodeMultiPack(reply, paceStatusCodec(options));
}

const MAX_STATUS_BLOCK_BYTES = 16 + 8 + 14 + NEWER_STATUS_BYTES.length + 8;

export const readStatus: Command<PackRequest, StatusReply> = {
  cid2: CID2_STATUS,
  id: 'readStatus',
  title: 'Pack alarms and status (protections, MOSFETs, balancing)',
  kind: 'read',
  multiPack: true,
  encodeRequest: encodePackRequest,
  decodeRequest: decodePackRequest,
  encodeReply: (res, _req, options) => encodeStatusInfo(res, options),
  decodeReply: (info: Uint8Array, ctx: DecodeContext<PackRequest>) => decodeStatusInfo(info, ctx.request, ctx.options),
  expectedReplyBytes: (req, packCount) => packReplyBytes(req, packCount, MAX_STATUS_BLOCK_BYTES)
};

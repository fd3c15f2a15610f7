// 42H "get pack analog values" in PACE's layout (VER 25, reference §5). Other dialects (Pylon,
// Seplos, EG4) live in pylon.ts; this command dispatches to them by DecodeOptions.profile so one
// command object serves every profile that shares the request format.

import type { Command, DecodeContext } from '../command';
import type { AnalogReply, DecodeOptions, PackAnalog } from '../types';
import { ByteReader, ByteWriter, roundTo } from './byte-cursor';
import { countedBlockLength, decodeMultiPack, encodeMultiPack, type BlockCodec } from './pack-blocks';
import { decodePackRequest, encodePackRequest, isBroadcastRequest, packReplyBytes, type PackRequest } from './pack-request';
import { decodeVariantAnalog, encodeVariantAnalog } from './pylon';
import { PACE_KELVIN_OFFSET, computedSocSoh, emptyPackAnalog, paceTempLabels, readCellsAndTemps, writeCellsAndTemps } from './telemetry-values';
import { DOCUMENTED_UNITS, reconcileUnits, wireFactor } from './units';

export const CID2_ANALOG = 0x42;

/** P = 9 tail: SOC, cumulative charge/discharge, SOH, independent voltage and current. */
const P9_TAIL_BYTES = 14;
/** Newest docs append summary remaining/full capacity (2 × u32). */
const P9_SUMMARY_TAIL_BYTES = 22;

/** Fixed length of a PACE block from its own counts: M, cells, N, temps, 13 bytes of values. */
function paceAnalogBaseLength(body: Uint8Array, offset: number): number | null {
  return countedBlockLength(body, offset, 2, 13);
}

function decodePaceBlock(r: ByteReader, options: Pick<DecodeOptions, 'unitOverrides'>): PackAnalog {
  const { cells_mV, tempCount: n, temps_C } = readCellsAndTemps(r, PACE_KELVIN_OFFSET);
  const current_A = roundTo(r.s16('current') / 100, 2);
  const voltage_V = roundTo(r.u16('pack voltage') / 1000, 3);
  const remaining_Ah = roundTo(r.u16('remaining capacity') / 100, 2);
  const p = r.u8('user-defined count P');
  const full_Ah = roundTo(r.u16('full capacity') / 100, 2);
  const cycles = r.u16('cycle count');
  const design_Ah = roundTo(r.u16('design capacity') / 100, 2);
  const pack: PackAnalog = {
    cells_mV,
    temps_C,
    tempLabels: paceTempLabels(n),
    current_A,
    voltage_V,
    remaining_Ah,
    full_Ah,
    design_Ah,
    cycles,
    soc_pct: null,
    soh_pct: null,
    socSource: null,
    userDefinedCount: p,
    empty: false
  };
  // The P = 9 tail only counts when the block really has room for it: P is the firmware's word,
  // the block length is the wire's.
  if (p >= 9 && r.remaining >= P9_TAIL_BYTES) {
    const soc = r.u8('SOC');
    const cumulativeCharge_Ah = r.u32('cumulative charge');
    const cumulativeDischarge_Ah = r.u32('cumulative discharge');
    const soh = r.u8('SOH');
    const portVoltage_V = roundTo(r.u16('independent voltage') / 1000, 3);
    const portCurrent_A = roundTo(r.s16('independent current') / 100, 2);
    pack.tail = { cumulativeCharge_Ah, cumulativeDischarge_Ah, portVoltage_V, portCurrent_A };
    if (r.remaining >= P9_SUMMARY_TAIL_BYTES - P9_TAIL_BYTES) {
      pack.tail.summaryRemaining_Ah = roundTo(r.u32('summary remaining capacity') / 100, 2);
      pack.tail.summaryFull_Ah = roundTo(r.u32('summary full capacity') / 100, 2);
    }
    pack.soc_pct = soc;
    pack.soh_pct = soh;
    pack.socSource = 'reported';
  } else {
    const c = computedSocSoh(remaining_Ah, full_Ah, design_Ah);
    pack.soc_pct = c.soc_pct;
    pack.soh_pct = c.soh_pct;
    pack.socSource = c.soc_pct === null && c.soh_pct === null ? null : 'computed';
  }
  if (r.remaining > 0) pack.extraBytes = Array.from(r.rest());
  // A master may report an offline slave as a block with its counts but every reading zero
  // (the 10-pack capture of §5.5): that pack is not there, whatever SOC the tail claims.
  if (cells_mV.every((mV) => mV === 0) && voltage_V === 0) pack.empty = true;
  return reconcileUnits(pack, DOCUMENTED_UNITS.pace, options.unitOverrides);
}

function encodePaceBlock(w: ByteWriter, pack: PackAnalog): void {
  // Values the decoder read in another unit go back in that unit (see units.ts).
  const v = wireFactor(pack, 'voltage');
  const i = wireFactor(pack, 'current');
  writeCellsAndTemps(w, pack, pack.temps_C.length, PACE_KELVIN_OFFSET);
  w.s16(Math.round((pack.current_A / i) * 100), 'current');
  w.u16(Math.round((pack.voltage_V / v) * 1000), 'pack voltage');
  w.u16(Math.round((pack.remaining_Ah / wireFactor(pack, 'remaining')) * 100), 'remaining capacity');
  w.u8(pack.userDefinedCount, 'user-defined count P');
  w.u16(Math.round((pack.full_Ah / wireFactor(pack, 'full')) * 100), 'full capacity');
  w.u16(pack.cycles, 'cycle count');
  w.u16(Math.round(((pack.design_Ah ?? 0) / wireFactor(pack, 'design')) * 100), 'design capacity');
  // Only a tail the pack already has is written: a P = 3 frame never grows one.
  if (pack.tail) {
    const t = pack.tail;
    w.u8(Math.round(pack.soc_pct ?? 0), 'SOC');
    w.u32(Math.round(t.cumulativeCharge_Ah ?? 0), 'cumulative charge');
    w.u32(Math.round(t.cumulativeDischarge_Ah ?? 0), 'cumulative discharge');
    w.u8(Math.round(pack.soh_pct ?? 0), 'SOH');
    w.u16(Math.round(((t.portVoltage_V ?? 0) / v) * 1000), 'independent voltage');
    w.s16(Math.round(((t.portCurrent_A ?? 0) / i) * 100), 'independent current');
    if (t.summaryRemaining_Ah !== undefined || t.summaryFull_Ah !== undefined) {
      w.u32(Math.round((t.summaryRemaining_Ah ?? 0) * 100), 'summary remaining capacity');
      w.u32(Math.round((t.summaryFull_Ah ?? 0) * 100), 'summary full capacity');
    }
  }
  if (pack.extraBytes) w.bytes(pack.extraBytes);
}

/** Length of a 16-cell, 6-temperature, P = 3 block: the size of a zero block when no neighbour says otherwise. */
const DEFAULT_BLOCK_BYTES = 59;

function paceBlockCodec(options: Pick<DecodeOptions, 'unitOverrides'>): BlockCodec<PackAnalog> {
  return {
    baseLength: paceAnalogBaseLength,
    decode: (r) => decodePaceBlock(r, options),
    encode: encodePaceBlock,
    empty: emptyPackAnalog,
    hasLayout: (p) => p.cells_mV.length > 0,
    defaultBlockBytes: DEFAULT_BLOCK_BYTES
  };
}

function decodeAnalogInfo(info: Uint8Array, request: PackRequest | undefined, options: DecodeOptions): AnalogReply {
  const broadcast = isBroadcastRequest(request);
  if (options.profile !== 'pace') return decodeVariantAnalog(options.profile, info, broadcast, options);
  return decodeMultiPack(info, broadcast, paceBlockCodec(options), '42H');
}

function encodeAnalogInfo(reply: AnalogReply, options: DecodeOptions): Uint8Array {
  if (options.profile !== 'pace') return encodeVariantAnalog(options.profile, reply);
  return encodeMultiPack(reply, paceBlockCodec(options));
}

/** Generous upper bound for one block: 16 cells, 8 temperatures, the 22-byte tail, some unknown extras. */
const MAX_ANALOG_BLOCK_BYTES = 2 * 16 + 2 * 8 + 15 + P9_SUMMARY_TAIL_BYTES + 16;

export const readAnalog: Command<PackRequest, AnalogReply> = {
  cid2: CID2_ANALOG,
  id: 'readAnalog',
  title: 'Pack analog values (cells, temperatures, current, capacity)',
  kind: 'read',
  multiPack: true,
  encodeRequest: encodePackRequest,
  decodeRequest: decodePackRequest,
  encodeReply: (res, _req, options) => encodeAnalogInfo(res, options),
  decodeReply: (info: Uint8Array, ctx: DecodeContext<PackRequest>) => decodeAnalogInfo(info, ctx.request, ctx.options),
  expectedReplyBytes: (req, packCount) => packReplyBytes(req, packCount, MAX_ANALOG_BLOCK_BYTES)
};

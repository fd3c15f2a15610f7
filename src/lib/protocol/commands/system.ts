// System commands (V3.1 doc §4.16, §4.31, §4.74): A4H restore defaults, B4H cell count, and the
// FFH "test mode" entries this tool uses: 50H XX firmware-upgrade entry and 02H restore system
// defaults. All 'dangerous'. Two commands share CID2 FF; they differ in INFO[0] and each one's
// decodeRequest refuses the other's sub-code, so a responder can try both.

import { DecodeError, type Command } from '../command';
import { bytesToHex } from '../hex';
import { checkField, decodeEmptyRequest, decodeWriteAck, encodeEmpty, encodeWriteAck, writeCommand, type FieldSpec, type WriteAck } from './payload';

/** A4H: restore every parameter to the factory default. */
export const restoreDefaults: Command<void, WriteAck> = {
  cid2: 0xa4,
  id: 'restoreDefaults',
  title: 'Restore default parameters',
  kind: 'dangerous',
  encodeRequest: () => encodeEmpty(),
  decodeRequest: (info) => decodeEmptyRequest(info, 'A4H restore defaults request'),
  encodeReply: (res) => encodeWriteAck(res),
  decodeReply: (info) => decodeWriteAck(info),
  expectedReplyBytes: () => 0
};

export interface CellCount {
  /** Cells in series the BMS expects (13–16). Wrong values trip cell protections at once. */
  cells: number;
}

const CELL_COUNT_SPEC: FieldSpec = { field: 'cells', label: 'Cell count', unit: 'cells', min: 13, max: 16, step: 1 };

/** B4H: set the number of cells in series. */
export const setCellCount: Command<CellCount, WriteAck> = writeCommand({
  cid2: 0xb4,
  id: 'setCellCount',
  title: 'Cell count',
  kind: 'dangerous',
  encode: (req) => {
    checkField(req.cells, CELL_COUNT_SPEC);
    return Uint8Array.of(req.cells);
  },
  decode: (r) => ({ cells: r.u8('cells') })
});

/** CID2 of every "enter test mode" sub-command. */
const TEST_MODE_CID2 = 0xff;
/** FFH sub-codes (first INFO byte). */
const TEST_MODE_FIRMWARE_UPGRADE = 0x50;
const TEST_MODE_RESTORE_DEFAULTS = 0x02;

/**
 * What the pack may restore after a main-board upgrade (the "recoverable parameter selection"
 * byte, V3.1 table A.209). true = restore that group to defaults after the update.
 */
export interface UpgradeRestoreSelection {
  /** bit 0 */
  capacity: boolean;
  /** bit 1: cell (string) count and NTC count. */
  cellAndNtcCount: boolean;
  /** bit 2 */
  protectionParameters: boolean;
  /** bit 3: inverter protocol. */
  protocol: boolean;
}

export interface FirmwareUpgradeEntry {
  restore: UpgradeRestoreSelection;
}

const RESTORE_BITS: readonly (keyof UpgradeRestoreSelection)[] = ['capacity', 'cellAndNtcCount', 'protectionParameters', 'protocol'];

export function encodeRestoreSelection(sel: UpgradeRestoreSelection): number {
  return RESTORE_BITS.reduce((b, k, i) => {
    if (typeof sel[k] !== 'boolean') throw new RangeError(`Upgrade restore selection (restore.${k}) must be true or false, got ${String(sel[k])}`);
    return sel[k] ? b | (1 << i) : b;
  }, 0);
}

export function decodeRestoreSelection(b: number): UpgradeRestoreSelection {
  if (b & 0xf0) throw new DecodeError(`upgrade restore selection ${bytesToHex([b])}: bits 4–7 are reserved`);
  const out = {} as UpgradeRestoreSelection;
  RESTORE_BITS.forEach((k, i) => (out[k] = (b & (1 << i)) !== 0));
  return out;
}

/** FFH 50H XX: enter the bootloader for a main-board firmware upgrade. */
export const enterFirmwareUpgrade: Command<FirmwareUpgradeEntry, WriteAck> = writeCommand({
  cid2: TEST_MODE_CID2,
  id: 'enterFirmwareUpgrade',
  title: 'Enter firmware upgrade',
  kind: 'dangerous',
  encode: (req) => Uint8Array.of(TEST_MODE_FIRMWARE_UPGRADE, encodeRestoreSelection(req.restore)),
  decode: (r) => {
    const sub = r.u8('sub-command');
    if (sub !== TEST_MODE_FIRMWARE_UPGRADE) throw new DecodeError(`FFH test mode: sub-command ${bytesToHex([sub])} is not 50 (firmware upgrade)`);
    return { restore: decodeRestoreSelection(r.u8('restore')) };
  }
});

/** FFH 02H: restore system data to defaults (test-mode variant of A4H). */
export const restoreSystemDefaults: Command<void, WriteAck> = writeCommand<void>({
  cid2: TEST_MODE_CID2,
  id: 'restoreSystemDefaults',
  title: 'Restore system defaults (test mode)',
  kind: 'dangerous',
  encode: () => Uint8Array.of(TEST_MODE_RESTORE_DEFAULTS),
  decode: (r) => {
    const sub = r.u8('sub-command');
    if (sub !== TEST_MODE_RESTORE_DEFAULTS) throw new DecodeError(`FFH test mode: sub-command ${bytesToHex([sub])} is not 02 (restore defaults)`);
  }
});

export const systemCommands = [restoreDefaults, setCellCount, enterFirmwareUpgrade, restoreSystemDefaults] as const;

// What a pack says it is (C1H version string, C2H serial numbers) and whether an image fits it.
//
// C1H answers "P16S100A-1812-1.00": model, board (hardware) revision, firmware version (reference
// §9). C2H answers the BMS serial, which on the packs we know starts with "P" and the board
// ("P1812101380309D" on a 1812 board). That serial convention is observed, not documented, so it
// only ever adds a warning or fills in a board C1H left out; it never refuses an image by itself.

import { FirmwareError } from './errors';
import type { FirmwareImageMeta } from './image';

/** A pack's version string split into its parts: "P16S100A-1812-1.00" (answer to C1H, space-padded). */
export interface PackVersion {
  model: string;
  /** Board (hardware) revision, the second part; null when the string has none. */
  board: string | null;
  firmwareVersion: string | null;
}

export function parsePackVersion(version: string): PackVersion {
  const parts = version.trim().split('-');
  const part = (i: number): string | null => {
    const p = parts[i]?.trim();
    return p ? p : null;
  };
  return { model: parts[0].trim(), board: part(1), firmwareVersion: parts.length > 2 ? parts.slice(2).join('-').trim() || null : null };
}

/** What the app knows about the pack an image is meant for. */
export interface PackIdentity {
  model: string;
  /** Board revision; null or absent when the pack did not report one. */
  board?: string | null;
  /** Firmware version the pack runs; null or absent when unknown. */
  firmwareVersion?: string | null;
  /** C1H exactly as the pack sent it (trimmed), for logs and the journal. */
  versionString?: string;
  /** C2H BMS serial; null or absent when C2H was not read. */
  bmsSerial?: string | null;
  packSerial?: string | null;
}

/** The identity from a C1H reply and, when it was read, a C2H reply. */
export function identityFromReplies(c1: { version: string }, c2?: { bmsSerial: string; packSerial?: string } | null): PackIdentity {
  const v = parsePackVersion(c1.version);
  return {
    model: v.model,
    board: v.board,
    firmwareVersion: v.firmwareVersion,
    versionString: c1.version.trim(),
    bmsSerial: c2?.bmsSerial.trim() || null,
    packSerial: c2?.packSerial?.trim() || null
  };
}

/**
 * The board patterns of an image's hardware field: comma-separated board revisions, each may use
 * `*` (any run of characters) and `?` (one character): "1812,2147?", "31*". null means any board
 * ("*" alone in the list).
 */
export function hardwarePatterns(hardwareCompat: string): string[] | null {
  const list = hardwareCompat
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return list.includes('*') ? null : list;
}

function patternRegExp(pattern: string, prefixOnly: boolean): RegExp {
  const body = Array.from(pattern, (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}${prefixOnly ? '' : '$'}`, 'i');
}

/** Does `board` match one hardware pattern? Case-insensitive, whole string. */
export function matchesHardwarePattern(pattern: string, board: string): boolean {
  return patternRegExp(pattern.trim(), false).test(board.trim());
}

/** A valid hardware field: non-empty, printable, patterns of letters, digits, '.', '_', '*', '?'. */
export function hardwareFieldProblem(hardwareCompat: string): string | null {
  const list = hardwareCompat.split(',').map((s) => s.trim());
  if (list.every((s) => s === '')) return 'is empty (use "*" for any board)';
  const bad = list.find((s) => s !== '' && !/^[A-Za-z0-9._*?-]+$/.test(s));
  return bad === undefined ? null : `has an invalid board pattern "${bad}" (letters, digits, . _ - and the wildcards * ?)`;
}

/** The board the BMS serial starts with ("P" + board), when one of `patterns` matches it there. */
function boardPatternInSerial(serial: string, patterns: readonly string[]): string | null {
  const s = serial.trim();
  if (!/^P[0-9]/i.test(s)) return null;
  const rest = s.slice(1);
  // A pattern with a trailing wildcard would match any serial: only literal starts count here.
  return patterns.find((p) => !p.includes('*') && patternRegExp(p, true).test(rest)) ?? null;
}

export type Compatibility = { readonly ok: true; readonly warnings: readonly string[] } | { readonly ok: false; readonly error: FirmwareError };

/**
 * Does `image` fit the pack? `pack` is its version string ("P16S100A-1812-1.00") or its identity.
 * Model names compare case-insensitively. The board must match one of the image's hardware
 * patterns; a pack whose C1H has no board is checked on its serial's board when it carries one,
 * and otherwise passes on the model alone, with a warning saying so.
 */
export function checkCompatibility(image: FirmwareImageMeta, pack: string | PackIdentity): Compatibility {
  const identity: PackIdentity = typeof pack === 'string' ? parsePackVersion(pack) : pack;
  const packModel = identity.model.trim();
  if (packModel.toUpperCase() !== image.model.trim().toUpperCase()) {
    return {
      ok: false,
      error: new FirmwareError(
        'wrong-model',
        `This image is for model ${image.model}, but the pack is a ${packModel || '(unknown model)'}: choose the firmware for ${packModel || 'this pack'}.`,
        { field: 'model', found: image.model, expected: packModel }
      )
    };
  }
  const patterns = hardwarePatterns(image.hardwareCompat);
  if (patterns === null) return { ok: true, warnings: [] };
  const board = identity.board?.trim() ?? '';
  const serial = identity.bmsSerial?.trim() ?? '';
  if (board === '') {
    const fromSerial = serial === '' ? null : boardPatternInSerial(serial, patterns);
    if (fromSerial !== null) {
      return {
        ok: true,
        warnings: [`The pack did not report its board revision; its BMS serial ${serial} starts with board ${fromSerial}, which the image supports.`]
      };
    }
    return {
      ok: true,
      warnings: [`The pack did not report its board revision; only the model was checked (the image supports boards ${patterns.join(', ')}).`]
    };
  }
  if (!patterns.some((p) => matchesHardwarePattern(p, board))) {
    return {
      ok: false,
      error: new FirmwareError(
        'wrong-model',
        `This image supports boards ${patterns.join(', ')} of the ${image.model}, but the pack has board ${board}: it needs a different build for its hardware revision.`,
        { field: 'hardware compatibility', found: image.hardwareCompat, expected: board }
      )
    };
  }
  const warnings: string[] = [];
  if (/^P[0-9]/i.test(serial) && !serial.slice(1).toUpperCase().startsWith(board.toUpperCase())) {
    warnings.push(`The BMS serial ${serial} does not start with the board ${board} as it usually does: check the label on the pack before updating.`);
  }
  return { ok: true, warnings };
}

/** checkCompatibility that throws the FirmwareError ('wrong-model') instead of returning it. */
export function assertCompatible(image: FirmwareImageMeta, pack: string | PackIdentity): readonly string[] {
  const result = checkCompatibility(image, pack);
  if (!result.ok) throw result.error;
  return result.warnings;
}

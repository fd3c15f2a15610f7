// The user's connection and display settings: what they are, their defaults, and how untrusted
// input (localStorage, a form) becomes a valid value. Pure; persistence is settings.svelte.ts.

import type { ProfileSetting } from '$lib/protocol/detect';
import {
  DEFAULT_DECODE_OPTIONS,
  PACK_BAUDS,
  PROTOCOL_PROFILES,
  isPackBaud,
  type DecodeOptions,
  type PackBaud,
  type ProtocolProfile
} from '$lib/protocol/types';

// The lists the settings form offers, defined once in protocol/.
export { PACK_BAUDS, PROTOCOL_PROFILES };
export type BaudChoice = PackBaud | 'auto';
export type ProfileChoice = ProfileSetting;

export type ThemeChoice = 'system' | 'light' | 'dark';

export const DEMO_PACKS_MIN = 1;
export const DEMO_PACKS_MAX = 16;

export interface AppSettings {
  /**
   * Serial baud rate; 'auto' tries the baud that worked last, then 9600, 19200, 115200. Default
   * 'auto': a pack set to 19200 must connect without a trip to Advanced, and 9600 first costs a
   * factory-default pack nothing.
   */
  baud: BaudChoice;
  /** Protocol dialect; 'auto' probes PACE (VER 25) first, then the VER 20 families. Default 'auto'. */
  profile: ProfileChoice;
  /** UNCERTAIN balance-status byte order (reference §17). Default 'doc'. */
  balanceByteOrder: DecodeOptions['balanceByteOrder'];
  /** UNCERTAIN control-status MOSFET bit polarity (reference §17). Default 'doc'. */
  controlPolarity: DecodeOptions['controlPolarity'];
  /** Packs in the simulated demo bank, 1..16. Default 16. */
  demoPacks: number;
  /** Colour scheme. Default 'system'. */
  theme: ThemeChoice;
}

export const DEFAULT_SETTINGS: Readonly<AppSettings> = Object.freeze({
  baud: 'auto',
  profile: 'auto',
  balanceByteOrder: DEFAULT_DECODE_OPTIONS.balanceByteOrder,
  controlPolarity: DEFAULT_DECODE_OPTIONS.controlPolarity,
  demoPacks: 16,
  theme: 'system'
});

export interface SettingsProblem {
  field: keyof AppSettings;
  message: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
type Parser<K extends keyof AppSettings> = (value: unknown) => Parsed<AppSettings[K]>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** Form fields arrive as strings; stored JSON as numbers. Accept both. */
function asNumber(v: unknown): unknown {
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
}

const PARSERS: { [K in keyof AppSettings]: Parser<K> } = {
  baud: (v) => {
    if (v === 'auto') return ok<BaudChoice>('auto');
    const n = asNumber(v);
    return isPackBaud(n) ? ok(n) : bad(`Baud rate must be Auto or one of ${PACK_BAUDS.join(', ')}.`);
  },
  profile: (v) =>
    v === 'auto' || (PROTOCOL_PROFILES as readonly unknown[]).includes(v)
      ? ok(v as ProfileChoice)
      : bad(`Protocol must be Auto or one of ${PROTOCOL_PROFILES.join(', ')}.`),
  balanceByteOrder: (v) => (v === 'doc' || v === 'u16' ? ok(v) : bad('Balance byte order must be "doc" or "u16".')),
  controlPolarity: (v) => (v === 'doc' || v === 'forced-off' ? ok(v) : bad('MOSFET bit polarity must be "doc" or "forced-off".')),
  demoPacks: (v) => {
    const n = asNumber(v);
    return typeof n === 'number' && Number.isInteger(n) && n >= DEMO_PACKS_MIN && n <= DEMO_PACKS_MAX
      ? ok(n)
      : bad(`Demo bank size must be a whole number from ${DEMO_PACKS_MIN} to ${DEMO_PACKS_MAX}.`);
  },
  theme: (v) => (v === 'system' || v === 'light' || v === 'dark' ? ok(v) : bad('Theme must be System, Light or Dark.'))
};

const FIELDS = Object.keys(PARSERS) as (keyof AppSettings)[];

function setField<K extends keyof AppSettings>(target: AppSettings, key: K, value: unknown): string | null {
  const parsed = PARSERS[key](value);
  if (!parsed.ok) return parsed.message;
  target[key] = parsed.value;
  return null;
}

/**
 * Apply `patch` to `base`, field by field. A bad field keeps the base value and is reported;
 * unknown keys are ignored (settings written by a newer version must not break an older one).
 */
export function applySettings(base: Readonly<AppSettings>, patch: unknown): { settings: AppSettings; problems: SettingsProblem[] } {
  const settings: AppSettings = { ...base };
  const problems: SettingsProblem[] = [];
  if (patch === null || patch === undefined) return { settings, problems };
  if (typeof patch !== 'object' || Array.isArray(patch)) {
    return { settings, problems: [{ field: 'baud', message: 'Settings are not an object; nothing changed.' }] };
  }
  const rec = patch as Record<string, unknown>;
  for (const key of FIELDS) {
    if (!(key in rec) || rec[key] === undefined) continue;
    const message = setField(settings, key, rec[key]);
    if (message) problems.push({ field: key, message });
  }
  return { settings, problems };
}

/** Settings from stored JSON text; anything unreadable falls back to defaults. */
export function parseStoredSettings(text: string | null): { settings: AppSettings; problems: SettingsProblem[] } {
  if (text === null) return { settings: { ...DEFAULT_SETTINGS }, problems: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { settings: { ...DEFAULT_SETTINGS }, problems: [{ field: 'baud', message: 'Stored settings were not valid JSON; defaults used.' }] };
  }
  return applySettings(DEFAULT_SETTINGS, raw);
}

/**
 * Decode options for the client. A profile found by auto-detection wins over 'auto'; an explicit
 * profile choice is a manual override and wins over detection.
 */
export function decodeOptionsFor(settings: Readonly<AppSettings>, detected?: ProtocolProfile): DecodeOptions {
  const profile = settings.profile !== 'auto' ? settings.profile : (detected ?? DEFAULT_DECODE_OPTIONS.profile);
  return { profile, balanceByteOrder: settings.balanceByteOrder, controlPolarity: settings.controlPolarity };
}

// Vendor extensions (software address, host setting, module exit, BMS serial baud, CAN bit rate,
// Wi-Fi): no public document gives their commands, so their codes are our assumption
// (protocol/commands/extensions.ts). They are never sent to a real pack by default. On the demo
// bank they work (the simulator implements the assumed codes); for a real pack they are enabled
// only by an "extension profile", a JSON file support hands out once a vendor's codes are known,
// validated field by field on import. Each feature knows whether it is enabled and, if not, why,
// so the page can grey it and say so.
//
// Schema, version 1:
//   {
//     "format": "packservice.extension-profile",
//     "version": 1,
//     "name": "Vendor X, firmware 1.06",
//     "commands": {
//       "setSoftwareAddress": { "cid2": "F0" },
//       "setSerialBaud": { "cid2": "F3", "layout": { "kind": "u8-index", "rates": [9600, 19200, 115200] } },
//       ...                                  any subset of the six; absent = not enabled
//     }
//   }

import type { AnyCommand } from '../protocol/command';
import {
  ASSUMED_EXTENSION_CODES,
  CAN_BITRATES_kbps,
  createExtensionCommands,
  EXTENSION_IDS,
  SERIAL_BAUD_RATES,
  type BaudLayout,
  type CanLayout,
  type ExtensionCodes,
  type ExtensionCommandSet,
  type ExtensionId,
  type WifiLayout
} from '../protocol/commands/extensions';
import { allCommands } from '../protocol/registry';

export const EXTENSION_PROFILE_FORMAT = 'packservice.extension-profile';
export const EXTENSION_PROFILE_VERSION = 1;

export interface ExtensionProfile {
  format: typeof EXTENSION_PROFILE_FORMAT;
  version: typeof EXTENSION_PROFILE_VERSION;
  name: string;
  commands: Partial<ExtensionCodes>;
}

export interface ExtensionProblem {
  field: string;
  reason: string;
}

export type ExtensionProfileImport = { ok: true; profile: ExtensionProfile } | { ok: false; problems: ExtensionProblem[] };

export const EXTENSION_TITLES: Readonly<Record<ExtensionId, string>> = {
  setSoftwareAddress: 'Address setting',
  setHost: 'Host (master) setting',
  exitModule: 'Module unit exit',
  setSerialBaud: 'BMS serial baud rate',
  setCanBitrate: 'CAN bit rate',
  setWifi: 'Wi-Fi'
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "F0", "F0H", "0xF0" or 240 -> 240; null when it is not a byte. */
function parseCid2(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 0xff ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^(?:0x)?([0-9a-f]{1,2})h?$/i.exec(v.trim());
  return m ? parseInt(m[1], 16) : null;
}

const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0') + 'H';

function rates(v: unknown, allowed: readonly number[], field: string, unit: string, problems: ExtensionProblem[]): number[] | null {
  if (!Array.isArray(v) || v.length === 0 || v.length > 16) {
    problems.push({ field, reason: `must be a list of 1 to 16 rates in ${unit}, in the order the pack numbers them` });
    return null;
  }
  const bad = v.filter((x) => !allowed.includes(x as number));
  if (bad.length > 0) {
    problems.push({
      field,
      reason: `${bad.map(String).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not among the rates this tool offers (${allowed.join(', ')} ${unit})`
    });
    return null;
  }
  if (new Set(v).size !== v.length) {
    problems.push({ field, reason: 'lists a rate twice' });
    return null;
  }
  return v as number[];
}

function layoutOf(id: ExtensionId, v: unknown, field: string, problems: ExtensionProblem[]): unknown {
  const kinds: Record<ExtensionId, string[]> = {
    setSoftwareAddress: ['u8'],
    setHost: ['u8'],
    exitModule: ['u8'],
    setSerialBaud: ['u32-bps', 'u16-bps-div100', 'u8-index'],
    setCanBitrate: ['u16-kbps', 'u8-index'],
    setWifi: ['length-prefixed', 'fixed']
  };
  if (v === undefined) {
    if (kinds[id].length === 1) return undefined;
    problems.push({ field, reason: `is needed: one of ${kinds[id].map((k) => `{"kind": "${k}"}`).join(', ')}` });
    return null;
  }
  if (!isRecord(v) || typeof v.kind !== 'string' || !kinds[id].includes(v.kind)) {
    problems.push({ field: `${field}.kind`, reason: `must be one of ${kinds[id].join(', ')}` });
    return null;
  }
  const known = new Set([
    'kind',
    ...(v.kind === 'u8-index' ? [id === 'setSerialBaud' ? 'rates' : 'rates_kbps'] : []),
    ...(v.kind === 'fixed' ? ['ssidBytes', 'passwordBytes'] : [])
  ]);
  for (const k of Object.keys(v)) if (!known.has(k)) problems.push({ field: `${field}.${k}`, reason: `is not a field of the ${v.kind} layout` });
  if (v.kind === 'u8-index' && id === 'setSerialBaud') {
    const r = rates(v.rates, SERIAL_BAUD_RATES, `${field}.rates`, 'bit/s', problems);
    return r && ({ kind: 'u8-index', rates: r } satisfies BaudLayout);
  }
  if (v.kind === 'u8-index') {
    const r = rates(v.rates_kbps, CAN_BITRATES_kbps, `${field}.rates_kbps`, 'kbit/s', problems);
    return r && ({ kind: 'u8-index', rates_kbps: r } satisfies CanLayout);
  }
  if (v.kind === 'fixed') {
    const ok = (n: unknown, min: number, max: number) => Number.isInteger(n) && (n as number) >= min && (n as number) <= max;
    if (!ok(v.ssidBytes, 1, 64)) problems.push({ field: `${field}.ssidBytes`, reason: 'must be the SSID field size in bytes, 1..64' });
    if (!ok(v.passwordBytes, 8, 128)) problems.push({ field: `${field}.passwordBytes`, reason: 'must be the password field size in bytes, 8..128' });
    return { kind: 'fixed', ssidBytes: v.ssidBytes, passwordBytes: v.passwordBytes } as WifiLayout;
  }
  return { kind: v.kind };
}

/** Parse and check an extension profile. Any problem refuses the whole file and changes nothing. */
export function parseExtensionProfile(text: string): ExtensionProfileImport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ field: '(file)', reason: `is not valid JSON (${e instanceof Error ? e.message : String(e)})` }] };
  }
  if (!isRecord(raw)) return { ok: false, problems: [{ field: '(file)', reason: 'must be a JSON object' }] };
  const problems: ExtensionProblem[] = [];
  if (raw.format !== EXTENSION_PROFILE_FORMAT) problems.push({ field: 'format', reason: `must be "${EXTENSION_PROFILE_FORMAT}"` });
  if (raw.version !== EXTENSION_PROFILE_VERSION) {
    problems.push({
      field: 'version',
      reason:
        Number.isInteger(raw.version) && (raw.version as number) > EXTENSION_PROFILE_VERSION
          ? `is ${String(raw.version)}: made for a newer version of this tool, which reads version 1`
          : 'must be 1'
    });
  }
  if (typeof raw.name !== 'string' || raw.name.trim() === '' || raw.name.length > 100)
    problems.push({ field: 'name', reason: 'must be text of 1 to 100 characters' });
  for (const k of Object.keys(raw))
    if (!['format', 'version', 'name', 'commands'].includes(k)) problems.push({ field: k, reason: 'is not a field of an extension profile' });

  const commands: Partial<Record<ExtensionId, unknown>> = {};
  if (!isRecord(raw.commands) || Object.keys(raw.commands).length === 0) {
    problems.push({ field: 'commands', reason: `must name at least one of ${EXTENSION_IDS.join(', ')}` });
  } else {
    // Documented commands keep their codes: an extension must not reuse one.
    const documented = new Map(
      allCommands()
        .filter((c) => !c.extension)
        .map((c) => [c.cid2, c.id])
    );
    const used = new Map<number, string>();
    for (const [id, spec] of Object.entries(raw.commands)) {
      const field = `commands.${id}`;
      if (!(EXTENSION_IDS as readonly string[]).includes(id)) {
        problems.push({ field, reason: `is not a vendor extension this tool knows (${EXTENSION_IDS.join(', ')})` });
        continue;
      }
      if (!isRecord(spec)) {
        problems.push({ field, reason: 'must be an object with cid2 (and layout)' });
        continue;
      }
      for (const k of Object.keys(spec))
        if (k !== 'cid2' && k !== 'layout') problems.push({ field: `${field}.${k}`, reason: 'is not a field of an extension command' });
      const cid2 = parseCid2(spec.cid2);
      if (cid2 === null) {
        problems.push({ field: `${field}.cid2`, reason: 'must be a CID2 byte, e.g. "F0"' });
        continue;
      }
      const clash = documented.get(cid2);
      if (clash) problems.push({ field: `${field}.cid2`, reason: `${hex(cid2)} is the documented command ${clash}; an extension cannot reuse it` });
      else if (used.has(cid2)) problems.push({ field: `${field}.cid2`, reason: `${hex(cid2)} is already used by ${used.get(cid2)}` });
      used.set(cid2, id);
      const layout = layoutOf(id as ExtensionId, spec.layout, `${field}.layout`, problems);
      commands[id as ExtensionId] = layout === undefined ? { cid2 } : { cid2, layout };
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    profile: {
      format: EXTENSION_PROFILE_FORMAT,
      version: EXTENSION_PROFILE_VERSION,
      name: raw.name as string,
      commands: commands as Partial<ExtensionCodes>
    }
  };
}

/** Whether the link is the simulated bank (extensions work) or a real pack (they need a profile). */
export type ExtensionLink = 'demo' | 'real';

export type ExtensionReason =
  /** Enabled: the demo bank implements the assumed codes. */
  | 'demo'
  /** Enabled: the loaded extension profile gives the codes. */
  | 'profile'
  /** Disabled: a real pack and no extension profile. */
  | 'no-profile'
  /** Disabled: the profile does not cover this one. */
  | 'not-in-profile'
  /** Disabled: the pack answered RTN 04 (it does not know the code). */
  | 'unsupported';

export interface ExtensionAvailability {
  id: ExtensionId;
  title: string;
  enabled: boolean;
  reason: ExtensionReason;
  /** In words, for the page. */
  message: string;
  /** The same as a message key (messages/params) with its placeholders. */
  messageKey: string;
  messageParams: Record<string, string>;
}

/** The enabled/why-not state of every extension for one link, and the commands to send. */
export class Extensions {
  readonly link: ExtensionLink;
  readonly profile: ExtensionProfile | null;
  readonly #commands: Partial<ExtensionCommandSet>;
  readonly #unsupported = new Set<ExtensionId>();

  constructor(link: ExtensionLink, profile: ExtensionProfile | null = null) {
    this.link = link;
    this.profile = profile;
    if (link === 'demo') {
      // The simulator speaks the assumed codes whatever profile is loaded.
      this.#commands = createExtensionCommands(ASSUMED_EXTENSION_CODES);
    } else if (profile) {
      const all = createExtensionCommands({ ...ASSUMED_EXTENSION_CODES, ...profile.commands });
      this.#commands = Object.fromEntries(EXTENSION_IDS.filter((id) => profile.commands[id]).map((id) => [id, all[id]]));
    } else this.#commands = {};
  }

  availability(): ExtensionAvailability[] {
    return EXTENSION_IDS.map((id) => this.of(id));
  }

  of(id: ExtensionId): ExtensionAvailability {
    const title = EXTENSION_TITLES[id];
    const a = (enabled: boolean, reason: ExtensionReason, message: string): ExtensionAvailability => ({
      id,
      title,
      enabled,
      reason,
      message,
      messageKey: `params_ext_${reason.replaceAll('-', '_')}`,
      messageParams: this.profile ? { name: this.profile.name } : {}
    });
    if (this.#unsupported.has(id)) return a(false, 'unsupported', `This pack does not know the ${title.toLowerCase()} command (it answered RTN 04).`);
    if (this.link === 'demo') return a(true, 'demo', 'Works on the demo bank, which implements the codes this tool assumes.');
    if (!this.profile)
      return a(
        false,
        'no-profile',
        'No public document gives this command, so it is never sent to a real pack by default. Support can send an extension profile with the vendor’s codes to enable it.'
      );
    if (!this.#commands[id]) return a(false, 'not-in-profile', `The extension profile "${this.profile.name}" does not cover this command.`);
    return a(true, 'profile', `Enabled by the extension profile "${this.profile.name}".`);
  }

  /** The command to send for an enabled extension, else null. */
  command<K extends ExtensionId>(id: K): ExtensionCommandSet[K] | null {
    return this.of(id).enabled ? ((this.#commands[id] as ExtensionCommandSet[K] | undefined) ?? null) : null;
  }

  /** The pack answered RTN 04 to it: grey it from now on. */
  markUnsupported(id: ExtensionId): void {
    this.#unsupported.add(id);
  }

  /** For the client's guard: null when this extension command may go out, else why not. */
  allows(cmd: Pick<AnyCommand, 'cid2' | 'id'> & { extension?: boolean }): string | null {
    if (!cmd.extension) return null;
    const id = cmd.id as ExtensionId;
    if (!EXTENSION_IDS.includes(id)) return `Unknown vendor extension ${cmd.id}.`;
    const enabled = this.command(id);
    if (!enabled) return this.of(id).message;
    if (enabled.cid2 !== cmd.cid2) return `${EXTENSION_TITLES[id]} uses code ${hex(enabled.cid2)} on this link, not ${hex(cmd.cid2)}.`;
    return null;
  }
}

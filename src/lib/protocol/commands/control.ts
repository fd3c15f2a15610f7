// Switches and MOSFET control (reference §7): 99H control command, 9AH/9BH charge/discharge
// MOSFET, 9CH shutdown. Also the two status bytes these replies carry (control status 4,
// indication status 3), so the simulator can build them and the UI can read them.

import { DecodeError, type Command } from '../command';
import { bytesToHex } from '../hex';
import type { DecodeOptions } from '../types';
import { InfoReader, checkOneOf, decodeWriteAck, encodeWriteAck, type WriteAck } from './payload';

// ---- 99H switch codes -------------------------------------------------------------------------

/**
 * 99H COMMAND codes (V3.1 doc; 06–0D confirmed by PbmsTools captures whose control-status bits
 * agree with the doc's on/off reading). 0E–12 are the legacy CAN-protocol selectors.
 */
export const CONTROL_SWITCH_CODES = {
  staticBalancingOn: 0x02,
  staticBalancingOff: 0x03,
  systemLockOff: 0x04,
  systemLockOn: 0x05,
  ledAlarmOn: 0x06,
  ledAlarmOff: 0x07,
  limitGearHigh: 0x08,
  limitGearLow: 0x09,
  chargeLimiterOn: 0x0a,
  chargeLimiterOff: 0x0b,
  buzzerOff: 0x0c,
  buzzerOn: 0x0d,
  canProtocolPace: 0x0e,
  canProtocolPylon: 0x0f,
  canProtocolGrowatt: 0x10,
  canProtocolHozonie: 0x11,
  canProtocolSofar: 0x12
} as const;

export type ControlSwitch = keyof typeof CONTROL_SWITCH_CODES;

/** Codes D0H–DFH are "user defined" in the V3.1 doc: sent as given, meaning firmware specific. */
const USER_DEFINED_SWITCH_MIN = 0xd0;
const USER_DEFINED_SWITCH_MAX = 0xdf;

const SWITCH_BY_CODE = new Map<number, ControlSwitch>((Object.entries(CONTROL_SWITCH_CODES) as [ControlSwitch, number][]).map(([k, v]) => [v, k]));

/** A 99H request: one named switch, or a raw user-defined code D0..DF. */
export type ControlRequest = { action: ControlSwitch } | { userDefined: number };

/** Control status 4 (§6.6), decoded. Bits 1/2 follow DecodeOptions.controlPolarity. */
export interface ControlStatus {
  /** bit 0 */
  buzzerEnabled: boolean;
  /** bit 1: with polarity 'doc' a set bit means the charge MOSFET function is enabled; with 'forced-off' it means forced off. */
  chargeMosEnabled: boolean;
  /** bit 2, same polarity rule as bit 1. */
  dischargeMosEnabled: boolean;
  /** bit 3: 1 = low gear. */
  limitGear: 'high' | 'low';
  /** bit 4 inverted: the pack sends 1 when the limiter is disabled. */
  chargeLimiterEnabled: boolean;
  /** bit 5 inverted: 1 = LED alarm disabled. */
  ledAlarmEnabled: boolean;
  /** bit 6 (V3.1 only). */
  systemLockEnabled: boolean;
  /** bit 7 (V3.1 only). */
  testMode: boolean;
}

export function decodeControlStatus(b: number, options: Pick<DecodeOptions, 'controlPolarity'>): ControlStatus {
  const bit = (n: number) => (b & (1 << n)) !== 0;
  const mos = (n: number) => (options.controlPolarity === 'doc' ? bit(n) : !bit(n));
  return {
    buzzerEnabled: bit(0),
    chargeMosEnabled: mos(1),
    dischargeMosEnabled: mos(2),
    limitGear: bit(3) ? 'low' : 'high',
    chargeLimiterEnabled: !bit(4),
    ledAlarmEnabled: !bit(5),
    systemLockEnabled: bit(6),
    testMode: bit(7)
  };
}

export function encodeControlStatus(s: ControlStatus, options: Pick<DecodeOptions, 'controlPolarity'>): number {
  const mos = (on: boolean) => (options.controlPolarity === 'doc' ? on : !on);
  return (
    (s.buzzerEnabled ? 0x01 : 0) |
    (mos(s.chargeMosEnabled) ? 0x02 : 0) |
    (mos(s.dischargeMosEnabled) ? 0x04 : 0) |
    (s.limitGear === 'low' ? 0x08 : 0) |
    (s.chargeLimiterEnabled ? 0 : 0x10) |
    (s.ledAlarmEnabled ? 0 : 0x20) |
    (s.systemLockEnabled ? 0x40 : 0) |
    (s.testMode ? 0x80 : 0)
  );
}

/**
 * 99H reply. Packs answer `[command echo][control status]` (LENID 04); the V3.1 document says
 * LENID 00, so an empty reply decodes with both fields null.
 */
export interface ControlReply {
  echo: number | null;
  status: ControlStatus | null;
}

function controlCode(req: ControlRequest): number {
  if (req && 'action' in req) {
    const code = CONTROL_SWITCH_CODES[req.action];
    if (code === undefined) {
      checkOneOf(req.action as string, Object.keys(CONTROL_SWITCH_CODES), 'action', 'Control switch');
    }
    return code;
  }
  if (req && 'userDefined' in req) {
    const c = req.userDefined;
    if (!Number.isInteger(c) || c < USER_DEFINED_SWITCH_MIN || c > USER_DEFINED_SWITCH_MAX) {
      throw new RangeError(`User-defined control code (userDefined) = ${String(c)} is outside the allowed range 208..223 (D0H..DFH)`);
    }
    return c;
  }
  throw new RangeError('Control command needs { action } or { userDefined }');
}

/** 99H: flip one switch (LED alarm, buzzer, limiter, gear, balancing, lock, legacy CAN protocol). */
export const controlSwitch: Command<ControlRequest, ControlReply> = {
  cid2: 0x99,
  id: 'controlSwitch',
  title: 'Control switch',
  kind: 'write',
  encodeRequest: (req) => Uint8Array.of(controlCode(req)),
  decodeRequest: (info) => {
    if (info.length !== 1) throw new DecodeError(`99H control request: expected 1 byte, got ${info.length} (${bytesToHex(info)})`);
    const code = info[0];
    const action = SWITCH_BY_CODE.get(code);
    if (action) return { action };
    if (code >= USER_DEFINED_SWITCH_MIN && code <= USER_DEFINED_SWITCH_MAX) return { userDefined: code };
    throw new DecodeError(`99H control request: unknown switch code ${bytesToHex([code])}H`);
  },
  encodeReply: (res, _req, options) => {
    if (res.echo === null || res.status === null) return new Uint8Array(0);
    return Uint8Array.of(res.echo, encodeControlStatus(res.status, options));
  },
  decodeReply: (info, ctx) => {
    if (info.length === 0) return { echo: null, status: null };
    const r = new InfoReader(info, '99H control reply');
    const echo = r.u8('echo');
    const status = decodeControlStatus(r.u8('controlStatus'), ctx.options);
    return { echo, status };
  },
  expectedReplyBytes: () => 2
};

// ---- 9AH / 9BH MOSFET control -----------------------------------------------------------------

/** Indication status 3 (§6.5), the 1-byte reply of 9AH/9BH. */
export interface IndicationStatus {
  /** bit 0 */
  currentLimiting: boolean;
  /** bit 1: charge MOSFET (or the limiter path) conducting. */
  chargeMosOn: boolean;
  /** bit 2 */
  dischargeMosOn: boolean;
  /** bit 3 */
  packPowerSupply: boolean;
  /** bit 4 */
  chargerReversed: boolean;
  /** bit 5 "ACin": a charger is present. */
  chargerPresent: boolean;
  /** bit 6 (V3.1) */
  shutdown: boolean;
  /** bit 7 (V3.1 "heating film"; 2018 doc "heart"). */
  heaterOn: boolean;
}

const INDICATION_BITS: readonly (keyof IndicationStatus)[] = [
  'currentLimiting',
  'chargeMosOn',
  'dischargeMosOn',
  'packPowerSupply',
  'chargerReversed',
  'chargerPresent',
  'shutdown',
  'heaterOn'
];

export function decodeIndicationStatus(b: number): IndicationStatus {
  const out = {} as IndicationStatus;
  INDICATION_BITS.forEach((k, i) => (out[k] = (b & (1 << i)) !== 0));
  return out;
}

export function encodeIndicationStatus(s: IndicationStatus): number {
  return INDICATION_BITS.reduce((b, k, i) => (s[k] ? b | (1 << i) : b), 0);
}

/** Request of 9AH/9BH: `on: true` = MOSFET conducting (INFO 00), false = off (INFO 01). */
export interface MosfetRequest {
  on: boolean;
}

/**
 * Reply of 9AH/9BH: the indication status after the command. A refused switch comes back with
 * RTN 09 and the same byte (`~25004609E00204FD2B`); the client reports the RTN, and can still
 * decode this INFO to show the unchanged state.
 */
export interface MosfetReply {
  indication: IndicationStatus;
}

function mosfetCommand(cid2: number, id: string, title: string): Command<MosfetRequest, MosfetReply> {
  const hex = bytesToHex([cid2]);
  return {
    cid2,
    id,
    title,
    kind: 'write',
    encodeRequest: (req) => {
      if (!req || typeof req.on !== 'boolean') throw new RangeError(`${title} (on) must be true or false, got ${String(req?.on)}`);
      return Uint8Array.of(req.on ? 0x00 : 0x01);
    },
    decodeRequest: (info) => {
      if (info.length !== 1 || info[0] > 1) {
        throw new DecodeError(`${hex}H ${title} request: expected 00 (on) or 01 (off), got ${bytesToHex(info) || 'nothing'}`);
      }
      return { on: info[0] === 0 };
    },
    encodeReply: (res) => Uint8Array.of(encodeIndicationStatus(res.indication)),
    decodeReply: (info) => ({ indication: decodeIndicationStatus(new InfoReader(info, `${hex}H ${title} reply`).u8('indication')) }),
    expectedReplyBytes: () => 1
  };
}

/** 9AH: charge MOSFET on/off. The pack refuses "off" while discharge MOS is forced off or it is discharging. */
export const setChargeMos = mosfetCommand(0x9a, 'setChargeMos', 'Charge MOSFET');
/** 9BH: discharge MOSFET on/off. The pack refuses "off" while charge MOS is forced off or it is charging. */
export const setDischargeMos = mosfetCommand(0x9b, 'setDischargeMos', 'Discharge MOSFET');

// ---- 9CH shutdown -----------------------------------------------------------------------------

/**
 * 9CH: shutdown / hibernate. The document says no INFO; PbmsTools sends 01 and real packs accept
 * that, so that is what we send. If current is flowing the pack reboots instead.
 */
export const shutdown: Command<void, WriteAck> = {
  cid2: 0x9c,
  id: 'shutdown',
  title: 'Shut down (hibernate)',
  kind: 'write',
  encodeRequest: () => Uint8Array.of(0x01),
  decodeRequest: (info) => {
    if (info.length === 0 || (info.length === 1 && info[0] === 0x01)) return;
    throw new DecodeError(`9CH shutdown request: expected 01 or nothing, got ${bytesToHex(info)}`);
  },
  encodeReply: (res) => encodeWriteAck(res),
  decodeReply: (info) => decodeWriteAck(info),
  expectedReplyBytes: () => 0
};

export const controlCommands = [controlSwitch, setChargeMos, setDischargeMos, shutdown] as const;

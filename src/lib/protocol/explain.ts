// The frame decoder behind `npm run decode` and the debug page: one frame of text in, one JSON-able
// verdict out. Pure: no I/O, no clock.

import { DecodeError, type AnyCommand } from './command';
import { parseFrameText, type Frame, type FrameErrorKind } from './frame';
import { bytesToHex, hex2 } from './hex';
import { isSuccessRtn, rtnMessage } from './rtn';
import { detectProfile, pickProfile, type ProfileSetting } from './detect';
import { findCommands } from './registry';
import { CID2_ANALOG } from './commands/analog';
import { CID2_STATUS } from './commands/status';
import { modulesOfGroupReply } from './commands/pylon-group';
import { CID2_PACK_COUNT, CID2_PRODUCT_INFO, CID2_SOFTWARE_VERSION, type ProductInfoReply, type SoftwareVersionReply } from './commands/info';
import { DEFAULT_DECODE_OPTIONS, type AnalogReply, type DecodeOptions, type PackAnalog, type PackStatus, type StatusReply } from './types';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type ExplainErrorKind = 'checksum' | 'length' | 'truncated' | 'format' | 'echo' | 'rtn';

export interface ExplainRefused {
  ok: false;
  error: ExplainErrorKind;
  message: string;
}

export interface ExplainedReply {
  ok: true;
  ver: number;
  adr: number;
  cid1: number;
  rtn: number;
  data: JsonValue;
  /** Command id and dialect the INFO was read with. */
  command: string;
  profile: string;
}

export interface ExplainedRequest {
  ok: true;
  ver: number;
  adr: number;
  cid1: number;
  cid2: number;
  request: JsonValue;
  command: string;
}

export type ExplainResult = ExplainRefused | ExplainedReply | ExplainedRequest;

export interface ExplainOptions {
  /** CID2 of the request this frame answers; without it the frame is read as a request. */
  cmd?: number;
  /** Dialect of 42H/44H replies; default 'auto' (from VER, CID1 and the layout). */
  profile?: ProfileSetting;
  /** Balance byte order and control polarity; default DEFAULT_DECODE_OPTIONS. */
  decodeOptions?: Partial<Pick<DecodeOptions, 'balanceByteOrder' | 'controlPolarity'>>;
}

const READER_KIND: Record<FrameErrorKind, ExplainErrorKind> = {
  checksum: 'checksum',
  length: 'length',
  truncated: 'truncated',
  oversize: 'length',
  format: 'format',
  garbage: 'format'
};

/** Plain data for JSON: byte arrays become number arrays, undefined fields are dropped. */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = toJson(v);
    return out;
  }
  return null;
}

function analogData(r: AnalogReply): JsonValue {
  const packs = r.packs.map((p: PackAnalog) => {
    // The keys every consumer relies on come first, in this order; the rest follow.
    const { cells_mV, temps_C, current_A, voltage_V, remaining_Ah, full_Ah, design_Ah, cycles, soc_pct, soh_pct, ...rest } = p;
    return toJson({ cells_mV, temps_C, current_A, voltage_V, remaining_Ah, full_Ah, design_Ah, cycles, soc_pct, soh_pct, ...rest });
  });
  return { packCount: r.packs.length, packs, broadcast: r.broadcast, infoFlag: r.infoFlag, command: r.command, trailingBytes: r.trailingBytes };
}

function statusData(r: StatusReply): JsonValue {
  const packs = r.packs.map((p: PackStatus) =>
    toJson({
      cellAlarms: p.alarmCodes?.cells ?? [],
      tempAlarms: p.alarmCodes?.temps ?? [],
      chargeCurrentAlarm: p.alarmCodes?.chargeCurrent ?? 0,
      packVoltageAlarm: p.alarmCodes?.packVoltage ?? 0,
      dischargeCurrentAlarm: p.alarmCodes?.dischargeCurrent ?? 0,
      status: p.bytes,
      flags: p.flags.map((f) => f.id),
      balancingCells: p.balancingCells,
      chargeMosOn: p.chargeMosOn,
      dischargeMosOn: p.dischargeMosOn,
      heaterOn: p.heaterOn,
      empty: p.empty,
      extraBytes: p.extraBytes
    })
  );
  return { packCount: r.packs.length, packs, broadcast: r.broadcast, infoFlag: r.infoFlag, command: r.command, trailingBytes: r.trailingBytes };
}

/**
 * A Pylontech group master's COMMAND FF reply carries no addresses; they follow from the master's
 * (0x02 + i + 0x10·group, §10.2), so the decoder shows them.
 */
function withGroupAddresses(
  data: JsonValue,
  reply: { broadcast: boolean; command: number; packs: unknown[] },
  adr: number,
  profile: string
): JsonValue {
  if (profile !== 'pylon' || !reply.broadcast || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  try {
    return { ...data, addresses: modulesOfGroupReply(adr, reply).map((m) => m.address) };
  } catch (e) {
    if (e instanceof DecodeError) return data;
    throw e;
  }
}

function replyData(cid2: number, value: unknown, adr: number, profile: string): JsonValue {
  switch (cid2) {
    case CID2_ANALOG:
      return withGroupAddresses(analogData(value as AnalogReply), value as AnalogReply, adr, profile);
    case CID2_STATUS:
      return withGroupAddresses(statusData(value as StatusReply), value as StatusReply, adr, profile);
    case CID2_SOFTWARE_VERSION: {
      const v = value as SoftwareVersionReply;
      return toJson({ version: v.version, bluetoothName: v.bluetoothName });
    }
    case CID2_PRODUCT_INFO: {
      const v = value as ProductInfoReply;
      return { bmsSerial: v.bmsSerial, packSerial: v.packSerial ?? null };
    }
    case CID2_PACK_COUNT:
    default:
      return toJson(value);
  }
}

function why(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** First candidate whose decoder accepts the INFO. */
function tryEach<T>(cmds: AnyCommand[], f: (c: AnyCommand) => T): { cmd: AnyCommand; value: T } | { error: string } {
  let first: string | null = null;
  for (const cmd of cmds) {
    try {
      return { cmd, value: f(cmd) };
    } catch (e) {
      if (!(e instanceof DecodeError) && !(e instanceof RangeError)) throw e;
      first ??= why(e);
    }
  }
  return { error: first ?? 'no decoder' };
}

function explainRequest(frame: Frame): ExplainResult {
  const cmds = findCommands(frame.code, frame.ver, frame.cid1);
  if (cmds.length === 0) {
    return {
      ok: false,
      error: 'format',
      message: `no request has CID2 ${hex2(frame.code)}H; if this is a reply, pass --cmd with the CID2 of the request it answers`
    };
  }
  const r = tryEach(cmds, (c) => c.decodeRequest(frame.info));
  if ('error' in r)
    return { ok: false, error: 'format', message: `INFO ${bytesToHex(frame.info)} is not a ${hex2(frame.code)}H request: ${r.error}` };
  return { ok: true, ver: frame.ver, adr: frame.adr, cid1: frame.cid1, cid2: frame.code, request: toJson(r.value), command: r.cmd.id };
}

function explainReply(frame: Frame, cmd: number, options: ExplainOptions): ExplainResult {
  if (!isSuccessRtn(frame.code, cmd)) {
    return { ok: false, error: 'rtn', message: rtnMessage(frame.code) };
  }
  const cmds = findCommands(cmd, frame.ver, frame.cid1);
  if (cmds.length === 0)
    return { ok: false, error: 'format', message: `no command with CID2 ${hex2(cmd)}H is known, so its reply cannot be decoded` };
  const profile = pickProfile(options.profile ?? 'auto', detectProfile(frame, cmd));
  const decodeOptions: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...options.decodeOptions, profile };
  const reply = tryEach(cmds, (c) => c.decodeReply(frame.info, { request: undefined, options: decodeOptions }));
  if ('error' in reply) {
    // The request itself coming back from the adapter: its code is the CID2 (which RTN can never
    // be on a real failure) and its INFO is a request, not a reply.
    if (frame.code === cmd && cmd !== 0) {
      const asRequest = tryEach(cmds, (c) => c.decodeRequest(frame.info));
      if (!('error' in asRequest)) {
        return {
          ok: false,
          error: 'echo',
          message: `this is a ${hex2(cmd)}H request, not a reply: the adapter echoed what was sent (or RX and TX are bridged)`
        };
      }
    }
    return { ok: false, error: 'format', message: `INFO (${frame.info.length} bytes) is not a ${hex2(cmd)}H reply: ${reply.error}` };
  }
  return {
    ok: true,
    ver: frame.ver,
    adr: frame.adr,
    cid1: frame.cid1,
    rtn: frame.code,
    data: replyData(cmd, reply.value, frame.adr, profile),
    command: reply.cmd.id,
    profile
  };
}

/** Decode one frame of text ('~' and CR optional, either hex case). */
export function explainFrame(text: string, options: ExplainOptions = {}): ExplainResult {
  const ev = parseFrameText(text);
  if (ev.type === 'error') return { ok: false, error: READER_KIND[ev.kind], message: ev.message };
  if (options.cmd === undefined) return explainRequest(ev.frame);
  return explainReply(ev.frame, options.cmd, options);
}

// Device control (the vendor tool's "Device control" screen) on the write path: charge and
// discharge MOSFET, buzzer, LED alarm, charge current limiter and its gear, passive and active
// balancing, shutdown, heater, and the inverter protocols (CAN and RS485) by name. Each control's
// current state is read from the pack (44H status bytes, 6BH, EBH); each change is confirmed by
// reading that state again.
//
// What the protocol does not allow is said, not hidden: the heating film has no documented
// command (the BMS runs it itself), and passive ("static") balancing can be switched (99H 02/03)
// but no status byte reports it, so a change to it is "unverified", never "written".

import { readActiveBalancing, setActiveBalancing } from '../protocol/commands/active-balance';
import { controlSwitch, decodeControlStatus, setChargeMos, setDischargeMos, shutdown, type ControlSwitch } from '../protocol/commands/control';
import { readProductInfo } from '../protocol/commands/info';
import {
  CAN_PROTOCOLS,
  RS485_PROTOCOLS,
  readInverterProtocols,
  setInverterProtocols,
  type InverterProtocols,
  type ProtocolEntry
} from '../protocol/commands/inverter';
import { readStatus } from '../protocol/commands/status';
import type { AnyCommand } from '../protocol/command';
import type { DecodeOptions, PackStatus } from '../protocol/types';
import { realClock, sleep, type Clock } from '../time/clock';
import { ask, type PackRef, type ParamBus } from './bus';
import type { ParamValue } from './model';
import type { Violation } from './rules';
import type { Verification, WriteOperation, WritePath, WriteReport, WriteStep } from './write-path';

export type ControlId =
  | 'chargeMos'
  | 'dischargeMos'
  | 'buzzer'
  | 'ledAlarm'
  | 'chargeLimiter'
  | 'limitGear'
  | 'staticBalancing'
  | 'activeBalancing'
  | 'heater'
  | 'shutdown'
  | 'canProtocol'
  | 'rs485Protocol'
  | 'protocolMode';

export interface ControlOption {
  value: string;
  label: string;
}

export interface ControlState {
  id: ControlId;
  label: string;
  /** switch: on/off; choice: one of options; action: a one-way command (shutdown). */
  kind: 'switch' | 'choice' | 'action';
  /** The pack's state now; null when it cannot be read. */
  value: boolean | string | null;
  /** Where the value comes from ("44H control status bit 0"), for the curious and for support. */
  source: string;
  options?: ControlOption[];
  writable: boolean;
  /** Why it cannot be read or written, in words. */
  note?: string;
  /** The same note as a message key (messages/params), when it is one of the fixed notes. */
  noteKey?: string;
}

export interface ControlsRead {
  address: number;
  controls: ControlState[];
  /** The pack's 44H block (null when it did not answer). */
  status: PackStatus | null;
  /** What could not be read, in words. */
  problems: string[];
}

const SWITCHES: Record<'buzzer' | 'ledAlarm' | 'chargeLimiter' | 'staticBalancing', [on: ControlSwitch, off: ControlSwitch]> = {
  buzzer: ['buzzerOn', 'buzzerOff'],
  ledAlarm: ['ledAlarmOn', 'ledAlarmOff'],
  chargeLimiter: ['chargeLimiterOn', 'chargeLimiterOff'],
  staticBalancing: ['staticBalancingOn', 'staticBalancingOff']
};

const LABELS: Record<ControlId, string> = {
  chargeMos: 'Charge MOSFET',
  dischargeMos: 'Discharge MOSFET',
  buzzer: 'Buzzer alarm',
  ledAlarm: 'LED alarm',
  chargeLimiter: 'Charge current limiter',
  limitGear: 'Current limiter gear',
  staticBalancing: 'Passive balancing',
  activeBalancing: 'Active balancing',
  heater: 'Heating film',
  shutdown: 'Shut down',
  canProtocol: 'CAN inverter protocol',
  rs485Protocol: 'RS485 inverter protocol',
  protocolMode: 'Inverter protocol detection'
};

const protocolOptions = (table: readonly ProtocolEntry[]): ControlOption[] =>
  table.map((p) => ({ value: p.name, label: p.brands ? `${p.name} (${p.brands})` : p.name }));

const HEATER_NOTE =
  'The protocol has no command to switch the heating film: the BMS runs it by itself when the cells are cold and a charger is connected. Its state is shown as the pack reports it.';
const STATIC_BALANCING_NOTE =
  'The pack accepts on/off for passive balancing (99H) but reports its state nowhere, so a change is acknowledged, not confirmed.';

/** Message keys of the RTN 09 explanations (messages/params). */
export const MOS_REFUSAL_KEYS = { charge: 'params_control_mos_refused_charge', discharge: 'params_control_mos_refused_discharge' } as const;

/** Words for RTN 09 on a MOSFET switch (reference §7.2). */
export function mosRefusal(which: 'charge' | 'discharge'): string {
  const other = which === 'charge' ? 'discharge' : 'charge';
  const flowing = which === 'charge' ? 'discharging' : 'charging';
  return (
    `The BMS refused (RTN 09): it will not switch the ${which} MOSFET off while the ${other} MOSFET is forced off, ` +
    `or while the pack is ${flowing} (the current would have to pass the switched-off MOSFET). ` +
    `Switch the ${other} MOSFET back on, or stop the ${flowing === 'charging' ? 'charger' : 'load'}, then try again. Both can never be off at once.`
  );
}

function nameOf(table: readonly ProtocolEntry[], id: number | null): string | null {
  if (id === null) return null;
  return table.find((p) => p.id === id)?.name ?? `id ${id}`;
}

/** Read every control's state from one pack. */
export async function readControls(bus: ParamBus, adr: number, decodeOptions: DecodeOptions): Promise<ControlsRead> {
  const problems: string[] = [];
  const s = await ask(bus, readStatus, adr, { command: adr });
  const status = s.ok && s.value.packs[0] && !s.value.packs[0].empty ? s.value.packs[0] : null;
  if (!s.ok) problems.push(`Status (44H): ${s.message}`);
  const control = status ? decodeControlStatus(status.bytes.control ?? 0, decodeOptions) : null;
  const indication = status?.bytes.indication;

  const ab = await ask(bus, readActiveBalancing, adr, undefined);
  if (!ab.ok && ab.kind !== 'unsupported') problems.push(`Active balancing (6BH): ${ab.message}`);
  const inv = await ask(bus, readInverterProtocols, adr, undefined);
  if (!inv.ok && inv.kind !== 'unsupported') problems.push(`Inverter protocols (EBH): ${inv.message}`);

  const sw = (id: ControlId, value: boolean | null, source: string): ControlState => ({
    id,
    label: LABELS[id],
    kind: 'switch',
    value,
    source,
    writable: true
  });
  const controls: ControlState[] = [
    sw('chargeMos', status ? status.chargeMosOn : null, '44H indication status bit 1 (CFET on)'),
    sw('dischargeMos', status ? status.dischargeMosOn : null, '44H indication status bit 2 (DFET on)'),
    sw('buzzer', control ? control.buzzerEnabled : null, '44H control status bit 0'),
    sw('ledAlarm', control ? control.ledAlarmEnabled : null, '44H control status bit 5 (set = disabled)'),
    sw('chargeLimiter', control ? control.chargeLimiterEnabled : null, '44H control status bit 4 (set = disabled)'),
    {
      id: 'limitGear',
      label: LABELS.limitGear,
      kind: 'choice',
      value: control ? control.limitGear : null,
      source: '44H control status bit 3 (set = low gear)',
      options: [
        { value: 'high', label: 'High' },
        { value: 'low', label: 'Low' }
      ],
      writable: true
    },
    { ...sw('staticBalancing', null, 'not reported by the pack'), note: STATIC_BALANCING_NOTE, noteKey: 'params_control_static_balancing_note' },
    ab.ok
      ? sw('activeBalancing', ab.value.enabled, '6BH')
      : {
          ...sw('activeBalancing', null, '6BH'),
          writable: false,
          note: ab.kind === 'unsupported' ? 'This pack has no active balancer (it answers 6BH with RTN 04).' : ab.message
        },
    {
      id: 'heater',
      label: LABELS.heater,
      kind: 'switch',
      value: status ? status.heaterOn : null,
      source: '44H indication status bit 7',
      writable: false,
      note: HEATER_NOTE,
      noteKey: 'params_control_heater_note'
    },
    {
      id: 'shutdown',
      label: LABELS.shutdown,
      kind: 'action',
      value: indication === undefined ? null : (indication & 0x40) !== 0,
      source: '44H indication status bit 6',
      writable: true,
      note: 'The pack switches off a few seconds later and stays off until it is switched on at the pack. With current flowing it restarts instead.',
      noteKey: 'params_control_shutdown_note'
    },
    ...inverterControls(
      inv.ok ? inv.value : null,
      inv.ok ? undefined : inv.kind === 'unsupported' ? 'This pack does not report inverter protocols (RTN 04).' : inv.message
    )
  ];
  return { address: adr, controls, status, problems };
}

function inverterControls(p: InverterProtocols | null, note: string | undefined): ControlState[] {
  const base = (id: ControlId, value: string | null, options: ControlOption[]): ControlState => ({
    id,
    label: LABELS[id],
    kind: 'choice',
    value,
    source: 'EBH',
    options,
    writable: p !== null,
    ...(note ? { note } : {})
  });
  return [
    base('canProtocol', p ? nameOf(CAN_PROTOCOLS, p.can) : null, protocolOptions(CAN_PROTOCOLS)),
    base('rs485Protocol', p ? nameOf(RS485_PROTOCOLS, p.rs485) : null, protocolOptions(RS485_PROTOCOLS)),
    base('protocolMode', p?.mode ?? null, [
      { value: 'automatic', label: 'Automatic (the pack detects the inverter)' },
      { value: 'manual', label: 'Manual (the protocols above)' }
    ])
  ];
}

function controlValues(r: ControlsRead): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const c of r.controls) if (c.value !== null) out[`control.${c.id}`] = c.value;
  return out;
}

function fmt(v: ParamValue | null): string {
  return v === null ? 'unknown' : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
}

/** Check that a read of the controls shows `id` at `want`. */
function verifyState(id: ControlId, want: boolean | string, decodeOptions: DecodeOptions): (bus: ParamBus, adr: number) => Promise<Verification> {
  return async (bus, adr) => {
    const r = await readControls(bus, adr, decodeOptions);
    const got = r.controls.find((c) => c.id === id)?.value ?? null;
    if (got === null) return { kind: 'unreadable', message: r.problems.join(' ') || 'the state was not reported', lost: r.status === null };
    const readBack = { [`control.${id}`]: got };
    if (got === want) return { kind: 'match', readBack };
    let why = '';
    if ((id === 'chargeMos' || id === 'dischargeMos') && want === true && r.status) {
      const protections = r.status.flags.filter((f) => f.severity === 'protection').map((f) => f.label);
      if (protections.length > 0) why = ` A protection keeps it open: ${protections.join(', ')}.`;
    }
    return { kind: 'mismatch', readBack, message: `${LABELS[id]} reads ${fmt(got)}, ${fmt(want)} was asked.${why}` };
  };
}

/** Waiting for the hibernate timer before checking that the pack went quiet (ms). */
export const SHUTDOWN_CHECK_MS = 10_000;

interface Planned {
  command: AnyCommand;
  request: unknown;
  verify: WriteStep['verify'];
  retries?: number;
  refusal?: (rtn: number | undefined, message: string) => string;
}

function plan(id: ControlId, value: boolean | string, current: ControlsRead | null, decodeOptions: DecodeOptions, clock: Clock): Planned | string {
  const state = current?.controls.find((c) => c.id === id);
  if (state && !state.writable) return state.note ?? `${LABELS[id]} cannot be changed on this pack.`;
  switch (id) {
    case 'heater':
      return HEATER_NOTE;
    case 'chargeMos':
    case 'dischargeMos': {
      if (typeof value !== 'boolean') return `${LABELS[id]} is on or off.`;
      const which = id === 'chargeMos' ? 'charge' : 'discharge';
      return {
        command: id === 'chargeMos' ? setChargeMos : setDischargeMos,
        request: { on: value },
        verify: verifyState(id, value, decodeOptions),
        refusal: (rtn, message) => (rtn === 0x09 ? mosRefusal(which) : message)
      };
    }
    case 'buzzer':
    case 'ledAlarm':
    case 'chargeLimiter':
    case 'staticBalancing': {
      if (typeof value !== 'boolean') return `${LABELS[id]} is on or off.`;
      const [on, off] = SWITCHES[id];
      return {
        command: controlSwitch,
        request: { action: value ? on : off },
        verify:
          id === 'staticBalancing'
            ? async () => ({ kind: 'no-read-back', message: 'the pack reports no state for passive balancing.' })
            : verifyState(id, value, decodeOptions)
      };
    }
    case 'limitGear':
      if (value !== 'high' && value !== 'low') return 'The limiter gear is high or low.';
      return {
        command: controlSwitch,
        request: { action: value === 'high' ? 'limitGearHigh' : 'limitGearLow' },
        verify: verifyState(id, value, decodeOptions)
      };
    case 'activeBalancing':
      if (typeof value !== 'boolean') return `${LABELS[id]} is on or off.`;
      return { command: setActiveBalancing, request: { enabled: value }, verify: verifyState(id, value, decodeOptions) };
    case 'shutdown':
      if (value !== true) return 'Shut down is an action: send true to shut the pack down.';
      return {
        command: shutdown,
        request: undefined,
        retries: 0,
        // Confirmed when the pack has gone quiet after its hibernate timer; if it still answers,
        // it restarted instead (current was flowing).
        verify: async (bus, adr) => {
          await sleep(clock, SHUTDOWN_CHECK_MS);
          const r = await ask(bus, readProductInfo, adr, {}, { retries: 1 });
          if (!r.ok && r.kind === 'timeout') return { kind: 'match', readBack: { 'control.shutdown': true } };
          if (r.ok)
            return {
              kind: 'mismatch',
              readBack: { 'control.shutdown': false },
              message: 'The pack still answers: it restarts instead of shutting down while current flows. Stop the charger and loads and try again.'
            };
          return { kind: 'unreadable', message: r.message, lost: r.kind === 'transport' };
        }
      };
    case 'canProtocol':
    case 'rs485Protocol': {
      const table = id === 'canProtocol' ? CAN_PROTOCOLS : RS485_PROTOCOLS;
      const entry = table.find((p) => p.name === value);
      if (!entry) return `${String(value)} is not a ${id === 'canProtocol' ? 'CAN' : 'RS485'} protocol this pack's list knows.`;
      const request: InverterProtocols =
        id === 'canProtocol' ? { can: entry.id, rs485: null, mode: 'manual' } : { can: null, rs485: entry.id, mode: 'manual' };
      return { command: setInverterProtocols, request, verify: verifyState(id, entry.name, decodeOptions) };
    }
    case 'protocolMode':
      if (value !== 'automatic' && value !== 'manual') return 'Inverter protocol detection is automatic or manual.';
      return { command: setInverterProtocols, request: { can: null, rs485: null, mode: value }, verify: verifyState(id, value, decodeOptions) };
  }
}

/** Change one control of one pack through the write path. */
export function setControl(
  path: WritePath,
  pack: PackRef,
  id: ControlId,
  value: boolean | string,
  o: { decodeOptions: DecodeOptions; clock?: Clock; signal?: AbortSignal }
): Promise<WriteReport> {
  const clock = o.clock ?? realClock;
  let current: ControlsRead | null = null;
  const early = plan(id, value, null, o.decodeOptions, clock);
  const violation = (message: string): Violation => ({ rule: 'control', kind: 'relation', params: [`control.${id}`], message });
  const op: WriteOperation = {
    kind: 'control',
    pack,
    title: `${LABELS[id]}: ${fmt(value)}`,
    violations: typeof early === 'string' ? [violation(early)] : [],
    snapshot: async (bus, adr) => {
      current = await readControls(bus, adr, o.decodeOptions);
      if (current.status === null) return { ok: false, kind: 'timeout', message: current.problems.join(' ') };
      return { ok: true, values: controlValues(current), groups: [] };
    },
    plan: () => {
      const p = plan(id, value, current, o.decodeOptions, clock);
      if (typeof p === 'string') return { steps: [], violations: [violation(p)] };
      const from = current?.controls.find((c) => c.id === id)?.value ?? null;
      if (from === value && id !== 'shutdown' && id !== 'staticBalancing') return { steps: [] };
      return {
        steps: [
          {
            what: `${LABELS[id]} (${p.command.cid2.toString(16).toUpperCase()}H)`,
            command: p.command,
            request: p.request,
            changes: [{ key: `control.${id}`, label: LABELS[id], from, to: value, format: fmt }],
            verify: p.verify,
            ...(p.retries !== undefined ? { retries: p.retries } : {}),
            ...(p.refusal ? { explainRefusal: p.refusal } : {})
          }
        ]
      };
    }
  };
  return path.run(op, { signal: o.signal });
}

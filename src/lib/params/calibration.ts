// Calibration on the write path: pack voltage (ADH), current zero (AAH), charge and discharge
// current (ACH/ABH), remaining/full/design capacity and SOC (A7H), cycle count (BDH) and the
// clock from the computer's time (B2H). Each has steps in plain words (message keys in
// messages/params), a plausibility check against the pack's own reading before anything is sent
// (the reading taken fresh inside the lease, so the check and the write see the same pack), and
// the readings before and after.
//
// The UNCERTAIN encodings (AAH key 4321 decimal or 0x4321, current and voltage units) come from
// CalibrationOptions, so a real pack's answer can switch them without touching this module.

import { readAnalog } from '../protocol/commands/analog';
import { createCalibrationCommands, type CalibrationOptions } from '../protocol/commands/calibration';
import { readCapacities, setCapacities, setCycleCount } from '../protocol/commands/capacity';
import { bmsDateTimeFromDate, bmsDateTimeToDate, formatBmsDateTime, readDateTime, setDateTime } from '../protocol/commands/datetime';
import type { AnyCommand } from '../protocol/command';
import { realClock, sleep, type Clock } from '../time/clock';
import { ask, type PackRef, type ParamBus } from './bus';
import type { ParamValue } from './model';
import { parseParamDateTime } from './values';
import type { Violation } from './rules';
import {
  AFTER_CURRENT,
  AFTER_CURRENT_MIN_A,
  AFTER_VOLTAGE_V,
  plausibility,
  SETTLE_MS,
  type CalibrationId,
  type CalibrationInput,
  type CalibrationReadings,
  type PlausibilityProblem
} from './calibration-checks';
import type { PlannedChange, Verification, WriteOperation, WritePath, WriteReport, WriteStep } from './write-path';

export type { CalibrationId, CalibrationInput, CalibrationReadings, PlausibilityProblem } from './calibration-checks';
export { plausibility } from './calibration-checks';

const round = (v: number, d: number) => Number(v.toFixed(d));

export interface CalibrationInfo {
  id: CalibrationId;
  title: string;
  /** Message keys (messages/params) of the steps, in order. */
  steps: string[];
}

/** Every calibration, with its steps (keys into messages/params/{en,zh-CN}.json). */
export const CALIBRATIONS: readonly CalibrationInfo[] = [
  { id: 'packVoltage', title: 'Pack voltage', steps: ['params_cal_voltage_1', 'params_cal_voltage_2', 'params_cal_voltage_3'] },
  { id: 'currentZero', title: 'Current zero point', steps: ['params_cal_zero_1', 'params_cal_zero_2', 'params_cal_zero_3'] },
  { id: 'chargeCurrent', title: 'Charge current', steps: ['params_cal_charge_1', 'params_cal_charge_2', 'params_cal_charge_3'] },
  { id: 'dischargeCurrent', title: 'Discharge current', steps: ['params_cal_discharge_1', 'params_cal_discharge_2', 'params_cal_discharge_3'] },
  { id: 'capacity', title: 'Capacities', steps: ['params_cal_capacity_1', 'params_cal_capacity_2'] },
  { id: 'soc', title: 'State of charge', steps: ['params_cal_soc_1', 'params_cal_soc_2'] },
  { id: 'cycles', title: 'Cycle count', steps: ['params_cal_cycles_1', 'params_cal_cycles_2'] },
  { id: 'clock', title: 'Clock', steps: ['params_cal_clock_1'] }
];

async function readReadings(
  bus: ParamBus,
  adr: number,
  withClock: boolean
): Promise<{ ok: true; r: CalibrationReadings } | { ok: false; message: string; lost: boolean }> {
  const a = await ask(bus, readAnalog, adr, { command: adr });
  if (!a.ok) return { ok: false, message: a.message, lost: a.kind === 'timeout' || a.kind === 'transport' };
  const pack = a.value.packs[0];
  if (!pack || pack.empty) return { ok: false, message: 'The pack returned an empty analog block.', lost: false };
  const r: CalibrationReadings = {
    voltage_V: pack.voltage_V,
    current_A: pack.current_A,
    remaining_Ah: pack.remaining_Ah,
    full_Ah: pack.full_Ah,
    design_Ah: pack.design_Ah,
    soc_pct: pack.full_Ah > 0 ? round((pack.remaining_Ah / pack.full_Ah) * 100, 1) : null,
    cycles: pack.cycles
  };
  if (withClock) {
    const c = await ask(bus, readDateTime, adr, undefined);
    if (!c.ok) return { ok: false, message: c.message, lost: c.kind === 'timeout' || c.kind === 'transport' };
    r.clock = formatBmsDateTime(c.value);
  }
  return { ok: true, r };
}

function readingValues(r: CalibrationReadings): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(r)) if (v !== null && v !== undefined) out[`reading.${k}`] = v as ParamValue;
  return out;
}

function readingsFrom(values: Record<string, ParamValue>): CalibrationReadings {
  const get = (k: string) => values[`reading.${k}`];
  return {
    voltage_V: get('voltage_V') as number,
    current_A: get('current_A') as number,
    remaining_Ah: get('remaining_Ah') as number,
    full_Ah: get('full_Ah') as number,
    design_Ah: get('design_Ah') as number,
    soc_pct: (get('soc_pct') as number | undefined) ?? null,
    cycles: get('cycles') as number,
    ...(get('clock') !== undefined ? { clock: get('clock') as string } : {})
  };
}

interface Built {
  command: AnyCommand;
  request: unknown;
  changes(before: CalibrationReadings): PlannedChange[];
  /** Compare the readings after with what was asked; null = fine, else why not. */
  check(after: CalibrationReadings, sent_ms: number): string | null;
  retries?: number;
}

function build(input: CalibrationInput, options: Partial<CalibrationOptions>, now_ms: () => number): Built {
  const cal = createCalibrationCommands(options);
  const unit = (u: string) => (v: ParamValue | null) => (v === null ? '—' : `${v} ${u}`);
  switch (input.id) {
    case 'packVoltage':
      return {
        command: cal.calibrateTotalVoltage,
        request: { voltage_mV: Math.round(input.measured_V * 1000) },
        changes: (b) => [{ key: 'reading.voltage_V', label: 'Pack voltage reading', from: b.voltage_V, to: input.measured_V, format: unit('V') }],
        check: (a) =>
          Math.abs(a.voltage_V - input.measured_V) <= AFTER_VOLTAGE_V
            ? null
            : `The pack now reads ${a.voltage_V} V; the meter read ${input.measured_V} V.`
      };
    case 'currentZero':
      return {
        command: cal.calibrateZeroCurrent,
        request: {},
        // The zero point is relative to whatever flows now: a repeat at another moment is another calibration.
        retries: 0,
        changes: (b) => [{ key: 'reading.current_A', label: 'Current reading at rest', from: b.current_A, to: 0, format: unit('A') }],
        check: (a) => (Math.abs(a.current_A) <= AFTER_CURRENT_MIN_A ? null : `The pack still reads ${a.current_A} A with no current flowing.`)
      };
    case 'chargeCurrent':
    case 'dischargeCurrent': {
      const charge = input.id === 'chargeCurrent';
      const sign = charge ? 1 : -1;
      return {
        command: charge ? cal.calibrateChargeCurrent : cal.calibrateDischargeCurrent,
        request: { current_A: input.measured_A },
        retries: 0,
        changes: (b) => [
          {
            key: 'reading.current_A',
            label: `${charge ? 'Charge' : 'Discharge'} current reading`,
            from: b.current_A,
            to: sign * input.measured_A,
            format: unit('A')
          }
        ],
        check: (a) => {
          const off = Math.abs(a.current_A - sign * input.measured_A);
          return off <= Math.max(AFTER_CURRENT_MIN_A, AFTER_CURRENT * input.measured_A)
            ? null
            : `The pack now reads ${a.current_A} A; the clamp meter read ${sign * input.measured_A} A.`;
        }
      };
    }
    case 'capacity':
      return {
        command: setCapacities,
        request: { remaining_Ah: input.remaining_Ah, full_Ah: input.full_Ah, design_Ah: input.design_Ah },
        changes: (b) => [
          { key: 'reading.remaining_Ah', label: 'Remaining capacity', from: b.remaining_Ah, to: input.remaining_Ah, format: unit('Ah') },
          { key: 'reading.full_Ah', label: 'Full-charge capacity', from: b.full_Ah, to: input.full_Ah, format: unit('Ah') },
          { key: 'reading.design_Ah', label: 'Design capacity', from: b.design_Ah, to: input.design_Ah, format: unit('Ah') }
        ],
        check: (a) => {
          // Remaining moves with any current flowing; full and design must be exact.
          const ok =
            round(a.full_Ah, 2) === round(input.full_Ah, 2) &&
            a.design_Ah !== null &&
            round(a.design_Ah, 2) === round(input.design_Ah, 2) &&
            Math.abs(a.remaining_Ah - input.remaining_Ah) <= 0.5;
          return ok ? null : `The pack now reports ${a.remaining_Ah} / ${a.full_Ah} / ${a.design_Ah} Ah.`;
        }
      };
    case 'soc':
      // A7H is the only way to move the SOC: remaining = SOC × full, full and design unchanged.
      return {
        command: setCapacities,
        request: null,
        changes: (b) => [{ key: 'reading.soc_pct', label: 'State of charge', from: b.soc_pct, to: input.soc_pct, format: unit('%') }],
        check: (a) => (a.soc_pct !== null && Math.abs(a.soc_pct - input.soc_pct) <= 0.5 ? null : `The pack now reports ${a.soc_pct ?? '—'} %.`)
      };
    case 'cycles':
      return {
        command: setCycleCount,
        request: { cycles: input.cycles },
        changes: (b) => [{ key: 'reading.cycles', label: 'Cycle count', from: b.cycles, to: input.cycles }],
        check: (a) => (a.cycles === input.cycles ? null : `The pack now reports ${a.cycles} cycles.`)
      };
    case 'clock': {
      const sent = bmsDateTimeFromDate(input.now);
      return {
        command: setDateTime,
        request: sent,
        changes: (b) => [{ key: 'reading.clock', label: 'Pack clock', from: b.clock ?? null, to: formatBmsDateTime(sent) }],
        check: (a, sent_ms) => {
          if (!a.clock) return 'The pack clock could not be read back.';
          const t = parseParamDateTime(a.clock);
          if (!t) return `The pack clock reads ${a.clock}.`;
          const got = bmsDateTimeToDate(t).getTime();
          // The pack's clock has run on since it was set; allow that plus two seconds.
          const elapsed = now_ms() - sent_ms;
          const want = input.now.getTime() + elapsed;
          return Math.abs(got - want) <= 2000 + 1000 ? null : `The pack clock reads ${a.clock}.`;
        }
      };
    }
  }
}

export interface CalibrationResult {
  report: WriteReport;
  /** Readings in the snapshot, taken just before sending (null when nothing could be read). */
  before: CalibrationReadings | null;
  /** Readings after, from the read-back (null when not read). */
  after: CalibrationReadings | null;
  /** Non-blocking warnings the user accepted by sending. */
  warnings: PlausibilityProblem[];
}

function violationsOf(problems: readonly PlausibilityProblem[]): Violation[] {
  return problems.filter((x) => x.blocking).map((x) => ({ rule: 'plausibility', kind: 'relation', params: [x.field], message: x.message }));
}

/**
 * Calibrate one pack. `latest` is what the page shows (telemetry); the check is repeated on the
 * fresh reading inside the lease before anything is sent.
 */
export async function calibrate(
  path: WritePath,
  pack: PackRef,
  input: CalibrationInput,
  o: {
    /** What the page shows now (telemetry), for the check before the bus is taken. */
    latest?: CalibrationReadings | null;
    /** The UNCERTAIN encodings; default the documented reading. */
    options?: Partial<CalibrationOptions>;
    clock?: Clock;
    /** Wait before the reading after (voltage and current items). Default SETTLE_MS. */
    settle_ms?: number;
  } = {}
): Promise<CalibrationResult> {
  const clock = o.clock ?? realClock;
  const clockNow = () => clock.now();
  const measured = input.id === 'packVoltage' || input.id === 'currentZero' || input.id === 'chargeCurrent' || input.id === 'dischargeCurrent';
  const settle_ms = measured ? (o.settle_ms ?? SETTLE_MS) : 0;
  const info = CALIBRATIONS.find((c) => c.id === input.id)!;
  const built = build(input, o.options ?? {}, clockNow);
  let before: CalibrationReadings | null = null;
  let after: CalibrationReadings | null = null;
  let sent_ms = 0;
  const early = o.latest === undefined ? [] : plausibility(input, o.latest);
  const op: WriteOperation = {
    kind: input.id === 'clock' ? 'clock' : 'calibration',
    pack,
    title: `Calibrate: ${info.title}`,
    violations: violationsOf(early),
    snapshot: async (bus, adr) => {
      const r = await readReadings(bus, adr, input.id === 'clock');
      if (!r.ok) return { ok: false, kind: r.lost ? 'timeout' : 'decode', message: r.message };
      before = r.r;
      // The SOC item needs the capacities as A6H reports them (42H rounds nothing, but A6H is what A7H writes).
      if (input.id === 'soc' || input.id === 'capacity') {
        const c = await ask(bus, readCapacities, adr, undefined);
        if (!c.ok) return { ok: false, kind: c.kind, message: c.message };
        before = { ...before, remaining_Ah: c.value.remaining_Ah, full_Ah: c.value.full_Ah, design_Ah: c.value.design_Ah };
      }
      return { ok: true, values: readingValues(before), groups: [] };
    },
    plan: ({ values }) => {
      const fresh = readingsFrom(values);
      const violations = violationsOf(plausibility(input, fresh));
      let request = built.request;
      if (input.id === 'soc') {
        request = { remaining_Ah: round((input.soc_pct / 100) * fresh.full_Ah, 2), full_Ah: fresh.full_Ah, design_Ah: fresh.design_Ah };
      }
      try {
        built.command.encodeRequest(request);
      } catch (e) {
        violations.push({ rule: 'range', kind: 'range', params: [input.id], message: (e as Error).message });
      }
      if (violations.length > 0) return { steps: [], violations };
      const step: WriteStep = {
        what: `${info.title} (${built.command.cid2.toString(16).toUpperCase()}H)`,
        command: built.command,
        request,
        changes: built.changes(fresh),
        ...(built.retries !== undefined ? { retries: built.retries } : {}),
        explainRefusal: (rtn, message) =>
          rtn === 0x09
            ? 'The BMS refused the calibration (RTN 09): it needs the condition of the step (current flowing, or none) at the moment it receives the value.'
            : message,
        verify: async (bus, adr): Promise<Verification> => {
          if (settle_ms > 0) await sleep(clock, settle_ms);
          const r = await readReadings(bus, adr, input.id === 'clock');
          if (!r.ok) return { kind: 'unreadable', message: r.message, lost: r.lost };
          after = r.r;
          if (input.id === 'soc' || input.id === 'capacity') {
            const c = await ask(bus, readCapacities, adr, undefined);
            if (!c.ok) return { kind: 'unreadable', message: c.message, lost: c.kind === 'timeout' || c.kind === 'transport' };
            after = {
              ...after,
              remaining_Ah: c.value.remaining_Ah,
              full_Ah: c.value.full_Ah,
              design_Ah: c.value.design_Ah,
              soc_pct: c.value.full_Ah > 0 ? round((c.value.remaining_Ah / c.value.full_Ah) * 100, 1) : null
            };
          }
          const readBack = Object.fromEntries(Object.entries(readingValues(after)).map(([k, v]) => [k, v])) as Record<string, ParamValue | null>;
          const wrong = built.check(after, sent_ms);
          return wrong === null ? { kind: 'match', readBack } : { kind: 'mismatch', readBack, message: wrong };
        }
      };
      sent_ms = clockNow();
      return { steps: [step] };
    }
  };
  const report = await path.run(op);
  const warnings = [...early, ...(before ? plausibility(input, before) : [])].filter((x) => !x.blocking);
  return { report, before, after, warnings: dedupe(warnings) };
}

function dedupe(p: PlausibilityProblem[]): PlausibilityProblem[] {
  const seen = new Set<string>();
  return p.filter((x) => (seen.has(x.message) ? false : (seen.add(x.message), true)));
}

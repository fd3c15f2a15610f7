// The check before a calibration is sent: does the reference the user entered agree with what the
// pack reads now (a meter on the wrong terminals, a clamp around the wrong cable, current flowing
// during a zero-point calibration)? Blocking problems refuse the calibration; warnings (a cycle
// count lowered) are shown and accepted by sending.

export type CalibrationId = 'packVoltage' | 'currentZero' | 'chargeCurrent' | 'dischargeCurrent' | 'capacity' | 'soc' | 'cycles' | 'clock';

export type CalibrationInput =
  | { id: 'packVoltage'; measured_V: number }
  | { id: 'currentZero' }
  | { id: 'chargeCurrent'; measured_A: number }
  | { id: 'dischargeCurrent'; measured_A: number }
  | { id: 'capacity'; remaining_Ah: number; full_Ah: number; design_Ah: number }
  | { id: 'soc'; soc_pct: number }
  | { id: 'cycles'; cycles: number }
  /** The computer's time when the user pressed the button. */
  | { id: 'clock'; now: Date };

/** What the pack reports, before and after. */
export interface CalibrationReadings {
  voltage_V: number;
  /** + charging, − discharging. */
  current_A: number;
  remaining_Ah: number;
  full_Ah: number;
  /** null when the reply does not carry it (some VER 20 layouts). */
  design_Ah: number | null;
  /** remaining / full as the pack counts it. */
  soc_pct: number | null;
  cycles: number;
  /** The pack clock, for the clock item. */
  clock?: string;
}

/** A reference reading must agree with the pack's own within this much (fraction) to be sent. */
export const PLAUSIBLE_VOLTAGE = 0.05;
/** Current shunts drift more than voltage dividers, so the window is wider. */
export const PLAUSIBLE_CURRENT = 0.1;
/** Below this the pack counts as idle for the zero point (A). */
export const ZERO_CURRENT_MAX_A = 1;
/** How close the pack's reading must come to the reference after calibration. */
export const AFTER_VOLTAGE_V = 0.1;
export const AFTER_CURRENT = 0.03;
export const AFTER_CURRENT_MIN_A = 0.2;
/**
 * Wait before reading the result of a voltage or current calibration: the BMS measures in cycles
 * (about a second on PACE boards), and a reading taken at once may predate the new calibration.
 */
export const SETTLE_MS = 2000;

/** What a problem is, for the page to word in the user's language (messages params_cal_problem_<code>). */
export type PlausibilityCode =
  | 'nan'
  | 'no_reading'
  | 'voltage_apart'
  | 'current_flowing'
  | 'clamp_positive'
  | 'not_charging'
  | 'not_discharging'
  | 'current_apart'
  | 'remaining_over_full'
  | 'full_over_design'
  | 'design_min'
  | 'soc_range'
  | 'no_full'
  | 'cycles_range'
  | 'cycles_lowered'
  | 'clock_range';

export interface PlausibilityProblem {
  field: string;
  code: PlausibilityCode;
  /** The numbers the message names, already rounded. */
  values: Record<string, number>;
  /** The same in English, for logs and tests. */
  message: string;
  /** False for a warning the user may accept (a cycle count lowered). */
  blocking: boolean;
}

const round = (v: number, d: number) => Number(v.toFixed(d));

/** What is wrong with sending this, given what the pack reads now. */
export function plausibility(input: CalibrationInput, r: CalibrationReadings | null): PlausibilityProblem[] {
  const p: PlausibilityProblem[] = [];
  const block = (field: string, code: PlausibilityCode, message: string, values: Record<string, number> = {}) =>
    p.push({ field, code, values, message, blocking: true });
  const finite = (field: string, v: number) => (Number.isFinite(v) ? true : (block(field, 'nan', 'Enter a number.'), false));
  if (input.id !== 'clock' && input.id !== 'capacity' && input.id !== 'cycles' && input.id !== 'soc' && r === null) {
    block('pack', 'no_reading', 'The pack has no reading yet to compare with; read it first.');
    return p;
  }
  switch (input.id) {
    case 'packVoltage': {
      if (!finite('measured_V', input.measured_V)) break;
      const off = Math.abs(input.measured_V - r!.voltage_V) / r!.voltage_V;
      if (off > PLAUSIBLE_VOLTAGE)
        block(
          'measured_V',
          'voltage_apart',
          `The meter reads ${input.measured_V} V but the pack reads ${round(r!.voltage_V, 3)} V, ${round(off * 100, 1)} % apart (at most ${PLAUSIBLE_VOLTAGE * 100} %). Check that the meter is on the pack's terminals and on the DC volts range.`,
          { measured: input.measured_V, pack: round(r!.voltage_V, 3), apart: round(off * 100, 1), max: PLAUSIBLE_VOLTAGE * 100 }
        );
      break;
    }
    case 'currentZero':
      if (Math.abs(r!.current_A) > ZERO_CURRENT_MAX_A)
        block(
          'current',
          'current_flowing',
          `${round(r!.current_A, 2)} A is flowing. The zero point is taken with no current: switch off the charger and the loads (or open the breaker) first.`,
          { current: round(r!.current_A, 2) }
        );
      break;
    case 'chargeCurrent':
    case 'dischargeCurrent': {
      if (!finite('measured_A', input.measured_A)) break;
      const charging = input.id === 'chargeCurrent';
      const flowing = charging ? r!.current_A : -r!.current_A;
      if (input.measured_A <= 0) block('measured_A', 'clamp_positive', 'Enter the current the clamp meter shows, as a positive number.');
      else if (flowing <= 0)
        block(
          'current',
          charging ? 'not_charging' : 'not_discharging',
          charging ? 'The pack is not charging: start the charger first.' : 'The pack is not discharging: switch a load on first.'
        );
      else {
        const off = Math.abs(input.measured_A - flowing) / flowing;
        if (off > PLAUSIBLE_CURRENT)
          block(
            'measured_A',
            'current_apart',
            `The clamp meter reads ${input.measured_A} A but the pack reads ${round(flowing, 2)} A, ${round(off * 100, 1)} % apart (at most ${PLAUSIBLE_CURRENT * 100} %). Is the clamp around this pack's cable only, and pointing the right way?`,
            { measured: input.measured_A, pack: round(flowing, 2), apart: round(off * 100, 1), max: PLAUSIBLE_CURRENT * 100 }
          );
      }
      break;
    }
    case 'capacity':
      if (!finite('remaining_Ah', input.remaining_Ah) || !finite('full_Ah', input.full_Ah) || !finite('design_Ah', input.design_Ah)) break;
      if (input.remaining_Ah > input.full_Ah)
        block('remaining_Ah', 'remaining_over_full', 'The remaining capacity cannot be more than the full-charge capacity.');
      if (input.full_Ah > input.design_Ah * 1.2)
        block(
          'full_Ah',
          'full_over_design',
          `A full-charge capacity of ${input.full_Ah} Ah is more than 120 % of the design capacity (${input.design_Ah} Ah).`,
          { full: input.full_Ah, design: input.design_Ah }
        );
      if (input.design_Ah < 1) block('design_Ah', 'design_min', 'The design capacity must be at least 1 Ah.');
      break;
    case 'soc':
      if (!finite('soc_pct', input.soc_pct)) break;
      if (input.soc_pct < 0 || input.soc_pct > 100) block('soc_pct', 'soc_range', 'The state of charge is between 0 and 100 %.');
      if (r && r.full_Ah <= 0)
        block('full_Ah', 'no_full', 'The pack reports no full-charge capacity, so a state of charge cannot be set: set the capacities first.');
      break;
    case 'cycles':
      if (!Number.isInteger(input.cycles) || input.cycles < 0 || input.cycles > 65535)
        block('cycles', 'cycles_range', 'The cycle count is a whole number 0..65535.');
      else if (r && input.cycles < r.cycles)
        p.push({
          field: 'cycles',
          code: 'cycles_lowered',
          values: { counted: r.cycles, set: input.cycles },
          message: `The pack has counted ${r.cycles} cycles; setting ${input.cycles} hides wear from whoever reads it later. Only lower it for a new BMS on old cells, or the other way round.`,
          blocking: false
        });
      break;
    case 'clock': {
      const y = input.now.getFullYear();
      if (Number.isNaN(input.now.getTime()) || y < 2000 || y > 2099)
        block('now', 'clock_range', "The computer's clock is not set to a date the pack can store (2000–2099).");
      break;
    }
  }
  return p;
}

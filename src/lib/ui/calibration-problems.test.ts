// The calibration page words the engine's plausibility problems from their code and values in the
// user's language. Every code the engine can give has a message in both languages, and the English
// one says exactly what the engine's own English does, so the two cannot drift apart.
import { afterEach, describe, expect, it } from 'vitest';
import { plausibility, type CalibrationInput, type CalibrationReadings } from '$lib/session/params-api';
import { appLocale } from './locale.svelte';
import { msg } from './params-words';

const reading: CalibrationReadings = { voltage_V: 52.4, current_A: -12.24, remaining_Ah: 40, full_Ah: 100, design_Ah: 100, soc_pct: 40, cycles: 120 };
const idle: CalibrationReadings = { ...reading, current_A: 0, full_Ah: 0 };

/** Inputs that between them raise every code. */
const CASES: [CalibrationInput, CalibrationReadings | null][] = [
  [{ id: 'packVoltage', measured_V: Number.NaN }, reading],
  [{ id: 'packVoltage', measured_V: 50 }, null],
  [{ id: 'packVoltage', measured_V: 48 }, reading],
  [{ id: 'currentZero' }, reading],
  [{ id: 'chargeCurrent', measured_A: -3 }, reading],
  [{ id: 'chargeCurrent', measured_A: 10 }, reading],
  [{ id: 'dischargeCurrent', measured_A: 10 }, idle],
  [{ id: 'dischargeCurrent', measured_A: 20 }, reading],
  [{ id: 'capacity', remaining_Ah: 140, full_Ah: 130, design_Ah: 0.5 }, reading],
  [{ id: 'soc', soc_pct: 120 }, idle],
  [{ id: 'cycles', cycles: 70000 }, reading],
  [{ id: 'cycles', cycles: 10 }, reading],
  [{ id: 'clock', now: new Date(1999, 0, 1) }, reading]
];
const problems = CASES.flatMap(([input, r]) => plausibility(input, r));
const words = (p: (typeof problems)[number]) => msg(`params_cal_problem_${p.code}`, p.values);

describe('calibration problems in words', () => {
  afterEach(() => appLocale.set('en'));

  it('raises all sixteen codes', () => {
    expect(new Set(problems.map((p) => p.code)).size).toBe(16);
  });

  it('in English, exactly the engine’s sentence', () => {
    for (const p of problems) expect(words(p)).toBe(p.message);
  });

  it('in Chinese, a message of its own with the same numbers', () => {
    appLocale.set('zh-CN');
    for (const p of problems) {
      const text = words(p);
      expect(text).not.toBe(`params_cal_problem_${p.code}`);
      expect(text).not.toBe(p.message);
      for (const v of Object.values(p.values)) expect(text).toContain(String(v));
    }
    expect(words(problems.find((p) => p.code === 'current_flowing')!)).toBe(
      '当前有 -12.24 A 电流。零点校准须在无电流时进行：请先关闭充电器和负载（或断开断路器）。'
    );
  });
});

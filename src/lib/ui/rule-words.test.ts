// The parameter pages word broken rules from the engine's code and values in the user's language.
// Every code, relation and reason the engine can give has a message in both languages; the English
// one says exactly what the engine's own English does, so the two cannot drift apart.
import { afterEach, describe, expect, it } from 'vitest';
import { checkParam, PARAMS, validate, type Violation } from '$lib/params';
import { RELATION_REASONS, RELATION_RULES, CONSISTENCY_RULES } from '$lib/params/rules';
import { parseInput } from '$lib/session/params-editor';
import { appLocale } from './locale.svelte';
import { violationText } from './params-words';

const metas = [...PARAMS.values()];
const boolean = metas.find((m) => m.type === 'boolean')!;
const datetime = metas.find((m) => m.type === 'datetime')!;
const number = metas.find((m) => m.type === 'number' && m.step < m.max - m.min && m.writable)!;

/** Values that break one relation rule, every other parameter left out. */
function breaking(rule: (typeof RELATION_RULES)[number]): Record<string, number> {
  const a = PARAMS.get(rule.param)!;
  const b = PARAMS.get(rule.other)!;
  return rule.relation.startsWith('<') ? { [rule.param]: a.max, [rule.other]: b.min } : { [rule.param]: a.min, [rule.other]: b.max };
}

const some = (v: Violation | null | undefined): Violation => {
  if (!v) throw new Error('expected a violation');
  return v;
};

function allViolations(): Violation[] {
  const out: Violation[] = [
    ...validate({ 'no.such_param': 1 }),
    some(checkParam(boolean, 3)),
    some(checkParam(datetime, 'soon')),
    some(checkParam(datetime, '2021-02-30 10:00:00')),
    some(checkParam(datetime, '1999-12-31 10:00:00')),
    some(checkParam(number, Number.NaN)),
    some(checkParam(number, number.max + 1000 * number.step)),
    some(checkParam(number, number.min + number.step / 2))
  ];
  for (const r of RELATION_RULES) out.push(...validate(breaking(r)).filter((v) => v.rule === r.id));
  for (const r of CONSISTENCY_RULES) {
    const pack = PARAMS.get(r.pack)!;
    const cell = PARAMS.get(r.cell)!;
    const values = r.side === 'over' ? { [r.pack]: pack.min, [r.cell]: cell.max } : { [r.pack]: pack.max, [r.cell]: cell.min };
    out.push(...validate(values, { cellCount: 16 }).filter((v) => v.rule === r.id));
  }
  out.push(...validate({ 'storageStart.time': '2026-02-01 00:00:00', 'storageEnd.time': '2026-01-01 00:00:00', 'storageInterval.interval_min': 10 }));
  for (const text of ['', 'x']) {
    for (const m of [boolean, datetime, number]) {
      const p = parseInput(m, text);
      if (!p.ok) out.push(p.violation);
    }
  }
  const unitless = metas.find((m) => m.type === 'number' && m.writable && !parseInputUnit(m));
  if (unitless) {
    const p = parseInput(unitless, 'x');
    if (!p.ok) out.push(p.violation);
  }
  return out;
}

/** Whether the editor asks for a number "in" a unit for this param. */
function parseInputUnit(m: (typeof metas)[number]): boolean {
  const p = parseInput(m, 'x');
  return !p.ok && p.violation.words?.code === 'enter_number_in';
}

const violations = allViolations();

describe('broken rules in words', () => {
  afterEach(() => appLocale.set('en'));

  it('every rule of the engine is raised, and every violation carries words', () => {
    const rules = new Set(violations.map((v) => v.rule));
    for (const r of [...RELATION_RULES, ...CONSISTENCY_RULES]) expect(rules, r.id).toContain(r.id);
    expect(rules).toContain('storage-window-order');
    for (const v of violations) expect(v.words, v.message).toBeDefined();
  });

  it('raises every code, relation and reason', () => {
    const codes = new Set(violations.map((v) => v.words!.code));
    for (const code of [
      'unknown',
      'boolean',
      'datetime_format',
      'not_calendar',
      'year_range',
      'number',
      'range',
      'step',
      'relation',
      'consistency_over',
      'consistency_under',
      'storage_order',
      'enter_datetime',
      'enter_number_in'
    ])
      expect(codes, code).toContain(code);
    const reasons = new Set(violations.map((v) => v.words!.values.reason).filter(Boolean));
    expect([...reasons].sort()).toEqual(Object.keys(RELATION_REASONS).sort());
    const relations = new Set(violations.map((v) => v.words!.values.relation).filter(Boolean));
    expect([...relations].sort()).toEqual(['above', 'at_or_above', 'at_or_below', 'below']);
  });

  it('in English, exactly the engine’s sentence', () => {
    for (const v of violations) expect(violationText(v)).toBe(v.message);
  });

  it('in Chinese, a message of its own with the same labels and values', () => {
    appLocale.set('zh-CN');
    for (const v of violations) {
      const text = violationText(v);
      expect(text).not.toMatch(/^params_rule_/);
      expect(text).not.toBe(v.message);
      for (const [k, value] of Object.entries(v.words!.values)) if (k !== 'relation' && k !== 'reason') expect(text, v.message).toContain(value);
    }
    const example = violations.find((v) => v.rule === 'balance-below-cell-ov')!;
    expect(violationText(example)).toMatch(
      /^Balance Threshold（[\d.]+ mV）须低于 Cell OV Protect（[\d.]+ mV）：电芯须在过压保护停止充电之前开始均衡。$/
    );
  });

  it('a violation without words (a command’s own check) stays in the engine’s English', () => {
    appLocale.set('zh-CN');
    const v: Violation = { rule: 'control', kind: 'relation', params: ['control.x'], message: 'Only in English.' };
    expect(violationText(v)).toBe('Only in English.');
  });
});

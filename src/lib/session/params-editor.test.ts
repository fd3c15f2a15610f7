import { describe, expect, it } from 'vitest';
import { defaultParamValues, PARAM_GROUPS, PARAMS, type ParamMeta } from '$lib/params';
import { displayOf, EDITOR_SECTIONS, editorModel, inputText, parseInput, shownValue } from './params-editor';

const meta = (id: string): ParamMeta => {
  const m = PARAMS.get(id);
  if (!m) throw new Error(id);
  return m;
};

describe('the parameter editor', () => {
  it('has every group of the model in exactly one section, in the vendor tool order', () => {
    const ids = EDITOR_SECTIONS.flatMap((s) => s.groups.map((g) => g.id));
    expect([...ids].sort()).toEqual(PARAM_GROUPS.map((g) => g.id).sort());
    expect(EDITOR_SECTIONS.map((s) => s.id)).toEqual(['cellVoltage', 'packVoltage', 'current', 'temperature', 'balance', 'system', 'storage']);
  });

  it('shows and takes volts where the vendor tool shows volts, with the stored step', () => {
    const ov = meta('cellOverVoltage.protect_mV');
    expect(displayOf(ov)).toEqual({ unit: 'V', factor: 0.001, decimals: 3 });
    expect(inputText(ov, 3700)).toBe('3.700');
    expect(shownValue(ov, 3305)).toBe('3.305 V');
    expect(parseInput(ov, '3.305')).toEqual({ ok: true, value: 3305 });
    // A decimal comma is a decimal point.
    expect(parseInput(ov, '3,31')).toEqual({ ok: true, value: 3310 });
    expect(inputText(meta('cellHighTemperature.chargeProtect_C'), 55)).toBe('55.0');
    expect(shownValue(meta('sleep.delay_min'), 5)).toBe('5 min');
    expect(parseInput(meta('cellOverVoltage.enabled'), 'off')).toEqual({ ok: true, value: false });
  });

  it('text that is no value is a named violation, not a silent zero', () => {
    const r = parseInput(meta('cellOverVoltage.protect_mV'), 'abc');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.violation).toMatchObject({
        rule: 'type',
        params: ['cellOverVoltage.protect_mV'],
        message: expect.stringMatching(/enter a number in V/)
      });
    expect(parseInput(meta('cellOverVoltage.protect_mV'), '').ok).toBe(false);
  });

  it('the model: changes per group against the pack, and the rules the changes break', () => {
    const pack = defaultParamValues();
    const same = editorModel(pack, { 'cellOverVoltage.protect_mV': '3.700' });
    expect(same.changes).toEqual([]);
    expect(same.violations).toEqual([]);

    const lowered = editorModel(
      pack,
      { 'cellOverVoltage.protect_mV': '3.305', 'cellOverVoltage.alarm_mV': '3.303', 'cellOverVoltage.release_mV': '3.290' },
      16
    );
    expect(lowered.changes.map((g) => [g.group, g.changes.length])).toEqual([['cellOverVoltage', 3]]);
    expect(lowered.violations.map((v) => v.rule)).toEqual(['balance-below-cell-ov']);
    expect(lowered.byParam['balance.startVoltage_mV']).toHaveLength(1);

    const fixed = editorModel(pack, {
      'cellOverVoltage.protect_mV': '3.305',
      'cellOverVoltage.alarm_mV': '3.303',
      'cellOverVoltage.release_mV': '3.290',
      'balance.startVoltage_mV': '3.300'
    });
    expect(fixed.violations).toEqual([]);
    expect(fixed.changes.map((g) => g.group)).toEqual(['cellOverVoltage', 'balance']);

    const bad = editorModel(pack, { 'cellOverVoltage.protect_mV': '5', 'sleep.delay_min': 'x' });
    expect(bad.violations.map((v) => v.rule).sort()).toEqual(['range', 'type']);
    // A read-only value is never an edit.
    expect(editorModel(pack, { 'overCurrent2.charge_A': '160' }).changes).toEqual([]);
  });
});

// The parameter editor's logic, as plain functions the page calls: how a value is shown and typed
// (volts where the vendor tool shows volts, with the pack's own step), how the typed text becomes
// edits, and the diff and the rule violations those edits make against the pack's values. The
// rules themselves are the engine's (params/rules.ts); this only turns text into values and puts
// the groups in the order installers know them from the vendor tool's protection screens.

import {
  blockingViolations,
  diffParams,
  mergeValues,
  paramGroup,
  PARAMS,
  violationsByParam,
  type GroupChange,
  type ParamGroup,
  type ParamGroupId,
  type ParamMeta,
  type ParamValue,
  type ParamValues,
  type Violation,
  type ViolationCode
} from '$lib/params';

/** The editor's sections: the vendor tool's tabs (cell voltage, pack voltage, current, temperature, …). */
export type EditorSectionId = 'cellVoltage' | 'packVoltage' | 'current' | 'temperature' | 'balance' | 'system' | 'storage';

export interface EditorSection {
  id: EditorSectionId;
  groups: readonly ParamGroup[];
}

const SECTION_GROUPS: readonly [EditorSectionId, ParamGroupId[]][] = [
  ['cellVoltage', ['cellOverVoltage', 'cellUnderVoltage']],
  ['packVoltage', ['packOverVoltage', 'packUnderVoltage']],
  ['current', ['chargeOverCurrent', 'dischargeOverCurrent1', 'overCurrent2', 'shortCircuit', 'limiter']],
  ['temperature', ['cellHighTemperature', 'cellLowTemperature', 'mosTemperature', 'ambientTemperature']],
  ['balance', ['balance']],
  ['system', ['fullCharge', 'sleep']],
  ['storage', ['storageInterval', 'storageStart', 'storageEnd']]
];

export const EDITOR_SECTIONS: readonly EditorSection[] = SECTION_GROUPS.map(([id, groups]) => ({ id, groups: groups.map(paramGroup) }));

/** How a value is shown and typed: unit, factor from the stored unit, decimals. */
export interface Display {
  unit: string;
  factor: number;
  decimals: number;
}

function decimalsOf(step: number): number {
  if (step >= 1) return 0;
  return Math.min(6, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
}

export function displayOf(m: ParamMeta): Display {
  if (m.display)
    return { unit: m.display.unit, factor: m.display.factor, decimals: Math.max(m.display.decimals, decimalsOf(m.step * m.display.factor)) };
  return { unit: m.unit, factor: 1, decimals: decimalsOf(m.step) };
}

const clean = (v: number) => Number(v.toFixed(9));

/** The text a field starts with for a value (numbers in the display unit, without it). */
export function inputText(m: ParamMeta, v: ParamValue | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'string') return v;
  const d = displayOf(m);
  return clean(v * d.factor).toFixed(d.decimals);
}

/** A value with its unit as the page shows it ("3.700 V", "on"); words for on/off come from the caller. */
export function shownValue(m: ParamMeta, v: ParamValue | null | undefined, words: { on: string; off: string } = { on: 'on', off: 'off' }): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'boolean') return v ? words.on : words.off;
  if (typeof v === 'string') return v;
  const d = displayOf(m);
  const n = clean(v * d.factor).toFixed(d.decimals);
  return d.unit ? `${n} ${d.unit}` : n;
}

/** "2.500–4.500 V in steps of 0.001 V" as its parts, for the field's hint. */
export function rangeOf(m: ParamMeta): { min: string; max: string; step: string } | null {
  if (m.type !== 'number') return null;
  return { min: shownValue(m, m.min), max: shownValue(m, m.max), step: shownValue(m, m.step) };
}

export type Parsed = { ok: true; value: ParamValue } | { ok: false; violation: Violation };

/** Typed text → a value in the stored unit; a text that is no value is a violation of rule "type". */
export function parseInput(m: ParamMeta, text: string): Parsed {
  const bad = (message: string, code: ViolationCode, values: Record<string, string> = {}): Parsed => ({
    ok: false,
    violation: { rule: 'type', kind: 'type', params: [m.id], message, words: { code, values: { label: m.label, ...values } } }
  });
  const t = text.trim();
  if (m.type === 'boolean') {
    if (t === 'on') return { ok: true, value: true };
    if (t === 'off') return { ok: true, value: false };
    return bad(`${m.label} must be on or off.`, 'boolean');
  }
  if (m.type === 'datetime')
    return t ? { ok: true, value: t } : bad(`${m.label}: enter a date and time written YYYY-MM-DD hh:mm:ss.`, 'enter_datetime');
  // A decimal comma is what half the world types.
  const n = Number(t.replace(',', '.'));
  if (t === '' || !Number.isFinite(n)) {
    const unit = displayOf(m).unit;
    return unit ? bad(`${m.label}: enter a number in ${unit}.`, 'enter_number_in', { unit }) : bad(`${m.label}: enter a number.`, 'enter_number');
  }
  return { ok: true, value: clean(n / displayOf(m).factor) };
}

export interface EditorModel {
  /** The typed values that are values, by param id. */
  edits: Record<string, ParamValue>;
  /** Changes against the pack, per group, in model order (what a write would send). */
  changes: GroupChange[];
  /** Texts that are not values, and every rule a change breaks. Nothing is sent while there are any. */
  violations: Violation[];
  byParam: Record<string, Violation[]>;
}

/** What the drafts mean against the pack's values. */
export function editorModel(pack: ParamValues, drafts: Readonly<Record<string, string>>, cellCount?: number): EditorModel {
  const edits: Record<string, ParamValue> = {};
  const problems: Violation[] = [];
  for (const [id, text] of Object.entries(drafts)) {
    const m = PARAMS.get(id);
    if (!m || !m.writable) continue;
    const p = parseInput(m, text);
    if (p.ok) edits[id] = p.value;
    else problems.push(p.violation);
  }
  const changes = diffParams(pack, edits);
  const changed = new Set(changes.flatMap((g) => g.changes.map((c) => c.param)));
  const violations = [...problems, ...blockingViolations(mergeValues(pack, edits), changed, cellCount)];
  return { edits, changes, violations, byParam: violationsByParam(violations) };
}

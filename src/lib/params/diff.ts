// Pending edits against the pack's values, per group. Only groups with a real change are written
// (a group is one write command and always goes whole); a value equal to the pack's on the wire
// (same count, whatever the float noise) is no change.

import { groupOf, PARAM_GROUPS, PARAMS, type ParamGroupId, type ParamValue, type ParamValues } from './model';
import { formatParamValue, sameParamValue } from './values';

export interface ParamChange {
  param: string;
  label: string;
  /** The pack's value (undefined when the pack's reply did not carry it). */
  from: ParamValue | undefined;
  to: ParamValue;
  /** "3700 mV → 3450 mV" */
  text: string;
}

export interface GroupChange {
  group: ParamGroupId;
  title: string;
  changes: ParamChange[];
}

/** Edits that differ from the pack, grouped in the model's group order. Unknown ids and read-only params are ignored. */
export function diffParams(pack: ParamValues, edits: ParamValues): GroupChange[] {
  const out: GroupChange[] = [];
  for (const g of PARAM_GROUPS) {
    const changes: ParamChange[] = [];
    for (const m of g.params) {
      if (!m.writable) continue;
      const to = edits[m.id];
      if (to === undefined) continue;
      const from = pack[m.id];
      if (sameParamValue(m, from, to)) continue;
      changes.push({ param: m.id, label: m.label, from, to, text: `${formatParamValue(m, from)} → ${formatParamValue(m, to)}` });
    }
    if (changes.length > 0) out.push({ group: g.id, title: g.title, changes });
  }
  return out;
}

/** The pack's values with the edits laid over them: what the pack will hold once the edits are written. */
export function mergeValues(pack: ParamValues, edits: ParamValues): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(pack)) if (v !== undefined) out[k] = v;
  for (const [k, v] of Object.entries(edits)) if (v !== undefined && PARAMS.get(k)?.writable) out[k] = v;
  return out;
}

/** The groups the edits touch at all (changed or not), in model order. */
export function touchedGroups(edits: ParamValues): ParamGroupId[] {
  const ids = new Set<ParamGroupId>();
  for (const [k, v] of Object.entries(edits)) {
    const g = groupOf(k);
    if (g && v !== undefined) ids.add(g);
  }
  return PARAM_GROUPS.filter((g) => ids.has(g.id)).map((g) => g.id);
}

/** Only the values of the given groups. */
export function pickGroups(values: ParamValues, groups: readonly ParamGroupId[]): Record<string, ParamValue> {
  const set = new Set(groups);
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(values)) {
    const g = groupOf(k);
    if (v !== undefined && g && set.has(g)) out[k] = v;
  }
  return out;
}

// Parameter profiles: a pack's settings as a JSON file with a versioned schema, so an installer
// can carry one bank's settings to the next, compare a file with a pack, and apply one file to
// several packs (each through the write path, with a result per pack).
//
// An import is checked field by field before anything else happens; a malformed file is refused
// whole, with every problem named by its field path and reason, and changes nothing.
//
// Schema, version 1:
//   {
//     "format": "packservice.parameter-profile",
//     "version": 1,
//     "name": "Site A, 16S 100 Ah",              1..100 characters
//     "created": "2025-06-01T08:00:00.000Z",      optional, ISO 8601
//     "cellCount": 16,                             optional, 13..16: enables the pack-vs-cell rules
//     "source": { "bmsSerial": "...", "address": 3, "model": "..." },   optional, informative
//     "parameters": { "cellOverVoltage.protect_mV": 3650, ... }          writable param ids only
//   }

import type { PackRef } from './bus';
import { diffParams } from './diff';
import { PARAMS, type ParamValue, type ParamValues } from './model';
import { formatParamValue, sameParamValue } from './values';
import { paramWriteOperation } from './param-writes';
import { checkParam, validate } from './rules';
import type { WritePath, WriteReport } from './write-path';

export const PROFILE_FORMAT = 'packservice.parameter-profile';
export const PROFILE_VERSION = 1;

export interface ProfileSource {
  bmsSerial?: string;
  address?: number;
  model?: string;
}

export interface ParameterProfile {
  format: typeof PROFILE_FORMAT;
  version: typeof PROFILE_VERSION;
  name: string;
  created?: string;
  cellCount?: number;
  source?: ProfileSource;
  parameters: Record<string, ParamValue>;
}

export interface ProfileProblem {
  /** Where: "version", "parameters.cellOverVoltage.protect_mV", "(file)". */
  field: string;
  reason: string;
}

export type ProfileImport = { ok: true; profile: ParameterProfile } | { ok: false; problems: ProfileProblem[] };

/** A profile of the writable values a pack holds (read-only ones are left out: they cannot be applied). */
export function exportProfile(
  values: ParamValues,
  o: { name: string; created?: Date; cellCount?: number; source?: ProfileSource }
): ParameterProfile {
  const parameters: Record<string, ParamValue> = {};
  for (const m of PARAMS.values()) {
    const v = values[m.id];
    if (m.writable && v !== undefined) parameters[m.id] = v;
  }
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    name: o.name,
    ...(o.created ? { created: o.created.toISOString() } : {}),
    ...(o.cellCount !== undefined ? { cellCount: o.cellCount } : {}),
    ...(o.source ? { source: o.source } : {}),
    parameters
  };
}

export function profileToJson(profile: ParameterProfile): string {
  return JSON.stringify(profile, null, 2) + '\n';
}

const TOP_LEVEL = new Set(['format', 'version', 'name', 'created', 'cellCount', 'source', 'parameters']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkSource(v: unknown, problems: ProfileProblem[]): ProfileSource | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) {
    problems.push({ field: 'source', reason: 'must be an object with bmsSerial, address and model' });
    return undefined;
  }
  const out: ProfileSource = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'bmsSerial' || k === 'model') {
      if (typeof x === 'string' && x.length <= 40) out[k] = x;
      else problems.push({ field: `source.${k}`, reason: 'must be text of at most 40 characters' });
    } else if (k === 'address') {
      if (Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 16) out.address = x as number;
      else problems.push({ field: 'source.address', reason: 'must be a pack address 0..16' });
    } else problems.push({ field: `source.${k}`, reason: 'is not a field of a profile source' });
  }
  return out;
}

/** Parse and check a profile file. Every problem is reported; any problem refuses the whole file. */
export function parseProfile(text: string): ProfileImport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ field: '(file)', reason: `is not valid JSON (${e instanceof Error ? e.message : String(e)})` }] };
  }
  if (!isRecord(raw)) return { ok: false, problems: [{ field: '(file)', reason: 'must be a JSON object' }] };
  const problems: ProfileProblem[] = [];

  if (raw.format !== PROFILE_FORMAT) {
    problems.push({ field: 'format', reason: `must be "${PROFILE_FORMAT}" (this is not a parameter profile, or not one of this tool's)` });
  }
  if (!Number.isInteger(raw.version))
    problems.push({ field: 'version', reason: `must be a whole number; this tool reads version ${PROFILE_VERSION}` });
  else if (raw.version !== PROFILE_VERSION) {
    const newer = (raw.version as number) > PROFILE_VERSION;
    problems.push({
      field: 'version',
      reason: newer
        ? `is ${String(raw.version)}: the file was made by a newer version of this tool, which reads version ${PROFILE_VERSION}. Update the app.`
        : `is ${String(raw.version)}; this tool reads version ${PROFILE_VERSION}`
    });
  }
  if (typeof raw.name !== 'string' || raw.name.trim().length === 0 || raw.name.length > 100) {
    problems.push({ field: 'name', reason: 'must be text of 1 to 100 characters' });
  }
  if (raw.created !== undefined && (typeof raw.created !== 'string' || Number.isNaN(Date.parse(raw.created)))) {
    problems.push({ field: 'created', reason: 'must be a date and time in ISO 8601 form, e.g. 2025-06-01T08:00:00Z' });
  }
  let cellCount: number | undefined;
  if (raw.cellCount !== undefined) {
    if (Number.isInteger(raw.cellCount) && (raw.cellCount as number) >= 13 && (raw.cellCount as number) <= 16) cellCount = raw.cellCount as number;
    else problems.push({ field: 'cellCount', reason: 'must be the number of cells in series, 13..16' });
  }
  const source = checkSource(raw.source, problems);
  for (const k of Object.keys(raw)) if (!TOP_LEVEL.has(k)) problems.push({ field: k, reason: 'is not a field of a parameter profile' });

  const parameters: Record<string, ParamValue> = {};
  if (!isRecord(raw.parameters)) {
    problems.push({ field: 'parameters', reason: 'must be an object of parameter values by id, e.g. {"cellOverVoltage.protect_mV": 3650}' });
  } else {
    const entries = Object.entries(raw.parameters);
    if (entries.length === 0) problems.push({ field: 'parameters', reason: 'holds no parameter' });
    for (const [id, v] of entries) {
      const field = `parameters.${id}`;
      const m = PARAMS.get(id);
      if (!m) {
        problems.push({ field, reason: 'is not a parameter this tool knows' });
        continue;
      }
      if (!m.writable) {
        problems.push({ field, reason: `is read-only here (${m.label} is never written by this tool), so a profile cannot set it` });
        continue;
      }
      const issue = checkParam(m, v as ParamValue);
      if (issue) problems.push({ field, reason: issue.message });
      else parameters[id] = v as ParamValue;
    }
    // The file's values must also agree with each other (rules whose params it carries).
    if (problems.length === 0) {
      for (const v of validate(parameters, { cellCount }))
        problems.push({ field: `parameters.${v.params[0]}`, reason: `${v.message} (rule ${v.rule})` });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    profile: {
      format: PROFILE_FORMAT,
      version: PROFILE_VERSION,
      name: raw.name as string,
      ...(typeof raw.created === 'string' ? { created: raw.created } : {}),
      ...(cellCount !== undefined ? { cellCount } : {}),
      ...(source ? { source } : {}),
      parameters
    }
  };
}

export interface ProfileComparisonRow {
  param: string;
  label: string;
  file: ParamValue;
  /** undefined: the pack did not report it (group not read, or not supported). */
  pack: ParamValue | undefined;
  same: boolean;
  text: string;
}

export interface ProfileComparison {
  rows: ProfileComparisonRow[];
  /** Rows whose values differ (what applying the file would change). */
  differing: number;
  /** Params of the file the pack did not report. */
  notOnPack: string[];
}

/** The file's values side by side with a pack's. */
export function compareProfile(profile: ParameterProfile, pack: ParamValues): ProfileComparison {
  const rows: ProfileComparisonRow[] = [];
  for (const [id, file] of Object.entries(profile.parameters)) {
    const m = PARAMS.get(id);
    if (!m) continue;
    const packValue = pack[id];
    const same = sameParamValue(m, packValue, file);
    rows.push({
      param: id,
      label: m.label,
      file,
      pack: packValue,
      same,
      text: same ? formatParamValue(m, file) : `pack ${formatParamValue(m, packValue)}, file ${formatParamValue(m, file)}`
    });
  }
  return {
    rows,
    differing: rows.filter((r) => !r.same && r.pack !== undefined).length,
    notOnPack: rows.filter((r) => r.pack === undefined).map((r) => r.param)
  };
}

export interface ProfileTarget {
  pack: PackRef;
  /** The pack's values as last read. */
  base: ParamValues;
  cellCount?: number;
}

export interface ProfilePackResult {
  pack: PackRef;
  report: WriteReport;
}

/**
 * Apply one profile to several packs, one after the other, each through the write path (its own
 * identity check, snapshot, read-back and log). A pack that fails does not stop the others; a
 * cancel stops before the next pack.
 */
export async function applyProfile(
  path: WritePath,
  profile: ParameterProfile,
  targets: readonly ProfileTarget[],
  o: { signal?: AbortSignal; onPack?: (r: ProfilePackResult, index: number) => void } = {}
): Promise<ProfilePackResult[]> {
  const out: ProfilePackResult[] = [];
  for (const [i, t] of targets.entries()) {
    const cellCount = t.cellCount ?? profile.cellCount;
    const changes = diffParams(t.base, profile.parameters).length;
    const report = await path.run(
      paramWriteOperation({
        pack: t.pack,
        base: t.base,
        edits: profile.parameters,
        cellCount,
        kind: 'profile',
        title: `Apply profile "${profile.name}" (${changes} group${changes === 1 ? '' : 's'} differ)`
      }),
      { signal: o.signal }
    );
    const r = { pack: t.pack, report };
    out.push(r);
    o.onPack?.(r, i);
  }
  return out;
}

// One recorded sample of one pack as a row of integers in fixed units, and back. The units are the
// protocol's own resolution, so storing is lossless: mV, 10 mA, 0.1 %, mAh, 0.1 °C. A row is
// fixed columns, then one per cell, one per temperature sensor and one per 44H status byte, as the
// chunk's layout says (packs differ: 15 or 16 cells, 4 to 8 sensors, dialect-specific status bytes).

import type { PackAnalog, PackStatus } from '../protocol/types';
import type { RawChunkLayout } from './records';

/** What the recorder accepts: one poll's values of one pack. */
export interface TelemetrySample {
  /** Device key (devices.ts). */
  device: string;
  address: number;
  /** Unix epoch ms when the values arrived. */
  t_ms: number;
  analog: PackAnalog;
  /** The pack's newest 44H status, or null when none was read. */
  status?: PackStatus | null;
}

/** A stored sample, decoded. Null where the pack did not report the value. */
export interface TelemetryRow {
  device: string;
  address: number;
  t_ms: number;
  voltage_V: number | null;
  /** Positive = charging. */
  current_A: number | null;
  soc_pct: number | null;
  soh_pct: number | null;
  remaining_Ah: number | null;
  full_Ah: number | null;
  design_Ah: number | null;
  cycles: number | null;
  cumulativeCharge_Ah: number | null;
  cumulativeDischarge_Ah: number | null;
  chargeMosOn: boolean | null;
  dischargeMosOn: boolean | null;
  heaterOn: boolean | null;
  cells_mV: (number | null)[];
  temps_C: (number | null)[];
  tempLabels: string[];
  /** The 44H status bytes by name; null when no status was recorded with this sample. */
  statusBytes: Record<string, number> | null;
}

/** Fixed columns of a raw row: name, scale (stored integer = value × scale). */
export const RAW_FIXED = [
  ['t_ms', 1],
  ['address', 1],
  ['voltage_V', 1000],
  ['current_A', 100],
  ['soc_pct', 10],
  ['soh_pct', 10],
  ['remaining_Ah', 1000],
  ['full_Ah', 1000],
  ['design_Ah', 1000],
  ['cycles', 1],
  ['cumulativeCharge_Ah', 1000],
  ['cumulativeDischarge_Ah', 1000],
  ['chargeMosOn', 1],
  ['dischargeMosOn', 1],
  ['heaterOn', 1],
  // The mean of the cells (mV, rounded); the cell columns are stored as differences from it.
  ['cellMean_mV', 1]
] as const;

export type RawFixedName = (typeof RAW_FIXED)[number][0];
export const COL = Object.fromEntries(RAW_FIXED.map(([n], i) => [n, i])) as Record<RawFixedName, number>;
export const FIXED_COUNT = RAW_FIXED.length;
export const TEMP_SCALE = 10;

export function rawColumnCount(layout: RawChunkLayout): number {
  return FIXED_COUNT + layout.cellCount + layout.tempCount + layout.statusKeys.length;
}

/** First column of cells, temperatures and status bytes. */
export function rawOffsets(layout: RawChunkLayout): { cells: number; temps: number; status: number } {
  return { cells: FIXED_COUNT, temps: FIXED_COUNT + layout.cellCount, status: FIXED_COUNT + layout.cellCount + layout.tempCount };
}

/** Why a sample cannot be recorded, or null. */
export function sampleProblem(s: TelemetrySample): string | null {
  if (typeof s.device !== 'string' || s.device.length === 0) return 'no device key';
  if (!Number.isFinite(s.t_ms)) return `time ${s.t_ms} is not a time`;
  if (!Number.isInteger(s.address) || s.address < 0 || s.address > 255) return `address ${s.address} is out of range`;
  if (!s.analog) return 'no analog values';
  if (s.analog.empty) return 'the pack block is empty (offline slave)';
  if (!Array.isArray(s.analog.cells_mV) || s.analog.cells_mV.length > 64) return 'cell list missing or longer than 64';
  if (!Array.isArray(s.analog.temps_C) || s.analog.temps_C.length > 32) return 'temperature list missing or longer than 32';
  return null;
}

function statusKeysOf(status: PackStatus | null | undefined): string[] {
  if (!status || status.empty) return [];
  return Object.keys(status.bytes)
    .filter((k) => Number.isFinite(status.bytes[k]))
    .sort();
}

export function layoutOf(s: TelemetrySample): RawChunkLayout {
  const labels = s.analog.tempLabels ?? [];
  return {
    cellCount: s.analog.cells_mV.length,
    tempCount: s.analog.temps_C.length,
    tempLabels: s.analog.temps_C.map((_, i) => labels[i] ?? `T${i + 1}`),
    statusKeys: statusKeysOf(s.status)
  };
}

/**
 * The layout a chunk of layout `a` needs to also hold a sample of layout `b`, or null when it
 * cannot (cell or sensor count or labels differ: a new chunk starts). Status bytes are the union
 * of both: the poller often delivers a pack's first analog values before its first status, and
 * dialects add bytes, so rows of one chunk may lack some (they read as missing).
 */
export function mergeLayouts(a: RawChunkLayout, b: RawChunkLayout): RawChunkLayout | null {
  if (a.cellCount !== b.cellCount || a.tempCount !== b.tempCount) return null;
  for (let i = 0; i < a.tempLabels.length; i++) if (a.tempLabels[i] !== b.tempLabels[i]) return null;
  if (b.statusKeys.every((k) => a.statusKeys.includes(k))) return a;
  return { ...a, statusKeys: [...new Set([...a.statusKeys, ...b.statusKeys])].sort() };
}

/**
 * `row` (laid out in `from`) re-laid in `to`, which has the same fixed, cell and temperature
 * columns: status columns are matched by name, missing ones read NaN. Works for raw rows and for
 * minute rows alike (both end in their status columns).
 */
export function relayStatus(row: Float64Array, from: RawChunkLayout, to: RawChunkLayout, statusAt: number): Float64Array {
  if (from.statusKeys === to.statusKeys) return row;
  if (from.statusKeys.length === to.statusKeys.length && from.statusKeys.every((k, i) => k === to.statusKeys[i])) return row;
  const out = new Float64Array(statusAt + to.statusKeys.length).fill(Number.NaN);
  out.set(row.subarray(0, statusAt));
  to.statusKeys.forEach((k, i) => {
    const j = from.statusKeys.indexOf(k);
    if (j >= 0) out[statusAt + i] = row[statusAt + j];
  });
  return out;
}

const scaled = (v: number | null | undefined, scale: number): number =>
  v === null || v === undefined || !Number.isFinite(v) ? Number.NaN : Math.round(v * scale);
const flag = (v: boolean | null | undefined): number => (v === null || v === undefined ? Number.NaN : v ? 1 : 0);

/** The sample as a row of stored integers (NaN = missing), in `layout`'s columns. */
export function sampleToRow(s: TelemetrySample, layout: RawChunkLayout): Float64Array {
  const a = s.analog;
  const st = s.status && !s.status.empty ? s.status : null;
  const row = new Float64Array(rawColumnCount(layout));
  row[COL.t_ms] = Math.round(s.t_ms);
  row[COL.address] = s.address;
  row[COL.voltage_V] = scaled(a.voltage_V, 1000);
  row[COL.current_A] = scaled(a.current_A, 100);
  row[COL.soc_pct] = scaled(a.soc_pct, 10);
  row[COL.soh_pct] = scaled(a.soh_pct, 10);
  row[COL.remaining_Ah] = scaled(a.remaining_Ah, 1000);
  row[COL.full_Ah] = scaled(a.full_Ah, 1000);
  row[COL.design_Ah] = scaled(a.design_Ah, 1000);
  row[COL.cycles] = scaled(a.cycles, 1);
  row[COL.cumulativeCharge_Ah] = scaled(a.tail?.cumulativeCharge_Ah, 1000);
  row[COL.cumulativeDischarge_Ah] = scaled(a.tail?.cumulativeDischarge_Ah, 1000);
  row[COL.chargeMosOn] = flag(st?.chargeMosOn);
  row[COL.dischargeMosOn] = flag(st?.dischargeMosOn);
  row[COL.heaterOn] = flag(st?.heaterOn);
  const off = rawOffsets(layout);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < layout.cellCount; i++) {
    const v = scaled(a.cells_mV[i], 1);
    row[off.cells + i] = v;
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  row[COL.cellMean_mV] = n > 0 ? Math.round(sum / n) : Number.NaN;
  for (let i = 0; i < layout.tempCount; i++) row[off.temps + i] = scaled(a.temps_C[i], TEMP_SCALE);
  for (let i = 0; i < layout.statusKeys.length; i++) row[off.status + i] = st ? scaled(st.bytes[layout.statusKeys[i]], 1) : Number.NaN;
  return row;
}

const unscale = (v: number, scale: number): number | null => (Number.isNaN(v) ? null : scale === 1 ? v : v / scale);
const unflag = (v: number): boolean | null => (Number.isNaN(v) ? null : v !== 0);

/** A stored row back as values. */
export function rowToTelemetry(device: string, row: Float64Array, layout: RawChunkLayout): TelemetryRow {
  const off = rawOffsets(layout);
  const cells: (number | null)[] = [];
  for (let i = 0; i < layout.cellCount; i++) cells.push(unscale(row[off.cells + i], 1));
  const temps: (number | null)[] = [];
  for (let i = 0; i < layout.tempCount; i++) temps.push(unscale(row[off.temps + i], TEMP_SCALE));
  let statusBytes: Record<string, number> | null = null;
  for (let i = 0; i < layout.statusKeys.length; i++) {
    const v = row[off.status + i];
    if (Number.isNaN(v)) continue;
    statusBytes ??= {};
    statusBytes[layout.statusKeys[i]] = v;
  }
  return {
    device,
    address: row[COL.address],
    t_ms: row[COL.t_ms],
    voltage_V: unscale(row[COL.voltage_V], 1000),
    current_A: unscale(row[COL.current_A], 100),
    soc_pct: unscale(row[COL.soc_pct], 10),
    soh_pct: unscale(row[COL.soh_pct], 10),
    remaining_Ah: unscale(row[COL.remaining_Ah], 1000),
    full_Ah: unscale(row[COL.full_Ah], 1000),
    design_Ah: unscale(row[COL.design_Ah], 1000),
    cycles: unscale(row[COL.cycles], 1),
    cumulativeCharge_Ah: unscale(row[COL.cumulativeCharge_Ah], 1000),
    cumulativeDischarge_Ah: unscale(row[COL.cumulativeDischarge_Ah], 1000),
    chargeMosOn: unflag(row[COL.chargeMosOn]),
    dischargeMosOn: unflag(row[COL.dischargeMosOn]),
    heaterOn: unflag(row[COL.heaterOn]),
    cells_mV: cells,
    temps_C: temps,
    tempLabels: [...layout.tempLabels],
    statusBytes
  };
}

// What a person wants to know about one pack at a glance, derived from the protocol values:
// cell extremes and spread (the vendor tool's "differential pressure"), the hottest sensor,
// alarms in words, and whether it is charging. Pure, so the cards, the detail page and the wall
// display all say the same thing.

import { m } from '$lib/paraglide/messages';
import type { PackAnalog, PackStatus, StatusFlag } from '$lib/session/types';
import { flagLabel } from './flag-words';
import { sensorName } from './sensor-words';

export interface CellStats {
  count: number;
  min_mV: number;
  max_mV: number;
  mean_mV: number;
  /** max − min, what the vendor tool calls "differential pressure". */
  spread_mV: number;
  /** 1-based cell numbers holding the minimum / maximum (ties: all of them). */
  minCells: number[];
  maxCells: number[];
}

/** Null when there are no cells (an empty block, or a pack that reported M = 0). */
export function cellStats(cells_mV: readonly number[]): CellStats | null {
  if (cells_mV.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of cells_mV) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const minCells: number[] = [];
  const maxCells: number[] = [];
  cells_mV.forEach((v, i) => {
    if (v === min) minCells.push(i + 1);
    if (v === max) maxCells.push(i + 1);
  });
  return { count: cells_mV.length, min_mV: min, max_mV: max, mean_mV: sum / cells_mV.length, spread_mV: max - min, minCells, maxCells };
}

export interface TempReading {
  label: string;
  temp_C: number;
  index: number;
}

/** The hottest fitted sensor, null when none is fitted. */
export function hottest(analog: Pick<PackAnalog, 'temps_C' | 'tempLabels'>): TempReading | null {
  let best: TempReading | null = null;
  analog.temps_C.forEach((t, index) => {
    if (t !== null && (best === null || t > best.temp_C)) best = { label: sensorName(analog.tempLabels[index], index), temp_C: t, index };
  });
  return best;
}

/** Coldest fitted sensor: the one that decides charge-low-temperature protection. */
export function coldest(analog: Pick<PackAnalog, 'temps_C' | 'tempLabels'>): TempReading | null {
  let best: TempReading | null = null;
  analog.temps_C.forEach((t, index) => {
    if (t !== null && (best === null || t < best.temp_C)) best = { label: sensorName(analog.tempLabels[index], index), temp_C: t, index };
  });
  return best;
}

export type AlarmLevel = 'ok' | 'warning' | 'protection' | 'fault';

export interface AlarmSummary {
  level: AlarmLevel;
  /** Short, for a card: "No alarms", "Cell over-voltage protection", "Charge MOSFET fault + 2 more". */
  text: string;
  /** The alarm flags (state flags excluded), most severe first. */
  flags: StatusFlag[];
}

const RANK: Record<StatusFlag['severity'], number> = { fault: 3, protection: 2, warning: 1, state: 0 };

/** Alarm flags most severe first; normal-operation 'state' flags are not alarms. */
function alarmFlags(status: Pick<PackStatus, 'flags'>): StatusFlag[] {
  return status.flags.filter((f) => f.severity !== 'state').sort((a, b) => RANK[b.severity] - RANK[a.severity]);
}

/**
 * Also reads the per-value alarm codes: a pack can report a cell "above upper limit" without a
 * matching warning bit, and that must not read as "No alarms".
 */
export function alarmSummary(status: PackStatus | null): AlarmSummary | null {
  if (!status || status.empty) return null;
  const flags = alarmFlags(status);
  if (flags.length > 0) {
    const top = flags[0];
    const level: AlarmLevel = top.severity === 'fault' ? 'fault' : top.severity === 'protection' ? 'protection' : 'warning';
    return { level, text: andMore(flagLabel(top), flags.length - 1), flags };
  }
  const codes: string[] = [];
  if (status.cellAlarms.some((a) => a !== 'normal')) codes.push(m.monitor_alarm_cell_voltage());
  if (status.tempAlarms.some((a) => a !== 'normal')) codes.push(m.monitor_alarm_temperature());
  if (status.packVoltageAlarm !== 'normal') codes.push(m.monitor_alarm_pack_voltage());
  if (status.chargeCurrentAlarm !== 'normal' || status.dischargeCurrentAlarm !== 'normal') codes.push(m.monitor_alarm_current());
  if (codes.length > 0) return { level: 'warning', text: andMore(codes[0], codes.length - 1), flags: [] };
  return { level: 'ok', text: m.monitor_no_alarms(), flags: [] };
}

/** "Cell over-voltage protection + 2 more". */
function andMore(first: string, more: number): string {
  return more > 0 ? m.monitor_alarm_more({ first, more: String(more) }) : first;
}

export type Activity = 'charging' | 'discharging' | 'idle';

/**
 * Per pack the band is tighter than the bank's: one pack's sensor offset is a few tens of mA.
 * Default 0.2 A.
 */
export function packActivity(current_A: number, idleBand_A = 0.2): Activity {
  return current_A > idleBand_A ? 'charging' : current_A < -idleBand_A ? 'discharging' : 'idle';
}

export interface VersionInfo {
  /** "P16S100A": 16 cells in series, 100 Ah. */
  model: string;
  /** Hardware revision / build code between the dashes ("1812"), null when absent. */
  hardware: string | null;
  /** Firmware version ("1.00"), null when absent. */
  firmware: string | null;
  /** Cells in series from the model name, null when the name does not say. */
  seriesCells: number | null;
  /** Design capacity from the model name, null when the name does not say. */
  capacity_Ah: number | null;
}

/**
 * The C1H string is "model-hardware-firmware", e.g. "P16S100A-1812-1.00" or
 * "P16S200A-21473-1.03A" (reference §9). Anything that does not fit is kept whole as the model.
 */
export function parseVersionString(raw: string | null): VersionInfo | null {
  if (raw === null) return null;
  const text = raw.trim();
  if (text === '') return null;
  const parts = text.split('-');
  const model = parts[0];
  const m = /^P(\d{1,2})S(\d{2,4})A/i.exec(model);
  // With only two parts, a dotted tail is the firmware version ("P16S100A-1.06"), anything else a build code.
  const tail = parts.length >= 2 ? parts[parts.length - 1] : null;
  const dotted = tail !== null && /^\d+\.\d+/.test(tail);
  return {
    model,
    hardware: parts.length >= 3 ? parts.slice(1, -1).join('-') : parts.length === 2 && !dotted ? tail : null,
    firmware: parts.length >= 3 || dotted ? tail : null,
    seriesCells: m ? Number(m[1]) : null,
    capacity_Ah: m ? Number(m[2]) : null
  };
}

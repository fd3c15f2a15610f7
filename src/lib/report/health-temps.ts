// Temperatures: too hot, charging in the cold, a sensor that reads nonsense, a MOSFET running hot,
// and a pack much warmer than the others (a cooling, location or connection problem that no
// absolute limit catches yet). Pure; thresholds in rules.ts, or the pack's own where read.

import type { PackAnalog } from '../protocol/types';
import { HEALTH_RULES } from './rules';
import type { Finding, ReportParams, ReportSample } from './types';

export type SensorKind = 'cell' | 'mos' | 'ambient' | 'other';

/** What a temperature sensor measures, from the decoder's label ("Cell T2", "MOSFET", "Ambient"). */
export function sensorKind(label: string): SensorKind {
  if (/^cell/i.test(label)) return 'cell';
  if (/mos/i.test(label)) return 'mos';
  if (/ambient|environment/i.test(label)) return 'ambient';
  return 'other';
}

const plausible = (t: number) => t >= HEALTH_RULES.plausibleLow_C && t <= HEALTH_RULES.plausibleHigh_C;

function paramNumber(params: ReportParams | null, id: string): number | null {
  const v = params?.values[id];
  return typeof v === 'number' ? v : null;
}

/** Index (1-based, among sensors of its kind) and reading of the hottest plausible sensor of a kind. */
function hottest(analog: PackAnalog, kind: SensorKind): { sensor: number; temp_C: number } | null {
  let best: { sensor: number; temp_C: number } | null = null;
  let n = 0;
  analog.temps_C.forEach((t, i) => {
    if (sensorKind(analog.tempLabels[i] ?? '') !== kind) return;
    n++;
    if (t === null || !plausible(t)) return;
    if (!best || t > best.temp_C) best = { sensor: n, temp_C: t };
  });
  return best;
}

function coldest(analog: PackAnalog): { sensor: number; temp_C: number } | null {
  let best: { sensor: number; temp_C: number } | null = null;
  let n = 0;
  analog.temps_C.forEach((t, i) => {
    if (sensorKind(analog.tempLabels[i] ?? '') !== 'cell') return;
    n++;
    if (t === null || !plausible(t)) return;
    if (!best || t < best.temp_C) best = { sensor: n, temp_C: t };
  });
  return best;
}

/** The hottest plausible cell temperature of a pack over its last reading and the watch, for comparing packs. */
export function packCellTemp(analog: PackAnalog | null, samples: readonly ReportSample[]): number | null {
  if (!analog || analog.empty) return null;
  const cellIdx = analog.tempLabels.map((l, i) => (sensorKind(l) === 'cell' ? i : -1)).filter((i) => i >= 0);
  const readings = [analog.temps_C, ...samples.slice(-5).map((s) => s.temps_C)];
  let max: number | null = null;
  for (const temps of readings)
    for (const i of cellIdx) {
      const t = temps[i];
      if (t !== null && t !== undefined && plausible(t) && (max === null || t > max)) max = t;
    }
  return max;
}

/** One pack's own temperature findings (the comparison with other packs is judgeHotter). */
export function judgeTemps(address: number, analog: PackAnalog | null, params: ReportParams | null): Finding[] {
  if (!analog || analog.empty) return [];
  const out: Finding[] = [];
  let n: Record<SensorKind, number> = { cell: 0, mos: 0, ambient: 0, other: 0 };
  analog.temps_C.forEach((t, i) => {
    const kind = sensorKind(analog.tempLabels[i] ?? '');
    n = { ...n, [kind]: n[kind] + 1 };
    if (t !== null && !plausible(t))
      out.push({ id: 'temp-implausible', severity: 'watch', pack: address, values: { kind, sensor: n[kind], temp_C: t } });
  });

  const charging = analog.current_A >= HEALTH_RULES.chargingCurrent_A;
  const cell = hottest(analog, 'cell');
  if (cell) {
    const own = paramNumber(params, charging ? 'cellHighTemperature.chargeAlarm_C' : 'cellHighTemperature.dischargeAlarm_C');
    const problemAt = own ?? HEALTH_RULES.cellHotProblem_C;
    const watchAt = Math.min(HEALTH_RULES.cellHotWatch_C, problemAt);
    if (cell.temp_C >= watchAt) {
      out.push({
        id: 'temp-high',
        severity: cell.temp_C >= problemAt ? 'problem' : 'watch',
        pack: address,
        values: { kind: 'cell', sensor: cell.sensor, temp_C: cell.temp_C, limit_C: cell.temp_C >= problemAt ? problemAt : watchAt }
      });
    }
  }
  const cold = coldest(analog);
  if (cold && charging && cold.temp_C < HEALTH_RULES.chargeColdProblem_C) {
    out.push({
      id: 'charging-cold',
      severity: 'problem',
      pack: address,
      values: { sensor: cold.sensor, temp_C: cold.temp_C, current_A: analog.current_A }
    });
  } else if (cold && cold.temp_C < HEALTH_RULES.coldNote_C) {
    out.push({ id: 'temp-cold', severity: 'note', pack: address, values: { sensor: cold.sensor, temp_C: cold.temp_C } });
  }
  const mos = hottest(analog, 'mos');
  if (mos) {
    const problemAt = paramNumber(params, 'mosTemperature.alarm_C') ?? HEALTH_RULES.mosHotProblem_C;
    const watchAt = Math.min(HEALTH_RULES.mosHotWatch_C, problemAt);
    if (mos.temp_C >= watchAt) {
      out.push({
        id: 'temp-high',
        severity: mos.temp_C >= problemAt ? 'problem' : 'watch',
        pack: address,
        values: { kind: 'mos', sensor: mos.sensor, temp_C: mos.temp_C, limit_C: mos.temp_C >= problemAt ? problemAt : watchAt }
      });
    }
  }
  return out;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Packs much warmer than the middle of the others (needs at least two other packs with readings). */
export function judgeHotter(temps: readonly { address: number; temp_C: number | null }[]): Finding[] {
  const known = temps.filter((t): t is { address: number; temp_C: number } => t.temp_C !== null);
  const out: Finding[] = [];
  for (const p of known) {
    const others = known.filter((o) => o.address !== p.address).map((o) => o.temp_C);
    if (others.length < 2) continue;
    const mid = median(others);
    const delta = p.temp_C - mid;
    if (delta >= HEALTH_RULES.hotterWatch_C) {
      out.push({
        id: 'pack-hotter',
        severity: delta >= HEALTH_RULES.hotterProblem_C ? 'problem' : 'watch',
        pack: p.address,
        values: { temp_C: Math.round(p.temp_C * 10) / 10, others_C: Math.round(mid * 10) / 10, delta_C: Math.round(delta * 10) / 10 }
      });
    }
  }
  return out;
}

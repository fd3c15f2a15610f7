// Statistics of one pack from its recorded readings: energy and charge in and out (trapezoid rule
// on V·I and on I between readings no further apart than maxGap_ms), equivalent full cycles, time
// charging / discharging / idle, cell spread and temperature extremes, and capacity over time,
// per day, week or month in the user's time zone and in total.

import { bucketsBetween, type Bucket } from './calendar';
import { emptyExtremes, FlowAccumulator, mergeExtremes, noteReading, type ExtremeFigures, type Figures, type PeriodFigures } from './figures';
import { lerp, splitIntegral, timeAbove } from './integrate';
import { resolveOptions, usableSamples, type ResolvedStatsOptions, type StatsOptions, type StatsSample } from './sample';

export interface CapacityPoint {
  t_ms: number;
  full_Ah: number;
}

export interface PackStats {
  /** Every period from the first reading's to the last's, empty ones included (covered_ms 0). */
  periods: PeriodFigures[];
  total: Figures;
  /** full_Ah at the first reading, then each time it changed. */
  capacity: CapacityPoint[];
}

/** A stretch between two readings that is bridged: current and power taken as linear across it. */
export interface Segment {
  t0: number;
  t1: number;
  i0: number;
  i1: number;
  p0: number;
  p1: number;
}

export function segmentsOf(samples: readonly StatsSample[], maxGap_ms: number): Segment[] {
  const out: Segment[] = [];
  for (let k = 1; k < samples.length; k++) {
    const a = samples[k - 1];
    const b = samples[k];
    const dt = b.t_ms - a.t_ms;
    if (dt <= 0 || dt > maxGap_ms) continue;
    out.push({ t0: a.t_ms, t1: b.t_ms, i0: a.current_A, i1: b.current_A, p0: a.voltage_V * a.current_A, p1: b.voltage_V * b.current_A });
  }
  return out;
}

/** Energy and charge of one straight piece, into `acc`; time classes with the idle band unless it is null. */
export function addPiece(acc: FlowAccumulator, p0: number, p1: number, i0: number, i1: number, dt_ms: number, band_A: number | null): void {
  const dt_s = dt_ms / 1000;
  const [pIn, pOut] = splitIntegral(p0, p1, dt_s);
  acc.chargedWs += pIn;
  acc.dischargedWs -= pOut;
  const [iIn, iOut] = splitIntegral(i0, i1, dt_s);
  acc.chargedAs += iIn;
  acc.dischargedAs -= iOut;
  if (band_A === null) return;
  const up = timeAbove(i0, i1, dt_ms, band_A);
  const down = timeAbove(-i0, -i1, dt_ms, band_A);
  acc.charging_ms += up;
  acc.discharging_ms += down;
  acc.idle_ms += dt_ms - up - down;
}

/**
 * Integrate the segments into the buckets they cross, cutting each at the bucket boundaries.
 * `band_A` null leaves the time classes out (the bank classifies its summed current instead).
 */
export function integrateSegments(segments: readonly Segment[], buckets: readonly Bucket[], flows: FlowAccumulator[], band_A: number | null): void {
  let k = 0;
  for (const s of segments) {
    while (k < buckets.length - 1 && buckets[k].end_ms <= s.t0) k++;
    let t = s.t0;
    let p = s.p0;
    let i = s.i0;
    for (;;) {
      const end = Math.min(s.t1, buckets[k].end_ms);
      const last = end >= s.t1 || k === buckets.length - 1;
      const pEnd = last ? s.p1 : lerp(s.t0, s.p0, s.t1, s.p1, end);
      const iEnd = last ? s.i1 : lerp(s.t0, s.i0, s.t1, s.i1, end);
      addPiece(flows[k], p, pEnd, i, iEnd, (last ? s.t1 : end) - t, band_A);
      if (last) break;
      t = end;
      p = pEnd;
      i = iEnd;
      k++;
    }
  }
}

/** Each reading's cells, temperatures and capacity into the bucket it falls in. */
export function noteReadings(
  samples: readonly StatsSample[],
  buckets: readonly Bucket[],
  flows: FlowAccumulator[],
  extremes: ExtremeFigures[]
): void {
  let k = 0;
  for (const s of samples) {
    while (k < buckets.length - 1 && buckets[k].end_ms <= s.t_ms) k++;
    noteReading(extremes[k], s.cells_mV, s.temps_C, s.full_Ah);
    if (s.full_Ah !== null && Number.isFinite(s.full_Ah) && s.full_Ah > 0) flows[k].noteFull(s.full_Ah);
  }
}

export function capacityOf(samples: readonly StatsSample[]): CapacityPoint[] {
  const out: CapacityPoint[] = [];
  for (const s of samples) {
    if (s.full_Ah === null || !Number.isFinite(s.full_Ah)) continue;
    if (out.length === 0 || out[out.length - 1].full_Ah !== s.full_Ah) out.push({ t_ms: s.t_ms, full_Ah: s.full_Ah });
  }
  return out;
}

export interface PackWork {
  samples: StatsSample[];
  flows: FlowAccumulator[];
  extremes: ExtremeFigures[];
}

/** The per-bucket accumulators of one pack over given buckets (shared with the bank). */
export function accumulatePack(samples: readonly StatsSample[], buckets: readonly Bucket[], o: ResolvedStatsOptions, withTimes: boolean): PackWork {
  const usable = usableSamples(samples);
  const flows = buckets.map(() => new FlowAccumulator());
  const extremes = buckets.map(() => emptyExtremes());
  if (buckets.length > 0) {
    noteReadings(usable, buckets, flows, extremes);
    integrateSegments(segmentsOf(usable, o.maxGap_ms), buckets, flows, withTimes ? o.idleBand_A : null);
  }
  return { samples: usable, flows, extremes };
}

export function totalOf(flows: readonly FlowAccumulator[], extremes: readonly ExtremeFigures[]): Figures {
  const all = new FlowAccumulator();
  for (const f of flows) all.add(f);
  return { ...all.figures(), ...extremes.reduce(mergeExtremes, emptyExtremes()) };
}

export function packStats(samples: readonly StatsSample[], options: StatsOptions): PackStats {
  const o = resolveOptions(options);
  const usable = usableSamples(samples);
  const buckets = usable.length ? bucketsBetween(usable[0].t_ms, usable[usable.length - 1].t_ms, o) : [];
  const w = accumulatePack(usable, buckets, o, true);
  return {
    periods: buckets.map((b, k) => ({ key: b.key, start_ms: b.start_ms, end_ms: b.end_ms, ...w.flows[k].figures(), ...w.extremes[k] })),
    total: totalOf(w.flows, w.extremes),
    capacity: capacityOf(usable)
  };
}

// Statistics of the bank as the inverter sees it: energy and charge through the bus are the
// packs' summed power and current, split into in and out only after summing, so one pack charging
// another is neither (the simulator's bus meter counts the same way). Time charging, discharging
// and idle follow the summed current; the idle band grows with the number of packs in the sum.
// The sum at an instant takes the packs whose readings bridge it. Equivalent cycles are counted
// against the packs' summed capacity. Extremes say which pack they came from.

import { bucketsBetween, type Bucket } from './calendar';
import { emptyExtremes, FlowAccumulator, type ExtremeFigures, type Figures, type PeriodFigures } from './figures';
import { lerp } from './integrate';
import { accumulatePack, addPiece, capacityOf, segmentsOf, totalOf, type CapacityPoint, type PackStats, type Segment } from './pack';
import { resolveOptions, usableSamples, type StatsOptions, type StatsSample } from './sample';

/** Which pack each extreme of the bank came from (the caller's pack ids, e.g. BMS serials). */
export interface ExtremeSources {
  cellMin: string | null;
  cellMax: string | null;
  cellSpreadMax: string | null;
  tempMin: string | null;
  tempMax: string | null;
}

export interface BankPeriodFigures extends PeriodFigures {
  /** Packs with at least one reading in the period. */
  packs: number;
  where: ExtremeSources;
}

export interface BankStats {
  periods: BankPeriodFigures[];
  total: Figures & { packs: number; where: ExtremeSources };
  /** Each pack on the same buckets, so its rows line up with the bank's. */
  perPack: Map<string, PackStats>;
  /** The packs' summed full_Ah, from the first moment every pack had reported one, at each change. */
  capacity: CapacityPoint[];
}

export function noSources(): ExtremeSources {
  return { cellMin: null, cellMax: null, cellSpreadMax: null, tempMin: null, tempMax: null };
}

/** Fold one pack's extremes of a period into the bank's, remembering the pack. */
export function mergeFrom(into: ExtremeFigures, where: ExtremeSources, e: ExtremeFigures, id: string): void {
  into.samples += e.samples;
  const lower = (a: number | null, b: number | null) => b !== null && (a === null || b < a);
  const higher = (a: number | null, b: number | null) => b !== null && (a === null || b > a);
  if (lower(into.cellMin_mV, e.cellMin_mV)) [into.cellMin_mV, where.cellMin] = [e.cellMin_mV, id];
  if (higher(into.cellMax_mV, e.cellMax_mV)) [into.cellMax_mV, where.cellMax] = [e.cellMax_mV, id];
  if (higher(into.cellSpreadMax_mV, e.cellSpreadMax_mV)) [into.cellSpreadMax_mV, where.cellSpreadMax] = [e.cellSpreadMax_mV, id];
  if (lower(into.tempMin_C, e.tempMin_C)) [into.tempMin_C, where.tempMin] = [e.tempMin_C, id];
  if (higher(into.tempMax_C, e.tempMax_C)) [into.tempMax_C, where.tempMax] = [e.tempMax_C, id];
}

/**
 * Energy, charge and time classes of the summed power and current. Every segment end and bucket
 * boundary is a breakpoint; between two of them each pack's segment covers the whole stretch or
 * none of it, so the sums are straight lines there and the integrals are exact.
 */
function busFlows(perPack: readonly Segment[][], buckets: readonly Bucket[], band_A: number, flows: FlowAccumulator[]): void {
  const points = new Set<number>();
  for (const segs of perPack) for (const s of segs) points.add(s.t0).add(s.t1);
  for (const b of buckets) points.add(b.start_ms).add(b.end_ms);
  const times = [...points].sort((a, b) => a - b);
  const next = perPack.map(() => 0);
  let k = 0;
  for (let j = 1; j < times.length; j++) {
    const x = times[j - 1];
    const y = times[j];
    while (k < buckets.length - 1 && buckets[k].end_ms <= x) k++;
    if (buckets.length === 0 || x < buckets[k].start_ms || x >= buckets[k].end_ms) continue;
    let ix = 0;
    let iy = 0;
    let px = 0;
    let py = 0;
    let n = 0;
    for (let p = 0; p < perPack.length; p++) {
      const segs = perPack[p];
      while (next[p] < segs.length && segs[next[p]].t1 <= x) next[p]++;
      const s = segs[next[p]];
      if (!s || s.t0 > x) continue;
      ix += lerp(s.t0, s.i0, s.t1, s.i1, x);
      iy += lerp(s.t0, s.i0, s.t1, s.i1, y);
      px += lerp(s.t0, s.p0, s.t1, s.p1, x);
      py += lerp(s.t0, s.p0, s.t1, s.p1, y);
      n++;
    }
    if (n > 0) addPiece(flows[k], px, py, ix, iy, y - x, band_A * n);
  }
}

export function bankCapacity(perPack: readonly CapacityPoint[][]): CapacityPoint[] {
  const events = perPack.flatMap((pts, p) => pts.map((pt) => ({ ...pt, p }))).sort((a, b) => a.t_ms - b.t_ms);
  const latest: (number | null)[] = perPack.map(() => null);
  const out: CapacityPoint[] = [];
  for (let j = 0; j < events.length; j++) {
    const e = events[j];
    latest[e.p] = e.full_Ah;
    // Several packs may change at the same instant: sum once they all have.
    if (j + 1 < events.length && events[j + 1].t_ms === e.t_ms) continue;
    if (latest.some((v) => v === null)) continue;
    const total = Math.round((latest as number[]).reduce((s, v) => s + v, 0) * 100) / 100;
    if (out.length === 0 || out[out.length - 1].full_Ah !== total) out.push({ t_ms: e.t_ms, full_Ah: total });
  }
  return out;
}

/** `packs`: readings per pack id (BMS serial or address), each in any order. */
export function bankStats(packs: ReadonlyMap<string, readonly StatsSample[]>, options: StatsOptions): BankStats {
  const o = resolveOptions(options);
  const ids = [...packs.keys()];
  const usable = ids.map((id) => usableSamples(packs.get(id) ?? []));
  let from = Infinity;
  let to = -Infinity;
  for (const s of usable) {
    if (s.length === 0) continue;
    from = Math.min(from, s[0].t_ms);
    to = Math.max(to, s[s.length - 1].t_ms);
  }
  const buckets = from <= to ? bucketsBetween(from, to, o) : [];
  const works = usable.map((s) => accumulatePack(s, buckets, o, true));

  const flows = buckets.map(() => new FlowAccumulator());
  const capacitySums = buckets.map(() => ({ sum: 0, any: false }));
  const extremes = buckets.map(() => emptyExtremes());
  const where = buckets.map(() => noSources());
  const packCounts = buckets.map(() => 0);
  works.forEach((w, p) => {
    w.flows.forEach((f, k) => {
      const full = f.meanFull_Ah;
      if (full !== null) {
        capacitySums[k].sum += full;
        capacitySums[k].any = true;
      }
    });
    w.extremes.forEach((e, k) => {
      if (e.samples > 0) packCounts[k]++;
      mergeFrom(extremes[k], where[k], e, ids[p]);
    });
  });
  busFlows(
    usable.map((s) => segmentsOf(s, o.maxGap_ms)),
    buckets,
    o.idleBand_A,
    flows
  );

  const capacity = bankCapacity(usable.map(capacityOf));
  const periods: BankPeriodFigures[] = buckets.map((b, k) => {
    const latest = [...capacity].reverse().find((c) => c.t_ms < b.end_ms);
    return {
      key: b.key,
      start_ms: b.start_ms,
      end_ms: b.end_ms,
      ...flows[k].figures(capacitySums[k].any ? capacitySums[k].sum : null),
      ...extremes[k],
      full_Ah: latest?.full_Ah ?? null,
      packs: packCounts[k],
      where: where[k]
    };
  });

  const allExtremes = emptyExtremes();
  const allWhere = noSources();
  works.forEach((w, p) => mergeFrom(allExtremes, allWhere, totalOf(w.flows, w.extremes), ids[p]));
  const allFlows = new FlowAccumulator();
  for (const f of flows) allFlows.add(f);
  const meanFulls = works.map((w) => totalFlowMean(w.flows)).filter((v): v is number => v !== null);
  const total = {
    ...allFlows.figures(meanFulls.length ? meanFulls.reduce((s, v) => s + v, 0) : null),
    ...allExtremes,
    full_Ah: capacity.length ? capacity[capacity.length - 1].full_Ah : null,
    packs: usable.filter((s) => s.length > 0).length,
    where: allWhere
  };

  const perPack = new Map<string, PackStats>();
  works.forEach((w, p) => {
    perPack.set(ids[p], {
      periods: buckets.map((b, k) => ({ key: b.key, start_ms: b.start_ms, end_ms: b.end_ms, ...w.flows[k].figures(), ...w.extremes[k] })),
      total: totalOf(w.flows, w.extremes),
      capacity: capacityOf(w.samples)
    });
  });
  return { periods, total, perPack, capacity };
}

function totalFlowMean(flows: readonly FlowAccumulator[]): number | null {
  const all = new FlowAccumulator();
  for (const f of flows) all.add(f);
  return all.meanFull_Ah;
}

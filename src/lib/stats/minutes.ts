// Statistics from the recorder's per-minute aggregates (storage keeps them for years; the rows of
// every poll only for weeks). Each minute already holds what cannot be got back from means: the
// energy and charge in and out and the seconds charging, discharging and idle, integrated between
// consecutive readings as the sample-based statistics do (trapezoid, no bridging of gaps longer than
// the recorder's 60 s), plus the minute's cell and temperature extremes and its last full capacity.
// So the day, week and month figures are sums and extremes of minutes, and they read months of a
// bank without a reading-by-reading pass.
//
// The bank's figures here are the sum of its packs: energy one pack passes to another counts as
// out of one and into the other (a parallel bank at rest levels its packs out through each other,
// a few watts; bankStats() over readings, which sums the packs' currents at each instant first,
// does not count it). The bank's time charging, discharging and idle is the packs' mean.

import { bucketsBetween, type Bucket } from './calendar';
import { bankCapacity, mergeFrom, noSources, type BankPeriodFigures, type BankStats, type ExtremeSources } from './bank';
import { emptyExtremes, FlowAccumulator, mergeExtremes, type ExtremeFigures } from './figures';
import type { CapacityPoint, PackStats } from './pack';
import { resolveOptions, type StatsOptions } from './sample';

/** Per-minute columns of one pack as storage hands them out (telemetry.minuteColumns), real units, NaN where missing. */
export interface MinuteColumns {
  rows: number;
  /** Minute start, Unix epoch ms. */
  t_ms: ArrayLike<number>;
  samples: ArrayLike<number>;
  charge_Wh: ArrayLike<number>;
  discharge_Wh: ArrayLike<number>;
  charge_Ah: ArrayLike<number>;
  discharge_Ah: ArrayLike<number>;
  charging_s: ArrayLike<number>;
  discharging_s: ArrayLike<number>;
  idle_s: ArrayLike<number>;
  cellMin_mV: ArrayLike<number>;
  cellMax_mV: ArrayLike<number>;
  spreadMax_mV: ArrayLike<number>;
  tempMin_C: ArrayLike<number>;
  tempMax_C: ArrayLike<number>;
  full_Ah: ArrayLike<number>;
}

/** The column names statistics read (storage's minute column names). */
export const MINUTE_STATS_COLUMNS = [
  'samples',
  'charge_Wh',
  'discharge_Wh',
  'charge_Ah',
  'discharge_Ah',
  'charging_s',
  'discharging_s',
  'idle_s',
  'cellMin_mV',
  'cellMax_mV',
  'spreadMax_mV',
  'tempMin_C',
  'tempMax_C',
  'full_Ah'
] as const;

const num = (v: number) => (Number.isNaN(v) ? null : v);

interface PackWork {
  flows: FlowAccumulator[];
  extremes: ExtremeFigures[];
  /** Last full capacity per bucket, by minute time (chunks may come out of time order). */
  lastFull: { t_ms: number; full_Ah: number }[];
  capacity: CapacityPoint[];
}

/**
 * Builds day / week / month statistics of the packs of a bank over a range from their minute
 * columns. Feed every pack's chunks (any order), then call result().
 */
export class MinuteStatsBuilder {
  readonly #buckets: Bucket[];
  readonly #packs = new Map<string, PackWork>();
  /** Per bucket: the distinct minutes any pack recorded (the bank's covered time). */
  readonly #minutes: Set<number>[];
  /** Per bucket: minute rows over all packs. */
  readonly #packMinutes: number[];

  constructor(from_ms: number, to_ms: number, options: StatsOptions) {
    const o = resolveOptions(options);
    this.#buckets = bucketsBetween(from_ms, to_ms, o);
    this.#minutes = this.#buckets.map(() => new Set<number>());
    this.#packMinutes = this.#buckets.map(() => 0);
  }

  #bucketOf(t: number): number {
    const b = this.#buckets;
    if (b.length === 0 || t < b[0].start_ms || t >= b[b.length - 1].end_ms) return -1;
    let lo = 0;
    let hi = b.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (b[mid].start_ms <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #pack(id: string): PackWork {
    let w = this.#packs.get(id);
    if (!w) {
      w = {
        flows: this.#buckets.map(() => new FlowAccumulator()),
        extremes: this.#buckets.map(() => emptyExtremes()),
        lastFull: this.#buckets.map(() => ({ t_ms: -Infinity, full_Ah: Number.NaN })),
        capacity: []
      };
      this.#packs.set(id, w);
    }
    return w;
  }

  /** One chunk of one pack's minutes. */
  add(pack: string, c: MinuteColumns): void {
    const w = this.#pack(pack);
    for (let r = 0; r < c.rows; r++) {
      const t = c.t_ms[r];
      const k = this.#bucketOf(t);
      if (k < 0 || !(c.samples[r] > 0)) continue;
      this.#minutes[k].add(t);
      this.#packMinutes[k]++;
      const f = w.flows[k];
      f.chargedWs += (c.charge_Wh[r] || 0) * 3600;
      f.dischargedWs += (c.discharge_Wh[r] || 0) * 3600;
      f.chargedAs += (c.charge_Ah[r] || 0) * 3600;
      f.dischargedAs += (c.discharge_Ah[r] || 0) * 3600;
      f.charging_ms += (c.charging_s[r] || 0) * 1000;
      f.discharging_ms += (c.discharging_s[r] || 0) * 1000;
      f.idle_ms += (c.idle_s[r] || 0) * 1000;
      const full = c.full_Ah[r];
      if (full > 0) {
        f.noteFull(full);
        if (t > w.lastFull[k].t_ms) w.lastFull[k] = { t_ms: t, full_Ah: full };
        w.capacity.push({ t_ms: t, full_Ah: full });
      }
      const e = w.extremes[k];
      e.samples += c.samples[r];
      const lower = (a: number | null, v: number) => (Number.isNaN(v) ? a : a === null ? v : Math.min(a, v));
      const higher = (a: number | null, v: number) => (Number.isNaN(v) ? a : a === null ? v : Math.max(a, v));
      e.cellMin_mV = lower(e.cellMin_mV, c.cellMin_mV[r]);
      e.cellMax_mV = higher(e.cellMax_mV, c.cellMax_mV[r]);
      e.cellSpreadMax_mV = higher(e.cellSpreadMax_mV, c.spreadMax_mV[r]);
      e.tempMin_C = lower(e.tempMin_C, c.tempMin_C[r]);
      e.tempMax_C = higher(e.tempMax_C, c.tempMax_C[r]);
    }
  }

  /** The figures, over the buckets from the first to the last that holds a minute. */
  result(): BankStats {
    const ids = [...this.#packs.keys()];
    const works = ids.map((id) => this.#packs.get(id)!);
    for (const w of works) {
      w.extremes.forEach((e, k) => (e.full_Ah = num(w.lastFull[k].full_Ah)));
      w.capacity.sort((a, b) => a.t_ms - b.t_ms);
      w.capacity = w.capacity.filter((p, i, all) => i === 0 || all[i - 1].full_Ah !== p.full_Ah);
    }
    const used = this.#buckets.map((_, k) => this.#minutes[k].size > 0);
    const first = used.indexOf(true);
    const last = used.lastIndexOf(true);
    const keep = first < 0 ? [] : this.#buckets.map((_, k) => k).slice(first, last + 1);

    const capacity = bankCapacity(works.map((w) => w.capacity));
    const periods: BankPeriodFigures[] = keep.map((k) => {
      const b = this.#buckets[k];
      const flow = new FlowAccumulator();
      const extremes = emptyExtremes();
      const where = noSources();
      let capacitySum = 0;
      let anyCapacity = false;
      let packs = 0;
      works.forEach((w, p) => {
        flow.add(w.flows[k]);
        if (w.extremes[k].samples > 0) packs++;
        mergeFrom(extremes, where, w.extremes[k], ids[p]);
        const full = w.flows[k].meanFull_Ah;
        if (full !== null) {
          capacitySum += full;
          anyCapacity = true;
        }
      });
      meanTimes(flow, this.#minutes[k].size, this.#packMinutes[k]);
      const latest = [...capacity].reverse().find((c) => c.t_ms < b.end_ms);
      return {
        key: b.key,
        start_ms: b.start_ms,
        end_ms: b.end_ms,
        ...flow.figures(anyCapacity ? capacitySum : null),
        ...extremes,
        full_Ah: latest?.full_Ah ?? null,
        packs,
        where
      };
    });

    const perPack = new Map<string, PackStats>();
    const allExtremes = emptyExtremes();
    const allWhere: ExtremeSources = noSources();
    const meanFulls: number[] = [];
    works.forEach((w, p) => {
      const total = new FlowAccumulator();
      for (const k of keep) total.add(w.flows[k]);
      const ext = keep.map((k) => w.extremes[k]).reduce(mergeExtremes, emptyExtremes());
      mergeFrom(allExtremes, allWhere, ext, ids[p]);
      if (total.meanFull_Ah !== null) meanFulls.push(total.meanFull_Ah);
      perPack.set(ids[p], {
        periods: keep.map((k) => ({
          key: this.#buckets[k].key,
          start_ms: this.#buckets[k].start_ms,
          end_ms: this.#buckets[k].end_ms,
          ...w.flows[k].figures(),
          ...w.extremes[k]
        })),
        total: { ...total.figures(), ...ext },
        capacity: w.capacity
      });
    });
    const bankFlow = new FlowAccumulator();
    for (const k of keep) for (const w of works) bankFlow.add(w.flows[k]);
    let minutes = 0;
    let packMinutes = 0;
    for (const k of keep) {
      minutes += this.#minutes[k].size;
      packMinutes += this.#packMinutes[k];
    }
    meanTimes(bankFlow, minutes, packMinutes);
    const total = {
      ...bankFlow.figures(meanFulls.length ? meanFulls.reduce((s, v) => s + v, 0) : null),
      ...allExtremes,
      full_Ah: capacity.length ? capacity[capacity.length - 1].full_Ah : null,
      packs: works.filter((w) => keep.some((k) => w.extremes[k].samples > 0)).length,
      where: allWhere
    };
    return { periods, total, perPack, capacity };
  }
}

/**
 * The bank's time classes from the packs' summed seconds: divided by the packs recorded per
 * minute (minute rows over distinct minutes), i.e. the packs' mean.
 */
function meanTimes(flow: FlowAccumulator, minutes: number, packMinutes: number): void {
  if (minutes <= 0 || packMinutes <= 0) return;
  const scale = minutes / packMinutes;
  flow.charging_ms *= scale;
  flow.discharging_ms *= scale;
  flow.idle_ms *= scale;
}

// Colour scales and grid models for the bank heatmaps. Cells are coloured by their deviation from
// the bank mean on a diverging scale (purple below, orange above, like the vendor tool's
// "orange: maximum"); temperatures by °C on a sequential scale. Only live values get a colour:
// a stale or offline pack is drawn hatched grey with a word, never in colours that look current.
// Pure: the Svelte components only render these models.

import { m } from '$lib/paraglide/messages';
import type { PackView } from '$lib/session/types';
import { sensorName } from './sensor-words';
import { formatDeviation, formatMillivolts, formatNumber, formatTemp, packName, UNIT_SEP } from './format';
import { freshnessWord, hasValues, isLive, packFreshness, type Freshness } from './freshness';
import { cellStats } from './pack-summary';

export type RGB = readonly [number, number, number];

/** ColorBrewer PuOr (7 classes), purple = below, near-white = at, orange = above the mean. */
export const DIVERGING: readonly RGB[] = [
  [0x54, 0x27, 0x88],
  [0x99, 0x8e, 0xc3],
  [0xd8, 0xda, 0xeb],
  [0xf7, 0xf7, 0xf7],
  [0xfe, 0xe0, 0xb6],
  [0xf1, 0xa3, 0x40],
  [0xb3, 0x58, 0x06]
];

/** A colour pinned to a value of the scale's own unit. */
export interface Stop {
  at: number;
  rgb: RGB;
}

/**
 * Temperature, pale to dark with rising °C: room temperature reads as calm cream, heat as orange
 * and the protection range (55 °C and up) as dark red. Lightness falls monotonically, so it stays
 * a sequential scale; the stops sit where LiFePO4 limits are, not evenly.
 */
export const TEMP_STOPS: readonly Stop[] = [
  { at: -10, rgb: [0xfb, 0xfc, 0xfe] },
  { at: 10, rgb: [0xfd, 0xf3, 0xd8] },
  { at: 25, rgb: [0xfd, 0xe2, 0xa6] },
  { at: 35, rgb: [0xfd, 0xb8, 0x63] },
  { at: 45, rgb: [0xf0, 0x7c, 0x2e] },
  { at: 55, rgb: [0xcc, 0x2a, 0x1a] },
  { at: 60, rgb: [0x8c, 0x0a, 0x12] }
];

/** The same colours evenly spaced, for gradients and tests. */
export const SEQUENTIAL: readonly RGB[] = TEMP_STOPS.map((s) => s.rgb);

/** Fixed temperature domain: a wall display must not change what "red" means as the day warms. */
const TEMP_DOMAIN_C: readonly [number, number] = [TEMP_STOPS[0].at, TEMP_STOPS[TEMP_STOPS.length - 1].at];

/** Half-ranges the cell scale snaps to, so the legend shows round numbers and a 2 mV bank stays pale. */
const CELL_HALF_RANGES_MV: readonly number[] = [10, 20, 50, 100, 200, 500, 1000];

function clamp01(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** Piecewise-linear interpolation through evenly spaced stops; t in 0..1 (clamped). */
export function interpolate(stops: readonly RGB[], t: number): RGB {
  const x = clamp01(Number.isFinite(t) ? t : 0.5) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** Piecewise-linear interpolation through stops at rising positions; clamped at both ends. */
export function interpolateAt(stops: readonly Stop[], value: number): RGB {
  if (!Number.isFinite(value) || value <= stops[0].at) return stops[0].rgb;
  const last = stops[stops.length - 1];
  if (value >= last.at) return last.rgb;
  let i = 0;
  while (value > stops[i + 1].at) i++;
  const a = stops[i];
  const b = stops[i + 1];
  const f = (value - a.at) / (b.at - a.at);
  return [
    Math.round(a.rgb[0] + (b.rgb[0] - a.rgb[0]) * f),
    Math.round(a.rgb[1] + (b.rgb[1] - a.rgb[1]) * f),
    Math.round(a.rgb[2] + (b.rgb[2] - a.rgb[2]) * f)
  ];
}

export function toHex(rgb: RGB): string {
  return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
}

/** WCAG 2 relative luminance. */
export function relativeLuminance(rgb: RGB): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
}

export function contrastRatio(a: RGB, b: RGB): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

const BLACK: RGB = [0, 0, 0];
const WHITE: RGB = [0xff, 0xff, 0xff];

/** Text colour with the better contrast on `fill` (at least 4.5:1 for any fill, by construction). */
export function inkFor(fill: RGB): string {
  return contrastRatio(fill, BLACK) >= contrastRatio(fill, WHITE) ? toHex(BLACK) : toHex(WHITE);
}

/** A CSS gradient that shows the palette left (low) to right (high). */
function cssGradient(stops: readonly RGB[]): string {
  return `linear-gradient(to right, ${stops.map((s, i) => `${toHex(s)} ${((i / (stops.length - 1)) * 100).toFixed(1)}%`).join(', ')})`;
}

/** The same for stops at their own positions within [lo, hi]. */
function cssGradientAt(stops: readonly Stop[], lo: number, hi: number): string {
  return `linear-gradient(to right, ${stops.map((s) => `${toHex(s.rgb)} ${(((s.at - lo) / (hi - lo)) * 100).toFixed(1)}%`).join(', ')})`;
}

export interface LegendTick {
  /** Position along the bar, 0..1. */
  at: number;
  label: string;
}

export interface Legend {
  title: string;
  gradient: string;
  ticks: LegendTick[];
  /** What hatched grey means, in words. */
  note: string;
}

/** A background and the text colour that reads on it, as CSS hex strings. */
export interface Swatch {
  fill: string;
  ink: string;
}

function swatchOf(rgb: RGB): Swatch {
  return { fill: toHex(rgb), ink: inkFor(rgb) };
}

/**
 * Swatches of a palette at `steps` + 1 even positions, built once: a bank heatmap asks for a few
 * hundred colours a second, and the contrast maths (powers) is the costly part.
 */
function swatchTable(colourAt: (t: number) => RGB, steps: number): Swatch[] {
  return Array.from({ length: steps + 1 }, (_, i) => swatchOf(colourAt(i / steps)));
}

const DIVERGING_STEPS = 256;
let divergingTable: Swatch[] | null = null;
const TEMP_STEPS_PER_C = 10;
let tempTable: Swatch[] | null = null;

export interface CellScale {
  mean_mV: number;
  halfRange_mV: number;
  colour(mV: number): RGB;
  /** colour() as CSS with its ink, from a table (1/256 of the range resolution). */
  swatch(mV: number): Swatch;
  legend: Legend;
}

/** Smallest round half-range that covers the largest deviation from the mean. */
export function cellHalfRange(maxAbsDeviation_mV: number): number {
  for (const r of CELL_HALF_RANGES_MV) if (maxAbsDeviation_mV <= r) return r;
  return CELL_HALF_RANGES_MV[CELL_HALF_RANGES_MV.length - 1];
}

export function cellScale(mean_mV: number, maxAbsDeviation_mV: number): CellScale {
  const half = cellHalfRange(maxAbsDeviation_mV);
  return {
    mean_mV,
    halfRange_mV: half,
    colour: (mV) => interpolate(DIVERGING, 0.5 + (mV - mean_mV) / (2 * half)),
    swatch: (mV) => {
      divergingTable ??= swatchTable((t) => interpolate(DIVERGING, t), DIVERGING_STEPS);
      const t = clamp01(0.5 + (mV - mean_mV) / (2 * half));
      return divergingTable[Math.round(t * DIVERGING_STEPS)];
    },
    legend: {
      title: m.monitor_cell_legend(),
      gradient: cssGradient(DIVERGING),
      ticks: [
        { at: 0, label: formatDeviation(-half, 'mV') },
        { at: 0.5, label: m.monitor_legend_mean({ value: formatMillivolts(mean_mV) }) },
        { at: 1, label: formatDeviation(half, 'mV') }
      ],
      note: m.monitor_legend_stale()
    }
  };
}

export interface TempScale {
  colour(temp_C: number): RGB;
  /** colour() as CSS with its ink, from a table at 0.1 °C resolution. */
  swatch(temp_C: number): Swatch;
  legend: Legend;
}

/** Temperature scale over TEMP_STOPS; ticks at the stops that matter, edges marked as open-ended. */
export function tempScale(): TempScale {
  const [lo, hi] = TEMP_DOMAIN_C;
  const tickAt = [-10, 10, 25, 45, 60];
  const ticks: LegendTick[] = tickAt.map((t) => {
    const edge = t === lo ? '≤\u2009' : t === hi ? '≥\u2009' : '';
    return { at: (t - lo) / (hi - lo), label: `${edge}${formatNumber(t, 0)}${UNIT_SEP}°C` };
  });
  return {
    colour: (temp_C) => interpolateAt(TEMP_STOPS, temp_C),
    swatch: (temp_C) => {
      const span = hi - lo;
      tempTable ??= swatchTable((t) => interpolateAt(TEMP_STOPS, lo + t * span), span * TEMP_STEPS_PER_C);
      const t = clamp01((temp_C - lo) / span);
      return tempTable[Math.round(t * span * TEMP_STEPS_PER_C)];
    },
    legend: { title: m.monitor_temp_legend(), gradient: cssGradientAt(TEMP_STOPS, lo, hi), ticks, note: m.monitor_legend_stale() }
  };
}

export type HeatCellState =
  | Freshness
  /** The pack has fewer cells / sensors than the widest pack of the bank. */
  | 'absent'
  /** The sensor reads 0x8000: not fitted. */
  | 'unfitted';

export interface HeatCell {
  key: string;
  state: HeatCellState;
  value: number | null;
  /** Shown inside the cell. */
  text: string;
  /** Background; null means hatched grey (not a live value). */
  fill: string | null;
  ink: string | null;
  /** Full sentence for the tooltip and screen readers. */
  label: string;
  balancing: boolean;
  /** Highest / lowest cell of its own pack (the vendor tool's orange / green). */
  extreme: 'max' | 'min' | null;
}

export interface HeatRow {
  address: number;
  name: string;
  isMaster: boolean;
  freshness: Freshness;
  /** "Master", "Slave", plus the freshness word when not live. */
  note: string;
  cells: HeatCell[];
}

export interface HeatColumn {
  key: string;
  label: string;
  title: string;
}

export interface HeatGrid {
  columns: HeatColumn[];
  rows: HeatRow[];
  legend: Legend;
  /**
   * What the grid shows, in a sentence. Changes only when packs come and go or the scale steps,
   * not on every refresh, so it costs no relayout per refresh.
   */
  summary: string;
  /** The one figure that does move every refresh ("Bank mean", "3296 mV"); null when none is live. */
  highlight: { label: string; value: string } | null;
}

type GridPack = Pick<PackView, 'address' | 'isMaster' | 'analog' | 'status' | 'fresh' | 'health' | 'received_ms'>;

function rowNote(isMaster: boolean, f: Freshness): string {
  const role = isMaster ? m.monitor_master() : m.monitor_slave();
  return isLive(f) ? role : m.monitor_row_note({ role, freshness: freshnessWord(f).toLocaleLowerCase() });
}

/**
 * A cell whose sentence is written only when read (the tooltip under the pointer): a refresh
 * builds ~350 cells, and formatting a sentence for each was a fifth of the overview's JS.
 */
class DescribedCell implements HeatCell {
  readonly key: string;
  readonly state: HeatCellState;
  readonly value: number | null;
  readonly text: string;
  readonly fill: string | null;
  readonly ink: string | null;
  readonly balancing: boolean;
  readonly extreme: 'max' | 'min' | null;
  #describe: () => string;

  constructor(cell: Omit<HeatCell, 'label'>, describe: () => string) {
    this.key = cell.key;
    this.state = cell.state;
    this.value = cell.value;
    this.text = cell.text;
    this.fill = cell.fill;
    this.ink = cell.ink;
    this.balancing = cell.balancing;
    this.extreme = cell.extreme;
    this.#describe = describe;
  }

  get label(): string {
    return this.#describe();
  }
}

function blankCell(key: string, state: HeatCellState, label: string): HeatCell {
  return { key, state, value: null, text: '', fill: null, ink: null, label, balancing: false, extreme: null };
}

/** The pack × cell grid of the whole bank. */
export function buildCellGrid(packs: readonly GridPack[]): HeatGrid {
  let columnCount = 0;
  let sum = 0;
  let n = 0;
  const freshness = packs.map((p) => packFreshness(p));
  packs.forEach((p, i) => {
    const cells = p.analog?.cells_mV ?? [];
    if (hasValues(freshness[i])) columnCount = Math.max(columnCount, cells.length);
    if (!isLive(freshness[i])) return;
    for (const v of cells) {
      sum += v;
      n++;
    }
  });
  if (columnCount === 0) columnCount = 16;
  const mean = n > 0 ? sum / n : 0;
  let maxDev = 0;
  packs.forEach((p, i) => {
    if (!isLive(freshness[i])) return;
    for (const v of p.analog?.cells_mV ?? []) maxDev = Math.max(maxDev, Math.abs(v - mean));
  });
  const scale = cellScale(mean, maxDev);

  const columns: HeatColumn[] = [];
  for (let c = 1; c <= columnCount; c++) columns.push({ key: `c${c}`, label: String(c), title: m.monitor_cell_n({ n: String(c) }) });

  const rows: HeatRow[] = packs.map((p, i) => {
    const f = freshness[i];
    const name = packName(p.address);
    const cells_mV = hasValues(f) ? (p.analog?.cells_mV ?? []) : [];
    const stats = cellStats(cells_mV);
    const balancing = new Set(p.status?.balancingCells ?? []);
    const cells: HeatCell[] = columns.map((col, ci) => {
      const where = () => m.monitor_where_cell({ pack: name, n: String(ci + 1) });
      if (f === 'offline' || f === 'nodata')
        return blankCell(col.key, f, m.monitor_cell_is({ where: where(), what: freshnessWord(f).toLocaleLowerCase() }));
      if (ci >= cells_mV.length) return blankCell(col.key, 'absent', m.monitor_cell_is({ where: where(), what: m.monitor_no_such_cell() }));
      const v = cells_mV[ci];
      const extreme = stats && stats.spread_mV > 0 ? (v === stats.max_mV ? 'max' : v === stats.min_mV ? 'min' : null) : null;
      const bal = balancing.has(ci + 1);
      const extras = () =>
        [extreme === 'max' ? m.monitor_extra_highest() : extreme === 'min' ? m.monitor_extra_lowest() : '', bal ? m.monitor_extra_balancing() : '']
          .filter(Boolean)
          .map((x) => m.monitor_card_join() + x)
          .join('');
      if (f === 'stale') {
        return new DescribedCell(
          { key: col.key, state: f, value: v, text: String(v), fill: null, ink: null, balancing: bal, extreme },
          () => m.monitor_cell_is({ where: where(), what: m.monitor_value_stale({ value: formatMillivolts(v) }) }) + extras()
        );
      }
      const sw = scale.swatch(v);
      return new DescribedCell(
        { key: col.key, state: f, value: v, text: String(v), fill: sw.fill, ink: sw.ink, balancing: bal, extreme },
        () =>
          m.monitor_cell_is({
            where: where(),
            what: m.monitor_value_from_mean({ value: formatMillivolts(v), deviation: formatDeviation(v - mean, 'mV') })
          }) + extras()
      );
    });
    return { address: p.address, name, isMaster: p.isMaster, freshness: f, note: rowNote(p.isMaster, f), cells };
  });

  const live = freshness.filter(isLive).length;
  const summary =
    n > 0
      ? m.monitor_cell_summary({
          live: String(live),
          total: String(packs.length),
          low: formatDeviation(-scale.halfRange_mV, 'mV'),
          high: formatDeviation(scale.halfRange_mV, 'mV')
        })
      : m.monitor_cell_summary_none({ total: String(packs.length) });
  const highlight = n > 0 ? { label: m.monitor_bank_mean(), value: formatMillivolts(mean) } : null;
  return { columns, rows, legend: scale.legend, summary, highlight };
}

/** The pack × temperature-sensor grid of the whole bank. */
export function buildTempGrid(packs: readonly GridPack[]): HeatGrid {
  const scale = tempScale();
  const freshness = packs.map((p) => packFreshness(p));
  const labels: (string | undefined)[] = [];
  let sensors = 0;
  packs.forEach((p, i) => {
    if (!hasValues(freshness[i]) || !p.analog) return;
    sensors = Math.max(sensors, p.analog.temps_C.length);
    p.analog.temps_C.forEach((_, s) => {
      labels[s] ??= p.analog?.tempLabels[s];
    });
  });
  const columns: HeatColumn[] = Array.from({ length: sensors }, (_, s) => ({
    key: `t${s}`,
    label: sensorName(labels[s], s, true),
    title: sensorName(labels[s], s)
  }));

  let hottest = -Infinity;
  const rows: HeatRow[] = packs.map((p, i) => {
    const f = freshness[i];
    const name = packName(p.address);
    const temps = hasValues(f) ? (p.analog?.temps_C ?? []) : [];
    const cells: HeatCell[] = columns.map((col, s) => {
      const where = m.monitor_where_sensor({ pack: name, sensor: col.title });
      if (f === 'offline' || f === 'nodata') return blankCell(col.key, f, m.monitor_cell_is({ where, what: freshnessWord(f).toLocaleLowerCase() }));
      if (s >= temps.length) return blankCell(col.key, 'absent', m.monitor_cell_is({ where, what: m.monitor_no_such_sensor() }));
      const t = temps[s];
      if (t === null)
        return { ...blankCell(col.key, 'unfitted', m.monitor_cell_is({ where, what: m.monitor_not_fitted() })), text: m.monitor_not_fitted_short() };
      const text = formatNumber(t, 1);
      if (f === 'stale')
        return new DescribedCell({ key: col.key, state: f, value: t, text, fill: null, ink: null, balancing: false, extreme: null }, () =>
          m.monitor_cell_is({ where, what: m.monitor_value_stale({ value: formatTemp(t) }) })
        );
      hottest = Math.max(hottest, t);
      const sw = scale.swatch(t);
      return new DescribedCell({ key: col.key, state: f, value: t, text, fill: sw.fill, ink: sw.ink, balancing: false, extreme: null }, () =>
        m.monitor_cell_is({ where, what: formatTemp(t) })
      );
    });
    return { address: p.address, name, isMaster: p.isMaster, freshness: f, note: rowNote(p.isMaster, f), cells };
  });

  const live = freshness.filter(isLive).length;
  const any = Number.isFinite(hottest);
  const summary = any
    ? m.monitor_packs_live_sentence({ live: String(live), total: String(packs.length) })
    : m.monitor_temp_summary_none({ total: String(packs.length) });
  const highlight = any ? { label: m.monitor_hottest_live(), value: formatTemp(hottest) } : null;
  return { columns, rows, legend: scale.legend, summary, highlight };
}

// The uPlot side of the trends. Loaded only by a dynamic import from Trend.svelte, so uPlot and
// its CSS stay out of the first page's bundle. One small chart per panel (the quantities have
// different units); the x axis of all panels moves together, whether by drag-zoom or by a range
// button, and double-click asks the owner to go back to the selected range.
//
// Zoom is ours, not uPlot's: uPlot applies scale changes in a later microtask, so a flag around
// our own setScale calls cannot tell them from a user's drag. Instead uPlot only draws the drag
// selection (drag.setScale off) and its setSelect hook, which fires on mouse-up only, zooms.
//
// Recorded data comes in buckets: each series then has a band behind its line, from the lowest to
// the highest value in the bucket, so a spike survives a week-long view. The band's two edges are
// series of their own, shown only while there is recorded data (hidden series cost no drawing).

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { withGaps } from '$lib/session/trend-buffer';
import type { TrendData } from './trend-data';
import { m } from '$lib/paraglide/messages';
import { formatDate, formatDateTime, formatNumber, formatTime } from './format';
import { PANELS, type TimeWindow } from './trend-view';

export interface TrendChartsOptions {
  /** Added to session-clock ms to get Unix epoch ms, for wall-clock labels on the time axis. */
  epochOffset_ms: number;
  /** Height of each panel's plot area in CSS px. Default 150. */
  height?: number;
  /** Called when a drag-zoom starts or a reset ends the zoom. */
  onZoom?: (zoomed: boolean) => void;
  /** Double-click on a plot: the owner decides what "reset" means (back to the range window). */
  onResetRequest?: () => void;
}

type Data = uPlot.AlignedData;

export class TrendCharts {
  #plots: uPlot[] = [];
  #targets: HTMLElement[];
  #opts: TrendChartsOptions;
  #zoomed = false;

  #banded = false;

  constructor(targets: HTMLElement[], trend: TrendData, win: TimeWindow, opts: TrendChartsOptions) {
    if (targets.length !== PANELS.length) throw new RangeError(`need ${PANELS.length} chart targets, got ${targets.length}`);
    this.#targets = targets;
    this.#opts = opts;
    const x = this.#x(trend.cols);
    this.#banded = trend.recordedPoints > 0;
    const ink = getComputedStyle(targets[0]).color || '#0b1620';
    const grid = 'rgba(128,128,128,0.25)';
    // Every width is read before the first plot is built: reading one after a plot went into the
    // page would force a layout per panel.
    const widths = PANELS.map((_, i) => this.#width(i));
    const height = opts.height ?? 150;
    this.#plots = PANELS.map((panel, i) => {
      const n = panel.series.length;
      const data: Data = [x, ...TrendCharts.#columns(panel.series, trend)];
      const plotOpts: uPlot.Options = {
        width: widths[i],
        height,
        legend: { show: true, live: true },
        cursor: {
          drag: { x: true, y: false, setScale: false },
          bind: {
            dblclick: () => () => {
              this.#opts.onResetRequest?.();
              return null;
            }
          }
        },
        scales: { x: { time: true }, y: panel.id === 'soc' ? { range: [0, 100] } : { auto: true } },
        axes: [
          {
            stroke: ink,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid },
            // Wall-clock labels in the app's language, 24-hour: seconds while ticks are closer than a
            // minute, dates once they are days apart.
            values: (_u, splits, _axis, _space, incr) => splits.map((s) => (incr >= 86_400 ? formatDate(s * 1000) : formatTime(s * 1000, incr < 60)))
          },
          {
            stroke: ink,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid },
            // Room for "−120.0 A" / "52.75 V" at the axis font.
            size: 78,
            values: (_u, vals) => vals.map((v) => `${formatNumber(v, panel.decimals)} ${panel.unit}`)
          }
        ],
        series: [
          { label: m.pack_trend_time(), value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatDateTime(v * 1000)) },
          ...panel.series.map((s) => ({
            label: s.label(),
            stroke: s.colour,
            width: 2,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${formatNumber(v, panel.decimals)} ${panel.unit}`)
          })),
          // Band edges: after the lines, so the lines keep their places (legend, tests).
          ...panel.series.flatMap((s) =>
            (['lowest', 'highest'] as const).map((edge) => ({
              label: edge === 'lowest' ? m.pack_trend_band_lowest({ series: s.label() }) : m.pack_trend_band_highest({ series: s.label() }),
              class: 'band-edge',
              show: this.#banded,
              stroke: `${s.colour}66`,
              width: 1,
              spanGaps: false
            }))
          )
        ],
        // Series 1..n are the lines; n+1+2i is line i's lowest, n+2+2i its highest.
        bands: panel.series.map((s, i) => ({ series: [n + 2 + 2 * i, n + 1 + 2 * i] as [number, number], fill: `${s.colour}33` })),
        hooks: {
          setSelect: [
            (u: uPlot) => {
              const { left, width } = u.select;
              // A click is not a zoom.
              if (width < 3) return;
              const min = u.posToVal(left, 'x');
              const max = u.posToVal(left + width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              this.#setAllX(min, max);
              if (!this.#zoomed) {
                this.#zoomed = true;
                this.#opts.onZoom?.(true);
              }
            }
          ]
        }
      };
      return new uPlot(plotOpts, data, targets[i]);
    });
    this.setWindow(win);
  }

  /** The lines' columns, then each line's lowest and highest. */
  static #columns(series: (typeof PANELS)[number]['series'], trend: TrendData): Data[number][] {
    return [...series.map((s) => withGaps(trend.cols[s.key])), ...series.flatMap((s) => [withGaps(trend.lo[s.key]), withGaps(trend.hi[s.key])])];
  }

  /** New samples. Keeps a user zoom; otherwise follows `win`. */
  setData(trend: TrendData, win: TimeWindow): void {
    const x = this.#x(trend.cols);
    const keep = this.#zoomed ? ([this.#plots[0].scales.x.min, this.#plots[0].scales.x.max] as const) : null;
    const banded = trend.recordedPoints > 0;
    PANELS.forEach((panel, i) => {
      const plot = this.#plots[i];
      plot.setData([x, ...TrendCharts.#columns(panel.series, trend)], false);
      if (banded !== this.#banded) {
        const n = panel.series.length;
        for (let j = n + 1; j <= 3 * n; j++) plot.setSeries(j, { show: banded });
      }
    });
    this.#banded = banded;
    if (keep && keep[0] != null && keep[1] != null) this.#setAllX(keep[0], keep[1]);
    else this.setWindow(win);
  }

  /** Show exactly this window and end any user zoom. */
  setWindow(win: TimeWindow): void {
    const off = this.#opts.epochOffset_ms;
    this.#setAllX((win.from_ms + off) / 1000, (win.to_ms + off) / 1000);
    if (this.#zoomed) {
      this.#zoomed = false;
      this.#opts.onZoom?.(false);
    }
  }

  /** Re-measure the panels (after a layout change). */
  resize(): void {
    const widths = this.#plots.map((_, i) => this.#width(i));
    this.#plots.forEach((p, i) => {
      const width = widths[i];
      // A ResizeObserver reports every observed box once when observation starts: redrawing
      // 17,280 points per series for a size that did not change would cost a whole draw.
      if (width !== p.width) p.setSize({ width, height: p.height });
    });
  }

  destroy(): void {
    for (const p of this.#plots) p.destroy();
    this.#plots = [];
  }

  #setAllX(min: number, max: number): void {
    for (const p of this.#plots) p.setScale('x', { min, max });
  }

  #x(cols: TrendData['cols']): Float64Array {
    const off = this.#opts.epochOffset_ms;
    const x = new Float64Array(cols.t_ms.length);
    for (let i = 0; i < x.length; i++) x[i] = (cols.t_ms[i] + off) / 1000;
    return x;
  }

  #width(i: number): number {
    return Math.max(200, Math.floor(this.#targets[i].clientWidth));
  }
}

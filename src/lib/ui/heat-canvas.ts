// Draws a HeatGrid's cells on a canvas. A 16 x 16 bank heatmap changes almost every cell on every
// refresh; as DOM that is ~800 dirty layout objects and ~300 style recalcs per second, on a canvas
// it is one draw call per cell. The painter runs in a worker where the browser can hand it the
// canvas (heat-surface.ts), else on the main thread. The numbers stay text for assistive
// technology in the canvas's fallback table (FallbackTable, below). Browser-only.

import type { HeatCell, HeatGrid } from './heatmap';

export interface HeatGeometry {
  /** CSS px. */
  colWidth: number;
  rowHeight: number;
}

/** Colours that follow the page theme, read from CSS custom properties. */
export interface HeatTheme {
  hatchA: string;
  hatchB: string;
  staleInk: string;
  gap: string;
  font: string;
}

export const BALANCE_MARK = '#d4a106';

export function readTheme(el: Element): HeatTheme {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return {
    hatchA: v('--stale-bg', '#e8eaed'),
    hatchB: v('--border-soft', '#c5ccd3'),
    staleInk: v('--stale', '#4d5761'),
    gap: v('--bg', '#ffffff'),
    font: cs.fontFamily || 'system-ui, sans-serif'
  };
}

/** Which cell a point (CSS px inside the canvas) falls on. */
export function cellAt(grid: HeatGrid, geo: HeatGeometry, x: number, y: number): { row: number; col: number } | null {
  const row = Math.floor(y / geo.rowHeight);
  const col = Math.floor(x / geo.colWidth);
  if (row < 0 || row >= grid.rows.length || col < 0 || col >= grid.columns.length) return null;
  return { row, col };
}

/** What the painter needs of one cell: no sentences, so it posts cheaply to a worker. */
export type PaintCell = Pick<HeatCell, 'state' | 'fill' | 'ink' | 'text' | 'balancing'>;

/** What the painter needs of a grid. */
export interface PaintGrid {
  cols: number;
  rows: { freshness: HeatGrid['rows'][number]['freshness']; cells: PaintCell[] }[];
}

export function toPaintGrid(grid: HeatGrid): PaintGrid {
  return {
    cols: grid.columns.length,
    rows: grid.rows.map((row) => ({
      freshness: row.freshness,
      cells: row.cells.map((c) => ({ state: c.state, fill: c.fill, ink: c.ink, text: c.text, balancing: c.balancing }))
    }))
  };
}

// A grid as one string for the paint worker: posting a string is a copy of its bytes, while
// posting ~350 small objects cost 0.2 ms per grid with spikes past 3 ms (measured here).
const FIELD = '\u001f';
const RECORD = '\u001e';
const ROW = '\u001d';

export function encodePaintGrid(grid: HeatGrid): string {
  let out = String(grid.columns.length);
  for (const row of grid.rows) {
    out += ROW + row.freshness;
    for (const c of row.cells)
      out += RECORD + c.state + FIELD + (c.fill ?? '') + FIELD + (c.ink ?? '') + FIELD + c.text + FIELD + (c.balancing ? '1' : '');
  }
  return out;
}

export function decodePaintGrid(encoded: string): PaintGrid {
  const [cols, ...rows] = encoded.split(ROW);
  return {
    cols: Number(cols),
    rows: rows.map((row) => {
      const [freshness, ...cells] = row.split(RECORD);
      return {
        freshness: freshness as PaintGrid['rows'][number]['freshness'],
        cells: cells.map((cell) => {
          const [state, fill, ink, text, balancing] = cell.split(FIELD);
          return { state: state as PaintCell['state'], fill: fill || null, ink: ink || null, text, balancing: balancing === '1' };
        })
      };
    })
  };
}

/** The canvas's CSS size for a grid. */
export function canvasSize(grid: { cols: number; rows: readonly unknown[] }, geo: HeatGeometry): { width: number; height: number } {
  return { width: grid.cols * geo.colWidth, height: grid.rows.length * geo.rowHeight };
}

type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/**
 * A small bitmap to draw a glyph or the hatch tile on: an OffscreenCanvas where there is one (also
 * in a worker, which has no document), else a detached <canvas>.
 */
function scratch(width_px: number, height_px: number): { canvas: OffscreenCanvas | HTMLCanvasElement; ctx: Ctx2D | null } {
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(width_px, height_px);
    return { canvas, ctx: canvas.getContext('2d') };
  }
  const canvas = document.createElement('canvas');
  canvas.width = width_px;
  canvas.height = height_px;
  return { canvas, ctx: canvas.getContext('2d') };
}

function hatch(ctx: Ctx2D, theme: HeatTheme, dpr: number): CanvasPattern | string {
  const size = Math.round(7 * dpr);
  const { canvas: tile, ctx: t } = scratch(size, size);
  if (!t) return theme.hatchA;
  t.fillStyle = theme.hatchA;
  t.fillRect(0, 0, size, size);
  t.strokeStyle = theme.hatchB;
  t.lineWidth = 2 * dpr;
  t.beginPath();
  // Diagonal stripes that meet across tile edges.
  t.moveTo(-1, size + 1);
  t.lineTo(size + 1, -1);
  t.moveTo(-1, 1);
  t.lineTo(1, -1);
  t.moveTo(size - 1, size + 1);
  t.lineTo(size + 1, size - 1);
  t.stroke();
  return ctx.createPattern(tile, 'repeat') ?? theme.hatchA;
}

interface Glyph {
  image: OffscreenCanvas | HTMLCanvasElement;
  /** CSS px. */
  width: number;
  height: number;
}

/** Glyph cache bound: a bank shows a few hundred distinct numbers; this is many times that. */
const MAX_GLYPHS = 4000;

/**
 * Each distinct text in each font, colour and pixel ratio is rasterised once and then copied:
 * fillText shapes the string every time and was most of the cost of a repaint. Shared by every
 * painter of this thread and kept across pages, so opening the overview again starts warm.
 */
const glyphCache = new Map<string, Glyph>();

/**
 * Paints a PaintGrid on a canvas, on the main thread or (with an OffscreenCanvas) in a worker:
 * it reads no document and no globals, so theme and device pixel ratio come in as arguments.
 */
export class HeatPainter {
  #canvas: HTMLCanvasElement | OffscreenCanvas;
  #ctx: Ctx2D;
  #pattern: CanvasPattern | string | null = null;
  #dpr = 1;
  #theme: HeatTheme;
  #glyphs = glyphCache;
  /** What each cell showed after the last paint; unchanged cells are not painted again. */
  #shown: string[] = [];
  #shownCols = -1;

  constructor(canvas: HTMLCanvasElement | OffscreenCanvas, theme: HeatTheme) {
    const ctx = canvas.getContext('2d', { alpha: false }) as Ctx2D | null;
    if (!ctx) throw new Error('2D canvas is not available');
    this.#canvas = canvas;
    this.#ctx = ctx;
    this.#theme = theme;
  }

  /** After a theme switch: everything is painted again in the new colours. */
  retheme(theme: HeatTheme): void {
    this.#theme = theme;
    this.#pattern = null;
    this.#shown = [];
  }

  draw(grid: PaintGrid, geo: HeatGeometry, balancing: boolean, dpr: number): void {
    const { width: w, height: h } = canvasSize(grid, geo);
    const pw = Math.round(w * dpr);
    const ph = Math.round(h * dpr);
    const ctx = this.#ctx;
    if (this.#canvas.width !== pw || this.#canvas.height !== ph || dpr !== this.#dpr) {
      this.#canvas.width = pw;
      this.#canvas.height = ph;
      this.#dpr = dpr;
      this.#pattern = null;
      this.#shown = [];
    }
    if (this.#shownCols !== grid.cols) {
      this.#shown = [];
      this.#shownCols = grid.cols;
    }
    const theme = this.#theme;
    if (!this.#pattern) this.#pattern = hatch(ctx, theme, dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (this.#shown.length === 0) {
      ctx.fillStyle = theme.gap;
      ctx.fillRect(0, 0, w, h);
    }
    const cols = grid.cols;
    grid.rows.forEach((row, r) => {
      const y = r * geo.rowHeight;
      if (row.freshness === 'offline' || row.freshness === 'nodata') {
        const sig = `row:${row.freshness}`;
        if (this.#shown[r * cols] === sig) return;
        for (let c = 0; c < cols; c++) this.#shown[r * cols + c] = sig;
        // Across the column gaps, which must come back when the pack does.
        ctx.fillStyle = this.#pattern!;
        ctx.fillRect(0, y, w, geo.rowHeight - 1);
        this.#text(row.freshness === 'offline' ? 'Offline' : 'No data yet', 'bold', theme.staleInk, 10, y, 0, geo.rowHeight - 1, 'left');
        return;
      }
      if (this.#shown[r * cols]?.startsWith('row:')) {
        // The pack is back: restore the column gaps its blank row covered.
        ctx.fillStyle = theme.gap;
        ctx.fillRect(0, y, w, geo.rowHeight);
        for (let c = 0; c < cols; c++) this.#shown[r * cols + c] = '';
      }
      row.cells.forEach((cell, c) => {
        const sig = `${cell.state}|${cell.fill}|${cell.ink}|${cell.text}|${balancing && cell.balancing}`;
        if (this.#shown[r * cols + c] === sig) return;
        this.#shown[r * cols + c] = sig;
        this.#cell(cell, c * geo.colWidth, y, geo, balancing);
      });
    });
  }

  #cell(cell: PaintCell, x: number, y: number, geo: HeatGeometry, balancing: boolean): void {
    const ctx = this.#ctx;
    // The 1 px gaps right and below were painted with the first full paint and are never touched.
    const cw = geo.colWidth - 1;
    const ch = geo.rowHeight - 1;
    const plain = cell.fill === null;
    ctx.fillStyle = plain ? this.#pattern! : cell.fill!;
    ctx.fillRect(x, y, cw, ch);
    if (cell.text) {
      const ink = plain ? this.#theme.staleInk : (cell.ink ?? '#000000');
      this.#text(cell.text, cell.state === 'stale' ? 'italic' : 'semibold', ink, x, y, cw, ch, 'center');
    }
    if (balancing && cell.balancing) {
      ctx.fillStyle = BALANCE_MARK;
      ctx.fillRect(x, y + ch - 4, cw, 4);
    }
  }

  #text(
    text: string,
    style: 'semibold' | 'bold' | 'italic',
    ink: string,
    x: number,
    y: number,
    cw: number,
    ch: number,
    align: 'center' | 'left'
  ): void {
    const key = `${this.#dpr}|${this.#theme.font}|${style}|${ink}|${text}`;
    let g = this.#glyphs.get(key);
    if (!g) {
      if (this.#glyphs.size >= MAX_GLYPHS) this.#glyphs.clear();
      g = this.#rasterise(text, style, ink);
      this.#glyphs.set(key, g);
    }
    const gx = align === 'center' ? x + (cw - g.width) / 2 : x;
    this.#ctx.drawImage(g.image, Math.round(gx), Math.round(y + (ch - g.height) / 2), g.width, g.height);
  }

  #rasterise(text: string, style: 'semibold' | 'bold' | 'italic', ink: string): Glyph {
    const dpr = this.#dpr;
    const font = `${style === 'italic' ? 'italic 400' : style === 'bold' ? '700' : '600'} 14px ${this.#theme.font}`;
    this.#ctx.font = font;
    const width = Math.ceil(this.#ctx.measureText(text).width) + 2;
    const height = 18;
    const { canvas: image, ctx: t } = scratch(Math.max(1, Math.round(width * dpr)), Math.round(height * dpr));
    if (t) {
      t.scale(dpr, dpr);
      t.font = font;
      t.fillStyle = ink;
      t.textBaseline = 'middle';
      t.fillText(text, 1, height / 2 + 1);
    }
    return { image, width, height };
  }
}

/** What a fallback table cell says: the value, and "stale" / "balancing" in words. */
export function fallbackText(cell: HeatCell, balancing: boolean): string {
  return `${cell.text}${cell.state === 'stale' ? ' (stale)' : ''}${balancing && cell.balancing ? ' balancing' : ''}`;
}

/**
 * Keeps the canvas's fallback <table> (the heatmap's numbers as text for assistive technology)
 * in step with the grid. Written directly rather than through Svelte's keyed blocks: ~350 cells
 * change every second, and here a refresh costs one text write per changed cell and nothing else.
 */
export class FallbackTable {
  readonly table: HTMLTableElement;
  #shape = '';
  #texts: Text[][] = [];
  /** What each text node holds: compared here, not by reading ~350 nodes back from the DOM. */
  #written: string[][] = [];

  constructor(table: HTMLTableElement) {
    this.table = table;
  }

  sync(grid: HeatGrid, balancing: boolean, offlineWord: (f: 'offline' | 'nodata') => string): void {
    const shape = `${grid.columns.map((c) => c.key).join(',')}|${grid.rows.map((r) => `${r.address}:${r.freshness === 'offline' || r.freshness === 'nodata' ? 'x' : 'v'}`).join(',')}`;
    if (shape !== this.#shape) this.#build(grid, shape);
    grid.rows.forEach((row, r) => {
      const texts = this.#texts[r];
      const written = this.#written[r];
      const set = (i: number, value: string) => {
        if (written[i] === value) return;
        written[i] = value;
        texts[i].data = value;
      };
      const blank = row.freshness === 'offline' || row.freshness === 'nodata';
      set(0, `${row.name} (${row.note})`);
      if (blank) set(1, offlineWord(row.freshness as 'offline' | 'nodata'));
      else row.cells.forEach((cell, c) => set(c + 1, fallbackText(cell, balancing)));
    });
  }

  #build(grid: HeatGrid, shape: string): void {
    const doc = this.table.ownerDocument;
    const head = doc.createElement('thead');
    const hr = head.insertRow();
    const corner = doc.createElement('th');
    corner.scope = 'col';
    corner.textContent = 'Pack';
    hr.append(corner);
    for (const col of grid.columns) {
      const th = doc.createElement('th');
      th.scope = 'col';
      th.textContent = col.title;
      hr.append(th);
    }
    const body = doc.createElement('tbody');
    this.#texts = grid.rows.map((row) => {
      const tr = body.insertRow();
      tr.dataset.address = String(row.address);
      const th = doc.createElement('th');
      th.scope = 'row';
      const texts = [th.appendChild(doc.createTextNode(''))];
      tr.append(th);
      const blank = row.freshness === 'offline' || row.freshness === 'nodata';
      const n = blank ? 1 : grid.columns.length;
      for (let c = 0; c < n; c++) {
        const td = tr.insertCell();
        if (blank) td.colSpan = grid.columns.length;
        texts.push(td.appendChild(doc.createTextNode('')));
      }
      return texts;
    });
    this.#written = this.#texts.map((texts) => texts.map(() => ''));
    this.table.querySelector('thead')?.remove();
    this.table.querySelector('tbody')?.remove();
    this.table.append(head, body);
    this.#shape = shape;
  }
}

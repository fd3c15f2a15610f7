// Draws a HeatGrid's cells on a canvas. A 16 x 16 bank heatmap changes almost every cell on every
// refresh; as DOM that is ~800 dirty layout objects and ~300 style recalcs per second, on a canvas
// it is one draw call per cell. The numbers stay text for assistive technology in the canvas's
// fallback table (HeatTable.svelte); this module only paints. Browser-only (needs a 2D context).

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

function hatch(ctx: CanvasRenderingContext2D, theme: HeatTheme, dpr: number): CanvasPattern | string {
  const size = Math.round(7 * dpr);
  const tile = document.createElement('canvas');
  tile.width = size;
  tile.height = size;
  const t = tile.getContext('2d');
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

export class HeatPainter {
  #canvas: HTMLCanvasElement;
  #ctx: CanvasRenderingContext2D;
  #pattern: CanvasPattern | string | null = null;
  #dpr = 1;
  #theme: HeatTheme;

  constructor(canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('2D canvas is not available');
    this.#canvas = canvas;
    this.#ctx = ctx;
    this.#theme = readTheme(canvas);
  }

  /** After a theme switch. */
  retheme(): void {
    this.#theme = readTheme(this.#canvas);
    this.#pattern = null;
  }

  draw(grid: HeatGrid, geo: HeatGeometry, balancing: boolean): void {
    const dpr = globalThis.devicePixelRatio || 1;
    const w = grid.columns.length * geo.colWidth;
    const h = grid.rows.length * geo.rowHeight;
    const pw = Math.round(w * dpr);
    const ph = Math.round(h * dpr);
    if (this.#canvas.width !== pw || this.#canvas.height !== ph || dpr !== this.#dpr) {
      this.#canvas.width = pw;
      this.#canvas.height = ph;
      this.#canvas.style.width = `${w}px`;
      this.#canvas.style.height = `${h}px`;
      this.#dpr = dpr;
      this.#pattern = null;
    }
    const ctx = this.#ctx;
    const theme = this.#theme;
    if (!this.#pattern) this.#pattern = hatch(ctx, theme, dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = theme.gap;
    ctx.fillRect(0, 0, w, h);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const font = `600 14px ${theme.font}`;
    const italic = `italic 14px ${theme.font}`;
    ctx.font = font;

    grid.rows.forEach((row, r) => {
      const y = r * geo.rowHeight;
      if (row.freshness === 'offline' || row.freshness === 'nodata') {
        ctx.fillStyle = this.#pattern!;
        ctx.fillRect(0, y, w, geo.rowHeight - 1);
        ctx.fillStyle = theme.staleInk;
        ctx.textAlign = 'left';
        ctx.font = `700 14px ${theme.font}`;
        ctx.fillText(row.freshness === 'offline' ? 'Offline' : 'No data yet', 10, y + geo.rowHeight / 2);
        ctx.textAlign = 'center';
        ctx.font = font;
        return;
      }
      row.cells.forEach((cell, c) => this.#cell(cell, c * geo.colWidth, y, geo, balancing, font, italic));
    });
  }

  #cell(cell: HeatCell, x: number, y: number, geo: HeatGeometry, balancing: boolean, font: string, italic: string): void {
    const ctx = this.#ctx;
    const cw = geo.colWidth - 1;
    const ch = geo.rowHeight - 1;
    if (cell.fill === null) {
      ctx.fillStyle = this.#pattern!;
      ctx.fillRect(x, y, cw, ch);
      ctx.fillStyle = this.#theme.staleInk;
      if (cell.state === 'stale') ctx.font = italic;
    } else {
      ctx.fillStyle = cell.fill;
      ctx.fillRect(x, y, cw, ch);
      ctx.fillStyle = cell.ink ?? '#000000';
    }
    if (cell.text) ctx.fillText(cell.text, x + cw / 2, y + ch / 2 + 1);
    if (cell.state === 'stale') ctx.font = font;
    if (balancing && cell.balancing) {
      ctx.fillStyle = BALANCE_MARK;
      ctx.fillRect(x, y + ch - 4, cw, 4);
    }
  }
}

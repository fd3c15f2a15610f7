// Where a heatmap canvas gets painted: in a worker when the browser can transfer the canvas to
// one (Chrome, Edge, Firefox, Safari 17+), else on the main thread with the same painter. The
// caller learns when a grid is on the canvas (`ondrawn`), so it can keep the canvas hidden until
// the colours shown are the current ones.

import { HeatPainter, canvasSize, readTheme, toPaintGrid, type HeatGeometry } from './heat-canvas';
import type { HeatGrid } from './heatmap';
import type { FromPainter, ToPainter } from './heat-paint-protocol';

export interface HeatSurface {
  /** Paints `grid`; `ondrawn` runs once it is on the canvas. */
  draw(grid: HeatGrid, geo: HeatGeometry, balancing: boolean): void;
  /** Re-reads the theme colours from the canvas's CSS and repaints on the next draw. */
  retheme(): void;
  destroy(): void;
  /** 'worker' or 'main': which thread paints (shown to tests and diagnostics). */
  readonly thread: 'worker' | 'main';
}

function sizeElement(canvas: HTMLCanvasElement, grid: HeatGrid, geo: HeatGeometry): void {
  const { width, height } = canvasSize({ cols: grid.columns.length, rows: grid.rows }, geo);
  const w = `${width}px`;
  const h = `${height}px`;
  if (canvas.style.width !== w) canvas.style.width = w;
  if (canvas.style.height !== h) canvas.style.height = h;
}

class MainThreadSurface implements HeatSurface {
  readonly thread = 'main';
  #canvas: HTMLCanvasElement;
  #painter: HeatPainter;
  #ondrawn: () => void;

  constructor(canvas: HTMLCanvasElement, ondrawn: () => void) {
    this.#canvas = canvas;
    this.#painter = new HeatPainter(canvas, readTheme(canvas));
    this.#ondrawn = ondrawn;
  }

  draw(grid: HeatGrid, geo: HeatGeometry, balancing: boolean): void {
    sizeElement(this.#canvas, grid, geo);
    this.#painter.draw(toPaintGrid(grid), geo, balancing, globalThis.devicePixelRatio || 1);
    this.#ondrawn();
  }

  retheme(): void {
    this.#painter.retheme(readTheme(this.#canvas));
  }

  destroy(): void {}
}

class WorkerSurface implements HeatSurface {
  readonly thread = 'worker';
  #canvas: HTMLCanvasElement;
  #worker: Worker;
  #seq = 0;

  constructor(canvas: HTMLCanvasElement, ondrawn: () => void, onfail: (message: string) => void) {
    this.#canvas = canvas;
    const offscreen = canvas.transferControlToOffscreen();
    this.#worker = new Worker(new URL('./heat-paint.worker.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (e: MessageEvent<FromPainter>) => {
      // Only the newest grid counts as "on the canvas"; older replies are overtaken.
      if (e.data.kind === 'drawn' && e.data.seq === this.#seq) ondrawn();
      else if (e.data.kind === 'failed') onfail(e.data.message);
    };
    this.#worker.onerror = (e) => onfail(e.message || 'the heatmap painter failed to start');
    this.#post({ kind: 'init', canvas: offscreen, theme: readTheme(canvas) }, [offscreen]);
  }

  #post(m: ToPainter, transfer: Transferable[] = []): void {
    this.#worker.postMessage(m, transfer);
  }

  draw(grid: HeatGrid, geo: HeatGeometry, balancing: boolean): void {
    sizeElement(this.#canvas, grid, geo);
    this.#post({ kind: 'draw', seq: ++this.#seq, grid: toPaintGrid(grid), geo, balancing, dpr: globalThis.devicePixelRatio || 1 });
  }

  retheme(): void {
    this.#post({ kind: 'retheme', theme: readTheme(this.#canvas) });
  }

  destroy(): void {
    this.#worker.terminate();
  }
}

export interface SurfaceOptions {
  /** Paint in a worker if the browser can; false after a worker failed. */
  worker: boolean;
  ondrawn: () => void;
  /**
   * The worker failed. A canvas handed to a worker can never be drawn on the main thread again:
   * the caller needs a new canvas element and a new surface with `worker: false`.
   */
  onfail: (message: string) => void;
}

export function createHeatSurface(canvas: HTMLCanvasElement, opts: SurfaceOptions): HeatSurface {
  const canTransfer = opts.worker && typeof Worker === 'function' && typeof canvas.transferControlToOffscreen === 'function';
  return canTransfer ? new WorkerSurface(canvas, opts.ondrawn, opts.onfail) : new MainThreadSurface(canvas, opts.ondrawn);
}

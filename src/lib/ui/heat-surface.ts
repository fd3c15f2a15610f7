// Where a heatmap canvas gets painted: in a worker when the browser can transfer the canvas to
// one (Chrome, Edge, Firefox, Safari 17+), else on the main thread with the same painter. The
// caller learns when a grid is on the canvas (`ondrawn`), so it can keep the canvas hidden until
// the colours shown are the current ones.

import { HeatPainter, canvasSize, encodePaintGrid, readTheme, toPaintGrid, type HeatGeometry } from './heat-canvas';
import type { HeatGrid } from './heatmap';
import type { FromPainter, ToPainter } from './heat-paint-protocol';

export interface HeatSurface {
  /** Paints `grid` (sooner if `visible`); `ondrawn` runs once it is on the canvas. */
  draw(grid: HeatGrid, geo: HeatGeometry, balancing: boolean, visible: boolean): void;
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
    // Called only for a visible canvas (or for printing): the main thread has no time to spare.
    sizeElement(this.#canvas, grid, geo);
    this.#painter.draw(toPaintGrid(grid), geo, balancing, globalThis.devicePixelRatio || 1);
    this.#ondrawn();
  }

  retheme(): void {
    this.#painter.retheme(readTheme(this.#canvas));
  }

  destroy(): void {}
}

/**
 * The one paint worker of the app, started with the first heatmap and kept for the page's life:
 * a worker per canvas, started on every visit to the overview, competed for the CPU with the
 * page being opened next (the 24 h chart took 40 % longer to appear).
 */
const painter = {
  worker: null as Worker | null,
  listeners: new Map<number, (m: FromPainter) => void>(),
  nextId: 1,
  get(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./heat-paint.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<FromPainter>) => this.listeners.get(e.data.id)?.(e.data);
    // A worker that cannot start fails every canvas given to it; the next heatmap tries afresh.
    worker.onerror = (e) => {
      e.preventDefault();
      const message = e.message || 'the heatmap painter failed to start';
      this.worker = null;
      worker.terminate();
      for (const [id, listen] of [...this.listeners]) listen({ kind: 'failed', id, message });
    };
    this.worker = worker;
    return worker;
  }
};

class WorkerSurface implements HeatSurface {
  readonly thread = 'worker';
  #canvas: HTMLCanvasElement;
  #worker: Worker;
  #id = painter.nextId++;
  #seq = 0;

  constructor(canvas: HTMLCanvasElement, ondrawn: () => void, onfail: (message: string) => void) {
    this.#canvas = canvas;
    const offscreen = canvas.transferControlToOffscreen();
    this.#worker = painter.get();
    painter.listeners.set(this.#id, (m) => {
      // Only the newest grid counts as "on the canvas"; older replies are overtaken.
      if (m.kind === 'drawn' && m.seq === this.#seq) ondrawn();
      else if (m.kind === 'failed') onfail(m.message);
    });
    this.#post({ kind: 'add', id: this.#id, canvas: offscreen, theme: readTheme(canvas) }, [offscreen]);
  }

  #post(m: ToPainter, transfer: Transferable[] = []): void {
    this.#worker.postMessage(m, transfer);
  }

  draw(grid: HeatGrid, geo: HeatGeometry, balancing: boolean, visible: boolean): void {
    sizeElement(this.#canvas, grid, geo);
    this.#post({
      kind: 'draw',
      id: this.#id,
      seq: ++this.#seq,
      grid: encodePaintGrid(grid),
      geo,
      balancing,
      dpr: globalThis.devicePixelRatio || 1,
      visible
    });
  }

  retheme(): void {
    this.#post({ kind: 'retheme', id: this.#id, theme: readTheme(this.#canvas) });
  }

  destroy(): void {
    painter.listeners.delete(this.#id);
    this.#post({ kind: 'remove', id: this.#id });
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

// Messages between the main thread (heat-surface.ts) and the heatmap paint worker. One worker
// serves every heatmap canvas of the app, each under its own id.

import type { HeatGeometry, HeatTheme } from './heat-canvas';

export type ToPainter =
  | { kind: 'add'; id: number; canvas: OffscreenCanvas; theme: HeatTheme }
  /**
   * `grid`: encodePaintGrid()'s string. `visible`: the canvas is near the viewport, so paint
   * now; otherwise the worker waits a moment and paints only the newest grid.
   */
  | { kind: 'draw'; id: number; seq: number; grid: string; geo: HeatGeometry; balancing: boolean; dpr: number; visible: boolean }
  | { kind: 'retheme'; id: number; theme: HeatTheme }
  | { kind: 'remove'; id: number };

export type FromPainter = { kind: 'drawn'; id: number; seq: number } | { kind: 'failed'; id: number; message: string };

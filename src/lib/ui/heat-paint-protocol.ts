// Messages between the main thread (heat-surface.ts) and the heatmap paint worker. One worker
// serves every heatmap canvas of the app, each under its own id.

import type { HeatGeometry, HeatTheme } from './heat-canvas';

export type ToPainter =
  | { kind: 'add'; id: number; canvas: OffscreenCanvas; theme: HeatTheme }
  /** `grid`: encodePaintGrid()'s string. */
  | { kind: 'draw'; id: number; seq: number; grid: string; geo: HeatGeometry; balancing: boolean; dpr: number }
  | { kind: 'retheme'; id: number; theme: HeatTheme }
  | { kind: 'remove'; id: number };

export type FromPainter = { kind: 'drawn'; id: number; seq: number } | { kind: 'failed'; id: number; message: string };

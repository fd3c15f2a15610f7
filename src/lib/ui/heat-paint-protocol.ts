// Messages between the main thread (heat-surface.ts) and the heatmap paint worker.

import type { HeatGeometry, HeatTheme, PaintGrid } from './heat-canvas';

export type ToPainter =
  | { kind: 'init'; canvas: OffscreenCanvas; theme: HeatTheme }
  | { kind: 'draw'; seq: number; grid: PaintGrid; geo: HeatGeometry; balancing: boolean; dpr: number }
  | { kind: 'retheme'; theme: HeatTheme };

export type FromPainter = { kind: 'drawn'; seq: number } | { kind: 'failed'; message: string };

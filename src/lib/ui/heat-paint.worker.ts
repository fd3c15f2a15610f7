// The heatmap painter off the main thread: it owns the canvas (transferred as an OffscreenCanvas)
// and draws each grid it is sent. Drawing ~350 cells and handing the bitmap to the compositor
// cost the main thread about 2 ms per refresh on a 2-core machine; here it costs it nothing.

import { HeatPainter } from './heat-canvas';
import type { FromPainter, ToPainter } from './heat-paint-protocol';

let painter: HeatPainter | null = null;

function reply(m: FromPainter): void {
  (self as unknown as Worker).postMessage(m);
}

self.onmessage = (e: MessageEvent<ToPainter>) => {
  const m = e.data;
  try {
    if (m.kind === 'init') painter = new HeatPainter(m.canvas, m.theme);
    else if (m.kind === 'retheme') painter?.retheme(m.theme);
    else if (painter) {
      painter.draw(m.grid, m.geo, m.balancing, m.dpr);
      reply({ kind: 'drawn', seq: m.seq });
    }
  } catch (err) {
    reply({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
};

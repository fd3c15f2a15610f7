// The heatmap painter off the main thread: it owns the canvases (transferred as OffscreenCanvas)
// and draws each grid it is sent. Drawing ~350 cells and handing the bitmap to the compositor
// cost the main thread about 2 ms per refresh on a 2-core machine; here it costs it nothing.

import { HeatPainter } from './heat-canvas';
import type { FromPainter, ToPainter } from './heat-paint-protocol';

const painters = new Map<number, HeatPainter>();

function reply(m: FromPainter): void {
  (self as unknown as Worker).postMessage(m);
}

self.onmessage = (e: MessageEvent<ToPainter>) => {
  const m = e.data;
  try {
    if (m.kind === 'add') painters.set(m.id, new HeatPainter(m.canvas, m.theme));
    else if (m.kind === 'remove') painters.delete(m.id);
    else if (m.kind === 'retheme') painters.get(m.id)?.retheme(m.theme);
    else {
      const painter = painters.get(m.id);
      if (!painter) return;
      painter.draw(m.grid, m.geo, m.balancing, m.dpr);
      reply({ kind: 'drawn', id: m.id, seq: m.seq });
    }
  } catch (err) {
    reply({ kind: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
};

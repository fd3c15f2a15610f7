// The heatmap painter off the main thread: it owns the canvases (transferred as OffscreenCanvas)
// and draws each grid it is sent. Drawing ~350 cells and handing the bitmap to the compositor
// cost the main thread about 2 ms per refresh on a 2-core machine; here it costs it nothing.

import { HeatPainter, decodePaintGrid } from './heat-canvas';
import type { FromPainter, ToPainter } from './heat-paint-protocol';

const painters = new Map<number, HeatPainter>();
/**
 * The newest grid of each canvas, drawn in a task of its own: draws that a newer grid or the
 * canvas's removal (leaving the page) overtook in the meantime are never painted.
 */
const pending = new Map<number, Extract<ToPainter, { kind: 'draw' }>>();
/**
 * An off-screen canvas is kept current, but without hurry: its grids wait this long, so a page
 * left at once (overview, then a pack) is never painted and does not take a core from the page
 * being opened, and a canvas far from view is painted a few times a second at most.
 */
const OFF_SCREEN_DELAY_ms = 300;
let soon: ReturnType<typeof setTimeout> | null = null;
let later: ReturnType<typeof setTimeout> | null = null;

function flush(): void {
  if (soon !== null) clearTimeout(soon);
  if (later !== null) clearTimeout(later);
  soon = later = null;
  for (const [id, m] of pending) {
    pending.delete(id);
    const painter = painters.get(id);
    if (!painter) continue;
    try {
      painter.draw(decodePaintGrid(m.grid), m.geo, m.balancing, m.dpr);
      reply({ kind: 'drawn', id, seq: m.seq });
    } catch (err) {
      reply({ kind: 'failed', id, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

function reply(m: FromPainter): void {
  (self as unknown as Worker).postMessage(m);
}

self.onmessage = (e: MessageEvent<ToPainter>) => {
  const m = e.data;
  try {
    if (m.kind === 'add') painters.set(m.id, new HeatPainter(m.canvas, m.theme));
    else if (m.kind === 'remove') {
      painters.delete(m.id);
      pending.delete(m.id);
    } else if (m.kind === 'retheme') painters.get(m.id)?.retheme(m.theme);
    else {
      pending.set(m.id, m);
      if (m.visible) soon ??= setTimeout(flush, 0);
      else later ??= setTimeout(flush, OFF_SCREEN_DELAY_ms);
    }
  } catch (err) {
    reply({ kind: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
};

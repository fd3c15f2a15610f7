// Work that can wait until the browser is idle after the first paint (warming code a click will
// need), with a deadline so a busy page still gets it soon. Returns a cancel function.

const IDLE_DEADLINE_MS = 2000;

export function whenIdle(work: () => void, timeout_ms = IDLE_DEADLINE_MS): () => void {
  if (typeof window.requestIdleCallback === 'function') {
    const id = window.requestIdleCallback(() => work(), { timeout: timeout_ms });
    return () => window.cancelIdleCallback(id);
  }
  // Safari has no requestIdleCallback: a short delay keeps it off the first paint.
  const id = window.setTimeout(work, 200);
  return () => window.clearTimeout(id);
}

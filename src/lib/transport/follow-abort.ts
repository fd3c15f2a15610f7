// A transport's open() aborts its own controller (so close() can stop it too) and must also stop
// when the caller's signal aborts.

/**
 * Abort `controller` with the caller's reason when `signal` aborts, at once if it already has.
 * Returns the function that stops following; call it when the operation is over.
 */
export function followAbort(signal: AbortSignal | undefined, controller: AbortController): () => void {
  if (!signal) return () => undefined;
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) {
    onAbort();
    return () => undefined;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

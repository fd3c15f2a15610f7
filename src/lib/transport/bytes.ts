// Byte helpers for the transports, their fakes and their tests (plain TS: the fakes also run in
// the page through tests/fixtures/page-bundle.ts, which only follows imports inside this folder).

/** Chunks joined in order, as a stream's reader would see them. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

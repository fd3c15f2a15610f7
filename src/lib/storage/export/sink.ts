// Where an export's pieces go. With the File System Access API (Chrome and Edge on desktop) the
// user picks a file first and the pieces stream into it: memory stays flat however large the
// export. Elsewhere (Firefox, Safari, Chrome on Android) there is no way to stream to a download,
// so the pieces are collected as Blob parts and downloaded at the end: the whole file then exists
// in memory once (Chrome may keep large blobs on disk, others hold them in RAM). That is the
// honest limit of the fallback; exports are still produced piece by piece, never as one string.

const encoder = new TextEncoder();

export interface WriteProgress {
  /** Bytes written so far. */
  bytes: number;
}

/** Writes every piece into `writable` and closes it; aborts it (and rethrows) on failure. Resolves with bytes written. */
export async function writePieces(
  pieces: AsyncIterable<string>,
  writable: WritableStream<Uint8Array>,
  options: { signal?: AbortSignal; onProgress?: (p: WriteProgress) => void } = {}
): Promise<number> {
  const writer = writable.getWriter();
  let bytes = 0;
  try {
    for await (const piece of pieces) {
      options.signal?.throwIfAborted();
      const chunk = encoder.encode(piece);
      await writer.write(chunk);
      bytes += chunk.length;
      options.onProgress?.({ bytes });
    }
    await writer.close();
    return bytes;
  } catch (e) {
    await writer.abort(e).catch(() => undefined);
    throw e;
  } finally {
    writer.releaseLock();
  }
}

/** The fallback: every piece as a Blob part. */
export async function piecesToBlob(pieces: AsyncIterable<string>, type: string, signal?: AbortSignal): Promise<Blob> {
  const parts: BlobPart[] = [];
  for await (const piece of pieces) {
    signal?.throwIfAborted();
    parts.push(piece);
  }
  return new Blob(parts, { type });
}

export interface SaveOptions {
  suggestedName: string;
  /** e.g. "text/csv". */
  mime: string;
  /** e.g. ".csv". */
  extension: string;
  /** Shown in the save dialog, e.g. "CSV file". */
  description: string;
  signal?: AbortSignal;
  onProgress?: (p: WriteProgress) => void;
}

export type SaveResult = { kind: 'saved'; bytes: number; via: 'file-system-access' | 'download' } | { kind: 'cancelled' };

interface SaveFilePickerWindow {
  showSaveFilePicker?: (options: {
    suggestedName?: string;
    types?: { description: string; accept: Record<string, string[]> }[];
  }) => Promise<{ createWritable(): Promise<WritableStream<Uint8Array>> }>;
}

/**
 * Saves the pieces as a file. Call it straight from the click handler: the save dialog needs the
 * click's user activation, so nothing may be awaited before it. `make` produces the pieces once
 * the destination is open.
 */
export async function savePieces(make: () => AsyncIterable<string>, options: SaveOptions): Promise<SaveResult> {
  const w = globalThis as unknown as SaveFilePickerWindow;
  if (typeof w.showSaveFilePicker === 'function') {
    let handle;
    try {
      handle = await w.showSaveFilePicker({
        suggestedName: options.suggestedName,
        types: [{ description: options.description, accept: { [options.mime]: [options.extension] } }]
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return { kind: 'cancelled' };
      throw e;
    }
    const bytes = await writePieces(make(), await handle.createWritable(), options);
    return { kind: 'saved', bytes, via: 'file-system-access' };
  }
  const blob = await piecesToBlob(make(), options.mime, options.signal);
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = options.suggestedName;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // Revoking at once can cancel a download that has not started reading the blob yet.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return { kind: 'saved', bytes: blob.size, via: 'download' };
}

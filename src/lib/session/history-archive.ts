// The history engine's store (history/store.ts: HistoryStore, HistoryArchive) over the app's
// IndexedDB storage. The two were written apart and differ in three ways this file bridges:
//   - device: the engine names a pack by its BMS serial ("P16…"); storage files rows under the
//     device key of its rule ("sn:P16…", or "addr:<bank>#<n>" for a pack whose serial cannot be a
//     key). `keyFor` maps one to the other, so history and recorded telemetry of a pack share a key.
//   - identity: the engine's record key is pack time + FNV-1a of the INFO bytes; storage keys
//     records by pack time + SHA-256 of the same bytes. Both are content identities of the same
//     bytes, so "already stored" agrees; the engine's keys are recomputed from the stored bytes.
//   - atomicity: the engine needs all new records of one putMany stored or none; storage's addAll
//     does one transaction, with the copy's state (complete, revision, exported) beside it.

import { fnv1a64, historyRecordKey, packTimeOf, toPackRecord, type HistoryArchive, type HistoryCoverage, type PackHistoryRecord } from '$lib/history';
import { compareNewestFirst } from '$lib/history';
import type { AppStorage } from '$lib/storage';
import { hexToBytes } from '$lib/protocol/hex';

export interface StoredHistoryArchiveOptions {
  /** The storage device key for the serial the engine names a pack by. */
  keyFor: (serial: string) => string;
  /** Address the records are read from (kept with each record). */
  address: number;
  /** Wall time, Unix epoch ms (when a record was first read). Default Date.now. */
  now?: () => number;
}

/** The engine's view of one stored record (its key) from what storage keeps. */
function recordOf(e: { record: PackHistoryRecord['record']; raw: Uint8Array }): PackHistoryRecord {
  return toPackRecord(e.record, e.raw);
}

export class StoredHistoryArchive implements HistoryArchive {
  readonly #storage: AppStorage;
  readonly #o: Required<StoredHistoryArchiveOptions>;

  constructor(storage: AppStorage, options: StoredHistoryArchiveOptions) {
    this.#storage = storage;
    this.#o = { now: Date.now, ...options };
  }

  async coverage(device: string): Promise<HistoryCoverage> {
    const key = this.#o.keyFor(device);
    const keys = new Set<string>();
    for await (const e of this.#storage.history.iterate({ device: key }))
      keys.add(historyRecordKey({ packTime_ms: packTimeOf(e.record.time), hash: fnv1a64(e.raw) }));
    const state = await this.#storage.history.copyState(key);
    return { keys, complete: state.complete, revision: state.revision, exportedRevision: state.exportedRevision };
  }

  async putMany(device: string, records: readonly PackHistoryRecord[]): Promise<{ added: number }> {
    const readAt_ms = this.#o.now();
    const items = records.map((r) => {
      const raw = hexToBytes(r.raw_hex);
      if (!raw) throw new RangeError(`A history record's raw bytes are not hex: ${r.raw_hex.slice(0, 16)}…`);
      return { record: r.record, raw, address: this.#o.address, readAt_ms };
    });
    const { added } = await this.#storage.history.addAll(this.#o.keyFor(device), items);
    return { added };
  }

  async setComplete(device: string, complete: boolean): Promise<void> {
    await this.#storage.history.updateCopyState(this.#o.keyFor(device), { complete });
  }

  async records(device: string): Promise<PackHistoryRecord[]> {
    const out: PackHistoryRecord[] = [];
    for await (const e of this.#storage.history.iterate({ device: this.#o.keyFor(device) })) out.push(recordOf(e));
    return out.sort(compareNewestFirst);
  }

  async markExported(device: string, revision: number): Promise<void> {
    await this.#storage.history.updateCopyState(this.#o.keyFor(device), { exportedRevision: revision });
  }
}

export { recordOf as storedRecordToPack };

// Recorded telemetry and history records as JSON, produced piece by piece like the CSV: a header
// object, then the array of items one by one, so nothing holds the whole file. The result is one
// valid JSON document with a format name and version, so a later version of the app can read it.

import type { DeviceRecord, HistoryEntryRecord } from '../records';
import type { TelemetryExportRequest, TelemetrySource } from './csv';
import { hexBytes } from './csv';
import { isoUtc, packTimeText } from './format';

export const TELEMETRY_JSON_FORMAT = 'packservice.telemetry';
export const HISTORY_JSON_FORMAT = 'packservice.history';
export const EXPORT_JSON_VERSION = 1;

const PIECE_CHARS = 64 * 1024;

/** `{...head, "<field>": [ item, item, ... ]}` from an async sequence of items. */
async function* jsonDocument(head: Record<string, unknown>, field: string, items: AsyncIterable<unknown>): AsyncGenerator<string> {
  const opening = JSON.stringify({ ...head, [field]: [] });
  // The head serialised with an empty array; the items go between its brackets.
  yield opening.slice(0, -2);
  let buf = '\n';
  let first = true;
  for await (const item of items) {
    buf += (first ? '' : ',\n') + JSON.stringify(item);
    first = false;
    if (buf.length >= PIECE_CHARS) {
      yield buf;
      buf = '';
    }
  }
  yield buf + '\n]}\n';
}

export async function* telemetryJson(src: TelemetrySource, req: TelemetryExportRequest, exported_ms: number = Date.now()): AsyncGenerator<string> {
  const devices: DeviceRecord[] = [];
  for (const key of req.devices) {
    const d = await src.devices.get(key);
    if (d) devices.push(d);
  }
  async function* samples() {
    for (const device of req.devices) for await (const r of src.telemetry.samples(device, req)) yield { ...r, time: isoUtc(r.t_ms) };
  }
  yield* jsonDocument(
    {
      format: TELEMETRY_JSON_FORMAT,
      version: EXPORT_JSON_VERSION,
      exported: isoUtc(exported_ms),
      range: { from: isoUtc(req.from_ms), to: isoUtc(req.to_ms) },
      units: 'voltage V, current A (+ = charging), capacities Ah, cells mV, temperatures °C, t_ms Unix epoch ms',
      devices
    },
    'samples',
    samples()
  );
}

export async function* historyJson(records: AsyncIterable<HistoryEntryRecord>, exported_ms: number = Date.now()): AsyncGenerator<string> {
  async function* items() {
    for await (const e of records)
      yield {
        device: e.device,
        address: e.address,
        packTime: packTimeText(e.time),
        packTimeValid: e.timeValid,
        readAt: isoUtc(e.readAt_ms),
        sha256: e.hash,
        record: e.record,
        raw: hexBytes(e.raw)
      };
  }
  yield* jsonDocument(
    { format: HISTORY_JSON_FORMAT, version: EXPORT_JSON_VERSION, exported: isoUtc(exported_ms), packTimeNote: 'pack clock, no time zone' },
    'records',
    items()
  );
}

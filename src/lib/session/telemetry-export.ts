// The Logs page's exports: recorded telemetry (every reading, or per-minute summaries) as CSV or
// JSON streamed from storage, and the live values of every pack now. Each runs through storage's
// savePieces, so the file streams to disk where the browser allows it. Call these straight from
// the click handler: the save dialog needs the click, so nothing is awaited before it opens.

import { minutesCsv, savePieces, telemetryCsv, telemetryJson, csvCell, type AppStorage, type SaveResult } from '$lib/storage';
import type { PackView } from './types';

export type RecordedExportFormat = 'csv' | 'minutes-csv' | 'json';

export interface RecordedExportRequest {
  devices: readonly string[];
  from_ms: number;
  to_ms: number;
  format: RecordedExportFormat;
  suggestedName: string;
  /** Runs once the file is chosen, before reading (e.g. write what the recorder holds). */
  before?: () => Promise<void>;
}

export function exportRecorded(storage: () => Promise<AppStorage>, req: RecordedExportRequest): Promise<SaveResult> {
  const json = req.format === 'json';
  return savePieces(
    () =>
      (async function* () {
        await req.before?.();
        const s = await storage();
        const range = { devices: req.devices, from_ms: req.from_ms, to_ms: req.to_ms };
        if (req.format === 'json') yield* telemetryJson(s, range);
        else if (req.format === 'minutes-csv') yield* minutesCsv(s, range);
        else yield* telemetryCsv(s, range);
      })(),
    {
      suggestedName: req.suggestedName,
      mime: json ? 'application/json' : 'text/csv',
      extension: json ? '.json' : '.csv',
      description: json ? 'JSON file' : 'CSV file'
    }
  );
}

export interface LivePack {
  pack: PackView;
  /** Storage device key, when known. */
  device: string | null;
}

/** The values of every pack now, one row per pack (CSV) or one object per pack (JSON). */
export function* livePieces(packs: readonly LivePack[], format: 'csv' | 'json', now_ms: number, sessionNow_ms: number): Generator<string> {
  const wall = (t: number | null) => (t === null ? null : new Date(now_ms - (sessionNow_ms - t)).toISOString());
  if (format === 'json') {
    yield (
      JSON.stringify(
        {
          format: 'packservice.live',
          version: 1,
          exported: new Date(now_ms).toISOString(),
          units: 'voltage V, current A (+ = charging), capacities Ah, cells mV, temperatures °C',
          packs: packs.map(({ pack: p, device }) => ({
            address: p.address,
            device,
            master: p.isMaster,
            fresh: p.fresh,
            received: wall(p.received_ms),
            identity: p.identity,
            analog: p.analog,
            status: p.status ? { ...p.status, flags: p.status.flags.map((f) => ({ id: f.id, label: f.label, severity: f.severity })) } : null
          }))
        },
        null,
        1
      ) + '\n'
    );
    return;
  }
  const cells = Math.max(0, ...packs.map((p) => p.pack.analog?.cells_mV.length ?? 0));
  const temps = Math.max(0, ...packs.map((p) => p.pack.analog?.temps_C.length ?? 0));
  const line = (v: (string | number | boolean | null)[]) => v.map(csvCell).join(',') + '\r\n';
  yield line([
    'time (UTC)',
    'address',
    'device',
    'serial',
    'fresh',
    'voltage (V)',
    'current (A; + = charging)',
    'SOC (%)',
    'SOH (%)',
    'remaining (Ah)',
    'full (Ah)',
    'cycles',
    ...Array.from({ length: cells }, (_, i) => `cell ${i + 1} (mV)`),
    ...Array.from({ length: temps }, (_, i) => `temperature ${i + 1} (°C)`),
    'temperature sensors',
    'charge MOSFET on',
    'discharge MOSFET on',
    'alarms and states'
  ]);
  for (const { pack: p, device } of packs) {
    const a = p.analog;
    yield line([
      wall(p.received_ms),
      p.address,
      device,
      p.identity?.bmsSerial ?? null,
      p.fresh,
      a?.voltage_V ?? null,
      a?.current_A ?? null,
      a?.soc_pct ?? null,
      a?.soh_pct ?? null,
      a?.remaining_Ah ?? null,
      a?.full_Ah ?? null,
      a?.cycles ?? null,
      ...Array.from({ length: cells }, (_, i) => a?.cells_mV[i] ?? null),
      ...Array.from({ length: temps }, (_, i) => a?.temps_C[i] ?? null),
      a ? a.tempLabels.join('; ') : null,
      p.status?.chargeMosOn ?? null,
      p.status?.dischargeMosOn ?? null,
      p.status ? p.status.flags.map((f) => f.label).join('; ') : null
    ]);
  }
}

export function exportLive(packs: readonly LivePack[], format: 'csv' | 'json', suggestedName: string, sessionNow_ms: number): Promise<SaveResult> {
  const now = Date.now();
  return savePieces(
    () =>
      (async function* () {
        yield* livePieces(packs, format, now, sessionNow_ms);
      })(),
    {
      suggestedName,
      mime: format === 'json' ? 'application/json' : 'text/csv',
      extension: format === 'json' ? '.json' : '.csv',
      description: format === 'json' ? 'JSON file' : 'CSV file'
    }
  );
}

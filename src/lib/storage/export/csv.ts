// Recorded telemetry, minute aggregates and history records as CSV, produced as an async sequence
// of text pieces: rows are read a page of chunks at a time and handed out in pieces of about
// 64 kB, so an export of any size never sits in memory whole. One row per sample (or minute, or
// record), times in ISO 8601 UTC, units in the headers, empty cells for values the pack did not
// report. Text cells that a spreadsheet would run as a formula (= + - @ at the start; a serial
// number is the pack's to choose) get a leading apostrophe.

import { decodeFlags, type FlagSource } from '../../protocol/commands/status-flags';
import { isPowerOnRecord } from '../../protocol/commands/history';
import type { DeviceRecord, HistoryEntryRecord } from '../records';
import type { MinuteAggregate } from '../minute-aggregate';
import type { TelemetryRow } from '../telemetry-row';
import type { TimeRange } from '../telemetry';
import { hex, isoUtc, packTimeText } from './format';

export type CsvValue = string | number | boolean | null;

/** One CSV cell, quoted when needed, formulas defused. */
export function csvCell(v: CsvValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly CsvValue[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

const PIECE_CHARS = 64 * 1024;

/** Joins lines into pieces of about 64 kB. */
async function* pieces(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let buf = '';
  for await (const line of lines) {
    buf += line;
    if (buf.length >= PIECE_CHARS) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}

/** The parts of AppStorage an export reads. */
export interface TelemetrySource {
  telemetry: {
    samples(device: string, range: TimeRange): AsyncIterable<TelemetryRow>;
    minutes(device: string, range: TimeRange): AsyncIterable<MinuteAggregate>;
  };
  devices: { get(key: string): Promise<DeviceRecord | null> };
}

export interface TelemetryExportRequest extends TimeRange {
  devices: readonly string[];
}

async function columnCounts(src: TelemetrySource, devices: readonly string[]): Promise<{ cells: number; temps: number }> {
  let cells = 0;
  let temps = 0;
  for (const key of devices) {
    const d = await src.devices.get(key);
    cells = Math.max(cells, d?.cellCount ?? 0);
    temps = Math.max(temps, d?.tempCount ?? 0);
  }
  return { cells, temps };
}

const numbered = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i + 1));

const statusText = (bytes: Record<string, number> | null): string | null =>
  bytes === null
    ? null
    : Object.entries(bytes)
        .map(([k, v]) => `${k}=${hex(v)}`)
        .join(' ');

/** Full-resolution samples of the devices, device by device, oldest first. */
export async function* telemetryCsv(src: TelemetrySource, req: TelemetryExportRequest): AsyncGenerator<string> {
  const { cells, temps } = await columnCounts(src, req.devices);
  const header = [
    'time (UTC)',
    'device',
    'address',
    'voltage (V)',
    'current (A; + = charging)',
    'SOC (%)',
    'SOH (%)',
    'remaining (Ah)',
    'full (Ah)',
    'design (Ah)',
    'cycles',
    'cumulative charge (Ah)',
    'cumulative discharge (Ah)',
    'charge MOSFET on',
    'discharge MOSFET on',
    'heater on',
    ...numbered(cells, (i) => `cell ${i} (mV)`),
    ...numbered(temps, (i) => `temperature ${i} (°C)`),
    'temperature sensors',
    'status bytes (hex)'
  ];
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(header);
    for (const device of req.devices) {
      for await (const r of src.telemetry.samples(device, req)) {
        yield csvLine([
          isoUtc(r.t_ms),
          r.device,
          r.address,
          r.voltage_V,
          r.current_A,
          r.soc_pct,
          r.soh_pct,
          r.remaining_Ah,
          r.full_Ah,
          r.design_Ah,
          r.cycles,
          r.cumulativeCharge_Ah,
          r.cumulativeDischarge_Ah,
          r.chargeMosOn,
          r.dischargeMosOn,
          r.heaterOn,
          ...numbered(cells, (i) => r.cells_mV[i - 1] ?? null),
          ...numbered(temps, (i) => r.temps_C[i - 1] ?? null),
          r.tempLabels.join('; '),
          statusText(r.statusBytes)
        ]);
      }
    }
  }
  yield* pieces(lines());
}

/** Per-minute aggregates of the devices, device by device, oldest first. */
export async function* minutesCsv(src: TelemetrySource, req: TelemetryExportRequest): AsyncGenerator<string> {
  const { cells, temps } = await columnCounts(src, req.devices);
  const header = [
    'minute start (UTC)',
    'device',
    'samples',
    'voltage min (V)',
    'voltage max (V)',
    'voltage mean (V)',
    'current min (A)',
    'current max (A)',
    'current mean (A)',
    'SOC min (%)',
    'SOC max (%)',
    'SOC mean (%)',
    'lowest cell (mV)',
    'lowest cell number',
    'highest cell (mV)',
    'highest cell number',
    'cell spread max (mV)',
    'cell spread mean (mV)',
    'temperature min (°C)',
    'temperature max (°C)',
    'charged (Ah)',
    'discharged (Ah)',
    'charged (Wh)',
    'discharged (Wh)',
    'charging (s)',
    'discharging (s)',
    'idle (s)',
    'remaining (Ah)',
    'full (Ah)',
    'cycles',
    'SOH (%)',
    'charge MOSFET off at some point',
    'discharge MOSFET off at some point',
    ...numbered(cells, (i) => `cell ${i} mean (mV)`),
    ...numbered(temps, (i) => `temperature ${i} mean (°C)`),
    'temperature sensors',
    'status bytes OR-ed (hex)'
  ];
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(header);
    for (const device of req.devices) {
      for await (const m of src.telemetry.minutes(device, req)) {
        yield csvLine([
          isoUtc(m.t_ms),
          m.device,
          m.samples,
          m.voltageMin_V,
          m.voltageMax_V,
          m.voltageMean_V,
          m.currentMin_A,
          m.currentMax_A,
          m.currentMean_A,
          m.socMin_pct,
          m.socMax_pct,
          m.socMean_pct,
          m.cellMin_mV,
          m.cellMinNo,
          m.cellMax_mV,
          m.cellMaxNo,
          m.spreadMax_mV,
          m.spreadMean_mV,
          m.tempMin_C,
          m.tempMax_C,
          m.charge_Ah,
          m.discharge_Ah,
          m.charge_Wh,
          m.discharge_Wh,
          m.charging_s,
          m.discharging_s,
          m.idle_s,
          m.remaining_Ah,
          m.full_Ah,
          m.cycles,
          m.soh_pct,
          m.chargeMosOff,
          m.dischargeMosOff,
          ...numbered(cells, (i) => m.cellMeans_mV[i - 1] ?? null),
          ...numbered(temps, (i) => m.tempMeans_C[i - 1] ?? null),
          m.tempLabels.join('; '),
          statusText(m.statusBytesOr)
        ]);
      }
    }
  }
  yield* pieces(lines());
}

const HISTORY_FLAG_BYTES: readonly FlagSource[] = ['protection1', 'protection2', 'fault', 'warning1', 'warning2', 'indication', 'fault8', 'fault10'];

/** The events a history record's status bytes say, in words ("Cell over-voltage protection; ..."). */
export function historyEvents(e: HistoryEntryRecord): string {
  const words: string[] = [];
  if (isPowerOnRecord(e.record)) words.push('Power-on');
  for (const source of HISTORY_FLAG_BYTES) {
    const v = e.record.status[source as keyof typeof e.record.status];
    if (v === null || v === undefined) continue;
    for (const f of decodeFlags(source, v, { controlPolarity: 'doc' })) if (f.severity !== 'state') words.push(f.label);
  }
  return words.join('; ');
}

/** History records (as HistoryRepository.iterate hands them out) as CSV. */
export async function* historyCsv(records: AsyncIterable<HistoryEntryRecord>, shape: { cells: number; temps: number }): AsyncGenerator<string> {
  const header = [
    'pack time (pack clock, no zone)',
    'pack time valid',
    'device',
    'address',
    'read at (UTC)',
    'events',
    'voltage (V)',
    'current (A; + = charging)',
    'remaining (Ah)',
    'full (Ah)',
    'cycles',
    ...numbered(shape.cells, (i) => `cell ${i} (mV)`),
    ...numbered(shape.temps, (i) => `temperature ${i} (°C)`),
    ...HISTORY_FLAG_BYTES.map((b) => `${b} (hex)`),
    'status record (hex)',
    'raw record (hex)'
  ];
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(header);
    for await (const e of records) {
      const r = e.record;
      yield csvLine([
        packTimeText(e.time),
        e.timeValid,
        e.device,
        e.address,
        isoUtc(e.readAt_ms),
        historyEvents(e),
        r.voltage_V,
        r.current_A,
        r.remaining_Ah,
        r.full_Ah,
        r.cycles,
        ...numbered(shape.cells, (i) => r.cells_mV[i - 1] ?? null),
        ...numbered(shape.temps, (i) => r.temps_C[i - 1] ?? null),
        ...HISTORY_FLAG_BYTES.map((b) => {
          const v = r.status[b as keyof typeof r.status];
          return v === null || v === undefined ? null : hex(v);
        }),
        r.statusRecord === null ? null : hex(r.statusRecord, 4),
        hexBytes(e.raw)
      ]);
    }
  }
  yield* pieces(lines());
}

export function hexBytes(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0').toUpperCase();
  return s;
}

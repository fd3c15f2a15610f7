import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistoryRecord, encodeHistoryRecord } from '../../protocol/commands/history';
import { openStorage, type AppStorage } from '../storage';
import { bankSample, deviceKeyOf } from '../testing/bank-day';
import { csvCell, historyCsv, minutesCsv, telemetryCsv } from './csv';
import { HISTORY_JSON_FORMAT, historyJson, TELEMETRY_JSON_FORMAT, telemetryJson } from './json';
import { piecesToBlob, writePieces } from './sink';

const T0 = Date.UTC(2025, 5, 1, 8);
const open: AppStorage[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function collect(pieces: AsyncIterable<string>): Promise<{ text: string; count: number }> {
  let text = '';
  let count = 0;
  for await (const p of pieces) {
    text += p;
    count++;
  }
  return { text, count };
}

/** Minimal RFC 4180 reader for checking the output (quotes, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('CSV cells', () => {
  it.each([
    [null, ''],
    [3.25, '3.25'],
    [Number.NaN, ''],
    [true, '1'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['+1', "'+1"],
    ['-cmd', "'-cmd"],
    ['@SUM', "'@SUM"]
  ])('%j → %s', (v, out) => expect(csvCell(v)).toBe(out));
});

describe('exports of recorded telemetry and history', () => {
  let s: AppStorage;
  const cycles = 1500;
  beforeAll(async () => {
    s = await openStorage({ name: 'export-test', storageManager: null });
    const rec = s.recorder({ bank: 'b', flushEvery_ms: null, pruneEvery_ms: null, requestPersistence: false });
    rec.start();
    for (let i = 0; i < cycles; i++) {
      rec.record(bankSample(1, T0 + i * 2000));
      rec.record(bankSample(2, T0 + i * 2000, { cells: 15 }));
      if (i % 100 === 99) await rec.flush();
    }
    await rec.stop();
    return () => s.close();
  });

  it('CSV: units in the headers, ISO times, one row per sample, the values as recorded', async () => {
    const { text, count } = await collect(telemetryCsv(s, { devices: [deviceKeyOf(1), deviceKeyOf(2)], from_ms: T0, to_ms: T0 + 86_400_000 }));
    expect(count).toBeGreaterThan(1);
    const rows = parseCsv(text);
    const header = rows[0];
    expect(header.slice(0, 5)).toEqual(['time (UTC)', 'device', 'address', 'voltage (V)', 'current (A; + = charging)']);
    expect(header).toContain('cell 16 (mV)');
    expect(header).toContain('temperature 6 (°C)');
    expect(rows).toHaveLength(1 + 2 * cycles);
    expect(rows.every((r) => r.length === header.length)).toBe(true);
    const first = rows[1];
    const sample = bankSample(1, T0);
    expect(first[0]).toBe(new Date(T0).toISOString());
    expect(first[1]).toBe(deviceKeyOf(1));
    expect(Number(first[header.indexOf('voltage (V)')])).toBeCloseTo(sample.analog.voltage_V, 9);
    expect(Number(first[header.indexOf('cell 1 (mV)')])).toBe(sample.analog.cells_mV[0]);
    expect(first[header.indexOf('status bytes (hex)')]).toContain('control=0x06');
    // The 15-cell pack leaves its 16th cell empty.
    const fifteen = rows.find((r) => r[1] === deviceKeyOf(2))!;
    expect(fifteen[header.indexOf('cell 16 (mV)')]).toBe('');
    expect(fifteen[header.indexOf('cell 15 (mV)')]).not.toBe('');
  });

  it('CSV of minute aggregates: one row per pack-minute with energy columns', async () => {
    const rows = parseCsv((await collect(minutesCsv(s, { devices: [deviceKeyOf(1)], from_ms: T0, to_ms: T0 + 86_400_000 }))).text);
    expect(rows[0]).toContain('charged (Wh)');
    expect(rows).toHaveLength(1 + 50);
    expect(rows[1][0]).toBe(new Date(T0).toISOString());
    expect(Number(rows[1][rows[0].indexOf('samples')])).toBe(30);
  });

  it('JSON: one valid document with format, version, device records and every sample', async () => {
    const { text } = await collect(telemetryJson(s, { devices: [deviceKeyOf(1)], from_ms: T0, to_ms: T0 + 600_000 }, T0));
    const doc = JSON.parse(text) as {
      format: string;
      version: number;
      devices: { key: string }[];
      samples: { t_ms: number; time: string; cells_mV: number[] }[];
    };
    expect(doc.format).toBe(TELEMETRY_JSON_FORMAT);
    expect(doc.version).toBe(1);
    expect(doc.devices[0].key).toBe(deviceKeyOf(1));
    expect(doc.samples).toHaveLength(301);
    expect(doc.samples[0].time).toBe(new Date(T0).toISOString());
    expect(doc.samples[300].cells_mV).toEqual(bankSample(1, T0 + 600_000).analog.cells_mV);
  });

  it('history as CSV (events in words, raw bytes) and as JSON', async () => {
    const raw = encodeHistoryRecord({
      time: { year: 2025, month: 2, day: 3, hour: 4, minute: 5, second: 6 },
      cells_mV: Array(16).fill(3650),
      temps_C: [25, 25, 25, 25, 40, null],
      current_A: 40,
      voltage_V: 58.4,
      remaining_Ah: 99,
      full_Ah: 100,
      status: { protection1: 0x04, protection2: 0, fault: 0, warning1: 0x01, warning2: 0, indication: 0, fault8: null, fault10: null },
      cycles: 321,
      statusRecord: 1
    });
    await s.history.addMany('sn:H', [{ record: decodeHistoryRecord(raw), raw, address: 3, readAt_ms: T0 }]);
    const rows = parseCsv((await collect(historyCsv(s.history.iterate({ device: 'sn:H' }), { cells: 16, temps: 6 }))).text);
    expect(rows).toHaveLength(2);
    const h = rows[0];
    const r = rows[1];
    expect(r[h.indexOf('pack time (pack clock, no zone)')]).toBe('2025-02-03T04:05:06');
    expect(r[h.indexOf('events')]).toMatch(/^Power-on; .+/);
    expect(r[h.indexOf('protection1 (hex)')]).toBe('0x04');
    expect(r[h.indexOf('raw record (hex)')]).toBe(Array.from(raw, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(''));
    const doc = JSON.parse((await collect(historyJson(s.history.iterate({ device: 'sn:H' }), T0))).text) as {
      format: string;
      records: { packTime: string; record: { cycles: number } }[];
    };
    expect(doc.format).toBe(HISTORY_JSON_FORMAT);
    expect(doc.records[0]).toMatchObject({ packTime: '2025-02-03T04:05:06', record: { cycles: 321 } });
  });
});

describe('export sinks', () => {
  async function* three(): AsyncGenerator<string> {
    yield 'a,b\r\n';
    yield '1,°C\r\n';
    yield '2,3\r\n';
  }

  it('streams pieces into a WritableStream as UTF-8 and closes it', async () => {
    const got: Uint8Array[] = [];
    let closed = false;
    const ws = new WritableStream<Uint8Array>({
      write: (c) => {
        got.push(c);
      },
      close: () => {
        closed = true;
      }
    });
    const progress: number[] = [];
    const bytes = await writePieces(three(), ws, { onProgress: (p) => progress.push(p.bytes) });
    expect(closed).toBe(true);
    expect(got).toHaveLength(3);
    expect(new TextDecoder().decode(Uint8Array.from(got.flatMap((c) => Array.from(c))))).toBe('a,b\r\n1,°C\r\n2,3\r\n');
    expect(bytes).toBe(17);
    expect(progress).toEqual([5, 12, 17]);
  });

  it('aborts the destination when producing fails, and when the caller cancels', async () => {
    let aborted: unknown = null;
    const sink = () => new WritableStream<Uint8Array>({ abort: (r) => void (aborted = r) });
    async function* broken(): AsyncGenerator<string> {
      yield 'x';
      throw new Error('disk read failed');
    }
    await expect(writePieces(broken(), sink())).rejects.toThrow('disk read failed');
    expect(aborted).toBeInstanceOf(Error);
    const ctl = new AbortController();
    ctl.abort(new DOMException('cancelled', 'AbortError'));
    await expect(writePieces(three(), sink(), { signal: ctl.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('falls back to Blob parts', async () => {
    const blob = await piecesToBlob(three(), 'text/csv');
    expect(blob.type).toBe('text/csv');
    expect(await blob.text()).toBe('a,b\r\n1,°C\r\n2,3\r\n');
  });
});

import { describe, expect, it } from 'vitest';
import { historyColumns } from './columns';
import { sampleRecord } from './store-contract';
import { toPackRecord } from './record';
import { encodeHistoryRecord } from '../protocol/commands/history';

describe('historyColumns', () => {
  it('one row per record with units in the headers; unsupported fields are empty, never 0', () => {
    const base = sampleRecord(3725);
    const record = { ...base.record, voltage_V: null, cycles: null, status: { ...base.record.status, protection2: 0x80, warning1: 0x01 } };
    const r = toPackRecord(record, encodeHistoryRecord(record));
    const cols = historyColumns(16, 6, { locale: 'en' });
    const row = Object.fromEntries(cols.map((c) => [c.header, c.value(r)]));
    expect(row).toMatchObject({
      pack_time: '2025-03-01 01:02:05',
      pack_time_valid: true,
      kind: 'Warning',
      events: 'Fully charged; Cell high-voltage warning',
      power_on: false,
      current_A: -3.2,
      voltage_V: null,
      remaining_Ah: 61.2,
      full_Ah: 101.5,
      soc_pct: 60.3,
      cycles: null,
      cell1_mV: 3300 + (3725 % 7),
      temp6_C: 20.5,
      protection2_hex: '80',
      fault8_hex: null,
      not_recorded: 'Fault status 8; Fault status 10',
      raw_hex: r.raw_hex
    });
    // Columns for wider packs than this record: empty, not 0.
    const wide = Object.fromEntries(historyColumns(16, 8).map((c) => [c.header, c.value(r)]));
    expect(wide.temp8_C).toBeNull();
    expect(new Set(cols.map((c) => c.header)).size).toBe(cols.length);
  });

  it('speaks the chosen language', () => {
    const r = sampleRecord(1, { statusRecord: 1 });
    const kind = historyColumns(16, 6, { locale: 'zh-CN' }).find((c) => c.header === 'kind')!;
    expect(kind.value(r)).toBe('上电');
  });
});

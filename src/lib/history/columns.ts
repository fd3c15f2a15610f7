// A history record as table columns, for the page's table and the CSV/JSON export alike: units
// in the headers, the pack's own clock as it reads (no zone), "not supported" fields empty (null),
// never 0. The exporter streams rows; this only says what a row holds.

import { formatBmsDateTime } from '../protocol/commands/datetime';
import { isNotable } from './events';
import type { PackHistoryRecord } from './record';
import { byteWords, eventKindWords, flagWords, type WordOptions } from './words';

export interface HistoryColumn {
  /** CSV header: a stable name with its unit. */
  header: string;
  value(r: PackHistoryRecord): string | number | boolean | null;
}

const STATUS_BYTES = ['protection1', 'protection2', 'fault', 'warning1', 'warning2', 'indication', 'fault8', 'fault10'] as const;

const hex2 = (v: number | null) => (v === null ? null : v.toString(16).toUpperCase().padStart(2, '0'));

/**
 * Columns for records of packs with up to `cellCount` cells and `tempCount` sensors (the widest
 * of the records exported). Words (kind, events) in the language of `o`.
 */
export function historyColumns(cellCount: number, tempCount: number, o: WordOptions = {}): HistoryColumn[] {
  const cols: HistoryColumn[] = [
    { header: 'pack_time', value: (r) => formatBmsDateTime(r.record.time) },
    { header: 'pack_time_valid', value: (r) => r.timeValid },
    { header: 'kind', value: (r) => eventKindWords(r.event.kind, o) },
    {
      header: 'events',
      value: (r) =>
        r.event.flags
          .filter(isNotable)
          .map((f) => flagWords(f, o))
          .join('; ')
    },
    { header: 'power_on', value: (r) => r.event.powerOn },
    { header: 'current_A', value: (r) => r.record.current_A },
    { header: 'voltage_V', value: (r) => r.record.voltage_V },
    { header: 'remaining_Ah', value: (r) => r.record.remaining_Ah },
    { header: 'full_Ah', value: (r) => r.record.full_Ah },
    {
      header: 'soc_pct',
      value: (r) => {
        const { remaining_Ah, full_Ah } = r.record;
        return remaining_Ah !== null && full_Ah !== null && full_Ah > 0 ? Math.round((1000 * remaining_Ah) / full_Ah) / 10 : null;
      }
    },
    { header: 'cycles', value: (r) => r.record.cycles }
  ];
  for (let i = 0; i < cellCount; i++) cols.push({ header: `cell${i + 1}_mV`, value: (r) => r.record.cells_mV[i] ?? null });
  for (let i = 0; i < tempCount; i++) cols.push({ header: `temp${i + 1}_C`, value: (r) => r.record.temps_C[i] ?? null });
  for (const b of STATUS_BYTES) cols.push({ header: `${b}_hex`, value: (r) => hex2(r.record.status[b]) });
  cols.push({ header: 'not_recorded', value: (r) => r.event.unsupported.map((s) => byteWords(s, o)).join('; ') });
  cols.push({ header: 'raw_hex', value: (r) => r.raw_hex });
  return cols;
}

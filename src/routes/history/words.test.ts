import { describe, expect, it } from 'vitest';
import type { HistoryRow } from '$lib/session/history-feature.svelte';
import { packTimeParts, rangeText, valueText } from './words';

/** Only what packTimeParts reads. */
function row(packTime_ms: number, timeValid: boolean): HistoryRow {
  return { rec: { packTime_ms, timeValid } } as unknown as HistoryRow;
}

describe('history table words', () => {
  it('shows the pack clock as it reads, as a date and a time of day, whatever the zone here', () => {
    const t = packTimeParts(row(Date.UTC(2025, 4, 31, 17, 53, 41), true));
    expect(t.date).toBe('May 31, 2025');
    expect(t.time).toBe('5:53:41 PM');
  });

  it('says when the pack clock was never set', () => {
    const t = packTimeParts(row(Date.UTC(2000, 0, 1, 0, 0, 5), false));
    expect(t.date).toBe('Jan 1, 2000');
    expect(t.time).toBe('12:00:05 AM (clock not set)');
  });

  it('gives lowest–highest, the unit only when asked for, a dash when nothing is known', () => {
    expect(rangeText([3295, null, 3301, 3298], 0)).toBe('3,295–3,301');
    expect(rangeText([24.94, 25.31], 1, '°C')).toBe('24.9–25.3\u00a0°C');
    expect(rangeText([3300, 3300], 0)).toBe('3,300');
    expect(rangeText([null, Number.NaN], 0)).toBe('—');
    expect(valueText(52.837, 2, 'V')).toBe('52.84\u00a0V');
    expect(valueText(null, 2, 'V')).toBe('—');
  });
});

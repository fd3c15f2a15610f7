import { describe, expect, it } from 'vitest';
import {
  NO_VALUE,
  formatAddressHex,
  formatAge,
  formatCapacity,
  formatCount,
  formatCurrent,
  formatDeviation,
  formatMillivolts,
  formatNumber,
  formatPercent,
  formatPower,
  formatSpan,
  formatTemp,
  formatVoltage,
  packName
} from './format';
import { m } from '$lib/paraglide/messages';
import { afterEach } from 'vitest';
import { appLocale } from './locale.svelte';
import { formatAgo, formatDate, formatDateTime, formatInteger, formatTime, joinSentences } from './format';

// Written with a visible marker for the no-break space so a regression to a plain space fails.
const s = (text: string) => text.replaceAll('_', '\u00a0');

describe('formatNumber', () => {
  it('uses a typographic minus and fixed decimals', () => {
    expect(formatNumber(-2.25, 2)).toBe('\u22122.25');
    expect(formatNumber(52.429, 2)).toBe('52.43');
    expect(formatNumber(3, 1)).toBe('3.0');
  });
  it('never prints a negative zero', () => {
    expect(formatNumber(-0.004, 2)).toBe('0.00');
    expect(formatNumber(-0, 0)).toBe('0');
  });
  it('rounds half away from zero on both sides', () => {
    expect(formatNumber(0.125, 2)).toBe('0.13');
    expect(formatNumber(-0.125, 2)).toBe('\u22120.13');
  });
});

describe('quantities with units', () => {
  it('formats the values of the PbmsTools capture (reference §5.3)', () => {
    expect(formatVoltage(52.429)).toBe(s('52.43_V'));
    expect(formatCurrent(-2.25)).toBe(s('\u22122.25_A'));
    expect(formatCapacity(48.19)).toBe(s('48.2_Ah'));
    expect(formatTemp(24.1)).toBe(s('24.1_°C'));
    expect(formatMillivolts(3271)).toBe(s('3271_mV'));
    expect(formatPercent(46.6)).toBe(s('47_%'));
  });
  it('shows the placeholder, never zero, for missing values', () => {
    for (const f of [formatVoltage, formatTemp, formatPercent, formatMillivolts, formatCapacity, formatPower]) {
      expect(f(null)).toBe(NO_VALUE);
      expect(f(undefined)).toBe(NO_VALUE);
      expect(f(Number.NaN)).toBe(NO_VALUE);
      expect(f(Number.POSITIVE_INFINITY)).toBe(NO_VALUE);
    }
    expect(formatCurrent(null)).toBe(NO_VALUE);
  });
  it('signs currents only when asked, and not for zero', () => {
    expect(formatCurrent(10, { signed: true })).toBe(s('+10.00_A'));
    expect(formatCurrent(10)).toBe(s('10.00_A'));
    expect(formatCurrent(0.001, { signed: true })).toBe(s('0.00_A'));
    expect(formatCurrent(-1.5, { signed: true, decimals: 1 })).toBe(s('\u22121.5_A'));
  });
  it('formats deviations with an explicit sign', () => {
    expect(formatDeviation(12, 'mV')).toBe(s('+12_mV'));
    expect(formatDeviation(-3, 'mV')).toBe(s('\u22123_mV'));
    expect(formatDeviation(0.2, 'mV')).toBe(s('0_mV'));
  });
  it('switches power to kW at 1000 W', () => {
    expect(formatPower(850)).toBe(s('850_W'));
    expect(formatPower(999.4)).toBe(s('999_W'));
    expect(formatPower(999.6)).toBe(s('1.00_kW'));
    expect(formatPower(-2410)).toBe(s('\u22122.41_kW'));
  });
  it('counts with singular and plural', () => {
    const cycles = { one: m.pack_cycles_one, other: m.pack_cycles_other };
    expect(formatCount(1, cycles)).toBe(s('1_cycle'));
    expect(formatCount(140, cycles)).toBe(s('140_cycles'));
    expect(formatCount(null, cycles)).toBe(NO_VALUE);
  });
});

describe('formatAge', () => {
  it('reads as a short badge at each scale', () => {
    expect(formatAge(0)).toBe('just now');
    expect(formatAge(1999)).toBe('just now');
    expect(formatAge(4_200)).toBe(s('4_s'));
    expect(formatAge(59_999)).toBe(s('59_s'));
    expect(formatAge(60_000)).toBe(s('1_min'));
    expect(formatAge(65 * 60_000)).toBe(s('1_h 5_min'));
    expect(formatAge(2 * 3_600_000)).toBe(s('2_h'));
    expect(formatAge(3 * 86_400_000 + 5)).toBe(s('3_d'));
  });
  it('treats clock skew as just now and null as unknown', () => {
    expect(formatAge(-500)).toBe('just now');
    expect(formatAge(null)).toBe(NO_VALUE);
  });
});

describe('labels', () => {
  it('spans, addresses and pack names', () => {
    expect(formatSpan(5 * 60_000)).toBe(s('5_min'));
    expect(formatSpan(3_600_000)).toBe(s('1_h'));
    expect(formatSpan(24 * 3_600_000)).toBe(s('24_h'));
    expect(formatSpan(90 * 60_000)).toBe(s('1.5_h'));
    expect(formatAddressHex(1)).toBe('0x01');
    expect(formatAddressHex(0x10)).toBe('0x10');
    expect(packName(3)).toBe('Pack 3');
  });
});

describe('in Simplified Chinese', () => {
  afterEach(() => appLocale.set('en'));

  it('says ages, spans and pack names in Chinese and keeps SI units', () => {
    appLocale.set('zh-CN');
    expect(formatAge(1000)).toBe('刚刚');
    expect(formatAge(4_200)).toBe(s('4_秒'));
    expect(formatAge(65 * 60_000)).toBe(s('1_小时 5_分钟'));
    expect(formatAgo(120_000)).toBe(s('2_分钟前'));
    expect(formatSpan(24 * 3_600_000)).toBe(s('24_小时'));
    expect(packName(3)).toBe('3号电池包');
    expect(formatVoltage(52.429)).toBe(s('52.43_V'));
    expect(formatTemp(-5)).toBe(s('\u22125.0_°C'));
    expect(formatCount(140, { one: m.pack_cycles_one, other: m.pack_cycles_other })).toBe(s('140_次'));
  });

  it('formats dates and times with the language, 24-hour in both', () => {
    const t = new Date(2026, 2, 3, 14, 5, 9).getTime();
    appLocale.set('zh-CN');
    expect(formatDate(t)).toBe('2026年3月3日');
    expect(formatTime(t)).toBe('14:05');
    expect(formatDateTime(t)).toContain('2026年3月3日');
    appLocale.set('en');
    expect(formatDate(t)).toBe('Mar 3, 2026');
    expect(formatTime(t)).toBe('14:05');
  });

  it('groups digits from five digits on, in both languages', () => {
    expect(formatInteger(3271)).toBe('3271');
    expect(formatInteger(12345)).toBe('12,345');
    appLocale.set('zh-CN');
    expect(formatInteger(12345)).toBe('12,345');
  });

  it('joins sentences with a space in English and none after Chinese full stops', () => {
    expect(joinSentences(['A.', 'B.'])).toBe('A. B.');
    appLocale.set('zh-CN');
    expect(joinSentences(['甲。', '乙。'])).toBe('甲。乙。');
  });
});

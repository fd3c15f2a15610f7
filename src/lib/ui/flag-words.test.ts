// Every status flag the protocol can raise has words in both languages: a bit added to a table
// without a message fails here, not in front of a Chinese-reading installer.

import { afterEach, describe, expect, it } from 'vitest';
import { decodeFlags, decodeFlagsWith, type FlagSource } from '$lib/protocol/commands/status-flags';
import { EG4_FLAGS, PYLON_FLAGS, SEPLOS_FLAGS } from '$lib/protocol/commands/variant-flags';
import type { StatusFlag } from '$lib/session/types';
import { appLocale } from './locale.svelte';
import { flagAdvice, flagLabel, statusByteName } from './flag-words';

const SOURCES: FlagSource[] = [
  'protection1',
  'protection2',
  'indication',
  'control',
  'fault',
  'warning1',
  'warning2',
  'fault8',
  'indication9',
  'fault10'
];

function everyFlag(): StatusFlag[] {
  const flags = SOURCES.flatMap((s) => [
    ...decodeFlags(s, 0xff, { controlPolarity: 'doc' }),
    ...decodeFlags(s, 0xff, { controlPolarity: 'forced-off' })
  ]);
  for (const tables of [PYLON_FLAGS, SEPLOS_FLAGS, EG4_FLAGS])
    for (const [source, table] of Object.entries(tables)) flags.push(...decodeFlagsWith(table, source, 0xffff, 16));
  return flags;
}

const CJK = /[\u4e00-\u9fff]/;

describe('flag words', () => {
  afterEach(() => appLocale.set('en'));

  it('names every flag of every table in Chinese, and advises where the protocol advises', () => {
    appLocale.set('zh-CN');
    const flags = everyFlag();
    expect(flags.length).toBeGreaterThan(150);
    for (const f of flags) {
      expect(flagLabel(f), f.id).toMatch(CJK);
      if (f.advice) expect(flagAdvice(f), f.id).toMatch(CJK);
      else expect(flagAdvice(f), f.id).toBe('');
    }
  });

  it('names every flag in English from the messages, close to the protocol words', () => {
    for (const f of everyFlag()) {
      expect(flagLabel(f), f.id).not.toMatch(CJK);
      if (f.advice) expect(flagAdvice(f).length, f.id).toBeGreaterThan(10);
    }
    const ov = decodeFlags('protection1', 0b1, { controlPolarity: 'doc' })[0];
    expect(flagLabel(ov)).toBe('Cell over-voltage protection');
    expect(flagAdvice(ov)).toBe(ov.advice);
  });

  it('says an undocumented bit with its byte and number, and an unknown id as the protocol does', () => {
    appLocale.set('zh-CN');
    const undocumented = decodeFlagsWith([], 'warning2', 1 << 5)[0];
    expect(flagLabel(undocumented)).toBe('告警状态 2 第 5 位（未定义）');
    expect(flagAdvice(undocumented)).toMatch(/厂家未定义/);
    expect(flagLabel({ id: 'somethingNew', source: 'x', bit: 0, label: 'Something new' })).toBe('Something new');
    expect(statusByteName('unknownByte')).toBe('unknownByte');
  });

  it('joins advice sentences as each language writes them', () => {
    const [ov] = decodeFlags('protection1', 0b1, { controlPolarity: 'doc' });
    expect(flagAdvice(ov)).toMatch(/^Charging is stopped\. Check the charger/);
    appLocale.set('zh-CN');
    expect(flagAdvice(ov)).toMatch(/^已停止充电。请对照/);
  });
});

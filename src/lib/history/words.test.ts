import { describe, expect, it } from 'vitest';
import { FAULT, FAULT10, FAULT8, INDICATION, PROTECTION1, PROTECTION2, WARNING1, WARNING2 } from '../protocol/commands/status-flags';
import type { ClearRefusal } from './clear';
import { changesSince, describeRecord, HISTORY_EVENT_KINDS } from './events';
import type { HistoryReadProblem, HistoryReadStop } from './reader';
import { sampleRecord } from './store-contract';
import {
  byteWords,
  changeWords,
  clearRefusalWords,
  clearResultWords,
  eventKindWords,
  flagWords,
  notRecordedWords,
  readOutcomeWords,
  reachWords,
  type Locale
} from './words';

const LOCALES: Locale[] = ['en', 'zh-CN'];
const RECORD_TABLES = {
  protection1: PROTECTION1,
  protection2: PROTECTION2,
  fault: FAULT,
  warning1: WARNING1,
  warning2: WARNING2,
  indication: INDICATION,
  fault8: FAULT8,
  fault10: FAULT10
};

/** Said, with every placeholder filled. */
function said(text: string) {
  expect(text.trim()).not.toBe('');
  expect(text).not.toMatch(/[{}]/);
  return text;
}

describe('history words', () => {
  it('every flag a record can carry has its own words in both languages, different from each other', () => {
    for (const locale of LOCALES) {
      const seen = new Set<string>();
      for (const [source, table] of Object.entries(RECORD_TABLES)) {
        for (const f of table) {
          const text = said(flagWords({ id: f.id, source: source as keyof typeof RECORD_TABLES, bit: f.bit }, { locale }));
          expect(text).not.toMatch(/not documented|未公开/);
          seen.add(text);
        }
      }
      expect(seen.size).toBe(Object.values(RECORD_TABLES).reduce((n, t) => n + t.length, 0));
    }
    // English words are the tables' own labels.
    expect(flagWords({ id: 'cellOverVoltageProtect', source: 'protection1', bit: 0 }, { locale: 'en' })).toBe(PROTECTION1[0].label);
    expect(flagWords({ id: 'cellOverVoltageProtect', source: 'protection1', bit: 0 }, { locale: 'zh-CN' })).toBe('单体过压保护');
  });

  it('a bit no table names is said as such, with its byte and number', () => {
    expect(flagWords({ id: 'fault10Bit3', source: 'fault10', bit: 3 }, { locale: 'en' })).toBe('Fault status 10 bit 3 (not documented)');
    expect(said(flagWords({ id: 'fault10Bit3', source: 'fault10', bit: 3 }, { locale: 'zh-CN' }))).toContain('3');
  });

  it('kinds, bytes, changes and "not recorded" in both languages', () => {
    for (const locale of LOCALES) {
      expect(new Set(HISTORY_EVENT_KINDS.map((k) => said(eventKindWords(k, { locale })))).size).toBe(HISTORY_EVENT_KINDS.length);
      for (const source of Object.keys(RECORD_TABLES)) said(byteWords(source, { locale }));
      said(notRecordedWords('fault8', { locale }));
    }
    const older = describeRecord({ ...sampleRecord(0).record, status: { ...sampleRecord(0).record.status, warning1: 1 } });
    const newer = describeRecord({ ...sampleRecord(1).record, status: { ...sampleRecord(1).record.status, protection2: 0x80 } });
    expect(changeWords(changesSince(older, newer), [...newer.flags, ...older.flags], { locale: 'en' })).toEqual([
      'Set: Fully charged',
      'Cleared: Cell high-voltage warning'
    ]);
    expect(changeWords(changesSince(older, newer), [...newer.flags, ...older.flags], { locale: 'zh-CN' })).toEqual([
      '出现：满充',
      '解除：单体高压告警'
    ]);
  });

  it('every way a read can end, every refusal to clear and every clear result is said', () => {
    const problems: HistoryReadProblem[] = [
      { kind: 'no-answer', address: 3, message: 'x' },
      { kind: 'other-pack', address: 3, answeredBy: 1 },
      { kind: 'wrong-pack', address: 3, expected: 'A', found: 'B' },
      { kind: 'no-serial', address: 3 },
      { kind: 'unsupported', address: 3 },
      { kind: 'protocol', address: 3, message: 'timeout' },
      { kind: 'store', address: 3, message: 'quota' }
    ];
    const stops: HistoryReadStop[] = ['end', 'overlap', 'cap', 'repeating', 'cancelled', 'error'];
    const refusals: ClearRefusal[] = [
      { reason: 'nothing-stored' },
      { reason: 'incomplete' },
      { reason: 'not-exported' },
      { reason: 'new-records' },
      { reason: 'other-pack', found: 'P2' },
      { reason: 'no-answer', message: 'timeout' }
    ];
    for (const locale of LOCALES) {
      for (const p of problems) said(readOutcomeWords({ stop: 'error', read: 0, problem: p }, { locale }));
      for (const stop of stops) said(readOutcomeWords({ stop, read: 12, problem: null }, { locale }));
      for (const r of refusals) said(clearRefusalWords(r, { locale }));
      said(clearResultWords({ ok: true, device: 'P', address: 1, verified: 'empty' }, { locale }));
      said(clearResultWords({ ok: true, device: 'P', address: 1, verified: 'restarted' }, { locale }));
      said(clearResultWords({ ok: false, device: 'P', address: 1, error: new Error('no') }, { locale }));
      said(reachWords('not-on-cable', { locale })!);
    }
    expect(readOutcomeWords({ stop: 'error', read: 0, problem: problems[1] }, { locale: 'en' })).toMatch(/^Pack 1 answered instead of pack 3/);
    expect(readOutcomeWords({ stop: 'cap', read: 1000, problem: null }, { locale: 'en' })).toContain('1000');
    expect(reachWords('readable')).toBeNull();
  });
});

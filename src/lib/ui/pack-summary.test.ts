import { describe, expect, it } from 'vitest';
import { FLAG_CELL_OV_WARNING, FLAG_DISCHARGE_MOS_FAULT, syntheticStatus, syntheticView } from '../../../tests/fixtures/synthetic-bank';
import type { StatusFlag } from '$lib/session/types';
import { freshnessSentence, packFreshness, valueAge_ms } from './freshness';
import { packCardModel, packCardModels } from './pack-card';
import { alarmSummary, cellStats, coldest, hottest, packActivity, parseVersionString } from './pack-summary';

describe('cellStats', () => {
  it('finds extremes, spread and every tied cell (1-based)', () => {
    const s = cellStats([3271, 3272, 3269, 3272, 3270]);
    expect(s).toMatchObject({ count: 5, min_mV: 3269, max_mV: 3272, spread_mV: 3, minCells: [3], maxCells: [2, 4] });
    expect(s?.mean_mV).toBeCloseTo(3270.8, 6);
  });
  it('is null for no cells', () => {
    expect(cellStats([])).toBeNull();
  });
});

describe('hottest / coldest', () => {
  it('skips sensors that are not fitted and keeps the label', () => {
    const a = { temps_C: [24.1, null, 26.5, -3], tempLabels: ['Cell T1', 'Cell T2', 'MOSFET', 'Ambient'] };
    expect(hottest(a)).toEqual({ label: 'MOSFET', temp_C: 26.5, index: 2 });
    expect(coldest(a)).toEqual({ label: 'Ambient', temp_C: -3, index: 3 });
    expect(hottest({ temps_C: [null, null], tempLabels: ['a', 'b'] })).toBeNull();
  });
});

describe('alarmSummary', () => {
  const state: StatusFlag = { id: 'fullyCharged', source: 'protection2', bit: 7, severity: 'state', label: 'Fully charged', advice: '' };
  it('says No alarms when only normal-operation flags are set', () => {
    expect(alarmSummary(syntheticStatus(1, 0, [state]))).toEqual({ level: 'ok', text: 'No alarms', flags: [] });
  });
  it('leads with the most severe flag and counts the rest', () => {
    const s = alarmSummary(syntheticStatus(1, 0, [FLAG_CELL_OV_WARNING, state, FLAG_DISCHARGE_MOS_FAULT]));
    expect(s?.level).toBe('fault');
    expect(s?.text).toBe('Discharge MOSFET fault + 1 more');
    expect(s?.flags.map((f) => f.id)).toEqual(['dischargeMosFault', 'cellOverVoltageWarning']);
  });
  it('reads per-value alarm codes when no flag explains them', () => {
    const st = syntheticStatus(1, 0);
    st.cellAlarms[4] = 'high';
    expect(alarmSummary(st)).toMatchObject({ level: 'warning', text: 'Cell voltage alarm' });
    st.packVoltageAlarm = 'high';
    expect(alarmSummary(st)?.text).toBe('Cell voltage alarm + 1 more');
  });
  it('is null without a status or for an empty block', () => {
    expect(alarmSummary(null)).toBeNull();
    expect(alarmSummary({ ...syntheticStatus(1, 0), empty: true })).toBeNull();
  });
});

describe('packActivity', () => {
  it('uses a small idle band around zero', () => {
    expect(packActivity(0.1)).toBe('idle');
    expect(packActivity(-0.19)).toBe('idle');
    expect(packActivity(0.5)).toBe('charging');
    expect(packActivity(-2.25)).toBe('discharging');
    expect(packActivity(0.5, 1)).toBe('idle');
  });
});

describe('parseVersionString', () => {
  it('splits the C1H strings of the reference (§9)', () => {
    expect(parseVersionString('P16S100A-1812-1.00 ')).toEqual({
      model: 'P16S100A',
      hardware: '1812',
      firmware: '1.00',
      seriesCells: 16,
      capacity_Ah: 100
    });
    expect(parseVersionString('P16S200A-21473-1.03A')).toMatchObject({ hardware: '21473', firmware: '1.03A', capacity_Ah: 200 });
  });
  it('keeps unknown shapes whole and handles blanks', () => {
    expect(parseVersionString('XYZ')).toEqual({ model: 'XYZ', hardware: null, firmware: null, seriesCells: null, capacity_Ah: null });
    expect(parseVersionString('P15S100A-1.06')).toMatchObject({ hardware: null, firmware: '1.06', seriesCells: 15 });
    expect(parseVersionString('   ')).toBeNull();
    expect(parseVersionString(null)).toBeNull();
  });
});

describe('freshness', () => {
  it('classifies each link state', () => {
    expect(packFreshness(syntheticView(1))).toBe('live');
    expect(packFreshness(syntheticView(1, { state: 'stale' }))).toBe('stale');
    expect(packFreshness(syntheticView(1, { state: 'offline' }))).toBe('offline');
    expect(packFreshness(syntheticView(1, { noData: true }))).toBe('nodata');
  });
  it('never calls a pack live when the session says it is not fresh', () => {
    // The link dropped: the poller still says ok, but the session marks it not fresh.
    expect(packFreshness({ ...syntheticView(1), fresh: false })).toBe('stale');
  });
  it('words the age of the values', () => {
    const v = syntheticView(1, { received_ms: 10_000 });
    expect(valueAge_ms(v, 14_500)).toBe(4_500);
    expect(freshnessSentence(v, 10_500)).toBe('Live');
    expect(freshnessSentence(v, 14_500)).toBe('Live, 4\u00a0s old');
    expect(freshnessSentence(syntheticView(1, { state: 'stale', received_ms: 10_000 }), 50_000)).toBe('Stale, values 40\u00a0s old');
    expect(freshnessSentence(syntheticView(1, { state: 'stale', received_ms: 10_000 }), 10_500)).toBe('Stale, missed the last poll');
    expect(freshnessSentence(syntheticView(2, { state: 'offline', received_ms: 0 }), 300_000)).toBe('Offline, last seen 5\u00a0min ago');
    const never = syntheticView(2, { state: 'offline', noData: true });
    expect(freshnessSentence(never, 300_000)).toBe('Offline, never answered');
    expect(freshnessSentence(syntheticView(3, { noData: true }), 1)).toBe('No data yet');
  });
});

describe('packCardModel', () => {
  it('shows live values in full', () => {
    const m = packCardModel(syntheticView(1, { current_A: -2.25, soc_pct: 46.6, received_ms: 1000 }), 1500);
    expect(m).toMatchObject({
      title: 'Pack 1',
      role: 'Master',
      freshness: 'live',
      muted: false,
      current: '\u22122.3\u00a0A',
      activity: 'Discharging',
      soc: '47\u00a0%',
      socGauge: 46.6,
      alarmLevel: 'ok',
      alarmText: 'No alarms'
    });
    expect(m.voltage).toMatch(/^5\d\.\d\d\u00a0V$/);
    expect(m.hottestWhere).toBe('Ambient');
    expect(m.sentence).toMatch(/^Pack 1, master, Live, 5\d\.\d\d\u00a0V, \u22122\.3\u00a0A discharging, SOC 47\u00a0%, hottest .* No alarms$/);
  });
  it('greys stale values and says how old they are', () => {
    const m = packCardModel(syntheticView(2, { state: 'stale', received_ms: 0 }), 40_000);
    expect(m.muted).toBe(true);
    expect(m.freshnessText).toBe('Stale, values 40\u00a0s old');
    expect(m.voltage).not.toBe('—');
  });
  it('withholds the numbers of an offline pack', () => {
    const m = packCardModel(syntheticView(3, { state: 'offline', received_ms: 0 }), 60_000);
    expect(m).toMatchObject({
      muted: true,
      voltage: '—',
      current: '—',
      soc: '—',
      hottest: '—',
      socGauge: null,
      alarmLevel: 'unknown',
      alarmText: 'Offline'
    });
    expect(m.sentence).toBe('Pack 3, slave, Offline, last seen 1\u00a0min ago');
  });
});

describe('packCardModels', () => {
  it('reuses the model of a pack whose view did not change, and only at the same time', () => {
    const views = [syntheticView(1), syntheticView(2), syntheticView(3)];
    const first = packCardModels(views, 50_000);
    const updated = [views[0], { ...views[1], received_ms: (views[1].received_ms ?? 0) + 1000 }, views[2]];
    const second = packCardModels(updated, 50_000);
    expect(second[0]).toBe(first[0]);
    expect(second[2]).toBe(first[2]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]).toEqual(packCardModel(updated[1], 50_000));
    // The age in the freshness text moves with the clock: a new time means new models.
    const later = packCardModels(updated, 51_000);
    expect(later[0]).not.toBe(second[0]);
    expect(later[0]).toEqual(packCardModel(views[0], 51_000));
  });
});

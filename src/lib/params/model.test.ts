import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromCount } from '../protocol/commands/payload';
import { bytesToHex } from '../protocol/hex';
import { decodeCaptured } from '../protocol/fixtures/capture-helpers';
import { defaultParamValues, LEVEL_MEANINGS, PARAM_GROUPS, PARAMS, paramGroup, type ParamGroupId, type ParamValues } from './model';
import { formatParamValue, groupRequest, groupValues, parseParamDateTime, sameParamValue } from './values';
import { validate } from './rules';

/**
 * The read replies of reference §8.1/§8.2 for every captured group; timed storage was never
 * captured, so its replies are the hand-built frames of timed-storage.test.ts.
 */
const CAPTURED_REPLIES: Record<ParamGroupId, string> = {
  cellOverVoltage: '~25004600F010010E100E740D340AFA35\r',
  cellUnderVoltage: '~25004600F010010AF009C40B540AFA24\r',
  packOverVoltage: '~25004600F01001E100E740D2F00AFA24\r',
  packUnderVoltage: '~25004600F01001AF009C40B5400AFA24\r',
  chargeOverCurrent: '~25004600400C010068006E0AFB1D\r',
  dischargeOverCurrent1: '~25004600400C01FF97FF920AFAD3\r',
  overCurrent2: '~25004600400C009604009604FB32\r',
  shortCircuit: '~25004600E0020CFD25\r',
  cellHighTemperature: '~25004600501A010CA80CD00C9E0CDA0D020CD0F7BE\r',
  cellLowTemperature: '~25004600501A010AAA0A780AAA0A1409E20A14F7E5\r',
  mosTemperature: '~25004600200E010E2E0EF60DFCFA5D\r',
  ambientTemperature: '~25004600501A0109E209B009E20D340D660D34F806\r',
  balance: '~2500460080080D48001EFBE9\r',
  sleep: '~2500460080080C1C0005FBF3\r',
  fullCharge: '~25004600600ADAC007D005FB60\r',
  limiter: '~25004600C0040064FCCE\r',
  // interval 0 (off); start = end = 2024-01-01 00:00:00
  storageInterval: '~25004600E00200FD38\r',
  storageStart: '~25004600400C180101000000FB4D\r',
  storageEnd: '~25004600400C180101000000FB4D\r'
};

describe('parameter model', () => {
  it('covers every group of reference §8.1/§8.2 plus timed storage B7–BC', () => {
    expect(PARAM_GROUPS.map((g) => g.read.cid2.toString(16))).toEqual([
      'd1',
      'd3',
      'd5',
      'd7',
      'd9',
      'db',
      'e3',
      'e5',
      'dd',
      'df',
      'e1',
      'e7',
      'b6',
      'a0',
      'af',
      'ed',
      'b8',
      'ba',
      'bc'
    ]);
    expect(PARAM_GROUPS.filter((g) => g.optional).map((g) => g.id)).toEqual(['storageInterval', 'storageStart', 'storageEnd']);
  });

  it('the defaults are exactly what the captured replies decode to', () => {
    const defaults = defaultParamValues();
    for (const g of PARAM_GROUPS) {
      const { value } = decodeCaptured(g.read, CAPTURED_REPLIES[g.id]);
      const fromPack = groupValues(g.id, value);
      for (const m of g.params) expect(fromPack[m.id], m.id).toBe(defaults[m.id]);
    }
  });

  it('the captured defaults are a consistent set for a 16-cell pack: no violation at all', () => {
    expect(validate(defaultParamValues(), { cellCount: 16 })).toEqual([]);
  });

  it('every group has read/write commands of the right kind and ids group.field with the unit in the name', () => {
    for (const g of PARAM_GROUPS) {
      expect(g.read.kind).toBe('read');
      expect(g.write.kind).toBe('write');
      for (const m of g.params) {
        expect(m.id).toBe(`${g.id}.${m.field}`);
        expect(m.readCid2).toBe(g.read.cid2);
        expect(m.writeCid2).toBe(g.write.cid2);
        expect(m.label.length).toBeGreaterThan(3);
        expect(LEVEL_MEANINGS[m.level].length).toBeGreaterThan(10);
        if (m.type === 'number') {
          expect(m.unit, m.id).not.toBe('');
          expect(m.id.endsWith(`_${m.unit.replace('°C', 'C').replace('µs', 'us').replace('%', 'pct')}`), m.id).toBe(true);
        }
      }
    }
    expect(PARAMS.size).toBe(PARAM_GROUPS.reduce((n, g) => n + g.params.length, 0));
  });

  it('levels: every protection group has its enable, alarm, protect, release and delay where the layout carries them', () => {
    const levels = (id: ParamGroupId) => paramGroup(id).params.map((m) => m.level);
    expect(levels('cellOverVoltage')).toEqual(['enable', 'alarm', 'protect', 'release', 'delay']);
    expect(levels('chargeOverCurrent')).toEqual(['enable', 'alarm', 'protect', 'delay']);
    expect(levels('cellLowTemperature')).toEqual(['enable', 'alarm', 'protect', 'release', 'alarm', 'protect', 'release']);
    expect(levels('shortCircuit')).toEqual(['delay']);
  });

  it('metadata ranges are the ones the write commands enforce (min/max pass, one step beyond fails)', () => {
    const defaults = defaultParamValues();
    for (const g of PARAM_GROUPS) {
      for (const m of g.params) {
        if (m.type !== 'number' || !m.writable) continue;
        const at = (v: number) => () => g.write.encodeRequest(groupRequest(g.id, { ...defaults, [m.id]: v }));
        expect(at(m.min), `${m.id} min`).not.toThrow();
        expect(at(m.max), `${m.id} max`).not.toThrow();
        expect(at(m.min - m.step), `${m.id} below`).toThrowError(RangeError);
        expect(at(m.max + m.step), `${m.id} above`).toThrowError(RangeError);
      }
    }
  });

  it('wire scales: 100 ms delays, 25 ms OC2 delays, 25 µs short circuit, 0.1 °C temperatures', () => {
    expect(PARAMS.get('cellOverVoltage.delay_ms')).toMatchObject({ scale: 100, min: 1000, max: 20000, vendorStep: 500, unit: 'ms' });
    expect(PARAMS.get('overCurrent2.dischargeDelay_ms')).toMatchObject({ scale: 25, min: 100, max: 2000 });
    expect(PARAMS.get('shortCircuit.delay_us')).toMatchObject({ scale: 25, min: 100, max: 500, unit: 'µs' });
    expect(PARAMS.get('cellHighTemperature.chargeAlarm_C')).toMatchObject({ scale: 0.1, min: 20, max: 100, unit: '°C' });
    expect(PARAMS.get('packOverVoltage.alarm_mV')).toMatchObject({ min: 20000, max: 65000, display: { unit: 'V', factor: 0.001 } });
    expect(PARAMS.get('storageInterval.interval_min')).toMatchObject({ min: 0, max: 120, unit: 'min' });
  });

  it('float noise is not a change; a different wire count is', () => {
    const t = PARAMS.get('cellHighTemperature.chargeAlarm_C')!;
    expect(sameParamValue(t, 51.1, 51.100000000000001)).toBe(true);
    expect(sameParamValue(t, 0.1 + 0.2, 0.3)).toBe(true);
    expect(sameParamValue(t, 51.1, 51.2)).toBe(false);
    expect(formatParamValue(t, 51.1)).toBe('51.1 °C');
    expect(formatParamValue(PARAMS.get('cellOverVoltage.enabled')!, false)).toBe('off');
  });
});

describe('group requests from values (byte for byte against the captured writes, reference §8.1–8.3)', () => {
  const d = defaultParamValues();
  const hex = (id: ParamGroupId, values: ParamValues = d) => bytesToHex(paramGroup(id).write.encodeRequest(groupRequest(id, values)));

  it('cell OV D0: the captured write INFO', () => {
    expect(groupRequest('cellOverVoltage', d)).toEqual({ enabled: true, alarm_mV: 3600, protect_mV: 3700, release_mV: 3380, delay_ms: 1000 });
    expect(hex('cellOverVoltage')).toBe('010E100E740D340A');
  });

  it('pack OV D4 at 57.61 V: the captured write INFO', () => {
    expect(hex('packOverVoltage', { ...d, 'packOverVoltage.alarm_mV': 57610 })).toBe('01E10AE740D2F00A');
  });

  it('discharge OC1 DA: read negative, written positive', () => {
    expect(hex('dischargeOverCurrent1', { ...d, 'dischargeOverCurrent1.alarm_A': 105 })).toBe('010069006E0A');
  });

  it('OC2 E2 is written as 3 bytes, the discharge half only, like PbmsTools', () => {
    expect(groupRequest('overCurrent2', d)).toEqual({ discharge_A: 150, dischargeDelay_ms: 100 });
    expect(hex('overCurrent2')).toBe('009604');
  });

  it('temperatures in 0.1 K, full charge with the low-SOC byte, limiter u16', () => {
    expect(hex('cellHighTemperature')).toBe('010CA80CD00C9E0CDA0D020CD0');
    expect(hex('ambientTemperature')).toBe('0109E209B009E20D340D660D34');
    expect(hex('fullCharge')).toBe('DAC007D005');
    expect(hex('fullCharge', { ...d, 'fullCharge.lowSocAlarm_pct': undefined })).toBe('DAC007D0');
    expect(hex('limiter')).toBe('0064');
    expect(hex('balance')).toBe('0D48001E');
    expect(hex('sleep')).toBe('0C1C0005');
    expect(hex('shortCircuit')).toBe('0C');
  });

  it('timed storage start as six calendar bytes', () => {
    expect(parseParamDateTime('2025-06-01 08:00:00')).toEqual({ year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 });
    expect(parseParamDateTime('2025-6-1 8:00')).toBeNull();
    expect(hex('storageStart', { ...d, 'storageStart.time': '2025-06-01 08:00:00' })).toBe('190601080000');
    expect(() => groupRequest('storageStart', { ...d, 'storageStart.time': 'tomorrow' })).toThrowError(/YYYY-MM-DD hh:mm:ss/);
  });

  it('refuses to build a write with a missing field', () => {
    expect(() => groupRequest('sleep', { ...d, 'sleep.delay_min': undefined })).toThrowError(/Sleep Delay Time \(sleep\.delay_min\) has no value/);
  });
});

describe('every parameter group write round-trips any in-range value (property)', () => {
  const pad = (n: number) => String(n).padStart(2, '0');
  const dateTime = fc
    .record({
      y: fc.integer({ min: 2000, max: 2099 }),
      mo: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 })
    })
    .map((t) => `${t.y}-${pad(t.mo)}-${pad(t.d)} ${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}`);
  for (const g of PARAM_GROUPS) {
    it(g.id, () => {
      const writable = g.params.filter((m) => m.writable);
      const arbs = writable.map((m): fc.Arbitrary<boolean | number | string> =>
        m.type === 'boolean'
          ? fc.boolean()
          : m.type === 'datetime'
            ? dateTime
            : fc.integer({ min: Math.round(m.min / m.step), max: Math.round(m.max / m.step) }).map((n) => fromCount(n, m.step))
      );
      fc.assert(
        fc.property(fc.tuple(...arbs), (vals) => {
          const values: Record<string, boolean | number | string> = { ...defaultParamValues() };
          writable.forEach((m, i) => (values[m.id] = vals[i]));
          const req = groupRequest(g.id, values);
          const back = g.write.decodeRequest(g.write.encodeRequest(req));
          expect(back).toEqual(req);
          // and the values come back as they went in
          const again = groupValues(g.id, back);
          for (const m of writable) expect(sameParamValue(m, again[m.id], values[m.id]), m.id).toBe(true);
        }),
        { numRuns: 60 }
      );
    });
  }
});

import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../hex';
import { decodeCaptured } from '../fixtures/capture-helpers';
import {
  defaultParamValues,
  groupRequestFromValues,
  issuesByParam,
  PARAM_GROUPS,
  PARAM_RULES,
  PARAMS,
  paramGroup,
  paramValuesFromGroup,
  validate,
  type ParamGroupId
} from './params';

/** The read replies of reference §8.1/§8.2, one per group. */
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
  limiter: '~25004600C0040064FCCE\r'
};

describe('parameter metadata', () => {
  it('the defaults are exactly what the captured replies decode to', () => {
    const defaults = defaultParamValues();
    for (const g of PARAM_GROUPS) {
      const { value } = decodeCaptured(g.read, CAPTURED_REPLIES[g.id]);
      const fromPack = paramValuesFromGroup(g.id, value);
      for (const p of g.params) expect(fromPack[p.id], p.id).toBe(defaults[p.id]);
    }
  });

  it('the captured defaults are a consistent set: no issue at all', () => {
    expect(validate(defaultParamValues())).toEqual([]);
  });

  it('every group has read/write CID2 from its commands and ids group.field', () => {
    for (const g of PARAM_GROUPS) {
      expect(g.read.kind).toBe('read');
      expect(g.write.kind).toBe('write');
      for (const p of g.params) {
        expect(p.id).toBe(`${g.id}.${p.field}`);
        expect(p.readCid2).toBe(g.read.cid2);
        expect(p.writeCid2).toBe(g.write.cid2);
        expect(p.label.length).toBeGreaterThan(3);
        if (p.type === 'number') {
          expect(p.unit, p.id).not.toBe('');
          expect(p.id.endsWith(`_${p.unit.replace('°C', 'C').replace('µs', 'us').replace('%', 'pct')}`), p.id).toBe(true);
        }
      }
    }
    expect(PARAMS.size).toBe(PARAM_GROUPS.reduce((n, g) => n + g.params.length, 0));
  });

  it('metadata ranges are the ones the write commands enforce (min/max pass, one step beyond fails)', () => {
    const defaults = defaultParamValues();
    for (const g of PARAM_GROUPS) {
      for (const p of g.params) {
        if (p.type !== 'number' || !p.writable) continue;
        const at = (v: number) => () => g.write.encodeRequest(groupRequestFromValues(g.id, { ...defaults, [p.id]: v }));
        expect(at(p.min), `${p.id} min`).not.toThrow();
        expect(at(p.max), `${p.id} max`).not.toThrow();
        expect(at(p.min - p.step), `${p.id} below`).toThrowError(RangeError);
        expect(at(p.max + p.step), `${p.id} above`).toThrowError(RangeError);
      }
    }
  });

  it('wire scales: 100 ms delays, 25 ms OC2 delays, 25 µs short circuit, 0.1 °C temperatures', () => {
    expect(PARAMS.get('cellOverVoltage.delay_ms')).toMatchObject({ scale: 100, min: 1000, max: 20000, vendorStep: 500, unit: 'ms' });
    expect(PARAMS.get('overCurrent2.dischargeDelay_ms')).toMatchObject({ scale: 25, min: 100, max: 2000 });
    expect(PARAMS.get('shortCircuit.delay_us')).toMatchObject({ scale: 25, min: 100, max: 500, unit: 'µs' });
    expect(PARAMS.get('cellHighTemperature.chargeAlarm_C')).toMatchObject({ scale: 0.1, min: 20, max: 100, unit: '°C' });
    expect(PARAMS.get('packOverVoltage.alarm_mV')).toMatchObject({ min: 20000, max: 65000, display: { unit: 'V', factor: 0.001 } });
  });

  it('every rule names two known numeric params', () => {
    for (const r of PARAM_RULES) {
      expect(PARAMS.get(r.param)?.type, r.param).toBe('number');
      expect(PARAMS.get(r.other)?.type, r.other).toBe('number');
    }
  });
});

describe('validate()', () => {
  const d = defaultParamValues();

  it('over-voltage: release must be below the alarm, and says why', () => {
    const issues = validate({ ...d, 'cellOverVoltage.release_mV': 3650 });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ param: 'cellOverVoltage.release_mV', kind: 'relation', related: 'cellOverVoltage.alarm_mV' });
    expect(issues[0].message).toBe(
      'Cell OVP Release (3650 mV) must be below Cell OV Alarm (3600 mV): the protection clears only once the value has fallen back past the release point.'
    );
    // equal is not enough for voltages
    expect(validate({ ...d, 'cellOverVoltage.release_mV': 3600 }).map((i) => i.param)).toEqual(['cellOverVoltage.release_mV']);
  });

  it('under-voltage: release must be above the alarm, alarm not below protect', () => {
    const issues = validate({ ...d, 'packUnderVoltage.release_mV': 44000, 'packUnderVoltage.alarm_mV': 39000 });
    const byParam = issuesByParam(issues);
    expect(byParam['packUnderVoltage.alarm_mV'][0]).toMatch(
      /Pack UV Alarm \(39000 mV\) must be at or above Pack UV Protect \(40000 mV\): otherwise the pack cuts off before it has warned/
    );
    expect(Object.keys(byParam)).toEqual(['packUnderVoltage.alarm_mV']);
    const r2 = validate({ ...d, 'packUnderVoltage.release_mV': 44000 });
    expect(r2.map((i) => i.message)).toEqual([expect.stringMatching(/Pack UVP Release \(44000 mV\) must be above Pack UV Alarm \(44800 mV\)/)]);
  });

  it('over-current: alarm at or below protect', () => {
    const issues = validate({ 'chargeOverCurrent.alarm_A': 120, 'chargeOverCurrent.protect_A': 110 });
    expect(issues).toEqual([expect.objectContaining({ param: 'chargeOverCurrent.alarm_A', kind: 'relation' })]);
    expect(validate({ 'chargeOverCurrent.alarm_A': 110, 'chargeOverCurrent.protect_A': 110 })).toEqual([]);
  });

  it('temperatures allow release equal to the alarm (as the captures do) but not past the protection', () => {
    expect(validate({ ...d, 'cellLowTemperature.chargeRelease_C': 0, 'cellLowTemperature.chargeAlarm_C': 0 })).toEqual([]);
    const issues = validate({ ...d, 'mosTemperature.release_C': 111 });
    expect(issues.map((i) => i.param)).toEqual(['mosTemperature.release_C', 'mosTemperature.release_C']);
    expect(issues[1].message).toMatch(/below MOS High-Temperature Protection \(110 °C\): otherwise the protection would clear as soon as it trips/);
  });

  it('cross-group rules: OC2 above OC1, full charge below pack OV protect, limiter below charge OC', () => {
    const issues = validate({ ...d, 'overCurrent2.discharge_A': 100, 'fullCharge.fullChargeVoltage_mV': 59200, 'limiter.startCurrent_A': 120 });
    expect(issues.map((i) => i.param).sort()).toEqual(['fullCharge.fullChargeVoltage_mV', 'limiter.startCurrent_A', 'overCurrent2.discharge_A']);
  });

  it('range, step and type messages are plain sentences with units', () => {
    const issues = validate({
      'cellOverVoltage.alarm_mV': 4600,
      'cellOverVoltage.delay_ms': 1050,
      'cellOverVoltage.enabled': 1 as unknown as boolean,
      'nope.x': 1
    });
    const m = issuesByParam(issues);
    expect(m['cellOverVoltage.alarm_mV']).toEqual(['Cell OV Alarm must be between 2500 mV and 4500 mV; you entered 4600 mV.']);
    expect(m['cellOverVoltage.delay_ms'][0]).toBe(
      'Cell OVP Delay Time must be a multiple of 100 ms (the pack stores it in steps of 100 ms); you entered 1050 ms.'
    );
    expect(m['cellOverVoltage.enabled'][0]).toBe('Cell OV protection enable must be on or off.');
    expect(m['nope.x'][0]).toMatch(/Unknown parameter/);
    expect(validate({ 'cellHighTemperature.chargeAlarm_C': 51.05 })[0].message).toMatch(/multiple of 0\.1 °C/);
  });

  it('skips a rule when one side is itself invalid or absent', () => {
    const issues = validate({ 'cellOverVoltage.release_mV': 9999, 'cellOverVoltage.alarm_mV': 3600 });
    expect(issues.map((i) => i.kind)).toEqual(['range']);
    expect(validate({ 'cellOverVoltage.release_mV': 3700 })).toEqual([]);
  });
});

describe('group requests from values', () => {
  const d = defaultParamValues();

  it('builds the typed write and reproduces the captured write frame', () => {
    const req = groupRequestFromValues('cellOverVoltage', d);
    expect(req).toEqual({ enabled: true, alarm_mV: 3600, protect_mV: 3700, release_mV: 3380, delay_ms: 1000 });
    expect(bytesToHex(paramGroup('cellOverVoltage').write.encodeRequest(req))).toBe('010E100E740D340A');
  });

  it('OC2 writes only the discharge half, like PbmsTools (E2 3 bytes)', () => {
    const req = groupRequestFromValues('overCurrent2', d);
    expect(req).toEqual({ discharge_A: 150, dischargeDelay_ms: 100 });
    expect(bytesToHex(paramGroup('overCurrent2').write.encodeRequest(req))).toBe('009604');
  });

  it('refuses to build a write with a missing field', () => {
    const partial = { ...d, 'sleep.delay_min': undefined };
    expect(() => groupRequestFromValues('sleep', partial)).toThrowError(/Sleep Delay Time \(sleep\.delay_min\) has no value/);
  });
});

import { describe, expect, it } from 'vitest';
import { defaultParamValues, PARAMS } from './model';
import { CONSISTENCY_RULES, RELATION_RULES, ruleIds, validate, violationsByParam } from './rules';

const d = defaultParamValues();

describe('rule table', () => {
  it('every rule names known numeric params and has a unique name', () => {
    for (const r of RELATION_RULES) {
      expect(PARAMS.get(r.param)?.type, r.param).toBe('number');
      expect(PARAMS.get(r.other)?.type, r.other).toBe('number');
    }
    for (const r of CONSISTENCY_RULES) {
      expect(PARAMS.get(r.pack)?.unit).toBe('mV');
      expect(PARAMS.get(r.cell)?.unit).toBe('mV');
    }
    const ids = ruleIds();
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('validate(): each value on its own', () => {
  it('range, step and type messages are plain sentences with units, each naming its rule', () => {
    const violations = validate({
      'cellOverVoltage.alarm_mV': 4600,
      'cellOverVoltage.delay_ms': 1050,
      'cellOverVoltage.enabled': 1 as unknown as boolean,
      'nope.x': 1
    });
    const m = violationsByParam(violations);
    expect(m['cellOverVoltage.alarm_mV'][0]).toMatchObject({
      rule: 'range',
      message: 'Cell OV Alarm must be between 2500 mV and 4500 mV; you entered 4600 mV.'
    });
    expect(m['cellOverVoltage.delay_ms'][0]).toMatchObject({
      rule: 'step',
      message: 'Cell OVP Delay Time must be a multiple of 100 ms (the pack stores it in steps of 100 ms); you entered 1050 ms.'
    });
    expect(m['cellOverVoltage.enabled'][0]).toMatchObject({ rule: 'type', message: 'Cell OV protection enable must be on or off.' });
    expect(m['nope.x'][0]).toMatchObject({ rule: 'unknown', message: 'Unknown parameter "nope.x".' });
    expect(validate({ 'cellHighTemperature.chargeAlarm_C': 51.05 })[0].message).toMatch(/multiple of 0\.1 °C/);
  });

  it('date-times must be real calendar times the pack can store', () => {
    expect(validate({ 'storageStart.time': '2025-02-30 00:00:00' })[0]).toMatchObject({ rule: 'range', params: ['storageStart.time'] });
    expect(validate({ 'storageStart.time': '1999-12-31 23:59:59' })[0].message).toMatch(/between 2000 and 2099/);
    expect(validate({ 'storageStart.time': 3 })[0]).toMatchObject({ rule: 'type' });
    expect(validate({ 'storageStart.time': '2025-06-01 08:00:00' })).toEqual([]);
  });
});

describe('validate(): rules between values', () => {
  it('over-voltage: release below the alarm (strict), and says why', () => {
    const violations = validate({ ...d, 'cellOverVoltage.release_mV': 3650 });
    expect(violations).toEqual([
      {
        rule: 'cellOverVoltage.release-past-alarm',
        kind: 'relation',
        params: ['cellOverVoltage.release_mV', 'cellOverVoltage.alarm_mV'],
        message:
          'Cell OVP Release (3650 mV) must be below Cell OV Alarm (3600 mV): the protection clears only once the value has fallen back past the release point.',
        words: {
          code: 'relation',
          values: { a: 'Cell OVP Release', a_value: '3650 mV', b: 'Cell OV Alarm', b_value: '3600 mV', relation: 'below', reason: 'release_fallen' }
        }
      }
    ]);
    expect(validate({ ...d, 'cellOverVoltage.release_mV': 3600 }).map((v) => v.rule)).toEqual(['cellOverVoltage.release-past-alarm']);
  });

  it('alarm before protect: an alarm past the protect threshold is refused with both values', () => {
    const v = validate({ ...d, 'cellOverVoltage.alarm_mV': 3750 });
    expect(v.map((x) => x.rule)).toEqual(['cellOverVoltage.alarm-before-protect']);
    expect(v[0].message).toBe(
      'Cell OV Alarm (3750 mV) must be at or below Cell OV Protect (3700 mV): otherwise the pack cuts off before it has warned.'
    );
  });

  it('under-voltage: alarm not below protect, release above the alarm', () => {
    const v = validate({ ...d, 'packUnderVoltage.release_mV': 44000, 'packUnderVoltage.alarm_mV': 39000 });
    expect(v.map((x) => x.rule)).toEqual(['packUnderVoltage.alarm-before-protect']);
    const v2 = validate({ ...d, 'packUnderVoltage.release_mV': 44000 });
    expect(v2.map((x) => x.message)).toEqual([expect.stringMatching(/Pack UVP Release \(44000 mV\) must be above Pack UV Alarm \(44800 mV\)/)]);
  });

  it('release on the safe side of protect: a release past the protection would clear as it trips', () => {
    const v = validate({ ...d, 'mosTemperature.release_C': 111 });
    expect(v.map((x) => x.rule)).toEqual(['mosTemperature.release-past-alarm', 'mosTemperature.release-safe-side']);
    expect(v[1].message).toMatch(/below MOS High-Temperature Protection \(110 °C\): otherwise the protection would clear as soon as it trips/);
  });

  it('temperatures allow release equal to the alarm (as the captures do)', () => {
    expect(validate({ ...d, 'cellLowTemperature.chargeRelease_C': 0, 'cellLowTemperature.chargeAlarm_C': 0 })).toEqual([]);
  });

  it('the charge temperature window lies inside the discharge window', () => {
    const hot = validate({
      ...d,
      'cellHighTemperature.chargeAlarm_C': 58,
      'cellHighTemperature.chargeProtect_C': 62,
      'cellHighTemperature.chargeRelease_C': 57
    });
    expect(hot.map((v) => v.rule).sort()).toEqual(['charge-high-alarm-inside-discharge', 'charge-high-inside-discharge']);
    expect(hot.find((v) => v.rule === 'charge-high-inside-discharge')!.params).toEqual([
      'cellHighTemperature.chargeProtect_C',
      'cellHighTemperature.dischargeProtect_C'
    ]);
    const cold = validate({
      ...d,
      'cellLowTemperature.chargeProtect_C': -25,
      'cellLowTemperature.chargeAlarm_C': -20,
      'cellLowTemperature.chargeRelease_C': -18
    });
    expect(cold.map((v) => v.rule).sort()).toEqual(['charge-low-alarm-inside-discharge', 'charge-low-inside-discharge']);
    expect(cold[0].message).toMatch(/plates lithium/);
  });

  it('pack thresholds consistent with cell thresholds × cell count: a 16S setting on a 15S pack, or 15S on 16S, is caught', () => {
    expect(validate(d, { cellCount: 16 })).toEqual([]);
    const on15 = validate(d, { cellCount: 15 });
    expect(on15.map((v) => v.rule)).toEqual(['pack-uv-alarm-matches-cells', 'pack-uv-protect-matches-cells', 'pack-uv-release-matches-cells']);
    expect(on15[1].message).toBe(
      'Pack UV Protect (40000 mV) is more than 5 % above Cell UV Protect × 15 cells (37500 mV): the pack would cut off while every cell is still inside its own limit. Was it set for a pack with another cell count?'
    );
    const fifteenS = { ...d, 'packOverVoltage.alarm_mV': 54000, 'packOverVoltage.protect_mV': 55500, 'packOverVoltage.release_mV': 50700 };
    expect(
      validate(fifteenS, { cellCount: 16 })
        .filter((v) => v.kind === 'consistency')
        .map((v) => v.rule)
    ).toEqual(['pack-ov-alarm-matches-cells', 'pack-ov-protect-matches-cells', 'pack-ov-release-matches-cells']);
    // without a cell count the rule cannot be checked, and is not
    expect(validate(d)).toEqual([]);
  });

  it('a pack limit looser than the cells is a backstop, not an inconsistency: lowering only the cell limit is allowed', () => {
    const lowered = { ...d, 'cellOverVoltage.alarm_mV': 3400, 'cellOverVoltage.protect_mV': 3450, 'cellOverVoltage.release_mV': 3350 };
    expect(validate(lowered, { cellCount: 16 })).toEqual([]);
    // within 5 % stricter is still consistent
    expect(validate({ ...d, 'packOverVoltage.protect_mV': 58400 }, { cellCount: 16 })).toEqual([]);
  });

  it('windows and levels between groups', () => {
    const v = validate({
      ...d,
      'overCurrent2.discharge_A': 100,
      'fullCharge.fullChargeVoltage_mV': 59200,
      'limiter.startCurrent_A': 120,
      'sleep.cellVoltage_mV': 2400
    });
    expect(v.map((x) => x.rule).sort()).toEqual([
      'full-charge-below-pack-ov',
      'limiter-below-charge-oc',
      'oc2-beyond-oc1-discharge',
      'sleep-above-cell-uv'
    ]);
    const crossed = {
      ...d,
      'cellUnderVoltage.alarm_mV': 3100,
      'cellUnderVoltage.protect_mV': 3000,
      'cellUnderVoltage.release_mV': 3200,
      'cellOverVoltage.alarm_mV': 2800,
      'cellOverVoltage.protect_mV': 2900,
      'cellOverVoltage.release_mV': 2700
    };
    expect(validate(crossed).map((x) => x.rule)).toContain('cell-voltage-window');
  });

  it('timed storage: the end after the start unless storage is off', () => {
    const window = { 'storageStart.time': '2025-07-01 00:00:00', 'storageEnd.time': '2025-06-01 00:00:00' };
    expect(validate({ ...window, 'storageInterval.interval_min': 30 }).map((v) => v.rule)).toEqual(['storage-window-order']);
    expect(validate({ ...window, 'storageInterval.interval_min': 0 })).toEqual([]);
  });

  it('returns every violation, not just the first; skips a rule when one side is itself invalid or absent', () => {
    const v = validate({ ...d, 'cellOverVoltage.alarm_mV': 3750, 'packOverVoltage.alarm_mV': 60000, 'chargeOverCurrent.alarm_A': 120 });
    expect(v.map((x) => x.rule)).toEqual([
      'cellOverVoltage.alarm-before-protect',
      'packOverVoltage.alarm-before-protect',
      'chargeOverCurrent.alarm-before-protect'
    ]);
    expect(validate({ 'cellOverVoltage.release_mV': 9999, 'cellOverVoltage.alarm_mV': 3600 }).map((x) => x.kind)).toEqual(['range']);
    expect(validate({ 'cellOverVoltage.release_mV': 3700 })).toEqual([]);
  });
});

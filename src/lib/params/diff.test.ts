import { describe, expect, it } from 'vitest';
import { diffParams, mergeValues, pickGroups, touchedGroups } from './diff';
import { defaultParamValues } from './model';

const d = defaultParamValues();

describe('diff of pending edits against the pack', () => {
  it('per group, in model order, with old → new in units; float noise and read-only fields are no change', () => {
    const edits = {
      ...d,
      'sleep.delay_min': 9,
      'cellOverVoltage.protect_mV': 3650,
      'cellOverVoltage.alarm_mV': 3550,
      'cellHighTemperature.chargeAlarm_C': 51.00000001,
      'overCurrent2.charge_A': 200
    };
    expect(diffParams(d, edits)).toEqual([
      {
        group: 'cellOverVoltage',
        title: 'Cell over-voltage',
        changes: [
          { param: 'cellOverVoltage.alarm_mV', label: 'Cell OV Alarm', from: 3600, to: 3550, text: '3600 mV → 3550 mV' },
          { param: 'cellOverVoltage.protect_mV', label: 'Cell OV Protect', from: 3700, to: 3650, text: '3700 mV → 3650 mV' }
        ]
      },
      { group: 'sleep', title: 'Sleep', changes: [{ param: 'sleep.delay_min', label: 'Sleep Delay Time', from: 5, to: 9, text: '5 min → 9 min' }] }
    ]);
  });

  it('a value the pack did not report is a change from "—"', () => {
    const pack = { ...d };
    delete (pack as Record<string, unknown>)['fullCharge.lowSocAlarm_pct'];
    expect(diffParams(pack, { 'fullCharge.lowSocAlarm_pct': 10 })[0].changes[0].text).toBe('— → 10 %');
  });

  it('merge, touched groups, pick', () => {
    expect(mergeValues({ a: 1 } as never, { 'sleep.delay_min': 9, 'overCurrent2.charge_A': 1, nope: 3 } as never)).toEqual({
      a: 1,
      'sleep.delay_min': 9
    });
    expect(touchedGroups({ 'sleep.delay_min': 9, 'balance.startDelta_mV': 40, 'x.y': 1 })).toEqual(['balance', 'sleep']);
    expect(Object.keys(pickGroups(d, ['sleep']))).toEqual(['sleep.cellVoltage_mV', 'sleep.delay_min']);
  });
});

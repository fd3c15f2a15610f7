// Every message key the engine hands to pages exists in English and Simplified Chinese, with the
// placeholders the engine fills.

import { describe, expect, it } from 'vitest';
import en from '../../../messages/params/en.json';
import zh from '../../../messages/params/zh-CN.json';
import { CALIBRATIONS } from './calibration';
import { MOS_REFUSAL_KEYS } from './control';
import { Extensions } from './extension-profile';
import { INSTALLER_MESSAGE_KEYS } from './installer';
import { LEVEL_MESSAGE_KEYS } from './model';
import { OUTCOME_MESSAGE_KEYS } from './stores';

const has = (key: string) => {
  expect((en as Record<string, string>)[key], key).toBeTruthy();
  expect((zh as Record<string, string>)[key], key).toBeTruthy();
};

describe('message keys the engine uses', () => {
  it('levels, outcomes, controls, installer, calibration steps', () => {
    for (const k of [
      ...Object.values(LEVEL_MESSAGE_KEYS),
      ...Object.values(OUTCOME_MESSAGE_KEYS),
      ...Object.values(MOS_REFUSAL_KEYS),
      ...Object.values(INSTALLER_MESSAGE_KEYS),
      'params_control_heater_note',
      'params_control_static_balancing_note',
      'params_control_shutdown_note',
      ...CALIBRATIONS.flatMap((c) => c.steps)
    ])
      has(k);
  });

  it('every extension reason, with its placeholders', () => {
    const profile = { format: 'packservice.extension-profile' as const, version: 1 as const, name: 'X', commands: { setHost: { cid2: 0xf8 } } };
    const all = [new Extensions('demo'), new Extensions('real'), new Extensions('real', profile)].flatMap((e) => e.availability());
    const u = new Extensions('demo');
    u.markUnsupported('setWifi');
    all.push(u.of('setWifi'));
    expect(new Set(all.map((a) => a.reason))).toEqual(new Set(['demo', 'no-profile', 'profile', 'not-in-profile', 'unsupported']));
    for (const a of all) {
      has(a.messageKey);
      for (const p of (en as Record<string, string>)[a.messageKey].matchAll(/\{(\w+)\}/g))
        expect(a.messageParams[p[1]], `${a.messageKey} {${p[1]}}`).toBeDefined();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { defaultParamValues } from './model';
import { applyProfile, compareProfile, exportProfile, parseProfile, profileToJson, PROFILE_FORMAT, type ParameterProfile } from './profile';
import { createParamRig, type ParamRig } from './rig';

let rig: ParamRig | undefined;
afterEach(() => rig?.dispose());

const d = defaultParamValues();

function fileWith(patch: Record<string, unknown>, parameters?: Record<string, unknown>): string {
  const base = exportProfile(d, { name: 'Site A', created: new Date(Date.UTC(2025, 5, 1)), cellCount: 16 });
  return JSON.stringify({ ...base, ...patch, ...(parameters ? { parameters } : {}) });
}

describe('profile files', () => {
  it('export → JSON → import gives the same profile (writable values only)', () => {
    const profile = exportProfile(d, {
      name: 'Site A',
      created: new Date(Date.UTC(2025, 5, 1)),
      cellCount: 16,
      source: { bmsSerial: 'P1812X', address: 3 }
    });
    expect(profile.format).toBe(PROFILE_FORMAT);
    expect(profile.parameters['overCurrent2.charge_A']).toBeUndefined(); // read-only here
    expect(profile.parameters['cellOverVoltage.protect_mV']).toBe(3700);
    const back = parseProfile(profileToJson(profile));
    expect(back).toEqual({ ok: true, profile });
  });

  it('a malformed file is refused whole, every problem named by its field and reason', () => {
    const r = parseProfile(
      fileWith(
        { version: 2, name: '', cellCount: 18, extra: true, source: { address: 40 } },
        {
          'cellOverVoltage.protect_mV': 5000,
          'cellOverVoltage.delay_ms': 'long',
          'overCurrent2.charge_A': 150,
          'bogus.value_mV': 1
        }
      )
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { field: 'version', reason: 'is 2: the file was made by a newer version of this tool, which reads version 1. Update the app.' },
      { field: 'name', reason: 'must be text of 1 to 100 characters' },
      { field: 'cellCount', reason: 'must be the number of cells in series, 13..16' },
      { field: 'source.address', reason: 'must be a pack address 0..16' },
      { field: 'extra', reason: 'is not a field of a parameter profile' },
      { field: 'parameters.cellOverVoltage.protect_mV', reason: 'Cell OV Protect must be between 2500 mV and 4500 mV; you entered 5000 mV.' },
      { field: 'parameters.cellOverVoltage.delay_ms', reason: 'Cell OVP Delay Time must be a number.' },
      {
        field: 'parameters.overCurrent2.charge_A',
        reason: 'is read-only here (Charge OC 2 Protect is never written by this tool), so a profile cannot set it'
      },
      { field: 'parameters.bogus.value_mV', reason: 'is not a parameter this tool knows' }
    ]);
  });

  it('not JSON, not an object, another format, no parameters', () => {
    expect(parseProfile('{"format": ')).toMatchObject({
      ok: false,
      problems: [{ field: '(file)', reason: expect.stringMatching(/not valid JSON/) }]
    });
    expect(parseProfile('[1,2]')).toEqual({ ok: false, problems: [{ field: '(file)', reason: 'must be a JSON object' }] });
    const other = parseProfile(fileWith({ format: 'packservice.extension-profile' }));
    expect(other).toMatchObject({ ok: false, problems: [{ field: 'format' }] });
    expect(parseProfile(fileWith({}, {}))).toEqual({ ok: false, problems: [{ field: 'parameters', reason: 'holds no parameter' }] });
  });

  it('values that disagree with each other are refused with the rule named', () => {
    const r = parseProfile(fileWith({}, { 'cellOverVoltage.alarm_mV': 3750, 'cellOverVoltage.protect_mV': 3700 }));
    expect(r).toEqual({
      ok: false,
      problems: [
        {
          field: 'parameters.cellOverVoltage.alarm_mV',
          reason:
            'Cell OV Alarm (3750 mV) must be at or below Cell OV Protect (3700 mV): otherwise the pack cuts off before it has warned. (rule cellOverVoltage.alarm-before-protect)'
        }
      ]
    });
  });

  it('compare a file with a pack', () => {
    const profile = exportProfile({ ...d, 'sleep.delay_min': 9 }, { name: 'x' });
    const pack = { ...d };
    delete (pack as Record<string, unknown>)['storageInterval.interval_min'];
    const c = compareProfile(profile, pack);
    expect(c.differing).toBe(1);
    expect(c.rows.find((r) => r.param === 'sleep.delay_min')).toMatchObject({ same: false, text: 'pack 5 min, file 9 min' });
    expect(c.notOnPack).toEqual(['storageInterval.interval_min']);
  });
});

describe('applying a profile to several packs', () => {
  it('each pack through the write path, with a result per pack; one failing pack does not stop the others', async () => {
    rig = await createParamRig({ packCount: 3 });
    const r = rig;
    const reads = [await r.read(1), await r.read(2), await r.read(3)];
    const profile: ParameterProfile = exportProfile(
      { ...reads[0].values, 'balance.startDelta_mV': 45, 'limiter.startCurrent_A': 80 },
      { name: 'Site A', cellCount: 16 }
    );
    // Pack 2 is refused: its serial is not the one read (a pack was swapped since).
    const targets = reads.map((p) => ({ pack: { address: p.address, bmsSerial: p.address === 2 ? 'SWAPPED' : p.bmsSerial }, base: p.values }));
    const seen: number[] = [];
    const results = await r.run(applyProfile(r.path, profile, targets, { onPack: (_x, i) => seen.push(i) }));
    expect(results.map((x) => [x.pack.address, x.report.outcome])).toEqual([
      [1, 'written'],
      [2, 'not-sent'],
      [3, 'written']
    ]);
    expect(seen).toEqual([0, 1, 2]);
    expect(results[0].report.kind).toBe('profile');
    expect(results[0].report.title).toBe('Apply profile "Site A" (2 groups differ)');
    for (const a of [1, 3]) expect(r.bank.packAt(a)!.params).toMatchObject({ balanceDelta_mV: 45, limiterStart_A: 80 });
    expect(r.bank.packAt(2)!.params.balanceDelta_mV).toBe(30);
    // one snapshot per written pack
    expect(new Set(r.log.entries.filter((e) => e.outcome === 'written').map((e) => e.snapshotId)).size).toBe(2);
  });

  it('a pack that already matches the file is unchanged and nothing is sent to it', async () => {
    rig = await createParamRig({ packCount: 1 });
    const p = await rig.read(1);
    const profile = exportProfile(p.values, { name: 'same' });
    const [res] = await rig.run(applyProfile(rig.path, profile, [{ pack: rig.ref(1), base: p.values }]));
    expect(res.report.outcome).toBe('unchanged');
    expect(rig.log.entries).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { setSoftwareAddress } from '../protocol/commands/extensions';
import { setCellOverVoltage } from '../protocol/commands/protection';
import { ParamEngine } from './engine';
import { parseExtensionProfile } from './extension-profile';
import { MemoryPinStore } from './installer';
import { writeParams } from './param-writes';
import { createParamRig, type ParamRig } from './rig';

let rig: ParamRig;
afterEach(() => rig?.dispose());

async function engine(o: { readOnly?: boolean; link?: 'demo' | 'real' } = {}) {
  rig = await createParamRig({ packCount: 1 });
  const e = new ParamEngine({
    bus: rig.client,
    snapshots: rig.snapshots,
    log: rig.log,
    pins: new MemoryPinStore(),
    clock: rig.clock,
    link: o.link ?? 'demo',
    readOnly: o.readOnly
  });
  await e.installer.init();
  return e;
}

describe('the engine as the session wires it', () => {
  it('nothing is written until installer mode is unlocked; then the write path writes', async () => {
    const e = await engine();
    const before = await rig.read(1);
    const locked = await rig.run(writeParams(e.path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(locked.outcome).toBe('not-sent');
    expect(locked.message).toMatch(/set an installer PIN/);
    await e.installer.setPin('2468');
    const ok = await rig.run(writeParams(e.path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(ok.outcome).toBe('written');
  });

  it('the guard: writes only from the write path, with installer mode; the diagnose engine never', async () => {
    const e = await engine();
    await e.installer.setPin('2468');
    expect(e.guard(setCellOverVoltage, 1)).toMatchObject({ allowed: false, reason: expect.stringMatching(/write path/) });
    rig.dispose();
    const d = await engine({ readOnly: true });
    await d.installer.setPin('2468');
    const before = await rig.read(1);
    const r = await rig.run(writeParams(d.path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(r.outcome).toBe('not-sent');
    expect(r.message).toMatch(/only reads/);
    expect(d.guard(setCellOverVoltage, 1)).toMatchObject({ allowed: false });
  });

  it('an extension profile imported later enables its commands in the guard at once', async () => {
    const e = await engine({ link: 'real' });
    await e.installer.setPin('2468');
    expect(e.extensions.of('setSoftwareAddress').reason).toBe('no-profile');
    expect(e.extensions.allows(setSoftwareAddress)).toMatch(/never sent to a real pack by default/);
    const p = parseExtensionProfile(
      JSON.stringify({ format: 'packservice.extension-profile', version: 1, name: 'V', commands: { setSoftwareAddress: { cid2: 'F0' } } })
    );
    if (!p.ok) throw new Error('profile');
    e.setExtensionProfile(p.profile);
    expect(e.extensions.of('setSoftwareAddress')).toMatchObject({ enabled: true, reason: 'profile' });
    expect(e.extensions.allows(setSoftwareAddress)).toBeNull();
    // the guard still wants the write path to be the one sending it
    expect(e.guard(setSoftwareAddress, 1)).toMatchObject({ allowed: false, reason: expect.stringMatching(/write path/) });
  });
});

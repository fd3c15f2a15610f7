// The engine as the session wires it, with the real client's write guard installed: a grant as the
// session's ScopedGrant works (it passes what it was given only while the work runs), installer
// mode asked first, the read-only session, and vendor extensions narrowed to the link. The same
// rules through the session's own WriteAuthority are tested in session/params-feature.test.ts.

import { afterEach, describe, expect, it } from 'vitest';
import { setSoftwareAddress } from '../protocol/commands/extensions';
import type { TrafficEntry } from '../protocol/client';
import { findCommand } from '../protocol/registry';
import type { WriteAttempt } from '../protocol/write-guard';
import { ParamEngine } from './engine';
import { parseExtensionProfile } from './extension-profile';
import { setExtension } from './extension-writes';
import { InstallerMode, MemoryPinStore } from './installer';
import { writeParams } from './param-writes';
import { createParamRig, type ParamRig } from './rig';
import type { WriteGrant } from './write-path';

let rig: ParamRig;
afterEach(() => rig?.dispose());

/** A grant like the session's ScopedGrant, and the client guard that asks it. */
function scopedGrant(r: ParamRig): WriteGrant & { seen: WriteAttempt[] } {
  let match: ((a: WriteAttempt) => boolean) | null = null;
  const seen: WriteAttempt[] = [];
  r.client.setWriteGuard((a) => {
    seen.push(a);
    return match?.(a) ? null : 'no grant covers it';
  });
  return {
    seen,
    async during(m, fn) {
      match = m;
      try {
        return await fn();
      } finally {
        match = null;
      }
    }
  };
}

function writesOnWire(r: ParamRig): TrafficEntry[] {
  const t: TrafficEntry[] = [];
  r.client.onTraffic((e) => {
    if (e.dir === 'tx' && e.frame && findCommand(e.frame.code)?.kind !== 'read') t.push(e);
  });
  return t;
}

async function engine(o: { readOnly?: string; link?: 'demo' | 'real' } = {}) {
  rig = await createParamRig({ packCount: 1 });
  const installer = new InstallerMode({ store: new MemoryPinStore(), clock: rig.clock, iterations: 1000 });
  await installer.init();
  const grant = scopedGrant(rig);
  const e = new ParamEngine({
    bus: rig.client,
    snapshots: rig.snapshots,
    log: rig.log,
    installer,
    grant,
    link: o.link ?? 'demo',
    readOnly: () => o.readOnly ?? null
  });
  return { e, installer, grant };
}

describe('the engine as the session wires it', () => {
  it('nothing is read or sent until installer mode is unlocked; then only the granted request goes out', async () => {
    const { e, installer, grant } = await engine();
    const tx = writesOnWire(rig);
    const before = await rig.read(1);
    const locked = await rig.run(writeParams(e.path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(locked.outcome).toBe('not-sent');
    expect(locked.message).toMatch(/set an installer PIN/);
    expect(tx).toEqual([]);
    await installer.setPin('2468');
    const ok = await rig.run(writeParams(e.path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(ok.outcome).toBe('written');
    expect(tx.map((t) => t.frame!.code)).toEqual([0xa8]);
    // The guard was asked about exactly that one request.
    expect(grant.seen.map((a) => [a.commands, a.adr])).toEqual([[['setSleep'], 1]]);
  });

  it('a read-only session refuses before the bus is touched, PIN or not', async () => {
    const { e, installer } = await engine({ readOnly: 'this session only reads (diagnose)' });
    await installer.setPin('2468');
    const tx = writesOnWire(rig);
    const before = await rig.read(1);
    const r = await rig.run(writeParams(e.path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(r.outcome).toBe('not-sent');
    expect(r.message).toMatch(/only reads/);
    expect(tx).toEqual([]);
  });

  it('vendor extensions: off on a real pack until a profile enables them, and the grant narrows to the profile', async () => {
    const { e, installer } = await engine({ link: 'real' });
    await installer.setPin('2468');
    const tx = writesOnWire(rig);
    expect(e.extensions.of('setSoftwareAddress').reason).toBe('no-profile');
    const off = await rig.run(setExtension(e.path, rig.ref(1), e.extensions, { id: 'setSoftwareAddress', address: 5 }));
    expect(off.outcome).toBe('not-sent');
    expect(off.message).toMatch(/never sent to a real pack by default/);

    const p = parseExtensionProfile(
      JSON.stringify({ format: 'packservice.extension-profile', version: 1, name: 'V', commands: { setHost: { cid2: 'F8' } } })
    );
    if (!p.ok) throw new Error('profile');
    e.setExtensionProfile(p.profile);
    expect(e.extensions.of('setHost')).toMatchObject({ enabled: true, reason: 'profile' });
    expect(e.extensions.of('setSoftwareAddress')).toMatchObject({ enabled: false, reason: 'not-in-profile' });

    // Even inside the path's own grant, a disabled extension does not pass (a page bug cannot send it).
    await rig.run(
      e.path.run({
        kind: 'extension',
        pack: rig.ref(1),
        title: 'sneak',
        violations: [],
        snapshot: async () => ({ ok: true, values: {}, groups: [] }),
        plan: () => ({
          steps: [
            {
              what: 'sneak',
              command: setSoftwareAddress,
              request: { address: 5 },
              changes: [],
              verify: async () => ({ kind: 'no-read-back', message: '' })
            }
          ]
        })
      })
    );
    expect(tx.some((t) => t.frame!.code === setSoftwareAddress.cid2)).toBe(false);
    expect(rig.log.entries.at(-1)!.outcome).toBe('not-sent');
    expect(rig.log.entries.at(-1)!.message).toMatch(/not sent/i);

    // A new link (the demo bank) enables them all, the profile kept.
    e.setLink('demo');
    expect(e.extensions.of('setSoftwareAddress').reason).toBe('demo');
    expect(e.extensions.profile?.name).toBe('V');
  });
});

// The write guard as the client will apply it. Until the client's own setWriteGuard lands (the
// core-split branch), this test puts the guard in front of the real client's exchanges exactly
// where the client will call it (before a request is encoded and sent), and shows that without
// the installer PIN no write request reaches the wire, whoever asks.

import { afterEach, describe, expect, it } from 'vitest';
import type { TrafficEntry } from '../protocol/client';
import { setCellOverVoltage, readCellOverVoltage } from '../protocol/commands/protection';
import { setSoftwareAddress } from '../protocol/commands/extensions';
import { ProtocolError } from '../protocol/errors';
import { findCommand } from '../protocol/registry';
import { VirtualClock } from '../time/clock';
import type { BusOwner } from './bus';
import { Extensions } from './extension-profile';
import { createWriteGuard, type WriteGuard } from './guard';
import { InstallerMode, MemoryPinStore } from './installer';
import { writeParams } from './param-writes';
import { createParamRig, type ParamRig } from './rig';
import { WritePath } from './write-path';

let rig: ParamRig;
afterEach(() => rig?.dispose());

/** The client with the guard applied to every exchange, as setWriteGuard will. */
function guarded(owner: BusOwner, guard: WriteGuard): BusOwner {
  const refused = { attempts: 0, timeouts: 0, badFrames: 0, echoes: 0, started_ms: null, ended_ms: 0, deadline_ms: 0 };
  return {
    exclusive: (fn, o) =>
      owner.exclusive(
        (bus) =>
          fn({
            exchange: async (cmd, adr, req, opts) => {
              const d = guard(cmd, adr);
              if (!d.allowed) return { ok: false, error: new ProtocolError('aborted', d.reason, { cid2: cmd.cid2, adr }), report: refused };
              return bus.exchange(cmd, adr, req, opts);
            }
          }),
        o
      )
  };
}

function writesOnWire(r: ParamRig): TrafficEntry[] {
  const t: TrafficEntry[] = [];
  r.client.onTraffic((e) => e.dir === 'tx' && e.frame && findCommand(e.frame.code)?.kind !== 'read' && t.push(e));
  return t;
}

async function setup(link: 'demo' | 'real' = 'demo') {
  rig = await createParamRig({ packCount: 1 });
  const clock = new VirtualClock();
  const installer = new InstallerMode({ store: new MemoryPinStore(), clock, iterations: 1000 });
  await installer.init();
  const extensions = new Extensions(link);
  let path: WritePath | null = null;
  const guard = createWriteGuard({ installer, writePath: { authorizes: (c, a) => path?.authorizes(c, a) ?? false }, extensions });
  const bus = guarded(rig.client, guard);
  path = new WritePath({ bus, snapshots: rig.snapshots, log: rig.log, permit: () => installer.permit() });
  return { installer, guard, bus, path };
}

describe('the write guard', () => {
  it('reads always pass; writes never without installer mode, even through the write path', async () => {
    const { installer, guard, path } = await setup();
    expect(guard(readCellOverVoltage, 1)).toEqual({ allowed: true });
    const tx = writesOnWire(rig);
    const before = await rig.read(1);
    const r = await rig.run(writeParams(path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(r.outcome).toBe('not-sent');
    expect(r.message).toMatch(/installer mode/);
    expect(tx).toEqual([]);

    await installer.setPin('2468');
    const ok = await rig.run(writeParams(path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(ok.outcome).toBe('written');
    expect(tx.map((e) => e.frame!.code.toString(16))).toEqual(['a8']);
  });

  it('a write sent around the write path is refused at the client, PIN or not', async () => {
    const { installer, bus } = await setup();
    await installer.setPin('2468');
    const tx = writesOnWire(rig);
    const r = await rig.run(
      bus.exclusive((b) => b.exchange(setCellOverVoltage, 1, { enabled: true, alarm_mV: 3500, protect_mV: 3600, release_mV: 3300, delay_ms: 1000 }))
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/only goes out through the write path/);
    expect(tx).toEqual([]);
    expect(rig.bank.packAt(1)!.params.cellOverVoltage.protect_mV).toBe(3700);
  });

  it('the diagnose session never writes; extensions only where enabled', () => {
    const unlocked = { isUnlocked: () => true };
    const always = { authorizes: () => true };
    const diagnose = createWriteGuard({ readOnly: true, installer: unlocked, writePath: always });
    expect(diagnose(setCellOverVoltage, 1)).toMatchObject({ allowed: false, reason: expect.stringMatching(/only reads/) });
    expect(diagnose(readCellOverVoltage, 1)).toEqual({ allowed: true });
    const real = createWriteGuard({ installer: unlocked, writePath: always, extensions: new Extensions('real') });
    expect(real(setSoftwareAddress, 1)).toMatchObject({ allowed: false, reason: expect.stringMatching(/never sent to a real pack by default/) });
    const demo = createWriteGuard({ installer: unlocked, writePath: always, extensions: new Extensions('demo') });
    expect(demo(setSoftwareAddress, 1)).toEqual({ allowed: true });
    const none = createWriteGuard({ installer: unlocked, writePath: always });
    expect(none(setSoftwareAddress, 1)).toMatchObject({ allowed: false });
  });
});

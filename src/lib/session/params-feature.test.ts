// The parameter feature wired into a real DeviceSession (client, poller, the session's write
// authority and installer mode, storage on fake-indexeddb), talking to a simulated bank on virtual
// time. What crosses the wire is observed at the client: without the installer PIN, or in a
// read-only session, no write request leaves, whoever asks; with it, only the write path's own
// request does. A cable pulled mid-write is "not confirmed" and settled when the link is back.

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { InstallerMode } from '$lib/params/installer';
import type { PaceClient, TrafficEntry } from '$lib/protocol/client';
import { setCellOverVoltage } from '$lib/protocol/commands/protection';
import { encodeFrameText, parseFrameText } from '$lib/protocol/frame';
import type { BankPoller } from '$lib/protocol/poller';
import { findCommand } from '$lib/protocol/registry';
import { createSimBank, type SimBank } from '$lib/sim/bank';
import { openStorage, type AppStorage } from '$lib/storage';
import { VirtualClock } from '$lib/time/clock';
import { SimTransport } from '$lib/transport/sim';
import { attachPaceLink } from './pace-link';
import { EXTENSION_PROFILE_KEY, ParamsFeature } from './params-feature.svelte';
import { KvPinStore } from './pin-store';
import type { LinkFactory } from './ports';
import { DeviceSession } from './session.svelte';
import { SettingsStore } from './settings.svelte';
import { MemoryStorage } from './storage';

const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);

interface Rig {
  clock: VirtualClock;
  bank: SimBank;
  transport: SimTransport;
  storage: AppStorage;
  session: DeviceSession<PaceClient, BankPoller>;
  feature: ParamsFeature;
  /** Every request on the wire that is not a read. */
  writes: TrafficEntry[];
}

let rig: Rig | null = null;
afterEach(async () => {
  if (!rig) return;
  await rig.clock.run(rig.session.destroy());
  rig.bank.dispose();
  rig.storage.close();
  rig = null;
});

async function setup(o: { storage?: AppStorage } = {}): Promise<Rig> {
  const clock = new VirtualClock(0);
  const bank = createSimBank({ packCount: 3, seed: 'params-feature', clock, baud: 115_200, scenario: 'idle' });
  const transport = new SimTransport(bank, { clock });
  const links: LinkFactory<PaceClient, BankPoller> = {
    request: async () => transport,
    remembered: async () => null,
    setBaud: async () => undefined,
    probe: async () => true,
    attach: (t, opts) => attachPaceLink(t, opts)
  };
  const storage = o.storage ?? (await openStorage({ name: `params-feature-${Math.random()}`, storageManager: null }));
  const installer = new InstallerMode({ store: new KvPinStore(async () => storage), clock, iterations: 1000 });
  const kv = new MemoryStorage();
  const session = new DeviceSession({
    links,
    clock,
    storage: kv,
    settings: new SettingsStore(kv),
    frame: null,
    database: async () => storage,
    installer
  });
  expect(await clock.run(session.connect({ kind: 'sim' }))).toBe(true);
  await clock.advance(5_000);
  expect(session.packs.filter((p) => p.fresh && p.identity)).toHaveLength(3);
  const feature = new ParamsFeature(session, { wallClock: () => T0 + clock.now() });
  const writes: TrafficEntry[] = [];
  session.client!.onTraffic((e) => {
    if (e.dir === 'tx' && (!e.frame || findCommand(e.frame.code)?.kind !== 'read')) writes.push(e);
  });
  rig = { clock, bank, transport, storage, session, feature, writes };
  return rig;
}

const OV = { enabled: true, alarm_mV: 3500, protect_mV: 3600, release_mV: 3300, delay_ms: 1000 };

describe('the parameter feature in a session', () => {
  it('without the installer PIN no write request leaves the client, whoever asks', async () => {
    const r = await setup();
    await r.clock.run(r.feature.readPack(3));
    expect(r.feature.params(3)?.read.values['cellOverVoltage.protect_mV']).toBe(3700);

    const report = await r.clock.run(r.feature.write(3, { 'cellOverVoltage.protect_mV': 3650 }));
    expect(report?.outcome).toBe('not-sent');
    expect(report?.message).toMatch(/installer PIN/);

    // Around the write path, straight to the client: a typed command and a hand-made frame.
    const client = r.session.client!;
    const typed = await r.clock.run(client.exchange(setCellOverVoltage, 3, OV));
    expect(typed.ok).toBe(false);
    if (!typed.ok) expect(typed.error.kind).toBe('write-refused');
    const frame = parseFrameText(encodeFrameText({ ver: 0x25, adr: 3, cid1: 0x46, code: 0xd0, info: setCellOverVoltage.encodeRequest(OV) }));
    if (frame.type !== 'frame') throw new Error('frame');
    await expect(r.clock.run(client.raw(frame.frame))).rejects.toMatchObject({ kind: 'write-refused' });
    expect(r.writes).toEqual([]);

    // With the PIN: still nothing around the write path; through it exactly its one request.
    expect(await r.clock.run(r.session.installer.setPin('2468'))).toBeNull();
    const again = await r.clock.run(client.exchange(setCellOverVoltage, 3, OV));
    expect(again.ok).toBe(false);
    expect(r.writes).toEqual([]);
    const ok = await r.clock.run(r.feature.write(3, { 'cellOverVoltage.protect_mV': 3650 }));
    expect(ok?.outcome).toBe('written');
    expect(r.writes.map((w) => [w.frame!.code, w.frame!.adr])).toEqual([[0xd0, 3]]);
    expect(r.bank.packAt(3)!.params.cellOverVoltage.protect_mV).toBe(3650);
    // Read again after the write: the page shows what the pack holds.
    expect(r.feature.params(3)?.read.values['cellOverVoltage.protect_mV']).toBe(3650);

    // Snapshot and log are in IndexedDB.
    const snaps = await r.feature.snapshots(3);
    expect(snaps.map((s) => [s.reason, s.values['cellOverVoltage.protect_mV']])).toEqual([['before-write', 3700]]);
    const log = await r.feature.writeLog({ address: 3 });
    expect(log.map((e) => [e.outcome, e.changes.map((c) => c.text)])).toEqual([
      ['written', ['3700 mV → 3650 mV (read back 3650 mV)']],
      ['not-sent', []]
    ]);
  });

  it('a read-only session sends no write, PIN or not, and says why', async () => {
    const r = await setup();
    await r.clock.run(r.session.installer.setPin('2468'));
    await r.clock.run(r.feature.readPack(2));
    const release = r.session.writes.enterReadOnly('the diagnose page only reads');
    const report = await r.clock.run(r.feature.write(2, { 'sleep.delay_min': 9 }));
    expect(report?.outcome).toBe('not-sent');
    expect(report?.message).toMatch(/only reads/);
    const direct = await r.clock.run(r.session.client!.exchange(setCellOverVoltage, 2, OV));
    expect(direct.ok).toBe(false);
    expect(r.writes).toEqual([]);
    release();
    expect((await r.clock.run(r.feature.write(2, { 'sleep.delay_min': 9 })))?.outcome).toBe('written');
  });

  it('a cable pulled mid-write is "not confirmed"; when the link is back the write is read back and the pack read again', async () => {
    const r = await setup();
    await r.clock.run(r.session.installer.setPin('2468'));
    await r.clock.run(r.feature.readPack(3));
    // The pack takes the write; its answer is cut after 4 bytes.
    const off = r.session.client!.onTraffic((e) => {
      if (e.dir === 'tx' && e.frame?.code === 0xd0) {
        off();
        r.transport.unplug(4);
      }
    });
    const report = await r.clock.run(r.feature.write(3, { 'cellOverVoltage.protect_mV': 3650 }));
    expect(report?.outcome).toBe('not-confirmed');
    expect(r.feature.unconfirmed).toHaveLength(1);
    // Nothing claims it was written; the values shown are still the ones read before.
    expect((await r.feature.writeLog()).some((e) => e.outcome === 'written')).toBe(false);
    expect(r.feature.params(3)?.read.values['cellOverVoltage.protect_mV']).toBe(3700);

    // The session hears the link come back ('reopened'); the feature settles the write by itself.
    r.transport.replug();
    for (let i = 0; i < 100 && (r.feature.unconfirmed.length > 0 || r.feature.params(3)?.read.values['cellOverVoltage.protect_mV'] !== 3650); i++)
      await r.clock.advance(100);
    expect(r.feature.unconfirmed).toHaveLength(0);
    expect(r.feature.rechecked.map((x) => x.outcome)).toEqual(['written']);
    expect(r.feature.params(3)?.read.values['cellOverVoltage.protect_mV']).toBe(3650);
    const log = await r.feature.writeLog({ address: 3 });
    expect(log.map((e) => e.outcome)).toEqual(['written', 'not-confirmed']);
    expect(log[0].message).toMatch(/read again after the link came back/);
  });

  it('an extension profile: a malformed file names the field and changes nothing; a good one is kept for the next session', async () => {
    const r = await setup();
    expect(r.feature.link).toBe('demo');
    expect(r.feature.extensions.every((x) => x.enabled && x.reason === 'demo')).toBe(true);
    const bad = await r.clock.run(
      r.feature.importExtensionProfile(
        JSON.stringify({ format: 'packservice.extension-profile', version: 1, name: 'X', commands: { setHost: { cid2: 'D0' } } })
      )
    );
    expect(bad).toEqual([{ field: 'commands.setHost.cid2', reason: expect.stringMatching(/documented command/) }]);
    expect(await r.storage.kv.get(EXTENSION_PROFILE_KEY)).toBeUndefined();
    expect(r.feature.extensionProfile).toBeNull();

    const good = { format: 'packservice.extension-profile', version: 1, name: 'Vendor X 1.06', commands: { setHost: { cid2: 'F8' } } };
    expect(await r.clock.run(r.feature.importExtensionProfile(JSON.stringify(good)))).toBeNull();
    expect(r.feature.extensionProfile?.name).toBe('Vendor X 1.06');
    const storage = r.storage;
    await r.clock.run(r.session.destroy());
    r.bank.dispose();
    rig = null;

    const next = await setup({ storage });
    await next.clock.run(new Promise((resolve) => setTimeout(resolve, 20)));
    expect(next.feature.extensionProfile?.name).toBe('Vendor X 1.06');
  });

  it('restores a snapshot and the factory defaults through the write path, each with its result', async () => {
    const r = await setup();
    await r.clock.run(r.session.installer.setPin('2468'));
    await r.clock.run(r.feature.readPack(1));
    await r.clock.run(r.feature.write(1, { 'sleep.delay_min': 9, 'balance.startDelta_mV': 40 }));
    const [snap] = await r.feature.snapshots(1);
    expect(snap.groups).toEqual(['balance', 'sleep']);
    const restored = await r.clock.run(r.feature.restoreSnapshot(1, snap));
    expect(restored?.outcome).toBe('written');
    expect(r.feature.params(1)?.read.values['sleep.delay_min']).toBe(5);

    await r.clock.run(r.feature.write(1, { 'sleep.delay_min': 11 }));
    const defaults = await r.clock.run(r.feature.restoreDefaults(1));
    expect(defaults?.outcome).toBe('written');
    expect(r.feature.report(1)?.title).toMatch(/factory default/i);
    expect(r.feature.params(1)?.read.values['sleep.delay_min']).toBe(5);
    const reasons = (await r.feature.snapshots(1)).map((s) => s.reason);
    expect(reasons).toEqual(['before-defaults', 'before-write', 'before-restore', 'before-write']);
  });

  it('reads every pack as one operation with progress, and the firmware backup keeps a snapshot', async () => {
    const r = await setup();
    const seen: number[] = [];
    const sample = setInterval(() => seen.push(r.feature.bankRead.done), 0);
    const result = await r.clock.run(r.feature.readAll([1, 2, 3]));
    clearInterval(sample);
    expect(
      seen.some((d) => d > 0 && d < 60),
      `progress seen: ${seen.join(',')}`
    ).toBe(true);
    expect(result?.packs.map((p) => p.reachable)).toEqual([true, true, true]);
    expect(r.feature.bankRead).toMatchObject({ running: false, done: 60, total: 60 });
    for (const a of [1, 2, 3]) expect(r.feature.params(a)?.read.values['cellOverVoltage.protect_mV']).toBe(3700);

    const client = r.session.client!;
    const ref = await r.clock.run(
      client.exclusive((bus) =>
        r.feature.firmwareBackup.snapshot({ address: 2, identity: { model: 'P16S100A', firmwareVersion: '1.00' }, bus, reason: 'firmware-update' })
      )
    );
    expect(ref.label).toMatch(/Pack 2, before the firmware update from 1.00/);
    const [snap] = await r.feature.snapshots(2);
    expect(snap).toMatchObject({ id: ref.id, reason: 'before-firmware' });
    expect(snap.groups).toHaveLength(19);
  });
});

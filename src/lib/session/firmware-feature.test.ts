import 'fake-indexeddb/auto';
// The firmware feature as the app wires it: a DeviceSession (real client and poller) on a
// simulated bank, IndexedDB through fake-indexeddb, the session's write authority and installer
// mode, on virtual time. Catalog and cache, refusals, a two-pack update with backups and the
// write log, the grant, and recovery after an unplug and after a connect that finds no pack.

import { describe, expect, it } from 'vitest';
import { crc32, crc32Hex } from '$lib/firmware/crc';
import { testImage } from '$lib/firmware/flash-rig';
import type { FetchLike } from '$lib/firmware';
import { InstallerMode, MemoryPinStore } from '$lib/params';
import type { PaceClient } from '$lib/protocol/client';
import { enterFirmwareUpgrade } from '$lib/protocol/commands/system';
import type { BankPoller } from '$lib/protocol/poller';
import { createSimBank, type SimBank } from '$lib/sim/bank';
import { DEMO_RELEASES, demoCatalogFiles, demoContainer } from '$lib/sim/firmware-releases';
import { openStorage, type AppStorage } from '$lib/storage';
import { VirtualClock } from '$lib/time/clock';
import { SimTransport } from '$lib/transport/sim';
import { FirmwareFeature } from './firmware-feature.svelte';
import { FirmwareWatch } from './firmware-watch.svelte';
import { attachPaceLink } from './pace-link';
import type { LinkFactory } from './ports';
import { probeLink } from './probe';
import { DeviceSession } from './session.svelte';
import { SettingsStore } from './settings.svelte';
import { MemoryStorage } from './storage';
import { MemoryStorage as JournalStorage, StorageFlashJournal } from '$lib/firmware/journal';

let dbCount = 0;

interface Rig {
  clock: VirtualClock;
  bank: SimBank;
  transport: SimTransport;
  session: DeviceSession<PaceClient, BankPoller>;
  watch: FirmwareWatch;
  feature: FirmwareFeature;
  storage: AppStorage;
  fetched: string[];
}

/** The demo catalog and its files, served as a web server would. */
async function catalogFetch(fetched: string[]): Promise<FetchLike> {
  const { catalogJson, files } = await demoCatalogFiles();
  const byName = new Map(files.map((f) => [f.name, f.bytes]));
  byName.set('catalog.json', new TextEncoder().encode(catalogJson));
  return async (url) => {
    fetched.push(url);
    const bytes = byName.get(url.split('/').pop() ?? '');
    return {
      ok: bytes !== undefined,
      status: bytes ? 200 : 404,
      statusText: bytes ? 'OK' : 'Not Found',
      text: async () => new TextDecoder().decode(bytes),
      arrayBuffer: async () => (bytes ?? new Uint8Array(0)).slice().buffer
    };
  };
}

async function rig(
  o: { packs?: number; kind?: 'sim' | 'serial'; online?: boolean; journal?: StorageFlashJournal; connect?: boolean } = {}
): Promise<Rig> {
  const clock = new VirtualClock(0);
  const bank = createSimBank({ packCount: o.packs ?? 2, seed: 'fw-feature', clock, baud: 115_200 });
  const transport = new SimTransport(bank, { clock });
  const links: LinkFactory<PaceClient, BankPoller> = {
    request: async () => transport,
    remembered: async () => null,
    setBaud: async () => undefined,
    probe: (t, p, opts) => probeLink(t, p, opts),
    attach: (t, opts) => attachPaceLink(t, opts)
  };
  const kv = new MemoryStorage();
  const name = `fw-feature-${dbCount++}`;
  const storage = await openStorage({ name, storageManager: null });
  const session = new DeviceSession({
    links,
    clock,
    storage: kv,
    settings: new SettingsStore(kv),
    frame: null,
    database: async () => storage,
    installer: new InstallerMode({ store: new MemoryPinStore(), clock, iterations: 1000 })
  });
  const watch = new FirmwareWatch(session, {
    journal: o.journal ?? new StorageFlashJournal(new JournalStorage()),
    environment: null,
    now_ms: () => 1_760_000_000_000
  });
  const fetched: string[] = [];
  const feature = new FirmwareFeature(session, {
    fetch: await catalogFetch(fetched),
    baseUrl: 'https://fw.example/app/',
    now_ms: () => 1_760_000_000_000,
    online: () => o.online ?? true,
    watch
  });
  if (o.connect !== false) {
    expect(await clock.run(session.connect({ kind: o.kind ?? 'sim' }))).toBe(true);
    await clock.run(waitFor(clock, () => session.packs.length === (o.packs ?? 2) && session.packs.every((p) => p.fresh)));
  }
  return { clock, bank, transport, session, watch, feature, storage, fetched };
}

/** Resolves once `ready()` holds, checking every 100 ms of virtual time. */
function waitFor(clock: VirtualClock, ready: () => boolean, limit_ms = 120_000): Promise<void> {
  const start = clock.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (ready()) resolve();
      else if (clock.now() - start > limit_ms) reject(new Error('waitFor: not ready in time'));
      else clock.setTimeout(tick, 100);
    };
    tick();
  });
}

function file(name: string, bytes: Uint8Array) {
  return { name, arrayBuffer: async () => bytes.slice().buffer };
}

const SMALL = testImage('1.10', 12 * 1024);

describe('firmware cache and catalog', () => {
  it('downloads the catalog’s images for the bank into IndexedDB, and serves catalog and images offline', async () => {
    const r = await rig();
    await r.clock.run(r.feature.readVersions());
    await r.clock.run(r.feature.sync());
    const result = r.feature.catalog.result!;
    expect(result.source).toBe('network');
    expect(result.url).toBe('https://fw.example/firmware/catalog.json');
    // Only what fits the bank's model is downloaded; the 200 Ah release is not.
    expect(result.releases.map((s) => [s.release.version, s.state])).toEqual([
      ['1.06', 'downloaded'],
      ['1.10', 'downloaded'],
      ['1.03A', 'skipped']
    ]);
    expect(r.feature.images.map((i) => i.version).sort()).toEqual(['1.06', '1.10']);
    expect(r.feature.usage.bytes).toBe(r.feature.images.reduce((n, i) => n + i.size_bytes, 0));
    const newest = r.feature.packs.map((p) => [p.address, p.versionString, p.newest?.release.version, p.newest?.comparedToPack]);
    expect(newest).toEqual([
      [1, 'P16S100A-1812-1.00', '1.10', 'newer'],
      [2, 'P16S100A-1812-1.00', '1.10', 'newer']
    ]);

    // The same browser, offline: a new feature on the same database.
    const offline = new FirmwareFeature(r.session, {
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
      baseUrl: 'https://fw.example/app/',
      watch: r.watch
    });
    await r.clock.run(offline.readVersions());
    await r.clock.run(offline.sync());
    expect(offline.catalog.result?.source).toBe('cache');
    expect(offline.catalog.result?.networkProblem?.kind).toBe('download');
    expect(offline.catalog.result?.releases.map((s) => s.state)).toEqual(['cached', 'cached', 'skipped']);
    const v110 = offline.images.find((i) => i.version === '1.10')!;
    const assessed = await r.clock.run(offline.assess(v110.sha256, [1, 2]));
    expect(assessed).toMatchObject({ kind: 'checked', packs: [{ verdict: 'fits' }, { verdict: 'fits' }] });
  });

  it('refuses a corrupt file (nothing stored) and a wrong-model image for the pack, each with its reason', async () => {
    const r = await rig();
    await r.clock.run(r.feature.readVersions());
    const corrupt = demoContainer(DEMO_RELEASES[1]).slice();
    corrupt[5000] ^= 0xff;
    const refused = await r.clock.run(r.feature.addFile(file('P16S100A-1812-1.10.pkfw', corrupt)));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.kind).toBe('crc');
    expect(r.feature.images).toEqual([]);

    const other = await r.clock.run(r.feature.addFile(file('P16S200A-21473-1.03A.pkfw', demoContainer(DEMO_RELEASES[2]))));
    expect(other.ok).toBe(true);
    const assessment = await r.clock.run(r.feature.assess(other.ok ? other.meta.sha256 : '', [1]));
    expect(assessment.kind).toBe('checked');
    if (assessment.kind !== 'checked') return;
    expect(assessment.packs[0]).toMatchObject({ address: 1, verdict: 'refused' });
    expect(assessment.packs[0].error?.kind).toBe('wrong-model');
    expect(assessment.packs[0].error?.message).toMatch(/for model P16S200A, but the pack is a P16S100A/);
  });

  it('another catalog address is checked, kept, and a broken one says why', async () => {
    const r = await rig();
    expect(await r.clock.run(r.feature.setCatalogUrl('http://exa mple/'))).toMatch(/not a web address/);
    expect(await r.clock.run(r.feature.setCatalogUrl('/other/missing.json'))).toBeNull();
    expect(r.feature.catalog.url).toBe('/other/missing.json');
    expect(r.feature.catalog.result).toBeNull();
    expect(r.feature.catalog.problem?.kind).toBe('download');
    expect(r.feature.catalog.problem?.message).toMatch(/404/);
    expect(await r.storage.kv.get('firmware.catalogUrl')).toBe('/other/missing.json');
  });

  it('a raw binary needs the expert confirmation and the version it will report', async () => {
    const r = await rig();
    await r.clock.run(r.feature.readVersions());
    const payload = testImage('1.10', 4096).subarray(128);
    const added = await r.clock.run(r.feature.addFile(file('app.bin', payload)));
    expect(added.ok && added.meta.format).toBe('binary');
    const sha = added.ok ? added.meta.sha256 : '';
    expect(await r.clock.run(r.feature.assess(sha, [1]))).toMatchObject({ kind: 'needs-confirmation', format: 'binary' });
    const confirmed = await r.clock.run(r.feature.assess(sha, [1], { confirmed: true, version: '1.11' }));
    expect(confirmed).toMatchObject({ kind: 'checked', plan: { override: true, targetVersion: '1.11' }, packs: [{ verdict: 'fits' }] });
  });
});

describe('the update', () => {
  it('needs installer mode, then updates both packs one after another, with backups, the write log and the new versions', async () => {
    const r = await rig();
    await r.clock.run(r.feature.readVersions());
    const added = await r.clock.run(r.feature.addFile(file('small-1.10.pkfw', SMALL)));
    const sha = added.ok ? added.meta.sha256 : '';
    const options = {
      sha256: sha,
      addresses: [1, 2],
      restore: { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false }
    };

    await r.clock.run(r.feature.start(options));
    expect(r.feature.runError).toMatch(/installer PIN/);
    expect(r.feature.run).toBeNull();

    expect(await r.clock.run(r.session.installer.setPin('2468'))).toBeNull();
    let flashingSeen = false;
    const phases = new Set<string>();
    const off = r.session.client!.onTraffic(() => {
      if (r.watch.flashing) flashingSeen = true;
      const s = r.feature.run?.rows.find((row) => row.snapshot)?.snapshot;
      if (s) phases.add(s.phase);
    });
    const linkTimeouts = r.session.client!.stats.timeouts;
    await r.clock.run(r.feature.start(options));
    off();
    // A pack rebooting into its bootloader misses replies on purpose: those silences are the
    // transfer's own, counted apart, and the link strip's timeout count does not move.
    expect(r.session.client!.stats.timeouts).toBe(linkTimeouts);
    expect(r.session.client!.leaseStats.timeouts).toBeGreaterThan(0);
    expect(r.feature.runError).toBeNull();
    expect(flashingSeen).toBe(true);
    expect(r.watch.flashing).toBe(false);
    const run = r.feature.run!;
    expect(run.finished).toBe(true);
    expect(run.rows.map((row) => [row.address, row.status, row.result?.version])).toEqual([
      [1, 'updated', '1.10'],
      [2, 'updated', '1.10']
    ]);
    expect([...phases]).toEqual(expect.arrayContaining(['check', 'backup', 'enter', 'transfer', 'reboot']));
    expect(r.bank.packAt(1)!.identity.firmwareVersion).toBe('1.10');
    expect(r.feature.packs.map((p) => [p.versionString, p.source])).toEqual([
      ['P16S100A-1812-1.10', 'update'],
      ['P16S100A-1812-1.10', 'update']
    ]);

    const snapshots = await r.storage.snapshots.list();
    expect(
      snapshots
        .filter((s) => s.reason === 'before-firmware')
        .map((s) => s.address)
        .sort()
    ).toEqual([1, 2]);
    expect(Object.keys(snapshots[0].values).length).toBeGreaterThan(3);
    const log = (await r.storage.writeLog.list()).filter((e) => e.what === 'firmware');
    expect(log.map((e) => [e.address, e.old, e.new, e.readBack, e.result])).toEqual([
      [2, '1.00', '1.10', 'P16S100A-1812-1.10', 'ok'],
      [1, '1.00', '1.10', 'P16S100A-1812-1.10', 'ok']
    ]);
    expect(log.every((e) => e.snapshotId !== null)).toBe(true);

    // After the update: the backup is offered; restoring it goes through the write path.
    expect(r.feature.after.map((a) => [a.address, a.state, a.backup !== null])).toEqual([
      [1, 'offered', true],
      [2, 'offered', true]
    ]);
    await r.clock.run(r.feature.restoreBackup(1));
    expect(r.feature.after[0].restored).toMatchObject({ what: 'backup', outcome: 'unchanged' });
    await r.clock.run(r.feature.restoreDefaults(2));
    expect(r.feature.after[1].restored?.what).toBe('defaults');
    expect(['written', 'unchanged', 'mismatch']).toContain(r.feature.after[1].restored?.outcome);
    r.feature.keepParameters(1);
    expect(r.feature.after[0].state).toBe('kept');
  });

  it('skips a pack already on the target version, and lets nothing else write FF 50', async () => {
    const r = await rig();
    await r.clock.run(r.session.installer.setPin('2468'));
    await r.clock.run(r.feature.readVersions());
    r.bank.packAt(2)!.identity.firmwareVersion = '1.10';
    const added = await r.clock.run(r.feature.addFile(file('small-1.10.pkfw', SMALL)));
    await r.clock.run(
      r.feature.start({
        sha256: added.ok ? added.meta.sha256 : '',
        addresses: [2],
        restore: { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false }
      })
    );
    expect(r.feature.run?.rows.map((row) => row.status)).toEqual(['already-current']);

    // A page calling the client directly: refused although installer mode is unlocked.
    const direct = await r.clock.run(
      r.session.client!.exclusive((lease) =>
        lease.exchange(enterFirmwareUpgrade, 1, {
          restore: { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false }
        })
      )
    );
    expect(direct.ok).toBe(false);
    expect(!direct.ok && direct.error.kind).toBe('write-refused');
    expect(r.bank.packInBootloader).toBeNull();
  });

  it('cancel during the transfer leaves the pack on its old firmware', async () => {
    const r = await rig();
    await r.clock.run(r.session.installer.setPin('2468'));
    await r.clock.run(r.feature.readVersions());
    const added = await r.clock.run(r.feature.addFile(file('small-1.10.pkfw', testImage('1.10', 40 * 1024))));
    const off = r.session.client!.onTraffic(() => {
      const s = r.feature.run?.rows[0].snapshot;
      if (s?.phase === 'transfer' && s.block >= 5) r.feature.cancel();
    });
    await r.clock.run(
      r.feature.start({
        sha256: added.ok ? added.meta.sha256 : '',
        addresses: [1],
        restore: { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false }
      })
    );
    off();
    const final = r.feature.run!.rows[0].result!.final!;
    expect(final.phase === 'failed' && [final.failure.reason, final.failure.packState]).toEqual(['cancelled', 'old-firmware']);
    expect(r.bank.packAt(1)!.identity.firmwareVersion).toBe('1.00');
    expect(r.feature.run?.cancelRequested).toBe(true);
  });
});

describe('parameters around the update', () => {
  const NONE = { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false };

  it('an update that resets the protection parameters: the backup puts the pack’s own values back, read back and logged', async () => {
    const r = await rig();
    await r.clock.run(r.session.installer.setPin('2468'));
    await r.clock.run(r.feature.readVersions());
    // The installer had set this pack's cell over-voltage alarm below the factory value.
    const pack = r.bank.packAt(1)!;
    pack.params.cellOverVoltage.alarm_mV = 3550;
    const added = await r.clock.run(r.feature.addFile(file('small-1.10.pkfw', SMALL)));
    await r.clock.run(
      r.feature.start({ sha256: added.ok ? added.meta.sha256 : '', addresses: [1], restore: { ...NONE, protectionParameters: true } })
    );
    expect(r.feature.run!.rows[0].status).toBe('updated');
    // The new firmware started with its defaults, as FF 50's bit asked.
    expect(pack.params.cellOverVoltage.alarm_mV).toBe(3600);

    const backupId = Number(r.feature.after[0].backup!.id);
    const backup = await r.storage.snapshots.get(backupId);
    expect(backup?.reason).toBe('before-firmware');

    await r.clock.run(r.feature.restoreBackup(1));
    expect(r.feature.after[0].restored).toMatchObject({ what: 'backup', outcome: 'written' });
    expect(pack.params.cellOverVoltage.alarm_mV).toBe(3550);
    const rows = (await r.storage.writeLog.list()).filter((e) => e.what !== 'firmware' && e.address === 1);
    // The parameters feature logs values by parameter id: what was sent and what was read back.
    const row = rows.find((e) => JSON.stringify(e.new) === JSON.stringify({ 'cellOverVoltage.alarm_mV': 3550 }));
    expect(row?.result).toBe('ok');
    expect(row?.readBack).toEqual({ 'cellOverVoltage.alarm_mV': 3550 });
    // The restore took its own snapshot of the defaults first, so it can be undone too.
    expect(row?.snapshotId).not.toBeNull();
    expect(row?.snapshotId).not.toBe(backupId);
  });

  it('factory defaults after the update go out as A4H through the write path; nothing is sent with installer mode locked', async () => {
    const r = await rig();
    await r.clock.run(r.session.installer.setPin('2468'));
    await r.clock.run(r.feature.readVersions());
    const pack = r.bank.packAt(2)!;
    pack.params.cellOverVoltage.alarm_mV = 3550;
    const added = await r.clock.run(r.feature.addFile(file('small-1.10.pkfw', SMALL)));
    await r.clock.run(r.feature.start({ sha256: added.ok ? added.meta.sha256 : '', addresses: [2], restore: NONE }));
    // No restore bit: the update kept the pack's values.
    expect(pack.params.cellOverVoltage.alarm_mV).toBe(3550);

    r.session.installer.lock();
    await r.clock.run(r.feature.restoreDefaults(2));
    expect(r.feature.after[0].restored?.outcome).toBe('not-sent');
    expect(pack.params.cellOverVoltage.alarm_mV).toBe(3550);

    await r.clock.run(r.session.installer.unlock('2468'));
    await r.clock.run(r.feature.restoreDefaults(2));
    expect(r.feature.after[0].restored).toMatchObject({ what: 'defaults', outcome: 'written' });
    expect(pack.params.cellOverVoltage.alarm_mV).toBe(3600);
  });

  it('installer mode locking in the middle of a transfer stops the bytes: the failure says so and the pack stays recoverable', async () => {
    const r = await rig();
    await r.clock.run(r.session.installer.setPin('2468'));
    await r.clock.run(r.feature.readVersions());
    const added = await r.clock.run(r.feature.addFile(file('small-1.10.pkfw', testImage('1.10', 30 * 1024))));
    const off = r.session.client!.onTraffic(() => {
      const s = r.feature.run?.rows[0].snapshot;
      if (s?.phase === 'transfer' && s.block >= 5 && r.session.installer.isUnlocked()) r.session.installer.lock();
    });
    await r.clock.run(r.feature.start({ sha256: added.ok ? added.meta.sha256 : '', addresses: [1], restore: NONE }));
    off();
    const final = r.feature.run!.rows[0].result!.final!;
    expect(final.phase === 'failed' && final.failure).toMatchObject({ reason: 'write-refused', packState: 'unknown', recoverable: true });
    expect(r.bank.packAt(1)!.identity.firmwareVersion).toBe('1.00');
    // The journal keeps the unfinished update, so the next connect offers to restart it.
    expect((await r.watch.journal.pending()).map((e) => [e.address, e.targetVersion])).toEqual([[1, '1.10']]);
  });
});

describe('recovery', () => {
  it('an unplug mid-transfer: on replug the watch finds the bootloader, and the update finishes from the cached image', async () => {
    const r = await rig();
    await r.clock.run(r.session.installer.setPin('2468'));
    await r.clock.run(r.feature.readVersions());
    const added = await r.clock.run(r.feature.addFile(file('small-1.10.pkfw', testImage('1.10', 30 * 1024))));
    const sha = added.ok ? added.meta.sha256 : '';
    const off = r.session.client!.onTraffic(() => {
      const s = r.feature.run?.rows[0].snapshot;
      if (s?.phase === 'transfer' && s.block >= 8 && r.transport.status.state === 'open') r.transport.unplug();
    });
    await r.clock.run(
      r.feature.start({
        sha256: sha,
        addresses: [2],
        restore: { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false }
      })
    );
    off();
    const failed = r.feature.run!.rows[0].result!.final!;
    expect(failed.phase === 'failed' && failed.failure).toMatchObject({ reason: 'link-lost', packState: 'unknown', recoverable: true });
    // With the link gone nobody knows which firmware the pack keeps: the message does not claim it.
    const message = failed.phase === 'failed' ? failed.failure.message : '';
    expect(message).toMatch(/The transfer stopped at \d+ of \d+ bytes\. The pack is in its bootloader or back on its old firmware/);
    expect(message).not.toMatch(/keeps its old firmware/);
    expect(r.bank.packInBootloader?.address).toBe(2);

    await r.clock.advance(3000);
    r.transport.replug();
    await r.clock.run(waitFor(r.clock, () => r.watch.bootloader !== null, 30_000));
    const recovery = r.feature.recovery!;
    expect(recovery.entry).toMatchObject({ address: 2, targetVersion: '1.10', fromVersion: '1.00' });
    expect(recovery.cached?.sha256).toBe(sha);

    await r.clock.run(r.feature.recover());
    const final = r.feature.run!.rows[0].result!.final!;
    expect(r.feature.run!.kind).toBe('recovery');
    expect(final.phase).toBe('done');
    expect(r.bank.packAt(2)!.identity.firmwareVersion).toBe('1.10');
    expect(r.watch.bootloader).toBeNull();
    expect(await r.watch.journal.pending()).toEqual([]);
    expect(r.feature.packs.find((p) => p.address === 2)?.versionString).toBe('P16S100A-1812-1.10');
  });

  it('a connect that finds no pack listens for a waiting bootloader and stays connected to it', async () => {
    const r = await rig({ connect: false, kind: 'serial' });
    r.bank.inject({ kind: 'force-bootloader', address: 1 });
    expect(await r.clock.run(r.session.connect({ kind: 'serial' }))).toBe(true);
    expect(r.watch.bootloader?.entry).toBeNull();
    expect(r.watch.bootloader?.sighting.requests).toBeGreaterThanOrEqual(2);
    expect(r.feature.recovery?.cached).toBeNull();
  });

  it('without a bootloader, a connect that finds no pack still fails', async () => {
    const r = await rig({ connect: false, kind: 'serial' });
    r.bank.inject({ kind: 'silence', on: true });
    expect(await r.clock.run(r.session.connect({ kind: 'serial' }))).toBe(false);
    expect(r.session.error?.kind).toBe('no-answer');
    expect(r.watch.bootloader).toBeNull();
  });

  it('a journalled pack that answers on connect settles its entry', async () => {
    const journal = new StorageFlashJournal(new JournalStorage());
    const entry = await journal.begin({
      address: 2,
      model: 'P16S100A',
      board: '1812',
      bmsSerial: null,
      fromVersion: '0.90',
      targetVersion: '1.00',
      imageSha256: 'a'.repeat(64),
      fileName: 'x.pkfw',
      profileId: 'ymodem-1k-crc16',
      startedAt_ms: 1
    });
    const r = await rig({ journal });
    await r.clock.run(waitFor(r.clock, () => r.watch.settled.length > 0));
    expect(r.watch.settled).toEqual([{ entry, verdict: 'updated', versionString: 'P16S100A-1812-1.00' }]);
    expect(await journal.pending()).toEqual([]);
  });
});

describe('the flash guard in the browser', () => {
  it('holds a wake lock and warns before unload while flashing, and lets go after', async () => {
    const clock = new VirtualClock(0);
    const events: string[] = [];
    let unload: ((e: BeforeUnloadEvent) => void) | null = null;
    const session = new DeviceSession({
      links: {} as LinkFactory,
      clock,
      storage: null,
      frame: null,
      database: () => Promise.reject(new Error('unused')),
      installer: new InstallerMode({ store: new MemoryPinStore(), clock, iterations: 1000 })
    });
    const watch = new FirmwareWatch(session, {
      journal: new StorageFlashJournal(new JournalStorage()),
      environment: {
        onBeforeUnload: (h) => {
          unload = h;
          events.push('unload+');
          return () => {
            unload = null;
            events.push('unload-');
          };
        },
        requestWakeLock: async () => {
          events.push('wake+');
          return { release: async () => void events.push('wake-') };
        },
        onVisible: () => () => undefined
      }
    });
    const release = watch.guard.hold('pack 1');
    await clock.advance(1);
    expect(watch.flashing).toBe(true);
    expect(watch.wakeLock).toBe('held');
    let prevented = false;
    unload!({ preventDefault: () => (prevented = true), returnValue: undefined } as unknown as BeforeUnloadEvent);
    expect(prevented).toBe(true);
    release();
    await clock.advance(1);
    expect(watch.flashing).toBe(false);
    expect(events).toEqual(['wake+', 'unload+', 'unload-', 'wake-']);
    expect(unload).toBeNull();
  });
});

// Keep the import of crc helpers honest: the corrupt file above really fails its payload CRC.
it('the corrupt fixture differs in its payload CRC', () => {
  const good = demoContainer(DEMO_RELEASES[1]);
  const bad = good.slice();
  bad[5000] ^= 0xff;
  expect(crc32Hex(crc32(bad.subarray(128)))).not.toBe(crc32Hex(crc32(good.subarray(128))));
});

// One scenario's world: a simulated bank on a virtual clock, the real SimTransport, the app's
// DeviceSession (real client, poller, bank state, write authority, installer mode) connected to it
// as the demo bank is, the app's storage on fake-indexeddb with the telemetry Recorder fed from
// session.onUpdate, and the ground truth beside it (freshness.ts). Nothing here reaches into the
// engines: the world drives them through their public APIs and reads the simulator to judge them.

import type { PaceClient } from '../../src/lib/protocol/client';
import type { BankPoller } from '../../src/lib/protocol/poller';
import { InstallerMode, MemoryPinStore } from '../../src/lib/params/installer';
import { attachPaceLink } from '../../src/lib/session/pace-link';
import type { LinkFactory } from '../../src/lib/session/ports';
import { probeLink } from '../../src/lib/session/probe';
import { DeviceSession } from '../../src/lib/session/session.svelte';
import { SettingsStore } from '../../src/lib/session/settings.svelte';
import { MemoryStorage } from '../../src/lib/session/storage';
import { createSimBank, type SimBank, type SimBankOptions } from '../../src/lib/sim/bank';
import { openStorage, type AppStorage } from '../../src/lib/storage';
import type { Recorder } from '../../src/lib/storage/recorder';
import { SimTransport } from '../../src/lib/transport/sim';
import { WatchedClock } from './clock';
import { FreshnessWatch, ObservedTransport } from './freshness';

/** Wall-clock time the virtual clock's zero stands for (recorded rows, snapshots, logs). */
export const EPOCH_ms = Date.UTC(2025, 5, 1, 8, 0, 0);
/** Packs in the bank: the master (1) and three slaves. */
export const PACKS = 4;
export const BAUD = 9600;
const PIN = '4711';

export interface WorldOptions {
  seed: string;
  /** Unique IndexedDB database name. */
  dbName: string;
  bank?: Partial<Omit<SimBankOptions, 'clock' | 'seed'>>;
}

/** Something that went wrong outside the engines' own results: a throw, a rejection, a hang. */
export interface Escape {
  where: string;
  message: string;
}

export class World {
  readonly clock: WatchedClock;
  readonly bank: SimBank;
  readonly sim: SimTransport;
  readonly transport: ObservedTransport;
  readonly session: DeviceSession<PaceClient, BankPoller>;
  readonly installer: InstallerMode;
  readonly watch: FreshnessWatch;
  readonly storage: AppStorage;
  readonly recorder: Recorder;
  readonly escapes: Escape[] = [];
  /** Every sample the recorder accepted: device and time. */
  readonly recorded: { device: string; t_ms: number }[] = [];
  /** The rows known stored when the fault was armed (markStoredRows). */
  storedBeforeFault: { device: string; t_ms: number }[] = [];
  /** Host writes seen, for triggers: (bytes, clock time). */
  readonly #writeListeners = new Set<(bytes: Uint8Array) => void>();
  #status: Map<number, unknown> = new Map();

  private constructor(clock: WatchedClock, bank: SimBank, storage: AppStorage, options: WorldOptions) {
    this.clock = clock;
    this.bank = bank;
    this.storage = storage;
    this.sim = new SimTransport(bank, { clock });
    this.watch = new FreshnessWatch(bank);
    this.transport = new ObservedTransport(this.sim, {
      onWrite: (bytes) => {
        this.watch.sent(bytes, clock.now());
        for (const l of [...this.#writeListeners]) l(bytes);
      },
      onData: (chunk) => this.watch.received(chunk, clock.now())
    });
    const transport = this.transport;
    const links: LinkFactory<PaceClient, BankPoller> = {
      request: async () => transport,
      remembered: async () => transport,
      setBaud: async () => undefined,
      probe: (t, profile, o) => probeLink(t, profile, o),
      attach: (t, o) => attachPaceLink(t, o)
    };
    this.installer = new InstallerMode({ store: new MemoryPinStore(), clock, iterations: 1000 });
    const kv = new MemoryStorage();
    this.session = new DeviceSession<PaceClient, BankPoller>({
      links,
      clock,
      storage: kv,
      settings: new SettingsStore(kv),
      frame: null,
      database: async () => storage,
      installer: this.installer
    });
    this.session.onLink((event) => {
      if (event === 'attached' && this.session.client && this.session.poller)
        this.watch.attach(this.session.client, this.session.poller, () => clock.now());
    });
    this.recorder = storage.recorder({
      bank: 'bank:faults',
      clock,
      now: () => this.wall(),
      flushEvery_ms: 5000,
      pruneEvery_ms: null,
      requestPersistence: false
    });
    this.session.onUpdate((u) => {
      if (u.status) this.#status.set(u.address, u.status);
      if (!u.analog) return;
      const device = `addr:bank:faults#${u.address}`;
      const t_ms = Math.round(this.wall(u.received_ms));
      const status = (this.#status.get(u.address) ?? null) as Parameters<Recorder['record']>[0]['status'];
      if (this.recorder.record({ device, address: u.address, t_ms, analog: u.analog, status })) this.recorded.push({ device, t_ms });
    });
    clock.watch(() => this.watch.check(this.session, this.transport.status, clock.now()));
    void options;
  }

  static async create(options: WorldOptions): Promise<World> {
    const clock = new WatchedClock();
    const bank = createSimBank({
      packCount: PACKS,
      seed: options.seed,
      clock,
      baud: BAUD,
      scenario: 'load',
      pastHistory_days: 12,
      ...options.bank
    });
    const storage = await openStorage({ name: options.dbName, storageManager: null, now: () => EPOCH_ms + clock.now(), clock });
    return new World(clock, bank, storage, options);
  }

  /** Wall time (epoch ms) of a clock time. */
  wall(t_ms = this.clock.now()): number {
    return EPOCH_ms + t_ms;
  }

  /** Listen to the host's writes (each is one request, or one firmware block). */
  onWrite(listener: (bytes: Uint8Array) => void): () => void {
    this.#writeListeners.add(listener);
    return () => this.#writeListeners.delete(listener);
  }

  /**
   * Drive the clock until `p` settles. A throw is an escape (counted), not a crash of the matrix;
   * so is a promise that has not settled after `limit_ms` of virtual time.
   */
  async run<T>(where: string, p: Promise<T>, limit_ms = 600_000): Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      return { ok: true, value: await this.clock.run(p, limit_ms) };
    } catch (e) {
      this.escapes.push({ where, message: e instanceof Error ? e.message : String(e) });
      return { ok: false };
    }
  }

  /** Await work that needs no timer of the virtual clock (crypto, IndexedDB), without moving the clock. */
  async settled<T>(where: string, p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      return { ok: true, value: await p };
    } catch (e) {
      this.escapes.push({ where, message: e instanceof Error ? e.message : String(e) });
      return { ok: false };
    }
  }

  /** Let `ms` of virtual time pass. */
  async idle(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  /** Wait until `done()` holds, looking every 100 ms, for at most `limit_ms`. */
  async until(done: () => boolean, limit_ms: number): Promise<boolean> {
    const end = this.clock.now() + limit_ms;
    while (!done()) {
      if (this.clock.now() >= end) return false;
      await this.clock.advance(100);
    }
    return true;
  }

  /** Every pack of the bank shown live. */
  allLive(): boolean {
    const packs = this.session.packs;
    return packs.length === PACKS && packs.every((p) => p.fresh);
  }

  /** Connect as the demo bank does, set and unlock the installer PIN, start recording, wait for every pack live. */
  async start(): Promise<void> {
    // Work that does not wait on the virtual clock (Web Crypto, IndexedDB) is awaited without
    // moving it: driven by the clock, how much virtual time passes would depend on the machine.
    const pin = await this.settled('installer.setPin', this.installer.setPin(PIN));
    if (pin.ok && pin.value !== null) this.escapes.push({ where: 'installer.setPin', message: pin.value });
    const connected = await this.run('session.connect', this.session.connect({ kind: 'sim' }));
    if (connected.ok && !connected.value) this.escapes.push({ where: 'session.connect', message: this.session.error?.message ?? 'did not connect' });
    this.recorder.start();
    if (!(await this.until(() => this.allLive(), 30_000))) {
      this.escapes.push({ where: 'start', message: `not every pack live 30 s after connecting (phase ${this.session.phase})` });
    }
  }

  /**
   * Let the recorder write what it holds and remember those rows: they are stored before the
   * fault (a workload calls this just before it arms its fault), and must all be there at the end.
   */
  async markStoredRows(): Promise<void> {
    await this.settled('recorder.flush', this.recorder.flush());
    const s = this.recorder.stats;
    if (s.pending === 0 && s.unsaved === 0) this.storedBeforeFault = this.recorded.slice();
  }

  /**
   * Rows the recorder accepted that are not in IndexedDB after it stopped (or were stored before
   * `before` and are gone), read back from the database itself.
   */
  async lostRows(
    storedBefore: readonly { device: string; t_ms: number }[] = this.storedBeforeFault
  ): Promise<{ lost: number; detail: string | null }> {
    const stopped = await this.run('recorder.stop', this.recorder.stop());
    const state = stopped.ok ? stopped.value : this.recorder.state;
    const reportedLost = state.kind === 'stopped' ? state.reason.lost : 0;
    const stored = new Set<string>();
    const devices = new Set(this.recorded.map((r) => r.device));
    for (const device of devices) {
      const read = await this.run('telemetry.samples', collect(this.storage, device, this.wall(-1), this.wall() + 1));
      if (read.ok) for (const t of read.value) stored.add(`${device}@${t}`);
    }
    const missingBefore = storedBefore.filter((r) => !stored.has(`${r.device}@${r.t_ms}`)).length;
    // Rows the recorder took and neither stored nor reported lost: lost in silence.
    const missingAll = this.recorded.filter((r) => !stored.has(`${r.device}@${r.t_ms}`)).length;
    const silent = Math.max(0, missingAll - reportedLost);
    const lost = Math.max(missingBefore, silent);
    const detail =
      lost > 0
        ? `${missingBefore} rows stored before the fault are gone, ${missingAll} of ${this.recorded.length} recorded rows missing (${reportedLost} reported lost)`
        : null;
    return { lost, detail };
  }

  async dispose(): Promise<void> {
    await this.run('session.destroy', this.session.destroy());
    this.watch.dispose();
    this.bank.dispose();
    this.storage.close();
  }
}

async function collect(storage: AppStorage, device: string, from_ms: number, to_ms: number): Promise<number[]> {
  const out: number[] = [];
  for await (const r of storage.telemetry.samples(device, { from_ms, to_ms })) out.push(r.t_ms);
  return out;
}

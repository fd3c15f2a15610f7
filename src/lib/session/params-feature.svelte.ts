// The parameter, calibration and control pages' session side: one ParamEngine for the session,
// built on whichever client is attached, its writes let through the client's guard only by the
// session's WriteAuthority (a ScopedGrant registered once), the session's installer mode asked
// first, snapshots and the write log on the app's storage, the vendor extension profile in its
// key-value store. What the pages show (the values read per pack, a read of the whole bank with
// its progress, the last write's report, pending edits, unconfirmed writes) lives here as runes
// state, so it survives moving between pages and packs.
//
// Unconfirmed writes (the link went away after a request left) are read back as soon as a link
// is there again ('reopened', or 'attached' for a new connection: the write path checks the
// pack's serial before it reads), and the pack's values are read again, so what the page shows
// is what the pack holds.
//
// Obtain it with paramsFeature(session): one per session.

import {
  applyProfile,
  calibrate,
  ParamEngine,
  readControls,
  restoreFactoryDefaults,
  restoreSnapshot,
  setControl,
  setExtension,
  writeParams,
  type BankParamRead,
  type BusOwner,
  type CalibrationInput,
  type CalibrationReadings,
  type CalibrationResult,
  type ControlId,
  type ControlsRead,
  type ExtensionAvailability,
  type ExtensionProblem,
  type ExtensionProfile,
  type ExtensionRequest,
  type PackRef,
  type ParamSnapshot,
  type ParamValues,
  type ParameterProfile,
  type ProfilePackResult,
  type StepResult,
  type UnconfirmedWrite,
  type WriteReport
} from '$lib/params';
import { DEFAULT_DECODE_OPTIONS } from '$lib/protocol/types';
import { bankLabelFor } from '$lib/storage';
import type { ParameterBackup } from '$lib/firmware';
import { parameterBackup } from './params-backup';
import { dropExtensionProfile, loadExtensionProfile, saveExtensionProfile } from './params-extension-store';
import { busOf, ParamReads, type BankReadState, type PackActivity, type PackParams } from './params-reads.svelte';
import { StoredSnapshots, StoredWriteLog, type WriteLogRow } from './params-stores';
import type { DeviceSession } from './session.svelte';
import { ScopedGrant } from './write-authority';

export { EXTENSION_PROFILE_KEY } from './params-extension-store';
export type { BankReadState, PackActivity, PackParams } from './params-reads.svelte';

type SessionLike = Pick<DeviceSession, 'client' | 'clock' | 'database' | 'writes' | 'installer' | 'onLink' | 'transportInfo' | 'packs' | 'pack'>;

export interface ParamsFeatureOptions {
  /** Snapshot, log and read times (epoch ms). Default Date.now. */
  wallClock?: () => number;
}

export class ParamsFeature {
  readonly engine: ParamEngine;
  readonly #session: SessionLike;
  readonly #wall: () => number;
  readonly #snapshots: StoredSnapshots;
  readonly #log: StoredWriteLog;

  readonly #reads: ParamReads;
  #reports = $state.raw<Record<number, WriteReport>>({});
  #drafts = $state.raw<Record<number, Record<string, string>>>({});
  #unconfirmed = $state.raw<readonly UnconfirmedWrite[]>([]);
  #rechecked = $state.raw<StepResult[]>([]);
  #profile = $state.raw<ParameterProfile | null>(null);
  #extensions = $state.raw<ExtensionAvailability[]>([]);
  #extensionProfile = $state.raw<ExtensionProfile | null>(null);
  #revision = $state(0);
  #rechecking: Promise<void> | null = null;

  constructor(session: SessionLike, o: ParamsFeatureOptions = {}) {
    this.#session = session;
    this.#wall = o.wallClock ?? Date.now;
    this.#reads = new ParamReads({ client: () => session.client, clock: session.clock, wallClock: this.#wall });
    const database = () => session.database();
    const bank = () => this.#bankLabel();
    this.#snapshots = new StoredSnapshots(database, bank);
    this.#log = new StoredWriteLog(database, bank);
    const grant = new ScopedGrant('the parameter write path');
    session.writes.register(grant);
    const bus: BusOwner = {
      exclusive: (fn, opts) => {
        const client = busOf(session.client);
        if (!client) return Promise.reject(new Error('no bank is connected.'));
        return client.exclusive(fn, opts);
      }
    };
    this.engine = new ParamEngine({
      bus,
      snapshots: this.#snapshots,
      log: this.#log,
      installer: session.installer,
      grant,
      wallClock: this.#wall,
      readOnly: () => (session.writes.readOnly ? 'this session only reads; it never writes to a pack.' : null),
      link: this.#linkKind() ?? 'real'
    });
    this.#syncExtensions();
    void session.installer.init().catch(() => undefined);
    void this.#loadExtensionProfile();
    session.onLink((event) => {
      if (event === 'attached' || event === 'reopened') {
        this.#syncExtensions();
        void this.recheck();
      }
    });
  }

  // ---- what the pages read ----

  /** 'demo' on the demo bank, 'real' on a cable or Bluetooth, null when nothing is connected. */
  get link(): 'demo' | 'real' | null {
    return this.#linkKind();
  }

  params(address: number): PackParams | null {
    return this.#reads.params(address);
  }

  readError(address: number): string | null {
    return this.#reads.error(address);
  }

  activity(address: number): PackActivity {
    return this.#reads.activity(address);
  }

  /** The last write (parameters, snapshot restore, factory defaults, profile) to this pack. */
  report(address: number): WriteReport | null {
    return this.#reports[address] ?? null;
  }

  get bankRead(): BankReadState {
    return this.#reads.bank;
  }

  /** Writes whose result is not known yet (the link went away after they were sent). */
  get unconfirmed(): readonly UnconfirmedWrite[] {
    return this.#unconfirmed;
  }

  /** What the last re-check after the link came back found. */
  get rechecked(): StepResult[] {
    return this.#rechecked;
  }

  /** Bumped after every write and snapshot: pages reload the log and snapshot lists on it. */
  get revision(): number {
    return this.#revision;
  }

  /** Pending edits of a pack, as typed (param id → text). */
  drafts(address: number): Record<string, string> {
    return this.#drafts[address] ?? {};
  }

  setDraft(address: number, id: string, text: string | null): void {
    const mine = { ...this.drafts(address) };
    if (text === null) delete mine[id];
    else mine[id] = text;
    this.#drafts = { ...this.#drafts, [address]: mine };
    this.#session.installer.touch();
  }

  clearDrafts(address: number, ids?: readonly string[]): void {
    if (!ids) {
      const { [address]: _dropped, ...rest } = this.#drafts;
      this.#drafts = rest;
      return;
    }
    const mine = { ...this.drafts(address) };
    for (const id of ids) delete mine[id];
    this.#drafts = { ...this.#drafts, [address]: mine };
  }

  /** A parameter profile loaded from a file (shared by the pack and bank pages). */
  get profile(): ParameterProfile | null {
    return this.#profile;
  }

  set profile(p: ParameterProfile | null) {
    this.#profile = p;
  }

  /** Every vendor extension, enabled or why not, on the link now. */
  get extensions(): ExtensionAvailability[] {
    return this.#extensions;
  }

  get extensionProfile(): ExtensionProfile | null {
    return this.#extensionProfile;
  }

  /** What identifies a pack for writing: its address and the serial it reported. */
  packRef(address: number): PackRef {
    const serial = this.#session.pack(address)?.identity?.bmsSerial ?? this.#reads.params(address)?.read.bmsSerial ?? null;
    return { address, bmsSerial: serial?.trim() || null };
  }

  /** Cells in series of a pack, from its last analog values (the pack-vs-cell rules need it). */
  cellCount(address: number): number | undefined {
    const n = this.#session.pack(address)?.analog?.cells_mV.length;
    return n && n > 0 ? n : undefined;
  }

  // ---- reading ----

  /** Read every group of one pack (the poller pauses meanwhile). */
  readPack(address: number): Promise<PackParams | null> {
    return this.#reads.readPack(address);
  }

  /** Read every group of every pack as one operation, with progress; cancelReadAll() stops it. */
  readAll(addresses: readonly number[]): Promise<BankParamRead | null> {
    return this.#reads.readAll(addresses);
  }

  cancelReadAll(): void {
    this.#reads.cancelReadAll();
  }

  // ---- writing (every one through the engine's write path) ----

  /** Write the edits that differ from the pack's values, then read the pack again. */
  async write(address: number, edits: ParamValues): Promise<WriteReport | null> {
    const base = this.#reads.params(address)?.read.values;
    if (!base) return null;
    return this.#writing(address, () =>
      writeParams(this.engine.path, { pack: this.packRef(address), base, edits, cellCount: this.cellCount(address) })
    );
  }

  async restoreSnapshot(address: number, snapshot: ParamSnapshot): Promise<WriteReport | null> {
    const base = this.#reads.params(address)?.read.values ?? {};
    return this.#writing(address, () =>
      restoreSnapshot(this.engine.path, snapshot, { pack: this.packRef(address), base, cellCount: this.cellCount(address) })
    );
  }

  async restoreDefaults(address: number): Promise<WriteReport | null> {
    return this.#writing(address, () => restoreFactoryDefaults(this.engine.path, this.packRef(address)));
  }

  /**
   * Apply a profile to several packs, one after the other, each through the write path with its
   * own result. A pack not read yet is read first (the profile is checked against its values).
   */
  async applyProfile(profile: ParameterProfile, addresses: readonly number[], onPack?: (r: ProfilePackResult) => void): Promise<ProfilePackResult[]> {
    const out: ProfilePackResult[] = [];
    for (const address of addresses) {
      const base = this.#reads.params(address)?.read.values ?? (await this.readPack(address))?.read.values;
      if (!base) {
        const report = await this.engine.path.run({
          kind: 'profile',
          pack: this.packRef(address),
          title: `Apply profile "${profile.name}"`,
          violations: [],
          refuse: this.#reads.error(address) ?? 'the pack could not be read.',
          snapshot: async () => ({ ok: true, values: {}, groups: [] }),
          plan: () => ({ steps: [] })
        });
        const r = { pack: report.pack, report };
        out.push(r);
        onPack?.(r);
        continue;
      }
      const [r] = await this.#writingMany(address, () =>
        applyProfile(this.engine.path, profile, [{ pack: this.packRef(address), base, cellCount: this.cellCount(address) }])
      );
      out.push(r);
      onPack?.(r);
    }
    return out;
  }

  /** Keep the values as last read as a snapshot (reason 'manual'). */
  async keepSnapshot(address: number): Promise<ParamSnapshot | null> {
    const p = this.#reads.params(address);
    const ref = this.packRef(address);
    if (!p || ref.bmsSerial === null) return null;
    const groups = Object.entries(p.read.groups)
      .filter(([, g]) => g?.status === 'ok')
      .map(([id]) => id) as ParamSnapshot['groups'];
    const s = await this.#snapshots.save({
      bmsSerial: ref.bmsSerial,
      address,
      time_ms: p.read_ms,
      reason: 'manual',
      note: 'Kept from the parameter page',
      values: p.read.values,
      groups
    });
    this.#revision++;
    return s;
  }

  /** For the firmware updater: every group read through its lease and kept as a 'before-firmware' snapshot. */
  get firmwareBackup(): ParameterBackup {
    return parameterBackup(this.#snapshots, { wallClock: this.#wall });
  }

  snapshots(address: number): Promise<ParamSnapshot[]> {
    const ref = this.packRef(address);
    return ref.bmsSerial === null ? Promise.resolve([]) : this.#snapshots.list(ref);
  }

  /** The write log as the page shows it, newest first; of one pack when given. */
  writeLog(filter: { address?: number; limit?: number } = {}): Promise<WriteLogRow[]> {
    return this.#log.rows({ ...(filter.address !== undefined ? { pack: this.packRef(filter.address) } : {}), limit: filter.limit });
  }

  // ---- device control and calibration ----

  async readControls(address: number): Promise<ControlsRead | null> {
    const client = busOf(this.#session.client);
    if (!client) return null;
    this.#reads.setActivity(address, 'controls');
    try {
      return await client.exclusive((bus) => readControls(bus, address, client.decodeOptions), { priority: 'interactive' });
    } finally {
      this.#reads.setActivity(address, null);
    }
  }

  async setControl(address: number, id: ControlId, value: boolean | string): Promise<WriteReport> {
    const decodeOptions = busOf(this.#session.client)?.decodeOptions;
    const report = await this.#guarded(address, 'writing', () =>
      setControl(this.engine.path, this.packRef(address), id, value, {
        decodeOptions: decodeOptions ?? DEFAULT_DECODE_OPTIONS,
        clock: this.#session.clock
      })
    );
    this.#afterWrite();
    return report;
  }

  async calibrate(address: number, input: CalibrationInput): Promise<CalibrationResult> {
    const result = await this.#guarded(address, 'calibrating', () =>
      calibrate(this.engine.path, this.packRef(address), input, { latest: this.latestReadings(address), clock: this.#session.clock })
    );
    this.#afterWrite();
    return result;
  }

  /** What the pack shows now (its last polled analog values), for the calibration checks. */
  latestReadings(address: number): CalibrationReadings | null {
    const a = this.#session.pack(address)?.analog;
    if (!a) return null;
    return {
      voltage_V: a.voltage_V,
      current_A: a.current_A,
      remaining_Ah: a.remaining_Ah,
      full_Ah: a.full_Ah,
      design_Ah: a.design_Ah,
      soc_pct: a.full_Ah > 0 ? Number(((a.remaining_Ah / a.full_Ah) * 100).toFixed(1)) : null,
      cycles: a.cycles
    };
  }

  // ---- vendor extensions ----

  /** Validate and keep an extension profile; returns the problems (nothing changed) or null. */
  async importExtensionProfile(text: string): Promise<ExtensionProblem[] | null> {
    const saved = await saveExtensionProfile(() => this.#session.database(), text);
    if (!saved.ok) return saved.problems;
    this.#applyExtensionProfile(saved.profile);
    return null;
  }

  async dropExtensionProfile(): Promise<void> {
    await dropExtensionProfile(await this.#session.database());
    this.#applyExtensionProfile(null);
  }

  async setExtension(address: number, req: ExtensionRequest): Promise<WriteReport> {
    const report = await this.#guarded(address, 'writing', () => setExtension(this.engine.path, this.packRef(address), this.engine.extensions, req));
    this.#extensions = this.engine.extensions.availability();
    this.#afterWrite();
    return report;
  }

  // ---- unconfirmed writes ----

  /** Read back every unconfirmed write, then read again the packs they touched. */
  recheck(): Promise<void> {
    if (this.#rechecking) return this.#rechecking;
    if (this.engine.path.unconfirmed.length === 0 || !busOf(this.#session.client)) return Promise.resolve();
    const packs = this.engine.path.unconfirmed.map((u) => u.pack.address).filter((a, i, all) => all.indexOf(a) === i);
    this.#rechecking = (async () => {
      try {
        const results = await this.engine.path.recheck();
        if (results.length > 0) this.#rechecked = results;
        this.#unconfirmed = [...this.engine.path.unconfirmed];
        this.#revision++;
        for (const address of packs) if (this.#reads.params(address)) await this.readPack(address);
      } catch {
        // The link went away again: the writes stay unconfirmed for the next time it is back.
        this.#unconfirmed = [...this.engine.path.unconfirmed];
      } finally {
        this.#rechecking = null;
      }
    })();
    return this.#rechecking;
  }

  // ---- helpers ----

  async #writing(address: number, run: () => Promise<WriteReport>): Promise<WriteReport> {
    const report = await this.#guarded(address, 'writing', run);
    this.#reports = { ...this.#reports, [address]: report };
    this.#afterWrite();
    // What the page shows is what the pack holds now, not what was meant to be written.
    if (report.outcome !== 'not-sent' && report.outcome !== 'invalid' && report.outcome !== 'unchanged') await this.readPack(address);
    return report;
  }

  async #writingMany(address: number, run: () => Promise<ProfilePackResult[]>): Promise<ProfilePackResult[]> {
    const results = await this.#guarded(address, 'writing', run);
    for (const r of results) this.#reports = { ...this.#reports, [r.pack.address]: r.report };
    this.#afterWrite();
    if (results.some((r) => r.report.outcome !== 'not-sent' && r.report.outcome !== 'invalid' && r.report.outcome !== 'unchanged'))
      await this.readPack(address);
    return results;
  }

  async #guarded<T>(address: number, activity: PackActivity, run: () => Promise<T>): Promise<T> {
    this.#reads.setActivity(address, activity);
    try {
      return await run();
    } finally {
      this.#reads.setActivity(address, null);
    }
  }

  #afterWrite(): void {
    this.#unconfirmed = [...this.engine.path.unconfirmed];
    this.#revision++;
  }

  #linkKind(): 'demo' | 'real' | null {
    const info = this.#session.transportInfo;
    return info ? (info.kind === 'sim' ? 'demo' : 'real') : null;
  }

  #syncExtensions(): void {
    const link = this.#linkKind();
    if (link) this.engine.setLink(link);
    this.#extensions = this.engine.extensions.availability();
  }

  #applyExtensionProfile(profile: ExtensionProfile | null): void {
    this.engine.setExtensionProfile(profile);
    this.#extensionProfile = profile;
    this.#syncExtensions();
  }

  async #loadExtensionProfile(): Promise<void> {
    try {
      const profile = await loadExtensionProfile(await this.#session.database());
      if (profile) this.#applyExtensionProfile(profile);
    } catch {
      // No storage: no stored profile. Importing one says why it cannot be kept.
    }
  }

  #bankLabel(): string {
    const master = this.#session.packs.find((p) => p.isMaster) ?? this.#session.packs[0];
    return bankLabelFor(master?.identity?.bmsSerial ?? null, this.#session.transportInfo?.label ?? '');
  }
}

const features = new WeakMap<object, ParamsFeature>();

/** The parameter feature of a session (created on first use, one per session). */
export function paramsFeature(session: SessionLike): ParamsFeature {
  let f = features.get(session);
  if (!f) {
    f = new ParamsFeature(session);
    features.set(session, f);
  }
  return f;
}

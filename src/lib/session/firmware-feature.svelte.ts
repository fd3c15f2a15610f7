// The firmware page's session side: the image cache and catalog in IndexedDB, the packs' versions,
// checking an image against the chosen packs, running the update (one pack or several, one after
// another) and a recovery, and the parameter backup and restore around it. Runes state the page
// reads; every step below it is the firmware engine (src/lib/firmware).
//
// Writes: the updater's FF 50 and bootloader bytes leave only inside a ScopedGrant registered with
// the session's WriteAuthority (installer mode must be unlocked), and only for the pack and phase
// being updated. The FlashGuard (firmware-watch.svelte.ts) is held while anything is flashing.

import {
  DEFAULT_CATALOG_URL,
  FirmwareError,
  addLocalFile,
  cacheUsage,
  checkCompatibility,
  downloadRelease,
  identityFromJournal,
  identityFromReplies,
  loadCachedImage,
  newestReleaseFor,
  parsePackVersion,
  preflight,
  recoverPack,
  sameFirmwareVersion,
  syncCatalog,
  updateBank,
  type BackupRef,
  type BankUpdateSnapshot,
  type CachedImageMeta,
  type CatalogRelease,
  type CatalogSyncProgress,
  type CatalogSyncResult,
  type FetchLike,
  type FinalSnapshot,
  type FlashPlan,
  type LoadedFirmware,
  type NewestRelease,
  type PackIdentity,
  type PackRow,
  type RawImageConfirmation,
  type UpdateSnapshot,
  type UpgradeRestoreSelection
} from '$lib/firmware';
import { readProductInfo, readSoftwareVersion } from '$lib/protocol/commands/info';
import type { WriteAttempt } from '$lib/protocol/write-guard';
import { deviceKeyFor, bankLabelFor, typedKey, type AppStorage, type JsonValue, type WriteResult } from '$lib/storage';
import { StorageFirmwareCache } from './firmware-cache';
import { sessionFirmwareParameters, type FirmwareParameters, type ParameterRestore } from './firmware-params';
import { firmwareBus, firmwareWatch, type BootloaderFinding, type FirmwareBus, type FirmwareWatch } from './firmware-watch.svelte';
import type { DeviceSession } from './session.svelte';
import { ScopedGrant } from './write-authority';

const CATALOG_URL_KEY = 'firmware.catalogUrl';

/** A pack's firmware as this page knows it. */
export interface PackFirmware {
  readonly address: number;
  /** C1H as the pack sent it ("P16S100A-1812-1.00"); null until read. */
  readonly versionString: string | null;
  readonly identity: PackIdentity | null;
  /** Where it came from: the poller's identity read, this page's read, or the update's confirmation. */
  readonly source: 'poller' | 'read' | 'update';
  /** The newest catalog release that fits the pack, when the catalog and the version are known. */
  readonly newest: NewestRelease | null;
}

export interface CatalogState {
  readonly url: string;
  /** The last sync (network or cache); null before the first or when none worked. */
  readonly result: CatalogSyncResult | null;
  /** Why there is no catalog at all (offline with nothing cached, broken URL). */
  readonly problem: FirmwareError | null;
  readonly syncing: boolean;
  readonly progress: CatalogSyncProgress | null;
}

/** One image checked against the chosen packs, before anything is sent. */
export type Assessment =
  /** The file cannot be used at all (not cached, damaged in the cache). */
  | { readonly kind: 'unusable'; readonly error: FirmwareError }
  /** A raw binary or HEX: only with the expert's confirmation and the version it will report. */
  | { readonly kind: 'needs-confirmation'; readonly format: LoadedFirmware['format']; readonly error: FirmwareError }
  | {
      readonly kind: 'checked';
      readonly plan: FlashPlan | null;
      readonly packs: readonly PackFit[];
    };

export interface PackFit {
  readonly address: number;
  /** 'fits' (will be updated), 'current' (already on it: skipped), 'refused' (with why), 'unknown' (version not read). */
  readonly verdict: 'fits' | 'current' | 'refused' | 'unknown';
  readonly error: FirmwareError | null;
  readonly warnings: readonly string[];
}

/** The update or recovery running (or last run), as the page renders it. */
export interface FirmwareRun {
  readonly kind: 'update' | 'recovery';
  readonly fileName: string;
  readonly targetVersion: string;
  readonly override: boolean;
  readonly rows: readonly PackRow[];
  /** Address being worked on. */
  readonly current: number | null;
  /** 0..1 over the whole run. */
  readonly fraction: number;
  readonly finished: boolean;
  readonly cancelRequested: boolean;
}

/** After a pack was updated: the backup to restore, and what a restore did. */
export interface AfterUpdate {
  readonly address: number;
  readonly backup: BackupRef | null;
  readonly state: 'offered' | 'restoring-backup' | 'restoring-defaults' | 'kept';
  readonly restored: (ParameterRestore & { readonly what: 'backup' | 'defaults' }) | null;
}

interface VersionRead {
  readonly versionString: string;
  readonly identity: PackIdentity;
  readonly source: 'read' | 'update';
}

export interface StartOptions {
  readonly sha256: string;
  readonly addresses: readonly number[];
  readonly restore: UpgradeRestoreSelection;
  readonly rawConfirmation?: RawImageConfirmation;
  /** Go on with the next pack after one failed. Default false. */
  readonly continueAfterFailure?: boolean;
}

export interface RecoverOptions {
  /** Default: the journal's image. */
  readonly sha256?: string;
  /** Default: the journal's pack. */
  readonly address?: number;
  /** What the pack is, when the journal does not say (a forced entry): model and board from its label. */
  readonly identity?: PackIdentity;
  readonly rawConfirmation?: RawImageConfirmation;
}

export interface FirmwareFeatureOptions {
  /** Default firmwareWatch(session), the app-wide one. */
  watch?: FirmwareWatch;
  /** Default globalThis.fetch. */
  fetch?: FetchLike;
  /** Base for a relative catalog URL. Default location.href. */
  baseUrl?: string;
  /** Default: the parameters feature of the session (firmware-params.ts). */
  parameters?: FirmwareParameters;
  /** Wall clock (epoch ms). Default Date.now. */
  now_ms?: () => number;
  /** Online? Default navigator.onLine (true where unknown). */
  online?: () => boolean;
}

function defaultFetch(): FetchLike {
  return (url, init) => globalThis.fetch(url, init);
}

function asFirmwareError(e: unknown, fallback: string): FirmwareError {
  if (e instanceof FirmwareError) return e;
  const why = e instanceof Error ? e.message : String(e);
  return new FirmwareError('download', `${fallback}: ${why}`, { cause: e });
}

export class FirmwareFeature {
  readonly watch: FirmwareWatch;
  readonly cache: StorageFirmwareCache;
  readonly parameters: FirmwareParameters;

  #images = $state.raw<CachedImageMeta[]>([]);
  #imagesLoaded = $state(false);
  #imagesProblem = $state<string | null>(null);
  #usage = $state.raw<{ usage_B: number | null; quota_B: number | null }>({ usage_B: null, quota_B: null });
  #catalog = $state.raw<CatalogState>({ url: DEFAULT_CATALOG_URL, result: null, problem: null, syncing: false, progress: null });
  /** Versions this page read or an update confirmed, by address (replaced whole on change). */
  #reads = $state.raw<Readonly<Record<number, VersionRead>>>({});
  #readingVersions = $state(false);
  #run = $state.raw<FirmwareRun | null>(null);
  #after = $state.raw<readonly AfterUpdate[]>([]);
  #runError = $state<string | null>(null);
  #installer = $state<'no-pin' | 'locked' | 'unlocked'>('no-pin');

  readonly #session: DeviceSession;
  readonly #fetch: FetchLike;
  readonly #baseUrl: string | undefined;
  readonly #now: () => number;
  readonly #online: () => boolean;
  readonly #grant = new ScopedGrant('the firmware updater');
  /** What the grant lets out right now: FF 50 to one pack, or bootloader bytes. */
  #allowed: { address: number; phase: 'entry' | 'bootloader' } | null = null;
  #abort: AbortController | null = null;
  #catalogUrlLoaded: Promise<void>;
  /** The bank's models the last sync downloaded for ("P16S100A"), to sync again when they change. */
  #syncedFor: string | null = null;
  #syncRun: Promise<void> | null = null;

  constructor(session: DeviceSession, options: FirmwareFeatureOptions = {}) {
    this.#session = session;
    this.watch = options.watch ?? firmwareWatch(session);
    this.cache = new StorageFirmwareCache(() => session.database());
    this.parameters = options.parameters ?? sessionFirmwareParameters(session);
    this.#fetch = options.fetch ?? defaultFetch();
    this.#baseUrl = options.baseUrl ?? (typeof location !== 'undefined' ? location.href : undefined);
    this.#now = options.now_ms ?? Date.now;
    this.#online = options.online ?? (() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false));
    session.writes.register(this.#grant);
    this.#catalogUrlLoaded = this.#loadCatalogUrl();
    // Installer mode as runes state, so the page can say why it cannot start yet.
    session.installer.onChange((state) => (this.#installer = state));
    void session.installer.init().then(
      (state) => (this.#installer = state),
      () => undefined
    );
  }

  // ---- state the page reads ----

  /** Cached images, newest first. */
  get images(): CachedImageMeta[] {
    return this.#images;
  }

  get imagesLoaded(): boolean {
    return this.#imagesLoaded;
  }

  /** Why the cache could not be read (IndexedDB unavailable, ...). */
  get imagesProblem(): string | null {
    return this.#imagesProblem;
  }

  /** Bytes the cached images take, and this site's storage use and quota where the browser tells. */
  get usage(): { images: number; bytes: number; usage_B: number | null; quota_B: number | null } {
    const u = cacheUsage(this.#images);
    return { images: u.entries, bytes: u.bytes, ...this.#usage };
  }

  get catalog(): CatalogState {
    return this.#catalog;
  }

  get readingVersions(): boolean {
    return this.#readingVersions;
  }

  get run(): FirmwareRun | null {
    return this.#run;
  }

  /** Something is being flashed now (this page's run, or held elsewhere). */
  get flashing(): boolean {
    return this.watch.flashing || (this.#run !== null && !this.#run.finished);
  }

  /** Installer mode (writes need it unlocked). */
  get installerState(): 'no-pin' | 'locked' | 'unlocked' {
    return this.#installer;
  }

  /** Why the last start did not begin (installer mode, no image); null otherwise. */
  get runError(): string | null {
    return this.#runError;
  }

  /** Packs updated in the last run, with their restore offers. */
  get after(): readonly AfterUpdate[] {
    return this.#after;
  }

  /** A pack waiting in its bootloader on this link, with the cached image to restart from. */
  get recovery(): (BootloaderFinding & { readonly cached: CachedImageMeta | null }) | null {
    const finding = this.watch.bootloader;
    if (!finding) return null;
    const sha = finding.entry?.imageSha256;
    return { ...finding, cached: sha ? (this.#images.find((i) => i.sha256 === sha) ?? null) : null };
  }

  /** Every pack of the bank with what is known of its firmware. */
  get packs(): PackFirmware[] {
    const catalog = this.#catalog.result?.catalog ?? null;
    return this.#session.packs.map((p) => {
      const read = this.#reads[p.address] as VersionRead | undefined;
      const polled = p.identity?.softwareVersion ?? null;
      const versionString = read?.versionString ?? polled;
      const identity =
        read?.identity ??
        (polled ? identityFromReplies({ version: polled }, p.identity?.bmsSerial ? { bmsSerial: p.identity.bmsSerial } : null) : null);
      return {
        address: p.address,
        versionString,
        identity,
        source: read?.source ?? 'poller',
        newest: catalog && identity ? newestReleaseFor(catalog, identity) : null
      };
    });
  }

  // ---- the cache and the catalog ----

  async #loadCatalogUrl(): Promise<void> {
    try {
      const stored = await typedKey(
        (await this.#session.database()).kv,
        CATALOG_URL_KEY,
        (v: JsonValue): v is string => typeof v === 'string',
        DEFAULT_CATALOG_URL
      ).get();
      this.#catalog = { ...this.#catalog, url: stored };
    } catch {
      // No storage: the default URL serves.
    }
  }

  /** Read the cache's entries and the storage estimate again. */
  async refreshImages(): Promise<void> {
    try {
      this.#images = await this.cache.list();
      this.#imagesProblem = null;
      const estimate = await (await this.#session.database()).estimate();
      this.#usage = { usage_B: estimate.usage_B, quota_B: estimate.quota_B };
    } catch (e) {
      this.#imagesProblem = e instanceof Error ? e.message : String(e);
    } finally {
      this.#imagesLoaded = true;
    }
  }

  /** Models of the connected bank, for downloading only what fits it; null when none is known. */
  #bankModels(): string[] | null {
    const models: string[] = [];
    for (const p of this.packs) {
      const model = p.identity?.model.toUpperCase();
      if (model && !models.includes(model)) models.push(model);
    }
    return models.length > 0 ? models : null;
  }

  /**
   * Fetch the catalog (when online) and download the images that fit the connected bank; with
   * `all`, every release (preparing a laptop for a site without internet). Offline, the cached
   * catalog serves. Never throws: the state says what happened.
   */
  sync(options: { all?: boolean } = {}): Promise<void> {
    // One at a time: a caller arriving during a sync waits for it (and asks again for "all").
    if (this.#syncRun) return this.#syncRun.then(() => (options.all ? this.sync(options) : undefined));
    const run = this.#sync(options).finally(() => {
      if (this.#syncRun === run) this.#syncRun = null;
    });
    this.#syncRun = run;
    return run;
  }

  async #sync(options: { all?: boolean }): Promise<void> {
    await this.#catalogUrlLoaded;
    const url = this.#catalog.url;
    this.#catalog = { ...this.#catalog, syncing: true, progress: null };
    try {
      const bankModels = this.#bankModels();
      this.#syncedFor = bankModels ? bankModels.join(',') : null;
      // Unasked, only what the connected bank can take is downloaded; nothing without a bank.
      const models = options.all ? undefined : (bankModels ?? []);
      const result = await syncCatalog({
        url,
        baseUrl: this.#baseUrl,
        fetch: this.#online() ? this.#fetch : offlineFetch,
        catalogCache: this.cache,
        imageCache: this.cache,
        models,
        now_ms: this.#now,
        onProgress: (progress) => (this.#catalog = { ...this.#catalog, progress })
      });
      if (this.#catalog.url === url) this.#catalog = { url, result, problem: null, syncing: false, progress: null };
    } catch (e) {
      if (this.#catalog.url === url)
        this.#catalog = { url, result: null, problem: asFirmwareError(e, 'The catalog could not be read'), syncing: false, progress: null };
    }
    await this.refreshImages();
  }

  /** Download one release of the catalog into the cache. Resolves with the error, or null. */
  async download(release: CatalogRelease): Promise<FirmwareError | null> {
    const result = this.#catalog.result;
    if (!result) return new FirmwareError('catalog', 'There is no catalog to download from.');
    try {
      await downloadRelease(release, result.url, { fetch: this.#online() ? this.#fetch : offlineFetch, imageCache: this.cache, now_ms: this.#now });
      this.#catalog = {
        ...this.#catalog,
        result: { ...result, releases: result.releases.map((r) => (r.release === release ? { release, state: 'downloaded' } : r)) }
      };
      return null;
    } catch (e) {
      return asFirmwareError(e, 'The download failed');
    } finally {
      await this.refreshImages();
    }
  }

  /** Use another catalog address (kept in this browser). Returns why not, or null. */
  async setCatalogUrl(url: string): Promise<string | null> {
    const trimmed = url.trim();
    if (trimmed === '') return 'Enter the catalog address.';
    if (!URL.canParse(trimmed, this.#baseUrl)) return `"${trimmed}" is not a web address.`;
    await this.#catalogUrlLoaded;
    try {
      await (await this.#session.database()).kv.set(CATALOG_URL_KEY, trimmed);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    // A sync of the old address still running finishes first (its result is dropped), then this one.
    await this.#syncRun;
    this.#catalog = { url: trimmed, result: null, problem: null, syncing: false, progress: null };
    await this.sync();
    return null;
  }

  /**
   * Add a file the person chose. Checked like every image (format, checksums, manifest); a file
   * that fails is not stored and the error says why.
   */
  async addFile(file: {
    name: string;
    arrayBuffer(): Promise<ArrayBuffer>;
  }): Promise<{ ok: true; meta: CachedImageMeta } | { ok: false; error: FirmwareError }> {
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const { meta } = await addLocalFile(this.cache, bytes, file.name, { now_ms: this.#now() });
      await this.refreshImages();
      return { ok: true, meta };
    } catch (e) {
      if (e instanceof FirmwareError) return { ok: false, error: e };
      return {
        ok: false,
        error: new FirmwareError('unknown-format', `${file.name} could not be stored: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
      };
    }
  }

  async remove(sha256: string): Promise<void> {
    await this.cache.delete(sha256);
    await this.refreshImages();
  }

  // ---- versions ----

  /** Read C1H and C2H of the given packs (default: all) in one exclusive lease. */
  async readVersions(addresses?: readonly number[]): Promise<void> {
    const bus = firmwareBus(this.#session);
    if (!bus || this.#readingVersions || this.flashing) return;
    const list = addresses ?? this.#session.packs.map((p) => p.address);
    if (list.length === 0) return;
    this.#readingVersions = true;
    try {
      const found = await bus.exclusive(async (lease) => {
        const out: [number, string, PackIdentity][] = [];
        for (const address of list) {
          const c1 = await lease.exchange(readSoftwareVersion, address, {}, { retries: 1 });
          if (!c1.ok || c1.reply.adr !== address) continue;
          const c2 = await lease.exchange(readProductInfo, address, {}, { retries: 1 });
          out.push([address, c1.value.version.trim(), identityFromReplies(c1.value, c2.ok && c2.reply.adr === address ? c2.value : null)]);
        }
        return out;
      });
      const next = { ...this.#reads };
      for (const [address, versionString, identity] of found) next[address] = { versionString, identity, source: 'read' };
      this.#reads = next;
      // The bank's models are known now: fetch what fits them, if the last sync did not.
      const models = this.#bankModels()?.join(',') ?? null;
      if (models !== null && models !== this.#syncedFor) void this.sync();
    } catch {
      // The link went away: the versions stay unknown, and the page says so.
    } finally {
      this.#readingVersions = false;
    }
  }

  #identity(address: number): PackIdentity | null {
    return this.packs.find((p) => p.address === address)?.identity ?? null;
  }

  // ---- checking an image ----

  /** Check a cached image against each chosen pack. Nothing is sent. */
  async assess(sha256: string, addresses: readonly number[], rawConfirmation?: RawImageConfirmation): Promise<Assessment> {
    let loaded: LoadedFirmware;
    try {
      loaded = await loadCachedImage(this.cache, sha256);
    } catch (e) {
      return { kind: 'unusable', error: asFirmwareError(e, 'The image could not be read') };
    }
    const packs: PackFit[] = [];
    let plan: FlashPlan | null = null;
    for (const address of addresses) {
      const identity = this.#identity(address);
      if (!identity) {
        packs.push({ address, verdict: 'unknown', error: null, warnings: [] });
        continue;
      }
      const result = preflight(loaded, identity, { rawConfirmation });
      if (!result.ok) {
        if (result.error.kind === 'needs-confirmation' && !rawConfirmation)
          return { kind: 'needs-confirmation', format: loaded.format, error: result.error };
        packs.push({ address, verdict: 'refused', error: result.error, warnings: [] });
        continue;
      }
      plan ??= result.plan;
      const current = sameFirmwareVersion(identity.firmwareVersion, result.plan.targetVersion);
      packs.push({ address, verdict: current ? 'current' : 'fits', error: null, warnings: result.warnings });
    }
    return { kind: 'checked', plan, packs };
  }

  // ---- running ----

  #grantMatch = (a: WriteAttempt): boolean => {
    const allowed = this.#allowed;
    if (!allowed) return false;
    if (allowed.phase === 'entry') return a.via === 'command' && a.adr === allowed.address && a.commands.includes('enterFirmwareUpgrade');
    // The transfer's bytes carry no address: only while this pack's bootloader owns the line.
    return a.via === 'bytes';
  };

  /** Follow the running pack's phase, so the grant lets out exactly what that phase sends. */
  #track(address: number, s: UpdateSnapshot | null): void {
    if (!s) return;
    if (s.phase === 'enter') this.#allowed = { address, phase: s.waitingForBootloader ? 'bootloader' : 'entry' };
    else if (s.phase === 'transfer' || s.phase === 'verify' || s.phase === 'reboot') this.#allowed = { address, phase: 'bootloader' };
    else this.#allowed = null;
  }

  #checkReady(bus: FirmwareBus | null): string | null {
    if (!bus || !this.#session.active) return 'Connect the bank first.';
    if (this.flashing) return 'An update is already running.';
    if (this.#session.writes.readOnly) return 'This session only reads; it never writes to a pack.';
    return this.#session.installer.permit();
  }

  /** Update the chosen packs one after another with a cached image. Resolves when the run ends. */
  async start(o: StartOptions): Promise<void> {
    const bus = firmwareBus(this.#session);
    const notReady = this.#checkReady(bus);
    this.#runError = notReady;
    if (notReady || !bus) return;
    const first = o.addresses.map((a) => this.#identity(a)).find((i) => i !== null) ?? null;
    if (!first) {
      this.#runError = 'Read the packs’ versions first: the image is checked against what they report.';
      return;
    }
    let plan: FlashPlan;
    try {
      const result = preflight(await loadCachedImage(this.cache, o.sha256), first, { rawConfirmation: o.rawConfirmation });
      if (!result.ok) throw result.error;
      plan = result.plan;
    } catch (e) {
      this.#runError = asFirmwareError(e, 'The image could not be used').message;
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.#after = [];
    this.#publish({
      kind: 'update',
      fileName: plan.fileName,
      targetVersion: plan.targetVersion,
      override: plan.override,
      rows: o.addresses.map((address) => ({ address, status: 'waiting', snapshot: null, result: null })),
      current: null,
      fraction: 0,
      finished: false,
      cancelRequested: false
    });
    try {
      const result = await this.#grant.during(this.#grantMatch, () =>
        updateBank({
          bus,
          addresses: o.addresses,
          plan,
          restore: o.restore,
          backup: this.parameters.backup,
          journal: this.watch.journal,
          guard: this.watch.guard,
          signal: abort.signal,
          continueAfterFailure: o.continueAfterFailure,
          onSnapshot: (s) => this.#onBankSnapshot(s)
        })
      );
      for (const p of result.packs) if (p.final) await this.#afterPack(p.final, plan);
      // Fresh values of the updated packs now, not after the poller's pause.
      this.#session.refresh();
    } finally {
      this.#allowed = null;
      this.#abort = null;
      if (this.#run) this.#publish({ ...this.#run, finished: true, current: null });
    }
  }

  #onBankSnapshot(s: BankUpdateSnapshot): void {
    const running = s.rows.find((r) => r.status === 'running');
    this.#track(running?.address ?? -1, running?.snapshot ?? null);
    if (!running) this.#allowed = null;
    const run = this.#run;
    if (run) this.#publish({ ...run, rows: s.rows, current: s.current, fraction: s.fraction, finished: false });
  }

  /**
   * Restart an update interrupted in the bootloader, from the cached image (the journal's, unless
   * another is named). No backup (the application is not running) and no FF 50.
   */
  async recover(o: RecoverOptions = {}): Promise<void> {
    const bus = firmwareBus(this.#session);
    const notReady = this.#checkReady(bus);
    this.#runError = notReady;
    if (notReady || !bus) return;
    const finding = this.watch.bootloader;
    const entry = finding?.entry ?? null;
    const sha256 = o.sha256 ?? entry?.imageSha256;
    const address = o.address ?? entry?.address;
    const identity = o.identity ?? (entry ? identityFromJournal(entry) : null);
    if (!sha256 || address === undefined || !identity) {
      this.#runError = 'Say which pack it is and choose its firmware first.';
      return;
    }
    let plan: FlashPlan;
    try {
      const result = preflight(await loadCachedImage(this.cache, sha256), identity, { rawConfirmation: o.rawConfirmation });
      if (!result.ok) throw result.error;
      plan = result.plan;
    } catch (e) {
      this.#runError = asFirmwareError(e, 'The image could not be used').message;
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.#after = [];
    const row = (snapshot: UpdateSnapshot | null, final: FinalSnapshot | null): PackRow => ({
      address,
      status: final ? (final.phase === 'done' ? 'updated' : 'failed') : 'running',
      snapshot,
      result: final
        ? {
            address,
            outcome: final.phase === 'done' ? 'updated' : 'failed',
            fromVersion: entry?.fromVersion ?? null,
            version: final.phase === 'done' ? final.result.version : null,
            message: final.phase === 'failed' ? final.failure.message : null,
            final
          }
        : null
    });
    const base = {
      kind: 'recovery',
      fileName: plan.fileName,
      targetVersion: plan.targetVersion,
      override: plan.override,
      cancelRequested: false
    } as const;
    this.#publish({ ...base, rows: [row(null, null)], current: address, fraction: 0, finished: false });
    try {
      const final = await this.#grant.during(this.#grantMatch, () =>
        recoverPack({
          bus,
          address,
          plan,
          identity,
          journalEntry: entry ?? undefined,
          journal: this.watch.journal,
          guard: this.watch.guard,
          signal: abort.signal,
          onSnapshot: (s) => {
            this.#track(address, s);
            const run = this.#run;
            if (run && s.phase !== 'done' && s.phase !== 'failed') this.#publish({ ...run, rows: [row(s, null)], fraction: s.progress.fraction });
          }
        })
      );
      if (this.#run) this.#publish({ ...this.#run, rows: [row(final, final)], fraction: final.phase === 'done' ? 1 : this.#run.fraction });
      await this.#afterPack(final, plan);
      if (
        final.phase === 'done' ||
        (final.phase === 'failed' && (final.failure.packState === 'old-firmware' || final.failure.packState === 'new-firmware-unconfirmed'))
      )
        this.watch.clearBootloader();
    } finally {
      this.#allowed = null;
      this.#abort = null;
      if (this.#run) this.#publish({ ...this.#run, finished: true, current: null });
    }
  }

  /** Stop the run: the pack in a cancellable phase keeps its old firmware; packs not started are left alone. */
  cancel(): void {
    if (!this.#abort || this.#abort.signal.aborted) return;
    this.#abort.abort();
    if (this.#run) this.#publish({ ...this.#run, cancelRequested: true });
  }

  /** Forget the finished run (back to choosing). */
  dismissRun(): void {
    if (this.#run && !this.#run.finished) return;
    this.#run = null;
    this.#runError = null;
  }

  #publish(run: FirmwareRun): void {
    this.#run = run;
  }

  /** After each pack: the new version, the write log, and the restore offer. */
  async #afterPack(final: FinalSnapshot, plan: FlashPlan): Promise<void> {
    const address = final.address;
    const known = this.#identity(address);
    const reported = final.phase === 'done' ? final.result.versionString : final.failure.reportedVersion;
    if (reported) {
      const identity: PackIdentity = { ...identityFromReplies({ version: reported }), bmsSerial: known?.bmsSerial ?? null };
      this.#reads = { ...this.#reads, [address]: { versionString: reported, identity, source: 'update' } };
    }
    if (final.phase === 'done') {
      this.#after = [...this.#after.filter((a) => a.address !== address), { address, backup: final.result.backup, state: 'offered', restored: null }];
    }
    await this.#log(final, plan, known).catch(() => undefined);
  }

  /** One write-log row per pack update: the version before, the target, what C1H said after. */
  async #log(final: FinalSnapshot, plan: FlashPlan, identity: PackIdentity | null): Promise<void> {
    // Packs skipped before anything was sent (already current, incompatible) are not writes.
    if (final.phase === 'failed' && final.failure.packState === 'untouched' && final.failure.failedIn !== 'enter') return;
    const storage: AppStorage = await this.#session.database();
    const master = this.#session.packs.find((p) => p.isMaster);
    const bank = bankLabelFor(master?.identity?.bmsSerial ?? null, this.#session.transportInfo?.label ?? '');
    let result: WriteResult;
    let readBack: string | null;
    let message: string;
    let backup: BackupRef | null = null;
    if (final.phase === 'done') {
      result = 'ok';
      readBack = final.result.versionString;
      message = `Firmware ${plan.fileName} (${plan.targetVersion}) sent and confirmed by C1H${plan.override ? '; expert override: not checked against the model' : ''}.`;
      backup = final.result.backup;
    } else {
      const f = final.failure;
      readBack = f.reportedVersion;
      result =
        f.packState === 'unexpected-version'
          ? 'mismatch'
          : f.packState === 'untouched' || f.packState === 'old-firmware'
            ? 'failed'
            : 'not-confirmed';
      message = `${f.message} (pack state: ${f.packState}).`;
    }
    await storage.writeLog.add({
      t_ms: this.#now(),
      device: deviceKeyFor(identity?.bmsSerial ?? null, bank, final.address).key,
      address: final.address,
      what: 'firmware',
      command: 'enterFirmwareUpgrade',
      old: identity?.firmwareVersion ?? null,
      new: plan.targetVersion,
      readBack,
      result,
      message,
      snapshotId: backup ? Number(backup.id) : null
    });
  }

  // ---- after the update ----

  async #restore(address: number, what: 'backup' | 'defaults'): Promise<void> {
    const offer = this.#after.find((a) => a.address === address);
    if (!offer || offer.state === 'restoring-backup' || offer.state === 'restoring-defaults') return;
    const set = (change: Partial<AfterUpdate>) => {
      this.#after = this.#after.map((a) => (a.address === address ? { ...a, ...change } : a));
    };
    const notReady = this.#checkReady(firmwareBus(this.#session));
    if (notReady) {
      set({ restored: { what, outcome: 'not-sent', message: `Nothing was sent: ${notReady}` } });
      return;
    }
    set({ state: what === 'backup' ? 'restoring-backup' : 'restoring-defaults' });
    let restored: ParameterRestore;
    try {
      if (what === 'backup') {
        restored = offer.backup
          ? await this.parameters.restoreBackup(offer.backup, address)
          : { outcome: 'not-sent', message: 'There is no backup of this pack from this update.' };
      } else restored = await this.parameters.restoreDefaults(address);
    } catch (e) {
      restored = { outcome: 'not-sent', message: e instanceof Error ? e.message : String(e) };
    }
    set({ state: 'offered', restored: { ...restored, what } });
  }

  /** Put the parameters backed up before the update back. */
  restoreBackup(address: number): Promise<void> {
    return this.#restore(address, 'backup');
  }

  /** Restore the pack's factory default parameters (A4H), as the vendor manual asks after an update. */
  restoreDefaults(address: number): Promise<void> {
    return this.#restore(address, 'defaults');
  }

  /** Keep the parameters as the new firmware left them. */
  keepParameters(address: number): void {
    this.#after = this.#after.map((a) => (a.address === address ? { ...a, state: 'kept' } : a));
  }
}

/** A fetch that fails as an offline browser's would, so the cached catalog serves at once. */
const offlineFetch: FetchLike = () => Promise.reject(new TypeError('The browser is offline.'));

/** Whether an image fits a pack at all (for marking catalog and cache entries). */
export function imageFits(meta: CachedImageMeta, pack: PackIdentity | null): boolean | null {
  if (!pack || !meta.model) return null;
  return checkCompatibility({ model: meta.model, hardwareCompat: meta.hardware ?? '*', firmwareVersion: meta.version ?? '', builtAt_s: 0 }, pack).ok;
}

/** The version part of a C1H string ("1.10" of "P16S100A-1812-1.10"). */
export function firmwareVersionOf(versionString: string | null): string | null {
  return versionString ? (parsePackVersion(versionString).firmwareVersion ?? null) : null;
}

const features = new WeakMap<DeviceSession, FirmwareFeature>();

/** The session's firmware feature, created on first use and kept for the session's life. */
export function firmwareFeature(session: DeviceSession, options?: FirmwareFeatureOptions): FirmwareFeature {
  let feature = features.get(session);
  if (!feature) {
    feature = new FirmwareFeature(session, options);
    features.set(session, feature);
  }
  return feature;
}

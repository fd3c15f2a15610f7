// The part of the firmware feature that runs app-wide, from the root layout, whatever page is open:
//   - the FlashGuard: while any update holds it, the app holds back its update prompt, warns
//     before the tab closes (beforeunload) and keeps the screen on (a wake lock where the browser
//     has one, taken again when the tab comes back to the front);
//   - the flash journal (localStorage), written by the updater before FF 50;
//   - recognising a pack left in its bootloader on the next connect: when a connect finds no pack
//     (the session's no-answer check), at attach and when a lost link comes back while the journal
//     holds an unfinished update (read that pack, or listen for its bootloader), and passively
//     while nothing answers after an attach.
// Small on purpose: the updater, the catalog and the image parsers load with the firmware page
// (firmware-feature.svelte.ts), not with every page.

import { FlashGuard } from '$lib/firmware/hooks';
import { StorageFlashJournal, MemoryStorage, type FlashJournal, type FlashJournalEntry, type StorageLike } from '$lib/firmware/journal';
import { DEFAULT_LISTEN_MS, PENDING_LISTEN_MS, watchForBootloader } from '$lib/firmware/bootloader-watch';
import { parsePackVersion } from '$lib/firmware/identity';
import { sameFirmwareVersion } from '$lib/firmware/version';
import type { BootloaderSighting } from '$lib/firmware/profile';
import type { BusLease } from '$lib/protocol/client';
import { readSoftwareVersion } from '$lib/protocol/commands/info';
import type { Clock } from '$lib/time/clock';
import type { Transport, TransportStatus, Unsubscribe } from '$lib/transport/types';
import type { DeviceSession, LinkEvent } from './session.svelte';

/** How long to listen, after an attach that found no pack yet, for a bootloader's requests. */
export const ATTACH_LISTEN_MS = 15_000;

/** The client as the firmware feature uses it: PaceClient fits. */
export interface FirmwareBus {
  exclusive<T>(fn: (bus: BusLease) => Promise<T>, opts?: { signal?: AbortSignal }): Promise<T>;
  readonly transport: Transport;
  readonly clock: Clock;
}

/** The session's client, when it offers the exclusive lease and its transport (the app's PaceClient does). */
export function firmwareBus(session: DeviceSession): FirmwareBus | null {
  const client = session.client as unknown as Partial<FirmwareBus> | null;
  if (!client || typeof client.exclusive !== 'function' || !client.transport || !client.clock) return null;
  return client as FirmwareBus;
}

/** A pack found waiting in its bootloader on this link. */
export interface BootloaderFinding {
  readonly sighting: BootloaderSighting;
  /** The unfinished update this browser journalled, when there is one. */
  readonly entry: FlashJournalEntry | null;
  /** When it was found (wall clock, epoch ms). */
  readonly found_ms: number;
}

/** An unfinished update settled on connect because its pack answered. */
export interface JournalSettlement {
  readonly entry: FlashJournalEntry;
  /** 'updated': it runs the target version; 'old-firmware': the one it had; 'other': neither. */
  readonly verdict: 'updated' | 'old-firmware' | 'other';
  readonly versionString: string;
}

/** What the browser offers while flashing. Tests hand in a fake. */
export interface FlashEnvironment {
  /** Listen to beforeunload (the handler asks the browser to confirm leaving). */
  onBeforeUnload(handler: (event: BeforeUnloadEvent) => void): Unsubscribe;
  /** A screen wake lock; null where the browser has none. Rejects when refused. */
  requestWakeLock(): Promise<{ release(): Promise<void> } | null>;
  /** The tab came back to the front (a wake lock is dropped while it is hidden). */
  onVisible(listener: () => void): Unsubscribe;
}

export type WakeLockState = 'off' | 'held' | 'unavailable' | 'refused';

export function browserFlashEnvironment(): FlashEnvironment | null {
  if (typeof window === 'undefined' || typeof document === 'undefined') return null;
  return {
    onBeforeUnload(handler) {
      window.addEventListener('beforeunload', handler);
      return () => window.removeEventListener('beforeunload', handler);
    },
    async requestWakeLock() {
      const wakeLock = (navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> } }).wakeLock;
      return wakeLock ? wakeLock.request('screen') : null;
    },
    onVisible(listener) {
      const onChange = () => {
        if (document.visibilityState === 'visible') listener();
      };
      document.addEventListener('visibilitychange', onChange);
      return () => document.removeEventListener('visibilitychange', onChange);
    }
  };
}

function browserJournalStorage(): StorageLike {
  try {
    if (typeof localStorage !== 'undefined') return localStorage;
  } catch {
    // Storage blocked (privacy settings): the journal then lives as long as the tab.
  }
  return new MemoryStorage();
}

export interface FirmwareWatchOptions {
  journal?: FlashJournal;
  /** Default browserFlashEnvironment(); null: no beforeunload or wake lock (Node tests). */
  environment?: FlashEnvironment | null;
  /** Wall clock (epoch ms). Default Date.now. */
  now_ms?: () => number;
}

export class FirmwareWatch {
  readonly guard = new FlashGuard();
  readonly journal: FlashJournal;

  #flashing = $state(false);
  #labels = $state.raw<string[]>([]);
  #wakeLock = $state<WakeLockState>('off');
  #bootloader = $state.raw<BootloaderFinding | null>(null);
  #listening = $state(false);
  #settled = $state.raw<JournalSettlement[]>([]);

  readonly #session: DeviceSession;
  readonly #environment: FlashEnvironment | null;
  readonly #now: () => number;
  readonly #unsubscribe: Unsubscribe[];
  /** Found by the no-answer check during a connect; published once the session attaches. */
  #foundWhileConnecting: BootloaderFinding | null = null;
  #watchAbort: AbortController | null = null;
  #flashEffects: Unsubscribe | null = null;

  constructor(session: DeviceSession, options: FirmwareWatchOptions = {}) {
    this.#session = session;
    this.journal = options.journal ?? new StorageFlashJournal(browserJournalStorage());
    this.#environment = options.environment === undefined ? browserFlashEnvironment() : options.environment;
    this.#now = options.now_ms ?? Date.now;
    this.#unsubscribe = [
      this.guard.subscribe((active) => this.#onGuard(active)),
      session.whenNoPackAnswers((transport, signal) => this.#checkSilentLink(transport, signal)),
      session.onLink((event) => this.#onLink(event))
    ];
  }

  /** An update is running (held by the updater through the guard). */
  get flashing(): boolean {
    return this.#flashing;
  }

  /** What is being flashed ("pack 3"), for the warning. */
  get flashingLabels(): string[] {
    return this.#labels;
  }

  get wakeLock(): WakeLockState {
    return this.#wakeLock;
  }

  /** A pack waiting in its bootloader on the current link, or null. */
  get bootloader(): BootloaderFinding | null {
    return this.#bootloader;
  }

  /** Listening for a bootloader right now. */
  get listening(): boolean {
    return this.#listening;
  }

  /** Unfinished updates settled on this link because their pack answered. */
  get settled(): readonly JournalSettlement[] {
    return this.#settled;
  }

  /** The recovery ran (or the person dealt with the pack): forget the finding. */
  clearBootloader(): void {
    this.#bootloader = null;
  }

  /**
   * Look for a waiting bootloader now (the page's "Look again" after the forced procedure):
   * takes the bus for `listen_ms`. Resolves with the finding or null.
   */
  async lookForBootloader(listen_ms = DEFAULT_LISTEN_MS): Promise<BootloaderFinding | null> {
    const bus = firmwareBus(this.#session);
    if (!bus) return null;
    const pending = await this.journal.pending();
    return this.#listenInLease(bus, pending, listen_ms);
  }

  dispose(): void {
    for (const u of this.#unsubscribe) u();
    this.#watchAbort?.abort();
    this.#flashEffects?.();
    this.#flashEffects = null;
  }

  // ---- flashing ----

  #onGuard(active: boolean): void {
    this.#flashing = active;
    this.#labels = this.guard.labels;
    if (active && !this.#flashEffects) this.#flashEffects = this.#startFlashEffects();
    else if (!active && this.#flashEffects) {
      this.#flashEffects();
      this.#flashEffects = null;
    }
  }

  #startFlashEffects(): Unsubscribe {
    const env = this.#environment;
    if (!env) {
      this.#wakeLock = 'unavailable';
      return () => (this.#wakeLock = 'off');
    }
    let lock: { release(): Promise<void> } | null = null;
    let stopped = false;
    const acquire = () => {
      if (lock && !('released' in lock && (lock as { released: boolean }).released)) return;
      env.requestWakeLock().then(
        (l) => {
          if (stopped) {
            void l?.release().catch(() => undefined);
            return;
          }
          lock = l;
          this.#wakeLock = l ? 'held' : 'unavailable';
        },
        () => {
          if (!stopped) this.#wakeLock = 'refused';
        }
      );
    };
    acquire();
    const offVisible = env.onVisible(() => {
      // The browser drops a screen wake lock when the tab is hidden; take it again on return.
      lock = null;
      acquire();
    });
    const offUnload = env.onBeforeUnload((event) => {
      event.preventDefault();
      // Older Chromium needs returnValue set to show the "Leave site?" dialog.
      event.returnValue = '';
    });
    return () => {
      stopped = true;
      offVisible();
      offUnload();
      void lock?.release().catch(() => undefined);
      lock = null;
      this.#wakeLock = 'off';
    };
  }

  // ---- recognising a waiting bootloader ----

  async #checkSilentLink(transport: Transport, signal: AbortSignal): Promise<boolean> {
    const pending = await this.journal.pending();
    this.#listening = true;
    try {
      const sighting = await watchForBootloader(transport, this.#session.clock, {
        listen_ms: pending.length > 0 ? PENDING_LISTEN_MS : DEFAULT_LISTEN_MS,
        signal
      });
      if (!sighting) return false;
      this.#foundWhileConnecting = this.#finding(sighting, pending);
      return true;
    } finally {
      this.#listening = false;
    }
  }

  #finding(sighting: BootloaderSighting, pending: readonly FlashJournalEntry[]): BootloaderFinding {
    return { sighting, entry: pending.find((e) => e.profileId === sighting.profileId) ?? null, found_ms: this.#now() };
  }

  #onLink(event: LinkEvent): void {
    switch (event) {
      case 'attached': {
        this.#settled = [];
        const found = this.#foundWhileConnecting;
        this.#foundWhileConnecting = null;
        if (found) this.#bootloader = found;
        else void this.#afterLinkUp('attached');
        return;
      }
      case 'reopened':
        void this.#afterLinkUp('reopened');
        return;
      case 'lost':
        this.#watchAbort?.abort();
        return;
      case 'detached':
        this.#watchAbort?.abort();
        this.#bootloader = null;
        this.#foundWhileConnecting = null;
        return;
    }
  }

  /**
   * A link came up. With an unfinished update in the journal: read that pack (settling the entry
   * when it answers) or listen for its bootloader, holding the bus so the poller's requests do
   * not keep a bootloader that lost its host busy. Without one: listen in the background, without
   * the bus, until a pack answers.
   */
  async #afterLinkUp(why: 'attached' | 'reopened'): Promise<void> {
    const bus = firmwareBus(this.#session);
    if (!bus || this.guard.active) return;
    this.#watchAbort?.abort();
    const abort = new AbortController();
    this.#watchAbort = abort;
    const pending = await this.journal.pending();
    try {
      if (pending.length > 0) {
        if (await this.#settle(bus, pending, abort.signal)) return;
        await this.#listenInLease(bus, pending, PENDING_LISTEN_MS, abort.signal);
      } else if (why === 'attached') {
        await this.#listenPassively(bus, abort.signal);
      }
    } finally {
      if (this.#watchAbort === abort) this.#watchAbort = null;
    }
  }

  /** Read C1H of each journalled pack; true when all of them answered (no bootloader to look for). */
  async #settle(bus: FirmwareBus, pending: readonly FlashJournalEntry[], signal: AbortSignal): Promise<boolean> {
    let allAnswered = true;
    const settled: JournalSettlement[] = [];
    try {
      await bus.exclusive(
        async (lease) => {
          for (const entry of pending) {
            const r = await lease.exchange(readSoftwareVersion, entry.address, {}, { signal, retries: 1 });
            if (!r.ok) {
              allAnswered = false;
              continue;
            }
            const version = parsePackVersion(r.value.version).firmwareVersion;
            const verdict = sameFirmwareVersion(version, entry.targetVersion)
              ? 'updated'
              : sameFirmwareVersion(version, entry.fromVersion)
                ? 'old-firmware'
                : 'other';
            // A pack on either version is fine: the entry is closed. Another version stays for the person.
            if (verdict !== 'other') await this.journal.finish(entry.id);
            settled.push({ entry, verdict, versionString: r.value.version.trim() });
          }
        },
        { signal }
      );
    } catch {
      return false;
    }
    if (settled.length > 0) this.#settled = settled;
    return allAnswered;
  }

  async #listenInLease(
    bus: FirmwareBus,
    pending: readonly FlashJournalEntry[],
    listen_ms: number,
    signal?: AbortSignal
  ): Promise<BootloaderFinding | null> {
    this.#listening = true;
    try {
      const sighting = await bus.exclusive((lease) => watchForBootloader(lease, bus.clock, { listen_ms, signal }), { signal });
      if (!sighting) return null;
      const finding = this.#finding(sighting, pending);
      this.#bootloader = finding;
      return finding;
    } catch {
      return null;
    } finally {
      this.#listening = false;
    }
  }

  async #listenPassively(bus: FirmwareBus, signal: AbortSignal): Promise<void> {
    // The first pack update means packs answer: no bootloader holds this line.
    const stop = new AbortController();
    const offUpdate = this.#session.onUpdate((u) => {
      if (u.analog || u.status) stop.abort();
    });
    const offStatus = bus.transport.onStatus((s: TransportStatus) => {
      if (s.state !== 'open') stop.abort();
    });
    try {
      const sighting = await watchForBootloader(bus.transport, bus.clock, {
        listen_ms: ATTACH_LISTEN_MS,
        signal: AbortSignal.any([signal, stop.signal])
      });
      if (sighting) this.#bootloader = this.#finding(sighting, []);
    } finally {
      offUpdate();
      offStatus();
    }
  }
}

const watches = new WeakMap<DeviceSession, FirmwareWatch>();

/** The session's firmware watch (created by the root layout, so it runs on every page). */
export function firmwareWatch(session: DeviceSession, options?: FirmwareWatchOptions): FirmwareWatch {
  let watch = watches.get(session);
  if (!watch) {
    watch = new FirmwareWatch(session, options);
    watches.set(session, watch);
  }
  return watch;
}

// What the session needs from the layers below, as narrow structural types. The real PaceClient,
// BankPoller and transports satisfy them; the session's tests drive it with the real client and
// poller over the simulator, and the factory seam is where a browser picks serial, BLE or demo.

import type { BankTopology, PackHealth, PackUpdate, PollCycle } from '$lib/protocol/bank-types';
import type { ClientStats } from '$lib/protocol/client';
import type { PackIdentityReport, PollerStatus } from '$lib/protocol/poller';
import type { DecodeOptions, ProtocolProfile } from '$lib/protocol/types';
import type { WriteGuard } from '$lib/protocol/write-guard';
import type { Clock } from '$lib/time/clock';
import type { Transport, TransportKind, Unsubscribe } from '$lib/transport/types';
import type { DemoScenario } from './demo-scenarios';
import type { LastDevice } from './last-device';

export interface ClientPort {
  readonly stats: Readonly<ClientStats>;
  decodeOptions: DecodeOptions;
  /** The session's write authority judges every request that could change a pack. */
  setWriteGuard(guard: WriteGuard | null): void;
  dispose(): void;
}

export interface PollerPort {
  start(): void;
  stop(): Promise<void>;
  refresh(): void;
  onUpdate(listener: (update: PackUpdate) => void): Unsubscribe;
  onTopology(listener: (topology: BankTopology) => void): Unsubscribe;
  onHealth(listener: (health: PackHealth) => void): Unsubscribe;
  onCycle(listener: (cycle: PollCycle) => void): Unsubscribe;
  onIdentity(listener: (identity: PackIdentityReport) => void): Unsubscribe;
  onStatus(listener: (status: PollerStatus) => void): Unsubscribe;
}

/** What the user picked on the connect page, resolved against the settings. */
export interface LinkChoice {
  kind: TransportKind;
  /** Serial baud for this attempt (BLE and demo ignore it). */
  baud: number;
  /** Packs in the demo bank. */
  demoPacks: number;
  /** What the demo bank is doing (demo-scenarios.ts). */
  demoScenario: DemoScenario;
}

/** One way of talking to the bank, found by detection or chosen by hand. */
export interface LinkProfile {
  profile: ProtocolProfile;
  ver: number;
  cid1: number;
  /** Address of the pack on the cable in this family's usual numbering (PACE 1, Pylontech 2). */
  masterAddress: number;
  /** How per-pack requests are addressed (PACE relays through the master; VER 20 packs are asked directly). */
  addressing: 'relay' | 'direct';
}

export interface AttachOptions extends LinkProfile {
  clock: Clock;
  decodeOptions: DecodeOptions;
}

export interface Link<C extends ClientPort = ClientPort, P extends PollerPort = PollerPort> {
  client: C;
  poller: P;
}

/**
 * Builds transports, clients and pollers. The browser default lives in browser-links.ts; tests
 * pass their own. Transports come back unopened; the session opens and closes them.
 */
export interface LinkFactory<C extends ClientPort = ClientPort, P extends PollerPort = PollerPort> {
  /** Show the browser's device picker (needs a user gesture). Throws TransportError. */
  request(choice: LinkChoice): Promise<Transport>;
  /** A device granted earlier that matches `last`, without a picker; null when none. */
  remembered(last: LastDevice, choice: LinkChoice): Promise<Transport | null>;
  /** Change the serial baud (re-opens an open port). A no-op for links without a baud of their own. */
  setBaud(transport: Transport, baud: number): Promise<void>;
  /**
   * Ask the bank on `transport` (open) whether it answers with this profile; resolves true when it
   * does. `retries`: extra attempts (default 1, for the first request after a port opens).
   */
  probe(transport: Transport, profile: LinkProfile, options: { clock: Clock; signal: AbortSignal; retries?: number }): Promise<boolean>;
  /** A client and poller on an open transport. */
  attach(transport: Transport, options: AttachOptions): Link<C, P>;
}

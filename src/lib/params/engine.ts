// The parameter engine as the session wires it: one write path, installer mode, the vendor
// extension state for the link, and the client write guard built from all three, so the session
// only hands in the client, the stores and the clock, and installs `guard` on the client.

import type { Clock } from '../time/clock';
import type { BusOwner } from './bus';
import { Extensions, type ExtensionLink, type ExtensionProfile } from './extension-profile';
import { createWriteGuard, type WriteGuard } from './guard';
import { InstallerMode, type PinStore } from './installer';
import type { SnapshotStore, WriteLog } from './stores';
import { WritePath } from './write-path';

export interface ParamEngineOptions {
  /** The client (its exclusive lease). */
  bus: BusOwner;
  snapshots: SnapshotStore;
  log: WriteLog;
  pins: PinStore;
  /** For the idle lock. */
  clock: Clock;
  /** Snapshot and log times (epoch ms). Default Date.now. */
  wallClock?: () => number;
  /** The demo bank or a real pack. */
  link: ExtensionLink;
  extensionProfile?: ExtensionProfile | null;
  /** The diagnose session: nothing is ever written. */
  readOnly?: boolean;
}

export class ParamEngine {
  readonly installer: InstallerMode;
  readonly path: WritePath;
  /** Install on the client: client.setWriteGuard(engine.guard). */
  readonly guard: WriteGuard;
  readonly readOnly: boolean;
  #extensions: Extensions;

  constructor(o: ParamEngineOptions) {
    this.readOnly = o.readOnly ?? false;
    this.installer = new InstallerMode({ store: o.pins, clock: o.clock });
    this.#extensions = new Extensions(o.link, o.extensionProfile ?? null);
    this.path = new WritePath({
      bus: o.bus,
      snapshots: o.snapshots,
      log: o.log,
      wallClock: o.wallClock,
      permit: () => (this.readOnly ? 'this session only reads; it never writes to a pack.' : this.installer.permit())
    });
    this.guard = createWriteGuard({
      readOnly: this.readOnly,
      installer: this.installer,
      writePath: this.path,
      // Through a getter, so a profile imported later takes effect without a new guard.
      extensions: { allows: (cmd) => this.#extensions.allows(cmd) }
    });
  }

  get extensions(): Extensions {
    return this.#extensions;
  }

  /** A validated extension profile (or null to drop it): rebuilds what is enabled on this link. */
  setExtensionProfile(profile: ExtensionProfile | null): void {
    this.#extensions = new Extensions(this.#extensions.link, profile);
  }
}

// The parameter engine as the session wires it: one write path over whichever client is attached,
// the session's installer mode asked before anything is read or sent, and the vendor extensions of
// the link. The session installs the guard on the client (its WriteAuthority) and hands in a grant
// registered with it; this engine sends only inside that grant, and narrows it for vendor
// extensions to the ones enabled on this link (demo bank or extension profile), so even a bug in
// a page cannot put a disabled extension on the wire.

import { EXTENSION_IDS, type ExtensionId } from '../protocol/commands/extensions';
import type { WriteAttempt } from '../protocol/write-guard';
import type { BusOwner } from './bus';
import { Extensions, type ExtensionLink, type ExtensionProfile } from './extension-profile';
import type { SnapshotStore, WriteLog } from './stores';
import { OPEN_GRANT, WritePath, type WriteGrant } from './write-path';

/** What the engine asks before anything is read or sent (InstallerMode satisfies it). */
export interface WritePermit {
  /** Null when writing is allowed (and counts as activity); else why not, in words. */
  permit(): string | null;
}

export interface ParamEngineOptions {
  /** The client (its exclusive lease); the session passes one that follows the attached link. */
  bus: BusOwner;
  snapshots: SnapshotStore;
  log: WriteLog;
  /** The session's installer mode. */
  installer: WritePermit;
  /** The grant the session registered with its write authority. Default OPEN_GRANT (no guard). */
  grant?: WriteGrant;
  /** Why nothing may be written now (the diagnose session), else null. Asked before every operation. */
  readOnly?: () => string | null;
  /** Snapshot and log times (epoch ms). Default Date.now. */
  wallClock?: () => number;
  /** The demo bank or a real pack. Default 'real' (extensions off until a profile enables them). */
  link?: ExtensionLink;
  extensionProfile?: ExtensionProfile | null;
}

function extensionIds(attempt: WriteAttempt): ExtensionId[] {
  return attempt.commands.filter((id): id is ExtensionId => (EXTENSION_IDS as readonly string[]).includes(id));
}

export class ParamEngine {
  readonly path: WritePath;
  #extensions: Extensions;

  constructor(o: ParamEngineOptions) {
    this.#extensions = new Extensions(o.link ?? 'real', o.extensionProfile ?? null);
    const grant = o.grant ?? OPEN_GRANT;
    this.path = new WritePath({
      bus: o.bus,
      snapshots: o.snapshots,
      log: o.log,
      wallClock: o.wallClock,
      grant: {
        during: (match, fn) => grant.during((a) => match(a) && this.#extensionAllowed(a), fn)
      },
      permit: () => o.readOnly?.() ?? o.installer.permit()
    });
  }

  get extensions(): Extensions {
    return this.#extensions;
  }

  /** A new link (demo bank or real pack): what is enabled follows it; the profile stays. */
  setLink(link: ExtensionLink): void {
    if (link !== this.#extensions.link) this.#extensions = new Extensions(link, this.#extensions.profile);
  }

  /** A validated extension profile (or null to drop it): rebuilds what is enabled on this link. */
  setExtensionProfile(profile: ExtensionProfile | null): void {
    this.#extensions = new Extensions(this.#extensions.link, profile);
  }

  /** A request naming a vendor extension passes only while that extension is enabled, with its code. */
  #extensionAllowed(attempt: WriteAttempt): boolean {
    for (const id of extensionIds(attempt)) {
      if (attempt.cid2 === null || this.#extensions.allows({ id, cid2: attempt.cid2, extension: true }) !== null) return false;
    }
    return true;
  }
}

// The one authority over writes to a pack. The session installs `guard` on every client it
// attaches, so the rule is enforced where the bytes leave, not by hiding buttons:
//   - a read-only session (the diagnose page) sends no write at all;
//   - otherwise a write needs installer mode unlocked, AND
//   - it must be sent by one of the app's checked paths while that path holds a grant for exactly
//     this request: the parameter write path (validate → snapshot → write → read back → log), the
//     firmware updater (backup → FF 50 → transfer → verify), the history clear (stored and
//     exported first), the debug console (confirmed, logged). A page that calls the client
//     directly gets a refusal with the reason, and nothing goes out.
// Each path registers an authorizer once; a grant is scoped to the work that needs it.

import type { WriteAttempt, WriteGuard } from '$lib/protocol/write-guard';
import type { Unsubscribe } from '$lib/transport/types';

export type { WriteAttempt, WriteGuard } from '$lib/protocol/write-guard';

/** A checked path that may send writes while it holds a grant. */
export interface WriteAuthorizer {
  /** In words, for logs: "the parameter write path". */
  readonly name: string;
  /** True while this path is sending exactly this request. */
  authorizes(attempt: WriteAttempt): boolean;
}

/** What installer mode offers the authority (params/installer.ts InstallerMode satisfies it). */
export interface InstallerGate {
  isUnlocked(): boolean;
  /** Activity: postpones the idle lock. */
  touch(): void;
}

export class WriteAuthority {
  readonly #installer: InstallerGate;
  readonly #authorizers = new Set<WriteAuthorizer>();
  readonly #readOnly: string[] = [];

  constructor(installer: InstallerGate) {
    this.#installer = installer;
  }

  /** A path that may write (registered once, for the life of the app or of its page). */
  register(authorizer: WriteAuthorizer): Unsubscribe {
    this.#authorizers.add(authorizer);
    return () => this.#authorizers.delete(authorizer);
  }

  /**
   * Refuse every write until the returned function is called (nests: the session stays read-only
   * while any holder remains). `why` is shown in the refusal: "the diagnose page only reads".
   */
  enterReadOnly(why: string): () => void {
    const token = why;
    this.#readOnly.push(token);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const i = this.#readOnly.lastIndexOf(token);
      if (i >= 0) this.#readOnly.splice(i, 1);
    };
  }

  get readOnly(): boolean {
    return this.#readOnly.length > 0;
  }

  /** Install on the client: `client.setWriteGuard(authority.guard)`. Null allows; a string refuses. */
  readonly guard: WriteGuard = (attempt) => {
    if (this.#readOnly.length > 0) {
      return `${attempt.what} would change the pack, and this session only reads (${this.#readOnly[this.#readOnly.length - 1]}).`;
    }
    if (!this.#installer.isUnlocked()) return `${attempt.what} changes the pack: unlock installer mode first.`;
    for (const a of this.#authorizers) {
      if (a.authorizes(attempt)) {
        this.#installer.touch();
        return null;
      }
    }
    return (
      `${attempt.what} changes the pack, and only the app's checked paths may send that ` +
      '(parameter write path, firmware update, history clear, debug console); none of them is sending it.'
    );
  };
}

/**
 * A grant for the duration of some work: `grant.during(match, fn)` authorizes the requests that
 * `match` accepts while `fn` runs, and nothing before or after. One piece of work at a time.
 */
export class ScopedGrant implements WriteAuthorizer {
  readonly name: string;
  #match: ((attempt: WriteAttempt) => boolean) | null = null;

  constructor(name: string) {
    this.name = name;
  }

  async during<T>(match: (attempt: WriteAttempt) => boolean, fn: () => Promise<T>): Promise<T> {
    if (this.#match) throw new Error(`${this.name} is already sending; one piece of work at a time.`);
    this.#match = match;
    try {
      return await fn();
    } finally {
      this.#match = null;
    }
  }

  authorizes(attempt: WriteAttempt): boolean {
    return this.#match?.(attempt) ?? false;
  }
}

/** A matcher for one typed command to one address: the usual scope of a grant. */
export function commandTo(commandId: string, adr: number): (attempt: WriteAttempt) => boolean {
  return (a) => a.via === 'command' && a.adr === adr && a.commands.includes(commandId);
}

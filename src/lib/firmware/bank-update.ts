// Several packs of a bank, one after another: each is read first and skipped when it already runs
// the target version (or cannot take the image), then updated with updatePack(). Each pack takes
// the bus lease for its own update, so the bank is polled in between and the page shows each
// updated pack's fresh values. A failure stops the rest unless told otherwise: whatever broke one
// pack (the cable, the image) is likely to break the next.

import { readSoftwareVersion } from '../protocol/commands/info';
import { checkCompatibility, identityFromReplies } from './identity';
import { updatePack, type FinalSnapshot, type UpdatePackOptions } from './updater';
import type { UpdateSnapshot } from './update-state';
import { sameFirmwareVersion } from './version';

export type PackOutcome =
  | 'updated'
  /** Already on the target version: nothing sent. */
  | 'already-current'
  /** The image does not fit this pack (another model or board): nothing sent. */
  | 'incompatible'
  /** The pack did not answer C1H: nothing sent. */
  | 'unreachable'
  | 'failed'
  /** Not tried: an earlier pack failed or the run was cancelled. */
  | 'not-started';

export interface PackUpdateResult {
  readonly address: number;
  readonly outcome: PackOutcome;
  /** Version before, when read. */
  readonly fromVersion: string | null;
  /** Version after (C1H), when known. */
  readonly version: string | null;
  /** Why it was skipped or failed, in English (the page words the outcome). */
  readonly message: string | null;
  /** The pack's final update snapshot, when an update ran. */
  readonly final: FinalSnapshot | null;
}

export type PackRowStatus = 'waiting' | 'checking' | 'running' | PackOutcome;

export interface PackRow {
  readonly address: number;
  readonly status: PackRowStatus;
  /** The running update's latest snapshot. */
  readonly snapshot: UpdateSnapshot | null;
  readonly result: PackUpdateResult | null;
}

export interface BankUpdateSnapshot {
  readonly rows: readonly PackRow[];
  /** Address being worked on, or null. */
  readonly current: number | null;
  /** 0..1 over the packs that need an update. */
  readonly fraction: number;
  readonly finished: boolean;
}

export interface BankUpdateOptions extends Omit<UpdatePackOptions, 'address' | 'onSnapshot' | 'resume'> {
  /** Packs to update, in order. */
  addresses: readonly number[];
  /** Go on with the next pack after a failure. Default false. */
  continueAfterFailure?: boolean;
  onSnapshot?: (snapshot: BankUpdateSnapshot) => void;
}

export interface BankUpdateResult {
  readonly packs: readonly PackUpdateResult[];
}

/** Update the chosen packs one after another. Never throws for a pack's sake. */
export async function updateBank(options: BankUpdateOptions): Promise<BankUpdateResult> {
  const { addresses, continueAfterFailure = false, onSnapshot, ...perPack } = options;
  if (new Set(addresses).size !== addresses.length) throw new RangeError(`each pack once: ${addresses.join(', ')}`);
  const rows: PackRow[] = addresses.map((address) => ({ address, status: 'waiting', snapshot: null, result: null }));
  const results: PackUpdateResult[] = [];
  let current: number | null = null;
  let stop = false;

  const publish = () => {
    const finishedRows = rows.filter((r) => r.result !== null).length;
    const running = rows.find((r) => r.status === 'running')?.snapshot;
    const share = running ? running.progress.fraction : 0;
    onSnapshot?.({
      rows: rows.slice(),
      current,
      fraction: rows.length === 0 ? 1 : Math.min(1, (finishedRows + share) / rows.length),
      finished: results.length === rows.length
    });
  };
  const setRow = (i: number, change: Partial<PackRow>) => {
    rows[i] = { ...rows[i], ...change };
    publish();
  };
  const finish = (i: number, result: PackUpdateResult) => {
    results.push(result);
    setRow(i, { status: result.outcome, result });
  };

  // Held for the whole run, not pack by pack: between two packs is no time for the app to reload.
  const release = options.guard?.hold(`packs ${addresses.join(', ')}`);
  try {
    await eachPack();
  } finally {
    release?.();
  }
  current = null;
  publish();
  return { packs: results };

  async function eachPack(): Promise<void> {
    publish();
    for (const [i, address] of addresses.entries()) {
      if (stop || options.signal?.aborted) {
        finish(i, {
          address,
          outcome: 'not-started',
          fromVersion: null,
          version: null,
          message: stop ? 'An earlier pack failed.' : 'Cancelled.',
          final: null
        });
        continue;
      }
      current = address;
      setRow(i, { status: 'checking' });
      const before = await options.bus
        .exclusive((bus) => bus.exchange(readSoftwareVersion, address, {}, { signal: options.signal }), { signal: options.signal })
        .catch(() => null);
      if (!before || !before.ok) {
        const why = before && !before.ok ? before.error.message : 'The bus was not available.';
        finish(i, {
          address,
          outcome: options.signal?.aborted ? 'not-started' : 'unreachable',
          fromVersion: null,
          version: null,
          message: why,
          final: null
        });
        continue;
      }
      const identity = identityFromReplies(before.value);
      if (sameFirmwareVersion(identity.firmwareVersion, options.plan.targetVersion)) {
        const version = identity.firmwareVersion ?? null;
        finish(i, { address, outcome: 'already-current', fromVersion: version, version, message: null, final: null });
        continue;
      }
      const fit = checkCompatibility(options.plan.image, identity);
      if (!fit.ok) {
        finish(i, {
          address,
          outcome: 'incompatible',
          fromVersion: identity.firmwareVersion ?? null,
          version: identity.firmwareVersion ?? null,
          message: fit.error.message,
          final: null
        });
        continue;
      }
      setRow(i, { status: 'running' });
      const final = await updatePack({ ...perPack, address, onSnapshot: (s) => setRow(i, { snapshot: s }) });
      if (final.phase === 'done') {
        finish(i, { address, outcome: 'updated', fromVersion: final.result.fromVersion, version: final.result.version, message: null, final });
      } else {
        const f = final.failure;
        const notTouched = f.packState === 'untouched' && (f.reason === 'cancelled' || f.reason === 'link-lost');
        finish(i, {
          address,
          outcome: notTouched ? 'not-started' : 'failed',
          fromVersion: identity.firmwareVersion ?? null,
          version: f.reportedVersion ? (identityFromReplies({ version: f.reportedVersion }).firmwareVersion ?? null) : null,
          message: f.message,
          final
        });
        if (!continueAfterFailure || f.reason === 'cancelled' || f.reason === 'link-lost') stop = true;
      }
    }
  }
}

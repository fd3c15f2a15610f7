// Which stored device each pack of the connected bank is, by storage's device-key rule
// (storage/devices.ts): the BMS serial when the pack reports a usable one that no other pack of
// the bank shares, else its position in the bank ("addr:<bank label>#<address>"). The serials come
// from the poller's identity read, one pack per poll cycle, so a 16-pack bank is known completely
// only after some 16 cycles: until a pack's key is known its readings wait (the recorder holds
// them), so nothing is filed under a guess.
//
// The bank label (for position keys) is the master's serial when it has a usable one, else the
// transport's label. A serial that turns out to be shared (cloned boards) moves both packs to
// position keys from then on; what was filed before stays under the serial (the UI says so).

import { bankLabelFor, deviceKeyFor, isUsableSerial, type DeviceKey } from '$lib/storage';

export interface IdentityFacts {
  address: number;
  bmsSerial: string | null;
}

export interface KeyChange {
  address: number;
  key: DeviceKey;
  /** The key this pack had before (a duplicate serial found later), or null for its first key. */
  previous: DeviceKey | null;
}

export class BankKeys {
  readonly #transportLabel: string;
  #bank: string | null = null;
  readonly #serials = new Map<number, string | null>();
  readonly #keys = new Map<number, DeviceKey>();
  /** Packs keyed by position because their identity never came (forceAddressKey). */
  readonly #forced = new Set<number>();

  constructor(transportLabel: string) {
    this.#transportLabel = transportLabel;
  }

  /** The bank label once known (master identity read, or settled without it). */
  get bank(): string | null {
    return this.#bank;
  }

  keyOf(address: number): DeviceKey | null {
    return this.#keys.get(address) ?? null;
  }

  /** Every known key, by address. */
  get keys(): ReadonlyMap<number, DeviceKey> {
    return this.#keys;
  }

  /** The serial the identity read found (null: the pack did not say), undefined when not read yet. */
  serialOf(address: number): string | null | undefined {
    return this.#serials.get(address);
  }

  /**
   * An identity report arrived. `masterAddress`: the bank's master (its serial names the bank).
   * Returns the keys that were decided or changed by it.
   */
  identity(report: IdentityFacts, masterAddress: number | null): KeyChange[] {
    const serial = report.bmsSerial?.trim() || null;
    this.#serials.set(report.address, serial);
    this.#forced.delete(report.address);
    if (this.#bank === null && report.address === masterAddress) this.#bank = bankLabelFor(serial, this.#transportLabel);
    return this.#resolve();
  }

  /** Settle the bank label without the master's serial (its identity did not come in time). */
  settleBank(): KeyChange[] {
    if (this.#bank === null) this.#bank = bankLabelFor(null, this.#transportLabel);
    return this.#resolve();
  }

  /** A pack whose identity did not come in time: key it by position (changes to its serial if the identity comes later). */
  forceAddressKey(address: number): KeyChange[] {
    if (this.#serials.has(address)) return [];
    this.#forced.add(address);
    return this.settleBank();
  }

  #resolve(): KeyChange[] {
    const bank = this.#bank;
    if (bank === null) return [];
    const count = new Map<string, number>();
    for (const s of this.#serials.values()) if (s && isUsableSerial(s)) count.set(s, (count.get(s) ?? 0) + 1);
    const changes: KeyChange[] = [];
    const decide = (address: number, next: DeviceKey) => {
      const prev = this.#keys.get(address) ?? null;
      if (prev && prev.key === next.key && prev.reason === next.reason) return;
      this.#keys.set(address, next);
      changes.push({ address, key: next, previous: prev });
    };
    for (const [address, serial] of this.#serials) {
      const k = deviceKeyFor(serial, bank, address);
      if (k.kind === 'serial' && (count.get(serial!) ?? 0) > 1)
        decide(address, { key: deviceKeyFor(null, bank, address).key, kind: 'address', reason: 'duplicate-serial' });
      else decide(address, k);
    }
    for (const address of this.#forced) decide(address, deviceKeyFor(null, bank, address));
    return changes;
  }
}

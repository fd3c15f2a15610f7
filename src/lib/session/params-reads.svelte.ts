// What the parameter pages know of each pack's parameters: the values as last read (and when),
// why a read failed, what is running on a pack right now, and reading the whole bank as one
// operation with its progress. Reads hold the client's exclusive lease, so polling pauses for
// them. A pack that did not answer keeps the values read before (shown with their time), never
// an empty read.

import { PARAM_GROUPS, readBankParams, readPackParams, type BankParamRead, type BusOwner, type PackParamRead, type ReadProgress } from '$lib/params';
import type { Clock } from '$lib/time/clock';
import type { ClientPort } from './ports';

/** The values of one pack as last read, and when. */
export interface PackParams {
  read: PackParamRead;
  /** Wall-clock time the read finished (epoch ms). */
  read_ms: number;
}

/** Reading every pack: progress while it runs, the result after. */
export interface BankReadState {
  running: boolean;
  done: number;
  total: number;
  /** The pack being read. */
  address: number | null;
  result: BankParamRead | null;
}

export type PackActivity = 'reading' | 'writing' | 'controls' | 'calibrating' | null;

/** The attached client when it can lend its bus (PaceClient can), else null. */
export function busOf(client: ClientPort | null): (ClientPort & BusOwner) | null {
  return client && typeof (client as Partial<BusOwner>).exclusive === 'function' ? (client as ClientPort & BusOwner) : null;
}

export interface ParamReadsOptions {
  client: () => ClientPort | null;
  clock: Clock;
  /** Read times (epoch ms). */
  wallClock: () => number;
}

export class ParamReads {
  readonly #o: ParamReadsOptions;
  #reads = $state.raw<Record<number, PackParams>>({});
  #errors = $state.raw<Record<number, string>>({});
  #activity = $state.raw<Record<number, PackActivity>>({});
  #bank = $state.raw<BankReadState>({ running: false, done: 0, total: 0, address: null, result: null });
  #bankAbort: AbortController | null = null;

  constructor(o: ParamReadsOptions) {
    this.#o = o;
  }

  params(address: number): PackParams | null {
    return this.#reads[address] ?? null;
  }

  error(address: number): string | null {
    return this.#errors[address] ?? null;
  }

  activity(address: number): PackActivity {
    return this.#activity[address] ?? null;
  }

  setActivity(address: number, a: PackActivity): void {
    this.#activity = { ...this.#activity, [address]: a };
  }

  get bank(): BankReadState {
    return this.#bank;
  }

  /** Read every group of one pack. */
  async readPack(address: number): Promise<PackParams | null> {
    const client = busOf(this.#o.client());
    if (!client) {
      this.#setError(address, 'No bank is connected.');
      return null;
    }
    this.setActivity(address, 'reading');
    try {
      const read = await client.exclusive((bus) => readPackParams(bus, address, { clock: this.#o.clock }), { priority: 'interactive' });
      if (!read.reachable) {
        this.#setError(address, read.problem ?? 'The pack did not answer.');
        return null;
      }
      return this.#store(read);
    } catch (e) {
      this.#setError(address, `The parameters could not be read: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    } finally {
      this.setActivity(address, null);
    }
  }

  /** Every group of every pack as one operation; cancel() stops it, keeping what was read. */
  async readAll(addresses: readonly number[]): Promise<BankParamRead | null> {
    if (this.#bank.running) return null;
    const client = busOf(this.#o.client());
    if (!client) return null;
    const abort = new AbortController();
    this.#bankAbort = abort;
    // The reader's own count (an identity read plus every group, per pack), so the bar is right before the first answer.
    this.#bank = { running: true, done: 0, total: addresses.length * (PARAM_GROUPS.length + 1), address: addresses[0] ?? null, result: null };
    try {
      const result = await readBankParams(client, addresses, {
        signal: abort.signal,
        clock: this.#o.clock,
        onProgress: (p: ReadProgress) => (this.#bank = { ...this.#bank, done: p.done, total: p.total, address: p.address })
      });
      for (const p of result.packs) {
        if (p.reachable && Object.keys(p.values).length > 0) this.#store(p);
        else if (p.problem) this.#setError(p.address, p.problem);
      }
      this.#bank = { running: false, done: this.#bank.done, total: this.#bank.total, address: null, result };
      return result;
    } catch (e) {
      this.#bank = { running: false, done: 0, total: 0, address: null, result: null };
      throw e;
    } finally {
      if (this.#bankAbort === abort) this.#bankAbort = null;
    }
  }

  cancelReadAll(): void {
    this.#bankAbort?.abort(new DOMException('Cancelled', 'AbortError'));
  }

  #store(read: PackParamRead): PackParams {
    const p: PackParams = { read, read_ms: this.#o.wallClock() };
    this.#reads = { ...this.#reads, [read.address]: p };
    const { [read.address]: _cleared, ...rest } = this.#errors;
    this.#errors = rest;
    return p;
  }

  #setError(address: number, message: string): void {
    this.#errors = { ...this.#errors, [address]: message };
  }
}

// The two UNCERTAIN status readings of reference §17 stay settings (DecodeOptions.balanceByteOrder,
// DecodeOptions.controlPolarity), and each reply can also vote for one reading:
//
// - Control status bits 1/2 (§6.6): the V3.1 document says 1 = "CFET/DFET function enabled";
//   nkinnan saw the bit set while the MOSFET was forced off. The indication byte (§6.5) says
//   whether the MOSFET conducts. A conducting MOSFET with the bit set cannot be "forced off"; a
//   conducting MOSFET with the bit clear cannot have its function "disabled". A MOSFET that is off
//   says nothing (a protection may have opened it).
// - Balance status bytes (§6.8): passive balancing bleeds the highest cells. The reading whose
//   balancing cells are all above the pack's mean cell voltage, when the other's are not, wins; a
//   reading that names a cell the pack does not have loses.
//
// Votes are tallied per connection (EvidenceTally); the session can show "detected" next to the
// setting, or switch it, once a tally is decided. Pure: no state beyond the tally object.

import type { DecodeOptions } from './types';
import { balancingCellsOf } from './commands/telemetry-values';

export type ControlPolarity = DecodeOptions['controlPolarity'];
export type BalanceByteOrder = DecodeOptions['balanceByteOrder'];

export interface Vote<T> {
  value: T;
  /** Why, for the debug page and a support report. */
  reason: string;
}

const INDICATION_BIT = { charge: 1, discharge: 2 } as const;
const CONTROL_BIT = { charge: 1, discharge: 2 } as const;

/**
 * What one 44H block's control and indication bytes say about the polarity of control bits 1/2.
 * Null when neither MOSFET conducts, or when the two bits disagree with each other.
 */
export function controlPolarityVote(control: number, indication: number): Vote<ControlPolarity> | null {
  const votes: Vote<ControlPolarity>[] = [];
  for (const mos of ['charge', 'discharge'] as const) {
    if ((indication & (1 << INDICATION_BIT[mos])) === 0) continue;
    const set = (control & (1 << CONTROL_BIT[mos])) !== 0;
    votes.push(
      set
        ? { value: 'doc', reason: `${mos} MOSFET conducts with control bit ${CONTROL_BIT[mos]} set: the bit cannot mean "forced off"` }
        : { value: 'forced-off', reason: `${mos} MOSFET conducts with control bit ${CONTROL_BIT[mos]} clear: the bit cannot mean "function enabled"` }
    );
  }
  if (votes.length === 0) return null;
  if (votes.some((v) => v.value !== votes[0].value)) return null;
  return { value: votes[0].value, reason: votes.map((v) => v.reason).join('; ') };
}

/**
 * What one pair of balance bytes, read beside the same pack's cell voltages (42H), says about their
 * byte order. Null when no cell balances, both readings name the same cells, or neither stands out.
 */
export function balanceOrderVote(cells_mV: readonly number[], balance1: number, balance2: number): Vote<BalanceByteOrder> | null {
  if ((balance1 | balance2) === 0 || cells_mV.length === 0) return null;
  const doc = balancingCellsOf(balance1, balance2, 'doc');
  const u16 = balancingCellsOf(balance1, balance2, 'u16');
  const key = (c: number[]) => c.join(',');
  if (key(doc) === key(u16)) return null;
  const n = cells_mV.length;
  const fits = (cells: number[]) => cells.every((c) => c <= n);
  if (fits(doc) !== fits(u16)) {
    const value: BalanceByteOrder = fits(doc) ? 'doc' : 'u16';
    const other = value === 'doc' ? u16 : doc;
    return { value, reason: `the other byte order names cell ${Math.max(...other)} on a ${n}-cell pack` };
  }
  if (!fits(doc)) return null;
  const mean = cells_mV.reduce((a, b) => a + b, 0) / n;
  const high = (cells: number[]) => cells.every((c) => cells_mV[c - 1] > mean);
  if (high(doc) === high(u16)) return null;
  const value: BalanceByteOrder = high(doc) ? 'doc' : 'u16';
  const cells = value === 'doc' ? doc : u16;
  return { value, reason: `cells ${cells.join(', ')} balance and are above the pack's mean ${Math.round(mean)} mV only in this byte order` };
}

/** Votes over a connection; decided once enough agree and none (or almost none) disagree. */
export class EvidenceTally<T extends string> {
  readonly #counts = new Map<T, number>();
  readonly #reasons = new Map<T, string>();
  readonly #minVotes: number;

  /** `minVotes`: votes needed before a verdict; default 3. */
  constructor(minVotes = 3) {
    if (!Number.isInteger(minVotes) || minVotes < 1) throw new RangeError(`minVotes must be a positive integer, got ${minVotes}`);
    this.#minVotes = minVotes;
  }

  add(vote: Vote<T> | null): void {
    if (vote === null) return;
    this.#counts.set(vote.value, (this.#counts.get(vote.value) ?? 0) + 1);
    this.#reasons.set(vote.value, vote.reason);
  }

  /** The reading at least `minVotes` replies support and at least 90 % of all votes agree with; else null. */
  verdict(): Vote<T> | null {
    let total = 0;
    for (const n of this.#counts.values()) total += n;
    for (const [value, n] of this.#counts) {
      if (n >= this.#minVotes && n >= 0.9 * total) {
        return { value, reason: `${n} of ${total} replies: ${this.#reasons.get(value) ?? ''}` };
      }
    }
    return null;
  }

  /** Votes per reading, for the debug page. */
  counts(): ReadonlyMap<T, number> {
    return this.#counts;
  }
}

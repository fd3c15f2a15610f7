// Bank totals as the vendor tool's parallel page shows them ("BUS current", "system voltage",
// "system state"). Pure: the session derives these from its pack views.

import type { BankTotals, PackView } from './types';

export interface TotalsOptions {
  /**
   * Below this bus current (absolute, A) the bank is 'standby'. Default 0.5 A: a 16-pack bank's
   * sensor offsets add up to a few hundred mA at rest, which is not charging.
   */
  standbyBand_A?: number;
}

const DEFAULT_STANDBY_BAND_A = 0.5;

/**
 * Only fresh packs with real values count: a stale pack's old current would make the bus current
 * lie, and an all-zero broadcast block (an offline slave) is no measurement at all.
 * With no fresh pack, voltages and power are 0 and soc_pct is null; `freshPacks` says so.
 */
export function computeBankTotals(packs: readonly PackView[], options: TotalsOptions = {}): BankTotals {
  const band_A = options.standbyBand_A ?? DEFAULT_STANDBY_BAND_A;
  if (!(band_A >= 0) || !Number.isFinite(band_A)) throw new RangeError(`standbyBand_A must be a finite number >= 0, got ${band_A}`);

  let busCurrent_A = 0;
  let power_W = 0;
  let voltageSum_V = 0;
  let counted = 0;
  let socWeighted = 0;
  let socWeight_Ah = 0;
  let socPlainSum = 0;
  let socPlainCount = 0;

  for (const pack of packs) {
    const a = pack.analog;
    if (!pack.fresh || !a || a.empty) continue;
    counted++;
    busCurrent_A += a.current_A;
    voltageSum_V += a.voltage_V;
    power_W += a.voltage_V * a.current_A;
    if (a.soc_pct !== null) {
      socPlainSum += a.soc_pct;
      socPlainCount++;
      if (a.full_Ah > 0) {
        socWeighted += a.soc_pct * a.full_Ah;
        socWeight_Ah += a.full_Ah;
      }
    }
  }

  let soc_pct: number | null = null;
  // Weight by capacity so a 200 Ah pack counts twice a 100 Ah one; fall back to a plain mean when a
  // pack reports no full capacity (some firmware sends 0 before its first full cycle).
  if (socWeight_Ah > 0 && socPlainCount === countWithCapacity(packs)) soc_pct = socWeighted / socWeight_Ah;
  else if (socPlainCount > 0) soc_pct = socPlainSum / socPlainCount;

  const state: BankTotals['state'] = busCurrent_A > band_A ? 'charging' : busCurrent_A < -band_A ? 'discharging' : 'standby';

  return {
    busCurrent_A,
    systemVoltage_V: counted > 0 ? voltageSum_V / counted : 0,
    soc_pct,
    power_W,
    state,
    freshPacks: counted,
    totalPacks: packs.length
  };
}

/** Fresh packs that report both an SOC and a full capacity. */
function countWithCapacity(packs: readonly PackView[]): number {
  let n = 0;
  for (const p of packs) {
    const a = p.analog;
    if (p.fresh && a && !a.empty && a.soc_pct !== null && a.full_Ah > 0) n++;
  }
  return n;
}

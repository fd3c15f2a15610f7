// The figures one scope shows: the bank's (with which pack each extreme came from) or one pack's.

import type { BankChoice, BankStats, CapacityPoint, ExtremeSources, Figures, PeriodFigures } from '$lib/session/statistics';

export interface StatsView {
  periods: (PeriodFigures & { packs?: number })[];
  total: Figures & { where?: ExtremeSources; packs?: number };
  capacity: CapacityPoint[];
  /** True for the whole bank. */
  bank: boolean;
}

export function viewOf(stats: BankStats, scope: string, choice: BankChoice): StatsView | null {
  if (scope === 'bank') return { periods: stats.periods, total: stats.total, capacity: stats.capacity, bank: true };
  if (!choice.devices.some((d) => d.key === scope)) return null;
  const pack = stats.perPack.get(scope);
  if (!pack) return { periods: [], total: stats.total, capacity: [], bank: false };
  return { periods: pack.periods, total: pack.total, capacity: pack.capacity, bank: false };
}

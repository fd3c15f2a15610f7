// Overview-only wording: the bank totals as the vendor tool's parallel page shows them ("BUS
// current", "system voltage", "system state", "PACK number"), and the one sentence the screen
// reader hears when something important changes (not on every tick).

import type { BankTotals, LinkHealth, PackView } from '$lib/session/types';
import { NO_VALUE, formatCurrent, formatPercent, formatPower, formatVoltage, packName } from '$lib/ui/format';
import { packFreshness } from '$lib/ui/freshness';
import { alarmSummary } from '$lib/ui/pack-summary';

const STATE_WORD: Record<BankTotals['state'], string> = { standby: 'Standby', charging: 'Charging', discharging: 'Discharging' };

export interface TotalsFigure {
  id: string;
  label: string;
  value: string;
  sub?: string;
}

export function totalsFigures(t: BankTotals, packs: readonly PackView[]): TotalsFigure[] {
  const any = t.freshPacks > 0;
  const master = packs.find((p) => p.isMaster);
  // The sums count live packs only; say so when that is not all of them ("Packs live" says it for the means).
  const counted = any && t.freshPacks < t.totalPacks ? `${t.freshPacks} of ${t.totalPacks} packs counted` : undefined;
  return [
    { id: 'state', label: 'System state', value: any ? STATE_WORD[t.state] : NO_VALUE },
    {
      id: 'current',
      label: 'Bus current',
      value: any ? formatCurrent(t.busCurrent_A, { signed: true, decimals: 1 }) : NO_VALUE,
      sub: counted ? `${counted}; + charging, − discharging` : '+ charging, − discharging'
    },
    { id: 'voltage', label: 'System voltage', value: any ? formatVoltage(t.systemVoltage_V) : NO_VALUE },
    { id: 'soc', label: 'SOC', value: any ? formatPercent(t.soc_pct) : NO_VALUE },
    { id: 'power', label: 'Power', value: any ? formatPower(t.power_W) : NO_VALUE, sub: counted },
    {
      id: 'packs',
      label: 'Packs live',
      value: `${t.freshPacks} of ${t.totalPacks}`,
      sub: master ? `master: ${packName(master.address)}` : undefined
    }
  ];
}

/**
 * What a screen reader is told, politely, when it changes: how many packs are live, the system
 * state and how many packs have alarms. Values that tick (voltages, ages) are not in it.
 */
export function bankAnnouncement(t: BankTotals, packs: readonly PackView[], link: Pick<LinkHealth, 'phase'>): string {
  if (link.phase === 'lost' || link.phase === 'reconnecting') return 'Connection lost; the values shown are old.';
  const offline = packs.filter((p) => packFreshness(p) === 'offline').map((p) => packName(p.address));
  let faults = 0;
  let warnings = 0;
  for (const p of packs) {
    if (packFreshness(p) !== 'live') continue;
    const a = alarmSummary(p.status);
    if (!a) continue;
    if (a.level === 'fault' || a.level === 'protection') faults++;
    else if (a.level === 'warning') warnings++;
  }
  const parts = [`${t.freshPacks} of ${t.totalPacks} packs live.`];
  if (t.freshPacks > 0) parts.push(`Bank ${STATE_WORD[t.state].toLowerCase()}.`);
  if (offline.length) parts.push(`Offline: ${offline.join(', ')}.`);
  if (faults) parts.push(`${faults} ${faults === 1 ? 'pack has' : 'packs have'} a fault or protection.`);
  if (warnings) parts.push(`${warnings} ${warnings === 1 ? 'pack has' : 'packs have'} a warning.`);
  return parts.join(' ');
}

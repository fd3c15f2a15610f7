// Overview-only wording: the bank totals as the vendor tool's parallel page shows them ("BUS
// current", "system voltage", "system state", "PACK number"), and the one sentence the screen
// reader hears when something important changes (not on every tick).

import { m } from '$lib/paraglide/messages';
import type { BankTotals, LinkHealth, PackView } from '$lib/session/types';
import { NO_VALUE, joinSentences, formatCurrent, formatPercent, formatPower, formatVoltage, packName } from '$lib/ui/format';
import { packFreshness } from '$lib/ui/freshness';
import { alarmSummary } from '$lib/ui/pack-summary';

const STATE_WORD: Record<BankTotals['state'], () => string> = {
  standby: m.overview_state_standby,
  charging: m.overview_state_charging,
  discharging: m.overview_state_discharging
};

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
  const counted =
    any && t.freshPacks < t.totalPacks ? m.overview_packs_counted({ live: String(t.freshPacks), total: String(t.totalPacks) }) : undefined;
  return [
    { id: 'state', label: m.overview_system_state(), value: any ? STATE_WORD[t.state]() : NO_VALUE },
    {
      id: 'current',
      label: m.overview_bus_current(),
      value: any ? formatCurrent(t.busCurrent_A, { signed: true, decimals: 1 }) : NO_VALUE,
      sub: counted ? m.overview_counted_signs({ counted }) : m.overview_signs()
    },
    { id: 'voltage', label: m.overview_system_voltage(), value: any ? formatVoltage(t.systemVoltage_V) : NO_VALUE },
    { id: 'soc', label: m.monitor_soc(), value: any ? formatPercent(t.soc_pct) : NO_VALUE },
    { id: 'power', label: m.overview_power(), value: any ? formatPower(t.power_W) : NO_VALUE, sub: counted },
    {
      id: 'packs',
      label: m.overview_packs_live(),
      value: m.overview_n_of_m({ n: String(t.freshPacks), total: String(t.totalPacks) }),
      sub: master ? m.overview_master_is({ name: packName(master.address) }) : undefined
    }
  ];
}

/**
 * What a screen reader is told, politely, when it changes: how many packs are live, the system
 * state and how many packs have alarms. Values that tick (voltages, ages) are not in it.
 */
export function bankAnnouncement(t: BankTotals, packs: readonly PackView[], link: Pick<LinkHealth, 'phase'>): string {
  if (link.phase === 'lost' || link.phase === 'reconnecting') return m.overview_say_lost();
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
  const parts = [m.monitor_packs_live_sentence({ live: String(t.freshPacks), total: String(t.totalPacks) })];
  if (t.freshPacks > 0) parts.push(m.overview_say_state({ state: STATE_WORD[t.state]().toLocaleLowerCase() }));
  if (offline.length) parts.push(m.overview_say_offline({ packs: offline.join(m.monitor_card_join()) }));
  if (faults) parts.push(faults === 1 ? m.overview_say_faults_one() : m.overview_say_faults({ count: String(faults) }));
  if (warnings) parts.push(warnings === 1 ? m.overview_say_warnings_one() : m.overview_say_warnings({ count: String(warnings) }));
  return joinSentences(parts);
}

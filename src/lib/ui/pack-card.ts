// The words and numbers of one pack card (overview) and one wall tile, computed once per update
// so the Svelte components only place strings. Values of a pack that is not live are either
// greyed (stale: the last values, marked old) or withheld (offline / no data).

import { m } from '$lib/paraglide/messages';
import type { PackView } from '$lib/session/types';
import { getLocale as currentLocale } from '$lib/paraglide/runtime';
import { NO_VALUE, formatCurrent, formatPercent, formatTemp, formatVoltage, packName } from './format';
import { freshnessSentence, freshnessWord, hasValues, isLive, packFreshness, type Freshness } from './freshness';
import { alarmSummary, hottest, packActivity, type AlarmLevel } from './pack-summary';

export interface PackCardModel {
  address: number;
  title: string;
  isMaster: boolean;
  /** "Master" / "Slave", in the app's language. */
  role: string;
  freshness: Freshness;
  /** "Live", "Stale, values 40 s old", "Offline, last seen 5 min ago". */
  freshnessText: string;
  /** True when the numbers are not current and must be drawn greyed. */
  muted: boolean;
  voltage: string;
  current: string;
  activity: string;
  soc: string;
  /** 0..100 for the gauge, null when unknown or not shown. */
  socGauge: number | null;
  hottest: string;
  hottestWhere: string;
  alarmLevel: AlarmLevel | 'unknown';
  alarmText: string;
  /** The whole card as one sentence, for the link's accessible name. */
  sentence: string;
}

const ACTIVITY_WORD = { charging: m.monitor_charging, discharging: m.monitor_discharging, idle: m.monitor_idle } as const;

export function packCardModel(view: PackView, now_ms: number): PackCardModel {
  const f = packFreshness(view);
  const show = hasValues(f) && view.analog !== null;
  const a = show ? view.analog : null;
  const hot = a ? hottest(a) : null;
  const alarm = show ? alarmSummary(view.status) : null;
  const title = packName(view.address);
  const role = view.isMaster ? m.monitor_master() : m.monitor_slave();
  const freshnessText = freshnessSentence(view, now_ms);
  const model: PackCardModel = {
    address: view.address,
    title,
    isMaster: view.isMaster,
    role,
    freshness: f,
    freshnessText,
    muted: !isLive(f),
    voltage: a ? formatVoltage(a.voltage_V) : NO_VALUE,
    current: a ? formatCurrent(a.current_A, { decimals: 1 }) : NO_VALUE,
    activity: a ? ACTIVITY_WORD[packActivity(a.current_A)]() : '',
    soc: a ? formatPercent(a.soc_pct) : NO_VALUE,
    socGauge: a && a.soc_pct !== null ? Math.max(0, Math.min(100, a.soc_pct)) : null,
    hottest: hot ? formatTemp(hot.temp_C) : NO_VALUE,
    hottestWhere: hot ? hot.label : '',
    alarmLevel: alarm ? alarm.level : 'unknown',
    alarmText: alarm
      ? alarm.text
      : f === 'offline' || f === 'nodata'
        ? freshnessWord(f)
        : view.statusUnsupported
          ? m.monitor_status_unsupported()
          : m.monitor_alarms_not_read(),
    sentence: ''
  };
  const parts = [m.monitor_card_name({ name: title, role: role.toLocaleLowerCase() }), freshnessText];
  if (a)
    parts.push(
      model.voltage,
      m.monitor_card_current({ current: model.current, activity: model.activity.toLocaleLowerCase() }),
      m.monitor_card_soc({ soc: model.soc }),
      m.monitor_card_hottest({ temp: model.hottest })
    );
  if (alarm) parts.push(alarm.text);
  model.sentence = parts.join(m.monitor_card_join());
  return model;
}

const cardCache = new WeakMap<PackView, { now_ms: number; locale: string; model: PackCardModel }>();

/**
 * The cards of a bank, reusing the model of every pack whose view did not change since the last
 * call at the same `now_ms` (the session replaces only the view of a pack that reported). The
 * poller delivers packs one at a time; with the same object, Svelte leaves the other 15 cards
 * alone instead of comparing every one of their texts again.
 */
export function packCardModels(views: readonly PackView[], now_ms: number): PackCardModel[] {
  return views.map((view) => {
    const hit = cardCache.get(view);
    // The words are in the language of the moment: a switch makes every card new.
    const locale = currentLocale();
    if (hit && hit.now_ms === now_ms && hit.locale === locale) return hit.model;
    const model = packCardModel(view, now_ms);
    cardCache.set(view, { now_ms, locale, model });
    return model;
  });
}

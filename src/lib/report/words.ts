// The health findings and verdicts in words, in either language (messages/diagnose through
// Paraglide, numbers through format.ts). The health check deals in ids and numbers; the summary
// text in the report file, the wizard's result and the printed summary all say it through here.

import { m } from '../paraglide/messages';
import { flagWords } from '../history/words';
import { formatDuration, formatNumber, formatPercent, formatTemp, formatTempDelta, withUnit } from './format';
import type { SensorKind } from './health-temps';
import type { Finding, FindingValue, ReportLink, ReportLocale, Severity, Verdict } from './types';

type L = { locale: ReportLocale };

const num = (v: FindingValue | undefined): number => (typeof v === 'number' ? v : Number.NaN);
const text = (v: FindingValue | undefined): string => (v === null || v === undefined ? '' : String(v));

export function verdictWords(verdict: Verdict, locale: ReportLocale): string {
  const o: L = { locale };
  switch (verdict) {
    case 'good':
      return m.diagnose_verdict_good({}, o);
    case 'watch':
      return m.diagnose_verdict_watch({}, o);
    case 'problem':
      return m.diagnose_verdict_problem({}, o);
    case 'no-data':
      return m.diagnose_verdict_no_data({}, o);
  }
}

export function severityWords(severity: Severity, locale: ReportLocale): string {
  const o: L = { locale };
  switch (severity) {
    case 'ok':
      return m.diagnose_severity_ok({}, o);
    case 'note':
      return m.diagnose_severity_note({}, o);
    case 'watch':
      return m.diagnose_severity_watch({}, o);
    case 'problem':
      return m.diagnose_severity_problem({}, o);
  }
}

function sensorWords(kind: SensorKind | string, sensor: number, locale: ReportLocale): string {
  const o: L = { locale };
  const n = formatNumber(sensor, locale, 0);
  switch (kind) {
    case 'cell':
      return m.diagnose_sensor_cell({ n }, o);
    case 'mos':
      return m.diagnose_sensor_mos({}, o);
    case 'ambient':
      return m.diagnose_sensor_ambient({}, o);
    default:
      return m.diagnose_sensor_other({ n }, o);
  }
}

function levelWords(level: string, locale: ReportLocale): string {
  const o: L = { locale };
  switch (level) {
    case 'low':
      return m.diagnose_level_low({}, o);
    case 'high':
      return m.diagnose_level_high({}, o);
    default:
      return m.diagnose_level_other({}, o);
  }
}

/** What the check found, as one sentence (without the pack's name: the caller groups by pack). */
export function findingWords(f: Finding, locale: ReportLocale): string {
  const o: L = { locale };
  const v = f.values;
  const mV = (x: FindingValue | undefined, digits = 0) => withUnit(num(x), 'mV', locale, digits);
  const pct = (x: FindingValue | undefined) => formatPercent(num(x), locale);
  const pack = (x: FindingValue | undefined) => formatNumber(num(x), locale, 0);
  switch (f.id) {
    case 'no-answer':
      return m.diagnose_f_no_answer({}, o);
    case 'went-silent':
      return m.diagnose_f_went_silent({}, o);
    case 'missed-polls':
      return m.diagnose_f_missed_polls({ missed: pack(v.missed), polls: pack(v.polls) }, o);
    case 'alarm': {
      const name = flagWords({ id: text(v.flag), source: text(v.source), bit: num(v.bit) } as Parameters<typeof flagWords>[0], o);
      if (v.kind === 'protection') return m.diagnose_f_alarm_protection({ flag: name }, o);
      if (v.kind === 'fault') return m.diagnose_f_alarm_fault({ flag: name }, o);
      return m.diagnose_f_alarm_warning({ flag: name }, o);
    }
    case 'cell-alarm':
      return m.diagnose_f_cell_alarm({ cell: pack(v.cell), level: levelWords(text(v.level), locale) }, o);
    case 'temp-alarm':
      return m.diagnose_f_temp_alarm({ sensor: pack(v.sensor), level: levelWords(text(v.level), locale) }, o);
    case 'cell-spread':
      return f.severity === 'ok'
        ? m.diagnose_f_spread_ok({ spread: mV(v.spread_mV) }, o)
        : m.diagnose_f_spread_wide({ spread: mV(v.spread_mV), limit: mV(v.limit_mV) }, o);
    case 'weak-cell':
      return f.severity === 'ok'
        ? m.diagnose_f_weak_ok({ samples: pack(v.samples) }, o)
        : m.diagnose_f_weak_cell(
            {
              cell: pack(v.cell),
              share: formatPercent(num(v.lowest_pct), locale, 0),
              gap: mV(v.gap_mV, 1),
              fall: withUnit(num(v.fall_mV_per_min), 'mV/min', locale, 1)
            },
            o
          );
    case 'temp-high':
      return m.diagnose_f_temp_high(
        {
          sensor: sensorWords(text(v.kind), num(v.sensor), locale),
          temp: formatTemp(num(v.temp_C), locale),
          limit: formatTemp(num(v.limit_C), locale)
        },
        o
      );
    case 'temp-cold':
      return m.diagnose_f_temp_cold({ temp: formatTemp(num(v.temp_C), locale) }, o);
    case 'charging-cold':
      return m.diagnose_f_charging_cold({ temp: formatTemp(num(v.temp_C), locale), current: withUnit(num(v.current_A), 'A', locale) }, o);
    case 'temp-implausible':
      return m.diagnose_f_temp_implausible({ sensor: sensorWords(text(v.kind), num(v.sensor), locale), temp: formatTemp(num(v.temp_C), locale) }, o);
    case 'pack-hotter':
      return m.diagnose_f_pack_hotter(
        { delta: formatTempDelta(num(v.delta_C), locale), temp: formatTemp(num(v.temp_C), locale), others: formatTemp(num(v.others_C), locale) },
        o
      );
    case 'capacity': {
      const args = { full: withUnit(num(v.full_Ah), 'Ah', locale), design: withUnit(num(v.design_Ah), 'Ah', locale), soh: pct(v.soh_pct) };
      if (f.severity === 'ok') return m.diagnose_f_capacity_ok(args, o);
      if (f.severity === 'note') return m.diagnose_f_capacity_note(args, o);
      return m.diagnose_f_capacity_low(args, o);
    }
    case 'clock-drift': {
      const drift = formatDuration(num(v.drift_s), locale);
      if (f.pack === null) {
        if (f.severity === 'ok') return m.diagnose_f_clock_bank_ok({}, o);
        return num(v.drift_s) > 0 ? m.diagnose_f_clock_bank_ahead({ drift }, o) : m.diagnose_f_clock_bank_behind({ drift }, o);
      }
      if (f.severity === 'ok') return m.diagnose_f_clock_ok({}, o);
      return num(v.drift_s) > 0 ? m.diagnose_f_clock_ahead({ drift }, o) : m.diagnose_f_clock_behind({ drift }, o);
    }
    case 'clock-invalid':
      return m.diagnose_f_clock_invalid({ time: text(v.pack) }, o);
    case 'clock-unread':
      return m.diagnose_f_clock_unread({}, o);
    case 'pack-count':
      return f.severity === 'ok'
        ? m.diagnose_f_pack_count_ok({ found: pack(v.found) }, o)
        : m.diagnose_f_pack_count({ expected: pack(v.expected), found: pack(v.found) }, o);
    case 'soc-gap':
      return f.severity === 'ok'
        ? m.diagnose_f_soc_ok({ gap: pct(v.gap_pct) }, o)
        : m.diagnose_f_soc_gap({ low: pack(v.low_pack), lowPct: pct(v.low_pct), high: pack(v.high_pack), highPct: pct(v.high_pct) }, o);
    case 'firmware-mixed':
      return m.diagnose_f_firmware_mixed({ versions: text(v.versions) }, o);
    case 'firmware-same':
      return num(v.unknown) > 0
        ? m.diagnose_f_firmware_partly({ version: text(v.version), unknown: pack(v.unknown) }, o)
        : m.diagnose_f_firmware_same({ version: text(v.version) }, o);
    case 'no-load':
      return m.diagnose_f_no_load({}, o);
    default:
      return m.diagnose_f_unknown({ id: f.id }, o);
  }
}

/** How the bank was reached, in words: "USB cable, USB CP210x (10c4:ea60), 9,600 baud" / "Demo bank". */
export function linkWords(link: Pick<ReportLink, 'kind' | 'label' | 'baud'>, locale: ReportLocale): string {
  const o: L = { locale };
  if (link.kind === 'sim') return m.diagnose_link_demo({}, o);
  const kind = link.kind === 'serial' ? m.diagnose_link_usb({}, o) : m.diagnose_link_ble({}, o);
  const baud = link.baud ? `, ${m.diagnose_link_baud({ baud: formatNumber(link.baud, locale, 0) }, o)}` : '';
  return `${kind}, ${link.label}${baud}`;
}

/** Sentences one after the other, as the language writes them (no space between Chinese sentences). */
export function joinSentences(sentences: readonly string[], locale: ReportLocale): string {
  return sentences.join(locale === 'zh-CN' ? '' : ' ');
}

/** "Pack 3" in the reader's language. */
export function packWords(address: number, locale: ReportLocale): string {
  return m.diagnose_pack({ n: formatNumber(address, locale, 0) }, { locale });
}

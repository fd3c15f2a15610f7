// The words of the pack page: the route parameter, the battery-status figures, the switch states,
// the identity lines and the one-line cell summary. Pure, so every label is tested once and the
// page only lays them out.

import { m } from '$lib/paraglide/messages';
import type { PackAnalog, PackIdentity, PackStatus } from '$lib/session/types';
import {
  NO_VALUE,
  formatAddressHex,
  formatCapacity,
  formatCount,
  formatCurrent,
  formatMillivolts,
  formatPercent,
  formatPower,
  formatVoltage,
  joinSentences
} from './format';
import { packActivity, parseVersionString, type CellStats } from './pack-summary';

/** Largest address the protocol's one-byte ADR can carry. */
const MAX_ADDRESS = 0xff;

/**
 * The `[addr]` of /pack/[addr]: decimal ("3") or hex ("0x03"), as the DIP switch and the vendor
 * tool write it. Null for anything else, so the page can say so instead of guessing.
 */
export function parseAddress(param: string): number | null {
  const text = param.trim();
  let n: number;
  if (/^0x[0-9a-f]{1,2}$/i.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^\d{1,3}$/.test(text)) n = Number(text);
  else return null;
  return n <= MAX_ADDRESS ? n : null;
}

export interface Figure {
  id: string;
  label: string;
  value: string;
  sub?: string;
}

const ACTIVITY = { charging: m.pack_activity_charging, discharging: m.pack_activity_discharging, idle: m.pack_activity_idle } as const;

/** "Battery status": what the vendor tool's single-machine page shows, in its order. */
export function statusFigures(a: PackAnalog): Figure[] {
  const socSub = a.socSource === 'computed' ? m.pack_soc_computed() : a.socSource === 'reported' ? m.pack_soc_reported() : undefined;
  return [
    { id: 'voltage', label: m.monitor_voltage(), value: formatVoltage(a.voltage_V) },
    { id: 'current', label: m.monitor_current(), value: formatCurrent(a.current_A, { signed: true }), sub: ACTIVITY[packActivity(a.current_A)]() },
    { id: 'power', label: m.overview_power(), value: formatPower(a.voltage_V * a.current_A) },
    { id: 'soc', label: m.monitor_soc(), value: formatPercent(a.soc_pct), sub: socSub },
    { id: 'soh', label: m.pack_soh(), value: formatPercent(a.soh_pct) },
    { id: 'cycles', label: m.pack_cycles(), value: formatCount(a.cycles, { one: m.pack_cycles_one, other: m.pack_cycles_other }) },
    { id: 'remaining', label: m.pack_remaining(), value: formatCapacity(a.remaining_Ah) },
    { id: 'full', label: m.pack_full(), value: formatCapacity(a.full_Ah) },
    { id: 'design', label: m.pack_design(), value: formatCapacity(a.design_Ah) }
  ];
}

export interface SwitchRow {
  id: 'chargeMos' | 'dischargeMos' | 'heater';
  label: string;
  /** "On", "Off", "Not fitted". */
  state: string;
  on: boolean | null;
  /** What the state means for the person, when that is not obvious. */
  note: string;
}

export function switchRows(s: PackStatus): SwitchRow[] {
  return [
    {
      id: 'chargeMos',
      label: m.pack_charge_mos(),
      state: s.chargeMosOn ? m.pack_on() : m.pack_off(),
      on: s.chargeMosOn,
      note: s.chargeMosOn ? '' : m.pack_charge_mos_off_note()
    },
    {
      id: 'dischargeMos',
      label: m.pack_discharge_mos(),
      state: s.dischargeMosOn ? m.pack_on() : m.pack_off(),
      on: s.dischargeMosOn,
      note: s.dischargeMosOn ? '' : m.pack_discharge_mos_off_note()
    },
    {
      id: 'heater',
      label: m.pack_heater(),
      state: s.heaterOn === null ? m.pack_not_reported() : s.heaterOn ? m.pack_on() : m.pack_off(),
      on: s.heaterOn,
      note: s.heaterOn ? m.pack_heater_on_note() : ''
    }
  ];
}

export interface IdentityRow {
  label: string;
  value: string;
  /** The value is data read from the pack (a serial, a version), shown as it is, never translated. */
  data?: true;
}

/** The pack's identity as read once by C1H / C2H, with the model string taken apart. */
export function identityRows(address: number, isMaster: boolean, identity: PackIdentity | null): IdentityRow[] {
  const rows: IdentityRow[] = [
    { label: m.pack_address(), value: `${formatAddressHex(address)} (${address})` },
    { label: m.pack_role(), value: isMaster ? m.pack_role_master() : m.monitor_slave() }
  ];
  const v = parseVersionString(identity?.softwareVersion ?? null);
  rows.push(
    {
      label: m.pack_model(),
      value: v
        ? v.seriesCells && v.capacity_Ah
          ? m.pack_model_value({ model: v.model, cells: String(v.seriesCells), capacity: formatCapacity(v.capacity_Ah, 0) })
          : v.model
        : NO_VALUE
    },
    { label: m.pack_hardware_version(), value: v?.hardware ?? NO_VALUE, data: true },
    { label: m.pack_firmware_version(), value: v?.firmware ?? NO_VALUE, data: true },
    { label: m.pack_bms_serial(), value: identity?.bmsSerial?.trim() || NO_VALUE, data: true },
    { label: m.pack_pack_serial(), value: identity?.packSerial?.trim() || NO_VALUE, data: true }
  );
  if (identity?.bluetoothName?.trim()) rows.push({ label: m.pack_bluetooth_name(), value: identity.bluetoothName.trim(), data: true });
  return rows;
}

function cellList(cells: readonly number[]): string {
  return cells.length === 1 ? m.pack_cell_one({ n: String(cells[0]) }) : m.pack_cell_many({ list: cells.join(m.monitor_card_join()) });
}

/** "16 cells. Highest 3310 mV (cell 4), lowest 3298 mV (cell 9), spread 12 mV. Balancing: cell 5." */
export function cellSummary(stats: CellStats | null, balancingCells: readonly number[]): string {
  if (!stats) return m.pack_no_cells();
  const parts = [m.pack_cells_count({ count: String(stats.count) })];
  if (stats.spread_mV === 0) parts.push(m.pack_cells_all_at({ value: formatMillivolts(stats.max_mV), spread: formatMillivolts(0) }));
  else {
    parts.push(
      m.pack_cells_extremes({
        high: formatMillivolts(stats.max_mV),
        highCells: cellList(stats.maxCells),
        low: formatMillivolts(stats.min_mV),
        lowCells: cellList(stats.minCells),
        spread: formatMillivolts(stats.spread_mV)
      })
    );
  }
  parts.push(balancingCells.length ? m.pack_cells_balancing({ cells: cellList(balancingCells) }) : m.pack_cells_none_balancing());
  return joinSentences(parts);
}

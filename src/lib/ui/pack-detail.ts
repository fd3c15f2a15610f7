// The words of the pack page: the route parameter, the battery-status figures, the switch states,
// the identity lines and the one-line cell summary. Pure, so every label is tested once and the
// page only lays them out.

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
  UNIT_SEP
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

const ACTIVITY = { charging: 'charging', discharging: 'discharging', idle: 'idle' } as const;

/** "Battery status": what the vendor tool's single-machine page shows, in its order. */
export function statusFigures(a: PackAnalog): Figure[] {
  const socSub = a.socSource === 'computed' ? 'remaining ÷ full' : a.socSource === 'reported' ? 'reported by the BMS' : undefined;
  return [
    { id: 'voltage', label: 'Voltage', value: formatVoltage(a.voltage_V) },
    { id: 'current', label: 'Current', value: formatCurrent(a.current_A, { signed: true }), sub: ACTIVITY[packActivity(a.current_A)] },
    { id: 'power', label: 'Power', value: formatPower(a.voltage_V * a.current_A) },
    { id: 'soc', label: 'SOC', value: formatPercent(a.soc_pct), sub: socSub },
    { id: 'soh', label: 'SOH (health)', value: formatPercent(a.soh_pct) },
    { id: 'cycles', label: 'Cycles', value: formatCount(a.cycles, 'cycle') },
    { id: 'remaining', label: 'Remaining capacity', value: formatCapacity(a.remaining_Ah) },
    { id: 'full', label: 'Full capacity', value: formatCapacity(a.full_Ah) },
    { id: 'design', label: 'Design capacity', value: formatCapacity(a.design_Ah) }
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
      label: 'Charge MOSFET',
      state: s.chargeMosOn ? 'On' : 'Off',
      on: s.chargeMosOn,
      note: s.chargeMosOn ? '' : 'The pack cannot take charge.'
    },
    {
      id: 'dischargeMos',
      label: 'Discharge MOSFET',
      state: s.dischargeMosOn ? 'On' : 'Off',
      on: s.dischargeMosOn,
      note: s.dischargeMosOn ? '' : 'The pack cannot supply power.'
    },
    {
      id: 'heater',
      label: 'Heater',
      state: s.heaterOn === null ? 'Not reported' : s.heaterOn ? 'On' : 'Off',
      on: s.heaterOn,
      note: s.heaterOn ? 'Warming the cells before charging.' : ''
    }
  ];
}

export interface IdentityRow {
  label: string;
  value: string;
}

/** The pack's identity as read once by C1H / C2H, with the model string taken apart. */
export function identityRows(address: number, isMaster: boolean, identity: PackIdentity | null): IdentityRow[] {
  const rows: IdentityRow[] = [
    { label: 'Address', value: `${formatAddressHex(address)} (${address})` },
    { label: 'Role', value: isMaster ? 'Master (the pack on the cable)' : 'Slave' }
  ];
  const v = parseVersionString(identity?.softwareVersion ?? null);
  rows.push(
    {
      label: 'Model',
      value: v ? v.model + (v.seriesCells && v.capacity_Ah ? ` (${v.seriesCells} cells, ${v.capacity_Ah}${UNIT_SEP}Ah)` : '') : NO_VALUE
    },
    { label: 'Hardware version', value: v?.hardware ?? NO_VALUE },
    { label: 'Firmware version', value: v?.firmware ?? NO_VALUE },
    { label: 'BMS serial number', value: identity?.bmsSerial?.trim() || NO_VALUE },
    { label: 'Pack serial number', value: identity?.packSerial?.trim() || NO_VALUE }
  );
  if (identity?.bluetoothName?.trim()) rows.push({ label: 'Bluetooth name', value: identity.bluetoothName.trim() });
  return rows;
}

function cellList(cells: readonly number[]): string {
  return cells.length === 1 ? `cell ${cells[0]}` : `cells ${cells.join(', ')}`;
}

/** "16 cells. Highest 3310 mV (cell 4), lowest 3298 mV (cell 9), spread 12 mV. Balancing: cell 5." */
export function cellSummary(stats: CellStats | null, balancingCells: readonly number[]): string {
  if (!stats) return 'No cell voltages reported.';
  const parts = [`${stats.count} cells.`];
  if (stats.spread_mV === 0) parts.push(`All at ${formatMillivolts(stats.max_mV)}, spread 0${UNIT_SEP}mV.`);
  else {
    parts.push(
      `Highest ${formatMillivolts(stats.max_mV)} (${cellList(stats.maxCells)}), lowest ${formatMillivolts(stats.min_mV)} (${cellList(stats.minCells)}), spread ${formatMillivolts(stats.spread_mV)}.`
    );
  }
  parts.push(balancingCells.length ? `Balancing: ${cellList(balancingCells)}.` : 'No cell is balancing.');
  return parts.join(' ');
}

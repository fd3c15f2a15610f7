// Deterministic, plausible telemetry of a solar-charged bank for storage tests and the idb bench:
// each pack charges through the middle of the day, discharges in the evening and idles at night,
// cells sit a few mV apart with poll-to-poll noise, temperatures drift with the current, balance bits
// come on near full. Values are quantised as the protocol reports them (mV, 0.01 A, 0.1 °C,
// 0.01 Ah), so compression figures measured on it are not flattered by impossible smoothness.
// Not a simulator: no BMS logic, no bytes.

import type { PackAnalog, PackStatus } from '../../protocol/types';
import type { TelemetrySample } from '../telemetry-row';

const TEMP_LABELS = ['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'MOSFET', 'Ambient'];

/** Deterministic noise in [-1, 1) from integers. */
function noise(...ints: number[]): number {
  let h = 2166136261;
  for (const i of ints) {
    h ^= i & 0xffff;
    h = Math.imul(h, 16777619);
    h ^= i >>> 16;
    h = Math.imul(h, 16777619);
  }
  return ((h >>> 0) % 20000) / 10000 - 1;
}

const round = (v: number, step: number) => Math.round(v / step) * step;

/** Bank current (A, + = charging) of one pack at a time of day: solar charge, evening load. */
function profileCurrent_A(dayFraction: number): number {
  if (dayFraction > 0.3 && dayFraction < 0.6) return 30 * Math.sin(((dayFraction - 0.3) / 0.3) * Math.PI);
  if (dayFraction > 0.7 && dayFraction < 0.95) return -18 * Math.sin(((dayFraction - 0.7) / 0.25) * Math.PI);
  return 0;
}

/** SOC (%) that the profile above leads to. */
function profileSoc_pct(dayFraction: number): number {
  if (dayFraction <= 0.3) return 30;
  if (dayFraction < 0.6) return 30 + 60 * ((1 - Math.cos(((dayFraction - 0.3) / 0.3) * Math.PI)) / 2);
  if (dayFraction <= 0.7) return 90;
  if (dayFraction < 0.95) return 90 - 60 * ((1 - Math.cos(((dayFraction - 0.7) / 0.25) * Math.PI)) / 2);
  return 30;
}

export interface BankSampleOptions {
  cells?: number;
  /** Sensors reported; the last one reads "not fitted" (null) when > 6. */
  temps?: number;
  /** Omit the 44H status. */
  noStatus?: boolean;
}

export function deviceKeyOf(address: number): string {
  return `sn:P1812TEST${String(address).padStart(4, '0')}`;
}

/** One poll of pack `address` at `t_ms` (Unix epoch ms, UTC). */
export function bankSample(address: number, t_ms: number, opts: BankSampleOptions = {}): TelemetrySample {
  const cellCount = opts.cells ?? 16;
  const tempCount = opts.temps ?? 6;
  const tick = Math.floor(t_ms / 1000);
  const day = ((t_ms % 86_400_000) + 86_400_000) % 86_400_000;
  const f = day / 86_400_000;
  const current_A = round(profileCurrent_A(f) * (1 + 0.05 * noise(address)) + 0.15 * noise(address, tick, 1), 0.01);
  const soc = profileSoc_pct(f) + 2 * noise(address, 2);
  // Open-circuit-ish cell voltage from SOC, plus IR rise while charging.
  const base_mV = 3200 + soc * 1.6 + current_A * 0.9;
  const cells_mV = Array.from({ length: cellCount }, (_, c) =>
    Math.round(base_mV + 6 * noise(address, c) + 2 * noise(address, c, tick) + (c === address % cellCount ? 9 : 0))
  );
  const voltage_V = round(cells_mV.reduce((a, b) => a + b, 0) / 1000 + 0.004 * noise(address, tick, 3), 0.001);
  const warm = Math.abs(current_A) / 10;
  const temps_C: (number | null)[] = Array.from({ length: tempCount }, (_, s) =>
    s >= 6 ? null : round(22 + address * 0.2 + s * 0.7 + warm * (s === 4 ? 3 : 1) + 0.1 * noise(address, s, Math.floor(tick / 30)), 0.1)
  );
  const full_Ah = 100 - address * 0.25;
  const analog: PackAnalog = {
    cells_mV,
    temps_C,
    tempLabels: Array.from({ length: tempCount }, (_, s) => TEMP_LABELS[s] ?? `T${s + 1}`),
    current_A,
    voltage_V,
    remaining_Ah: round((soc / 100) * full_Ah, 0.01),
    full_Ah,
    design_Ah: 100,
    cycles: 200 + address * 3,
    soc_pct: Math.round(soc),
    soh_pct: 99,
    socSource: 'reported',
    userDefinedCount: 9,
    empty: false
  };
  const nearFull = soc > 85 && current_A > 1;
  const balance = nearFull ? 1 << (address % 8) : 0;
  const status: PackStatus | null = opts.noStatus
    ? null
    : {
        cellAlarms: Array(cellCount).fill('normal'),
        tempAlarms: Array(tempCount).fill('normal'),
        chargeCurrentAlarm: 'normal',
        packVoltageAlarm: 'normal',
        dischargeCurrentAlarm: 'normal',
        bytes: {
          protection1: 0,
          protection2: 0,
          indication: current_A > 0.5 ? 0x01 : current_A < -0.5 ? 0x02 : 0x00,
          control: 0x06,
          fault: 0,
          balance1: balance,
          balance2: 0,
          warning1: 0,
          warning2: 0
        },
        balancingCells: balance ? [(address % 8) + 1] : [],
        flags: [],
        chargeMosOn: true,
        dischargeMosOn: true,
        heaterOn: false,
        empty: false
      };
  return { device: deviceKeyOf(address), address, t_ms, analog, status };
}

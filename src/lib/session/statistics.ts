// The statistics page's data: per-minute aggregates of the chosen packs read from storage and
// summed into day / week / month figures (stats/minutes.ts), and which banks and packs have
// anything recorded. Plain async functions over AppStorage; the page holds the results in its state.

import { MinuteStatsBuilder, MINUTE_STATS_COLUMNS, type BankStats, type Period } from '$lib/stats';
import type { AppStorage, DeviceRecord } from '$lib/storage';

export type { BankStats, BankPeriodFigures, PackStats, PeriodFigures, Figures, CapacityPoint, Period, ExtremeSources } from '$lib/stats';
export type { DeviceRecord } from '$lib/storage';

export interface StatisticsRequest {
  /** Device keys of the packs (the bank's, or one). */
  devices: readonly string[];
  from_ms: number;
  to_ms: number;
  period: Period;
  /** Default the user's zone. */
  timeZone?: string;
  signal?: AbortSignal;
}

export async function loadStatistics(storage: AppStorage, req: StatisticsRequest): Promise<BankStats> {
  const builder = new MinuteStatsBuilder(req.from_ms, req.to_ms, { period: req.period, timeZone: req.timeZone });
  for (const device of req.devices) {
    for await (const cols of storage.telemetry.minuteColumns(device, { from_ms: req.from_ms, to_ms: req.to_ms }, MINUTE_STATS_COLUMNS)) {
      req.signal?.throwIfAborted();
      builder.add(device, cols);
    }
  }
  return builder.result();
}

export interface BankChoice {
  /** The bank label packs were last seen in (storage's rule). */
  bank: string;
  /** Its packs, by last address. */
  devices: DeviceRecord[];
  lastSeen_ms: number;
}

/** Every bank the stored devices were last seen in, most recent first. */
export async function bankChoices(storage: AppStorage): Promise<BankChoice[]> {
  const byBank = new Map<string, DeviceRecord[]>();
  for (const d of await storage.devices.list()) {
    const list = byBank.get(d.lastBank) ?? [];
    list.push(d);
    byBank.set(d.lastBank, list);
  }
  return [...byBank.entries()]
    .map(([bank, devices]) => ({
      bank,
      devices: devices.sort((a, b) => a.lastAddress - b.lastAddress),
      lastSeen_ms: Math.max(...devices.map((d) => d.lastSeen_ms))
    }))
    .sort((a, b) => b.lastSeen_ms - a.lastSeen_ms);
}

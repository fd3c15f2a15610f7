// A known state for every pack of the demo bank, put into the simulator itself (the bytes the
// real client decodes come from it), and the exact numbers the pages must show for it, computed
// here from the state, never copied from a page. Every value differs from pack to pack and from
// cell to cell, so a value shown in the wrong place, or scaled wrong, cannot pass.
//
// The bank's physics are stopped first (SimBank.dispose stops its own timers; it still answers
// every frame, and with no tick pending it no longer catches physics up before a reply), so
// nothing drifts between setting a value and reading it on the page.

import type { Page } from 'playwright-core';
import type { DemoClient } from './sim-hook';

export const PACKS = 16;
export const CELLS = 16;
/** Demo packs report 6 temperatures: four cell sensors, MOSFET, ambient. */
export const TEMP_LABELS = ['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'MOSFET', 'Ambient'];

/** The pack whose status carries alarms, switches and balancing in the tests. */
export const ALARM_PACK = 7;
/** Its cell above the limit, its sensor above the limit (1-based), and its balancing cells. */
export const ALARM_CELL = 5;
export const ALARM_SENSOR = 2;
export const BALANCING = [3, 11];

const INDICATION_CHARGE_MOS = 1 << 1;
const INDICATION_DISCHARGE_MOS = 1 << 2;
const INDICATION_HEATER = 1 << 7;

export interface PackState {
  address: number;
  cells_mV: number[];
  /** What the pack measures at its terminals: not the cells' sum, so the two cannot be confused. */
  packVoltage_mV: number;
  current_A: number;
  temps_C: number[];
  remaining_Ah: number;
  full_Ah: number;
  design_Ah: number;
  cycles: number;
  status: {
    protection1: number;
    protection2: number;
    indication: number;
    control: number;
    fault: number;
    warning1: number;
    warning2: number;
    cellAlarms: number[];
    tempAlarms: number[];
    balancing: boolean[];
  };
  /** Parameters the parameter page reads (47H and friends), in the simulator's stored units. */
  params: {
    cellOvAlarm_mV: number;
    cellOvProtect_mV: number;
    packOvProtect_mV: number;
    chargeOcProtect_A: number;
    cellHighChargeProtect_C: number;
    balanceStart_mV: number;
  };
}

/** Rounded to `d` decimals as numbers, for building values that travel the wire exactly. */
const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

export function packState(a: number): PackState {
  // 3000 + 20·a + a permutation of 0..15: distinct in every pack and cell, extremes not at the ends.
  const cells_mV = Array.from({ length: CELLS }, (_, k) => 3000 + 20 * a + ((7 * k + 5) % 16));
  const sum = cells_mV.reduce((s, v) => s + v, 0);
  const offsets = [0.3, 0.7, 0.1, 0.5, 0.2, -0.4];
  const full_Ah = 100 + a;
  const alarm = a === ALARM_PACK;
  return {
    address: a,
    cells_mV,
    packVoltage_mV: sum - 7 * a,
    // Every third pack charges, the others discharge; the hundredths make 2- and 1-decimal texts differ.
    current_A: round((a % 3 === 0 ? 1 : -1) * (a + 0.12), 2),
    temps_C: offsets.map((o) => round(15 + a + o, 1)),
    full_Ah,
    // SOC (40 + a) % exactly: remaining has two decimals, as the wire's 10 mAh carries.
    remaining_Ah: round((full_Ah * (40 + a)) / 100, 2),
    design_Ah: 100,
    cycles: 100 + a,
    status: {
      protection1: alarm ? 1 << 0 : 0, // cell over-voltage protection
      protection2: 0,
      indication: alarm ? INDICATION_DISCHARGE_MOS | INDICATION_HEATER : INDICATION_CHARGE_MOS | INDICATION_DISCHARGE_MOS,
      control: 0,
      fault: alarm ? 1 << 2 : 0, // NTC fault
      warning1: alarm ? 1 << 0 : 0, // cell high-voltage warning
      warning2: 0,
      cellAlarms: Array.from({ length: CELLS }, (_, k) => (alarm && k === ALARM_CELL - 1 ? 2 : 0)),
      tempAlarms: Array.from({ length: 6 }, (_, i) => (alarm && i === ALARM_SENSOR - 1 ? 2 : 0)),
      balancing: Array.from({ length: CELLS }, (_, k) => alarm && BALANCING.includes(k + 1))
    },
    params: {
      cellOvAlarm_mV: 3500 + a,
      cellOvProtect_mV: 3600 + 5 * a,
      packOvProtect_mV: 57_000 + 10 * a,
      chargeOcProtect_A: 80 + a,
      cellHighChargeProtect_C: round(50 + a / 2, 1),
      balanceStart_mV: 3380 + a
    }
  };
}

export const BANK: PackState[] = Array.from({ length: PACKS }, (_, i) => packState(i + 1));

/** Stop the demo bank's physics and put BANK into it. Waits until the session shows it everywhere. */
export async function putBankState(page: Page): Promise<void> {
  await page.evaluate((bank) => {
    const sim = (window.__packservice!.session.client as unknown as DemoClient).transport.bank;
    sim.dispose();
    for (const s of bank) {
      const pack = sim.packAt(s.address);
      if (!pack) throw new Error(`the demo bank has no pack ${s.address}`);
      pack.readings = { cells_mV: s.cells_mV.slice(), temps_C: s.temps_C.slice(), current_A: s.current_A, packVoltage_mV: s.packVoltage_mV };
      pack.gauge.design_Ah = s.design_Ah;
      pack.gauge.full_Ah = s.full_Ah;
      pack.gauge.remaining_Ah = s.remaining_Ah;
      pack.gauge.cycles = s.cycles;
      Object.assign(pack.status, s.status);
      const p = pack.params;
      p.cellOverVoltage = { ...p.cellOverVoltage, alarm_mV: s.params.cellOvAlarm_mV, protect_mV: s.params.cellOvProtect_mV };
      p.packOverVoltage = { ...p.packOverVoltage, protect_mV: s.params.packOvProtect_mV };
      p.chargeOverCurrent = { ...p.chargeOverCurrent, protect_A: s.params.chargeOcProtect_A };
      p.cellHighTemp = { ...p.cellHighTemp, chargeProtect_C: s.params.cellHighChargeProtect_C };
      p.balanceStart_mV = s.params.balanceStart_mV;
    }
  }, BANK);
  // Every pack polled after the change: its cells are the ones set (the poller re-reads them all).
  await page.waitForFunction(
    (bank) => {
      const session = window.__packservice?.session;
      if (!session) return false;
      return bank.every((s) => {
        const v = session.packs.find((p) => p.address === s.address);
        return (
          !!v &&
          v.fresh &&
          v.analog?.cells_mV.join() === s.cells_mV.join() &&
          Math.abs(v.analog.current_A - s.current_A) < 0.001 &&
          v.status?.bytes.indication === s.status.indication
        );
      });
    },
    BANK,
    { timeout: 30_000 }
  );
}

/** Firmware seen in the field: pack 3 sends its pack voltage in 10 mV, pack 4 its design capacity in 100 mAh. */
export const VOLT_10MV_PACK = 3;
export const DESIGN_100MAH_PACK = 4;
export const cellSum_mV = (s: PackState) => s.cells_mV.reduce((a, b) => a + b, 0);

/** After putBankState: give packs 3 and 4 those quirks and wait until the decoder has noted them. */
export async function putUnitQuirks(page: Page): Promise<void> {
  await page.evaluate(
    ({ volt, design, volt_10mV }) => {
      const sim = (window.__packservice!.session.client as unknown as DemoClient).transport.bank;
      sim.packAt(volt)!.readings.packVoltage_mV = volt_10mV;
      sim.packAt(design)!.gauge.design_Ah = 10;
    },
    { volt: VOLT_10MV_PACK, design: DESIGN_100MAH_PACK, volt_10mV: Math.round(cellSum_mV(BANK[VOLT_10MV_PACK - 1]) / 10) }
  );
  await page.waitForFunction(
    (addresses) => addresses.every((a) => (window.__packservice!.session.pack(a)?.analog?.unitNotes?.length ?? 0) > 0),
    [VOLT_10MV_PACK, DESIGN_100MAH_PACK],
    { timeout: 30_000 }
  );
}

// ---- what the pages must show, computed from the state ------------------------------------------

const MINUS = '\u2212';
const NBSP = '\u00a0';

/** Fixed decimals, half away from zero, typographic minus, grouping from five digits (as en-GB/en-US). */
export function fixed(v: number, d: number): string {
  const r = Math.round(Math.abs(v) * 10 ** d) / 10 ** d;
  const [whole, frac] = r.toFixed(d).split('.');
  const int = whole.length >= 5 ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : whole;
  const text = frac === undefined ? int : `${int}.${frac}`;
  return v < 0 && r !== 0 ? MINUS + text : text;
}

export const unit = (text: string, u: string) => `${text}${NBSP}${u}`;
export const signed = (v: number, d: number) => (v > 0 && Math.round(Math.abs(v) * 10 ** d) !== 0 ? '+' : '') + fixed(v, d);

/** Volts as the decoder reads the 42H field (mV on the wire). */
export const voltage_V = (s: PackState) => s.packVoltage_mV / 1000;
export const soc_pct = (s: PackState) => Math.round((s.remaining_Ah / s.full_Ah) * 1000) / 10;

export function bankTotals(bank: readonly PackState[]) {
  const current_A = bank.reduce((t, s) => t + s.current_A, 0);
  const meanVoltage_V = bank.reduce((t, s) => t + voltage_V(s), 0) / bank.length;
  const power_W = bank.reduce((t, s) => t + voltage_V(s) * s.current_A, 0);
  const fullSum = bank.reduce((t, s) => t + s.full_Ah, 0);
  const soc = bank.reduce((t, s) => t + soc_pct(s) * s.full_Ah, 0) / fullSum;
  return { current_A, meanVoltage_V, power_W, soc };
}

export function cellExtremes(cells: readonly number[]) {
  const max = Math.max(...cells);
  const min = Math.min(...cells);
  return { max, min, maxCell: cells.indexOf(max) + 1, minCell: cells.indexOf(min) + 1, spread: max - min };
}

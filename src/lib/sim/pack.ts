// One simulated pack: physics, ADCs, BMS firmware, fuel gauge, EEPROM (parameters, history),
// real-time clock and identity, plus the power states a real pack goes through (booting, asleep,
// shut down). The bank drives it in ticks; the responder reads and writes it through the protocol.

import { Bms, type BmsOptions, type BmsStatus } from './bms';
import { Gauge } from './gauge';
import { History, inventPastLog, type HistoryEntry, type PastDay } from './history';
import { PackModel } from './pack-model';
import { defaultParams, type PackParams } from './params-store';
import type { Rng } from './rng';
import { Rtc, type TimeSource } from './rtc';
import { Sensors, type SensorReadings } from './sensors';

export interface PackIdentity {
  /** C1H: "P16S100A-1812-1.00" (model-board-version). */
  model: string;
  board: string;
  firmwareVersion: string;
  /** C1H on newer firmware: the B35 module's Bluetooth name; null when not fitted. */
  bluetoothName: string | null;
  /** C2H. */
  bmsSerial: string;
  packSerial: string;
}

export interface SimPackOptions {
  address: number;
  /** The bank's simulated time line (ms); BMS delays and the RTC run on it. */
  clock: TimeSource;
  rng: Rng;
  cellCount: number;
  /** Temperatures reported in 42H: 6 (4 cells + MOS + ambient) or 8 (6 cells + MOS + ambient). */
  tempCount: number;
  design_Ah: number;
  initialSoc: number;
  ambient_C: number;
  /** Calendar time (epoch ms) the pack's RTC shows at clock time now. */
  rtcStart_ms: number;
  identity: PackIdentity;
  bms?: Partial<BmsOptions>;
  historyCapacity?: number;
  /** How long a reboot keeps the pack silent (ms). */
  boot_ms?: number;
}

export type PowerState =
  | 'on'
  /** Restarting: silent, MOSFETs open. */
  | 'booting'
  /** Low-voltage sleep: silent until bus activity or a charger wakes it. */
  | 'asleep'
  /** 9CH shutdown: off until powered up by hand (a reboot injection). */
  | 'off'
  /** FF 50 accepted: the bootloader owns the UART; the application (and the MOSFETs) are off. */
  | 'bootloader';

/** Delay between a 9CH request and the pack switching off. */
const SHUTDOWN_DELAY_ms = 5000;

/** Settings the pack stores without the simulator modelling what they drive. */
export interface PackExtras {
  /** A9H: reference voltage calibration value; the ADC reference itself is not modelled. */
  reference_mV: number | null;
  /** F4H extension: CAN bit rate (the simulator has no CAN bus). */
  canBitrate_kbps: number;
  /** F5H extension: Wi-Fi credentials for the B35 module. */
  wifi: { ssid: string; password: string } | null;
}

export class SimPack {
  /** DIP address, or the software address set with the F0H extension. */
  address: number;
  /** Taken out of the parallel group with the F2H extension ("module exit") until it restarts. */
  excluded = false;
  readonly extras: PackExtras = { reference_mV: null, canBitrate_kbps: 250, wifi: null };
  readonly model: PackModel;
  readonly sensors: Sensors;
  readonly bms: Bms;
  readonly gauge: Gauge;
  readonly history: History;
  readonly rtc: Rtc;
  readonly identity: PackIdentity;
  /** Number of cells the BMS reports (B4H can lower it below the cells fitted). */
  reportedCellCount: number;
  readonly tempCount: number;
  params: PackParams;
  /** Link to the bus; false = the slave's link cable is out (it cannot answer). */
  linkUp = true;
  readings: SensorReadings;
  /** A charger is driving the bus (set by the bank each tick). */
  chargerPresent = false;

  readonly #clock: TimeSource;
  readonly #boot_ms: number;
  #power: PowerState = 'on';
  #bootUntil_ms = 0;
  #shutdownAt_ms: number | null = null;
  #lowAndIdleSince_ms: number | null = null;
  #lastFrame_ms: number;
  #lastEventKey = -1;
  #wasFull = false;
  #wasUv = false;

  constructor(o: SimPackOptions) {
    this.address = o.address;
    this.#clock = o.clock;
    this.#boot_ms = o.boot_ms ?? 2000;
    this.identity = { ...o.identity };
    this.tempCount = o.tempCount;
    const cellSensorCount = o.tempCount - 2;
    this.model = new PackModel({
      rng: o.rng.fork('cells'),
      cellCount: o.cellCount,
      cellSensorCount,
      design_Ah: o.design_Ah,
      initialSoc: o.initialSoc,
      ambient_C: o.ambient_C
    });
    this.reportedCellCount = o.cellCount;
    this.sensors = new Sensors(o.rng.fork('sensors'), o.cellCount);
    this.params = defaultParams();
    this.bms = new Bms(() => this.params, o.bms);
    const gaugeRng = o.rng.fork('gauge');
    const full_Ah = Math.round(o.design_Ah * (1.0 + gaugeRng.uniform(0, 0.04)) * 100) / 100;
    this.gauge = new Gauge({
      design_Ah: o.design_Ah,
      full_Ah,
      remaining_Ah: full_Ah * o.initialSoc,
      cycles: 20 + gaugeRng.int(200)
    });
    this.history = new History(o.historyCapacity);
    this.rtc = new Rtc(o.clock, o.rtcStart_ms);
    this.#lastFrame_ms = o.clock.now();
    this.readings = this.sensors.read(this.model);
    this.#evaluate(o.clock.now(), false);
    this.#record(true);
  }

  get power(): PowerState {
    return this.#power;
  }

  /** How long a reboot keeps the pack silent (ms). */
  get bootTime_ms(): number {
    return this.#boot_ms;
  }

  get status(): BmsStatus {
    return this.bms.status;
  }

  /** C1H text. */
  get softwareVersion(): string {
    return `${this.identity.model}-${this.identity.board}-${this.identity.firmwareVersion}`;
  }

  /** Answers on the bus right now. */
  get responsive(): boolean {
    return this.#power === 'on' && this.linkUp;
  }

  /** Whether the MOSFETs may conduct at all. */
  get conducting(): boolean {
    return this.#power === 'on';
  }

  /** Factory defaults for the parameters (A4H, FF 02). */
  restoreDefaults(): void {
    this.params = defaultParams();
  }

  /** What the new firmware resets after an upgrade (FF 50's "recoverable parameter" bits). */
  applyUpgradeRestore(sel: { capacity: boolean; cellAndNtcCount: boolean; protectionParameters: boolean; protocol: boolean }): void {
    const defaults = defaultParams();
    if (sel.capacity) this.gauge.setCapacities(this.gauge.design_Ah * (this.gauge.soc_pct / 100), this.gauge.design_Ah, this.gauge.design_Ah);
    if (sel.cellAndNtcCount) this.reportedCellCount = this.model.cellCount;
    if (sel.protectionParameters) {
      const { canProtocol, rs485Protocol, protocolMode } = this.params;
      this.params = { ...defaults, canProtocol, rs485Protocol, protocolMode };
    }
    if (sel.protocol) {
      this.params.canProtocol = defaults.canProtocol;
      this.params.rs485Protocol = defaults.rs485Protocol;
      this.params.protocolMode = defaults.protocolMode;
    }
  }

  /** A frame addressed to this pack arrived: keeps it awake, wakes it if asleep (that frame is lost). */
  noteBusActivity(now_ms: number): void {
    this.#lastFrame_ms = now_ms;
    if (this.#power === 'asleep') this.#startBoot(now_ms);
  }

  /** Restart (reboot injection, 9CH with current flowing, leaving the bootloader). */
  reboot(now_ms: number): void {
    this.#startBoot(now_ms);
  }

  /** FF 50: hand the UART to the bootloader until it exits with a reboot. */
  enterBootloader(): void {
    this.#power = 'bootloader';
    this.#shutdownAt_ms = null;
    this.bms.reset();
  }

  /** 9CH: switch off after a short delay, or reboot at once if current flows (reference §7.3). */
  requestShutdown(now_ms: number): void {
    if (Math.abs(this.readings.current_A) > this.bms.options.idleCurrent_A) this.reboot(now_ms);
    else this.#shutdownAt_ms = now_ms + SHUTDOWN_DELAY_ms;
  }

  #startBoot(now_ms: number): void {
    this.#power = 'booting';
    this.excluded = false;
    this.#bootUntil_ms = now_ms + this.#boot_ms;
    this.#shutdownAt_ms = null;
    this.bms.reset();
  }

  /**
   * Advance physics and firmware by dt with this pack's share of the bus current (+ charging).
   * `now_ms` is the clock time at the end of the step.
   */
  tick(now_ms: number, dt_s: number, current_A: number): void {
    this.model.step(this.conducting ? current_A : 0, dt_s);

    if (this.#power === 'booting' && now_ms >= this.#bootUntil_ms) {
      this.#power = 'on';
      this.#lowAndIdleSince_ms = null;
      this.#lastFrame_ms = now_ms;
      this.readings = this.sensors.read(this.model);
      this.#evaluate(now_ms, false);
      this.#record(true);
      return;
    }
    if (this.#power !== 'on') {
      // Asleep: a charger on the bus wakes the pack.
      if (this.#power === 'asleep' && this.chargerPresent) this.#startBoot(now_ms);
      return;
    }
    if (this.#shutdownAt_ms !== null && now_ms >= this.#shutdownAt_ms) {
      this.#shutdownAt_ms = null;
      this.#power = 'off';
      this.bms.reset();
      return;
    }

    this.readings = this.sensors.read(this.model);
    this.gauge.integrate(this.readings.current_A, dt_s);
    this.#evaluate(now_ms);
    this.#sleepCheck(now_ms);
  }

  /** One firmware cycle; `recordChanges` false at power-on, whose own record covers the state. */
  #evaluate(now_ms: number, recordChanges = true): void {
    const r = this.readings;
    const status = this.bms.evaluate(
      {
        cells_mV: r.cells_mV,
        temps_C: r.temps_C,
        cellSensorCount: this.tempCount - 2,
        current_A: r.current_A,
        packVoltage_mV: r.packVoltage_mV,
        soc_pct: this.gauge.soc_pct,
        chargerPresent: this.chargerPresent
      },
      now_ms
    );
    // The firmware acts on its decisions through the hardware.
    for (let i = 0; i < this.model.bleeding.length; i++) this.model.bleeding[i] = status.balancing[i] ?? false;
    this.model.heaterOn = status.heaterOn;
    // Re-anchor the gauge at the ends of the curve, where voltage says more than counting.
    const full = this.bms.full;
    if (full && !this.#wasFull) this.gauge.markFull();
    this.#wasFull = full;
    const uv = (status.protection1 & 0b10) !== 0;
    if (uv && !this.#wasUv) this.gauge.markEmpty();
    this.#wasUv = uv;

    // Six status bytes as one number (48 bits fit a double exactly).
    const key =
      status.protection1 +
      status.protection2 * 0x100 +
      status.fault * 0x10000 +
      status.warning1 * 0x1000000 +
      status.warning2 * 0x100000000 +
      status.fault8 * 0x10000000000;
    if (key !== this.#lastEventKey) {
      this.#lastEventKey = key;
      if (recordChanges) this.#record(false);
    }
  }

  #sleepCheck(now_ms: number): void {
    let minCell = Infinity;
    for (const v of this.readings.cells_mV) if (v < minCell) minCell = v;
    const idle = Math.abs(this.readings.current_A) < this.bms.options.idleCurrent_A;
    if (minCell < this.params.sleepCell_mV && idle) {
      this.#lowAndIdleSince_ms ??= now_ms;
      const delay_ms = this.params.sleepDelay_min * 60_000;
      const quietSince = Math.max(this.#lowAndIdleSince_ms, this.#lastFrame_ms);
      if (now_ms - quietSince >= delay_ms) {
        this.#power = 'asleep';
        this.bms.reset();
      }
    } else {
      this.#lowAndIdleSince_ms = null;
    }
  }

  #record(powerOn: boolean): void {
    this.history.push(this.snapshotEntry(powerOn));
  }

  /** A history record of the present state. */
  snapshotEntry(powerOn: boolean): HistoryEntry {
    const r = this.readings;
    const s = this.bms.status;
    return {
      time_ms: this.rtc.now_ms(),
      cells_mV: r.cells_mV.slice(0, this.reportedCellCount),
      temps_C: r.temps_C.slice(),
      current_A: r.current_A,
      voltage_mV: r.packVoltage_mV,
      remaining_Ah: this.gauge.remaining_Ah,
      full_Ah: this.gauge.full_Ah,
      protection1: s.protection1,
      protection2: s.protection2,
      fault: s.fault,
      warning1: s.warning1,
      warning2: s.warning2,
      indication: s.indication,
      cycles: this.gauge.cycles,
      fault8: s.fault8,
      fault10: s.fault10,
      powerOn
    };
  }

  /**
   * Put the invented past (sim/history.ts) before what the log holds now. Called once, before
   * anything but the first power-on is recorded.
   */
  seedHistory(plan: readonly PastDay[], rng: Rng): void {
    if (plan.length === 0) return;
    const live = this.history;
    const past = inventPastLog({ plan, rng, now_ms: this.rtc.now_ms(), now: this.snapshotEntry(false) });
    const current: HistoryEntry[] = [];
    for (let i = live.size - 1; i >= 0; i--) current.push(live.get(i)!);
    live.clear();
    for (const e of past) live.push(e);
    for (const e of current) live.push(e);
  }

  /** Clock time now, for callers without a clock. */
  now(): number {
    return this.#clock.now();
  }
}

// The BMS firmware's decisions for one pack: alarms and protections from its own parameter store
// (threshold, delay, release with hysteresis), MOSFET states, the 9AH/9BH switching rules, passive
// balancing, the heating film, the charge-current limiter, and the 44H status bytes. Inputs are
// measurements (what the ADC reads), never the physics' true values.

import { DelayedLatch } from './delayed';
import type { PackParams } from './params-store';

export interface BmsMeasurements {
  cells_mV: number[];
  /** Cell sensors, then MOSFET, then ambient; null = not fitted. */
  temps_C: (number | null)[];
  cellSensorCount: number;
  /** + charging. */
  current_A: number;
  packVoltage_mV: number;
  soc_pct: number;
  /** A charger is driving the bus (the BMS sees it as voltage on the port). */
  chargerPresent: boolean;
}

export interface BmsOptions {
  /** Clear delay for voltage and temperature protections once back inside the release limit. */
  releaseDelay_ms: number;
  /** Delay for temperature protections (not a wire parameter on PACE). */
  tempDelay_ms: number;
  /** Over-current and short-circuit protections re-arm after this long. */
  ocRecovery_ms: number;
  /** Discharge current that counts as a short circuit (A). */
  shortCircuit_A: number;
  /** Current below which the pack counts as idle (A). */
  idleCurrent_A: number;
  heaterFitted: boolean;
  heaterOn_C: number;
  heaterOff_C: number;
  /** Charge current the limiter lets through in its low and high gear (A). */
  limiterLow_A: number;
  limiterHigh_A: number;
  /** How long the limiter stays engaged before it tries full current again. */
  limiterHold_ms: number;
  /** Control status bits 1/2: 'doc' = 1 means the MOSFET function is enabled; 'forced-off' = 1 means forced off. */
  controlPolarity: 'doc' | 'forced-off';
}

const DEFAULT_BMS_OPTIONS: BmsOptions = {
  releaseDelay_ms: 2000,
  tempDelay_ms: 2000,
  ocRecovery_ms: 60_000,
  shortCircuit_A: 400,
  idleCurrent_A: 0.5,
  heaterFitted: true,
  heaterOn_C: 2,
  heaterOff_C: 8,
  limiterLow_A: 10,
  limiterHigh_A: 20,
  limiterHold_ms: 30_000,
  controlPolarity: 'doc'
};

/** Alarm code bytes (reference §6.2). */
const ALARM_NORMAL = 0x00;
const ALARM_LOW = 0x01;
const ALARM_HIGH = 0x02;
const ALARM_OTHER = 0xf0;

/** Lowest / highest plausible thermistor reading; outside it the sensor is broken. */
const NTC_VALID_MIN_C = -40;
const NTC_VALID_MAX_C = 120;
/** A cell reading below this is a broken sense wire or a dead cell. */
const CELL_FAULT_mV = 1500;
/** Hysteresis on the warning (alarm) bits so ADC noise does not make them flicker. */
const WARN_HYST_mV = 20;
const WARN_HYST_PACK_mV = 200;
const WARN_HYST_C = 1;
const WARN_HYST_A = 2;

export interface BmsStatus {
  cellAlarms: number[];
  tempAlarms: number[];
  chargeCurrentAlarm: number;
  packVoltageAlarm: number;
  dischargeCurrentAlarm: number;
  protection1: number;
  protection2: number;
  indication: number;
  control: number;
  fault: number;
  warning1: number;
  warning2: number;
  fault8: number;
  indication9: number;
  fault10: number;
  /** Per cell, true while its balancing resistor is on. */
  balancing: boolean[];
  chargeMosOn: boolean;
  dischargeMosOn: boolean;
  heaterOn: boolean;
  limiterEngaged: boolean;
}

export type MosSwitchResult = 'ok' | 'refused';

/** Switches of the 99H control command (reference §7.1). */
export interface BmsSwitches {
  buzzer: boolean;
  ledAlarm: boolean;
  limiter: boolean;
  gearLow: boolean;
  staticBalancing: boolean;
  /** 6AH: the active balancer (its energy transfer is not modelled; the switch is kept). */
  activeBalancing: boolean;
  systemLock: boolean;
  testMode: boolean;
}

function bit(on: boolean, n: number): number {
  return on ? 1 << n : 0;
}

/** Warning latch with a small hysteresis band and no delay. */
class Warning {
  active = false;
  update(over: boolean, backInside: boolean): boolean {
    if (!this.active && over) this.active = true;
    else if (this.active && backInside) this.active = false;
    return this.active;
  }
}

export class Bms {
  readonly options: BmsOptions;
  readonly #params: () => PackParams;

  // Protections (protection status 1 / 2).
  readonly #cellOv = new DelayedLatch();
  readonly #cellUv = new DelayedLatch();
  readonly #packOv = new DelayedLatch();
  readonly #packUv = new DelayedLatch();
  readonly #chgOc = new DelayedLatch();
  readonly #dsgOc = new DelayedLatch();
  readonly #chgOc2 = new DelayedLatch();
  readonly #dsgOc2 = new DelayedLatch();
  readonly #short = new DelayedLatch();
  readonly #chgHot = new DelayedLatch();
  readonly #dsgHot = new DelayedLatch();
  readonly #chgCold = new DelayedLatch();
  readonly #dsgCold = new DelayedLatch();
  readonly #mosHot = new DelayedLatch();
  readonly #envHot = new DelayedLatch();
  readonly #envCold = new DelayedLatch();
  /** Over-current trips re-arm on a timer, not on a threshold (the current is gone once the MOSFET opens). */
  readonly #ocTrippedAt = new Map<DelayedLatch, number>();

  // Warnings (alarm status 1 / 2).
  readonly #wCellOv = new Warning();
  readonly #wCellUv = new Warning();
  readonly #wPackOv = new Warning();
  readonly #wPackUv = new Warning();
  readonly #wChgOc = new Warning();
  readonly #wDsgOc = new Warning();
  readonly #wChgHot = new Warning();
  readonly #wDsgHot = new Warning();
  readonly #wChgCold = new Warning();
  readonly #wDsgCold = new Warning();
  readonly #wMosHot = new Warning();
  readonly #wEnvHot = new Warning();
  readonly #wEnvCold = new Warning();
  readonly #wLowSoc = new Warning();

  #full = false;
  #chargeForcedOff = false;
  #dischargeForcedOff = false;
  #shutdown = false;
  #heaterOn = false;
  #limiterSince: number | null = null;
  #balancing: boolean[] = [];
  #lastCurrent_A = 0;
  #lastChargerPresent = false;
  #slaveOffline = false;
  #status: BmsStatus;

  readonly switches: BmsSwitches = {
    buzzer: false,
    ledAlarm: true,
    limiter: true,
    gearLow: false,
    staticBalancing: true,
    activeBalancing: false,
    systemLock: false,
    testMode: false
  };

  constructor(params: () => PackParams, options: Partial<BmsOptions> = {}) {
    this.options = { ...DEFAULT_BMS_OPTIONS, ...options };
    this.#params = params;
    this.#status = this.#emptyStatus(16, 6);
  }

  get status(): BmsStatus {
    return this.#status;
  }

  get chargeForcedOff(): boolean {
    return this.#chargeForcedOff;
  }

  get dischargeForcedOff(): boolean {
    return this.#dischargeForcedOff;
  }

  /** Set by the bank on the master when a slave stops answering on the link bus (fault status 8 bit 5). */
  set slaveOffline(v: boolean) {
    this.#slaveOffline = v;
  }

  /** 9C: the MOSFETs open and stay open until the pack is powered up again. */
  set shutdown(v: boolean) {
    this.#shutdown = v;
  }

  get shutdown(): boolean {
    return this.#shutdown;
  }

  /** Power-on: volatile state goes, EEPROM (params, switches) stays. */
  reset(): void {
    for (const l of [
      this.#cellOv,
      this.#cellUv,
      this.#packOv,
      this.#packUv,
      this.#chgOc,
      this.#dsgOc,
      this.#chgOc2,
      this.#dsgOc2,
      this.#short,
      this.#chgHot,
      this.#dsgHot,
      this.#chgCold,
      this.#dsgCold,
      this.#mosHot,
      this.#envHot,
      this.#envCold
    ])
      l.force(false);
    this.#ocTrippedAt.clear();
    this.#chargeForcedOff = false;
    this.#dischargeForcedOff = false;
    this.#shutdown = false;
    this.#full = false;
    this.#heaterOn = false;
    this.#limiterSince = null;
    this.#balancing = this.#balancing.map(() => false);
  }

  /**
   * 9AH / 9BH. Switching one MOSFET off is refused while the other is forced off, or while current
   * flows in the direction the other one would have to carry through this one's body diode
   * (reference §7.2: "if discharge MOS is forced off or discharging, charge MOS cannot be disabled").
   */
  switchMos(which: 'charge' | 'discharge', on: boolean): MosSwitchResult {
    const idle = this.options.idleCurrent_A;
    if (which === 'charge') {
      if (!on && (this.#dischargeForcedOff || this.#lastCurrent_A < -idle)) return 'refused';
      this.#chargeForcedOff = !on;
    } else {
      if (!on && (this.#chargeForcedOff || this.#lastCurrent_A > idle)) return 'refused';
      this.#dischargeForcedOff = !on;
    }
    this.#status = { ...this.#status, ...this.#mosState() };
    this.#status.indication = this.#indication(this.#lastCurrent_A, this.#lastChargerPresent);
    this.#status.control = this.#control();
    return 'ok';
  }

  #mosState(): { chargeMosOn: boolean; dischargeMosOn: boolean } {
    return { chargeMosOn: !this.#chargeBlocked(), dischargeMosOn: !this.#dischargeBlocked() };
  }

  #chargeBlocked(): boolean {
    return (
      this.#shutdown ||
      this.#chargeForcedOff ||
      this.#cellOv.active ||
      this.#packOv.active ||
      this.#chgOc.active ||
      this.#chgOc2.active ||
      this.#chgHot.active ||
      this.#chgCold.active ||
      this.#mosHot.active ||
      this.#envHot.active ||
      this.#envCold.active
    );
  }

  #dischargeBlocked(): boolean {
    return (
      this.#shutdown ||
      this.#dischargeForcedOff ||
      this.#cellUv.active ||
      this.#packUv.active ||
      this.#dsgOc.active ||
      this.#dsgOc2.active ||
      this.#short.active ||
      this.#dsgHot.active ||
      this.#dsgCold.active ||
      this.#mosHot.active ||
      this.#envHot.active ||
      this.#envCold.active
    );
  }

  /** Charge current ceiling while the limiter is engaged, else undefined. */
  get chargeLimit_A(): number | undefined {
    if (this.#limiterSince === null) return undefined;
    return this.switches.gearLow ? this.options.limiterLow_A : this.options.limiterHigh_A;
  }

  get full(): boolean {
    return this.#full;
  }

  /** One evaluation cycle of the firmware. */
  evaluate(m: BmsMeasurements, now_ms: number): BmsStatus {
    const p = this.#params();
    const o = this.options;
    this.#lastCurrent_A = m.current_A;
    this.#lastChargerPresent = m.chargerPresent;
    const n = m.cells_mV.length;
    if (this.#balancing.length !== n) this.#balancing = new Array<boolean>(n).fill(false);

    let maxCell = -Infinity;
    let minCell = Infinity;
    for (const v of m.cells_mV) {
      if (v > maxCell) maxCell = v;
      if (v < minCell) minCell = v;
    }
    const charge_A = Math.max(0, m.current_A);
    const discharge_A = Math.max(0, -m.current_A);

    // Thermistors: plausible cell sensors feed the cell-temperature protections.
    const sensorFault = m.temps_C.map((t) => t !== null && (t < NTC_VALID_MIN_C || t > NTC_VALID_MAX_C));
    let maxT: number | null = null;
    let minT: number | null = null;
    for (let i = 0; i < m.cellSensorCount; i++) {
      const t = m.temps_C[i];
      if (t === null || sensorFault[i]) continue;
      if (maxT === null || t > maxT) maxT = t;
      if (minT === null || t < minT) minT = t;
    }
    const mosIdx = m.cellSensorCount;
    const envIdx = m.cellSensorCount + 1;
    const mosT = sensorFault[mosIdx] ? null : m.temps_C[mosIdx];
    const envT = sensorFault[envIdx] ? null : m.temps_C[envIdx];

    const rd = o.releaseDelay_ms;
    const td = o.tempDelay_ms;

    // Voltage protections.
    const cov = p.cellOverVoltage;
    this.#cellOv.update(now_ms, cov.enabled && maxCell >= cov.protect_mV, !cov.enabled || maxCell < cov.release_mV, cov.delay_ms, rd);
    const cuv = p.cellUnderVoltage;
    this.#cellUv.update(now_ms, cuv.enabled && minCell <= cuv.protect_mV, !cuv.enabled || minCell > cuv.release_mV, cuv.delay_ms, rd);
    const pov = p.packOverVoltage;
    this.#packOv.update(
      now_ms,
      pov.enabled && m.packVoltage_mV >= pov.protect_mV,
      !pov.enabled || m.packVoltage_mV < pov.release_mV,
      pov.delay_ms,
      rd
    );
    const puv = p.packUnderVoltage;
    this.#packUv.update(
      now_ms,
      puv.enabled && m.packVoltage_mV <= puv.protect_mV,
      !puv.enabled || m.packVoltage_mV > puv.release_mV,
      puv.delay_ms,
      rd
    );

    // Current protections: trip after the delay, re-arm after the recovery time.
    const coc = p.chargeOverCurrent;
    const doc = p.dischargeOverCurrent;
    const oc2 = p.overCurrent2;
    this.#overCurrent(this.#chgOc, now_ms, coc.enabled && charge_A >= coc.protect_A, coc.delay_ms);
    this.#overCurrent(this.#dsgOc, now_ms, doc.enabled && discharge_A >= doc.protect_A, doc.delay_ms);
    this.#overCurrent(this.#chgOc2, now_ms, coc.enabled && charge_A >= oc2.charge_A, oc2.chargeDelay_ms);
    this.#overCurrent(this.#dsgOc2, now_ms, doc.enabled && discharge_A >= oc2.discharge_A, oc2.dischargeDelay_ms);
    // Microseconds are below any evaluation cycle: the hardware comparator trips on first sight.
    this.#overCurrent(this.#short, now_ms, discharge_A >= o.shortCircuit_A, 0);

    // Temperature protections.
    const hot = p.cellHighTemp;
    const cold = p.cellLowTemp;
    this.#chgHot.update(
      now_ms,
      hot.enabled && maxT !== null && maxT >= hot.chargeProtect_C,
      !hot.enabled || maxT === null || maxT < hot.chargeRelease_C,
      td,
      rd
    );
    this.#dsgHot.update(
      now_ms,
      hot.enabled && maxT !== null && maxT >= hot.dischargeProtect_C,
      !hot.enabled || maxT === null || maxT < hot.dischargeRelease_C,
      td,
      rd
    );
    this.#chgCold.update(
      now_ms,
      cold.enabled && minT !== null && minT <= cold.chargeProtect_C,
      !cold.enabled || minT === null || minT > cold.chargeRelease_C,
      td,
      rd
    );
    this.#dsgCold.update(
      now_ms,
      cold.enabled && minT !== null && minT <= cold.dischargeProtect_C,
      !cold.enabled || minT === null || minT > cold.dischargeRelease_C,
      td,
      rd
    );
    const mos = p.mosHighTemp;
    this.#mosHot.update(now_ms, mos.enabled && mosT !== null && mosT >= mos.protect_C, !mos.enabled || mosT === null || mosT < mos.release_C, td, rd);
    const env = p.ambientTemp;
    this.#envHot.update(
      now_ms,
      env.enabled && envT !== null && envT >= env.highProtect_C,
      !env.enabled || envT === null || envT < env.highRelease_C,
      td,
      rd
    );
    this.#envCold.update(
      now_ms,
      env.enabled && envT !== null && envT <= env.lowProtect_C,
      !env.enabled || envT === null || envT > env.lowRelease_C,
      td,
      rd
    );

    // Warnings.
    const w1 =
      bit(cov.enabled && this.#wCellOv.update(maxCell >= cov.alarm_mV, maxCell < cov.alarm_mV - WARN_HYST_mV), 0) |
      bit(cuv.enabled && this.#wCellUv.update(minCell <= cuv.alarm_mV, minCell > cuv.alarm_mV + WARN_HYST_mV), 1) |
      bit(pov.enabled && this.#wPackOv.update(m.packVoltage_mV >= pov.alarm_mV, m.packVoltage_mV < pov.alarm_mV - WARN_HYST_PACK_mV), 2) |
      bit(puv.enabled && this.#wPackUv.update(m.packVoltage_mV <= puv.alarm_mV, m.packVoltage_mV > puv.alarm_mV + WARN_HYST_PACK_mV), 3) |
      bit(coc.enabled && this.#wChgOc.update(charge_A >= coc.alarm_A, charge_A < coc.alarm_A - WARN_HYST_A), 4) |
      bit(doc.enabled && this.#wDsgOc.update(discharge_A >= doc.alarm_A, discharge_A < doc.alarm_A - WARN_HYST_A), 5);
    const tMax = maxT ?? -Infinity;
    const tMin = minT ?? Infinity;
    const mosV = mosT ?? -Infinity;
    const envHi = envT ?? -Infinity;
    const envLo = envT ?? Infinity;
    const w2 =
      bit(hot.enabled && this.#wChgHot.update(tMax >= hot.chargeAlarm_C, tMax < hot.chargeAlarm_C - WARN_HYST_C), 0) |
      bit(hot.enabled && this.#wDsgHot.update(tMax >= hot.dischargeAlarm_C, tMax < hot.dischargeAlarm_C - WARN_HYST_C), 1) |
      bit(cold.enabled && this.#wChgCold.update(tMin <= cold.chargeAlarm_C, tMin > cold.chargeAlarm_C + WARN_HYST_C), 2) |
      bit(cold.enabled && this.#wDsgCold.update(tMin <= cold.dischargeAlarm_C, tMin > cold.dischargeAlarm_C + WARN_HYST_C), 3) |
      bit(env.enabled && this.#wEnvHot.update(envHi >= env.highAlarm_C, envHi < env.highAlarm_C - WARN_HYST_C), 4) |
      bit(env.enabled && this.#wEnvCold.update(envLo <= env.lowAlarm_C, envLo > env.lowAlarm_C + WARN_HYST_C), 5) |
      bit(mos.enabled && this.#wMosHot.update(mosV >= mos.alarm_C, mosV < mos.alarm_C - WARN_HYST_C), 6) |
      bit(this.#wLowSoc.update(m.soc_pct < p.lowSocAlarm_pct, m.soc_pct >= p.lowSocAlarm_pct + 1), 7);

    // Fully charged: pack at the full-charge voltage with the charge current tapered off.
    const taper = charge_A > o.idleCurrent_A && charge_A * 1000 < p.fullChargeCurrent_mA;
    if (!this.#full && ((m.packVoltage_mV >= p.fullChargePack_mV && taper) || this.#cellOv.active)) this.#full = true;
    else if (this.#full && discharge_A > 2 && m.soc_pct < 98) this.#full = false;

    const protection1 =
      bit(this.#cellOv.active, 0) |
      bit(this.#cellUv.active, 1) |
      bit(this.#packOv.active, 2) |
      bit(this.#packUv.active, 3) |
      bit(this.#chgOc.active || this.#chgOc2.active, 4) |
      bit(this.#dsgOc.active || this.#dsgOc2.active, 5) |
      bit(this.#short.active, 6);
    const protection2 =
      bit(this.#chgHot.active, 0) |
      bit(this.#dsgHot.active, 1) |
      bit(this.#chgCold.active, 2) |
      bit(this.#dsgCold.active, 3) |
      bit(this.#mosHot.active, 4) |
      bit(this.#envHot.active, 5) |
      bit(this.#envCold.active, 6) |
      bit(this.#full, 7);

    // Passive balancing: bleed cells above the start voltage that sit more than the start delta
    // above the lowest cell; stop at half the delta so the bits do not chatter.
    for (let i = 0; i < n; i++) {
      const v = m.cells_mV[i];
      const over = v - minCell;
      const allowed = this.switches.staticBalancing && v >= p.balanceStart_mV && !this.#shutdown;
      if (!allowed) this.#balancing[i] = false;
      else if (!this.#balancing[i] && over >= p.balanceDelta_mV) this.#balancing[i] = true;
      else if (this.#balancing[i] && over < p.balanceDelta_mV / 2) this.#balancing[i] = false;
    }

    // Heating film: runs from the charger, so only while one is present.
    if (!o.heaterFitted || !m.chargerPresent || minT === null) this.#heaterOn = false;
    else if (!this.#heaterOn && minT < o.heaterOn_C) this.#heaterOn = true;
    else if (this.#heaterOn && minT > o.heaterOff_C) this.#heaterOn = false;

    // Charge current limiter.
    if (!this.switches.limiter) this.#limiterSince = null;
    else if (this.#limiterSince === null && charge_A >= p.limiterStart_A) this.#limiterSince = now_ms;
    else if (this.#limiterSince !== null && now_ms - this.#limiterSince >= o.limiterHold_ms) this.#limiterSince = null;

    const fault =
      bit(
        sensorFault.some((f) => f),
        2
      ) |
      bit(
        m.cells_mV.some((v) => v < CELL_FAULT_mV),
        4
      );
    const mosState = this.#mosState();

    const cellAlarms = m.cells_mV.map((v) =>
      cov.enabled && v >= cov.alarm_mV ? ALARM_HIGH : cuv.enabled && v <= cuv.alarm_mV ? ALARM_LOW : ALARM_NORMAL
    );
    const tempAlarms = m.temps_C.map((t, i) => {
      if (t === null) return ALARM_NORMAL;
      if (sensorFault[i]) return ALARM_OTHER;
      if (i < m.cellSensorCount)
        return hot.enabled && t >= hot.chargeAlarm_C ? ALARM_HIGH : cold.enabled && t <= cold.chargeAlarm_C ? ALARM_LOW : ALARM_NORMAL;
      if (i === mosIdx) return mos.enabled && t >= mos.alarm_C ? ALARM_HIGH : ALARM_NORMAL;
      return env.enabled && t >= env.highAlarm_C ? ALARM_HIGH : env.enabled && t <= env.lowAlarm_C ? ALARM_LOW : ALARM_NORMAL;
    });

    this.#status = {
      cellAlarms,
      tempAlarms,
      chargeCurrentAlarm: w1 & (1 << 4) ? ALARM_HIGH : ALARM_NORMAL,
      packVoltageAlarm: w1 & (1 << 2) ? ALARM_HIGH : w1 & (1 << 3) ? ALARM_LOW : ALARM_NORMAL,
      dischargeCurrentAlarm: w1 & (1 << 5) ? ALARM_HIGH : ALARM_NORMAL,
      protection1,
      protection2,
      indication: 0,
      control: 0,
      fault,
      warning1: w1,
      warning2: w2,
      fault8: bit(this.#slaveOffline, 5),
      indication9: 0,
      fault10: 0,
      balancing: this.#balancing.slice(),
      ...mosState,
      heaterOn: this.#heaterOn,
      limiterEngaged: this.#limiterSince !== null
    };
    this.#status.indication = this.#indication(m.current_A, m.chargerPresent);
    this.#status.control = this.#control();
    return this.#status;
  }

  #overCurrent(latch: DelayedLatch, now_ms: number, over: boolean, delay_ms: number): void {
    if (latch.active) {
      const at = this.#ocTrippedAt.get(latch) ?? now_ms;
      if (now_ms - at >= this.options.ocRecovery_ms) {
        latch.force(false);
        this.#ocTrippedAt.delete(latch);
      }
      return;
    }
    if (latch.update(now_ms, over, false, delay_ms, 0)) this.#ocTrippedAt.set(latch, now_ms);
  }

  /** Indication status (reference §6.5). */
  #indication(current_A: number, chargerPresent: boolean): number {
    const s = this.#status;
    const idle = this.options.idleCurrent_A;
    return (
      bit(s.limiterEngaged, 0) |
      bit(s.chargeMosOn, 1) |
      bit(s.dischargeMosOn, 2) |
      bit(current_A < -idle, 3) |
      bit(chargerPresent || current_A > idle, 5) |
      bit(this.#shutdown, 6) |
      bit(s.heaterOn, 7)
    );
  }

  /** Control status (reference §6.6). */
  #control(): number {
    const sw = this.switches;
    const docPolarity = this.options.controlPolarity === 'doc';
    const cfet = docPolarity ? !this.#chargeForcedOff : this.#chargeForcedOff;
    const dfet = docPolarity ? !this.#dischargeForcedOff : this.#dischargeForcedOff;
    return (
      bit(sw.buzzer, 0) |
      bit(cfet, 1) |
      bit(dfet, 2) |
      bit(sw.gearLow, 3) |
      bit(!sw.limiter, 4) |
      bit(!sw.ledAlarm, 5) |
      bit(sw.systemLock, 6) |
      bit(sw.testMode, 7)
    );
  }

  /** Recompute the control byte after a 99H switch change. */
  refreshControl(): number {
    this.#status.control = this.#control();
    return this.#status.control;
  }

  #emptyStatus(cells: number, temps: number): BmsStatus {
    return {
      cellAlarms: new Array<number>(cells).fill(0),
      tempAlarms: new Array<number>(temps).fill(0),
      chargeCurrentAlarm: 0,
      packVoltageAlarm: 0,
      dischargeCurrentAlarm: 0,
      protection1: 0,
      protection2: 0,
      indication: 0,
      control: 0,
      fault: 0,
      warning1: 0,
      warning2: 0,
      fault8: 0,
      indication9: 0,
      fault10: 0,
      balancing: new Array<boolean>(cells).fill(false),
      chargeMosOn: true,
      dischargeMosOn: true,
      heaterOn: false,
      limiterEngaged: false
    };
  }
}

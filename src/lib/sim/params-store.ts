// The protection and behaviour parameters one simulated pack keeps in its EEPROM. Defaults are the
// values captured from a real pack with PbmsTools (reference §8.1, §8.2). Everything here is in
// engineering units; the responder converts to and from the wire through the protocol codecs.

export interface VoltageProtection {
  enabled: boolean;
  alarm_mV: number;
  protect_mV: number;
  release_mV: number;
  delay_ms: number;
}

export interface CurrentProtection {
  enabled: boolean;
  /** Magnitudes (discharge values are stored positive; the wire reads them back negative). */
  alarm_A: number;
  protect_A: number;
  delay_ms: number;
}

export interface OverCurrent2 {
  discharge_A: number;
  dischargeDelay_ms: number;
  charge_A: number;
  chargeDelay_ms: number;
}

export interface CellTempProtection {
  enabled: boolean;
  chargeAlarm_C: number;
  chargeProtect_C: number;
  chargeRelease_C: number;
  dischargeAlarm_C: number;
  dischargeProtect_C: number;
  dischargeRelease_C: number;
}

export interface MosTempProtection {
  enabled: boolean;
  alarm_C: number;
  protect_C: number;
  release_C: number;
}

export interface AmbientTempProtection {
  enabled: boolean;
  lowAlarm_C: number;
  lowProtect_C: number;
  lowRelease_C: number;
  highAlarm_C: number;
  highProtect_C: number;
  highRelease_C: number;
}

export interface PackParams {
  cellOverVoltage: VoltageProtection;
  cellUnderVoltage: VoltageProtection;
  /** Pack voltages in mV as on the wire. */
  packOverVoltage: VoltageProtection;
  packUnderVoltage: VoltageProtection;
  chargeOverCurrent: CurrentProtection;
  dischargeOverCurrent: CurrentProtection;
  overCurrent2: OverCurrent2;
  shortCircuitDelay_us: number;
  cellHighTemp: CellTempProtection;
  cellLowTemp: CellTempProtection;
  mosHighTemp: MosTempProtection;
  ambientTemp: AmbientTempProtection;
  balanceStart_mV: number;
  balanceDelta_mV: number;
  sleepCell_mV: number;
  sleepDelay_min: number;
  fullChargePack_mV: number;
  fullChargeCurrent_mA: number;
  lowSocAlarm_pct: number;
  limiterStart_A: number;
  /** A5H: SOC at which charging is cut off (74–97 %). */
  chargeCutoffSoc_pct: number;
  /** B7H: minutes between timed history records; 0 = off. */
  storageInterval_min: number;
  /** B9H / BBH: window for timed storage, epoch ms; null = always. */
  storageStart_ms: number | null;
  storageEnd_ms: number | null;
  /** EBH: inverter protocol ids and mode (0 automatic, 1 manual). */
  canProtocol: number;
  rs485Protocol: number;
  protocolMode: number;
  /** 6AH: active balancing module enabled. */
  activeBalancing: boolean;
}

export function defaultParams(): PackParams {
  return {
    cellOverVoltage: { enabled: true, alarm_mV: 3600, protect_mV: 3700, release_mV: 3380, delay_ms: 1000 },
    cellUnderVoltage: { enabled: true, alarm_mV: 2800, protect_mV: 2500, release_mV: 2900, delay_ms: 1000 },
    packOverVoltage: { enabled: true, alarm_mV: 57_600, protect_mV: 59_200, release_mV: 54_000, delay_ms: 1000 },
    packUnderVoltage: { enabled: true, alarm_mV: 44_800, protect_mV: 40_000, release_mV: 46_400, delay_ms: 1000 },
    chargeOverCurrent: { enabled: true, alarm_A: 104, protect_A: 110, delay_ms: 1000 },
    dischargeOverCurrent: { enabled: true, alarm_A: 105, protect_A: 110, delay_ms: 1000 },
    overCurrent2: { discharge_A: 150, dischargeDelay_ms: 100, charge_A: 150, chargeDelay_ms: 100 },
    shortCircuitDelay_us: 300,
    cellHighTemp: {
      enabled: true,
      chargeAlarm_C: 51,
      chargeProtect_C: 55,
      chargeRelease_C: 50,
      dischargeAlarm_C: 56,
      dischargeProtect_C: 60,
      dischargeRelease_C: 55
    },
    cellLowTemp: {
      enabled: true,
      chargeAlarm_C: 0,
      chargeProtect_C: -5,
      chargeRelease_C: 0,
      dischargeAlarm_C: -15,
      dischargeProtect_C: -20,
      dischargeRelease_C: -15
    },
    mosHighTemp: { enabled: true, alarm_C: 90, protect_C: 110, release_C: 85 },
    ambientTemp: {
      enabled: true,
      lowAlarm_C: -20,
      lowProtect_C: -25,
      lowRelease_C: -20,
      highAlarm_C: 65,
      highProtect_C: 70,
      highRelease_C: 65
    },
    balanceStart_mV: 3400,
    balanceDelta_mV: 30,
    sleepCell_mV: 3100,
    sleepDelay_min: 5,
    fullChargePack_mV: 56_000,
    fullChargeCurrent_mA: 2000,
    lowSocAlarm_pct: 5,
    limiterStart_A: 100,
    chargeCutoffSoc_pct: 97,
    storageInterval_min: 0,
    storageStart_ms: null,
    storageEnd_ms: null,
    canProtocol: 0x01,
    rs485Protocol: 0x01,
    protocolMode: 0x01,
    activeBalancing: false
  };
}

/** Deep copy (params are plain data). */
export function cloneParams(p: PackParams): PackParams {
  return structuredClone(p);
}

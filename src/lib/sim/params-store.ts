// The protection and behaviour parameters one simulated pack keeps in its EEPROM. Defaults are the
// values captured from a real pack with PbmsTools (reference §8.1, §8.2). The protection groups
// use the protocol's own typed values, so the responder hands them to the codecs unchanged.

import type { BmsDateTime } from '../protocol/commands/datetime';
import type {
  AmbientTemperatureProtection,
  CellTemperatureProtection,
  CurrentProtection,
  MosTemperatureProtection,
  OverCurrent2,
  VoltageProtection
} from '../protocol/commands/protection';

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
  cellHighTemp: CellTemperatureProtection;
  cellLowTemp: CellTemperatureProtection;
  mosHighTemp: MosTemperatureProtection;
  ambientTemp: AmbientTemperatureProtection;
  balanceStart_mV: number;
  balanceDelta_mV: number;
  sleepCell_mV: number;
  sleepDelay_min: number;
  fullChargePack_mV: number;
  fullChargeCurrent_mA: number;
  lowSocAlarm_pct: number;
  limiterStart_A: number;
  /**
   * A5H "capacity release %" / charge cut-off SOC (74–97 %). Stored and accepted; its exact effect
   * is not documented, so the simulated firmware does not act on it.
   */
  chargeCutoffSoc_pct: number;
  /** EBH: inverter protocol ids and mode (0 automatic, 1 manual). */
  canProtocol: number;
  rs485Protocol: number;
  protocolMode: number;
  /**
   * B7H–BCH timed storage: interval (0 = off) and the window it applies to. Stored and read back;
   * the records it would add to the history are not simulated (the document does not say what
   * they contain).
   */
  storageInterval_min: number;
  storageStart: BmsDateTime;
  storageEnd: BmsDateTime;
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
    canProtocol: 0x01,
    rs485Protocol: 0x01,
    protocolMode: 0x01,
    storageInterval_min: 0,
    storageStart: { year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0 },
    storageEnd: { year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0 }
  };
}

// Status bits of the VER 20 dialects (reference §11; bit names as nkinnan's v20 decoder [S3]
// and the Seplos V2.0 / Pylontech documents [S5][S2] give them).

import { CHECK_CELLS, CHECK_CHARGER, CHECK_LOAD, CHECK_TEMP_ROOM, SERVICE, type FlagDef } from './status-flags';

const P = 'protection' as const;
const W = 'warning' as const;
const F = 'fault' as const;
const S = 'state' as const;

function cellFaults(first: number): FlagDef[] {
  return Array.from({ length: 8 }, (_, bit) => ({
    id: `cell${first + bit}Fault`,
    bit,
    severity: F,
    label: `Cell ${first + bit} fault (above 4.2 V or below 1.0 V)`,
    advice: `${CHECK_CELLS} ${SERVICE}`
  }));
}

/**
 * Bits the Seplos V2.0 tables call "internal bit": documented as carrying nothing for the user, so
 * they raise no flag (the raw byte stays in PackStatus.bytes) rather than an "undocumented bit".
 */
function internalBits(...bits: number[]): FlagDef[] {
  return bits.map((bit) => ({ id: `internalBit${bit}`, bit, severity: S, label: `Internal bit ${bit} (Seplos)`, advice: '', silent: true }));
}

/** Seplos "disconnection" bytes: a cell's voltage sense wire is open (bit 0 = first cell of the byte). */
function cellDisconnections(first: number): FlagDef[] {
  return Array.from({ length: 8 }, (_, bit) => ({
    id: `cell${first + bit}Disconnected`,
    bit,
    severity: F,
    label: `Cell ${first + bit} disconnected (voltage sense wire open)`,
    advice: `${CHECK_CELLS} ${SERVICE}`
  }));
}

/** Pylontech status 1..5 (V2.8/V3.3). */
export const PYLON_FLAGS: Readonly<Record<string, readonly FlagDef[]>> = {
  status1: [
    { id: 'packOverVoltageProtect', bit: 0, severity: P, label: 'Module over-voltage', advice: CHECK_CHARGER },
    { id: 'cellUnderVoltageProtect', bit: 1, severity: P, label: 'Cell under-voltage', advice: 'Charge the pack as soon as possible.' },
    { id: 'chargeOverCurrentProtect', bit: 2, severity: P, label: 'Charge over-current', advice: CHECK_CHARGER },
    { id: 'dischargeOverCurrentProtect', bit: 4, severity: P, label: 'Discharge over-current', advice: CHECK_LOAD },
    { id: 'dischargeTempProtect', bit: 5, severity: P, label: 'Discharge temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'chargeTempProtect', bit: 6, severity: P, label: 'Charge temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'packUnderVoltageProtect', bit: 7, severity: P, label: 'Module under-voltage', advice: 'Charge the pack as soon as possible.' }
  ],
  status2: [
    { id: 'prechargeMosOn', bit: 0, severity: S, label: 'Pre-charge MOSFET on', advice: '' },
    { id: 'chargeMosOn', bit: 1, severity: S, label: 'Charge MOSFET on', advice: '' },
    { id: 'dischargeMosOn', bit: 2, severity: S, label: 'Discharge MOSFET on', advice: '' },
    { id: 'usingBatteryPower', bit: 3, severity: S, label: 'Module powered by the battery', advice: '' }
  ],
  status3: [
    { id: 'buzzerOn', bit: 0, severity: S, label: 'Buzzer on', advice: '' },
    { id: 'fullyCharged', bit: 3, severity: S, label: 'Fully charged', advice: '' },
    { id: 'heaterOn', bit: 5, severity: S, label: 'Heater on', advice: '' },
    { id: 'discharging', bit: 6, severity: S, label: 'Discharging', advice: '' },
    { id: 'charging', bit: 7, severity: S, label: 'Charging', advice: '' }
  ],
  status4: cellFaults(1),
  status5: cellFaults(9)
};

/** Seplos V2.0 alarm events 1–8, on-off state and system state. */
export const SEPLOS_FLAGS: Readonly<Record<string, readonly FlagDef[]>> = {
  event1: [
    { id: 'voltageSenseFault', bit: 0, severity: F, label: 'Voltage sensing fault', advice: SERVICE },
    { id: 'temperatureSenseFault', bit: 1, severity: F, label: 'Temperature sensing fault', advice: SERVICE },
    { id: 'currentSenseFault', bit: 2, severity: F, label: 'Current sensing fault', advice: SERVICE },
    { id: 'powerSwitchFault', bit: 3, severity: F, label: 'Power switch fault', advice: SERVICE },
    { id: 'cellDifferenceSenseFault', bit: 4, severity: F, label: 'Cell voltage difference sensing fault', advice: SERVICE },
    { id: 'chargeMosFault', bit: 5, severity: F, label: 'Charge switch fault', advice: SERVICE },
    { id: 'dischargeMosFault', bit: 6, severity: F, label: 'Discharge switch fault', advice: SERVICE },
    { id: 'currentLimitFault', bit: 7, severity: F, label: 'Current-limit switch fault', advice: SERVICE }
  ],
  event2: [
    { id: 'cellOverVoltageWarning', bit: 0, severity: W, label: 'Cell high-voltage warning', advice: CHECK_CHARGER },
    { id: 'cellOverVoltageProtect', bit: 1, severity: P, label: 'Cell over-voltage protection', advice: CHECK_CHARGER },
    { id: 'cellUnderVoltageWarning', bit: 2, severity: W, label: 'Cell low-voltage warning', advice: 'Charge the pack soon.' },
    { id: 'cellUnderVoltageProtect', bit: 3, severity: P, label: 'Cell under-voltage protection', advice: 'Charge the pack as soon as possible.' },
    { id: 'packOverVoltageWarning', bit: 4, severity: W, label: 'Pack high-voltage warning', advice: CHECK_CHARGER },
    { id: 'packOverVoltageProtect', bit: 5, severity: P, label: 'Pack over-voltage protection', advice: CHECK_CHARGER },
    { id: 'packUnderVoltageWarning', bit: 6, severity: W, label: 'Pack low-voltage warning', advice: 'Charge the pack soon.' },
    { id: 'packUnderVoltageProtect', bit: 7, severity: P, label: 'Pack under-voltage protection', advice: 'Charge the pack as soon as possible.' }
  ],
  event3: [
    { id: 'chargeHighTempWarning', bit: 0, severity: W, label: 'Charge high-temperature warning', advice: CHECK_TEMP_ROOM },
    { id: 'chargeHighTempProtect', bit: 1, severity: P, label: 'Charge high-temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'chargeLowTempWarning', bit: 2, severity: W, label: 'Charge low-temperature warning', advice: CHECK_TEMP_ROOM },
    { id: 'chargeLowTempProtect', bit: 3, severity: P, label: 'Charge low-temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'dischargeHighTempWarning', bit: 4, severity: W, label: 'Discharge high-temperature warning', advice: CHECK_TEMP_ROOM },
    { id: 'dischargeHighTempProtect', bit: 5, severity: P, label: 'Discharge high-temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'dischargeLowTempWarning', bit: 6, severity: W, label: 'Discharge low-temperature warning', advice: CHECK_TEMP_ROOM },
    { id: 'dischargeLowTempProtect', bit: 7, severity: P, label: 'Discharge low-temperature protection', advice: CHECK_TEMP_ROOM }
  ],
  event4: [
    { id: 'ambientHighTempWarning', bit: 0, severity: W, label: 'Ambient high-temperature warning', advice: CHECK_TEMP_ROOM },
    { id: 'ambientHighTempProtect', bit: 1, severity: P, label: 'Ambient high-temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'ambientLowTempWarning', bit: 2, severity: W, label: 'Ambient low-temperature warning', advice: CHECK_TEMP_ROOM },
    { id: 'ambientLowTempProtect', bit: 3, severity: P, label: 'Ambient low-temperature protection', advice: CHECK_TEMP_ROOM },
    {
      id: 'mosHighTempWarning',
      bit: 4,
      severity: W,
      label: 'Power component high-temperature warning',
      advice: 'Reduce the current and let the pack cool.'
    },
    {
      id: 'mosHighTempProtect',
      bit: 5,
      severity: P,
      label: 'Power component high-temperature protection',
      advice: 'Reduce the current and let the pack cool.'
    },
    { id: 'heating', bit: 6, severity: S, label: 'Heating', advice: '' }
  ],
  event5: [
    { id: 'chargeOverCurrentWarning', bit: 0, severity: W, label: 'Charge over-current warning', advice: CHECK_CHARGER },
    { id: 'chargeOverCurrentProtect', bit: 1, severity: P, label: 'Charge over-current protection', advice: CHECK_CHARGER },
    { id: 'dischargeOverCurrentWarning', bit: 2, severity: W, label: 'Discharge over-current warning', advice: CHECK_LOAD },
    { id: 'dischargeOverCurrentProtect', bit: 3, severity: P, label: 'Discharge over-current protection', advice: CHECK_LOAD },
    { id: 'transientOverCurrentProtect', bit: 4, severity: P, label: 'Transient over-current protection', advice: CHECK_LOAD },
    {
      id: 'shortCircuitProtect',
      bit: 5,
      severity: P,
      label: 'Output short-circuit protection',
      advice: 'Check the DC cabling and the inverter for a short.'
    },
    { id: 'transientOverCurrentLock', bit: 6, severity: F, label: 'Transient over-current lock-out', advice: CHECK_LOAD },
    {
      id: 'shortCircuitLock',
      bit: 7,
      severity: F,
      label: 'Output short-circuit lock-out',
      advice: 'Check the DC cabling and the inverter for a short.'
    }
  ],
  event6: [
    { id: 'chargerOverVoltageProtect', bit: 0, severity: P, label: 'Charging high-voltage protection', advice: CHECK_CHARGER },
    { id: 'intermittentChargeWaiting', bit: 1, severity: W, label: 'Waiting for intermittent recharge', advice: '' },
    { id: 'remainingCapacityWarning', bit: 2, severity: W, label: 'Remaining capacity warning', advice: 'Charge the pack soon.' },
    { id: 'remainingCapacityProtect', bit: 3, severity: P, label: 'Remaining capacity protection', advice: 'Charge the pack as soon as possible.' },
    { id: 'cellLowVoltageChargeForbidden', bit: 4, severity: F, label: 'Cell too low: charging forbidden', advice: `${CHECK_CELLS} ${SERVICE}` },
    {
      id: 'outputReverseProtect',
      bit: 5,
      severity: P,
      label: 'Output reverse-connection protection',
      advice: 'Check the polarity of the DC cables.'
    },
    { id: 'outputConnectionFault', bit: 6, severity: F, label: 'Output connection fault', advice: 'Check the DC connections.' },
    ...internalBits(7)
  ],
  switches: [
    { id: 'dischargeMosOn', bit: 0, severity: S, label: 'Discharge switch on', advice: '' },
    { id: 'chargeMosOn', bit: 1, severity: S, label: 'Charge switch on', advice: '' },
    { id: 'currentLimitOn', bit: 2, severity: S, label: 'Current-limit switch on', advice: '' },
    { id: 'heaterOn', bit: 3, severity: S, label: 'Heater on', advice: '' }
  ],
  system: [
    { id: 'discharging', bit: 0, severity: S, label: 'Discharging', advice: '' },
    { id: 'charging', bit: 1, severity: S, label: 'Charging', advice: '' },
    { id: 'floatCharging', bit: 2, severity: S, label: 'Float charging', advice: '' },
    { id: 'standby', bit: 4, severity: S, label: 'Standby', advice: '' },
    { id: 'powerOff', bit: 5, severity: S, label: 'Shut down', advice: '' }
  ],
  disconnection1: cellDisconnections(1),
  disconnection2: cellDisconnections(9),
  event7: [
    ...internalBits(0, 1, 2, 3),
    { id: 'autoChargeWaiting', bit: 4, severity: W, label: 'Waiting for automatic charging', advice: '' },
    { id: 'manualChargeWaiting', bit: 5, severity: W, label: 'Waiting for manual charging', advice: '' },
    ...internalBits(6, 7)
  ],
  event8: [
    { id: 'eepromFault', bit: 0, severity: F, label: 'EEPROM storage fault', advice: SERVICE },
    { id: 'rtcFault', bit: 1, severity: F, label: 'Real-time clock fault', advice: SERVICE },
    { id: 'noVoltageCalibration', bit: 2, severity: W, label: 'Voltage not calibrated', advice: SERVICE },
    { id: 'noCurrentCalibration', bit: 3, severity: W, label: 'Current not calibrated', advice: SERVICE },
    { id: 'noZeroCalibration', bit: 4, severity: W, label: 'Current zero point not calibrated', advice: SERVICE },
    ...internalBits(5, 6, 7)
  ]
};

/** EG4 LifePower4 events (temperatureEvent is 16 bits). */
export const EG4_FLAGS: Readonly<Record<string, readonly FlagDef[]>> = {
  balanceEvent: [
    { id: 'balancingActive', bit: 0, severity: S, label: 'Balancing active', advice: '' },
    { id: 'cellDifferenceWarning', bit: 4, severity: W, label: 'Cell voltage difference alarm', advice: CHECK_CELLS },
    { id: 'chargeMosFault', bit: 5, severity: F, label: 'Charge MOSFET fault', advice: SERVICE },
    { id: 'dischargeMosFault', bit: 6, severity: F, label: 'Discharge MOSFET fault', advice: SERVICE }
  ],
  voltageEvent: [
    { id: 'cellOverVoltageWarning', bit: 0, severity: W, label: 'Cell high-voltage alarm', advice: CHECK_CHARGER },
    { id: 'cellOverVoltageProtect', bit: 1, severity: P, label: 'Cell over-voltage protection', advice: CHECK_CHARGER },
    { id: 'cellUnderVoltageWarning', bit: 2, severity: W, label: 'Cell low-voltage alarm', advice: 'Charge the pack soon.' },
    { id: 'cellUnderVoltageProtect', bit: 3, severity: P, label: 'Cell under-voltage protection', advice: 'Charge the pack as soon as possible.' },
    { id: 'packOverVoltageWarning', bit: 4, severity: W, label: 'Pack high-voltage alarm', advice: CHECK_CHARGER },
    { id: 'packOverVoltageProtect', bit: 5, severity: P, label: 'Pack over-voltage protection', advice: CHECK_CHARGER },
    { id: 'packUnderVoltageWarning', bit: 6, severity: W, label: 'Pack low-voltage alarm', advice: 'Charge the pack soon.' },
    { id: 'packUnderVoltageProtect', bit: 7, severity: P, label: 'Pack under-voltage protection', advice: 'Charge the pack as soon as possible.' }
  ],
  temperatureEvent: [
    { id: 'chargeHighTempWarning', bit: 0, severity: W, label: 'Charge high-temperature alarm', advice: CHECK_TEMP_ROOM },
    { id: 'chargeHighTempProtect', bit: 1, severity: P, label: 'Charge high-temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'chargeLowTempWarning', bit: 2, severity: W, label: 'Charge low-temperature alarm', advice: CHECK_TEMP_ROOM },
    { id: 'chargeLowTempProtect', bit: 3, severity: P, label: 'Charge low-temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'dischargeHighTempWarning', bit: 4, severity: W, label: 'Discharge high-temperature alarm', advice: CHECK_TEMP_ROOM },
    { id: 'dischargeHighTempProtect', bit: 5, severity: P, label: 'Discharge high-temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'dischargeLowTempWarning', bit: 6, severity: W, label: 'Discharge low-temperature alarm', advice: CHECK_TEMP_ROOM },
    { id: 'dischargeLowTempProtect', bit: 7, severity: P, label: 'Discharge low-temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'ambientHighTempWarning', bit: 8, severity: W, label: 'Ambient high-temperature alarm', advice: CHECK_TEMP_ROOM },
    { id: 'ambientHighTempProtect', bit: 9, severity: P, label: 'Ambient high-temperature protection', advice: CHECK_TEMP_ROOM },
    { id: 'ambientLowTempWarning', bit: 10, severity: W, label: 'Ambient low-temperature alarm', advice: CHECK_TEMP_ROOM },
    { id: 'ambientLowTempProtect', bit: 11, severity: P, label: 'Ambient low-temperature protection', advice: CHECK_TEMP_ROOM },
    {
      id: 'mosHighTempProtect',
      bit: 12,
      severity: P,
      label: 'MOSFET high-temperature protection',
      advice: 'Reduce the current and let the pack cool.'
    },
    {
      id: 'fireAlarm',
      bit: 13,
      severity: F,
      label: 'Fire alarm',
      advice: 'Keep away from the pack and call emergency services if there is smoke or heat.'
    }
  ],
  currentEvent: [
    { id: 'chargeOverCurrentWarning', bit: 0, severity: W, label: 'Charge over-current alarm', advice: CHECK_CHARGER },
    { id: 'chargeOverCurrentProtect', bit: 1, severity: P, label: 'Charge over-current protection', advice: CHECK_CHARGER },
    { id: 'dischargeOverCurrentWarning', bit: 2, severity: W, label: 'Discharge over-current alarm', advice: CHECK_LOAD },
    { id: 'dischargeOverCurrentProtect', bit: 3, severity: P, label: 'Discharge over-current protection', advice: CHECK_LOAD },
    { id: 'dischargeOverCurrent2Protect', bit: 4, severity: P, label: 'Discharge level-2 over-current protection', advice: CHECK_LOAD },
    {
      id: 'shortCircuitProtect',
      bit: 5,
      severity: P,
      label: 'Output short-circuit protection',
      advice: 'Check the DC cabling and the inverter for a short.'
    },
    { id: 'dischargeOverCurrent2Lock', bit: 6, severity: F, label: 'Discharge level-2 over-current lock-out', advice: CHECK_LOAD },
    {
      id: 'shortCircuitLock',
      bit: 7,
      severity: F,
      label: 'Output short-circuit lock-out',
      advice: 'Check the DC cabling and the inverter for a short.'
    }
  ],
  remainingCapacity: [{ id: 'lowSocWarning', bit: 0, severity: W, label: 'Low state of charge', advice: 'Charge the pack soon.' }],
  fetStatus: [
    { id: 'dischargeMosOn', bit: 0, severity: S, label: 'Discharge MOSFET on', advice: '' },
    { id: 'chargeMosOn', bit: 1, severity: S, label: 'Charge MOSFET on', advice: '' },
    { id: 'chargeLimiterOn', bit: 2, severity: S, label: 'Charge current limiter on', advice: '' },
    { id: 'heaterOn', bit: 3, severity: S, label: 'Heater on', advice: '' }
  ],
  system: [
    { id: 'discharging', bit: 0, severity: S, label: 'Discharging', advice: '' },
    { id: 'charging', bit: 1, severity: S, label: 'Charging', advice: '' },
    { id: 'standby', bit: 3, severity: S, label: 'Standby', advice: '' }
  ]
};

// Every bit of the PACE 44H status bytes (reference §6.3–6.12) as a flag a person can act on.
// Balance bytes are per cell, not flags; they become PackStatus.balancingCells.

import type { DecodeOptions, StatusFlag } from '../types';

type Severity = StatusFlag['severity'];

export interface FlagDef {
  id: string;
  bit: number;
  severity: Severity;
  label: string;
  advice: string;
  /** The document names the bit as carrying nothing for the user ("internal bit"): no flag. */
  silent?: boolean;
}

/** Names of the status bytes that carry flags, in wire order. */
export type FlagSource =
  'protection1' | 'protection2' | 'indication' | 'control' | 'fault' | 'warning1' | 'warning2' | 'fault8' | 'indication9' | 'fault10';

export const CHECK_CELLS = 'Check the cell voltages on the pack page; a single cell far from the others needs service.';
export const CHECK_CHARGER = 'Check the charger or inverter charge voltage and current settings against the pack limits.';
export const CHECK_LOAD = 'Reduce the load or check the inverter discharge current limit; the pack recovers when the current drops.';
export const CHECK_TEMP_ROOM = 'Check where the pack stands: ventilation, sun, heat sources, or frost.';
export const SERVICE = 'Contact support with a diagnose report; the BMS hardware may need service.';

export const PROTECTION1: readonly FlagDef[] = [
  {
    id: 'cellOverVoltageProtect',
    bit: 0,
    severity: 'protection',
    label: 'Cell over-voltage protection',
    advice: `Charging is stopped. ${CHECK_CHARGER} ${CHECK_CELLS}`
  },
  {
    id: 'cellUnderVoltageProtect',
    bit: 1,
    severity: 'protection',
    label: 'Cell under-voltage protection',
    advice: 'Discharging is stopped. Charge the pack as soon as possible; a cell left empty for long can be damaged.'
  },
  {
    id: 'packOverVoltageProtect',
    bit: 2,
    severity: 'protection',
    label: 'Pack over-voltage protection',
    advice: `Charging is stopped. ${CHECK_CHARGER}`
  },
  {
    id: 'packUnderVoltageProtect',
    bit: 3,
    severity: 'protection',
    label: 'Pack under-voltage protection',
    advice: 'Discharging is stopped. Charge the pack as soon as possible.'
  },
  {
    id: 'chargeOverCurrentProtect',
    bit: 4,
    severity: 'protection',
    label: 'Charge over-current protection',
    advice: `The charge current was too high. ${CHECK_CHARGER}`
  },
  { id: 'dischargeOverCurrentProtect', bit: 5, severity: 'protection', label: 'Discharge over-current protection', advice: CHECK_LOAD },
  {
    id: 'shortCircuitProtect',
    bit: 6,
    severity: 'protection',
    label: 'Short-circuit protection',
    advice: 'Disconnect the load and check the DC cabling and the inverter for a short before switching on again.'
  },
  {
    id: 'chargerOverVoltageProtect',
    bit: 7,
    severity: 'protection',
    label: 'Charger over-voltage protection',
    advice: `The charger voltage at the terminals is too high. ${CHECK_CHARGER}`
  }
];

export const PROTECTION2: readonly FlagDef[] = [
  {
    id: 'chargeHighTempProtect',
    bit: 0,
    severity: 'protection',
    label: 'Charge high-temperature protection (cells)',
    advice: `Charging is stopped until the cells cool down. ${CHECK_TEMP_ROOM}`
  },
  {
    id: 'dischargeHighTempProtect',
    bit: 1,
    severity: 'protection',
    label: 'Discharge high-temperature protection (cells)',
    advice: `Discharging is stopped until the cells cool down. ${CHECK_TEMP_ROOM}`
  },
  {
    id: 'chargeLowTempProtect',
    bit: 2,
    severity: 'protection',
    label: 'Charge low-temperature protection (cells)',
    advice: 'Charging is stopped: LiFePO4 cells must not be charged below about 0 °C. Warm the room or wait.'
  },
  {
    id: 'dischargeLowTempProtect',
    bit: 3,
    severity: 'protection',
    label: 'Discharge low-temperature protection (cells)',
    advice: `Discharging is stopped until the cells warm up. ${CHECK_TEMP_ROOM}`
  },
  {
    id: 'mosHighTempProtect',
    bit: 4,
    severity: 'protection',
    label: 'MOSFET high-temperature protection',
    advice: 'The power switches overheated, usually from sustained high current. Reduce the current and let the pack cool.'
  },
  { id: 'ambientHighTempProtect', bit: 5, severity: 'protection', label: 'Ambient high-temperature protection', advice: CHECK_TEMP_ROOM },
  { id: 'ambientLowTempProtect', bit: 6, severity: 'protection', label: 'Ambient low-temperature protection', advice: CHECK_TEMP_ROOM },
  { id: 'fullyCharged', bit: 7, severity: 'state', label: 'Fully charged', advice: '' }
];

/** Indication status ("instruction state", §6.5). Bits 5/3/0 wording follows the V3.1 document. */
export const INDICATION: readonly FlagDef[] = [
  { id: 'currentLimiting', bit: 0, severity: 'state', label: 'Charge current limiting active', advice: '' },
  { id: 'chargeMosOn', bit: 1, severity: 'state', label: 'Charge MOSFET on', advice: '' },
  { id: 'dischargeMosOn', bit: 2, severity: 'state', label: 'Discharge MOSFET on', advice: '' },
  { id: 'packPowerSupply', bit: 3, severity: 'state', label: 'Pack supplying power', advice: '' },
  {
    id: 'chargerReversed',
    bit: 4,
    severity: 'fault',
    label: 'Charger connected in reverse',
    advice: 'Disconnect the charger or inverter at once and check the polarity of the DC cables.'
  },
  { id: 'chargerPresent', bit: 5, severity: 'state', label: 'Charger present (AC in)', advice: '' },
  { id: 'shutdown', bit: 6, severity: 'state', label: 'Shutting down', advice: '' },
  // The 2018 document says "Heart indicate": a mistranslation of heater (V3.1: heating film on).
  { id: 'heaterOn', bit: 7, severity: 'state', label: 'Heater on', advice: '' }
];

function controlDefs(polarity: DecodeOptions['controlPolarity']): readonly FlagDef[] {
  const mos =
    polarity === 'doc'
      ? [
          { id: 'chargeMosFunctionEnabled', bit: 1, severity: 'state' as const, label: 'Charge MOSFET function enabled', advice: '' },
          { id: 'dischargeMosFunctionEnabled', bit: 2, severity: 'state' as const, label: 'Discharge MOSFET function enabled', advice: '' }
        ]
      : [
          {
            id: 'chargeMosForcedOff',
            bit: 1,
            severity: 'warning' as const,
            label: 'Charge MOSFET switched off by command',
            advice: 'The pack will not charge until the charge MOSFET is switched on again (Control page).'
          },
          {
            id: 'dischargeMosForcedOff',
            bit: 2,
            severity: 'warning' as const,
            label: 'Discharge MOSFET switched off by command',
            advice: 'The pack will not discharge until the discharge MOSFET is switched on again (Control page).'
          }
        ];
  return [
    { id: 'buzzerEnabled', bit: 0, severity: 'state', label: 'Buzzer alarm enabled', advice: '' },
    ...mos,
    { id: 'currentLimitGearLow', bit: 3, severity: 'state', label: 'Current-limit gear low', advice: '' },
    {
      id: 'chargeLimiterDisabled',
      bit: 4,
      severity: 'state',
      label: 'Charge current limiter disabled',
      advice: 'Without the limiter an oversized charger can trip charge over-current protection.'
    },
    { id: 'ledAlarmDisabled', bit: 5, severity: 'state', label: 'LED alarm disabled', advice: '' },
    { id: 'systemLockEnabled', bit: 6, severity: 'state', label: 'System lock enabled', advice: '' },
    {
      id: 'testModeEnabled',
      bit: 7,
      severity: 'warning',
      label: 'Test mode enabled',
      advice: 'The BMS is in test mode; restart it (or finish the firmware update) before normal use.'
    }
  ];
}

const CONTROL_DOC = controlDefs('doc');
const CONTROL_FORCED_OFF = controlDefs('forced-off');

export const FAULT: readonly FlagDef[] = [
  { id: 'chargeMosFault', bit: 0, severity: 'fault', label: 'Charge MOSFET fault', advice: SERVICE },
  { id: 'dischargeMosFault', bit: 1, severity: 'fault', label: 'Discharge MOSFET fault', advice: SERVICE },
  {
    id: 'ntcFault',
    bit: 2,
    severity: 'fault',
    label: 'Temperature sensor (NTC) fault',
    advice: 'A temperature sensor is open or shorted; the pack may refuse to charge. ' + SERVICE
  },
  { id: 'communicationFault', bit: 3, severity: 'fault', label: 'Internal communication fault', advice: SERVICE },
  { id: 'cellFault', bit: 4, severity: 'fault', label: 'Cell fault', advice: `${CHECK_CELLS} ${SERVICE}` },
  { id: 'samplingChipFault', bit: 5, severity: 'fault', label: 'Sampling chip (AFE) fault', advice: SERVICE },
  { id: 'currentLimitFault', bit: 6, severity: 'fault', label: 'Current-limiting circuit fault', advice: SERVICE },
  { id: 'heaterFault', bit: 7, severity: 'fault', label: 'Heating film fault', advice: SERVICE }
];

export const WARNING1: readonly FlagDef[] = [
  { id: 'cellOverVoltageWarning', bit: 0, severity: 'warning', label: 'Cell high-voltage warning', advice: CHECK_CHARGER },
  {
    id: 'cellUnderVoltageWarning',
    bit: 1,
    severity: 'warning',
    label: 'Cell low-voltage warning',
    advice: 'The pack is nearly empty; charge it soon.'
  },
  { id: 'packOverVoltageWarning', bit: 2, severity: 'warning', label: 'Pack high-voltage warning', advice: CHECK_CHARGER },
  {
    id: 'packUnderVoltageWarning',
    bit: 3,
    severity: 'warning',
    label: 'Pack low-voltage warning',
    advice: 'The pack is nearly empty; charge it soon.'
  },
  { id: 'chargeOverCurrentWarning', bit: 4, severity: 'warning', label: 'Charge over-current warning', advice: CHECK_CHARGER },
  { id: 'dischargeOverCurrentWarning', bit: 5, severity: 'warning', label: 'Discharge over-current warning', advice: CHECK_LOAD },
  {
    id: 'warning1Bit6',
    bit: 6,
    severity: 'warning',
    label: 'Warning status 1 bit 6 (reserved)',
    advice: 'Not documented by the vendor; note it in a support request.'
  },
  {
    id: 'warning1Bit7',
    bit: 7,
    severity: 'warning',
    label: 'Warning status 1 bit 7 (reserved)',
    advice: 'Not documented by the vendor; note it in a support request.'
  }
];

export const WARNING2: readonly FlagDef[] = [
  { id: 'chargeHighTempWarning', bit: 0, severity: 'warning', label: 'Charge high-temperature warning (cells)', advice: CHECK_TEMP_ROOM },
  { id: 'dischargeHighTempWarning', bit: 1, severity: 'warning', label: 'Discharge high-temperature warning (cells)', advice: CHECK_TEMP_ROOM },
  { id: 'chargeLowTempWarning', bit: 2, severity: 'warning', label: 'Charge low-temperature warning (cells)', advice: CHECK_TEMP_ROOM },
  { id: 'dischargeLowTempWarning', bit: 3, severity: 'warning', label: 'Discharge low-temperature warning (cells)', advice: CHECK_TEMP_ROOM },
  { id: 'ambientHighTempWarning', bit: 4, severity: 'warning', label: 'Ambient high-temperature warning', advice: CHECK_TEMP_ROOM },
  { id: 'ambientLowTempWarning', bit: 5, severity: 'warning', label: 'Ambient low-temperature warning', advice: CHECK_TEMP_ROOM },
  {
    id: 'mosHighTempWarning',
    bit: 6,
    severity: 'warning',
    label: 'MOSFET high-temperature warning',
    advice: 'Sustained high current heats the power switches; reduce the current.'
  },
  { id: 'lowSocWarning', bit: 7, severity: 'warning', label: 'Low state of charge', advice: 'Charge the pack soon.' }
];

export const FAULT8: readonly FlagDef[] = [
  { id: 'totalVoltageFault', bit: 0, severity: 'fault', label: 'Total-voltage measurement fault', advice: SERVICE },
  {
    id: 'temperatureDifferenceFault',
    bit: 1,
    severity: 'fault',
    label: 'Temperature difference fault',
    advice: `The temperature sensors disagree strongly. ${CHECK_TEMP_ROOM}`
  },
  { id: 'currentSenseFault', bit: 2, severity: 'fault', label: 'Current-sense resistor fault', advice: SERVICE },
  { id: 'tripUnitStatus', bit: 3, severity: 'state', label: 'Trip unit (breaker) status', advice: '' },
  {
    id: 'tripUnitFault',
    bit: 4,
    severity: 'fault',
    label: 'Trip unit (breaker) fault',
    advice: 'Check the pack breaker; if it cannot be reset, ' + SERVICE.toLowerCase()
  },
  {
    id: 'masterSlaveOffline',
    bit: 5,
    severity: 'fault',
    label: 'Master/slave link offline',
    advice: 'Check the link cables between the packs and that every pack has a distinct address.'
  },
  {
    id: 'packLocked',
    bit: 6,
    severity: 'fault',
    label: 'Battery pack locked',
    advice: 'The pack is locked (anti-theft or system lock); contact the installer or support to unlock it.'
  },
  { id: 'mcuOverVoltageFault', bit: 7, severity: 'fault', label: 'MCU over-voltage fault', advice: SERVICE }
];

const INDICATION9: readonly FlagDef[] = [
  { id: 'bluetoothConnected', bit: 0, severity: 'state', label: 'Bluetooth connected', advice: '' },
  { id: 'wifiCloudConnected', bit: 1, severity: 'state', label: 'WiFi cloud connected', advice: '' },
  {
    id: 'hardwareOverVoltageLimitOff',
    bit: 2,
    severity: 'warning',
    label: 'Current limiting off (hardware over-voltage protection)',
    advice: CHECK_CHARGER
  }
];

export const FAULT10: readonly FlagDef[] = [{ id: 'twelveVoltFault', bit: 0, severity: 'fault', label: '12 V supply fault', advice: SERVICE }];

export function flagTable(source: FlagSource, options: Pick<DecodeOptions, 'controlPolarity'>): readonly FlagDef[] {
  switch (source) {
    case 'protection1':
      return PROTECTION1;
    case 'protection2':
      return PROTECTION2;
    case 'indication':
      return INDICATION;
    case 'control':
      return options.controlPolarity === 'doc' ? CONTROL_DOC : CONTROL_FORCED_OFF;
    case 'fault':
      return FAULT;
    case 'warning1':
      return WARNING1;
    case 'warning2':
      return WARNING2;
    case 'fault8':
      return FAULT8;
    case 'indication9':
      return INDICATION9;
    case 'fault10':
      return FAULT10;
  }
}

/** The set flags of one status byte. Bits the table does not define become a generic flag, never silence. */
export function decodeFlags(source: FlagSource, value: number, options: Pick<DecodeOptions, 'controlPolarity'>): StatusFlag[] {
  return decodeFlagsWith(flagTable(source, options), source, value);
}

/** decodeFlags for any table (the VER 20 dialects have their own bytes); `bits` is 8 or 16. */
export function decodeFlagsWith(table: readonly FlagDef[], source: string, value: number, bits = 8): StatusFlag[] {
  const out: StatusFlag[] = [];
  for (let bit = 0; bit < bits; bit++) {
    if ((value & (1 << bit)) === 0) continue;
    const def = table.find((d) => d.bit === bit);
    if (def?.silent) continue;
    if (def) out.push({ id: def.id, source, bit, severity: def.severity, label: def.label, advice: def.advice });
    else
      out.push({
        id: `${source}Bit${bit}`,
        source,
        bit,
        severity: 'warning',
        label: `${source} bit ${bit} (not documented)`,
        advice: 'Not documented by the vendor; note it in a support request.'
      });
  }
  return out;
}

/** The byte value whose set bits are exactly the given flag ids (the simulator builds status this way). */
export function encodeFlags(source: FlagSource, ids: readonly string[], options: Pick<DecodeOptions, 'controlPolarity'>): number {
  const table = flagTable(source, options);
  let value = 0;
  for (const id of ids) {
    const def = table.find((d) => d.id === id);
    if (!def) throw new RangeError(`${id} is not a flag of ${source}`);
    value |= 1 << def.bit;
  }
  return value;
}

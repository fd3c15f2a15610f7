import { describe, expect, it } from 'vitest';
import type { AnyCommand } from '../command';
import { DEFAULT_DECODE_OPTIONS } from '../types';
import { settingsCommands } from './settings';

/** A valid typed request for every command (undefined for the ones without fields). */
const SAMPLE_REQUESTS: Record<string, unknown> = {
  setCellOverVoltage: { enabled: true, alarm_mV: 3600, protect_mV: 3700, release_mV: 3380, delay_ms: 1000 },
  setCellUnderVoltage: { enabled: true, alarm_mV: 2800, protect_mV: 2500, release_mV: 2900, delay_ms: 1000 },
  setPackOverVoltage: { enabled: true, alarm_mV: 57600, protect_mV: 59200, release_mV: 54000, delay_ms: 1000 },
  setPackUnderVoltage: { enabled: true, alarm_mV: 44800, protect_mV: 40000, release_mV: 46400, delay_ms: 1000 },
  setChargeOverCurrent: { enabled: true, alarm_A: 104, protect_A: 110, delay_ms: 1000 },
  setDischargeOverCurrent1: { enabled: true, alarm_A: 105, protect_A: 110, delay_ms: 1000 },
  setCellHighTemperature: {
    enabled: true,
    chargeAlarm_C: 51,
    chargeProtect_C: 55,
    chargeRelease_C: 50,
    dischargeAlarm_C: 56,
    dischargeProtect_C: 60,
    dischargeRelease_C: 55
  },
  setCellLowTemperature: {
    enabled: true,
    chargeAlarm_C: 0,
    chargeProtect_C: -5,
    chargeRelease_C: 0,
    dischargeAlarm_C: -15,
    dischargeProtect_C: -20,
    dischargeRelease_C: -15
  },
  setMosTemperature: { enabled: true, alarm_C: 90, protect_C: 110, release_C: 85 },
  setOverCurrent2: { discharge_A: 150, dischargeDelay_ms: 100 },
  setShortCircuit: { delay_us: 300 },
  setAmbientTemperature: {
    enabled: true,
    lowAlarm_C: -20,
    lowProtect_C: -25,
    lowRelease_C: -20,
    highAlarm_C: 65,
    highProtect_C: 70,
    highRelease_C: 65
  },
  controlSwitch: { action: 'buzzerOn' },
  setChargeMos: { on: true },
  setDischargeMos: { on: false },
  setBalance: { startVoltage_mV: 3400, startDelta_mV: 30 },
  setSleep: { cellVoltage_mV: 3100, delay_min: 5 },
  setFullCharge: { fullChargeVoltage_mV: 56000, fullChargeCurrent_mA: 2000, lowSocAlarm_pct: 5 },
  setLimiter: { startCurrent_A: 100 },
  setCapacities: { remaining_Ah: 62.04, full_Ah: 103.46, design_Ah: 100 },
  setChargeCutoff: { chargeCutoffSoc_pct: 90 },
  setCycleCount: { cycles: 67 },
  calibrateReference: { reference_mV: 3300 },
  calibrateZeroCurrent: { key: 'decimal' },
  calibrateDischargeCurrent: { current_A: 5 },
  calibrateChargeCurrent: { current_A: 50 },
  calibrateTotalVoltage: { voltage_mV: 53200 },
  setDateTime: { year: 2024, month: 8, day: 20, hour: 14, minute: 15, second: 37 },
  readHistory: { index: 0 },
  setInverterProtocols: { can: 0x01, rs485: 0x01, mode: 'manual' },
  setCellCount: { cells: 16 },
  enterFirmwareUpgrade: { restore: { capacity: false, cellAndNtcCount: false, protectionParameters: true, protocol: false } },
  setSoftwareAddress: { address: 2 },
  setHost: { address: 1 },
  exitModule: { address: 3 },
  setSerialBaud: { baud: 19200 },
  setCanBitrate: { bitrate_kbps: 500 },
  setWifi: { ssid: 'site', password: 'installer-pass' },
  setActiveBalancing: { enabled: true },
  setStorageInterval: { interval_min: 30 },
  setStorageStart: { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 },
  setStorageEnd: { year: 2025, month: 7, day: 1, hour: 8, minute: 0, second: 0 }
};

const DANGEROUS = [
  'setCapacities',
  'setCycleCount',
  'calibrateReference',
  'calibrateZeroCurrent',
  'calibrateDischargeCurrent',
  'calibrateChargeCurrent',
  'calibrateTotalVoltage',
  'clearHistory',
  'restoreDefaults',
  'setCellCount',
  'enterFirmwareUpgrade',
  'restoreSystemDefaults'
];

/** Every CID2 the brief and reference §4 ask for (timed storage B7–BC, active balancing 6A/6B), plus the six extensions. */
const EXPECTED_CID2 = [
  0x6a, 0x6b, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0x99, 0x9a, 0x9b, 0x9c, 0xa0, 0xa1, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad,
  0xae, 0xaf, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xbd, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde,
  0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xeb, 0xec, 0xed, 0xee, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xff
];

describe('settingsCommands', () => {
  it('covers every required CID2, with unique ids', () => {
    const codes = new Set(settingsCommands.map((c) => c.cid2));
    expect([...codes].sort((a, b) => a - b)).toEqual([...EXPECTED_CID2].sort((a, b) => a - b));
    expect(new Set(settingsCommands.map((c) => c.id)).size).toBe(settingsCommands.length);
    // CID2 FF is the only code with two commands
    const ff = settingsCommands.filter((c) => c.cid2 === 0xff).map((c) => c.id);
    expect(ff.sort()).toEqual(['enterFirmwareUpgrade', 'restoreSystemDefaults']);
    expect(settingsCommands.length).toBe(EXPECTED_CID2.length + 1);
  });

  it('leaves telemetry (42/44/90/C1/C2) to the telemetry module', () => {
    for (const code of [0x42, 0x44, 0x90, 0xc1, 0xc2]) expect(settingsCommands.some((c) => c.cid2 === code)).toBe(false);
  });

  it('marks exactly calibration, cell count, restore defaults, FF entries, history clear and capacity/cycle overrides as dangerous', () => {
    const dangerous = settingsCommands.filter((c) => c.kind === 'dangerous').map((c) => c.id);
    expect(dangerous.sort()).toEqual([...DANGEROUS].sort());
  });

  it('reads take no INFO; every other command has a sample and round-trips its request', () => {
    for (const c of settingsCommands as AnyCommand[]) {
      const req = SAMPLE_REQUESTS[c.id];
      const info: Uint8Array = c.encodeRequest(req);
      if (req === undefined) {
        expect(c.decodeRequest(info), c.id).toBeUndefined();
        if (c.kind === 'read') expect(info.length, c.id).toBe(0);
      } else {
        expect(c.decodeRequest(info), c.id).toEqual(req);
      }
    }
  });

  it('every write decodes the empty acknowledgement without throwing', () => {
    for (const c of settingsCommands.filter((x) => x.kind !== 'read' && !['controlSwitch', 'setChargeMos', 'setDischargeMos'].includes(x.id))) {
      expect(() => c.decodeReply(new Uint8Array(0), { request: SAMPLE_REQUESTS[c.id], options: DEFAULT_DECODE_OPTIONS }), c.id).not.toThrow();
      expect(c.expectedReplyBytes(SAMPLE_REQUESTS[c.id]), c.id).toBe(0);
    }
  });
});

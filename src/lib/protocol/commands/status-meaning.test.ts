// Every status and alarm bit of the reference's tables, pinned by value: the byte at the offset the
// reference gives, one bit set, decoded through the 44H codec, must yield exactly the flag the
// reference text names. The rows are written from reference/pace-protocol.md (§6.3–6.12 PACE,
// §11.1 Pylontech status 1–5, §11.2 Seplos), not from the flag tables: the simulator answers
// through the same tables, so a meaning wrong in both directions would pass every round trip.
// Seplos events the reference leaves to "[S5] tables" and EG4's events (the reference names the
// EG4 44H but not its bits) are pinned from those sources, as cited per table.

import { describe, expect, it } from 'vitest';
import * as F from '../fixtures/telemetry-frames';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions, type PackStatus, type ProtocolProfile } from '../types';
import { eg4ReadStatus } from './pylon';
import { readStatus } from './status';
import { flagTable, type FlagSource } from './status-flags';
import { EG4_FLAGS, PYLON_FLAGS, SEPLOS_FLAGS } from './variant-flags';

type Severity = 'protection' | 'warning' | 'fault' | 'state';
/** bit, flag id, what the reference says (matched against the label), severity. */
type Row = [bit: number, id: string, meaning: RegExp, severity: Severity];

const opts = (profile: ProtocolProfile, extra: Partial<DecodeOptions> = {}): DecodeOptions => ({ ...DEFAULT_DECODE_OPTIONS, ...extra, profile });

/** A 44H INFO from a captured frame with every status byte cleared and one byte set. */
function withByte(base: Uint8Array, clear: readonly number[], at: number, value: number, width: 1 | 2 = 1): Uint8Array {
  const info = base.slice();
  for (const i of clear) info[i] = 0;
  if (width === 2) {
    info[at] = value >> 8;
    info[at + 1] = value & 0xff;
  } else info[at] = value;
  return info;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Flags a decoded block raised, as "source:bit:id". */
function raised(p: PackStatus): string[] {
  return p.flags.map((f) => `${f.source}:${f.bit}:${f.id}`);
}

// -----------------------------------------------------------------------------------------------
// PACE (VER 25), §6.1 offsets for M = 16, N = 6: prot1 29, prot2 30, indication 31, control 32,
// fault 33, balance1 34, balance2 35, warn1 36, warn2 37; newer firmware appends fault 8,
// indication 9, active balance 1/2, fault 10 (38..42).

const PACE_AT: Record<FlagSource, number> = {
  protection1: 29,
  protection2: 30,
  indication: 31,
  control: 32,
  fault: 33,
  warning1: 36,
  warning2: 37,
  fault8: 38,
  indication9: 39,
  fault10: 42
};

/** §6.3 Protection status 1 (1 = active). */
const PROTECTION1: Row[] = [
  [0, 'cellOverVoltageProtect', /cell over-voltage/i, 'protection'],
  [1, 'cellUnderVoltageProtect', /cell under-voltage/i, 'protection'],
  [2, 'packOverVoltageProtect', /pack over-voltage/i, 'protection'],
  [3, 'packUnderVoltageProtect', /pack under-voltage/i, 'protection'],
  [4, 'chargeOverCurrentProtect', /charge over-current/i, 'protection'],
  [5, 'dischargeOverCurrentProtect', /discharge over-current/i, 'protection'],
  [6, 'shortCircuitProtect', /short.circuit/i, 'protection'],
  [7, 'chargerOverVoltageProtect', /charger over-voltage/i, 'protection']
];

/** §6.4 Protection status 2; bit 7 "fully charged" is a status rather than a fault. */
const PROTECTION2: Row[] = [
  [0, 'chargeHighTempProtect', /charge high-temperature.*cells/i, 'protection'],
  [1, 'dischargeHighTempProtect', /discharge high-temperature.*cells/i, 'protection'],
  [2, 'chargeLowTempProtect', /charge low-temperature.*cells/i, 'protection'],
  [3, 'dischargeLowTempProtect', /discharge low-temperature.*cells/i, 'protection'],
  [4, 'mosHighTempProtect', /mosfet high-temperature/i, 'protection'],
  [5, 'ambientHighTempProtect', /ambient high-temperature/i, 'protection'],
  [6, 'ambientLowTempProtect', /ambient low-temperature/i, 'protection'],
  [7, 'fullyCharged', /fully charged/i, 'state']
];

/** §6.5 Indication status, V3.1 wording (bit 7 "Heart" = heating film). */
const INDICATION: Row[] = [
  [0, 'currentLimiting', /current limiting/i, 'state'],
  [1, 'chargeMosOn', /charge mosfet on/i, 'state'],
  [2, 'dischargeMosOn', /discharge mosfet on/i, 'state'],
  [3, 'packPowerSupply', /pack .*power/i, 'state'],
  [4, 'chargerReversed', /charger.*reverse/i, 'fault'],
  [5, 'chargerPresent', /charger present|ac in/i, 'state'],
  [6, 'shutdown', /shut/i, 'state'],
  [7, 'heaterOn', /heat/i, 'state']
];

/** §6.6 Control status as the document states it (bits 1/2 UNCERTAIN: see the polarity block below). */
const CONTROL_DOC: Row[] = [
  [0, 'buzzerEnabled', /buzzer.*enabled/i, 'state'],
  [1, 'chargeMosFunctionEnabled', /charge mosfet function enabled/i, 'state'],
  [2, 'dischargeMosFunctionEnabled', /discharge mosfet function enabled/i, 'state'],
  [3, 'currentLimitGearLow', /current-limit gear low/i, 'state'],
  [4, 'chargeLimiterDisabled', /charge current limiter disabled/i, 'state'],
  [5, 'ledAlarmDisabled', /led alarm disabled/i, 'state'],
  [6, 'systemLockEnabled', /system lock enabled/i, 'state'],
  [7, 'testModeEnabled', /test mode/i, 'warning']
];

/** §6.7 Fault status. */
const FAULT: Row[] = [
  [0, 'chargeMosFault', /charge mosfet fault/i, 'fault'],
  [1, 'dischargeMosFault', /discharge mosfet fault/i, 'fault'],
  [2, 'ntcFault', /temperature sensor \(ntc\) fault/i, 'fault'],
  [3, 'communicationFault', /communication fault/i, 'fault'],
  [4, 'cellFault', /cell fault/i, 'fault'],
  [5, 'samplingChipFault', /sampling chip \(afe\) fault/i, 'fault'],
  [6, 'currentLimitFault', /current-limiting.*fault/i, 'fault'],
  [7, 'heaterFault', /heating film fault/i, 'fault']
];

/** §6.9 Warning status 1; bits 6–7 reserved. */
const WARNING1: Row[] = [
  [0, 'cellOverVoltageWarning', /cell high-voltage/i, 'warning'],
  [1, 'cellUnderVoltageWarning', /cell low-voltage/i, 'warning'],
  [2, 'packOverVoltageWarning', /pack high-voltage/i, 'warning'],
  [3, 'packUnderVoltageWarning', /pack low-voltage/i, 'warning'],
  [4, 'chargeOverCurrentWarning', /charge over-current/i, 'warning'],
  [5, 'dischargeOverCurrentWarning', /discharge over-current/i, 'warning'],
  [6, 'warning1Bit6', /reserved/i, 'warning'],
  [7, 'warning1Bit7', /reserved/i, 'warning']
];

/** §6.10 Warning status 2. */
const WARNING2: Row[] = [
  [0, 'chargeHighTempWarning', /charge high-temperature/i, 'warning'],
  [1, 'dischargeHighTempWarning', /discharge high-temperature/i, 'warning'],
  [2, 'chargeLowTempWarning', /charge low-temperature/i, 'warning'],
  [3, 'dischargeLowTempWarning', /discharge low-temperature/i, 'warning'],
  [4, 'ambientHighTempWarning', /ambient high-temperature/i, 'warning'],
  [5, 'ambientLowTempWarning', /ambient low-temperature/i, 'warning'],
  [6, 'mosHighTempWarning', /mosfet high-temperature/i, 'warning'],
  [7, 'lowSocWarning', /low state of charge/i, 'warning']
];

/** §6.11 Fault status 8 (newer firmware). */
const FAULT8: Row[] = [
  [0, 'totalVoltageFault', /total-voltage/i, 'fault'],
  [1, 'temperatureDifferenceFault', /temperature difference/i, 'fault'],
  [2, 'currentSenseFault', /current-sense resistor/i, 'fault'],
  [3, 'tripUnitStatus', /trip unit.*status/i, 'state'],
  [4, 'tripUnitFault', /trip unit.*fault/i, 'fault'],
  [5, 'masterSlaveOffline', /master\/slave.*offline/i, 'fault'],
  [6, 'packLocked', /pack locked/i, 'fault'],
  [7, 'mcuOverVoltageFault', /mcu over-voltage/i, 'fault']
];

/** §6.12 Indication status 9 (newer firmware). */
const INDICATION9: Row[] = [
  [0, 'bluetoothConnected', /bluetooth connected/i, 'state'],
  [1, 'wifiCloudConnected', /wifi cloud connected/i, 'state'],
  [2, 'hardwareOverVoltageLimitOff', /current limiting off.*hardware over-voltage/i, 'warning']
];

/** §6.1 last row: fault status 10, bit 0 = 12 V fault. */
const FAULT10: Row[] = [[0, 'twelveVoltFault', /12 v/i, 'fault']];

const PACE_TABLES: [FlagSource, Row[]][] = [
  ['protection1', PROTECTION1],
  ['protection2', PROTECTION2],
  ['indication', INDICATION],
  ['control', CONTROL_DOC],
  ['fault', FAULT],
  ['warning1', WARNING1],
  ['warning2', WARNING2],
  ['fault8', FAULT8],
  ['indication9', INDICATION9],
  ['fault10', FAULT10]
];

/** The PbmsTools 44H capture (38 bytes) with the five newer-firmware bytes appended, all status cleared. */
const PACE_BASE = Uint8Array.from([...F.frameOf(F.STATUS_PBMSTOOLS).info, 0, 0, 0, 0, 0]);
const PACE_STATUS_BYTES = range(29, 42);

describe('PACE 44H (§6.3–6.12): each bit at its documented offset means what the reference says', () => {
  for (const [source, rows] of PACE_TABLES) {
    it.each(rows)(`${source} bit %i → %s`, (bit, id, meaning, severity) => {
      const info = withByte(PACE_BASE, PACE_STATUS_BYTES, PACE_AT[source], 1 << bit);
      const [p] = readStatus.decodeReply(info, { request: { command: 1 }, options: opts('pace') }).packs;
      expect(raised(p)).toEqual([`${source}:${bit}:${id}`]);
      expect(p.flags[0].label).toMatch(meaning);
      expect(p.flags[0].severity).toBe(severity);
      if (severity !== 'state') expect(p.flags[0].advice.length).toBeGreaterThan(0);
    });
  }

  it('the tables hold no meaning the reference does not give', () => {
    for (const [source, rows] of PACE_TABLES) {
      const documented = new Set(rows.map(([, id]) => id));
      for (const def of flagTable(source, DEFAULT_DECODE_OPTIONS)) expect(documented.has(def.id), `${source}.${def.id}`).toBe(true);
    }
  });

  it('the MOSFET and heater booleans come from indication bits 1, 2 and 7 (§6.5)', () => {
    const decode = (v: number) =>
      readStatus.decodeReply(withByte(PACE_BASE, PACE_STATUS_BYTES, 31, v), { request: { command: 1 }, options: opts('pace') }).packs[0];
    expect([0x02, 0x04, 0x80].map((v) => [decode(v).chargeMosOn, decode(v).dischargeMosOn, decode(v).heaterOn])).toEqual([
      [true, false, false],
      [false, true, false],
      [false, false, true]
    ]);
  });

  it('balance bytes (§6.8) are per cell, never flags, in the configured byte order', () => {
    const info = withByte(withByte(PACE_BASE, PACE_STATUS_BYTES, 34, 0x01), [], 35, 0x80);
    const doc = readStatus.decodeReply(info, { request: { command: 1 }, options: opts('pace') }).packs[0];
    expect(doc.flags).toEqual([]);
    expect(doc.balancingCells).toEqual([1, 16]);
    const u16 = readStatus.decodeReply(info, { request: { command: 1 }, options: opts('pace', { balanceByteOrder: 'u16' }) }).packs[0];
    expect(u16.balancingCells).toEqual([8, 9]);
  });
});

describe('UNCERTAIN readings (§17) stay settings', () => {
  it('control bits 1/2: "doc" (default) reads them as enabled functions, "forced-off" as MOSFETs switched off', () => {
    expect(DEFAULT_DECODE_OPTIONS.controlPolarity).toBe('doc');
    const info = withByte(PACE_BASE, PACE_STATUS_BYTES, 32, 0x06);
    const doc = readStatus.decodeReply(info, { request: { command: 1 }, options: opts('pace') }).packs[0];
    expect(raised(doc)).toEqual(['control:1:chargeMosFunctionEnabled', 'control:2:dischargeMosFunctionEnabled']);
    const forced = readStatus.decodeReply(info, { request: { command: 1 }, options: opts('pace', { controlPolarity: 'forced-off' }) }).packs[0];
    expect(raised(forced)).toEqual(['control:1:chargeMosForcedOff', 'control:2:dischargeMosForcedOff']);
    expect(forced.flags.map((f) => f.severity)).toEqual(['warning', 'warning']);
    // Bits 0 and 3–7 are CERTAIN and read the same under both settings.
    const certain = withByte(PACE_BASE, PACE_STATUS_BYTES, 32, 0xf9);
    const a = raised(readStatus.decodeReply(certain, { request: { command: 1 }, options: opts('pace') }).packs[0]);
    const b = raised(readStatus.decodeReply(certain, { request: { command: 1 }, options: opts('pace', { controlPolarity: 'forced-off' }) }).packs[0]);
    expect(a).toEqual(b);
  });

  it('balance byte order: "doc" (default, first byte = cells 1–8) and "u16" (nkinnan, first byte = cells 9–16)', () => {
    expect(DEFAULT_DECODE_OPTIONS.balanceByteOrder).toBe('doc');
    const info = withByte(PACE_BASE, PACE_STATUS_BYTES, 34, 0x03);
    expect(readStatus.decodeReply(info, { request: { command: 1 }, options: opts('pace') }).packs[0].balancingCells).toEqual([1, 2]);
    expect(
      readStatus.decodeReply(info, { request: { command: 1 }, options: opts('pace', { balanceByteOrder: 'u16' }) }).packs[0].balancingCells
    ).toEqual([9, 10]);
  });
});

// -----------------------------------------------------------------------------------------------
// Pylontech (§11.1): DATAFLAG, COMMAND, M, cell alarms, N, temperature alarms, charge current,
// voltage, discharge current, status1..status5. The §11.1 analog example's 15 cells / 5 temps give
// status1 at 27.

/** §11.1 status1: b7 UV, b6 chg OT, b5 dsg OT, b4 DOC, b2 COC, b1 cell UV, b0 OV. */
const PYLON_STATUS1: Row[] = [
  [0, 'packOverVoltageProtect', /module over-voltage/i, 'protection'],
  [1, 'cellUnderVoltageProtect', /cell under-voltage/i, 'protection'],
  [2, 'chargeOverCurrentProtect', /charge over-current/i, 'protection'],
  [4, 'dischargeOverCurrentProtect', /discharge over-current/i, 'protection'],
  [5, 'dischargeTempProtect', /discharge temperature/i, 'protection'],
  [6, 'chargeTempProtect', /charge temperature/i, 'protection'],
  [7, 'packUnderVoltageProtect', /module under-voltage/i, 'protection']
];
/** §11.1 status2: b3 module power, b2 DFET, b1 CFET, b0 pre-MOS. */
const PYLON_STATUS2: Row[] = [
  [0, 'prechargeMosOn', /pre-charge mosfet/i, 'state'],
  [1, 'chargeMosOn', /charge mosfet on/i, 'state'],
  [2, 'dischargeMosOn', /discharge mosfet on/i, 'state'],
  [3, 'usingBatteryPower', /powered by the battery/i, 'state']
];
/** §11.1 status3: b7 charging, b6 discharging, b5 heater, b3 full, b0 buzzer. */
const PYLON_STATUS3: Row[] = [
  [0, 'buzzerOn', /buzzer/i, 'state'],
  [3, 'fullyCharged', /fully charged/i, 'state'],
  [5, 'heaterOn', /heater/i, 'state'],
  [6, 'discharging', /discharging/i, 'state'],
  [7, 'charging', /^charging/i, 'state']
];
/** §11.1 status4/5: cell 1–8 / 9–16 error bits. */
const PYLON_STATUS4: Row[] = range(0, 7).map((bit) => [bit, `cell${bit + 1}Fault`, new RegExp(`^cell ${bit + 1} fault`, 'i'), 'fault']);
const PYLON_STATUS5: Row[] = range(0, 7).map((bit) => [bit, `cell${bit + 9}Fault`, new RegExp(`^cell ${bit + 9} fault`, 'i'), 'fault']);

const PYLON_TABLES: [string, number, Row[]][] = [
  ['status1', 27, PYLON_STATUS1],
  ['status2', 28, PYLON_STATUS2],
  ['status3', 29, PYLON_STATUS3],
  ['status4', 30, PYLON_STATUS4],
  ['status5', 31, PYLON_STATUS5]
];

/** A 15-cell, 5-temperature Pylontech 44H block, everything normal. */
const PYLON_BASE = Uint8Array.from([0x11, 0x02, 15, ...new Array<number>(15).fill(0), 5, ...new Array<number>(5).fill(0), 0, 0, 0, 0, 0, 0, 0, 0]);

describe('Pylontech 44H status 1–5 (§11.1)', () => {
  for (const [source, at, rows] of PYLON_TABLES) {
    it.each(rows)(`${source} bit %i → %s`, (bit, id, meaning, severity) => {
      const info = withByte(PYLON_BASE, range(27, 31), at, 1 << bit);
      const [p] = readStatus.decodeReply(info, { request: { command: 2 }, options: opts('pylon') }).packs;
      expect(raised(p)).toEqual([`${source}:${bit}:${id}`]);
      expect(p.flags[0].label).toMatch(meaning);
      expect(p.flags[0].severity).toBe(severity);
    });
  }

  it('bits the reference leaves out are reported as undocumented, not dropped', () => {
    const [p] = readStatus.decodeReply(withByte(PYLON_BASE, range(27, 31), 27, 1 << 3), { request: { command: 2 }, options: opts('pylon') }).packs;
    expect(p.flags).toMatchObject([{ id: 'status1Bit3', severity: 'warning' }]);
  });

  it('no meaning beyond the reference', () => {
    for (const [source, , rows] of PYLON_TABLES) {
      expect(PYLON_FLAGS[source].map((d) => d.id).sort()).toEqual(rows.map(([, id]) => id).sort());
    }
  });

  it('MOSFETs from status2 bits 1 and 2, heater from status3 bit 5', () => {
    const info = withByte(withByte(PYLON_BASE, range(27, 31), 28, 0x04), [], 29, 0x20);
    const [p] = readStatus.decodeReply(info, { request: { command: 2 }, options: opts('pylon') }).packs;
    expect([p.chargeMosOn, p.dischargeMosOn, p.heaterOn]).toEqual([false, true, true]);
  });
});

// -----------------------------------------------------------------------------------------------
// Seplos V2.0 (§11.2): DATAFLAG, group, M = 16 + 16 cell alarms, N = 6 + 6 temperature alarms,
// current, voltage, P = 20, then alarm events 1–6 (29–34), on-off state (35), equilibrium 1–2
// (36–37), system state (38), disconnection 1–2 (39–40), alarm events 7–8 (41–42), 6 reserved.

/** §11.2 event 2: b0 cell high-V alarm, b1 cell OV protect, b2 cell low-V alarm, b3 cell UV protect, b4–b7 the same for total voltage. */
const SEPLOS_EVENT2: Row[] = [
  [0, 'cellOverVoltageWarning', /cell high-voltage warning/i, 'warning'],
  [1, 'cellOverVoltageProtect', /cell over-voltage protection/i, 'protection'],
  [2, 'cellUnderVoltageWarning', /cell low-voltage warning/i, 'warning'],
  [3, 'cellUnderVoltageProtect', /cell under-voltage protection/i, 'protection'],
  [4, 'packOverVoltageWarning', /pack high-voltage warning/i, 'warning'],
  [5, 'packOverVoltageProtect', /pack over-voltage protection/i, 'protection'],
  [6, 'packUnderVoltageWarning', /pack low-voltage warning/i, 'warning'],
  [7, 'packUnderVoltageProtect', /pack under-voltage protection/i, 'protection']
];
/** §11.2 on-off state: b0 discharge switch, b1 charge switch, b2 current-limit switch, b3 heater. */
const SEPLOS_SWITCHES: Row[] = [
  [0, 'dischargeMosOn', /discharge switch/i, 'state'],
  [1, 'chargeMosOn', /charge switch/i, 'state'],
  [2, 'currentLimitOn', /current-limit switch/i, 'state'],
  [3, 'heaterOn', /heater/i, 'state']
];
/** §11.2 system state: b0 discharge, b1 charge, b2 float, b4 standby, b5 shutdown. */
const SEPLOS_SYSTEM: Row[] = [
  [0, 'discharging', /discharging/i, 'state'],
  [1, 'charging', /^charging/i, 'state'],
  [2, 'floatCharging', /float/i, 'state'],
  [4, 'standby', /standby/i, 'state'],
  [5, 'powerOff', /shut down/i, 'state']
];
// The remaining events as the [S5] Seplos V2.0 tables list them (reproduced in Lu-Fi's
// tasmota-seplos-driver and nkinnan's v20 decoder), bit 0 first.
const SEPLOS_EVENT1: Row[] = [
  [0, 'voltageSenseFault', /voltage sensing/i, 'fault'],
  [1, 'temperatureSenseFault', /temperature sensing/i, 'fault'],
  [2, 'currentSenseFault', /current sensing/i, 'fault'],
  [3, 'powerSwitchFault', /power switch/i, 'fault'],
  [4, 'cellDifferenceSenseFault', /cell voltage difference sensing/i, 'fault'],
  [5, 'chargeMosFault', /charge switch fault/i, 'fault'],
  [6, 'dischargeMosFault', /discharge switch fault/i, 'fault'],
  [7, 'currentLimitFault', /current-limit switch fault/i, 'fault']
];
const SEPLOS_EVENT3: Row[] = [
  [0, 'chargeHighTempWarning', /charge high-temperature warning/i, 'warning'],
  [1, 'chargeHighTempProtect', /charge high-temperature protection/i, 'protection'],
  [2, 'chargeLowTempWarning', /charge low-temperature warning/i, 'warning'],
  [3, 'chargeLowTempProtect', /charge low-temperature protection/i, 'protection'],
  [4, 'dischargeHighTempWarning', /discharge high-temperature warning/i, 'warning'],
  [5, 'dischargeHighTempProtect', /discharge high-temperature protection/i, 'protection'],
  [6, 'dischargeLowTempWarning', /discharge low-temperature warning/i, 'warning'],
  [7, 'dischargeLowTempProtect', /discharge low-temperature protection/i, 'protection']
];
const SEPLOS_EVENT4: Row[] = [
  [0, 'ambientHighTempWarning', /ambient high-temperature warning/i, 'warning'],
  [1, 'ambientHighTempProtect', /ambient high-temperature protection/i, 'protection'],
  [2, 'ambientLowTempWarning', /ambient low-temperature warning/i, 'warning'],
  [3, 'ambientLowTempProtect', /ambient low-temperature protection/i, 'protection'],
  [4, 'mosHighTempWarning', /component high-temperature warning/i, 'warning'],
  [5, 'mosHighTempProtect', /component high-temperature protection/i, 'protection'],
  [6, 'heating', /heating/i, 'state']
];
const SEPLOS_EVENT5: Row[] = [
  [0, 'chargeOverCurrentWarning', /charge over-current warning/i, 'warning'],
  [1, 'chargeOverCurrentProtect', /charge over-current protection/i, 'protection'],
  [2, 'dischargeOverCurrentWarning', /discharge over-current warning/i, 'warning'],
  [3, 'dischargeOverCurrentProtect', /discharge over-current protection/i, 'protection'],
  [4, 'transientOverCurrentProtect', /transient over-current protection/i, 'protection'],
  [5, 'shortCircuitProtect', /short-circuit protection/i, 'protection'],
  [6, 'transientOverCurrentLock', /transient over-current lock/i, 'fault'],
  [7, 'shortCircuitLock', /short-circuit lock/i, 'fault']
];
const SEPLOS_EVENT6: Row[] = [
  [0, 'chargerOverVoltageProtect', /charging high-voltage protection/i, 'protection'],
  [1, 'intermittentChargeWaiting', /intermittent/i, 'warning'],
  [2, 'remainingCapacityWarning', /remaining capacity warning/i, 'warning'],
  [3, 'remainingCapacityProtect', /remaining capacity protection/i, 'protection'],
  [4, 'cellLowVoltageChargeForbidden', /charging forbidden/i, 'fault'],
  [5, 'outputReverseProtect', /reverse/i, 'protection'],
  [6, 'outputConnectionFault', /output connection/i, 'fault']
];
const SEPLOS_EVENT7: Row[] = [
  [4, 'autoChargeWaiting', /automatic charging/i, 'warning'],
  [5, 'manualChargeWaiting', /manual charging/i, 'warning']
];
const SEPLOS_EVENT8: Row[] = [
  [0, 'eepromFault', /eeprom/i, 'fault'],
  [1, 'rtcFault', /clock/i, 'fault'],
  [2, 'noVoltageCalibration', /voltage not calibrated/i, 'warning'],
  [3, 'noCurrentCalibration', /current not calibrated/i, 'warning'],
  [4, 'noZeroCalibration', /zero point not calibrated/i, 'warning']
];
const SEPLOS_DISCONNECTION1: Row[] = range(0, 7).map((bit) => [
  bit,
  `cell${bit + 1}Disconnected`,
  new RegExp(`^cell ${bit + 1} disconnected`, 'i'),
  'fault'
]);
const SEPLOS_DISCONNECTION2: Row[] = range(0, 7).map((bit) => [
  bit,
  `cell${bit + 9}Disconnected`,
  new RegExp(`^cell ${bit + 9} disconnected`, 'i'),
  'fault'
]);

const SEPLOS_TABLES: [string, number, Row[]][] = [
  ['event1', 29, SEPLOS_EVENT1],
  ['event2', 30, SEPLOS_EVENT2],
  ['event3', 31, SEPLOS_EVENT3],
  ['event4', 32, SEPLOS_EVENT4],
  ['event5', 33, SEPLOS_EVENT5],
  ['event6', 34, SEPLOS_EVENT6],
  ['switches', 35, SEPLOS_SWITCHES],
  ['system', 38, SEPLOS_SYSTEM],
  ['disconnection1', 39, SEPLOS_DISCONNECTION1],
  ['disconnection2', 40, SEPLOS_DISCONNECTION2],
  ['event7', 41, SEPLOS_EVENT7],
  ['event8', 42, SEPLOS_EVENT8]
];

/** 16 cells, 6 temperatures, P = 20 and 20 status bytes (LENID 98 = 49 bytes, as Seplos packs send). */
const SEPLOS_BASE = Uint8Array.from([
  0x00,
  0x01,
  16,
  ...new Array<number>(16).fill(0),
  6,
  ...new Array<number>(6).fill(0),
  0,
  0,
  20,
  ...new Array<number>(20).fill(0)
]);

describe('Seplos V2.0 44H event bits (§11.2 and the [S5] tables)', () => {
  it('has the 49-byte layout of a real Seplos 44H reply', () => {
    expect(SEPLOS_BASE.length).toBe(49);
  });

  for (const [source, at, rows] of SEPLOS_TABLES) {
    it.each(rows)(`${source} bit %i → %s`, (bit, id, meaning, severity) => {
      const info = withByte(SEPLOS_BASE, range(29, 48), at, 1 << bit);
      const [p] = readStatus.decodeReply(info, { request: { command: 1 }, options: opts('seplos') }).packs;
      expect(raised(p)).toEqual([`${source}:${bit}:${id}`]);
      expect(p.flags[0].label).toMatch(meaning);
      expect(p.flags[0].severity).toBe(severity);
    });
  }

  it('equilibrium 1–2 are per cell with bit 0 = cell 1 (§11.2)', () => {
    const info = withByte(withByte(SEPLOS_BASE, range(29, 48), 36, 0x01), [], 37, 0x80);
    const [p] = readStatus.decodeReply(info, { request: { command: 1 }, options: opts('seplos') }).packs;
    expect(p.balancingCells).toEqual([1, 16]);
    expect(p.flags).toEqual([]);
  });

  it('"internal bits" of events 6–8 raise nothing; other unnamed bits are reported', () => {
    for (const [at, value] of [
      [34, 0x80],
      [41, 0xcf],
      [42, 0xe0]
    ] as const) {
      const [p] = readStatus.decodeReply(withByte(SEPLOS_BASE, range(29, 48), at, value), { request: { command: 1 }, options: opts('seplos') }).packs;
      expect(p.flags).toEqual([]);
    }
    const [p] = readStatus.decodeReply(withByte(SEPLOS_BASE, range(29, 48), 32, 0x80), { request: { command: 1 }, options: opts('seplos') }).packs;
    expect(p.flags).toMatchObject([{ id: 'event4Bit7' }]);
  });

  it('no meaning beyond the tables', () => {
    for (const [source, , rows] of SEPLOS_TABLES) {
      const named = SEPLOS_FLAGS[source].filter((d) => !d.silent).map((d) => d.id);
      expect(named.sort()).toEqual(rows.map(([, id]) => id).sort());
    }
  });
});

// -----------------------------------------------------------------------------------------------
// EG4 LifePower4 (§11.3 names the 44H; its bits come from nkinnan's v20 decoder [S3]):
// M + alarms, N = 4 + 6 alarms (ambient and MOS uncounted), current, voltage, P = 9, balance event
// (29), voltage event (30), temperature event u16 (31–32), current event (33), remaining capacity
// (34), FET status (35), system (36), balancing u32 (37–40), 1 reserved.

const EG4_TABLES: [string, number, 1 | 2, Row[]][] = [
  [
    'balanceEvent',
    29,
    1,
    [
      [0, 'balancingActive', /balancing active/i, 'state'],
      [4, 'cellDifferenceWarning', /cell voltage difference/i, 'warning'],
      [5, 'chargeMosFault', /charge mosfet fault/i, 'fault'],
      [6, 'dischargeMosFault', /discharge mosfet fault/i, 'fault']
    ]
  ],
  [
    'voltageEvent',
    30,
    1,
    [
      [0, 'cellOverVoltageWarning', /cell high-voltage alarm/i, 'warning'],
      [1, 'cellOverVoltageProtect', /cell over-voltage protection/i, 'protection'],
      [2, 'cellUnderVoltageWarning', /cell low-voltage alarm/i, 'warning'],
      [3, 'cellUnderVoltageProtect', /cell under-voltage protection/i, 'protection'],
      [4, 'packOverVoltageWarning', /pack high-voltage alarm/i, 'warning'],
      [5, 'packOverVoltageProtect', /pack over-voltage protection/i, 'protection'],
      [6, 'packUnderVoltageWarning', /pack low-voltage alarm/i, 'warning'],
      [7, 'packUnderVoltageProtect', /pack under-voltage protection/i, 'protection']
    ]
  ],
  [
    'temperatureEvent',
    31,
    2,
    [
      [0, 'chargeHighTempWarning', /charge high-temperature alarm/i, 'warning'],
      [1, 'chargeHighTempProtect', /charge high-temperature protection/i, 'protection'],
      [2, 'chargeLowTempWarning', /charge low-temperature alarm/i, 'warning'],
      [3, 'chargeLowTempProtect', /charge low-temperature protection/i, 'protection'],
      [4, 'dischargeHighTempWarning', /discharge high-temperature alarm/i, 'warning'],
      [5, 'dischargeHighTempProtect', /discharge high-temperature protection/i, 'protection'],
      [6, 'dischargeLowTempWarning', /discharge low-temperature alarm/i, 'warning'],
      [7, 'dischargeLowTempProtect', /discharge low-temperature protection/i, 'protection'],
      [8, 'ambientHighTempWarning', /ambient high-temperature alarm/i, 'warning'],
      [9, 'ambientHighTempProtect', /ambient high-temperature protection/i, 'protection'],
      [10, 'ambientLowTempWarning', /ambient low-temperature alarm/i, 'warning'],
      [11, 'ambientLowTempProtect', /ambient low-temperature protection/i, 'protection'],
      [12, 'mosHighTempProtect', /mosfet high-temperature/i, 'protection'],
      [13, 'fireAlarm', /fire/i, 'fault']
    ]
  ],
  [
    'currentEvent',
    33,
    1,
    [
      [0, 'chargeOverCurrentWarning', /charge over-current alarm/i, 'warning'],
      [1, 'chargeOverCurrentProtect', /charge over-current protection/i, 'protection'],
      [2, 'dischargeOverCurrentWarning', /discharge over-current alarm/i, 'warning'],
      [3, 'dischargeOverCurrentProtect', /discharge over-current protection/i, 'protection'],
      [4, 'dischargeOverCurrent2Protect', /level-2 over-current protection/i, 'protection'],
      [5, 'shortCircuitProtect', /short-circuit protection/i, 'protection'],
      [6, 'dischargeOverCurrent2Lock', /level-2 over-current lock/i, 'fault'],
      [7, 'shortCircuitLock', /short-circuit lock/i, 'fault']
    ]
  ],
  ['remainingCapacity', 34, 1, [[0, 'lowSocWarning', /low state of charge/i, 'warning']]],
  [
    'fetStatus',
    35,
    1,
    [
      [0, 'dischargeMosOn', /discharge mosfet on/i, 'state'],
      [1, 'chargeMosOn', /charge mosfet on/i, 'state'],
      [2, 'chargeLimiterOn', /limiter on/i, 'state'],
      [3, 'heaterOn', /heater on/i, 'state']
    ]
  ],
  [
    'system',
    36,
    1,
    [
      [0, 'discharging', /discharging/i, 'state'],
      [1, 'charging', /^charging/i, 'state'],
      [3, 'standby', /standby/i, 'state']
    ]
  ]
];

/** The [S3] EG4 44H capture's INFO with every event byte cleared. */
const EG4_BASE = F.frameOf(F.EG4_STATUS).info;

describe('EG4 44H events ([S3] nkinnan v20)', () => {
  it('the capture has the layout the offsets assume (P = 9 at 28, 42 bytes)', () => {
    expect(EG4_BASE.length).toBe(42);
    expect(EG4_BASE[28]).toBe(9);
    expect(EG4_BASE[35]).toBe(0x03); // FET status: both MOSFETs on
  });

  for (const [source, at, width, rows] of EG4_TABLES) {
    it.each(rows)(`${source} bit %i → %s`, (bit, id, meaning, severity) => {
      const info = withByte(EG4_BASE, range(29, 40), at, 1 << bit, width);
      const [p] = eg4ReadStatus.decodeReply(info, { request: {}, options: opts('eg4') }).packs;
      expect(raised(p)).toEqual([`${source}:${bit}:${id}`]);
      expect(p.flags[0].label).toMatch(meaning);
      expect(p.flags[0].severity).toBe(severity);
    });
  }

  it('balancing is a u32 with bit 0 = cell 1', () => {
    const info = withByte(EG4_BASE, range(29, 40), 39, 0x80);
    info[40] = 0x01;
    expect(eg4ReadStatus.decodeReply(info, { request: {}, options: opts('eg4') }).packs[0].balancingCells).toEqual([1, 16]);
  });

  it('no meaning beyond the table', () => {
    for (const [source, , , rows] of EG4_TABLES) expect(EG4_FLAGS[source].map((d) => d.id).sort()).toEqual(rows.map(([, id]) => id).sort());
  });
});

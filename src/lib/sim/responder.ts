// Frame in, frame out, for one pack: the protocol codecs decode the request, the pack's firmware
// computes, the codecs encode the reply. One handler per command id; a CID2 the firmware does not
// know gets RTN 04 (which is how the app detects a missing vendor extension), a request the
// command's codec cannot decode gets RTN 05.

import type { AnyCommand, Command } from '../protocol/command';
import { findCommands } from '../protocol/registry';
import { RTN } from '../protocol/rtn';
import type { Frame } from '../protocol/frame';
import { CID1_LFP, type AnalogReply, type DecodeOptions, type PackAnalog, type PackStatus, type StatusReply } from '../protocol/types';
import { readAnalog } from '../protocol/commands/analog';
import { readStatus } from '../protocol/commands/status';
import { readPackCount, readProductInfo, readSoftwareVersion } from '../protocol/commands/info';
import { ALL_PACKS, type PackRequest } from '../protocol/commands/pack-request';
import { alarmLevel, emptyPackAnalog, emptyPackStatus } from '../protocol/commands/telemetry-values';
import { EMPTY_ACK, type WriteAck } from '../protocol/commands/payload';
import {
  clearHistory,
  calibrateChargeCurrent,
  calibrateDischargeCurrent,
  calibrateReference,
  calibrateTotalVoltage,
  calibrateZeroCurrent,
  controlSwitch,
  decodeControlStatus,
  decodeIndicationStatus,
  enterFirmwareUpgrade,
  exitModule,
  readActiveBalancing,
  readAmbientTemperature,
  readBalance,
  readCapacities,
  readCellHighTemperature,
  readCellLowTemperature,
  readCellOverVoltage,
  readCellUnderVoltage,
  readChargeOverCurrent,
  readDateTime,
  readDischargeOverCurrent1,
  readFullCharge,
  readHistory,
  readInverterProtocols,
  readLimiter,
  readMosTemperature,
  readOverCurrent2,
  readPackOverVoltage,
  readPackUnderVoltage,
  readShortCircuit,
  readSleep,
  readStorageEnd,
  readStorageInterval,
  readStorageStart,
  restoreDefaults,
  restoreSystemDefaults,
  setActiveBalancing,
  setAmbientTemperature,
  setBalance,
  setCanBitrate,
  setCapacities,
  setCellCount,
  setCellHighTemperature,
  setCellLowTemperature,
  setCellOverVoltage,
  setCellUnderVoltage,
  setChargeCutoff,
  setChargeMos,
  setChargeOverCurrent,
  setCycleCount,
  setDateTime,
  setDischargeMos,
  setDischargeOverCurrent1,
  setFullCharge,
  setHost,
  setInverterProtocols,
  setLimiter,
  setMosTemperature,
  setOverCurrent2,
  setPackOverVoltage,
  setPackUnderVoltage,
  setSerialBaud,
  setShortCircuit,
  setSleep,
  setSoftwareAddress,
  setStorageEnd,
  setStorageInterval,
  setStorageStart,
  setWifi,
  shutdown,
  type BmsDateTime,
  type HistoryReply,
  type UpgradeRestoreSelection
} from '../protocol/commands/settings';
import type { HistoryEntry } from './history';
import type { SimPack } from './pack';
import { CalibrationRefused } from './sensors';

/** Firmware behaviour of every pack in a bank. */
export interface FirmwareOptions {
  /** VER byte of replies; requests with another VER get RTN 01. */
  ver: number;
  /** 42H tail: 'p3' classic (P = 3), 'p9' newer PACE (P = 9 + 14 bytes; 44H adds the newer status bytes). */
  tail: 'p3' | 'p9';
  /** The master answers 42H/44H COMMAND FF for the whole bank. */
  broadcast: boolean;
  /** Vendor extensions (F0H–F5H) known; false = RTN 04. */
  extensions: boolean;
  cellCount: 15 | 16;
  tempCount: 6 | 8;
  /** A request with a bad CHKSUM / LCHKSUM: stay silent (real packs, default) or answer RTN 02 / 03. */
  corruptRequest: 'silent' | 'rtn';
  /** C1H parts: "<model>-<board>-<version>". */
  model: string;
  board: string;
  version: string;
  /** C1H carries a 20-character Bluetooth name (V3.1 firmware with a B35 module). */
  bluetoothName: boolean;
  /** A1H past the oldest record: empty INFO (PACE capture) or RTN 07 (Seplos style). */
  historyEnd: 'empty' | 'rtn07';
  /** Timed storage B7H–BCH known (V3.1 firmware); false = RTN 04 as older firmware. */
  timedStorage: boolean;
  /** Active balancer fitted and 6AH/6BH known (2024 firmware); false = RTN 04. */
  activeBalancer: boolean;
}

/** What the responder may ask of the bank around the pack. */
export interface BankContext {
  readonly firmware: FirmwareOptions;
  readonly decodeOptions: DecodeOptions;
  /** Every pack, master first. */
  readonly packs: readonly SimPack[];
  /** The pack that answers for the bank (DIP address 1 unless moved with setHost). */
  readonly master: SimPack;
  /** Packs the master counts and polls, in address order. */
  members(): SimPack[];
  packAt(address: number): SimPack | undefined;
  /** FF 50: after the reply, the pack's UART belongs to its bootloader; `restore` applies if an image is committed. */
  enterBootloader(pack: SimPack, restore: UpgradeRestoreSelection): void;
  setMaster(pack: SimPack): void;
  /** The pack's serial baud changes (extension F3H); takes effect after the reply. */
  setBaud(baud: number): void;
}

export interface Response {
  /** null = say nothing. */
  reply: Frame | null;
  /** Runs once the reply's last byte is on the wire (or at once when there is no reply). */
  after?: () => void;
}

interface Outcome<Res> {
  rtn: number;
  /** Encoded with the command's encodeReply; omitted = empty INFO. */
  res?: Res;
  after?: () => void;
}

interface Call {
  pack: SimPack;
  ctx: BankContext;
  frame: Frame;
}

type Handler<Req, Res> = (req: Req, call: Call) => Outcome<Res>;

interface Entry {
  cmd: AnyCommand;
  run: (req: unknown, call: Call) => Outcome<unknown>;
}

const TABLE = new Map<string, Entry>();

function on<Req, Res>(cmd: Command<Req, Res>, handler: Handler<Req, Res>): void {
  TABLE.set(cmd.id, { cmd, run: (req, call) => handler(req as Req, call) });
}

const ok = <Res>(res?: Res, after?: () => void): Outcome<Res> => ({ rtn: RTN.ok, res, after });
const ack = (after?: () => void): Outcome<WriteAck> => ({ rtn: RTN.ok, res: EMPTY_ACK, after });
const fail = <Res>(rtn: number): Outcome<Res> => ({ rtn });

// ---- telemetry ----------------------------------------------------------------------------------

const round = (v: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
};
const clampS16 = (v_A: number) => Math.max(-327.68, Math.min(327.67, v_A));

function packAnalog(pack: SimPack, fw: FirmwareOptions): PackAnalog {
  const r = pack.readings;
  const g = pack.gauge;
  const p9 = fw.tail === 'p9';
  const analog: PackAnalog = {
    cells_mV: r.cells_mV.slice(0, pack.reportedCellCount),
    temps_C: r.temps_C.map((t) => (t === null ? null : round(t, 1))),
    tempLabels: [],
    current_A: round(clampS16(r.current_A), 2),
    voltage_V: r.packVoltage_mV / 1000,
    remaining_Ah: round(g.remaining_Ah, 2),
    full_Ah: round(g.full_Ah, 2),
    design_Ah: round(g.design_Ah, 2),
    cycles: g.cycles,
    soc_pct: p9 ? Math.round(g.soc_pct) : null,
    soh_pct: p9 ? Math.round(g.soh_pct) : null,
    socSource: p9 ? 'reported' : null,
    userDefinedCount: p9 ? 9 : 3,
    empty: false
  };
  if (p9) {
    analog.tail = {
      cumulativeCharge_Ah: Math.round(g.cumulativeCharge_Ah),
      cumulativeDischarge_Ah: Math.round(g.cumulativeDischarge_Ah),
      portVoltage_V: round(pack.model.terminal_V(), 3),
      portCurrent_A: round(clampS16(r.current_A), 2)
    };
  }
  return analog;
}

function packStatus(pack: SimPack, fw: FirmwareOptions): PackStatus {
  const s = pack.status;
  const cells = s.cellAlarms.slice(0, pack.reportedCellCount);
  const bytes: Record<string, number> = {
    protection1: s.protection1,
    protection2: s.protection2,
    indication: s.indication,
    control: s.control,
    fault: s.fault,
    warning1: s.warning1,
    warning2: s.warning2
  };
  if (fw.tail === 'p9') {
    bytes.fault8 = s.fault8;
    bytes.indication9 = s.indication9;
    bytes.activeBalance1 = 0;
    bytes.activeBalance2 = 0;
    bytes.fault10 = s.fault10;
  }
  const balancingCells: number[] = [];
  s.balancing.forEach((on, i) => {
    if (on && i < pack.reportedCellCount) balancingCells.push(i + 1);
  });
  return {
    cellAlarms: cells.map(alarmLevel),
    tempAlarms: s.tempAlarms.map(alarmLevel),
    chargeCurrentAlarm: alarmLevel(s.chargeCurrentAlarm),
    packVoltageAlarm: alarmLevel(s.packVoltageAlarm),
    dischargeCurrentAlarm: alarmLevel(s.dischargeCurrentAlarm),
    alarmCodes: {
      cells,
      temps: s.tempAlarms.slice(),
      chargeCurrent: s.chargeCurrentAlarm,
      packVoltage: s.packVoltageAlarm,
      dischargeCurrent: s.dischargeCurrentAlarm
    },
    bytes,
    balancingCells,
    flags: [],
    chargeMosOn: s.chargeMosOn,
    dischargeMosOn: s.dischargeMosOn,
    heaterOn: s.heaterOn,
    empty: false
  };
}

/**
 * 42H/44H: the pack's own block, the whole bank (master, COMMAND FF, broadcast firmware) or a
 * slave's block relayed by the master. An offline slave is a zero block in a broadcast and
 * RTN 91 when relayed.
 */
function multiPack<P extends { empty: boolean }>(
  req: PackRequest,
  call: Call,
  block: (p: SimPack) => P,
  empty: () => P
): Outcome<{ infoFlag: number; broadcast: boolean; command: number; packs: P[]; trailingBytes: number }> {
  const { pack, ctx } = call;
  const isMaster = pack === ctx.master;
  const reply = (broadcast: boolean, command: number, packs: P[]) => ok({ infoFlag: 0, broadcast, command, packs, trailingBytes: 0 });
  if (req.command === ALL_PACKS) {
    if (isMaster && ctx.firmware.broadcast) {
      const members = ctx.members();
      return reply(
        true,
        members.length,
        members.map((p) => (p === pack || p.responsive ? block(p) : empty()))
      );
    }
    // "On any other pack COMMAND 01 or FF returns only that pack" (reference §5.1).
    return reply(true, 1, [block(pack)]);
  }
  if (req.command === pack.address || req.command === 0 || !isMaster) return reply(false, req.command, [block(pack)]);
  const target = ctx.members().find((p) => p.address === req.command);
  if (!target || !target.responsive) return fail(RTN.linkError);
  return reply(false, req.command, [block(target)]);
}

on(readAnalog, (req, call) => multiPack(req, call, (p) => packAnalog(p, call.ctx.firmware), emptyPackAnalog) as Outcome<AnalogReply>);
on(readStatus, (req, call) => multiPack(req, call, (p) => packStatus(p, call.ctx.firmware), emptyPackStatus) as Outcome<StatusReply>);
on(readPackCount, (_req, { pack, ctx }) => ok({ packCount: pack === ctx.master ? ctx.members().length : 1 }));
on(readSoftwareVersion, (_req, { pack }) =>
  ok(
    pack.identity.bluetoothName === null
      ? { version: pack.softwareVersion }
      : { version: pack.softwareVersion, bluetoothName: pack.identity.bluetoothName }
  )
);
on(readProductInfo, (_req, { pack }) => ok({ bmsSerial: pack.identity.bmsSerial, packSerial: pack.identity.packSerial }));

// ---- protection parameters ------------------------------------------------------------------------

on(readCellOverVoltage, (_r, { pack }) => ok({ ...pack.params.cellOverVoltage }));
on(setCellOverVoltage, (req, { pack }) => ((pack.params.cellOverVoltage = { ...req }), ack()));
on(readCellUnderVoltage, (_r, { pack }) => ok({ ...pack.params.cellUnderVoltage }));
on(setCellUnderVoltage, (req, { pack }) => ((pack.params.cellUnderVoltage = { ...req }), ack()));
on(readPackOverVoltage, (_r, { pack }) => ok({ ...pack.params.packOverVoltage }));
on(setPackOverVoltage, (req, { pack }) => ((pack.params.packOverVoltage = { ...req }), ack()));
on(readPackUnderVoltage, (_r, { pack }) => ok({ ...pack.params.packUnderVoltage }));
on(setPackUnderVoltage, (req, { pack }) => ((pack.params.packUnderVoltage = { ...req }), ack()));
on(readChargeOverCurrent, (_r, { pack }) => ok({ ...pack.params.chargeOverCurrent }));
on(setChargeOverCurrent, (req, { pack }) => ((pack.params.chargeOverCurrent = { ...req }), ack()));
on(readDischargeOverCurrent1, (_r, { pack }) => ok({ ...pack.params.dischargeOverCurrent }));
on(setDischargeOverCurrent1, (req, { pack }) => ((pack.params.dischargeOverCurrent = { ...req }), ack()));
on(readCellHighTemperature, (_r, { pack }) => ok({ ...pack.params.cellHighTemp }));
on(setCellHighTemperature, (req, { pack }) => ((pack.params.cellHighTemp = { ...req }), ack()));
on(readCellLowTemperature, (_r, { pack }) => ok({ ...pack.params.cellLowTemp }));
on(setCellLowTemperature, (req, { pack }) => ((pack.params.cellLowTemp = { ...req }), ack()));
on(readMosTemperature, (_r, { pack }) => ok({ ...pack.params.mosHighTemp }));
on(setMosTemperature, (req, { pack }) => ((pack.params.mosHighTemp = { ...req }), ack()));
on(readAmbientTemperature, (_r, { pack }) => ok({ ...pack.params.ambientTemp }));
on(setAmbientTemperature, (req, { pack }) => ((pack.params.ambientTemp = { ...req }), ack()));
on(readOverCurrent2, (_r, { pack }) => ok({ ...pack.params.overCurrent2 }));
on(setOverCurrent2, (req, { pack }) => {
  const oc2 = pack.params.overCurrent2;
  // The 3-byte PbmsTools form sets only the discharge part.
  pack.params.overCurrent2 = {
    discharge_A: req.discharge_A,
    dischargeDelay_ms: req.dischargeDelay_ms,
    charge_A: req.charge_A ?? oc2.charge_A,
    chargeDelay_ms: req.chargeDelay_ms ?? oc2.chargeDelay_ms
  };
  return ack();
});
on(readShortCircuit, (_r, { pack }) => ok({ delay_us: pack.params.shortCircuitDelay_us }));
on(setShortCircuit, (req, { pack }) => ((pack.params.shortCircuitDelay_us = req.delay_us), ack()));

// ---- other settings -----------------------------------------------------------------------------

on(readBalance, (_r, { pack }) => ok({ startVoltage_mV: pack.params.balanceStart_mV, startDelta_mV: pack.params.balanceDelta_mV }));
on(setBalance, (req, { pack }) => {
  pack.params.balanceStart_mV = req.startVoltage_mV;
  pack.params.balanceDelta_mV = req.startDelta_mV;
  return ack();
});
on(readSleep, (_r, { pack }) => ok({ cellVoltage_mV: pack.params.sleepCell_mV, delay_min: pack.params.sleepDelay_min }));
on(setSleep, (req, { pack }) => {
  pack.params.sleepCell_mV = req.cellVoltage_mV;
  pack.params.sleepDelay_min = req.delay_min;
  return ack();
});
on(readFullCharge, (_r, { pack }) =>
  ok({
    fullChargeVoltage_mV: pack.params.fullChargePack_mV,
    fullChargeCurrent_mA: pack.params.fullChargeCurrent_mA,
    lowSocAlarm_pct: pack.params.lowSocAlarm_pct
  })
);
on(setFullCharge, (req, { pack }) => {
  pack.params.fullChargePack_mV = req.fullChargeVoltage_mV;
  pack.params.fullChargeCurrent_mA = req.fullChargeCurrent_mA;
  // The short (LENID 08) write leaves the low-SOC alarm as it was.
  if (req.lowSocAlarm_pct !== null) pack.params.lowSocAlarm_pct = req.lowSocAlarm_pct;
  return ack();
});
// Timed storage and active balancing exist only on newer firmware: older packs answer RTN 04.
function ifFirmware<Res>(known: boolean, run: () => Outcome<Res>): Outcome<Res> {
  return known ? run() : fail(RTN.unsupported);
}
on(readStorageInterval, (_r, { pack, ctx }) => ifFirmware(ctx.firmware.timedStorage, () => ok({ interval_min: pack.params.storageInterval_min })));
on(setStorageInterval, (req, { pack, ctx }) =>
  ifFirmware(ctx.firmware.timedStorage, () => ((pack.params.storageInterval_min = req.interval_min), ack()))
);
on(readStorageStart, (_r, { pack, ctx }) => ifFirmware(ctx.firmware.timedStorage, () => ok({ ...pack.params.storageStart })));
on(setStorageStart, (req, { pack, ctx }) => ifFirmware(ctx.firmware.timedStorage, () => ((pack.params.storageStart = { ...req }), ack())));
on(readStorageEnd, (_r, { pack, ctx }) => ifFirmware(ctx.firmware.timedStorage, () => ok({ ...pack.params.storageEnd })));
on(setStorageEnd, (req, { pack, ctx }) => ifFirmware(ctx.firmware.timedStorage, () => ((pack.params.storageEnd = { ...req }), ack())));
on(readActiveBalancing, (_r, { pack, ctx }) => ifFirmware(ctx.firmware.activeBalancer, () => ok({ enabled: pack.bms.switches.activeBalancing })));
on(setActiveBalancing, (req, { pack, ctx }) =>
  ifFirmware(ctx.firmware.activeBalancer, () => ((pack.bms.switches.activeBalancing = req.enabled), ack()))
);
on(readLimiter, (_r, { pack }) => ok({ startCurrent_A: pack.params.limiterStart_A }));
on(setLimiter, (req, { pack }) => ((pack.params.limiterStart_A = req.startCurrent_A), ack()));
on(readCapacities, (_r, { pack }) =>
  ok({ remaining_Ah: round(pack.gauge.remaining_Ah, 2), full_Ah: round(pack.gauge.full_Ah, 2), design_Ah: round(pack.gauge.design_Ah, 2) })
);
on(setCapacities, (req, { pack }) => {
  if (req.full_Ah <= 0 || req.design_Ah <= 0) return fail(RTN.invalidData);
  pack.gauge.setCapacities(req.remaining_Ah, req.full_Ah, req.design_Ah);
  return ack();
});
on(setChargeCutoff, (req, { pack }) => ((pack.params.chargeCutoffSoc_pct = req.chargeCutoffSoc_pct), ack()));
on(setCycleCount, (req, { pack }) => ((pack.gauge.cycles = req.cycles), ack()));
on(setCellCount, (req, { pack }) => {
  // The firmware can ignore fitted cells, not invent missing ones.
  if (req.cells < 13 || req.cells > pack.model.cellCount) return fail(RTN.invalidData);
  pack.reportedCellCount = req.cells;
  return ack();
});
on(restoreDefaults, (_r, { pack }) => (pack.restoreDefaults(), ack()));
on(restoreSystemDefaults, (_r, { pack }) => (pack.restoreDefaults(), ack()));

on(readInverterProtocols, (_r, { pack }) =>
  ok({
    can: pack.params.canProtocol,
    rs485: pack.params.rs485Protocol,
    mode: pack.params.protocolMode === 0 ? ('automatic' as const) : ('manual' as const)
  })
);
on(setInverterProtocols, (req, { pack }) => {
  // FF (null) leaves a field as it is.
  if (req.can !== null) pack.params.canProtocol = req.can;
  if (req.rs485 !== null) pack.params.rs485Protocol = req.rs485;
  if (req.mode !== null) pack.params.protocolMode = req.mode === 'automatic' ? 0 : 1;
  return ack();
});

// ---- switches and MOSFETs -----------------------------------------------------------------------

/** Legacy CAN protocol selectors of 99H and the EBH ids they stand for. */
const LEGACY_CAN: Record<string, number> = {
  canProtocolPace: 0x00,
  canProtocolPylon: 0x01,
  canProtocolGrowatt: 0x02,
  canProtocolSofar: 0x0a
};

on(controlSwitch, (req, { pack, ctx }) => {
  const sw = pack.bms.switches;
  let echo: number;
  if ('userDefined' in req) {
    echo = req.userDefined;
  } else {
    echo = controlSwitch.encodeRequest(req)[0];
    switch (req.action) {
      case 'staticBalancingOn':
        sw.staticBalancing = true;
        break;
      case 'staticBalancingOff':
        sw.staticBalancing = false;
        break;
      case 'systemLockOn':
        sw.systemLock = true;
        break;
      case 'systemLockOff':
        sw.systemLock = false;
        break;
      case 'ledAlarmOn':
        sw.ledAlarm = true;
        break;
      case 'ledAlarmOff':
        sw.ledAlarm = false;
        break;
      case 'limitGearHigh':
        sw.gearLow = false;
        break;
      case 'limitGearLow':
        sw.gearLow = true;
        break;
      case 'chargeLimiterOn':
        sw.limiter = true;
        break;
      case 'chargeLimiterOff':
        sw.limiter = false;
        break;
      case 'buzzerOn':
        sw.buzzer = true;
        break;
      case 'buzzerOff':
        sw.buzzer = false;
        break;
      default: {
        const can = LEGACY_CAN[req.action];
        // HOZONIE has no EBH id in any list: the pack takes the command and changes nothing we can show.
        if (can !== undefined) pack.params.canProtocol = can;
      }
    }
  }
  const control = pack.bms.refreshControl();
  return ok({ echo, status: decodeControlStatus(control, ctx.decodeOptions) });
});

function mos(which: 'charge' | 'discharge') {
  return (req: { on: boolean }, { pack }: Call) => {
    const result = pack.bms.switchMos(which, req.on);
    const res = { indication: decodeIndicationStatus(pack.status.indication) };
    return result === 'ok' ? ok(res) : { rtn: RTN.refused, res };
  };
}
on(setChargeMos, mos('charge'));
on(setDischargeMos, mos('discharge'));
on(shutdown, (_r, { pack }) => ack(() => pack.requestShutdown(pack.now())));

// ---- calibration ----------------------------------------------------------------------------------

function calibrate(fn: () => void): Outcome<WriteAck> {
  try {
    fn();
    return ack();
  } catch (e) {
    if (e instanceof CalibrationRefused) return fail(RTN.refused);
    throw e;
  }
}
// The ADC reference is not modelled (its meaning is undocumented); the pack keeps the value.
on(calibrateReference, (req, { pack }) => ((pack.extras.reference_mV = req.reference_mV), ack()));
on(calibrateZeroCurrent, (_r, { pack }) => calibrate(() => pack.sensors.calibrateZero()));
on(calibrateDischargeCurrent, (req, { pack }) => calibrate(() => pack.sensors.calibrateCurrent('discharge', req.current_A)));
on(calibrateChargeCurrent, (req, { pack }) => calibrate(() => pack.sensors.calibrateCurrent('charge', req.current_A)));
on(calibrateTotalVoltage, (req, { pack }) => calibrate(() => pack.sensors.calibrateVoltage(req.voltage_mV)));

// ---- clock and history ----------------------------------------------------------------------------

/** The pack's clock face is UTC here: it has no time zone, and tests must not depend on the host's. */
export function dateTimeOf(epoch_ms: number): BmsDateTime {
  const d = new Date(epoch_ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds()
  };
}

function epochOf(t: BmsDateTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

on(readDateTime, (_r, { pack }) => ok(dateTimeOf(pack.rtc.now_ms())));
on(setDateTime, (req, { pack }) => (pack.rtc.set(epochOf(req)), ack()));

export function historyRecord(e: HistoryEntry, tempCount: number, tail: FirmwareOptions['tail']): HistoryReply {
  return {
    kind: 'record',
    record: {
      time: dateTimeOf(e.time_ms),
      cells_mV: e.cells_mV.slice(),
      temps_C: e.temps_C.slice(0, tempCount).map((t) => (t === null ? null : round(t, 1))),
      current_A: round(clampS16(e.current_A), 2),
      voltage_V: e.voltage_mV / 1000,
      remaining_Ah: round(e.remaining_Ah, 2),
      full_Ah: round(e.full_Ah, 2),
      status: {
        protection1: e.protection1,
        protection2: e.protection2,
        fault: e.fault,
        warning1: e.warning1,
        warning2: e.warning2,
        indication: e.indication,
        // Firmware without the newer status bytes stores FF there (reference §8.4 capture).
        fault8: tail === 'p9' ? e.fault8 : null,
        fault10: tail === 'p9' ? e.fault10 : null
      },
      cycles: e.cycles,
      statusRecord: e.powerOn ? 1 : 0
    }
  };
}

on(readHistory, (req, { pack, ctx }) => {
  const e = pack.history.get(req.index);
  if (!e) return ctx.firmware.historyEnd === 'rtn07' ? fail(RTN.noData) : ok({ kind: 'end' as const });
  return ok(historyRecord(e, pack.tempCount, ctx.firmware.tail));
});
on(clearHistory, (_r, { pack }) => (pack.history.clear(), ack()));

// ---- firmware upgrade -----------------------------------------------------------------------------

on(enterFirmwareUpgrade, (req, { pack, ctx }) => ack(() => ctx.enterBootloader(pack, req.restore)));

// ---- vendor extensions ----------------------------------------------------------------------------

on(setSoftwareAddress, (req, { pack, ctx }) => {
  if (req.address > 0x10 || ctx.packs.some((p) => p !== pack && p.address === req.address)) return fail(RTN.invalidData);
  // The reply still comes from the old address; the new one applies from the next request.
  return ack(() => (pack.address = req.address));
});
on(setHost, (req, { ctx }) => {
  const host = ctx.packAt(req.address);
  if (!host) return fail(RTN.invalidData);
  return ack(() => ctx.setMaster(host));
});
on(exitModule, (req, { ctx }) => {
  const leaving = ctx.packAt(req.address);
  if (!leaving || leaving === ctx.master) return fail(RTN.invalidData);
  return ack(() => (leaving.excluded = true));
});
on(setSerialBaud, (req, { ctx }) => ack(() => ctx.setBaud(req.baud)));
on(setCanBitrate, (req, { pack }) => ((pack.extras.canBitrate_kbps = req.bitrate_kbps), ack()));
on(setWifi, (req, { pack }) => ((pack.extras.wifi = { ssid: req.ssid, password: req.password }), ack()));

// ---- dispatch -------------------------------------------------------------------------------------

/**
 * Commands of other dialects that share a CID2 with a PACE command; a PACE pack does not speak
 * them (their requests fail to decode as the PACE command and get RTN 05).
 */
export const NOT_PACE_FIRMWARE: ReadonlySet<string> = new Set(['eg4ReadAnalog', 'eg4ReadStatus']);

/** Command ids the simulated firmware answers. */
export function handledCommandIds(): string[] {
  return [...TABLE.keys()];
}

/** The registry's definitions for this frame that the firmware implements, most likely first. */
function candidatesFor(frame: Frame): Entry[] {
  const out: Entry[] = [];
  for (const cmd of findCommands(frame.code, frame.ver, frame.cid1)) {
    const e = TABLE.get(cmd.id);
    if (e) out.push(e);
  }
  return out;
}

function replyFrame(pack: SimPack, ctx: BankContext, rtn: number, info: Uint8Array): Frame {
  return { ver: ctx.firmware.ver, adr: pack.address, cid1: CID1_LFP, code: rtn, info };
}

export function respond(pack: SimPack, frame: Frame, ctx: BankContext): Response {
  if (frame.ver !== ctx.firmware.ver) return { reply: replyFrame(pack, ctx, RTN.verError, new Uint8Array(0)) };
  if (frame.cid1 !== CID1_LFP) return { reply: replyFrame(pack, ctx, RTN.cid1Invalid, new Uint8Array(0)) };
  const candidates = candidatesFor(frame).filter((e) => ctx.firmware.extensions || !e.cmd.extension);
  if (candidates.length === 0) return { reply: replyFrame(pack, ctx, RTN.unsupported, new Uint8Array(0)) };
  for (const entry of candidates) {
    let req: unknown;
    try {
      req = entry.cmd.decodeRequest(frame.info);
    } catch {
      continue;
    }
    const out = entry.run(req, { pack, ctx, frame });
    const info = out.res === undefined ? new Uint8Array(0) : entry.cmd.encodeReply(out.res, req, ctx.decodeOptions);
    return { reply: replyFrame(pack, ctx, out.rtn, info), after: out.after };
  }
  return { reply: replyFrame(pack, ctx, RTN.formatError, new Uint8Array(0)) };
}

/** The command definitions the table was built from (tests check they are the registry's own). */
export function handledCommands(): AnyCommand[] {
  return [...TABLE.values()].map((e) => e.cmd);
}

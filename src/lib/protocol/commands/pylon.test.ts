import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../frame';
import { asciiBytes, bytesToHex } from '../hex';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions, type ProtocolProfile } from '../types';
import * as F from '../fixtures/telemetry-frames';
import { readAnalog } from './analog';
import { eg4ReadAnalog, eg4ReadStatus, pylonTempLabels } from './pylon';
import { readStatus } from './status';

const opts = (profile: ProtocolProfile): DecodeOptions => ({ ...DEFAULT_DECODE_OPTIONS, profile });

describe('Pylontech temperature sensors', () => {
  it('name cell groups by the real cell count of the module', () => {
    expect(pylonTempLabels(5, 16)).toEqual(['BMS board', 'Cells 1–4', 'Cells 5–8', 'Cells 9–12', 'Cells 13–16']);
    expect(pylonTempLabels(5, 15)).toEqual(['BMS board', 'Cells 1–4', 'Cells 5–8', 'Cells 9–12', 'Cells 13–15']);
    expect(pylonTempLabels(5, 8)).toEqual(['BMS board', 'Cells 1–2', 'Cells 3–4', 'Cells 5–6', 'Cells 7–8']);
    expect(pylonTempLabels(3, 8)).toEqual(['BMS board', 'Cells 1–4', 'Cells 5–8']);
    // More sensors than cells: the spare ones keep a plain number; no cells: numbers only.
    expect(pylonTempLabels(4, 2)).toEqual(['BMS board', 'Cell 1', 'Cell 2', 'T4']);
    expect(pylonTempLabels(2, 0)).toEqual(['BMS board', 'T2']);
  });
});

describe('Pylontech 42H (VER 20, reference §11.1)', () => {
  const frame = F.frameOf(F.PYLON_ANALOG);
  const reply = readAnalog.decodeReply(frame.info, { request: { command: 1 }, options: opts('pylon') });
  const p = reply.packs[0];

  it('decodes the documented example: INFOFLAG 11, 15 cells, 5 temps, 50.981 V, 49 Ah of 50 Ah, 2 cycles', () => {
    expect(reply.infoFlag).toBe(0x11);
    expect(p.cells_mV).toHaveLength(15);
    expect(p.cells_mV[0]).toBe(3397);
    expect(p.temps_C).toEqual([28.0, 28.0, 28.0, 29.0, 29.0]);
    expect(p.tempLabels).toEqual(['BMS board', 'Cells 1–4', 'Cells 5–8', 'Cells 9–12', 'Cells 13–15']);
    expect(p.design_Ah).toBeNull();
    expect(p.current_A).toBe(0);
    expect(p.voltage_V).toBe(50.981);
    expect(p.remaining_Ah).toBe(49);
    expect(p.userDefinedCount).toBe(2);
    expect(p.full_Ah).toBe(50);
    expect(p.cycles).toBe(2);
    expect(p.soc_pct).toBe(98);
    expect(p.soh_pct).toBeNull();
    expect(reply.trailingBytes).toBe(0);
  });

  it('re-encodes byte for byte', () => {
    expect(bytesToHex(readAnalog.encodeReply(reply, { command: 1 }, opts('pylon')))).toBe(bytesToHex(frame.info));
  });

  it('reads the 3-byte capacities of a P = 4 reply (2-byte fields FFFF)', () => {
    const f = F.frameOf(F.PYLON_ANALOG_P4);
    const r = readAnalog.decodeReply(f.info, { request: { command: 2 }, options: opts('pylon') });
    expect(r.packs[0]).toMatchObject({ userDefinedCount: 4, remaining_Ah: 28.86, full_Ah: 74, voltage_V: 49.431, cycles: 0 });
    expect(r.trailingBytes).toBe(0);
    expect(bytesToHex(readAnalog.encodeReply(r, { command: 2 }, opts('pylon')))).toBe(bytesToHex(f.info));
  });

  it('uses the same request bytes as the Seplos table', () => {
    expect(encodeFrame({ ver: 0x20, adr: 1, cid1: 0x46, code: 0x42, info: readAnalog.encodeRequest({ command: 1 }) })).toEqual(
      asciiBytes(F.REQ_SEPLOS_ANALOG_ADR1.text)
    );
  });
});

describe('Seplos V2.0 42H (reference §11.2)', () => {
  const frame = F.frameOf(F.SEPLOS_ANALOG);
  const reply = readAnalog.decodeReply(frame.info, { request: { command: 0 }, options: opts('seplos') });
  const p = reply.packs[0];

  it('has the header the reference quotes (200046001096)', () => {
    expect(F.SEPLOS_ANALOG.text.startsWith('~200046001096')).toBe(true);
  });

  it('decodes 10 mV voltage, per-mille SOC/SOH, rated capacity and the 2731 offset', () => {
    expect(p.cells_mV).toHaveLength(16);
    expect(p.cells_mV[0]).toBe(3287);
    expect(p.temps_C).toEqual([25.1, 24.5, 23.6, 25.1, 25.0, 24.7]); // 0BA6 = 2982 -> (2982 - 2731) / 10
    expect(p.tempLabels).toEqual(['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'Ambient', 'MOSFET']);
    expect(p.current_A).toBe(-6.76);
    expect(p.voltage_V).toBe(52.8);
    expect(p.remaining_Ah).toBe(133.9);
    expect(p.userDefinedCount).toBe(10);
    expect(p.full_Ah).toBe(170);
    expect(p.soc_pct).toBe(78.7);
    expect(p.design_Ah).toBe(180);
    expect(p.cycles).toBe(70);
    expect(p.soh_pct).toBe(100);
    expect(p.socSource).toBe('reported');
    expect(p.tail).toEqual({ portVoltage_V: 52.79 });
  });

  it('keeps the 4 reserved words without counting them as unexplained', () => {
    expect(p.extraBytes).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(reply.trailingBytes).toBe(0);
    expect(bytesToHex(readAnalog.encodeReply(reply, { command: 0 }, opts('seplos')))).toBe(bytesToHex(frame.info));
  });
});

describe('EG4 LifePower4 (CID1 4AH, reference §11.3)', () => {
  it('sends 42H and 44H without INFO', () => {
    expect(encodeFrame({ ver: 0x20, adr: 1, cid1: 0x4a, code: eg4ReadAnalog.cid2, info: eg4ReadAnalog.encodeRequest({}) })).toEqual(
      asciiBytes(F.REQ_EG4_ANALOG.text)
    );
    expect(encodeFrame({ ver: 0x20, adr: 1, cid1: 0x4a, code: eg4ReadStatus.cid2, info: eg4ReadStatus.encodeRequest({}) })).toEqual(
      asciiBytes(F.REQ_EG4_STATUS.text)
    );
    expect(eg4ReadAnalog.decodeRequest(new Uint8Array(0))).toEqual({});
    expect(() => eg4ReadAnalog.decodeRequest(Uint8Array.of(1))).toThrow();
  });

  const frame = F.frameOf(F.EG4_ANALOG);
  const reply = eg4ReadAnalog.decodeReply(frame.info, { request: {}, options: DEFAULT_DECODE_OPTIONS });
  const p = reply.packs[0];

  it('reads 6 temperatures although the count says 4, and P = 15 after the cycle count', () => {
    expect(reply.infoFlag).toBe(0x10);
    expect(reply.command).toBe(1);
    expect(p.cells_mV).toHaveLength(16);
    expect(p.cells_mV[0]).toBe(3375);
    expect(p.temps_C).toEqual([24.0, 25.0, 24.0, 24.0, 27.0, 26.0]); // 0B9B = 2971 -> 24.0 with the 2731 offset
    expect(p.tempLabels).toEqual(['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'Ambient', 'MOSFET']);
    expect(p.current_A).toBe(6.69);
    expect(p.voltage_V).toBe(53.97);
    expect(p.remaining_Ah).toBe(86.17);
    expect(p.full_Ah).toBe(98.6);
    expect(p.cycles).toBe(84);
    expect(p.userDefinedCount).toBe(15);
    expect(p.soc_pct).toBe(87);
    expect(p.soh_pct).toBe(98);
    expect(reply.trailingBytes).toBe(0);
  });

  it('decodes the counters and the BMS extremes', () => {
    expect(p.tail).toEqual({
      cumulativeCharge_Ah: 7113.6,
      cumulativeDischarge_Ah: 6769.49,
      cumulativeChargeEnergy_kWh: 382.067,
      cumulativeDischargeEnergy_kWh: 356.518,
      chargeTime_h: 1664,
      dischargeTime_h: 1226,
      chargeCount: 0x5689,
      dischargeCount: 0x7e24,
      extremes: { maxCell_mV: 3376, minCell_mV: 3372, cellDelta_mV: 4, maxTemp_C: 25, minTemp_C: 24 }
    });
  });

  it('re-encodes byte for byte', () => {
    expect(bytesToHex(eg4ReadAnalog.encodeReply(reply, {}, DEFAULT_DECODE_OPTIONS))).toBe(bytesToHex(frame.info));
  });

  it('decodes the 44H example: 16 cell alarms, 6 temperature alarms, P = 9, both MOSFETs on, charging', () => {
    const f = F.frameOf(F.EG4_STATUS);
    const r = eg4ReadStatus.decodeReply(f.info, { request: {}, options: DEFAULT_DECODE_OPTIONS });
    const s = r.packs[0];
    expect(s.cellAlarms).toHaveLength(16);
    expect(s.tempAlarms).toHaveLength(6);
    expect(s.bytes).toMatchObject({ userDefinedCount: 9, fetStatus: 0x03, system: 0x02, balancing: 0 });
    expect(s.chargeMosOn).toBe(true);
    expect(s.dischargeMosOn).toBe(true);
    expect(s.heaterOn).toBe(false);
    expect(s.flags.map((x) => x.id)).toEqual(['dischargeMosOn', 'chargeMosOn', 'charging']);
    expect(r.trailingBytes).toBe(0);
    expect(s.extraBytes).toEqual([0]);
    expect(bytesToHex(eg4ReadStatus.encodeReply(r, {}, DEFAULT_DECODE_OPTIONS))).toBe(bytesToHex(f.info));
  });
});

describe('VER 20 44H layouts', () => {
  it('Pylon: status 1..5 with MOS bits in status 2 and heater in status 3', () => {
    const info = Uint8Array.from([0x11, 1, 15, ...new Array<number>(15).fill(0), 5, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x06, 0x20, 0x00, 0x80]);
    const r = readStatus.decodeReply(info, { request: { command: 1 }, options: opts('pylon') });
    const s = r.packs[0];
    expect(s.bytes).toEqual({ status1: 1, status2: 6, status3: 0x20, status4: 0, status5: 0x80 });
    expect(s).toMatchObject({ chargeMosOn: true, dischargeMosOn: true, heaterOn: true });
    expect(s.flags.map((f) => f.id)).toEqual(['packOverVoltageProtect', 'chargeMosOn', 'dischargeMosOn', 'heaterOn', 'cell16Fault']);
    expect(readStatus.encodeReply(r, { command: 1 }, opts('pylon'))).toEqual(info);
  });

  it('Seplos: P = 20 bit alarms, balance bit 0 = cell 1, six reserved bytes', () => {
    const bits = [0x02, 0x00, 0x00, 0x40, 0x00, 0x00, 0x0b, 0x01, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00];
    const info = Uint8Array.from([
      0,
      1,
      16,
      ...new Array<number>(16).fill(0),
      6,
      ...new Array<number>(6).fill(0),
      0,
      0,
      20,
      ...bits,
      0,
      0,
      0,
      0,
      0,
      0
    ]);
    const r = readStatus.decodeReply(info, { request: { command: 1 }, options: opts('seplos') });
    const s = r.packs[0];
    expect(s.balancingCells).toEqual([1, 16]);
    expect(s).toMatchObject({ chargeMosOn: true, dischargeMosOn: true, heaterOn: true });
    expect(s.flags.map((f) => f.id)).toEqual(['temperatureSenseFault', 'heating', 'dischargeMosOn', 'chargeMosOn', 'heaterOn', 'discharging']);
    expect(r.trailingBytes).toBe(0);
    expect(readStatus.encodeReply(r, { command: 1 }, opts('seplos'))).toEqual(info);
  });
});

describe('VER 20 44H encoding from typed fields (simulator use)', () => {
  it('fills in P and the MOS/heater byte when the raw bytes are left out', () => {
    for (const [profile, field, p] of [
      ['seplos', 'switches', 20],
      ['eg4', 'fetStatus', 9]
    ] as const) {
      const pack = {
        cellAlarms: new Array(16).fill('normal'),
        tempAlarms: new Array(6).fill('normal'),
        chargeCurrentAlarm: 'normal',
        packVoltageAlarm: 'normal',
        dischargeCurrentAlarm: 'normal',
        bytes: {},
        balancingCells: [],
        flags: [],
        chargeMosOn: true,
        dischargeMosOn: false,
        heaterOn: true,
        empty: false
      } as const;
      const reply = {
        infoFlag: 0,
        broadcast: false,
        command: 1,
        packs: [{ ...pack, cellAlarms: [...pack.cellAlarms], tempAlarms: [...pack.tempAlarms], bytes: {}, balancingCells: [], flags: [] }],
        trailingBytes: 0
      };
      const info = readStatus.encodeReply(reply, { command: 1 }, opts(profile));
      const back = readStatus.decodeReply(info, { request: { command: 1 }, options: opts(profile) }).packs[0];
      expect(back.bytes.userDefinedCount).toBe(p);
      expect(back.bytes[field]).toBe(0b1010);
      expect(back).toMatchObject({ chargeMosOn: true, dischargeMosOn: false, heaterOn: true });
    }
  });
});

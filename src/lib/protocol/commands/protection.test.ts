import { describe, expect, it } from 'vitest';
import type { Command } from '../command';
import { DecodeError } from '../command';
import { bytesToHex } from '../hex';
import { pairSuite } from '../fixtures/pair-suite';
import type { WriteAck } from './payload';
import {
  readAmbientTemperature,
  readCellHighTemperature,
  readCellLowTemperature,
  readCellOverVoltage,
  readCellUnderVoltage,
  readChargeOverCurrent,
  readDischargeOverCurrent1,
  readMosTemperature,
  readOverCurrent2,
  readPackOverVoltage,
  readPackUnderVoltage,
  readShortCircuit,
  setAmbientTemperature,
  setCellHighTemperature,
  setCellLowTemperature,
  setCellOverVoltage,
  setCellUnderVoltage,
  setChargeOverCurrent,
  setDischargeOverCurrent1,
  setMosTemperature,
  setOverCurrent2,
  setPackOverVoltage,
  setPackUnderVoltage,
  setShortCircuit,
  protectionCommands
} from './protection';

/** One captured read/write exchange of reference §8.1 (all at ADR 00, PbmsTools 2.4). */
interface GroupCase {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- table of heterogeneous commands
  read: Command<void, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  write: Command<any, WriteAck>;
  readRequest: string;
  reply: string;
  value: object;
  writeRequest: string;
  /** The value the captured write carries, when it is not the value read. */
  writeValue?: object;
}

const GROUPS: GroupCase[] = [
  {
    name: 'D1/D0 cell over-voltage',
    read: readCellOverVoltage,
    write: setCellOverVoltage,
    readRequest: '~250046D10000FD9A\r',
    // FC 01 | alarm 0E10 | protect 0E74 | release 0D34 | delay 0A (x100 ms)
    reply: '~25004600F010010E100E740D340AFA35\r',
    value: { enabled: true, alarm_mV: 3600, protect_mV: 3700, release_mV: 3380, delay_ms: 1000 },
    writeRequest: '~250046D0F010010E100E740D340AFA21\r'
  },
  {
    name: 'D3/D2 cell under-voltage',
    read: readCellUnderVoltage,
    write: setCellUnderVoltage,
    readRequest: '~250046D30000FD98\r',
    reply: '~25004600F010010AF009C40B540AFA24\r',
    value: { enabled: true, alarm_mV: 2800, protect_mV: 2500, release_mV: 2900, delay_ms: 1000 },
    writeRequest: '~250046D2F010010AF009C40B540AFA0E\r'
  },
  {
    name: 'D5/D4 pack over-voltage',
    read: readPackOverVoltage,
    write: setPackOverVoltage,
    readRequest: '~250046D50000FD96\r',
    reply: '~25004600F01001E100E740D2F00AFA24\r',
    value: { enabled: true, alarm_mV: 57600, protect_mV: 59200, release_mV: 54000, delay_ms: 1000 },
    // the captured write changed the alarm to 57.61 V (E10A)
    writeRequest: '~250046D4F01001E10AE740D2F00AF9FB\r',
    writeValue: { enabled: true, alarm_mV: 57610, protect_mV: 59200, release_mV: 54000, delay_ms: 1000 }
  },
  {
    name: 'D7/D6 pack under-voltage',
    read: readPackUnderVoltage,
    write: setPackUnderVoltage,
    readRequest: '~250046D70000FD94\r',
    reply: '~25004600F01001AF009C40B5400AFA24\r',
    value: { enabled: true, alarm_mV: 44800, protect_mV: 40000, release_mV: 46400, delay_ms: 1000 },
    writeRequest: '~250046D6F01001AF009C40B5400AFA0A\r'
  },
  {
    name: 'D9/D8 charge over-current',
    read: readChargeOverCurrent,
    write: setChargeOverCurrent,
    readRequest: '~250046D90000FD92\r',
    // FC 01 | alarm 0068 A | protect 006E A | delay 0A
    reply: '~25004600400C010068006E0AFB1D\r',
    value: { enabled: true, alarm_A: 104, protect_A: 110, delay_ms: 1000 },
    writeRequest: '~250046D8400C010068006E0AFB01\r'
  },
  {
    name: 'DB/DA discharge over-current 1 (read negative, write positive)',
    read: readDischargeOverCurrent1,
    write: setDischargeOverCurrent1,
    readRequest: '~250046DB0000FD89\r',
    // FC 01 | alarm FF97 = -105 A | protect FF92 = -110 A | delay 0A
    reply: '~25004600400C01FF97FF920AFAD3\r',
    value: { enabled: true, alarm_A: 105, protect_A: 110, delay_ms: 1000 },
    writeRequest: '~250046DA400C010069006E0AFAF7\r'
  },
  {
    name: 'DD/DC cell high temperature',
    read: readCellHighTemperature,
    write: setCellHighTemperature,
    readRequest: '~250046DD0000FD87\r',
    // FC 01 | chg 0CA8 0CD0 0C9E | dsg 0CDA 0D02 0CD0 (0.1 K, offset 2730)
    reply: '~25004600501A010CA80CD00C9E0CDA0D020CD0F7BE\r',
    value: {
      enabled: true,
      chargeAlarm_C: 51,
      chargeProtect_C: 55,
      chargeRelease_C: 50,
      dischargeAlarm_C: 56,
      dischargeProtect_C: 60,
      dischargeRelease_C: 55
    },
    writeRequest: '~250046DC501A010CA80CD00C9E0CDA0D020CD0F797\r'
  },
  {
    name: 'DF/DE cell low temperature',
    read: readCellLowTemperature,
    write: setCellLowTemperature,
    readRequest: '~250046DF0000FD85\r',
    reply: '~25004600501A010AAA0A780AAA0A1409E20A14F7E5\r',
    value: {
      enabled: true,
      chargeAlarm_C: 0,
      chargeProtect_C: -5,
      chargeRelease_C: 0,
      dischargeAlarm_C: -15,
      dischargeProtect_C: -20,
      dischargeRelease_C: -15
    },
    writeRequest: '~250046DE501A010AAA0A780AAA0A1409E20A14F7BC\r'
  },
  {
    name: 'E1/E0 MOSFET high temperature',
    read: readMosTemperature,
    write: setMosTemperature,
    readRequest: '~250046E10000FD99\r',
    reply: '~25004600200E010E2E0EF60DFCFA5D\r',
    value: { enabled: true, alarm_C: 90, protect_C: 110, release_C: 85 },
    writeRequest: '~250046E0200E010E2E0EF60DFCFA48\r'
  },
  {
    name: 'E7/E6 ambient temperature',
    read: readAmbientTemperature,
    write: setAmbientTemperature,
    readRequest: '~250046E70000FD93\r',
    reply: '~25004600501A0109E209B009E20D340D660D34F806\r',
    value: { enabled: true, lowAlarm_C: -20, lowProtect_C: -25, lowRelease_C: -20, highAlarm_C: 65, highProtect_C: 70, highRelease_C: 65 },
    writeRequest: '~250046E6501A0109E209B009E20D340D660D34F7EB\r'
  },
  {
    name: 'E5/E4 short-circuit delay',
    read: readShortCircuit,
    write: setShortCircuit,
    readRequest: '~250046E50000FD95\r',
    reply: '~25004600E0020CFD25\r',
    value: { delay_us: 300 },
    writeRequest: '~250046E4E0020CFD0C\r'
  },
  {
    name: 'E3/E2 over-current 2 (read 6 B, PbmsTools writes 3 B)',
    read: readOverCurrent2,
    write: setOverCurrent2,
    readRequest: '~250046E30000FD97\r',
    // dsg 0096 A | 04 x25 ms | chg 0096 A | 04 x25 ms
    reply: '~25004600400C009604009604FB32\r',
    value: { discharge_A: 150, dischargeDelay_ms: 100, charge_A: 150, chargeDelay_ms: 100 },
    writeRequest: '~250046E2A006009604FC4E\r',
    writeValue: { discharge_A: 150, dischargeDelay_ms: 100 }
  }
];

describe('protection groups against the PbmsTools captures (§8.1)', () => {
  for (const g of GROUPS) pairSuite(g);
});

describe('protection command table', () => {
  it('pairs every read CID2 with its write one below it, with the right kinds', () => {
    const codes = protectionCommands.map((c) => c.cid2).sort((a, b) => a - b);
    expect(codes).toEqual([
      0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7
    ]);
    for (const c of protectionCommands) expect(c.kind).toBe(c.cid2 % 2 === 1 ? 'read' : 'write');
    expect(new Set(protectionCommands.map((c) => c.id)).size).toBe(protectionCommands.length);
  });
});

describe('write validation', () => {
  const cellOv = { enabled: true, alarm_mV: 3600, protect_mV: 3700, release_mV: 3380, delay_ms: 1000 };

  it('rejects an out-of-range voltage naming field, value, range and unit', () => {
    expect(() => setCellOverVoltage.encodeRequest({ ...cellOv, protect_mV: 4600 })).toThrowError(RangeError);
    expect(() => setCellOverVoltage.encodeRequest({ ...cellOv, protect_mV: 4600 })).toThrowError(/protect_mV.*4600 mV.*2500\.\.4500 mV/);
  });

  it('rejects a delay the 100 ms wire unit cannot carry instead of rounding it', () => {
    expect(() => setCellOverVoltage.encodeRequest({ ...cellOv, delay_ms: 1050 })).toThrowError(/delay_ms.*1050 ms.*multiple of 100 ms/);
    expect(() => setCellOverVoltage.encodeRequest({ ...cellOv, delay_ms: 500 })).toThrowError(/delay_ms.*500 ms.*1000\.\.20000 ms/);
  });

  it('rejects non-numbers and non-booleans', () => {
    expect(() => setCellOverVoltage.encodeRequest({ ...cellOv, alarm_mV: Number.NaN })).toThrowError(/alarm_mV/);
    expect(() => setCellOverVoltage.encodeRequest({ ...cellOv, enabled: 1 as unknown as boolean })).toThrowError(/enabled.*true or false/);
  });

  it('encodes a disabled protection with FC 00', () => {
    const info = setCellUnderVoltage.encodeRequest({ enabled: false, alarm_mV: 2800, protect_mV: 2500, release_mV: 2900, delay_ms: 2000 });
    expect(bytesToHex(info)).toBe('000AF009C40B5414');
  });

  it('uses the pack-level range for pack voltages', () => {
    const packUv = { enabled: true, alarm_mV: 44800, protect_mV: 40000, release_mV: 46400, delay_ms: 1000 };
    expect(() => setPackUnderVoltage.encodeRequest({ ...packUv, protect_mV: 14990 })).toThrowError(/protect_mV.*14990 mV.*15000\.\.50000 mV/);
    expect(() => setPackOverVoltage.encodeRequest({ ...packUv, alarm_mV: 65001, protect_mV: 60000, release_mV: 54000 })).toThrowError(/65001 mV/);
  });

  it('rejects a temperature finer than 0.1 °C and accepts one tenth', () => {
    const ht = {
      enabled: true,
      chargeAlarm_C: 51,
      chargeProtect_C: 55,
      chargeRelease_C: 50,
      dischargeAlarm_C: 56,
      dischargeProtect_C: 60,
      dischargeRelease_C: 55
    };
    expect(() => setCellHighTemperature.encodeRequest({ ...ht, chargeAlarm_C: 51.05 })).toThrowError(/chargeAlarm_C.*51\.05 °C.*multiple of 0\.1 °C/);
    expect(bytesToHex(setCellHighTemperature.encodeRequest({ ...ht, chargeAlarm_C: 51.3 }))).toMatch(/^010CAB/);
    expect(() => setCellLowTemperature.encodeRequest({ ...ht, chargeAlarm_C: -36 })).toThrowError(/-36 °C.*-35\.\.30 °C/);
  });

  it('writes discharge OC1 positive and checks its range', () => {
    expect(bytesToHex(setDischargeOverCurrent1.encodeRequest({ enabled: true, alarm_A: 105, protect_A: 110, delay_ms: 1000 }))).toBe('010069006E0A');
    expect(() => setDischargeOverCurrent1.encodeRequest({ enabled: true, alarm_A: -105, protect_A: 110, delay_ms: 1000 })).toThrowError(
      /alarm_A.*-105 A.*1\.\.220 A/
    );
  });

  it('OC2: writes 6 bytes when both charge fields are given, refuses half of them', () => {
    const six = setOverCurrent2.encodeRequest({ discharge_A: 150, dischargeDelay_ms: 100, charge_A: 120, chargeDelay_ms: 200 });
    expect(bytesToHex(six)).toBe('009604007808');
    expect(setOverCurrent2.decodeRequest(six)).toEqual({ discharge_A: 150, dischargeDelay_ms: 100, charge_A: 120, chargeDelay_ms: 200 });
    expect(() => setOverCurrent2.encodeRequest({ discharge_A: 150, dischargeDelay_ms: 100, charge_A: 120 })).toThrowError(/both charge fields/);
    expect(() => setOverCurrent2.encodeRequest({ discharge_A: 150, dischargeDelay_ms: 110 })).toThrowError(/dischargeDelay_ms.*multiple of 25 ms/);
    expect(() => setOverCurrent2.encodeRequest({ discharge_A: 301, dischargeDelay_ms: 100 })).toThrowError(/discharge_A.*301 A.*5\.\.300 A/);
  });

  it('short-circuit delay is in µs with a 25 µs step', () => {
    expect(bytesToHex(setShortCircuit.encodeRequest({ delay_us: 500 }))).toBe('14');
    expect(() => setShortCircuit.encodeRequest({ delay_us: 310 })).toThrowError(/delay_us.*310 µs.*multiple of 25 µs/);
    expect(() => setShortCircuit.encodeRequest({ delay_us: 75 })).toThrowError(/75 µs.*100\.\.500 µs/);
  });
});

describe('malformed INFO', () => {
  it('throws DecodeError on a short reply, naming the field', () => {
    expect(() =>
      readCellOverVoltage.decodeReply(Uint8Array.of(1, 0x0e, 0x10), {
        request: undefined,
        options: { profile: 'pace', balanceByteOrder: 'doc', controlPolarity: 'doc' }
      })
    ).toThrowError(DecodeError);
    expect(() =>
      readMosTemperature.decodeReply(Uint8Array.of(1, 0x0e), {
        request: undefined,
        options: { profile: 'pace', balanceByteOrder: 'doc', controlPolarity: 'doc' }
      })
    ).toThrowError(/alarm_C/);
  });

  it('tolerates trailing bytes in a reply', () => {
    const info = Uint8Array.of(0x0c, 0xaa);
    expect(
      readShortCircuit.decodeReply(info, { request: undefined, options: { profile: 'pace', balanceByteOrder: 'doc', controlPolarity: 'doc' } })
    ).toEqual({ delay_us: 300 });
  });

  it('rejects a read request that carries INFO and a write request of the wrong length', () => {
    expect(() => readCellOverVoltage.decodeRequest(Uint8Array.of(1))).toThrowError(DecodeError);
    expect(() => setCellOverVoltage.decodeRequest(Uint8Array.of(1, 0x0e, 0x10, 0x0e, 0x74, 0x0d, 0x34, 0x0a, 0x00))).toThrowError(/unexpected bytes/);
    expect(() => setCellOverVoltage.decodeRequest(Uint8Array.of(1, 0x0e, 0x10))).toThrowError(DecodeError);
  });
});

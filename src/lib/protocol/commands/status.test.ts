import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { encodeFrame } from '../frame';
import { asciiBytes, bytesToHex } from '../hex';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions, type PackStatus } from '../types';
import * as F from '../fixtures/telemetry-frames';
import { ALL_PACKS } from './pack-request';
import { readStatus } from './status';
import { decodeFlags, encodeFlags, flagTable, type FlagSource } from './status-flags';

const pace: DecodeOptions = DEFAULT_DECODE_OPTIONS;

function decode(f: F.FrameFixture, command?: number, options = pace) {
  return readStatus.decodeReply(F.frameOf(f).info, { request: command === undefined ? undefined : { command }, options });
}

/** A classic PACE 44H block for 16 cells / 6 temperatures with the given status bytes and tail. */
function block(
  status: Partial<Record<'prot1' | 'prot2' | 'ind' | 'ctrl' | 'fault' | 'bal1' | 'bal2' | 'warn1' | 'warn2', number>>,
  tail: number[] = []
): number[] {
  return [
    16,
    ...new Array<number>(16).fill(0),
    6,
    ...new Array<number>(6).fill(0),
    0,
    0,
    0,
    status.prot1 ?? 0,
    status.prot2 ?? 0,
    status.ind ?? 0,
    status.ctrl ?? 0,
    status.fault ?? 0,
    status.bal1 ?? 0,
    status.bal2 ?? 0,
    status.warn1 ?? 0,
    status.warn2 ?? 0,
    ...tail
  ];
}

function single(b: number[], options = pace) {
  return readStatus.decodeReply(Uint8Array.from([0, 1, ...b]), { request: { command: 1 }, options }).packs[0];
}

describe('44H requests are produced byte for byte', () => {
  const cases: [F.FrameFixture, number, number][] = [
    [F.REQ_STATUS_PBMSTOOLS, 0x01, 0x01],
    [F.REQ_STATUS_ADR0_ALL, 0x00, ALL_PACKS],
    [F.REQ_STATUS_LINK_ADR2, 0x02, 0x02],
    [F.REQ_SEPLOS_STATUS_ADR1, 0x01, 0x01]
  ];
  it.each(cases)('%o', (fixture, adr, command) => {
    const ver = fixture.text.startsWith('~20') ? 0x20 : 0x25;
    expect(encodeFrame({ ver, adr, cid1: 0x46, code: readStatus.cid2, info: readStatus.encodeRequest({ command }) })).toEqual(
      asciiBytes(fixture.text)
    );
  });
});

describe('44H PbmsTools capture (§6.1)', () => {
  const reply = decode(F.STATUS_PBMSTOOLS, 1);
  const p = reply.packs[0];

  it('has every alarm normal and indication 0E', () => {
    expect(reply).toMatchObject({ broadcast: false, command: 1, trailingBytes: 0 });
    expect(p.cellAlarms).toEqual(new Array(16).fill('normal'));
    expect(p.tempAlarms).toEqual(new Array(6).fill('normal'));
    expect([p.chargeCurrentAlarm, p.packVoltageAlarm, p.dischargeCurrentAlarm]).toEqual(['normal', 'normal', 'normal']);
    expect(p.bytes).toEqual({
      protection1: 0,
      protection2: 0,
      indication: 0x0e,
      control: 0,
      fault: 0,
      balance1: 0,
      balance2: 0,
      warning1: 0,
      warning2: 0
    });
  });

  it('reads CFET on, DFET on, pack power supply from the indication byte', () => {
    expect(p.flags.map((f) => f.id)).toEqual(['chargeMosOn', 'dischargeMosOn', 'packPowerSupply']);
    expect(p.chargeMosOn).toBe(true);
    expect(p.dischargeMosOn).toBe(true);
    expect(p.heaterOn).toBe(false);
    expect(p.balancingCells).toEqual([]);
  });

  it('re-encodes byte for byte', () => {
    expect(bytesToHex(readStatus.encodeReply(reply, { command: 1 }, pace))).toBe(bytesToHex(F.frameOf(F.STATUS_PBMSTOOLS).info));
  });
});

describe('44H newer-firmware tails', () => {
  it('reads the one extra byte of the Easun capture as fault status 8', () => {
    const r = decode(F.STATUS_EASUN_EXTRA_BYTE, 1);
    expect(r.packs[0].bytes.fault8).toBe(0);
    expect(r.trailingBytes).toBe(0);
    expect(bytesToHex(readStatus.encodeReply(r, { command: 1 }, pace))).toBe(bytesToHex(F.frameOf(F.STATUS_EASUN_EXTRA_BYTE).info));
  });

  it('splits the 2-pack FF dump into 37-byte blocks and decodes fault 8 = 11H on pack 1', () => {
    const r = decode(F.STATUS_BROADCAST_2, ALL_PACKS);
    expect(r.broadcast).toBe(true);
    expect(r.packs).toHaveLength(2);
    expect(r.packs[0].bytes.fault8).toBe(0x11);
    expect(r.packs[1].bytes.fault8).toBe(0);
    expect(r.packs[0].flags.filter((f) => f.source === 'fault8').map((f) => f.id)).toEqual(['totalVoltageFault', 'tripUnitFault']);
    expect(decode(F.STATUS_BROADCAST_2)).toEqual(r);
    expect(bytesToHex(readStatus.encodeReply(r, { command: ALL_PACKS }, pace))).toBe(bytesToHex(F.frameOf(F.STATUS_BROADCAST_2).info));
  });

  it('decodes all five tail bytes and reports unknown bytes after them', () => {
    const info = Uint8Array.from([0, 1, ...block({}, [0x20, 0x03, 0x01, 0x80, 0x01, 0xde, 0xad])]);
    const r = readStatus.decodeReply(info, { request: { command: 1 }, options: pace });
    const p = r.packs[0];
    expect(p.bytes).toMatchObject({ fault8: 0x20, indication9: 0x03, activeBalance1: 0x01, activeBalance2: 0x80, fault10: 0x01 });
    expect(p.flags.map((f) => f.id)).toEqual(['masterSlaveOffline', 'bluetoothConnected', 'wifiCloudConnected', 'twelveVoltFault']);
    expect(r.trailingBytes).toBe(2);
    expect(p.extraBytes).toEqual([0xde, 0xad]);
    expect(readStatus.encodeReply(r, { command: 1 }, pace)).toEqual(info);
  });
});

describe('44H status bytes', () => {
  it('maps alarm codes to levels and keeps the raw codes', () => {
    const b = block({});
    b[1] = 0x01;
    b[2] = 0x02;
    b[3] = 0x85;
    b[4] = 0xf0;
    b[5] = 0x33;
    const info = Uint8Array.from([0, 1, ...b]);
    const r = readStatus.decodeReply(info, { request: { command: 1 }, options: pace });
    expect(r.packs[0].cellAlarms.slice(0, 6)).toEqual(['low', 'high', 'user', 'other', 'other', 'normal']);
    expect(r.packs[0].alarmCodes?.cells.slice(0, 5)).toEqual([1, 2, 0x85, 0xf0, 0x33]);
    expect(readStatus.encodeReply(r, { command: 1 }, pace)).toEqual(info);
  });

  it('reads the balance bytes in the documented order by default, big-endian u16 when configured', () => {
    const b = block({ bal1: 0x01, bal2: 0x80 });
    expect(single(b).balancingCells).toEqual([1, 16]);
    expect(single(b, { ...pace, balanceByteOrder: 'u16' }).balancingCells).toEqual([8, 9]);
  });

  it('names control bits 1/2 by the configured polarity', () => {
    const b = block({ ctrl: 0x06 });
    expect(single(b).flags.map((f) => f.id)).toEqual(['chargeMosFunctionEnabled', 'dischargeMosFunctionEnabled']);
    const forced = single(b, { ...pace, controlPolarity: 'forced-off' }).flags;
    expect(forced.map((f) => f.id)).toEqual(['chargeMosForcedOff', 'dischargeMosForcedOff']);
    expect(forced.every((f) => f.severity === 'warning' && f.advice.length > 0)).toBe(true);
  });

  it('takes the MOS and heater state from the indication byte bits 1, 2 and 7', () => {
    expect(single(block({ ind: 0x80 }))).toMatchObject({ chargeMosOn: false, dischargeMosOn: false, heaterOn: true });
    expect(single(block({ ind: 0x02 }))).toMatchObject({ chargeMosOn: true, dischargeMosOn: false, heaterOn: false });
    expect(single(block({ ind: 0x04 }))).toMatchObject({ chargeMosOn: false, dischargeMosOn: true, heaterOn: false });
  });

  it('orders flags by byte and bit and gives protections advice', () => {
    const p = single(block({ prot1: 0x41, prot2: 0x80, fault: 0x04, warn2: 0x80 }));
    expect(p.flags.map((f) => `${f.source}:${f.bit}:${f.id}`)).toEqual([
      'protection1:0:cellOverVoltageProtect',
      'protection1:6:shortCircuitProtect',
      'protection2:7:fullyCharged',
      'fault:2:ntcFault',
      'warning2:7:lowSocWarning'
    ]);
    expect(p.flags[0]).toMatchObject({ severity: 'protection', label: 'Cell over-voltage protection' });
    expect(p.flags[2].severity).toBe('state');
    expect(p.flags[3].severity).toBe('fault');
  });

  it('throws DecodeError on a short block', () => {
    expect(() => readStatus.decodeReply(Uint8Array.from([0, 1, ...block({}).slice(0, 20)]), { request: { command: 1 }, options: pace })).toThrow(
      DecodeError
    );
  });

  it('builds a block from typed fields when the raw bytes are left out (simulator use)', () => {
    const pack: PackStatus = {
      cellAlarms: new Array(16).fill('normal'),
      tempAlarms: new Array(6).fill('normal'),
      chargeCurrentAlarm: 'normal',
      packVoltageAlarm: 'high',
      dischargeCurrentAlarm: 'normal',
      bytes: { protection1: encodeFlags('protection1', ['packOverVoltageProtect'], pace) },
      balancingCells: [3, 12],
      flags: [],
      chargeMosOn: false,
      dischargeMosOn: true,
      heaterOn: false,
      empty: false
    };
    const info = readStatus.encodeReply({ infoFlag: 0, broadcast: false, command: 1, packs: [pack], trailingBytes: 0 }, { command: 1 }, pace);
    const back = readStatus.decodeReply(info, { request: { command: 1 }, options: pace }).packs[0];
    expect(back.packVoltageAlarm).toBe('high');
    expect(back.balancingCells).toEqual([3, 12]);
    expect(back.chargeMosOn).toBe(false);
    expect(back.dischargeMosOn).toBe(true);
    expect(back.flags.map((f) => f.id)).toEqual(['packOverVoltageProtect', 'dischargeMosOn']);
  });

  it('writes an offline slave as a zero block as long as the others', () => {
    const info = Uint8Array.from([0, 2, ...block({ ind: 0x06 }), ...new Array<number>(36).fill(0)]);
    const r = readStatus.decodeReply(info, { request: { command: ALL_PACKS }, options: pace });
    expect(r.packs.map((p) => p.empty)).toEqual([false, true]);
    expect(readStatus.encodeReply(r, { command: ALL_PACKS }, pace)).toEqual(info);
  });
});

describe('status flag tables (§6.3–6.12)', () => {
  const documented: [FlagSource, number[]][] = [
    ['protection1', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['protection2', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['indication', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['control', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['fault', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['warning1', [0, 1, 2, 3, 4, 5]],
    ['warning2', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['fault8', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['indication9', [0, 1, 2]],
    ['fault10', [0]]
  ];

  it.each(documented)('%s: every documented bit has its own flag with a label', (source, bits) => {
    for (const polarity of ['doc', 'forced-off'] as const) {
      for (const bit of bits) {
        const [flag] = decodeFlags(source, 1 << bit, { controlPolarity: polarity });
        expect(flag.source).toBe(source);
        expect(flag.bit).toBe(bit);
        expect(flag.id).not.toMatch(/Bit\d$/);
        expect(flag.label.length).toBeGreaterThan(3);
        if (flag.severity !== 'state') expect(flag.advice.length).toBeGreaterThan(0);
      }
    }
  });

  it('gives every flag id once per byte', () => {
    for (const [source] of documented) {
      const ids = flagTable(source, pace).map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('reports an undocumented bit instead of hiding it', () => {
    const [flag] = decodeFlags('fault10', 0x04, pace);
    expect(flag).toMatchObject({ id: 'fault10Bit2', bit: 2, severity: 'warning' });
  });

  it('encodeFlags is the inverse of decodeFlags', () => {
    expect(encodeFlags('warning2', ['lowSocWarning', 'chargeHighTempWarning'], pace)).toBe(0x81);
    expect(() => encodeFlags('warning2', ['nope'], pace)).toThrow(RangeError);
  });
});

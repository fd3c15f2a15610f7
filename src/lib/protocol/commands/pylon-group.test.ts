// Pylontech groups (reference §10.2, §11.1): COMMAND FF to the group master answers for every
// module in one frame; each block becomes a pack at 0x02 + i + 0x10·group.

import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { encodeFrameText, FrameReader, type Frame } from '../frame';
import { asciiBytes } from '../hex';
import * as F from '../fixtures/telemetry-frames';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions, type PackAnalog, type PackStatus } from '../types';
import { readAnalog } from './analog';
import { ALL_PACKS } from './pack-request';
import {
  decodePylonGroupAnalog,
  decodePylonGroupStatus,
  modulesOfGroupReply,
  pylonAddressParts,
  pylonGroupMaster,
  pylonGroupRequest,
  pylonModuleAddress
} from './pylon-group';
import { readStatus } from './status';

const pylon: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS, profile: 'pylon' };

/** Wire text through the frame reader: exactly one frame whose checksum verified. */
function readOne(text: string): Frame {
  const events = new FrameReader().push(asciiBytes(text));
  expect(events.map((e) => e.type)).toEqual(['frame']);
  const ev = events[0];
  if (ev.type !== 'frame') throw new Error('not a frame');
  return ev.frame;
}

function module(cells: number, p: 2 | 4, i: number): PackAnalog {
  return {
    cells_mV: Array.from({ length: cells }, (_, c) => 3300 + 3 * i + c),
    temps_C: [24 + i, 22, 22, 22, 22],
    tempLabels: [],
    current_A: -1.5 * (i + 1),
    voltage_V: (cells * 3300 + 3 * i * cells + (cells * (cells - 1)) / 2) / 1000,
    remaining_Ah: p === 4 ? 61.42 - i : 33.5 - i,
    full_Ah: p === 4 ? 74 : 50,
    design_Ah: 0,
    cycles: 30 + i,
    soc_pct: null,
    soh_pct: null,
    socSource: null,
    userDefinedCount: p,
    empty: false
  };
}

describe('Pylontech addressing (§10.2: ADR = 0x02 + n + 0x10·m)', () => {
  it.each([
    [0, 0, 0x02],
    [0, 1, 0x03],
    [0, 13, 0x0f],
    [1, 0, 0x12],
    [3, 2, 0x34],
    [7, 13, 0x7f]
  ])('group %i module %i is ADR %i', (group, index, adr) => {
    expect(pylonModuleAddress(group, index)).toBe(adr);
    expect(pylonAddressParts(adr)).toEqual({ group, index });
  });

  it('masters, reserved addresses and bounds', () => {
    expect([0, 1, 2, 7].map(pylonGroupMaster)).toEqual([0x02, 0x12, 0x22, 0x72]);
    expect(pylonAddressParts(0x00)).toBeNull();
    expect(pylonAddressParts(0x01)).toBeNull();
    expect(pylonAddressParts(0x30)).toBeNull();
    expect(pylonAddressParts(0x82)).toBeNull();
    expect(() => pylonModuleAddress(8, 0)).toThrow(RangeError);
    expect(() => pylonModuleAddress(0, 14)).toThrow(RangeError);
  });

  it('builds the group request: ADR = master, COMMAND FF (python-pylontech sends the same bytes)', () => {
    const req = pylonGroupRequest(0, 0x42);
    expect(encodeFrameText({ ver: 0x20, cid1: 0x46, ...req })).toBe('~20024642E002FFFD09\r');
    expect(encodeFrameText({ ver: 0x20, cid1: 0x46, ...pylonGroupRequest(3, 0x42) })).toBe('~20324642E002FFFD06\r');
    expect(encodeFrameText({ ver: 0x20, cid1: 0x46, ...pylonGroupRequest(0, 0x44) })).toBe('~20024644E002FFFD07\r');
  });
});

describe('real group replies', () => {
  it('three US2000 modules (P = 2) become packs 02, 03, 04', () => {
    const g = decodePylonGroupAnalog(readOne(F.PYLON_GROUP_US2000_3.text));
    expect(g).toMatchObject({ group: 0, master: 2, infoFlag: 0x11 });
    expect(g.modules.map((m) => m.address)).toEqual([0x02, 0x03, 0x04]);
    expect(g.modules.map((m) => m.value.cells_mV.length)).toEqual([15, 15, 15]);
    expect(g.modules.map((m) => m.value.cells_mV[0])).toEqual([3303, 3298, 3298]);
    expect(g.modules.map((m) => m.value.current_A)).toEqual([-2.6, -2.5, -2.7]);
    expect(g.modules.map((m) => m.value.voltage_V)).toEqual([49.545, 49.52, 49.504]);
    expect(g.modules.map((m) => [m.value.remaining_Ah, m.value.full_Ah, m.value.cycles])).toEqual([
      [33.5, 50, 31],
      [33.5, 50, 31],
      [33.5, 50, 31]
    ]);
    expect(g.modules.map((m) => m.value.temps_C[0])).toEqual([23, 23, 23]);
  });

  it('four US3000 modules (P = 4, 3-byte capacities) become packs 02..05', () => {
    const g = decodePylonGroupAnalog(readOne(F.PYLON_GROUP_US3000_4.text));
    expect(g.modules.map((m) => m.address)).toEqual([0x02, 0x03, 0x04, 0x05]);
    expect(g.modules.map((m) => [m.value.userDefinedCount, m.value.remaining_Ah, m.value.full_Ah, m.value.cycles])).toEqual([
      [4, 61.42, 74, 47],
      [4, 62.16, 74, 40],
      [4, 59.2, 74, 113],
      [4, 60.68, 74, 107]
    ]);
    expect(g.modules.map((m) => m.value.current_A)).toEqual([0, -6.8, -7.3, -6.9]);
  });
});

describe('constructed group replies (checksums computed, read back through the frame reader)', () => {
  it('group 3 mixing a US2000 (P = 2) with US3000s (P = 4): blocks of different lengths', () => {
    const packs = [module(15, 4, 0), module(15, 2, 1), module(15, 4, 2)];
    const info = readAnalog.encodeReply({ infoFlag: 0x11, broadcast: true, command: 3, packs, trailingBytes: 0 }, { command: ALL_PACKS }, pylon);
    expect(info.length).toBe(2 + 59 + 53 + 59);
    const frame = readOne(encodeFrameText({ ver: 0x20, adr: 0x32, cid1: 0x46, code: 0, info }));
    const g = decodePylonGroupAnalog(frame);
    expect(g.group).toBe(3);
    expect(g.modules.map((m) => m.address)).toEqual([0x32, 0x33, 0x34]);
    expect(g.modules.map((m) => m.value.userDefinedCount)).toEqual([4, 2, 4]);
    for (const [i, m] of g.modules.entries()) {
      expect(m.value.cells_mV).toEqual(packs[i].cells_mV);
      expect(m.value.current_A).toBe(packs[i].current_A);
      expect(m.value.remaining_Ah).toBe(packs[i].remaining_Ah);
      expect(m.value.full_Ah).toBe(packs[i].full_Ah);
      expect(m.value.unitNotes).toBeUndefined();
    }
  });

  it("a group's 44H: status bytes per module at its address", () => {
    const status = (s1: number, s2: number, s3: number): PackStatus => ({
      cellAlarms: new Array(15).fill('normal'),
      tempAlarms: new Array(5).fill('normal'),
      chargeCurrentAlarm: 'normal',
      packVoltageAlarm: 'normal',
      dischargeCurrentAlarm: 'normal',
      bytes: { status1: s1, status2: s2, status3: s3, status4: 0, status5: 0 },
      balancingCells: [],
      flags: [],
      chargeMosOn: false,
      dischargeMosOn: false,
      heaterOn: null,
      empty: false
    });
    const packs = [status(0, 0x0e, 0x40), status(0x10, 0x0a, 0x01)];
    const info = readStatus.encodeReply({ infoFlag: 0x11, broadcast: true, command: 2, packs, trailingBytes: 0 }, { command: ALL_PACKS }, pylon);
    const g = decodePylonGroupStatus(readOne(encodeFrameText({ ver: 0x20, adr: 0x12, cid1: 0x46, code: 0, info })));
    expect(g.modules.map((m) => m.address)).toEqual([0x12, 0x13]);
    expect(g.modules.map((m) => m.value.flags.map((f) => f.id))).toEqual([
      ['chargeMosOn', 'dischargeMosOn', 'usingBatteryPower', 'discharging'],
      ['dischargeOverCurrentProtect', 'chargeMosOn', 'usingBatteryPower', 'buzzerOn']
    ]);
    expect(g.modules.map((m) => [m.value.chargeMosOn, m.value.dischargeMosOn])).toEqual([
      [true, true],
      [true, false]
    ]);
  });

  it('refuses a reply from a module that is not a group master, and a single-module reply', () => {
    const frame = readOne(F.PYLON_GROUP_US2000_3.text);
    expect(() => decodePylonGroupAnalog({ ...frame, adr: 0x03 })).toThrow(DecodeError);
    expect(() => modulesOfGroupReply(0x02, { broadcast: false, command: 2, packs: [1] })).toThrow(DecodeError);
    expect(() => modulesOfGroupReply(0x02, { broadcast: true, command: 15, packs: new Array(15).fill(0) })).toThrow(/at most 14/);
  });

  it('a reply whose blocks do not add up to its module count is a DecodeError, not a guess', () => {
    const frame = readOne(F.PYLON_GROUP_US2000_3.text);
    const info = frame.info.slice();
    info[1] = 4; // says four modules, carries three
    expect(() => decodePylonGroupAnalog({ adr: 2, info })).toThrow(DecodeError);
  });
});

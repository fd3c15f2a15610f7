import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { encodeFrame } from '../frame';
import { asciiBytes, bytesToHex } from '../hex';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions, type PackAnalog } from '../types';
import * as F from '../fixtures/telemetry-frames';
import { readAnalog } from './analog';
import { ALL_PACKS } from './pack-request';

const pace: DecodeOptions = DEFAULT_DECODE_OPTIONS;

function decode(f: F.FrameFixture, command?: number) {
  const frame = F.frameOf(f);
  return readAnalog.decodeReply(frame.info, { request: command === undefined ? undefined : { command }, options: pace });
}

describe('42H requests are produced byte for byte', () => {
  const cases: [F.FrameFixture, number, number][] = [
    [F.REQ_ANALOG_RS485_ADR2, 0x02, 0x02],
    [F.REQ_ANALOG_RS232_ADR0_CMD1, 0x00, 0x01],
    [F.REQ_ANALOG_RS232_ADR0_ALL, 0x00, ALL_PACKS],
    [F.REQ_ANALOG_PBMSTOOLS, 0x01, 0x01],
    [F.REQ_ANALOG_ADR1_ALL, 0x01, ALL_PACKS],
    [F.REQ_SEPLOS_ANALOG_ADR1, 0x01, 0x01]
  ];
  it.each(cases)('%o', (fixture, adr, command) => {
    const ver = fixture.text.startsWith('~20') ? 0x20 : 0x25;
    const wire = encodeFrame({ ver, adr, cid1: 0x46, code: readAnalog.cid2, info: readAnalog.encodeRequest({ command }) });
    expect(wire).toEqual(asciiBytes(fixture.text));
    expect(readAnalog.decodeRequest(F.frameOf(fixture).info)).toEqual({ command });
  });

  it('rejects a request INFO that is not one byte', () => {
    expect(() => readAnalog.decodeRequest(Uint8Array.of(1, 2))).toThrow(DecodeError);
    expect(() => readAnalog.decodeRequest(new Uint8Array(0))).toThrow(DecodeError);
  });
});

describe('42H PbmsTools capture (§5.3)', () => {
  const reply = decode(F.ANALOG_PBMSTOOLS, 1);
  const p = reply.packs[0];

  it('decodes every field to the values the reference states', () => {
    expect(reply).toMatchObject({ infoFlag: 0, broadcast: false, command: 1, trailingBytes: 0 });
    expect(reply.packs).toHaveLength(1);
    expect(p.cells_mV).toEqual([3271, 3272, 3271, 3271, 3271, 3269, 3270, 3271, 3271, 3270, 3271, 3270, 3270, 3271, 3270, 3271]);
    expect(p.temps_C).toEqual([24.1, 23.9, 23.9, 23.9, 26.5, 27.4]);
    expect(p.tempLabels).toEqual(['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'MOSFET', 'Ambient']);
    expect(p.current_A).toBe(-2.25);
    expect(p.voltage_V).toBe(52.429);
    expect(p.remaining_Ah).toBe(48.19);
    expect(p.userDefinedCount).toBe(3);
    expect(p.full_Ah).toBe(103.46);
    expect(p.cycles).toBe(140);
    expect(p.design_Ah).toBe(100);
    expect(p.tail).toBeUndefined();
    expect(p.empty).toBe(false);
  });

  it('computes SOC = remaining/full and SOH = full/design clamped to 100', () => {
    expect(p.soc_pct).toBe(46.6);
    expect(p.soh_pct).toBe(100);
    expect(p.socSource).toBe('computed');
  });

  it('decodes the same without knowing the request (address echo, one block)', () => {
    expect(decode(F.ANALOG_PBMSTOOLS)).toEqual(reply);
  });

  it('re-encodes to the captured INFO without inventing a P = 9 tail', () => {
    const info = readAnalog.encodeReply(reply, { command: 1 }, pace);
    expect(bytesToHex(info)).toBe(bytesToHex(F.frameOf(F.ANALOG_PBMSTOOLS).info));
    expect(info.length).toBe(61);
  });
});

describe('42H 10-pack broadcast with the P = 9 tail (§5.5)', () => {
  const reply = decode(F.ANALOG_BROADCAST_10_P9, ALL_PACKS);

  it('splits 10 blocks of 73 bytes and consumes the INFO exactly', () => {
    expect(F.frameOf(F.ANALOG_BROADCAST_10_P9).info.length).toBe(2 + 10 * 73);
    expect(reply.broadcast).toBe(true);
    expect(reply.command).toBe(10);
    expect(reply.packs).toHaveLength(10);
    expect(reply.trailingBytes).toBe(0);
  });

  it('decodes the tail of pack 1: SOC 98, SOH 100, independent voltage 53.528 V', () => {
    const p = reply.packs[0];
    expect(p.userDefinedCount).toBe(9);
    expect(p.cells_mV.slice(0, 4)).toEqual([3316, 3316, 3316, 3317]);
    expect(p.temps_C).toEqual([13.2, 13.4, 13.1, 13.4, 14.5, 15.7]);
    expect(p.current_A).toBe(-2.6);
    expect(p.voltage_V).toBe(53.056);
    expect(p.remaining_Ah).toBe(274.8);
    expect(p.full_Ah).toBe(279.43);
    expect(p.cycles).toBe(20);
    expect(p.design_Ah).toBe(280);
    expect(p.soc_pct).toBe(98);
    expect(p.soh_pct).toBe(100);
    expect(p.socSource).toBe('reported');
    expect(p.tail).toEqual({ cumulativeCharge_Ah: 0x6d606d60, cumulativeDischarge_Ah: 0x6d606d60, portVoltage_V: 53.528, portCurrent_A: 0 });
  });

  it('marks pack 2 (counts present, every reading zero) as empty', () => {
    expect(reply.packs[1].empty).toBe(true);
    expect(reply.packs[1].cells_mV).toHaveLength(16);
    expect(reply.packs.filter((p) => p.empty)).toHaveLength(1);
  });

  it('decodes pack 10 from the end of the INFO', () => {
    const p = reply.packs[9];
    expect(p.current_A).toBe(-2.2);
    expect(p.voltage_V).toBe(53.056);
    expect(p.tail?.portVoltage_V).toBe(53.447);
  });

  it('reads COMMAND as the pack count when the request is unknown', () => {
    expect(decode(F.ANALOG_BROADCAST_10_P9)).toEqual(reply);
  });

  it('re-encodes byte for byte', () => {
    expect(bytesToHex(readAnalog.encodeReply(reply, { command: ALL_PACKS }, pace))).toBe(bytesToHex(F.frameOf(F.ANALOG_BROADCAST_10_P9).info));
  });
});

describe('42H broadcast with a zero-filled block (offline slave)', () => {
  const reply = decode(F.ANALOG_BROADCAST_10_ZERO_BLOCK, ALL_PACKS);

  it('parses 10 packs x 73 bytes with pack 2 all zero', () => {
    expect(reply.packs).toHaveLength(10);
    expect(reply.trailingBytes).toBe(0);
    expect(reply.packs[1]).toMatchObject({ empty: true, cells_mV: [], temps_C: [], soc_pct: null, socSource: null });
    expect(reply.packs[2].voltage_V).toBe(53.048);
    expect(reply.packs[2].empty).toBe(false);
  });

  it('writes the empty pack back as 73 zero bytes', () => {
    expect(bytesToHex(readAnalog.encodeReply(reply, { command: ALL_PACKS }, pace))).toBe(
      bytesToHex(F.frameOf(F.ANALOG_BROADCAST_10_ZERO_BLOCK).info)
    );
  });

  it('handles a zero block in first position by the length of the next block', () => {
    const info = F.frameOf(F.ANALOG_BROADCAST_10_ZERO_BLOCK).info;
    const blocks = [info.slice(2 + 73, 2 + 146), info.slice(2, 2 + 73)]; // zero block first, then pack 1
    const swapped = Uint8Array.from([0, 2, ...blocks[0], ...blocks[1]]);
    const r = readAnalog.decodeReply(swapped, { request: { command: ALL_PACKS }, options: pace });
    expect(r.packs.map((p) => p.empty)).toEqual([true, false]);
    expect(r.packs[1].voltage_V).toBe(53.056);
  });
});

/** A synthetic PACE block: `cells` cells at 3300 mV, `temps` temperatures at 25 °C, P and a tail. */
function block(cells: number, temps: number, p: number, tail: number[] = []): number[] {
  const out = [cells];
  for (let i = 0; i < cells; i++) out.push(0x0c, 0xe4);
  out.push(temps);
  for (let i = 0; i < temps; i++) out.push(0x0b, 0xa4); // 2980 -> 25.0 °C
  out.push(0x00, 0x64, 0xce, 0x4c, 0x27, 0x10, p, 0x27, 0x10, 0x00, 0x05, 0x27, 0x10); // +1 A, 52.812 V, 100 Ah, P, 100 Ah, 5 cycles, 100 Ah
  return [...out, ...tail];
}

describe('42H layout rules', () => {
  const tail22 = [80, 0, 0, 0, 1, 0, 0, 0, 2, 99, 0xce, 0x4c, 0xff, 0x9c, 0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10];

  it.each([13, 14, 15, 16])('decodes %i cells', (m) => {
    const r = readAnalog.decodeReply(Uint8Array.from([0, 1, ...block(m, 6, 3)]), { request: { command: 1 }, options: pace });
    expect(r.packs[0].cells_mV).toHaveLength(m);
    expect(r.packs[0].voltage_V).toBe(52.812);
  });

  it('decodes 8 temperatures with P = 4 (Sunsynk/Eenovance) and reports the unknown bytes', () => {
    const r = readAnalog.decodeReply(Uint8Array.from([0, 1, ...block(16, 8, 4, [0x12, 0x34])]), { request: { command: 1 }, options: pace });
    expect(r.packs[0].temps_C).toEqual([25, 25, 25, 25, 25, 25, 25, 25]);
    expect(r.packs[0].tempLabels).toEqual(['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'Cell T5', 'Cell T6', 'MOSFET', 'Ambient']);
    expect(r.trailingBytes).toBe(2);
    expect(r.packs[0].extraBytes).toEqual([0x12, 0x34]);
  });

  it('reads a sensor that reads 8000H as null and writes it back', () => {
    const raw = block(16, 6, 3);
    const at = 1 + 32 + 1 + 2 * 5; // sixth temperature
    raw[at] = 0x80;
    raw[at + 1] = 0x00;
    const info = Uint8Array.from([0, 1, ...raw]);
    const r = readAnalog.decodeReply(info, { request: { command: 1 }, options: pace });
    expect(r.packs[0].temps_C[5]).toBeNull();
    expect(readAnalog.encodeReply(r, { command: 1 }, pace)).toEqual(info);
  });

  it('decodes the 22-byte tail with summary capacities (newest docs)', () => {
    const info = Uint8Array.from([0, 1, ...block(16, 6, 9, tail22)]);
    const r = readAnalog.decodeReply(info, { request: { command: 1 }, options: pace });
    expect(r.packs[0].tail).toEqual({
      cumulativeCharge_Ah: 1,
      cumulativeDischarge_Ah: 2,
      portVoltage_V: 52.812,
      portCurrent_A: -1,
      summaryRemaining_Ah: 100,
      summaryFull_Ah: 100
    });
    expect(r.packs[0].soc_pct).toBe(80);
    expect(r.packs[0].soh_pct).toBe(99);
    expect(r.trailingBytes).toBe(0);
    expect(readAnalog.encodeReply(r, { command: 1 }, pace)).toEqual(info);
  });

  it('ignores P = 9 when the block has no room for the tail (LENID wins over P)', () => {
    const r = readAnalog.decodeReply(Uint8Array.from([0, 1, ...block(16, 6, 9)]), { request: { command: 1 }, options: pace });
    expect(r.packs[0].tail).toBeUndefined();
    expect(r.packs[0].socSource).toBe('computed');
  });

  it('does not read a P = 3 block with extra relay bytes as a P = 9 tail', () => {
    const extra = Array.from({ length: 14 }, (_, i) => i + 1);
    const r = readAnalog.decodeReply(Uint8Array.from([0, 2, ...block(16, 6, 3, extra)]), { request: { command: 2 }, options: pace });
    expect(r.packs[0].tail).toBeUndefined();
    expect(r.trailingBytes).toBe(14);
  });

  it('tolerates bytes after the last broadcast block and keeps them for re-encoding', () => {
    const info = Uint8Array.from([0, 2, ...block(16, 6, 3), ...block(16, 6, 3), 0xaa]);
    const r = readAnalog.decodeReply(info, { request: { command: ALL_PACKS }, options: pace });
    expect(r.packs).toHaveLength(2);
    expect(r.trailingBytes).toBe(1);
    expect(readAnalog.encodeReply(r, { command: ALL_PACKS }, pace)).toEqual(info);
  });

  it('splits a broadcast whose packs have different cell counts', () => {
    const r = readAnalog.decodeReply(Uint8Array.from([0, 3, ...block(16, 6, 3), ...block(15, 6, 3), ...block(16, 6, 3)]), {
      request: { command: ALL_PACKS },
      options: pace
    });
    expect(r.packs.map((p) => p.cells_mV.length)).toEqual([16, 15, 16]);
    expect(r.trailingBytes).toBe(0);
  });

  it('soc/soh are null when the divisors are 0', () => {
    const raw = block(16, 6, 3);
    const pAt = 1 + 32 + 1 + 12 + 6;
    raw[pAt + 1] = 0; // full capacity
    raw[pAt + 2] = 0;
    raw[pAt + 5] = 0; // design capacity
    raw[pAt + 6] = 0;
    const p = readAnalog.decodeReply(Uint8Array.from([0, 1, ...raw]), { request: { command: 1 }, options: pace }).packs[0];
    expect(p.soc_pct).toBeNull();
    expect(p.soh_pct).toBeNull();
    expect(p.socSource).toBeNull();
  });

  it('throws DecodeError on INFO that is not a pack block', () => {
    const ctx = { request: { command: 1 }, options: pace };
    expect(() => readAnalog.decodeReply(Uint8Array.of(0), ctx)).toThrow(DecodeError);
    expect(() => readAnalog.decodeReply(Uint8Array.from([0, 1, ...block(16, 6, 3).slice(0, 40)]), ctx)).toThrow(DecodeError);
    expect(() => readAnalog.decodeReply(Uint8Array.from([0, 3, ...block(16, 6, 3)]), { request: { command: ALL_PACKS }, options: pace })).toThrow(
      /3 pack/
    );
  });

  it('encodes a simulated pack and decodes it back to the same values', () => {
    const pack: PackAnalog = {
      cells_mV: Array.from({ length: 16 }, (_, i) => 3300 + i),
      temps_C: [20.5, 21, null, 22.3, 30, -5.5],
      tempLabels: ['Cell T1', 'Cell T2', 'Cell T3', 'Cell T4', 'MOSFET', 'Ambient'],
      current_A: -12.34,
      voltage_V: 52.9,
      remaining_Ah: 50.5,
      full_Ah: 99.8,
      design_Ah: 100,
      cycles: 321,
      soc_pct: 51,
      soh_pct: 99,
      socSource: 'reported',
      userDefinedCount: 9,
      tail: { cumulativeCharge_Ah: 1000, cumulativeDischarge_Ah: 900, portVoltage_V: 52.88, portCurrent_A: -12.3 },
      empty: false
    };
    const reply = { infoFlag: 0, broadcast: true, command: 2, packs: [pack, { ...pack, cycles: 7 }], trailingBytes: 0 };
    const info = readAnalog.encodeReply(reply, { command: ALL_PACKS }, pace);
    expect(info.length).toBe(2 + 2 * 73);
    expect(readAnalog.decodeReply(info, { request: { command: ALL_PACKS }, options: pace })).toEqual(reply);
  });

  it('bounds the expected reply size from the pack count', () => {
    expect(readAnalog.expectedReplyBytes({ command: 1 })).toBeGreaterThanOrEqual(61 + 22);
    expect(readAnalog.expectedReplyBytes({ command: ALL_PACKS }, 10)).toBeGreaterThanOrEqual(732);
    expect(readAnalog.expectedReplyBytes({ command: ALL_PACKS })).toBeGreaterThan(readAnalog.expectedReplyBytes({ command: ALL_PACKS }, 2));
  });
});

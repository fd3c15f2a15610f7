import { describe, expect, it } from 'vitest';
import * as F from './fixtures/telemetry-frames';
import { readStatus } from './commands/status';
import { DEFAULT_DECODE_OPTIONS } from './types';
import { EvidenceTally, balanceOrderVote, controlPolarityVote, type BalanceByteOrder, type ControlPolarity } from './uncertain-evidence';

describe('control status bits 1/2 polarity (§6.6, UNCERTAIN) from the indication byte', () => {
  it('the PbmsTools capture (control 00, both MOSFETs conducting) contradicts the document reading', () => {
    const p = readStatus.decodeReply(F.frameOf(F.STATUS_PBMSTOOLS).info, { request: { command: 1 }, options: DEFAULT_DECODE_OPTIONS }).packs[0];
    const vote = controlPolarityVote(p.bytes.control, p.bytes.indication);
    expect(vote?.value).toBe('forced-off');
    expect(vote?.reason).toMatch(/charge MOSFET conducts with control bit 1 clear/);
  });

  it.each([
    ['bits set while conducting: the document reading', 0x06, 0x06, 'doc'],
    ['only the charge MOSFET conducts, its bit set', 0x02, 0x02, 'doc'],
    ['conducting, bits clear: forced-off reading', 0x00, 0x06, 'forced-off'],
    ['discharge conducts with bit 2 clear, charge MOSFET off (forced off)', 0x02, 0x04, 'forced-off'],
    ['nothing conducts: no evidence', 0x06, 0x00, null],
    ['the two bits disagree: no evidence', 0x02, 0x06, null]
  ] as const)('%s', (_name, control, indication, expected) => {
    expect(controlPolarityVote(control, indication)?.value ?? null).toBe(expected);
  });
});

describe('balance byte order (§6.8, UNCERTAIN) from the cell voltages', () => {
  const flat = (n: number) => new Array<number>(n).fill(3300);

  it('picks the order whose balancing cells are the high ones', () => {
    const cells = flat(16);
    cells[0] = 3420; // cell 1 high
    // doc: byte 1 bit 0 = cell 1; u16: byte 1 bit 0 = cell 9.
    expect(balanceOrderVote(cells, 0x01, 0x00)).toMatchObject({ value: 'doc' });
    const high9 = flat(16);
    high9[8] = 3420;
    expect(balanceOrderVote(high9, 0x01, 0x00)).toMatchObject({ value: 'u16' });
  });

  it('a 15-cell pack rules out the order that names cell 16', () => {
    // Byte 2 bit 7: doc = cell 16 (not on this pack), u16 = cell 8.
    expect(balanceOrderVote(flat(15), 0x00, 0x80)).toMatchObject({ value: 'u16', reason: expect.stringMatching(/cell 16 on a 15-cell pack/) });
  });

  it('no vote when nothing balances, the orders agree, or neither stands out', () => {
    expect(balanceOrderVote(flat(16), 0, 0)).toBeNull();
    expect(balanceOrderVote(flat(16), 0x01, 0x01)).toBeNull();
    expect(balanceOrderVote(flat(16), 0x01, 0x00)).toBeNull();
  });
});

describe('EvidenceTally', () => {
  it('decides after enough agreeing votes, and not while they conflict', () => {
    const t = new EvidenceTally<ControlPolarity>(3);
    t.add(controlPolarityVote(0x00, 0x06));
    t.add(null);
    t.add(controlPolarityVote(0x00, 0x06));
    expect(t.verdict()).toBeNull();
    t.add(controlPolarityVote(0x00, 0x06));
    expect(t.verdict()).toMatchObject({ value: 'forced-off', reason: expect.stringMatching(/^3 of 3 replies/) });
    t.add(controlPolarityVote(0x06, 0x06));
    expect(t.verdict()).toBeNull(); // 3 of 4 is below 90 %
    expect(Object.fromEntries(t.counts())).toEqual({ 'forced-off': 3, doc: 1 });
  });

  it('rejects a nonsense threshold', () => {
    expect(() => new EvidenceTally<BalanceByteOrder>(0)).toThrow(RangeError);
  });
});

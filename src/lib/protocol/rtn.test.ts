import { describe, expect, it } from 'vitest';
import { encodeFrame, isEchoOf, parseFrameText, type Frame } from './frame';
import { asciiBytes } from './hex';
import { ProtocolError, classifyReply } from './errors';
import { RTN, isRetryableRtn, isSuccessRtn, isWrongDialectRtn, rtnMessage } from './rtn';

function frame(text: string): Frame {
  const ev = parseFrameText(text);
  if (ev.type !== 'frame') throw new Error(ev.message);
  return ev.frame;
}

describe('classifyReply', () => {
  it('accepts RTN 00', () => {
    expect(classifyReply(frame('~25014600E00202FD35\r'), 0x90)).toEqual({ ok: true });
  });

  it('accepts RTN equal to the request CID2 (PACE V3.1 "Normal = CID2")', () => {
    const f: Frame = { ver: 0x25, adr: 1, cid1: 0x46, code: 0x90, info: Uint8Array.of(2) };
    expect(classifyReply(f, 0x90)).toEqual({ ok: true });
  });

  it('turns RTN 04 into kind unsupported', () => {
    const f: Frame = { ver: 0x25, adr: 0, cid1: 0x46, code: 0x04, info: new Uint8Array(0) };
    const v = classifyReply(f, 0xe9);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.error).toBeInstanceOf(ProtocolError);
    expect(v.error).toMatchObject({ kind: 'unsupported', rtn: 4, cid2: 0xe9, adr: 0 });
    expect(v.error.message).toMatch(/does not support/);
  });

  it('turns the captured refusal RTN 09 into kind rtn (discharge MOS off refused, §7.2)', () => {
    const v = classifyReply(frame('~25004609E00204FD2B\r'), 0x9b);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.error).toMatchObject({ kind: 'rtn', rtn: 9 });
    expect(v.error.message).toMatch(/refused/);
  });

  it('names unknown return codes', () => {
    const v = classifyReply({ ver: 0x25, adr: 1, cid1: 0x46, code: 0x5a, info: new Uint8Array(0) }, 0x42);
    expect(!v.ok && v.error.message).toMatch(/5A/);
  });
});

describe('isEchoOf', () => {
  const request = asciiBytes('~25014642E00201FD30\r');

  it('is true for the identical bytes', () => {
    expect(isEchoOf(Uint8Array.from(request), request)).toBe(true);
  });

  it('is false for the real reply and for a request to another pack', () => {
    expect(isEchoOf(encodeFrame({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: Uint8Array.of(0, 1) }), request)).toBe(false);
    expect(isEchoOf(asciiBytes('~25024642E00202FD2E\r'), request)).toBe(false);
    expect(isEchoOf(new Uint8Array(0), new Uint8Array(0))).toBe(false);
  });
});

describe('RTN codes', () => {
  it('match the reference table (§2.3) and say what they mean', () => {
    expect([RTN.ok, RTN.verError, RTN.checksumError, RTN.lengthChecksumError, RTN.unsupported, RTN.noData, RTN.refused]).toEqual([
      0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x09
    ]);
    expect([RTN.linkError, RTN.cid1Invalid]).toEqual([0x91, 0xe1]);
    expect(rtnMessage(RTN.unsupported)).toMatch(/does not support/);
    expect(rtnMessage(0x5a)).toMatch(/unknown return code 5AH/);
  });

  it('tell success, a corrupted request worth resending and another dialect apart', () => {
    expect(isSuccessRtn(RTN.ok, 0x42)).toBe(true);
    expect(isSuccessRtn(0x42, 0x42)).toBe(true);
    expect(isSuccessRtn(RTN.unsupported, 0x42)).toBe(false);
    expect([0, 1, 2, 3, 4, 9].filter(isRetryableRtn)).toEqual([RTN.checksumError, RTN.lengthChecksumError]);
    expect([0, 1, 2, 4, 0xe1, 0xe2].filter(isWrongDialectRtn)).toEqual([RTN.verError, RTN.cid1Invalid]);
  });
});

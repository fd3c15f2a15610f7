import { describe, expect, it } from 'vitest';
import { encodeFrameText, frameChecksum } from './frame';
import { asciiBytes } from './hex';
import * as F from './fixtures/telemetry-frames';
import { explainFrame, toJson } from './explain';

const PBMS = F.ANALOG_PBMSTOOLS.text;

describe('explainFrame: refusals', () => {
  it.each([
    ['checksum', PBMS.replace('E1E4', 'E1E5')],
    ['length', '~25014642F00201FD30'],
    ['truncated', PBMS.slice(0, 60)],
    ['format', '~25014642E002G1FD30']
  ] as const)('%s', (kind, text) => {
    const r = explainFrame(text, { cmd: 0x42 });
    expect(r).toMatchObject({ ok: false, error: kind });
    if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
  });

  it('reports a non-success RTN with its meaning', () => {
    expect(explainFrame('~25004609E00204FD2B', { cmd: 0x9b })).toEqual({
      ok: false,
      error: 'rtn',
      message: 'The pack refused the operation (RTN 09), e.g. switching a MOSFET while current flows.'
    });
  });

  it('calls the request coming back instead of a reply an echo', () => {
    for (const [text, cmd] of [
      [F.REQ_ANALOG_PBMSTOOLS.text, 0x42],
      [F.REQ_STATUS_ADR0_ALL.text, 0x44],
      [F.REQ_COUNT_MASTER.text, 0x90],
      [F.REQ_VERSION.text, 0xc1],
      [F.REQ_SERIALS.text, 0xc2]
    ] as const) {
      expect(explainFrame(text, { cmd })).toMatchObject({ ok: false, error: 'echo' });
    }
  });

  it('says why a valid frame is not the reply asked for', () => {
    const r = explainFrame(F.COUNT_MASTER.text, { cmd: 0x42 });
    expect(r).toMatchObject({ ok: false, error: 'format' });
    if (!r.ok) expect(r.message).toMatch(/not a 42H reply/);
  });

  it('refuses a reply read as a request and says to pass --cmd', () => {
    const r = explainFrame(PBMS);
    expect(r).toMatchObject({ ok: false, error: 'format' });
    if (!r.ok) expect(r.message).toMatch(/--cmd/);
  });
});

describe('explainFrame: replies', () => {
  it('42H: the keys in the documented order, then the extras', () => {
    const r = explainFrame(PBMS, { cmd: 0x42 });
    expect(r).toMatchObject({ ok: true, ver: 0x25, adr: 1, cid1: 0x46, rtn: 0 });
    const text = JSON.stringify(r);
    expect(text.startsWith('{"ok":true,"ver":37,"adr":1,"cid1":70,"rtn":0,"data":{"packCount":1,"packs":[{"cells_mV":[3271,')).toBe(true);
    expect(text).toContain(
      '"temps_C":[24.1,23.9,23.9,23.9,26.5,27.4],"current_A":-2.25,"voltage_V":52.429,"remaining_Ah":48.19,"full_Ah":103.46,"design_Ah":100,"cycles":140,"soc_pct":46.6,"soh_pct":100'
    );
  });

  it('42H broadcast without knowing the request: 10 packs', () => {
    const r = explainFrame(F.ANALOG_BROADCAST_10_P9.text, { cmd: 0x42 });
    expect(r.ok && 'data' in r && (r.data as { packCount: number }).packCount).toBe(10);
  });

  it('42H Pylontech group reply: each module with the address it answers at', () => {
    const r = explainFrame(F.PYLON_GROUP_US3000_4.text, { cmd: 0x42 });
    expect(r).toMatchObject({ ok: true, profile: 'pylon' });
    expect(r.ok && 'data' in r && r.data).toMatchObject({ packCount: 4, broadcast: true, addresses: [2, 3, 4, 5] });
  });

  it('42H with a unit quirk: the note travels with the values', () => {
    const info = F.frameOf(F.ANALOG_PBMSTOOLS).info.slice();
    info[50] = 0x14; // 5243 = 52.43 V in 10 mV
    info[51] = 0x7b;
    const r = explainFrame(encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info }), { cmd: 0x42 });
    const pack = r.ok && 'data' in r ? (r.data as { packs: Record<string, unknown>[] }).packs[0] : null;
    expect(pack).toMatchObject({
      voltage_V: 52.43,
      unitNotes: [{ field: 'voltage', factor: 10, message: 'voltage read in 10 mV units: cells sum to 52.33 V' }]
    });
  });

  it('44H: alarm codes, status bytes and flag names', () => {
    const r = explainFrame(F.STATUS_PBMSTOOLS.text, { cmd: 0x44 });
    expect(r.ok).toBe(true);
    if (!r.ok || !('data' in r)) return;
    const pack = (r.data as { packs: Record<string, unknown>[] }).packs[0];
    expect(pack.cellAlarms).toEqual(new Array(16).fill(0));
    expect(pack.status).toMatchObject({ indication: 14 });
    expect(pack.flags).toEqual(['chargeMosOn', 'dischargeMosOn', 'packPowerSupply']);
  });

  it('C1H, C2H and 90H', () => {
    expect(explainFrame(F.VERSION_PBMSTOOLS.text, { cmd: 0xc1 })).toMatchObject({ ok: true, data: { version: 'P16S100A-1812-1.00' } });
    expect(explainFrame(F.SERIALS_PBMSTOOLS.text, { cmd: 0xc2 })).toMatchObject({ ok: true, data: { bmsSerial: '1812101380309D', packSerial: '' } });
    expect(explainFrame(F.COUNT_MASTER.text, { cmd: 0x90 })).toMatchObject({ ok: true, data: { packCount: 2 } });
  });

  it('picks the dialect from the frame, or from --profile', () => {
    expect(explainFrame(F.SEPLOS_ANALOG.text, { cmd: 0x42 })).toMatchObject({ ok: true, profile: 'seplos', data: { packs: [{ voltage_V: 52.8 }] } });
    expect(explainFrame(F.EG4_ANALOG.text, { cmd: 0x42 })).toMatchObject({ ok: true, profile: 'eg4', command: 'eg4ReadAnalog' });
    expect(explainFrame(F.PYLON_ANALOG.text, { cmd: 0x42, profile: 'pylon' })).toMatchObject({ ok: true, data: { packs: [{ voltage_V: 50.981 }] } });
  });

  it('accepts RTN equal to the CID2 as success', () => {
    const text = encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0x90, info: Uint8Array.of(3) });
    expect(explainFrame(text, { cmd: 0x90 })).toMatchObject({ ok: true, rtn: 0x90, data: { packCount: 3 } });
  });

  it('decodes other CID2s through the registry', () => {
    const r = explainFrame('~25004600400C180815051D1FFB10', { cmd: 0xb1 });
    expect(r.ok).toBe(true);
  });

  it('accepts lower case (checksum over the characters sent), no "~" and surrounding whitespace', () => {
    const body = PBMS.slice(1, -5).toLowerCase();
    const chk = frameChecksum(asciiBytes(body)).toString(16).padStart(4, '0');
    expect(explainFrame(`  ${body}${chk}  `, { cmd: 0x42 })).toMatchObject({ ok: true, adr: 1, data: { packs: [{ voltage_V: 52.429 }] } });
  });
});

describe('explainFrame: requests', () => {
  it('decodes each request by its CID2', () => {
    expect(explainFrame(F.REQ_ANALOG_RS232_ADR0_ALL.text)).toEqual({
      ok: true,
      ver: 0x25,
      adr: 0,
      cid1: 0x46,
      cid2: 0x42,
      request: { command: 255 },
      command: 'readAnalog'
    });
    expect(explainFrame(F.REQ_EG4_ANALOG.text)).toMatchObject({ ok: true, cid2: 0x42, request: {}, command: 'eg4ReadAnalog' });
    expect(explainFrame(F.REQ_COUNT_MASTER.text)).toMatchObject({ ok: true, cid2: 0x90, request: {} });
  });

  it('refuses a request whose INFO does not fit', () => {
    const text = encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0x42, info: Uint8Array.of(1, 2) });
    expect(explainFrame(text)).toMatchObject({ ok: false, error: 'format' });
  });
});

describe('toJson', () => {
  it('turns bytes into arrays and drops undefined', () => {
    expect(toJson({ a: Uint8Array.of(1, 2), b: undefined, c: [1, null], d: NaN })).toEqual({ a: [1, 2], c: [1, null], d: null });
  });
});

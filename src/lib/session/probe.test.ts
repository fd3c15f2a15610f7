import { describe, expect, it } from 'vitest';
import { encodeFrameText, parseFrameText } from '$lib/protocol/frame';
import { FakeTransport } from '$lib/protocol/fixtures/fake-transport';
import { VirtualClock } from '$lib/time/clock';
import { LINK_PROFILES } from './detect';
import { probeLink } from './probe';

// PbmsTools capture of a PACE P16S100A at ADR 1 (reference §5.3), checksum-verified.
const PACE_ANALOG_REPLY =
  '~25014600F07A0001100CC70CC80CC70CC70CC70CC50CC60CC70CC70CC60CC70CC60CC60CC70CC60CC7' +
  '060B9B0B990B990B990BB30BBCFF1FCCCD12D303286A008C2710E1E4\r';

/** A reply with no INFO and the given header fields (an RTN-only error answer). */
function rtnReply(ver: number, adr: number, cid1: number, rtn: number): string {
  return encodeFrameText({ ver, adr, cid1, code: rtn, info: new Uint8Array(0) });
}

function requestHeader(bytes: Uint8Array): { ver: number; adr: number; cid1: number; cid2: number } {
  const ev = parseFrameText(new TextDecoder().decode(bytes));
  if (ev.type !== 'frame') throw new Error(`request did not parse: ${ev.message}`);
  return { ver: ev.frame.ver, adr: ev.frame.adr, cid1: ev.frame.cid1, cid2: ev.frame.code };
}

function setup() {
  const clock = new VirtualClock();
  const transport = new FakeTransport({ clock });
  const signal = new AbortController().signal;
  return { clock, transport, signal };
}

describe('probeLink', () => {
  it('says yes when a PACE pack answers 42H for the master', async () => {
    const { clock, transport, signal } = setup();
    const seen: ReturnType<typeof requestHeader>[] = [];
    transport.responder = (req) => {
      seen.push(requestHeader(req));
      return { bytes: PACE_ANALOG_REPLY };
    };
    expect(await clock.run(probeLink(transport, LINK_PROFILES.pace, { clock, signal }))).toBe(true);
    expect(seen).toEqual([{ ver: 0x25, adr: 1, cid1: 0x46, cid2: 0x42 }]);
  });

  it('says no to silence, after one retry', async () => {
    const { clock, transport, signal } = setup();
    transport.responder = () => null;
    expect(await clock.run(probeLink(transport, LINK_PROFILES.pace, { clock, signal }))).toBe(false);
    expect(transport.writes).toHaveLength(2);
  });

  it('says no when the pack answers "VER error" or "CID1 invalid", or in another VER', async () => {
    for (const reply of [rtnReply(0x20, 2, 0x46, 0x01), rtnReply(0x20, 1, 0x4a, 0xe1), rtnReply(0x25, 2, 0x46, 0x00)]) {
      const { clock, transport, signal } = setup();
      transport.responder = () => ({ bytes: reply });
      expect(await clock.run(probeLink(transport, LINK_PROFILES.pylon, { clock, signal })), reply).toBe(false);
    }
  });

  it('says yes to a well-formed reply in the right VER even when its INFO does not decode', async () => {
    const { clock, transport, signal } = setup();
    // VER 20 pack answering with a short INFO that no analog layout fits: the dialect is right,
    // the variant is the poller's problem.
    transport.responder = () => ({ bytes: encodeFrameText({ ver: 0x20, adr: 2, cid1: 0x46, code: 0, info: new Uint8Array([0, 2, 1]) }) });
    expect(await clock.run(probeLink(transport, LINK_PROFILES.pylon, { clock, signal }))).toBe(true);
  });

  it('asks a Pylontech bank at ADR 2 with VER 20', async () => {
    const { clock, transport, signal } = setup();
    transport.responder = () => null;
    await clock.run(probeLink(transport, LINK_PROFILES.pylon, { clock, signal, retries: 0 }));
    expect(transport.writes.map((w) => requestHeader(w.bytes))).toEqual([{ ver: 0x20, adr: 2, cid1: 0x46, cid2: 0x42 }]);
  });

  it('rejects when aborted', async () => {
    const { clock, transport } = setup();
    const controller = new AbortController();
    transport.responder = () => {
      controller.abort(new DOMException('stop', 'AbortError'));
      return null;
    };
    await expect(clock.run(probeLink(transport, LINK_PROFILES.pace, { clock, signal: controller.signal }))).rejects.toMatchObject({
      name: 'AbortError'
    });
  });
});

describe('probeLink deadline', () => {
  it('waits for a slow bridge up to the probe timeout, not just the wire time', async () => {
    const { clock, transport, signal } = setup();
    // A reply that starts 1.2 s late (a BLE bridge, a loaded USB stack) still counts.
    transport.responder = () => ({ bytes: PACE_ANALOG_REPLY, delay_ms: 1200 });
    expect(await clock.run(probeLink(transport, LINK_PROFILES.pace, { clock, signal, retries: 0 }))).toBe(true);
    // One that starts after the timeout does not.
    const late = setup();
    late.transport.responder = () => ({ bytes: PACE_ANALOG_REPLY, delay_ms: 2000 });
    expect(await late.clock.run(probeLink(late.transport, LINK_PROFILES.pace, { clock: late.clock, signal: late.signal, retries: 0 }))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/clock';
import { createSimBank, type SimBankOptions } from '../sim/bank';
import { asciiBytes } from '../protocol/hex';
import { FrameReader } from '../protocol/frame';
import { runTransportContract, REQUEST_90H } from './contract';
import { SimTransport } from './sim';
import { TransportError, type TransportStatus } from './types';

runTransportContract('SimTransport', {
  kind: 'sim',
  async create() {
    const clock = new VirtualClock();
    // A pack at address 2 only: the contract's requests go to address 1, so nothing answers them
    // and the bytes the suite sends from the device are the only ones on the line. Full duplex,
    // because the suite writes and receives at the same time, which RS485 cannot.
    const bank = createSimBank({ packCount: 1, addresses: [2], seed: 'contract', clock, duplex: 'full', realTimeStep_ms: 0 });
    const received: number[] = [];
    bank.wire.onDevice((c) => received.push(...c));
    const transport = new SimTransport(bank, { clock });
    return {
      transport,
      sendFromDevice: async (bytes) => {
        bank.wire.toHost(bytes, 0);
      },
      receivedByDevice: () => Uint8Array.from(received),
      dropLink: async () => bank.inject({ kind: 'unplug' }),
      advance: (ms) => clock.advance(ms),
      settle: (p) => clock.run(p),
      dispose: async () => bank.dispose()
    };
  }
});

function rig(o: Partial<SimBankOptions> = {}, autoReconnect = true) {
  const clock = new VirtualClock();
  const transport = new SimTransport(() => createSimBank({ packCount: 2, seed: 'sim-transport', clock, ...o }), {
    clock,
    label: 'Demo bank (2 packs)',
    autoReconnect
  });
  const statuses: TransportStatus[] = [];
  transport.onStatus((s) => statuses.push(s));
  const frames: string[] = [];
  const reader = new FrameReader();
  const raw: number[] = [];
  transport.onData((c) => {
    raw.push(...c);
    for (const ev of reader.push(c)) if (ev.type === 'frame') frames.push(String.fromCharCode(...ev.raw));
  });
  return { clock, transport, statuses, frames, raw };
}

describe('SimTransport', () => {
  it("creates the bank on first open, reports the bank baud, and answers the app's first request", async () => {
    const { clock, transport, frames } = rig({ baud: 19200 });
    expect(transport.bank).toBeNull();
    await clock.run(transport.open());
    expect(transport.info).toEqual({ kind: 'sim', label: 'Demo bank (2 packs)' });
    expect(transport.timing).toEqual({ baud: 19200, bitsPerByte: 10 });
    await transport.write(REQUEST_90H);
    await clock.advance(200);
    expect(frames).toEqual(['~25014600E00202FD35\r']);
  });

  it('an unplug mid-reply delivers the bytes before the cut, then the link is lost/unplugged; replug reopens it', async () => {
    const { clock, transport, statuses, raw, frames } = rig();
    await clock.run(transport.open());
    transport.unplug(30);
    await transport.write(asciiBytes('~25014642E00201FD30\r'));
    await clock.advance(1000);
    expect(raw).toHaveLength(30);
    expect(frames).toHaveLength(0);
    expect(transport.status).toMatchObject({ state: 'lost', reason: 'unplugged', reconnecting: true });
    await expect(transport.write(REQUEST_90H)).rejects.toMatchObject({ kind: 'lost' });
    transport.replug();
    expect(transport.status.state).toBe('open');
    expect(statuses.map((s) => s.state)).toEqual(['opening', 'open', 'lost', 'opening', 'open']);
    await transport.write(REQUEST_90H);
    await clock.advance(200);
    expect(frames).toEqual(['~25014600E00202FD35\r']);
  });

  it('without autoReconnect a replug waits for open(); open() while unplugged fails with gone', async () => {
    const { clock, transport } = rig({}, false);
    await clock.run(transport.open());
    transport.unplug();
    expect(transport.status).toMatchObject({ state: 'lost', reason: 'unplugged' });
    await transport.close();
    const err = await transport.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe('gone');
    transport.replug();
    expect(transport.status.state).not.toBe('open');
    await clock.run(transport.open());
    expect(transport.status.state).toBe('open');
  });

  it('a host opened at the wrong baud sees only garbage', async () => {
    const clock = new VirtualClock();
    const bank = createSimBank({ packCount: 1, seed: 'baud', clock, baud: 9600 });
    const transport = new SimTransport(bank, { clock, baud: 19200 });
    const reader = new FrameReader();
    let frames = 0;
    transport.onData((c) => (frames += reader.push(c).filter((e) => e.type === 'frame').length));
    await clock.run(transport.open());
    expect(transport.timing.baud).toBe(19200);
    for (let i = 0; i < 5; i++) {
      await transport.write(REQUEST_90H);
      await clock.advance(500);
    }
    expect(frames).toBe(0);
    const right = new SimTransport(bank, { clock, baud: 9600 });
    let ok = 0;
    const r2 = new FrameReader();
    right.onData((c) => (ok += r2.push(c).filter((e) => e.type === 'frame').length));
    await transport.close();
    await clock.run(right.open());
    await right.write(REQUEST_90H);
    await clock.advance(500);
    expect(ok).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/clock';
import { Rng } from './rng';
import { SimWire, type WireOptions } from './wire';

function setup(o: Partial<WireOptions> = {}) {
  const clock = new VirtualClock();
  const wire = new SimWire({ clock, baud: 9600, rng: new Rng('wire'), ...o });
  const host: { at: number; bytes: number[] }[] = [];
  const device: { at: number; bytes: number[] }[] = [];
  wire.onHost((c) => host.push({ at: clock.now(), bytes: [...c] }));
  wire.onDevice((c) => device.push({ at: clock.now(), bytes: [...c] }));
  const hostBytes = () => host.flatMap((h) => h.bytes);
  return { clock, wire, host, device, hostBytes };
}

const seq = (n: number) => Uint8Array.from({ length: n }, (_, i) => 0x30 + (i % 40));

describe('SimWire timing', () => {
  it('a reply of N bytes takes N·10/baud plus the turnaround, in chunks of ~5 ms', async () => {
    const { clock, wire, host, hostBytes } = setup();
    const n = 140;
    wire.toHost(seq(n), 20);
    await clock.advance(1000);
    expect(hostBytes()).toEqual([...seq(n)]);
    const last = host[host.length - 1];
    expect(last.at).toBeCloseTo(20 + (n * 10 * 1000) / 9600, 9);
    // First chunk: 5 bytes (≈ 5.2 ms at 9600 baud), delivered when its last byte is complete.
    expect(host[0].bytes).toHaveLength(5);
    expect(host[0].at).toBeCloseTo(20 + (5 * 10 * 1000) / 9600, 9);
    expect(host.length).toBe(Math.ceil(n / 5));
    // No chunk arrives before its bytes could have crossed the wire.
    let count = 0;
    for (const c of host) {
      count += c.bytes.length;
      expect(c.at + 1e-9).toBeGreaterThanOrEqual(20 + (count * 10 * 1000) / 9600);
    }
  });

  it('exact at a round baud rate, and with other bits per byte', async () => {
    const { clock, wire, host } = setup({ baud: 10_000, bitsPerByte: 11 });
    wire.toHost(seq(100), 7);
    await clock.advance(500);
    expect(host[host.length - 1].at).toBeCloseTo(7 + 110, 9);
  });

  it('request bytes reach the devices when their last byte is on the wire', async () => {
    const { clock, wire, device } = setup();
    wire.fromHost(seq(20));
    wire.fromHost(seq(10)); // queues behind the first in the host's UART
    await clock.advance(100);
    expect(device.map((d) => d.bytes.length)).toEqual([20, 10]);
    expect(device[0].at).toBeCloseTo((20 * 10 * 1000) / 9600, 9);
    expect(device[1].at).toBeCloseTo((30 * 10 * 1000) / 9600, 9);
  });

  it('back-to-back replies queue on the line', async () => {
    const { clock, wire, host } = setup();
    const end1 = wire.toHost(seq(10), 0);
    const end2 = wire.toHost(seq(10), 0);
    expect(end2).toBeCloseTo(end1 * 2, 9);
    await clock.advance(100);
    expect(host[host.length - 1].at).toBeCloseTo(end2, 9);
  });
});

describe('SimWire half duplex', () => {
  it('a request sent over a reply is lost to the pack and garbles the reply at the host', async () => {
    const { clock, wire, device, hostBytes } = setup();
    wire.toHost(seq(100), 0); // ~104 ms on the wire
    await clock.advance(30);
    wire.fromHost(seq(20)); // ~21 ms, entirely inside the reply
    await clock.advance(300);
    expect(device).toHaveLength(0);
    expect(hostBytes().length).toBeLessThan(100);
    expect(hostBytes().length).toBeGreaterThanOrEqual(100 - 21);
  });

  it('full duplex keeps both directions', async () => {
    const { clock, wire, device, hostBytes } = setup({ duplex: 'full' });
    wire.toHost(seq(100), 0);
    await clock.advance(30);
    wire.fromHost(seq(20));
    await clock.advance(300);
    expect(device[0].bytes).toHaveLength(20);
    expect(hostBytes()).toHaveLength(100);
  });
});

describe('SimWire faults', () => {
  it('drops every reply byte at drop rate 1 and flips one bit per byte at flip rate 1', async () => {
    const a = setup();
    a.wire.setFaults({ dropRate: 1 });
    a.wire.toHost(seq(50), 0);
    await a.clock.advance(200);
    expect(a.hostBytes()).toHaveLength(0);

    const b = setup();
    b.wire.setFaults({ flipRate: 1 });
    b.wire.toHost(seq(50), 0);
    await b.clock.advance(200);
    const got = b.hostBytes();
    expect(got).toHaveLength(50);
    got.forEach((v, i) => {
      const x = v ^ seq(50)[i];
      expect(x).not.toBe(0);
      expect(x & (x - 1)).toBe(0); // exactly one bit
    });
  });

  it('corrupts requests on the way in', async () => {
    const { clock, wire, device } = setup();
    wire.setFaults({ requestDropRate: 0.5 });
    wire.fromHost(seq(200));
    await clock.advance(500);
    const n = device[0].bytes.length;
    expect(n).toBeGreaterThan(60);
    expect(n).toBeLessThan(140);
  });

  it('a noise burst puts about duration/byte-time garbage bytes in front of the host', async () => {
    const { clock, wire, hostBytes } = setup();
    wire.noise(50);
    await clock.advance(100);
    expect(hostBytes().length).toBe(Math.floor(50 / (10_000 / 9600)));
  });

  it('noise over a reply corrupts the reply bytes it overlaps instead of adding bytes', async () => {
    const { clock, wire, hostBytes } = setup();
    wire.toHost(seq(100), 0);
    wire.noise(20);
    await clock.advance(300);
    const got = hostBytes();
    expect(got).toHaveLength(100);
    const changed = got.filter((v, i) => v !== seq(100)[i]).length;
    expect(changed).toBeGreaterThan(15);
    expect(changed).toBeLessThanOrEqual(20);
    expect(got.slice(25)).toEqual([...seq(100).slice(25)]);
  });

  it('a stall pauses a reply mid-stream for exactly its duration', async () => {
    const { clock, wire, host, hostBytes } = setup();
    wire.toHost(seq(100), 0);
    await clock.advance(50);
    wire.stall(300);
    await clock.advance(1000);
    expect(hostBytes()).toEqual([...seq(100)]);
    const end = host[host.length - 1].at;
    expect(end).toBeCloseTo((100 * 10 * 1000) / 9600 + 300, 6);
    const gaps = host.slice(1).map((h, i) => h.at - host[i].at);
    expect(Math.max(...gaps)).toBeGreaterThan(300);
  });

  it('a stall with nothing in flight delays the next reply', async () => {
    const { clock, wire, host } = setup();
    wire.stall(200);
    wire.toHost(seq(10), 20);
    await clock.advance(1000);
    expect(host[host.length - 1].at).toBeCloseTo(200 + (10 * 10 * 1000) / 9600, 6);
  });

  it('unplug mid-frame delivers exactly the bytes before the cut, then nothing', async () => {
    const { clock, wire, hostBytes, device } = setup();
    let unplugged = 0;
    wire.onUnplug(() => unplugged++);
    wire.toHost(seq(100), 0);
    wire.unplug(37);
    await clock.advance(500);
    expect(hostBytes()).toEqual([...seq(37)]);
    expect(unplugged).toBe(1);
    expect(wire.plugged).toBe(false);
    wire.fromHost(seq(5));
    wire.toHost(seq(5), 0);
    await clock.advance(500);
    expect(device).toHaveLength(0);
    expect(hostBytes()).toHaveLength(37);
    wire.replug();
    wire.toHost(seq(5), 0);
    await clock.advance(500);
    expect(hostBytes()).toHaveLength(42);
  });

  it('adapter echo returns the host its own bytes at wire pace', async () => {
    const { clock, wire, host, hostBytes } = setup();
    wire.setFaults({ echo: true });
    wire.fromHost(seq(20));
    await clock.advance(100);
    expect(hostBytes()).toEqual([...seq(20)]);
    expect(host[host.length - 1].at).toBeCloseTo((20 * 10 * 1000) / 9600, 9);
  });
});

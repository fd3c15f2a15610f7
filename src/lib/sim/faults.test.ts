import { describe, expect, it } from 'vitest';
import { FrameReader, type ReaderEvent } from '../protocol/frame';
import { readPackCount, readSoftwareVersion } from '../protocol/commands/info';
import { readAnalog } from '../protocol/commands/analog';
import { readHistory, setSleep, shutdown } from '../protocol/commands/settings';
import { asciiBytes } from '../protocol/hex';
import { VirtualClock } from '../time/clock';
import { createSimBank, type SimBankOptions } from './bank';
import { TestHost } from './test-host';

const REQ_42 = asciiBytes('~25014642E00201FD30\r');

function setup(o: Partial<SimBankOptions> = {}) {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: 2, seed: 'faults', clock, ...o });
  const events: ReaderEvent[] = [];
  const reader = new FrameReader();
  bank.onOutput((c) => events.push(...reader.push(c)));
  return { clock, bank, events, host: new TestHost(bank, clock) };
}

describe('fault injection through the bank', () => {
  it('flipped reply bytes fail the frame checks at the host', async () => {
    const { bank, events, clock } = setup();
    bank.inject({ kind: 'byte-errors', flipRate: 0.05 });
    for (let i = 0; i < 10; i++) {
      bank.write(REQ_42);
      await clock.advance(400);
    }
    const bad = events.filter((e) => e.type === 'error');
    const good = events.filter((e) => e.type === 'frame');
    expect(bad.length).toBeGreaterThan(5);
    expect(good.length).toBeLessThan(5);
    bank.inject({ kind: 'clear' });
    events.length = 0;
    bank.write(REQ_42);
    await clock.advance(400);
    expect(events.map((e) => e.type)).toEqual(['frame']);
  });

  it('dropped reply bytes truncate frames', async () => {
    const { bank, events, clock } = setup({ faults: { dropRate: 0.05 } });
    for (let i = 0; i < 5; i++) {
      bank.write(REQ_42);
      await clock.advance(400);
    }
    expect(events.filter((e) => e.type === 'frame').length).toBeLessThan(3);
    expect(events.some((e) => e.type === 'error')).toBe(true);
  });

  it('corrupted requests are not answered (a real pack stays silent)', async () => {
    const { bank, events, clock } = setup();
    bank.inject({ kind: 'byte-errors', requestFlipRate: 1 });
    bank.write(REQ_42);
    await clock.advance(500);
    expect(events).toHaveLength(0);
  });

  it('a noise burst reaches the host as garbage, and the next exchange is clean', async () => {
    const { bank, events, clock, host } = setup();
    bank.inject({ kind: 'noise', duration_ms: 100 });
    await clock.advance(200);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.type === 'error')).toBe(true);
    expect((await host.send(readPackCount, {}, 1)).value).toEqual({ packCount: 2 });
  });

  it('a stall holds a reply mid-frame for its duration', async () => {
    const { bank, clock, host } = setup();
    const t0 = clock.now();
    const p = host.send(readAnalog, { command: 1 }, 1, 3000);
    await clock.advance(100); // the reply (140 bytes, ~146 ms) has started
    bank.inject({ kind: 'stall', duration_ms: 700 });
    const r = await p;
    expect(r.value?.packs).toHaveLength(1);
    expect(r.at! - t0).toBeCloseTo((20 + 140) * (10_000 / 9600) + 20 + 700, 6);
  });

  it('silence cuts a reply mid-frame, answers nothing while on, and the bank talks again when off', async () => {
    const { bank, clock, host } = setup();
    const p = host.send(readAnalog, { command: 1 }, 1);
    await clock.advance(100); // the reply (140 bytes, ~146 ms) has started
    bank.inject({ kind: 'silence', on: true });
    expect(bank.silent).toBe(true);
    const r = await p;
    expect(r.frame).toBeNull();
    expect(r.raw.length).toBeGreaterThan(20);
    expect(r.raw.length).toBeLessThan(140);
    expect((await host.send(readPackCount, {}, 1)).raw.length).toBe(0);
    await clock.advance(5000);
    bank.inject({ kind: 'silence', on: false });
    expect((await host.send(readPackCount, {}, 1)).value).toEqual({ packCount: 2 });
  });

  it('unplug mid-frame emits a link event and cuts the reply; replug restores', async () => {
    const { bank, clock, host } = setup();
    const link: string[] = [];
    bank.onLink((e) => link.push(e));
    bank.inject({ kind: 'unplug', afterBytes: 50 });
    const r = await host.send(readAnalog, { command: 1 }, 1);
    expect(r.frame).toBeNull();
    expect(r.raw.length).toBe(50);
    expect(link).toEqual(['unplugged']);
    expect((await host.send(readPackCount, {}, 1)).frame).toBeNull();
    bank.inject({ kind: 'replug' });
    expect(link).toEqual(['unplugged', 'replugged']);
    expect((await host.send(readPackCount, {}, 1)).value).toEqual({ packCount: 2 });
    void clock;
  });

  it('adapter echo: the host hears its own request before the reply', async () => {
    const { bank, clock } = setup();
    const frames: string[] = [];
    const reader = new FrameReader();
    bank.onOutput((c) => {
      for (const e of reader.push(c)) if (e.type === 'frame') frames.push(String.fromCharCode(...e.raw));
    });
    bank.inject({ kind: 'echo', on: true });
    bank.write(asciiBytes('~250146900000FDA5\r'));
    await clock.advance(300);
    expect(frames).toEqual(['~250146900000FDA5\r', '~25014600E00202FD35\r']);
  });

  it('reboot: the pack is silent while it boots, then answers and logs a power-on record', async () => {
    const { bank, host } = setup();
    const before = bank.packAt(2)!.history.size;
    bank.inject({ kind: 'reboot', address: 2 });
    expect((await host.send(readSoftwareVersion, {}, 2, 500)).frame).toBeNull();
    // The master reports the slave missing meanwhile.
    expect(bank.master.status.fault8 & 0x20).toBe(0x20);
    await host.send(readPackCount, {}, 1, 2500);
    expect((await host.send(readSoftwareVersion, {}, 2)).frame?.code).toBe(0);
    expect(bank.packAt(2)!.history.size).toBe(before + 1);
    const rec = await host.send(readHistory, { index: 0 }, 2);
    expect(rec.value?.kind === 'record' && rec.value.record.statusRecord).toBe(1);
    expect(() => bank.inject({ kind: 'reboot', address: 9 })).toThrow(RangeError);
  });

  it('link cable out: the slave neither hears nor answers, the master reports it missing, and it is back once plugged in', async () => {
    const { bank, host } = setup({ packCount: 3 });
    bank.inject({ kind: 'link-cable', address: 2, connected: false });
    expect((await host.send(readSoftwareVersion, {}, 2)).frame).toBeNull();
    // A broadcast has a zero block for it; relayed, the master says it cannot reach it (RTN 91).
    const all = await host.send(readAnalog, { command: 0xff }, 1);
    expect(all.value?.packs.map((p) => p.empty)).toEqual([false, true, false]);
    expect((await host.send(readAnalog, { command: 2 }, 1)).frame?.code).toBe(0x91);
    bank.inject({ kind: 'link-cable', address: 2, connected: true });
    expect((await host.send(readSoftwareVersion, {}, 2)).frame?.code).toBe(0);
    expect(() => bank.inject({ kind: 'link-cable', address: 9, connected: false })).toThrow(RangeError);
  });

  it('link cable out while the pack waits in its bootloader: its requests for an image reach nobody', async () => {
    const { bank, clock } = setup();
    const out: number[] = [];
    bank.onOutput((c) => out.push(...c));
    bank.inject({ kind: 'force-bootloader', address: 2 });
    await clock.advance(2500);
    expect(out.filter((b) => b === 0x43).length).toBeGreaterThanOrEqual(2);
    bank.inject({ kind: 'link-cable', address: 2, connected: false });
    out.length = 0;
    await clock.advance(3000);
    expect(out).toEqual([]);
    bank.inject({ kind: 'link-cable', address: 2, connected: true });
    await clock.advance(2500);
    expect(out.filter((b) => b === 0x43).length).toBeGreaterThanOrEqual(2);
  });

  it('9CH at rest: the pack acknowledges, then switches off until power-cycled', async () => {
    // One pack alone: two in parallel trade a few amperes while they level out, which is not rest.
    const { bank, host, clock } = setup({ packCount: 1 });
    expect((await host.send(shutdown, undefined, 1)).frame?.code).toBe(0);
    expect(bank.packAt(1)!.power).toBe('on');
    await clock.advance(3000);
    expect(bank.packAt(1)!.power).toBe('off');
    expect((await host.send(readPackCount, {}, 1)).frame).toBeNull();
    bank.inject({ kind: 'reboot', address: 1 });
    await clock.advance(3000);
    expect((await host.send(readPackCount, {}, 1)).value).toEqual({ packCount: 1 });
  });

  it('9CH with current flowing reboots at once instead', async () => {
    const { bank, host } = setup({ scenario: { name: 'load', params: { load: { kind: 'current', current_A: -20 } } } });
    bank.step(1000);
    expect((await host.send(shutdown, undefined, 2, 100)).frame?.code).toBe(0);
    expect(bank.packAt(2)!.power).toBe('booting');
  });
});

describe('sleep', () => {
  it('a nearly empty idle pack sleeps after the delay set over the wire, and a frame wakes it', async () => {
    const { bank, host } = setup({ packCount: 1, initialSoc: 0.05 });
    const pack = bank.packs[0];
    expect(Math.min(...pack.readings.cells_mV)).toBeLessThan(3100);
    const w = await host.send(setSleep, { cellVoltage_mV: 3100, delay_min: 1 }, 1, 100);
    expect(w.frame?.code).toBe(0);
    bank.step(30_000);
    expect(pack.power).toBe('on');
    bank.step(40_000);
    expect(pack.power).toBe('asleep');
    // The frame that wakes it is lost; once booted it answers again.
    expect((await host.send(readPackCount, {}, 1, 500)).frame).toBeNull();
    await host.send(readPackCount, {}, 1, 2500);
    expect((await host.send(readPackCount, {}, 1)).value).toEqual({ packCount: 1 });
  });

  it('with the default 5-minute delay the same pack is still awake after 70 s, and polling keeps it awake', async () => {
    const { bank, host } = setup({ packCount: 1, initialSoc: 0.05 });
    bank.step(70_000);
    expect(bank.packs[0].power).toBe('on');
    for (let i = 0; i < 8; i++) {
      bank.step(60_000);
      await host.send(readPackCount, {}, 1, 100);
    }
    expect(bank.packs[0].power).toBe('on');
  });
});

describe('half duplex at the bank', () => {
  it('a request sent while a long reply is on the wire is never seen by the packs', async () => {
    const { bank, clock } = setup({ packCount: 16 });
    const out: number[] = [];
    bank.onOutput((c) => out.push(...c));
    bank.write(asciiBytes('~25014642E002FFFD05\r'));
    await clock.advance(500); // the ~2 kB broadcast reply is going out
    bank.write(asciiBytes('~250146900000FDA5\r'));
    await clock.advance(4000);
    const text = String.fromCharCode(...out);
    // No 90H answer ever came, and the broadcast lost the bytes that overlapped our request.
    expect(text).not.toContain('~25014600E00210');
    expect(out.length).toBeLessThan(18 + 2 * (2 + 16 * 59));
    expect(out.length).toBeGreaterThanOrEqual(18 + 2 * (2 + 16 * 59) - 19);
  });
});

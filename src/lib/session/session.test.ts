// DeviceSession driven end to end on virtual time: the real PaceClient and BankPoller (through the
// same attachPaceLink the app uses) talking to a scripted two-pack PACE bank built from captured
// frames. The transport is the protocol layer's FakeTransport, so "unplugging" is a status change.

import { describe, expect, it } from 'vitest';
import { m } from '$lib/paraglide/messages';
import { readAnalog } from '$lib/protocol/commands/analog';
import { setChargeMos } from '$lib/protocol/commands/control';
import type { PaceClient } from '$lib/protocol/client';
import { ProtocolError } from '$lib/protocol/errors';
import '$lib/protocol/registry';
import { encodeFrameText, parseFrameText, type Frame } from '$lib/protocol/frame';
import { ANALOG_PBMSTOOLS, COUNT_MASTER, SERIALS_PBMSTOOLS, STATUS_BROADCAST_2, VERSION_PBMSTOOLS } from '$lib/protocol/fixtures/telemetry-frames';
import { FakeTransport } from '$lib/protocol/fixtures/fake-transport';
import { RTN } from '$lib/protocol/rtn';
import { DEFAULT_DECODE_OPTIONS, type AnalogReply } from '$lib/protocol/types';
import { VirtualClock } from '$lib/time/clock';
import { TransportError, type Transport } from '$lib/transport/types';
import { LAST_DEVICE_KEY } from './last-device';
import { attachPaceLink } from './pace-link';
import type { LinkFactory } from './ports';
import { probeLink } from './probe';
import { DeviceSession } from './session.svelte';
import { SettingsStore } from './settings.svelte';
import { MemoryStorage } from './storage';

function frameOf(text: string): Frame {
  const ev = parseFrameText(text);
  if (ev.type !== 'frame') throw new Error(`fixture does not parse: ${ev.message}`);
  return ev.frame;
}

/** A two-pack PACE bank at ADR 1 answering 90H, 42H FF, 44H FF, C1H, C2H; VER 20 gets "VER error". */
class TwoPackBank {
  requests: Frame[] = [];
  /** Bus current of pack 1, changed by tests to watch values move. */
  current_A = -2.25;
  silent = false;
  readonly #single = readAnalog.decodeReply(frameOf(ANALOG_PBMSTOOLS.text).info, { request: { command: 1 }, options: DEFAULT_DECODE_OPTIONS })
    .packs[0];

  respond = (bytes: Uint8Array): { bytes: string } | null => {
    if (this.silent) return null;
    const req = frameOf(new TextDecoder().decode(bytes));
    this.requests.push(req);
    if (req.ver !== 0x25) return { bytes: encodeFrameText({ ver: 0x25, adr: req.adr, cid1: 0x46, code: RTN.verError, info: new Uint8Array(0) }) };
    switch (req.code) {
      case 0x90:
        return { bytes: COUNT_MASTER.text };
      case 0x42: {
        const command = req.info[0];
        const p1 = { ...this.#single, current_A: this.current_A };
        const p2 = { ...this.#single, current_A: 1.5, voltage_V: 52.1 };
        const reply: AnalogReply =
          command === 0xff
            ? { infoFlag: 0, broadcast: true, command: 2, packs: [p1, p2], trailingBytes: 0 }
            : { infoFlag: 0, broadcast: false, command, packs: [command === 2 ? p2 : p1], trailingBytes: 0 };
        const info = readAnalog.encodeReply(reply, { command }, DEFAULT_DECODE_OPTIONS);
        return { bytes: encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info }) };
      }
      case 0x44:
        return { bytes: STATUS_BROADCAST_2.text };
      case 0xc1:
        return { bytes: VERSION_PBMSTOOLS.text };
      case 0xc2:
        return { bytes: SERIALS_PBMSTOOLS.text };
      default:
        return { bytes: encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: RTN.unsupported, info: new Uint8Array(0) }) };
    }
  };
}

interface Harness {
  clock: VirtualClock;
  transport: FakeTransport;
  bank: TwoPackBank;
  storage: MemoryStorage;
  session: DeviceSession;
  bauds: number[];
  requestCalls: number;
  rememberedCalls: number;
}

function harness(opts: { storage?: MemoryStorage; pickerCancels?: boolean; remembered?: boolean } = {}): Harness {
  const clock = new VirtualClock(1_000_000);
  const transport = new FakeTransport({ clock, state: 'closed' });
  const bank = new TwoPackBank();
  transport.responder = bank.respond;
  const storage = opts.storage ?? new MemoryStorage();
  const h = { clock, transport, bank, storage, bauds: [] as number[], requestCalls: 0, rememberedCalls: 0 } as unknown as Harness;
  const links: LinkFactory = {
    request: async () => {
      h.requestCalls++;
      if (opts.pickerCancels) throw new TransportError('picker-cancelled', 'No port was chosen.');
      return transport;
    },
    remembered: async () => {
      h.rememberedCalls++;
      return opts.remembered === false ? null : transport;
    },
    setBaud: async (_t: Transport, baud: number) => {
      h.bauds.push(baud);
    },
    probe: (t, profile, o) => probeLink(t, profile, o),
    attach: (t, o) => attachPaceLink(t, o)
  };
  h.session = new DeviceSession({ links, clock, storage, settings: new SettingsStore(storage) });
  return h;
}

/** Connect and let discovery and the first cycles run. */
async function connectAndSettle(h: Harness): Promise<boolean> {
  const ok = await h.clock.run(h.session.connect({ kind: 'serial' }));
  await h.clock.advance(5_000);
  return ok;
}

describe('DeviceSession', () => {
  it('detects PACE at 9600 baud, discovers the bank and goes live with fresh packs', async () => {
    const h = harness();
    const ok = await h.clock.run(h.session.connect({ kind: 'serial' }));
    expect(ok).toBe(true);
    expect(h.session.detected).toMatchObject({ profile: 'pace', baud: 9600, ver: 0x25 });
    expect(h.bauds[0]).toBe(9600);
    await h.clock.advance(5_000);

    const s = h.session;
    expect(s.phase).toBe('live');
    expect(s.topology).toMatchObject({ masterAddress: 1, addresses: [1, 2], broadcast: true });
    expect(s.packs.map((p) => p.address)).toEqual([1, 2]);
    expect(s.packs.every((p) => p.fresh)).toBe(true);
    expect(s.packs[0].isMaster).toBe(true);
    expect(s.packs[1].isMaster).toBe(false);
    expect(s.packs[0].analog?.current_A).toBeCloseTo(-2.25);
    expect(s.packs[0].status).not.toBeNull();
    expect(s.totals.freshPacks).toBe(2);
    expect(s.totals.busCurrent_A).toBeCloseTo(-0.75);
    expect(s.link.lastReply_ms).not.toBeNull();
    expect(s.transportInfo?.label).toBe('Scripted fake');
  });

  it('streams new values into the packs and one trend sample per analog update', async () => {
    const h = harness();
    await connectAndSettle(h);
    const s = h.session;
    const before = s.trend(1)?.length ?? 0;
    const revision = s.trendRevision(1);
    const otherRevision = s.trendRevision(2);
    const lastReply = s.link.lastReply_ms!;
    h.bank.current_A = 20;
    await h.clock.advance(3_000);
    expect(s.pack(1)?.analog?.current_A).toBeCloseTo(20);
    expect(s.pack(1)?.fresh).toBe(true);
    expect(s.trend(1)!.length).toBeGreaterThan(before);
    expect(s.trendRevision(1)).toBeGreaterThan(revision);
    expect(s.trendRevision(2)).toBeGreaterThan(otherRevision);
    expect(s.link.lastReply_ms!).toBeGreaterThan(lastReply);
    // Samples land at the times the analog values arrived, on the session clock (the status
    // reply that follows in the same cycle is newer still).
    const newest = s.trend(1)!.at(s.trend(1)!.length - 1)!;
    expect(newest.current_A).toBeCloseTo(20);
    expect(newest.t_ms).toBeGreaterThan(lastReply);
    expect(newest.t_ms).toBeLessThanOrEqual(s.pack(1)!.received_ms!);
  });

  it('reads each pack identity once (C1H/C2H)', async () => {
    const h = harness();
    await connectAndSettle(h);
    await h.clock.advance(5_000);
    expect(h.session.pack(1)?.identity?.softwareVersion).toBeTruthy();
  });

  it('keeps last values but marks every pack not fresh the moment the link is lost, then recovers', async () => {
    const h = harness();
    await connectAndSettle(h);
    const s = h.session;
    const kept = s.pack(1)!.analog;

    h.transport.setStatus({ state: 'lost', reason: 'unplugged', message: 'The USB cable was unplugged.', reconnecting: true });
    expect(s.phase).toBe('reconnecting');
    // Worded by the session from the reason and the kind of link (the fake is a 'sim' link).
    expect(s.link.message).toBe(m.link_sim_unplugged());
    expect(s.packs.map((p) => p.fresh)).toEqual([false, false]);
    expect(s.pack(1)!.analog).toBe(kept);
    expect(s.totals.freshPacks).toBe(0);
    // Time passes while unplugged: nothing may turn fresh again.
    await h.clock.advance(10_000);
    expect(s.packs.some((p) => p.fresh)).toBe(false);
    expect(s.phase).toBe('reconnecting');

    h.transport.setStatus({ state: 'open' });
    expect(s.link.reconnects).toBe(1);
    await h.clock.advance(5_000);
    expect(s.phase).toBe('live');
    expect(s.packs.every((p) => p.fresh)).toBe(true);
    expect(s.link.message).toBeNull();
  });

  it('tells features about every pack update and every link event, and guards the client it attaches', async () => {
    const h = harness();
    const events: string[] = [];
    const updates: number[] = [];
    h.session.onLink((e) => events.push(e));
    h.session.onUpdate((u) => updates.push(u.address));
    await connectAndSettle(h);
    expect(events).toEqual(['attached']);
    // Every poll of every pack, not the once-per-cycle apply the pages see.
    expect(updates.filter((a) => a === 1).length).toBeGreaterThan(2);
    expect(updates).toContain(2);

    // The session's write authority is the client's guard: locked installer mode refuses writes.
    const refused = await h.clock.run((h.session.client as unknown as PaceClient).call(setChargeMos, 1, { on: false })).then(
      () => null,
      (e: unknown) => e as ProtocolError
    );
    expect(refused?.kind).toBe('write-refused');

    h.transport.setStatus({ state: 'lost', reason: 'unplugged', message: 'unplugged', reconnecting: true });
    h.transport.setStatus({ state: 'open' });
    await h.clock.run(h.session.disconnect());
    expect(events).toEqual(['attached', 'lost', 'reopened', 'detached']);
  });

  it('re-opens a lost link itself when the transport does not, with back-off', async () => {
    const h = harness();
    await connectAndSettle(h);
    const s = h.session;
    h.transport.setStatus({ state: 'lost', reason: 'read-error', message: 'The serial port stopped delivering data.' });
    expect(s.phase).toBe('lost');
    expect(s.packs.some((p) => p.fresh)).toBe(false);
    await h.clock.advance(999);
    expect(h.transport.status.state).toBe('lost');
    await h.clock.advance(2);
    expect(h.transport.status.state).toBe('open');
    expect(s.link.reconnects).toBe(1);
    await h.clock.advance(5_000);
    expect(s.phase).toBe('live');
    expect(s.packs.every((p) => p.fresh)).toBe(true);
  });

  it('marks a single pack stale when only it stops answering while the link stays up', async () => {
    const h = harness();
    await connectAndSettle(h);
    h.bank.silent = true;
    await h.clock.advance(5_000);
    expect(h.session.phase).toBe('live');
    expect(h.session.packs.some((p) => p.fresh)).toBe(false);
    expect(h.session.link.timeouts).toBeGreaterThan(0);
  });

  it('fails with what it tried and what to do when nothing answers, and releases the port', async () => {
    const h = harness();
    h.session.settings.update({ baud: 'auto' });
    h.bank.silent = true;
    const ok = await h.clock.run(h.session.connect({ kind: 'serial' }));
    expect(ok).toBe(false);
    expect(h.session.phase).toBe('error');
    expect(h.session.error?.kind).toBe('no-answer');
    expect(h.session.error?.message).toContain('9600, 19200 and 115200 baud');
    expect(h.session.error?.advice).toMatch(/RS232/);
    // PACE at every baud first, then the VER 20 dialects at every baud.
    expect(h.bauds).toEqual([9600, 19200, 115200, 9600, 19200, 115200]);
    expect(h.transport.status.state).toBe('closed');
    expect(h.session.packs).toEqual([]);
  });

  it('uses a manual baud and protocol without probing', async () => {
    const h = harness();
    h.session.settings.update({ baud: 19200, profile: 'pace' });
    await connectAndSettle(h);
    expect(h.bauds).toEqual([19200]);
    // The first thing on the wire is the poller's discovery (90H), not a probe (42H).
    expect(h.bank.requests[0].code).toBe(0x90);
    expect(h.session.detected).toMatchObject({ baud: 19200, profile: 'pace' });
    expect(h.session.phase).toBe('live');
  });

  it('treats a cancelled picker as no error and remembers to offer help', async () => {
    const h = harness({ pickerCancels: true });
    const ok = await h.clock.run(h.session.connect({ kind: 'serial' }));
    expect(ok).toBe(false);
    expect(h.session.phase).toBe('idle');
    expect(h.session.error).toBeNull();
    expect(h.session.pickerCancelled).toBe('serial');
  });

  it('remembers the device, resumes it on the next load, and not after a deliberate disconnect', async () => {
    const storage = new MemoryStorage();
    const h = harness({ storage });
    await connectAndSettle(h);
    expect(JSON.parse(storage.getItem(LAST_DEVICE_KEY)!)).toMatchObject({ kind: 'serial', baud: 9600, autoReconnect: true });

    // A "reload": a new session on the same storage resumes without the picker.
    await h.session.destroy();
    const again = harness({ storage });
    expect(again.session.resumeSettled).toBe(false);
    expect(await again.clock.run(again.session.resume())).toBe(true);
    expect(again.session.resumeSettled).toBe(true);
    expect(again.requestCalls).toBe(0);
    expect(again.rememberedCalls).toBe(1);
    await again.clock.advance(5_000);
    expect(again.session.phase).toBe('live');

    await again.clock.run(again.session.disconnect());
    expect(again.session.phase).toBe('idle');
    expect(again.session.packs).toEqual([]);
    expect(again.transport.status.state).toBe('closed');
    expect(JSON.parse(storage.getItem(LAST_DEVICE_KEY)!)).toMatchObject({ autoReconnect: false });

    const third = harness({ storage });
    expect(await third.clock.run(third.session.resume())).toBe(false);
    expect(third.rememberedCalls).toBe(0);
    expect(third.session.resumeSettled).toBe(true);
  });

  it('stays idle when the remembered device is not granted any more', async () => {
    const storage = new MemoryStorage();
    storage.setItem(LAST_DEVICE_KEY, JSON.stringify({ kind: 'serial', usbVendorId: 0x1a86, autoReconnect: true }));
    const h = harness({ storage, remembered: false });
    expect(await h.clock.run(h.session.resume())).toBe(false);
    expect(h.session.phase).toBe('idle');
    expect(h.session.error).toBeNull();
  });

  it('a disconnect during detection cancels it and leaves nothing open', async () => {
    const h = harness();
    h.session.settings.update({ baud: 'auto' });
    h.bank.silent = true;
    const connecting = h.session.connect({ kind: 'serial' });
    await h.clock.advance(300);
    expect(h.session.phase).toBe('connecting');
    expect(h.session.progress).toMatch(/Looking for packs/);
    await h.clock.run(h.session.disconnect());
    expect(await h.clock.run(connecting)).toBe(false);
    expect(h.session.phase).toBe('idle');
    expect(h.session.error).toBeNull();
    expect(h.transport.status.state).toBe('closed');
  });

  it('applies changed decode options to the running client', async () => {
    const h = harness();
    await connectAndSettle(h);
    h.session.settings.update({ balanceByteOrder: 'u16' });
    h.session.applySettings();
    expect(h.session.client?.decodeOptions.balanceByteOrder).toBe('u16');
  });
});

describe('DeviceSession with overlapping connects', () => {
  it('lets the newest connect win and closes what the older one opened', async () => {
    const clock = new VirtualClock();
    const slow = new FakeTransport({ clock, state: 'closed' });
    const fast = new FakeTransport({ clock, state: 'closed' });
    const bank = new TwoPackBank();
    slow.responder = bank.respond;
    fast.responder = bank.respond;
    let releaseSlow!: (t: Transport) => void;
    let calls = 0;
    const links: LinkFactory = {
      request: () => (calls++ === 0 ? new Promise<Transport>((resolve) => (releaseSlow = resolve)) : Promise.resolve(fast)),
      remembered: async () => null,
      setBaud: async () => undefined,
      probe: (t, profile, o) => probeLink(t, profile, o),
      attach: (t, o) => attachPaceLink(t, o)
    };
    const storage = new MemoryStorage();
    const session = new DeviceSession({ links, clock, storage, settings: new SettingsStore(storage) });
    session.settings.update({ profile: 'pace' });

    const first = session.connect({ kind: 'serial' });
    const second = session.connect({ kind: 'serial' });
    expect(await clock.run(second)).toBe(true);
    // The first picker only now returns a port: it must not take over, and its port is released.
    releaseSlow(slow);
    expect(await clock.run(first)).toBe(false);
    await clock.advance(5_000);
    expect(session.phase).toBe('live');
    expect(session.packs).toHaveLength(2);
    expect(slow.status.state).not.toBe('open');
    expect(fast.status.state).toBe('open');
    await clock.run(session.disconnect());
  });
});

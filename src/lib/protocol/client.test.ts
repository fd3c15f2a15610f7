import { describe, expect, it } from 'vitest';
import { PaceClient, type PaceClientOptions, type TrafficEntry } from './client';
import { DecodeError, type Command } from './command';
import { ProtocolError } from './errors';
import { encodeFrame, encodeFrameText, frameWireLength, type Frame } from './frame';
import { asciiBytes } from './hex';
import { RTN } from './rtn';
import { FakeTransport, type FakeReply, type FakeResponder } from './fixtures/fake-transport';
import { wireTime_ms } from './timing';
import { VirtualClock, type Clock } from '../time/clock';

interface TestReq {
  command: number;
}
interface TestRes {
  command: number;
  payload: number[];
}

/** A 42H-shaped command that does not depend on the real codecs: reply = INFOFLAG, command, payload. */
const testCmd: Command<TestReq, TestRes> = {
  cid2: 0x42,
  id: 'testAnalog',
  title: 'Test analog',
  kind: 'read',
  multiPack: true,
  encodeRequest: (r) => Uint8Array.of(r.command),
  decodeRequest: (info) => ({ command: info[0] }),
  encodeReply: (res) => Uint8Array.of(0, res.command, ...res.payload),
  decodeReply: (info) => {
    if (info.length < 2) throw new DecodeError(`INFO has ${info.length} bytes, needs at least 2`);
    return { command: info[1], payload: [...info.slice(2)] };
  },
  expectedReplyBytes: (_req, packCount = 1) => 2 + 59 * packCount
};

function reply(info: number[], opts: Partial<Frame> = {}): string {
  return encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: Uint8Array.from(info), ...opts });
}

function setup(options: PaceClientOptions & { baud?: number } = {}) {
  const clock = new VirtualClock();
  const transport = new FakeTransport({ clock, baud: options.baud ?? 9600 });
  const client = new PaceClient(transport, { clock, ...options });
  const respond = (r: FakeResponder) => {
    transport.responder = r;
  };
  return { clock, transport, client, respond };
}

async function expectProtocolError(clock: VirtualClock, p: Promise<unknown>): Promise<ProtocolError> {
  try {
    await clock.run(p);
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error('expected the call to fail');
}

const REQUEST_42_ADR1 = '~25014642E00201FD30\r'; // PbmsTools capture [S3]

describe('PaceClient: request and reply', () => {
  it('sends the exact request bytes and decodes the reply', async () => {
    const { clock, transport, client, respond } = setup();
    respond(() => ({ bytes: reply([0, 1, 0xaa, 0xbb]) }));
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(res).toEqual({ command: 1, payload: [0xaa, 0xbb] });
    expect(transport.writes.map((w) => w.text)).toEqual(['~25014642E00201FD30\\r']);
    expect(new TextDecoder().decode(transport.writes[0].bytes)).toBe(REQUEST_42_ADR1);
    expect(client.stats).toEqual({ requests: 1, timeouts: 0, badFrames: 0, echoes: 0, retries: 0 });
  });

  it('resolves when the last byte of the reply lands, not later', async () => {
    const { clock, transport, client, respond } = setup();
    const text = reply([0, 1, 1, 2, 3]);
    respond(() => ({ bytes: text }));
    await clock.run(client.call(testCmd, 1, { command: 1 }));
    const expected = wireTime_ms(20, transport.timing) + transport.turnaround_ms + wireTime_ms(text.length, transport.timing);
    expect(clock.now()).toBeCloseTo(expected, 6);
  });

  it('accepts a reply whose ADR differs from the request (RS232 packs report their real address)', async () => {
    const { clock, client, respond } = setup();
    respond(() => ({ bytes: reply([0, 1, 7], { adr: 0 }) }));
    const r = await clock.run(client.exchange(testCmd, 1, { command: 1 }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.reply.adr).toBe(0);
  });

  it('treats RTN equal to the request CID2 as success', async () => {
    const { clock, client, respond } = setup();
    respond(() => ({ bytes: reply([0, 1], { code: 0x42 }) }));
    await expect(clock.run(client.call(testCmd, 1, { command: 1 }))).resolves.toEqual({ command: 1, payload: [] });
  });

  it('skips an adapter echo and takes the answer after it', async () => {
    const { clock, transport, client, respond } = setup();
    respond((req) => [{ bytes: req, delay_ms: 0 }, { bytes: reply([0, 1, 5]) }]);
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(res.payload).toEqual([5]);
    expect(client.stats.echoes).toBe(1);
    expect(transport.writes).toHaveLength(1);
  });

  it("ignores another master's request on the bus and takes the answer after it, in the same attempt", async () => {
    const { clock, transport, client, respond } = setup();
    // A master pack polling its slave's status on a shared RS485 bus, just before our answer.
    const foreign = encodeFrameText({ ver: 0x25, adr: 2, cid1: 0x46, code: 0x44, info: Uint8Array.of(2) });
    respond(() => [{ bytes: foreign }, { bytes: reply([0, 1, 7]) }]);
    const log: TrafficEntry[] = [];
    client.onTraffic((e) => log.push(e));
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(res.payload).toEqual([7]);
    expect(transport.writes).toHaveLength(1);
    expect(client.stats).toEqual({ requests: 1, timeouts: 0, badFrames: 0, echoes: 0, retries: 0 });
    expect(log.filter((e) => e.dir === 'error').map((e) => e.error)).toEqual([
      expect.stringMatching(/^Ignored a 44H request \(readStatus\) to address 02 from another master on the bus, not the answer to our 42H/)
    ]);
  });

  it('an answer from another address (a pack on RS232 reports its own) is still the answer', async () => {
    const { clock, client, respond } = setup();
    respond(() => ({ bytes: reply([0, 1, 9], { adr: 0 }) }));
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(res.payload).toEqual([9]);
  });

  it("fails with kind 'echo' when only the echo comes back, and says why", async () => {
    const { clock, transport, client, respond } = setup();
    respond((req) => ({ bytes: req, delay_ms: 0 }));
    const err = await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }, { retries: 1 }));
    expect(err.kind).toBe('echo');
    expect(err.message).toMatch(/echoes/);
    expect(err.message).toMatch(/RX and TX/);
    expect(transport.writes).toHaveLength(2);
    expect(client.stats.echoes).toBe(2);
  });

  it("maps RTN 04 to 'unsupported' without retrying", async () => {
    const { clock, transport, client, respond } = setup();
    respond(() => ({ bytes: reply([], { code: RTN.unsupported }) }));
    const err = await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }));
    expect(err.kind).toBe('unsupported');
    expect(err.rtn).toBe(4);
    expect(err.cid2).toBe(0x42);
    expect(transport.writes).toHaveLength(1);
  });

  it("maps other RTNs to 'rtn' with the documented wording, without retrying", async () => {
    const { clock, transport, client, respond } = setup();
    respond(() => ({ bytes: reply([], { code: RTN.refused }) }));
    const err = await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }));
    expect(err.kind).toBe('rtn');
    expect(err.rtn).toBe(9);
    expect(err.message).toMatch(/refused the operation/);
    expect(transport.writes).toHaveLength(1);
  });

  it('retries when the pack reports our request arrived corrupted (RTN 02)', async () => {
    const { clock, transport, client, respond } = setup();
    respond((_req, ctx) => ({ bytes: ctx.index === 0 ? reply([], { code: RTN.checksumError }) : reply([0, 1, 9]) }));
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(res.payload).toEqual([9]);
    expect(transport.writes).toHaveLength(2);
    expect(client.stats.retries).toBe(1);
  });

  it("reports an INFO that does not fit the command as 'decode', once asking again got no better", async () => {
    const { clock, transport, client, respond } = setup({ retries: 2 });
    respond(() => ({ bytes: reply([0]) }));
    const err = await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }));
    expect(err.kind).toBe('decode');
    expect(err.cause).toBeInstanceOf(DecodeError);
    expect(err.message).toMatch(/does not fit/);
    expect(transport.writes).toHaveLength(3);
  });

  it('asks again when the reply does not fit: a late reply to an earlier request is not the answer (fault matrix: stall-2s × parameter-write)', async () => {
    // A pack whose output stalled answers everything it heard meanwhile at once: the empty
    // acknowledgement of an earlier write arrives right after our read request.
    const { clock, transport, client, respond } = setup();
    respond((_req, ctx) => ({ bytes: ctx.index === 0 ? reply([]) : reply([0, 1, 9]) }));
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(res.payload).toEqual([9]);
    expect(transport.writes).toHaveLength(2);
    expect(client.stats.retries).toBe(1);
  });
});

describe('PaceClient: deadlines, timeouts and retries', () => {
  it('times out after the derived deadline on every attempt, then fails', async () => {
    const { clock, transport, client } = setup({ retries: 2 });
    const deadline = client.deadlineFor(20, 61);
    const err = await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }));
    expect(err.kind).toBe('timeout');
    expect(transport.writes.map((w) => w.t_ms)).toEqual([0, deadline, 2 * deadline]);
    expect(clock.now()).toBeCloseTo(3 * deadline, 6);
    expect(client.stats).toMatchObject({ requests: 3, timeouts: 3, retries: 2 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('derives the deadline from baud rate and reply size (virtual time is exact)', async () => {
    // (request wire + turnaround + reply wire) x 1.5, reply = 18 + 2 x INFO characters.
    const cases = [
      { baud: 9600, packs: 1, info: 61 },
      { baud: 9600, packs: 16, info: 2 + 59 * 16 },
      { baud: 19200, packs: 16, info: 2 + 59 * 16 },
      { baud: 115200, packs: 1, info: 61 }
    ];
    const times: number[] = [];
    for (const c of cases) {
      const { clock, client } = setup({ baud: c.baud, retries: 0, turnaround_ms: 50, deadlineFloor_ms: 250 });
      await expectProtocolError(clock, client.call(testCmd, 1, { command: 0xff }, { packCount: c.packs }));
      const expected = Math.max(250, (((20 + frameWireLength(c.info)) * 10 * 1000) / c.baud + 50) * 1.5);
      expect(clock.now()).toBeCloseTo(expected, 6);
      times.push(clock.now());
    }
    // 1 pack at 9600: (20.83 + 50 + 145.83) x 1.5 = 325 ms; 16 packs: about 3.1 s; twice the baud, about half.
    expect(times[0]).toBeCloseTo(325, 0);
    expect(times[1]).toBeGreaterThan(3000);
    expect(times[2]).toBeLessThan(times[1] / 1.9);
    // At 115200 a 1-pack exchange is short enough that the floor decides.
    expect(times[3]).toBe(250);
  });

  it("adds the link's own latency to the deadline and to the quiet gap (USB latency timer)", () => {
    const clock = new VirtualClock();
    const client = new PaceClient(new FakeTransport({ clock, latency_ms: 16 }), { clock });
    expect(client.deadlineFor(20, 61)).toBeCloseTo((((20 + 140) * 10 * 1000) / 9600 + 50 + 16) * 1.5, 6);
    expect(client.quietGap_ms).toBeCloseTo(16 + (3 * 10 * 1000) / 9600, 6);
  });

  it('keeps reading past the deadline while a longer reply is still arriving', async () => {
    const { clock, client, respond } = setup({ retries: 0 });
    const long = reply([0, 1, ...new Array(900).fill(0x11)]); // 1 818 characters: ~1.9 s at 9600
    respond(() => ({ bytes: long }));
    // Tell it to expect one pack (61 bytes): deadline 325 ms, but the reply keeps coming.
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }, { packCount: 1 }));
    expect(res.payload).toHaveLength(900);
    expect(clock.now()).toBeCloseTo(wireTime_ms(20 + long.length, client.timing) + 20, 6);
    expect(client.stats.timeouts).toBe(0);
  });

  it('gives up on a reply that stops half way, once the line stays quiet', async () => {
    const { clock, client, respond } = setup({ retries: 0 });
    const text = reply([0, 1, ...new Array(40).fill(0x22)]);
    respond(() => ({ bytes: text.slice(0, 50) }));
    const err = await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }));
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/stopped after 50 bytes/);
    expect(clock.now()).toBeCloseTo(client.deadlineFor(20, 61), 6);
  });

  it('a deadline timer that fires late (the thread was stalled) waits for the reply queued behind it instead of timing out', async () => {
    const inner = new VirtualClock();
    // Between `from` and `to` the thread is frozen: every timer due in that window runs at `to`,
    // in the order it was set, so the deadline (set before the request went out) runs before
    // the reply's bytes, which arrived during the stall.
    const stall = { from: -1, to: -1 };
    const clock: Clock = {
      now: () => inner.now(),
      setTimeout: (fn, ms) => {
        const due = inner.now() + ms;
        return inner.setTimeout(fn, due >= stall.from && due < stall.to ? stall.to - inner.now() : ms);
      },
      clearTimeout: (id) => inner.clearTimeout(id)
    };
    const transport = new FakeTransport({ clock, baud: 9600 });
    const client = new PaceClient(transport, { clock, retries: 2 });
    transport.responder = () => ({ bytes: reply([0, 1, 7]) });
    const deadline = client.deadlineFor(20, 61);
    stall.from = 1;
    stall.to = deadline + 400;
    const res = await inner.run(client.call(testCmd, 1, { command: 1 }));
    expect(res.payload).toEqual([7]);
    expect(transport.writes).toHaveLength(1);
    expect(client.stats).toMatchObject({ requests: 1, timeouts: 0, retries: 0 });
    expect(inner.pendingTimers).toBe(0);
  });

  it('a stalled thread does not keep a silent device waiting for ever: after three grants it times out', async () => {
    const inner = new VirtualClock();
    // A thread that is always late (a background tab throttled to one timer a second).
    const clock: Clock = {
      now: () => inner.now(),
      setTimeout: (fn, ms) => inner.setTimeout(fn, ms + 1000),
      clearTimeout: (id) => inner.clearTimeout(id)
    };
    const transport = new FakeTransport({ clock: inner, baud: 9600 });
    const client = new PaceClient(transport, { clock, retries: 0 });
    const err = await expectProtocolError(inner, client.call(testCmd, 1, { command: 1 }));
    expect(err.kind).toBe('timeout');
    expect(client.stats.timeouts).toBe(1);
  });

  it('retries after a timeout and succeeds', async () => {
    const { clock, transport, client, respond } = setup();
    respond((_req, ctx) => (ctx.index === 0 ? null : { bytes: reply([0, 1, 3]) }));
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(res.payload).toEqual([3]);
    expect(transport.writes).toHaveLength(2);
    expect(client.stats).toMatchObject({ requests: 2, timeouts: 1, retries: 1 });
  });

  it('counts a corrupted reply and retries as soon as the line is quiet, not at the deadline', async () => {
    const { clock, transport, client, respond } = setup();
    const good = reply([0, 1, 4, 5]);
    const bad = good.slice(0, 20) + (good[20] === '0' ? '1' : '0') + good.slice(21);
    respond((_req, ctx) => ({ bytes: ctx.index === 0 ? bad : good }));
    const r = await clock.run(client.exchange(testCmd, 1, { command: 1 }));
    expect(r.ok).toBe(true);
    expect(r.report.badFrames).toBe(1);
    expect(client.stats.badFrames).toBe(1);
    expect(transport.writes).toHaveLength(2);
    expect(transport.writes[1].t_ms).toBeLessThan(client.deadlineFor(20, 61));
  });

  it("fails with 'checksum' when every reply is corrupted", async () => {
    const { clock, client, respond } = setup({ retries: 1 });
    const good = reply([0, 1, 4, 5]);
    respond(() => ({ bytes: good.slice(0, -3) + 'FF\r' }));
    const err = await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }));
    expect(err.kind).toBe('checksum');
    expect(client.stats.badFrames).toBe(2);
  });

  it('finds the reply after garbage and a stale partial frame', async () => {
    const { clock, client, respond } = setup();
    respond(() => [{ bytes: Uint8Array.of(0x00, 0xff, 0x55, 0x13), delay_ms: 5 }, { bytes: '~2501460', delay_ms: 0 }, { bytes: reply([0, 1, 6]) }]);
    const r = await clock.run(client.exchange(testCmd, 1, { command: 1 }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.payload).toEqual([6]);
    expect(client.recentTraffic().some((e) => e.dir === 'error' && /garbage/.test(e.error ?? ''))).toBe(true);
  });

  it('reassembles a reply split into single bytes', async () => {
    const { clock, client, respond } = setup();
    const text = reply([0, 1, 1, 2, 3, 4, 5, 6, 7, 8]);
    respond(() => ({ bytes: text, chunks: new Array(text.length).fill(1) }));
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(res.payload).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('drops stale input before sending', async () => {
    const { clock, client, respond, transport } = setup();
    transport.emit('~25014600F07A0001'); // a partial frame from before
    await clock.advance(500);
    respond(() => ({ bytes: reply([0, 1, 2]) }));
    const res = await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(res.payload).toEqual([2]);
    expect(client.recentTraffic().some((e) => /stale input dropped/.test(e.error ?? ''))).toBe(true);
  });
});

describe('PaceClient: abort and the link', () => {
  it('aborts the wait, clears its timers, and rejects with kind aborted', async () => {
    const { clock, client } = setup();
    const ac = new AbortController();
    const p = client.call(testCmd, 1, { command: 1 }, { signal: ac.signal });
    clock.setTimeout(() => ac.abort(), 100);
    const err = await expectProtocolError(clock, p);
    expect(err.kind).toBe('aborted');
    expect(clock.now()).toBe(100);
    expect(clock.pendingTimers).toBe(0);
  });

  it('removes an aborted request from the queue before it is sent', async () => {
    const { clock, transport, client, respond } = setup();
    respond(() => ({ bytes: reply([0, 1]) }));
    const ac = new AbortController();
    const first = client.call(testCmd, 1, { command: 1 });
    const second = client.call(testCmd, 2, { command: 2 }, { signal: ac.signal });
    ac.abort();
    await expect(second).rejects.toMatchObject({ kind: 'aborted' });
    await clock.run(first);
    expect(transport.writes).toHaveLength(1);
    expect(client.queued).toBe(0);
  });

  it('rejects at once with an already aborted signal', async () => {
    const { client, transport } = setup();
    const ac = new AbortController();
    ac.abort();
    await expect(client.call(testCmd, 1, { command: 1 }, { signal: ac.signal })).rejects.toMatchObject({ kind: 'aborted' });
    expect(transport.writes).toHaveLength(0);
  });

  it("fails with 'transport' when the link is lost mid-reply, without waiting for the deadline", async () => {
    const { clock, transport, client, respond } = setup();
    respond(() => ({ bytes: reply([0, 1, ...new Array(50).fill(1)]) }));
    const p = client.call(testCmd, 1, { command: 1 });
    clock.setTimeout(() => transport.setStatus({ state: 'lost', reason: 'unplugged', message: 'USB device removed' }), 60);
    const err = await expectProtocolError(clock, p);
    expect(err.kind).toBe('transport');
    expect(err.message).toMatch(/USB device removed/);
    expect(clock.now()).toBe(60);
    expect(transport.writes).toHaveLength(1);
  });

  it("fails with 'transport' when the link is not open", async () => {
    const { clock, transport, client } = setup();
    transport.setStatus({ state: 'closed', reason: 'user' });
    const err = await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }));
    expect(err.kind).toBe('transport');
    expect(transport.writes).toHaveLength(0);
  });
});

describe('PaceClient: one request on the bus at a time', () => {
  it('serialises concurrent callers: never a write while a reply is on the wire', async () => {
    const { clock, transport, client, respond } = setup({ minGap_ms: 50 });
    respond((req) => {
      const command = Number.parseInt(new TextDecoder().decode(req.subarray(13, 15)), 16);
      return { bytes: reply([0, command, ...new Array(30).fill(command)]) };
    });
    const calls = [1, 2, 3, 4, 5].map((a) => client.call(testCmd, a, { command: a }));
    const results = await clock.run(Promise.all(calls));
    expect(results.map((r) => r.command)).toEqual([1, 2, 3, 4, 5]);
    expect(transport.collisions).toBe(0);
    const replyTime = wireTime_ms(20, transport.timing) + 20 + wireTime_ms(18 + 64, transport.timing);
    expect(client.quietGap_ms).toBe(8);
    for (let i = 1; i < transport.writes.length; i++) {
      // The exchange outlasts minGap, so each request waits for the previous reply to end plus the quiet gap.
      expect(transport.writes[i].t_ms - transport.writes[i - 1].t_ms).toBeCloseTo(replyTime + 8, 6);
    }
  });

  it('keeps minGap_ms between request starts when exchanges are short (fast links)', async () => {
    const { clock, transport, client, respond } = setup({ baud: 115200, minGap_ms: 50 });
    respond(() => ({ bytes: reply([0, 1]), delay_ms: 2 }));
    await clock.run(Promise.all([1, 2, 3].map((a) => client.call(testCmd, a, { command: a }))));
    expect(transport.writes.map((w) => w.t_ms)).toEqual([0, 50, 100]);
    expect(transport.collisions).toBe(0);
  });

  it('waits for a stale reply that is still arriving before it sends', async () => {
    const { clock, transport, client, respond } = setup();
    respond(() => ({ bytes: reply([0, 1]) }));
    // Someone else's reply, ~230 ms on the wire, in 4-byte bursts.
    transport.emit(reply([0, 7, ...new Array(100).fill(7)]), 0, new Array(60).fill(4));
    await clock.advance(10);
    await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(transport.collisions).toBe(0);
    expect(transport.writes[0].t_ms).toBeGreaterThan(200);
  });

  it('lets an interactive request jump ahead of queued polling', async () => {
    const { clock, transport, client, respond } = setup();
    respond((req) => ({ bytes: reply([0, req[14] - 0x30]) }));
    const order: number[] = [];
    const track = (a: number) => client.call(testCmd, a, { command: a }).then(() => order.push(a));
    const all = [track(1), track(2), track(3)];
    all.push(client.call(testCmd, 9, { command: 9 }, { priority: 'interactive' }).then(() => order.push(9)));
    await clock.run(Promise.all(all));
    expect(order).toEqual([1, 9, 2, 3]);
    expect(transport.collisions).toBe(0);
  });

  it('exclusive() holds the bus: queued calls wait, the lease talks directly', async () => {
    const { clock, transport, client, respond } = setup();
    respond((req) => ({ bytes: reply([0, req[14] - 0x30]) }));
    const events: string[] = [];
    client.onExclusive((active) => events.push(active ? 'start' : 'end'));
    const polled = client.call(testCmd, 1, { command: 1 }).then(() => events.push('poll 1'));
    const work = client.exclusive(async (bus) => {
      events.push('work');
      const a = await bus.call(testCmd, 2, { command: 2 });
      const b = await bus.call(testCmd, 3, { command: 3 });
      return a.command + b.command;
    });
    const after = client.call(testCmd, 4, { command: 4 }).then(() => events.push('poll 4'));
    const [, sum] = await clock.run(Promise.all([polled, work, after]));
    expect(sum).toBe(5);
    // On the wire: the poll already running finished first, then the exclusive work, then the rest.
    expect(transport.writes.map((w) => w.bytes[14] - 0x30)).toEqual([1, 2, 3, 4]);
    expect(events.filter((e) => e !== 'poll 1')).toEqual(['start', 'work', 'end', 'poll 4']);
    expect(transport.collisions).toBe(0);
    expect(client.exclusiveActive).toBe(false);
  });

  it('a lease cannot be used after exclusive() ends', async () => {
    const { clock, client } = setup();
    let kept: Parameters<Parameters<PaceClient['exclusive']>[0]>[0] | null = null;
    await clock.run(
      client.exclusive(async (bus) => {
        kept = bus;
      })
    );
    expect(() => kept!.onData(() => {})).toThrow(/after exclusive/);
  });

  it('silences inside exclusive work count apart from the link’s, which a poll after it counts again', async () => {
    const { clock, client } = setup({ retries: 0 });
    await expectProtocolError(
      clock,
      client.exclusive((bus) => bus.call(testCmd, 1, { command: 1 }))
    );
    expect(client.leaseStats).toMatchObject({ requests: 1, timeouts: 1 });
    expect(client.stats).toMatchObject({ requests: 0, timeouts: 0 });
    await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }));
    expect(client.stats).toMatchObject({ requests: 1, timeouts: 1 });
    expect(client.leaseStats).toMatchObject({ requests: 1, timeouts: 1 });
  });
});

describe('PaceClient: traffic tap', () => {
  it('reports TX, RX and errors with clock timestamps', async () => {
    const { clock, client, respond } = setup({ retries: 0 });
    const seen: TrafficEntry[] = [];
    client.onTraffic((e) => seen.push(e));
    respond(() => ({ bytes: reply([0, 1]) }));
    await clock.run(client.call(testCmd, 1, { command: 1 }));
    respond(() => null);
    await expectProtocolError(clock, client.call(testCmd, 1, { command: 1 }));
    expect(seen.map((e) => e.dir)).toEqual(['tx', 'rx', 'tx', 'error']);
    expect(seen[0]).toMatchObject({ t_ms: 0, text: '~25014642E00201FD30\\r' });
    expect(seen[0].frame?.code).toBe(0x42);
    expect(seen[1].frame?.info).toEqual(Uint8Array.of(0, 1));
    expect(seen[1].t_ms).toBeGreaterThan(0);
    expect(seen[3].error).toMatch(/No reply/);
  });

  it('keeps a bounded ring of the most recent entries, oldest first', async () => {
    const clock = new VirtualClock();
    const transport = new FakeTransport({ clock });
    const client = new PaceClient(transport, { clock, trafficCapacity: 3 });
    transport.responder = (req): FakeReply => ({ bytes: reply([0, req[14] - 0x30]) });
    for (const a of [1, 2, 3]) await clock.run(client.call(testCmd, a, { command: a }));
    const recent = client.recentTraffic();
    expect(recent).toHaveLength(3);
    expect(recent.map((e) => `${e.dir}:${e.frame?.info[1] ?? e.frame?.info[0]}`)).toEqual(['rx:2', 'tx:3', 'rx:3']);
  });

  it('logs unsolicited frames that arrive between requests', async () => {
    const { clock, client, transport } = setup();
    transport.emit('~250B46900000FD94\r');
    await clock.advance(100);
    const last = client.recentTraffic().at(-1);
    expect(last?.dir).toBe('rx');
    expect(last?.frame?.adr).toBe(0x0b);
  });
});

describe('PaceClient: raw frames and options', () => {
  it('raw() returns the first non-echo frame whatever its RTN', async () => {
    const { clock, client, respond } = setup();
    respond((req) => [{ bytes: req, delay_ms: 0 }, { bytes: reply([], { code: RTN.unsupported }) }]);
    const f = await clock.run(client.raw({ ver: 0x25, adr: 1, cid1: 0x46, code: 0x4f, info: new Uint8Array(0) }));
    expect(f.code).toBe(0x04);
  });

  it('raw() sends arbitrary bytes as given', async () => {
    const { clock, transport, client, respond } = setup();
    respond(() => ({ bytes: reply([0, 1]) }));
    await clock.run(client.raw(asciiBytes('~25014642E00201FD31\r')));
    expect(transport.writes[0].text).toBe('~25014642E00201FD31\\r');
  });

  it('uses the VER and CID1 it is given', async () => {
    const { clock, transport, client, respond } = setup({ ver: 0x20, cid1: 0x4a });
    respond(() => ({ bytes: reply([0, 1], { ver: 0x20, cid1: 0x4a }) }));
    await clock.run(client.call(testCmd, 1, { command: 1 }));
    expect(new TextDecoder().decode(transport.writes[0].bytes)).toBe(
      new TextDecoder().decode(encodeFrame({ ver: 0x20, adr: 1, cid1: 0x4a, code: 0x42, info: Uint8Array.of(1) }))
    );
  });

  it('rejects nonsense options up front', () => {
    const clock = new VirtualClock();
    const t = new FakeTransport({ clock });
    expect(() => new PaceClient(t, { clock, retries: -1 })).toThrow(RangeError);
    expect(() => new PaceClient(t, { clock, minGap_ms: Number.NaN })).toThrow(RangeError);
    expect(() => new PaceClient(t, { clock, safetyFactor: 0.5 })).toThrow(RangeError);
    expect(() => new PaceClient(t, { clock, ver: 256 })).toThrow(RangeError);
  });
});

// The one contract every Transport passes (serial over FakeSerial, Bluetooth over FakeBluetooth,
// the simulator link). Each *.test.ts calls runTransportContract with a harness whose hooks are
// all required: a transport that cannot show a behaviour fails here instead of silently skipping
// an assertion. Each test builds its own fixture (passed by closure, never through globals) and
// afterEach closes and disposes it, so a failing test cannot leak an open link into the next.

import { afterEach, describe, expect, it } from 'vitest';
import { asciiBytes } from '../protocol/hex';
import { TransportError, type Transport, type TransportKind, type TransportStatus } from './types';
import { concatBytes } from './bytes';

export interface ContractFixture {
  /** A fresh, unopened transport. */
  transport: Transport;
  /** The far end sends these bytes towards the transport (a pack replying, garbage on the line). */
  sendFromDevice(bytes: Uint8Array): Promise<void>;
  /** Everything the far end received so far, concatenated in arrival order. */
  receivedByDevice(): Uint8Array;
  /** Break the link from the far side: unplug the cable, drop the GATT connection. */
  dropLink(): Promise<void>;
  /** Let `ms` of the fixture's clock pass (virtual time where it uses a VirtualClock). */
  advance(ms: number): Promise<void>;
  /** Drive the fixture's clock until `promise` settles, and return its outcome. */
  settle<T>(promise: Promise<T>): Promise<T>;
  /** Release what the fixture made besides the transport (the suite closes the transport itself). */
  dispose(): Promise<void>;
}

export interface TransportHarness {
  /** The kind the transport must report in `info`. */
  kind: TransportKind;
  /** Build a new fixture; called once per test. */
  create(): Promise<ContractFixture>;
  /** Upper bound on how long delivery may take on this link (virtual ms). Default 5000. */
  deliveryLimit_ms?: number;
}

/** A 90H "how many packs" request to address 1, as the app's first request is. */
export const REQUEST_90H = asciiBytes('~250146900000FDA5\r');
/** A 42H analog request for all packs (COMMAND FF), 20 bytes. */
const REQUEST_42H_ALL = asciiBytes('~25014642E002FFFD05\r');

/** Bytes 0..n-1 mod 256, a pattern in which a lost, doubled or reordered byte shows. */
function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
}

export function runTransportContract(name: string, harness: TransportHarness): void {
  const limit_ms = harness.deliveryLimit_ms ?? 5000;

  describe(`Transport contract: ${name}`, () => {
    let fixture: ContractFixture | null = null;

    async function setup(): Promise<ContractFixture> {
      fixture = await harness.create();
      return fixture;
    }

    afterEach(async () => {
      const fx = fixture;
      fixture = null;
      if (!fx) return;
      await fx.settle(fx.transport.close());
      await fx.dispose();
    });

    async function until(fx: ContractFixture, what: string, done: () => boolean): Promise<void> {
      const step_ms = 10;
      for (let waited = 0; waited <= limit_ms; waited += step_ms) {
        if (done()) return;
        await fx.advance(step_ms);
      }
      throw new Error(`${name}: still waiting for ${what} after ${limit_ms} ms`);
    }

    function recordStatuses(t: Transport): TransportStatus[] {
      const seen: TransportStatus[] = [];
      t.onStatus((s) => seen.push(s));
      return seen;
    }

    async function expectTransportError(promise: Promise<unknown>, kinds: readonly string[]): Promise<TransportError> {
      const err = await promise.then(
        () => null,
        (e: unknown) => e
      );
      expect(err, 'expected a rejection').toBeInstanceOf(TransportError);
      const te = err as TransportError;
      expect(kinds).toContain(te.kind);
      return te;
    }

    it('starts closed and describes itself', async () => {
      const fx = await setup();
      const t = fx.transport;
      expect(t.status.state).toBe('closed');
      expect(t.info.kind).toBe(harness.kind);
      expect(t.info.label.length).toBeGreaterThan(0);
      expect(t.timing.baud).toBeGreaterThan(0);
      expect(t.timing.bitsPerByte).toBeGreaterThanOrEqual(10);
    });

    it('open() resolves once open, announcing opening first', async () => {
      const fx = await setup();
      const seen = recordStatuses(fx.transport);
      await fx.settle(fx.transport.open());
      expect(fx.transport.status.state).toBe('open');
      expect(seen.map((s) => s.state)).toEqual(['opening', 'open']);
    });

    it('open() on an open transport is a no-op', async () => {
      const fx = await setup();
      await fx.settle(fx.transport.open());
      const seen = recordStatuses(fx.transport);
      await fx.settle(fx.transport.open());
      expect(fx.transport.status.state).toBe('open');
      expect(seen).toEqual([]);
    });

    it('write() before open() throws TransportError not-open', async () => {
      const fx = await setup();
      await expectTransportError(fx.settle(fx.transport.write(REQUEST_90H)), ['not-open']);
      expect(fx.receivedByDevice().length).toBe(0);
    });

    it('written bytes reach the device complete and in order', async () => {
      const fx = await setup();
      await fx.settle(fx.transport.open());
      const big = pattern(300, 3);
      await fx.settle(fx.transport.write(REQUEST_90H));
      await fx.settle(fx.transport.write(REQUEST_42H_ALL));
      await fx.settle(fx.transport.write(big));
      const expected = concatBytes([REQUEST_90H, REQUEST_42H_ALL, big]);
      await until(fx, 'the device to receive every byte', () => fx.receivedByDevice().length >= expected.length);
      expect(fx.receivedByDevice()).toEqual(expected);
    });

    it('writes started together still arrive in call order', async () => {
      const fx = await setup();
      await fx.settle(fx.transport.open());
      const parts = [pattern(45, 1), pattern(3, 2), pattern(64, 3)];
      await fx.settle(Promise.all(parts.map((p) => fx.transport.write(p))));
      const expected = concatBytes(parts);
      await until(fx, 'the device to receive every byte', () => fx.receivedByDevice().length >= expected.length);
      expect(fx.receivedByDevice()).toEqual(expected);
    });

    it('bytes from the device reach onData in order, however they are split', async () => {
      const fx = await setup();
      const got: Uint8Array[] = [];
      fx.transport.onData((c) => got.push(c.slice()));
      await fx.settle(fx.transport.open());
      const reply = pattern(700, 5);
      await fx.sendFromDevice(reply.subarray(0, 1));
      await fx.sendFromDevice(reply.subarray(1, 300));
      await fx.sendFromDevice(reply.subarray(300));
      await until(fx, 'every byte to arrive', () => concatBytes(got).length >= reply.length);
      expect(concatBytes(got)).toEqual(reply);
      expect(got.every((c) => c.length > 0)).toBe(true);
    });

    it('every data listener gets the bytes; an unsubscribed one gets nothing more', async () => {
      const fx = await setup();
      const a: Uint8Array[] = [];
      const b: Uint8Array[] = [];
      fx.transport.onData((c) => a.push(c.slice()));
      const stopB = fx.transport.onData((c) => b.push(c.slice()));
      await fx.settle(fx.transport.open());
      await fx.sendFromDevice(Uint8Array.of(1, 2, 3));
      await until(fx, 'the first chunk', () => concatBytes(a).length >= 3 && concatBytes(b).length >= 3);
      stopB();
      await fx.sendFromDevice(Uint8Array.of(4, 5));
      await until(fx, 'the second chunk', () => concatBytes(a).length >= 5);
      await fx.advance(100);
      expect(concatBytes(a)).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
      expect(concatBytes(b)).toEqual(Uint8Array.of(1, 2, 3));
    });

    it('close() ends at closed/user, is idempotent and never throws', async () => {
      const fx = await setup();
      await fx.settle(fx.transport.open());
      const seen = recordStatuses(fx.transport);
      await fx.settle(fx.transport.close());
      await fx.settle(fx.transport.close());
      expect(fx.transport.status).toMatchObject({ state: 'closed', reason: 'user' });
      expect(seen.filter((s) => s.state === 'closed')).toHaveLength(1);
    });

    it('close() on a never-opened transport resolves', async () => {
      const fx = await setup();
      await fx.settle(fx.transport.close());
      expect(fx.transport.status.state).toBe('closed');
    });

    it('write() after close() throws not-open and nothing reaches the device', async () => {
      const fx = await setup();
      await fx.settle(fx.transport.open());
      await fx.settle(fx.transport.close());
      const before = fx.receivedByDevice().length;
      await expectTransportError(fx.settle(fx.transport.write(REQUEST_90H)), ['not-open']);
      await fx.advance(100);
      expect(fx.receivedByDevice().length).toBe(before);
    });

    it('no data is delivered after close()', async () => {
      const fx = await setup();
      const got: Uint8Array[] = [];
      fx.transport.onData((c) => got.push(c));
      await fx.settle(fx.transport.open());
      await fx.settle(fx.transport.close());
      await fx.sendFromDevice(Uint8Array.of(9, 9, 9));
      await fx.advance(200);
      expect(concatBytes(got).length).toBe(0);
    });

    it('opens again after close() and carries bytes both ways', async () => {
      const fx = await setup();
      const got: Uint8Array[] = [];
      fx.transport.onData((c) => got.push(c.slice()));
      await fx.settle(fx.transport.open());
      await fx.settle(fx.transport.close());
      await fx.settle(fx.transport.open());
      expect(fx.transport.status.state).toBe('open');
      await fx.settle(fx.transport.write(REQUEST_90H));
      await until(fx, 'the request to arrive', () => fx.receivedByDevice().length >= REQUEST_90H.length);
      expect(fx.receivedByDevice().slice(-REQUEST_90H.length)).toEqual(REQUEST_90H);
      await fx.sendFromDevice(Uint8Array.of(0x7e, 0x0d));
      await until(fx, 'the reply to arrive', () => concatBytes(got).length >= 2);
      expect(concatBytes(got)).toEqual(Uint8Array.of(0x7e, 0x0d));
    });

    it('status changes are de-duplicated and an unsubscribed listener hears no more', async () => {
      const fx = await setup();
      const all = recordStatuses(fx.transport);
      const early: TransportStatus[] = [];
      const stop = fx.transport.onStatus((s) => early.push(s));
      await fx.settle(fx.transport.open());
      stop();
      await fx.settle(fx.transport.close());
      await fx.settle(fx.transport.open());
      await fx.settle(fx.transport.close());
      for (let i = 1; i < all.length; i++) expect(all[i]).not.toEqual(all[i - 1]);
      expect(early.map((s) => s.state)).toEqual(['opening', 'open']);
      expect(all.map((s) => s.state)).toEqual(['opening', 'open', 'closed', 'opening', 'open', 'closed']);
    });

    it('a link dropped by the far side is reported as lost, not as a user close', async () => {
      const fx = await setup();
      await fx.settle(fx.transport.open());
      const seen = recordStatuses(fx.transport);
      await fx.dropLink();
      await until(fx, 'the status to become lost', () => fx.transport.status.state === 'lost');
      const lost = seen.find((s) => s.state === 'lost');
      expect(lost?.reason).toBeDefined();
      expect(lost?.reason).not.toBe('user');
      expect(lost?.message?.length ?? 0).toBeGreaterThan(0);
    });

    it('write() on a lost link throws TransportError lost or not-open', async () => {
      const fx = await setup();
      await fx.settle(fx.transport.open());
      await fx.dropLink();
      await until(fx, 'the status to become lost', () => fx.transport.status.state === 'lost');
      await expectTransportError(fx.settle(fx.transport.write(REQUEST_90H)), ['lost', 'not-open']);
    });

    it('close() after a lost link ends at closed/user', async () => {
      const fx = await setup();
      await fx.settle(fx.transport.open());
      await fx.dropLink();
      await until(fx, 'the status to become lost', () => fx.transport.status.state === 'lost');
      await fx.settle(fx.transport.close());
      expect(fx.transport.status).toMatchObject({ state: 'closed', reason: 'user' });
      expect(fx.transport.status.reconnecting ?? false).toBe(false);
    });

    it('open() with an already aborted signal rejects with a TransportError and stays closed', async () => {
      const fx = await setup();
      const ac = new AbortController();
      ac.abort(new Error('caller gave up'));
      await expectTransportError(fx.settle(fx.transport.open(ac.signal)), ['not-open']);
      expect(fx.transport.status.state).not.toBe('open');
      await expectTransportError(fx.settle(fx.transport.write(REQUEST_90H)), ['not-open']);
    });
  });
}

import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/clock';
import type { Transport, TransportInfo, TransportStatus, Unsubscribe } from '../transport/types';
import { ByteQueue, transportByteIo } from './byte-io';

describe('ByteQueue', () => {
  it('returns bytes in order across chunks, immediately when buffered', async () => {
    const queue = new ByteQueue(new VirtualClock());
    queue.push(Uint8Array.of(1, 2));
    queue.push(new Uint8Array(0));
    queue.push(Uint8Array.of(3));
    expect(queue.length).toBe(3);
    expect([await queue.read(0), await queue.read(0), await queue.read(0)]).toEqual([1, 2, 3]);
    expect(queue.length).toBe(0);
  });

  it('wakes a waiting reader on push, and gives null at the deadline', async () => {
    const clock = new VirtualClock();
    const queue = new ByteQueue(clock);
    const first = queue.read(1000);
    await clock.advance(400);
    queue.push(Uint8Array.of(0x43, 0x06));
    expect(await first).toBe(0x43);
    expect(await queue.read(1000)).toBe(0x06);

    const late = queue.read(1000);
    await clock.advance(999);
    let settled = false;
    void late.then(() => (settled = true));
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await late).toBeNull();
    expect(clock.pendingTimers).toBe(0);
  });

  it('copies pushed chunks, so a reused transport buffer cannot change them', async () => {
    const queue = new ByteQueue(new VirtualClock());
    const buffer = Uint8Array.of(7, 8);
    queue.push(buffer);
    buffer[0] = 99;
    expect(await queue.read(0)).toBe(7);
  });

  it('clear() drops buffered bytes; a pending read keeps waiting for new ones', async () => {
    const clock = new VirtualClock();
    const queue = new ByteQueue(clock);
    queue.push(Uint8Array.of(1, 2, 3));
    queue.clear();
    expect(queue.length).toBe(0);
    const read = queue.read(500);
    queue.clear();
    queue.push(Uint8Array.of(4));
    expect(await read).toBe(4);
  });

  it('rejects with the signal reason on abort and cleans up its timer', async () => {
    const clock = new VirtualClock();
    const queue = new ByteQueue(clock);
    const controller = new AbortController();
    const read = queue.read(10_000, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(read).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
    await expect(queue.read(10, controller.signal)).rejects.toBe(reason);
    // The aborted reader is gone: a new one works.
    queue.push(Uint8Array.of(5));
    expect(await queue.read(10)).toBe(5);
  });

  it('allows one reader at a time', async () => {
    const clock = new VirtualClock();
    const queue = new ByteQueue(clock);
    const first = queue.read(100);
    await expect(queue.read(100)).rejects.toThrow(/another read/);
    await clock.advance(100);
    expect(await first).toBeNull();
  });

  it('keeps order over many small chunks', async () => {
    const queue = new ByteQueue(new VirtualClock());
    for (let i = 0; i < 300; i++) queue.push(Uint8Array.of(i & 0xff, (i + 1) & 0xff));
    const out: number[] = [];
    for (let i = 0; i < 600; i++) out.push((await queue.read(0)) as number);
    expect(out.filter((_, i) => i % 2 === 0)).toEqual(Array.from({ length: 300 }, (_, i) => i & 0xff));
  });
});

describe('transportByteIo', () => {
  function fakeTransport() {
    const listeners = new Set<(chunk: Uint8Array) => void>();
    const written: Uint8Array[] = [];
    const transport: Transport = {
      info: { kind: 'sim', label: 'test' } satisfies TransportInfo,
      status: { state: 'open' } satisfies TransportStatus,
      timing: { baud: 9600, bitsPerByte: 10 },
      open: async () => {},
      close: async () => {},
      write: async (bytes) => {
        written.push(bytes);
      },
      onData: (listener): Unsubscribe => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onStatus: () => () => {}
    };
    return { transport, listeners, written, emit: (bytes: Uint8Array) => listeners.forEach((l) => l(bytes)) };
  }

  it('reads what the transport receives, writes through it, and unsubscribes on close', async () => {
    const clock = new VirtualClock();
    const fake = fakeTransport();
    const io = transportByteIo(fake.transport, clock);
    fake.emit(Uint8Array.of(0x43));
    expect(await io.read(10)).toBe(0x43);
    fake.emit(Uint8Array.of(1, 2));
    io.discardInput();
    fake.emit(Uint8Array.of(3));
    expect(await io.read(10)).toBe(3);
    await io.write(Uint8Array.of(0x04));
    expect(fake.written).toEqual([Uint8Array.of(0x04)]);
    io.close();
    expect(fake.listeners.size).toBe(0);
  });
});

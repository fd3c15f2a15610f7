// sendYmodem against scripted receivers: the protocol corners the simulated bootloader does not
// produce on its own.

import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/clock';
import { ByteQueue, type ByteIo } from './byte-io';
import { FirmwareError } from './errors';
import { sendYmodem, type YmodemOptions, type YmodemProgress } from './ymodem';
import { ACK, CAN, CRC_REQUEST, EOT, NAK, SOH, STX, SUB, checkBlock, parseHeaderBlock } from './ymodem-block';

const C = CRC_REQUEST;

/**
 * A receiver that answers each write with `script(bytes, index)` after `delay_ms`, and can speak
 * unprompted through `say`. Every write is recorded.
 */
function scripted(clock: VirtualClock, script: (bytes: Uint8Array, index: number) => number[], delay_ms = 5) {
  const queue = new ByteQueue(clock);
  const writes: Uint8Array[] = [];
  const failedWrites: Uint8Array[] = [];
  let failWrites = false;
  const say = (bytes: number[], after_ms = delay_ms) => {
    if (bytes.length) clock.setTimeout(() => queue.push(Uint8Array.from(bytes)), after_ms);
  };
  const io: ByteIo = {
    write: async (bytes) => {
      if (failWrites) {
        failedWrites.push(bytes.slice());
        throw new Error('port gone');
      }
      writes.push(bytes.slice());
      say(script(bytes, writes.length - 1));
    },
    read: (timeout_ms, signal) => queue.read(timeout_ms, signal),
    discardInput: () => queue.clear()
  };
  return { io, writes, failedWrites, say, breakWrites: () => (failWrites = true) };
}

/** A well-behaved receiver: ACK (+C after block 0 and EOT), NAK on the first EOT. */
function polite(bytes: Uint8Array, eots: { n: number }): number[] {
  if (bytes[0] === EOT) return ++eots.n === 1 ? [NAK] : [ACK, C];
  if (bytes[0] === SOH || bytes[0] === STX) {
    const check = checkBlock(bytes);
    if (!check.ok) return [NAK];
    if (check.seq === 0 && parseHeaderBlock(check.data).name !== '') return [ACK, C];
    return [ACK];
  }
  return [];
}

async function failure(promise: Promise<unknown>): Promise<FirmwareError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof FirmwareError) return e;
    throw e;
  }
  throw new Error('the transfer succeeded');
}

function file(length: number) {
  return { name: 'fw.pkfw', bytes: new Uint8Array(length).map((_, i) => (i * 3) & 0xff) };
}

describe('sendYmodem', () => {
  it('sends 1 KiB blocks, a 128-byte SOH tail padded with SUB, then EOT, EOT and the end-of-batch block', async () => {
    const clock = new VirtualClock();
    const eots = { n: 0 };
    const r = scripted(clock, (b) => polite(b, eots));
    r.say([C], 1000);
    const f = file(1024 + 100);
    const result = await clock.run(sendYmodem(r.io, f, { clock }));
    expect(result).toMatchObject({ bytesSent: 1124, blocks: 2, retries: 0, batchClosed: true });

    const kinds = r.writes.map((w) => (w.length === 1 ? w[0] : `${w[0] === STX ? 'STX' : 'SOH'}#${w[1]}`));
    expect(kinds).toEqual(['SOH#0', 'STX#1', 'SOH#2', EOT, EOT, 'SOH#0']);
    const header = checkBlock(r.writes[0]);
    expect(header.ok && parseHeaderBlock(header.data)).toEqual({ name: 'fw.pkfw', size_bytes: 1124 });
    const tail = checkBlock(r.writes[2]);
    expect(tail.ok && Array.from(tail.data.subarray(0, 100))).toEqual(Array.from(f.bytes.subarray(1024)));
    expect(tail.ok && tail.data.subarray(100).every((b) => b === SUB)).toBe(true);
    const end = checkBlock(r.writes[5]);
    expect(end.ok && end.data.every((b) => b === 0)).toBe(true);
  });

  it('numbers blocks modulo 256', async () => {
    const clock = new VirtualClock();
    const eots = { n: 0 };
    const r = scripted(clock, (b) => polite(b, eots), 0);
    r.say([C], 0);
    const result = await clock.run(sendYmodem(r.io, file(258 * 1024), { clock, baud: 1_000_000 }));
    expect(result.blocks).toBe(258);
    const seqs = r.writes.filter((w) => w[0] === STX).map((w) => w[1]);
    expect(seqs.slice(254, 258)).toEqual([255, 0, 1, 2]);
  });

  it('sends an empty file as header, EOT and end of batch', async () => {
    const clock = new VirtualClock();
    const eots = { n: 0 };
    const r = scripted(clock, (b) => polite(b, eots));
    r.say([C]);
    const result = await clock.run(sendYmodem(r.io, file(0), { clock }));
    expect(result).toMatchObject({ bytesSent: 0, blocks: 0, batchClosed: true });
    expect(r.writes.map((w) => w[0])).toEqual([SOH, EOT, EOT, SOH]);
  });

  it('accepts a receiver that ACKs the first EOT, and one that never asks with C after block 0', async () => {
    const clock = new VirtualClock();
    const r = scripted(clock, (b) => (b[0] === EOT ? [ACK, C] : [ACK]));
    r.say([C]);
    const started = clock.now();
    const result = await clock.run(sendYmodem(r.io, file(500), { clock }));
    expect(result.retries).toBe(0);
    expect(r.writes.filter((w) => w[0] === EOT)).toHaveLength(1);
    // It waited one response timeout for the missing 'C', then went on.
    expect(clock.now() - started).toBeGreaterThan(3000);
    expect(clock.now() - started).toBeLessThan(4000);
  });

  it('ignores a lone CAN (noise) and still hears the ACK after it', async () => {
    const clock = new VirtualClock();
    const eots = { n: 0 };
    const r = scripted(clock, (b, i) => (i === 1 ? [CAN, ACK] : polite(b, eots)));
    r.say([C]);
    const result = await clock.run(sendYmodem(r.io, file(1024), { clock }));
    expect(result.retries).toBe(0);
  });

  it('counts retries in the progress snapshots after NAKs and silence', async () => {
    const clock = new VirtualClock();
    const eots = { n: 0 };
    // Block 1: NAK once, then silence once, then ACK.
    const r = scripted(clock, (b, i) => (i === 1 ? [NAK] : i === 2 ? [] : polite(b, eots)));
    r.say([C]);
    const progress: YmodemProgress[] = [];
    const result = await clock.run(sendYmodem(r.io, file(1024), { clock, onProgress: (p) => progress.push(p) }));
    expect(result.retries).toBe(2);
    expect(r.writes.filter((w) => w[0] === STX)).toHaveLength(3);
    expect(progress.filter((p) => p.phase === 'data').map((p) => p.retries)).toEqual([0, 0, 1, 2, 2]);
  });

  it('fails with timeout when blocks go unanswered, after maxAttempts sends, and tells the receiver', async () => {
    const clock = new VirtualClock();
    const r = scripted(clock, (b) => (b[0] === SOH ? [ACK, C] : []));
    r.say([C]);
    const started = clock.now();
    const error = await failure(clock.run(sendYmodem(r.io, file(2048), { clock, maxAttempts: 4, responseTimeout_ms: 2000 })));
    expect(error.kind).toBe('timeout');
    expect(error.field).toBe('block 1');
    expect(r.writes.filter((w) => w[0] === STX)).toHaveLength(4);
    expect(Array.from(r.writes.at(-1)!)).toEqual([CAN, CAN]);
    // Each try waits the wire time of the block at 9600 baud plus the response timeout.
    const perTry_ms = (1029 * 10 * 1000) / 9600 + 2000;
    expect(clock.now() - started).toBeGreaterThanOrEqual(4 * perTry_ms);
  });

  it('stops at once on CAN CAN from the receiver and does not answer it', async () => {
    const clock = new VirtualClock();
    const r = scripted(clock, () => []);
    r.say([CAN, CAN]);
    const error = await failure(clock.run(sendYmodem(r.io, file(10), { clock })));
    expect(error.kind).toBe('aborted-by-device');
    expect(error.message).toMatch(/cancelled before the transfer started/);
    expect(r.writes).toEqual([]);
  });

  it('cancels while waiting for the receiver: CAN CAN goes out, no timer is left behind', async () => {
    const clock = new VirtualClock();
    const r = scripted(clock, () => []);
    const controller = new AbortController();
    const pending = sendYmodem(r.io, file(10), { clock, signal: controller.signal });
    await clock.advance(5000);
    controller.abort(new Error('closed the dialog'));
    const error = await failure(pending);
    expect(error.kind).toBe('cancelled');
    expect((error.cause as Error).message).toBe('closed the dialog');
    expect(r.writes.map((w) => Array.from(w))).toEqual([[CAN, CAN]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a signal aborted before the start cancels without waiting', async () => {
    const clock = new VirtualClock();
    const r = scripted(clock, () => []);
    const error = await failure(sendYmodem(r.io, file(10), { clock, signal: AbortSignal.abort() }));
    expect(error.kind).toBe('cancelled');
  });

  it('once the receiver has accepted the file, an abort while closing the batch does not undo the success', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const eots = { n: 0 };
    // The receiver asks for the next file late, and the user aborts while we wait for it.
    const r = scripted(clock, (b) => (b[0] === EOT ? (++eots.n === 1 ? [NAK] : [ACK]) : polite(b, eots)));
    r.say([C]);
    const result = await clock.run(
      sendYmodem(r.io, file(100), {
        clock,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'finishing') clock.setTimeout(() => controller.abort(), 500);
        }
      })
    );
    expect(result.batchClosed).toBe(false);
    expect(r.writes.some((w) => w[0] === CAN)).toBe(false);
  });

  it('passes a transport write error through, and still tries to send CAN CAN', async () => {
    const clock = new VirtualClock();
    const r = scripted(clock, () => []);
    r.say([C]);
    r.breakWrites();
    await expect(clock.run(sendYmodem(r.io, file(10), { clock }))).rejects.toThrow('port gone');
    expect(r.failedWrites.map((w) => w[0])).toEqual([SOH, CAN]);
  });

  it('rejects nonsense options', async () => {
    const clock = new VirtualClock();
    const r = scripted(clock, () => []);
    const bad: Partial<YmodemOptions>[] = [{ baud: 0 }, { responseTimeout_ms: -1 }, { maxAttempts: 1.5 }, { startTimeout_ms: Number.NaN }];
    for (const options of bad) await expect(sendYmodem(r.io, file(1), { clock, ...options })).rejects.toThrow(RangeError);
  });
});

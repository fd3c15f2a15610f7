// The firmware transfer end to end: sendYmodem against the simulated bootloader over a timed
// serial line, with faults. The rule under test: flash changes only to a complete, verified image.

import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/clock';
import { FirmwareError } from './errors';
import { buildFirmwareImage, parseFirmwareImage, type FirmwareImage } from './image';
import { createTransferRig, deadBetween, onNthMatching, type TransferRig } from './transfer-rig';
import { sendYmodem, type YmodemOptions, type YmodemProgress, type YmodemResult } from './ymodem';
import { ACK, CAN, STX } from './ymodem-block';

function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const OLD: FirmwareImage = parseFirmwareImage(
  buildFirmwareImage({ model: 'P16S100A', hardwareCompat: '1812', firmwareVersion: '1.06', builtAt_s: 1_700_000_000 }, pseudoRandom(50_000, 1))
);
/** 200 KiB of payload: 200 one-KiB blocks and a 128-byte tail (the header). */
const NEW_FILE = buildFirmwareImage(
  { model: 'P16S100A', hardwareCompat: '1812,21473', firmwareVersion: '1.07', builtAt_s: 1_754_000_000 },
  pseudoRandom(200 * 1024, 2)
);
const FILE = { name: 'P16S100A-1.07.pkfw', bytes: NEW_FILE };
/** One 1 KiB block at 9600 baud, 8N1. */
const BLOCK_WIRE_MS = (1029 * 10 * 1000) / 9600;
/** The simulated bootloader's default programming time per block. */
const WRITE_MS = 20;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const isDataBlock = (bytes: Uint8Array) => bytes[0] === STX && bytes.length === 1029;
const isAck = (bytes: Uint8Array) => bytes.length === 1 && bytes[0] === ACK;

function setup(currentImage: FirmwareImage | null = OLD): { clock: VirtualClock; rig: TransferRig } {
  const clock = new VirtualClock();
  const rig = createTransferRig({ clock, bootloader: { currentImage, model: 'P16S100A', board: '1812' } });
  return { clock, rig };
}

function send(clock: VirtualClock, rig: TransferRig, file = FILE, options: Partial<YmodemOptions> = {}): Promise<YmodemResult> {
  return clock.run(sendYmodem(rig.io, file, { clock, ...options }));
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

/** The bootloader committed exactly the new image, once, and left. */
function expectCommittedNew(rig: TransferRig): void {
  expect(rig.commits).toHaveLength(1);
  expect(sameBytes(rig.commits[0].bytes, NEW_FILE)).toBe(true);
  expect(rig.commits[0].firmwareVersion).toBe('1.07');
  expect(rig.bootloader.flash).toBe(rig.commits[0]);
  expect(rig.bootloader.state).toBe('committed');
  expect(rig.exits).toEqual(['committed']);
}

describe('firmware transfer: sender <-> simulated bootloader', () => {
  it('a clean 200 KiB transfer commits exactly the image', async () => {
    const { clock, rig } = setup();
    const progress: YmodemProgress[] = [];
    const result = await send(clock, rig, FILE, { onProgress: (p) => progress.push(p) });

    expectCommittedNew(rig);
    expect(result).toMatchObject({ bytesSent: NEW_FILE.length, blocks: 201, retries: 0, batchClosed: true });
    // 200 full blocks plus the SOH tail, each programmed before its ACK: the time on the wire
    // dominates at 9600 baud.
    expect(result.duration_ms).toBeGreaterThan(200 * (BLOCK_WIRE_MS + WRITE_MS));
    expect(result.duration_ms).toBeLessThan(200 * (BLOCK_WIRE_MS + WRITE_MS) + 5000);

    // Snapshots: a new object per change, phases in order, bytes never going back.
    expect(new Set(progress).size).toBe(progress.length);
    const phases = progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['waiting-for-receiver', 'header', 'data', 'finishing', 'closing', 'done']);
    for (let i = 1; i < progress.length; i++) expect(progress[i].bytesSent).toBeGreaterThanOrEqual(progress[i - 1].bytesSent);
    expect(progress.at(-1)).toEqual({ phase: 'done', bytesSent: NEW_FILE.length, bytesTotal: NEW_FILE.length, block: 201, retries: 0 });
  });

  it('a byte lost from a block: the bootloader NAKs the short block, the resend completes the image', async () => {
    const { clock, rig } = setup();
    rig.toDevice.fault = onNthMatching(37, isDataBlock, (b) => Uint8Array.of(...b.subarray(0, 500), ...b.subarray(501)));
    const result = await send(clock, rig);
    expectCommittedNew(rig);
    expect(result.retries).toBe(1);
  });

  it('a flipped byte in a block: CRC-16 catches it, the block is sent again', async () => {
    const { clock, rig } = setup();
    rig.toDevice.fault = onNthMatching(12, isDataBlock, (b) => {
      const out = b.slice();
      out[700] ^= 0x04;
      return out;
    });
    const result = await send(clock, rig);
    expectCommittedNew(rig);
    expect(result.retries).toBe(1);
  });

  it('a lost ACK: the repeated block is acknowledged and not written twice', async () => {
    const { clock, rig } = setup();
    rig.toHost.fault = onNthMatching(20, isAck, () => new Uint8Array(0));
    const result = await send(clock, rig);
    expectCommittedNew(rig);
    expect(result.retries).toBe(1);
    // The block really went out twice.
    const blocks = rig.toDevice.sent.filter(isDataBlock);
    expect(blocks).toHaveLength(201);
  });

  it('a line dead for 5 s in both directions mid-transfer: retries ride it out', async () => {
    const { clock, rig } = setup();
    rig.toDevice.fault = deadBetween(60_000, 65_000);
    rig.toHost.fault = deadBetween(60_000, 65_000);
    const result = await send(clock, rig);
    expectCommittedNew(rig);
    expect(result.retries).toBeGreaterThanOrEqual(1);
    expect(result.retries).toBeLessThanOrEqual(3);
  });

  it('the host aborts at 50 %: CAN CAN, nothing committed, old flash kept; a retry from the start succeeds', async () => {
    const { clock, rig } = setup();
    const controller = new AbortController();
    const error = await failure(
      send(clock, rig, FILE, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytesSent >= p.bytesTotal / 2) controller.abort(new Error('user pressed cancel'));
        }
      })
    );
    expect(error.kind).toBe('cancelled');
    expect(error.message).toMatch(/cancelled at \d+ of 204928 bytes/);
    expect(rig.toDevice.sent.at(-1)).toEqual(Uint8Array.of(CAN, CAN));

    await clock.advance(100);
    expect(rig.commits).toHaveLength(0);
    expect(rig.bootloader.flash).toBe(OLD);
    expect(rig.bootloader.state).toBe('waiting');
    expect(rig.bootloader.transfer).toBeNull();

    const result = await send(clock, rig);
    expectCommittedNew(rig);
    expect(result.retries).toBe(0);
  });

  it('the host goes silent mid-transfer: the bootloader discards the partial image and waits; a new transfer succeeds', async () => {
    const { clock, rig } = setup();
    const controller = new AbortController();
    const pending = send(clock, rig, FILE, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.block === 80 && !controller.signal.aborted) {
          // The app dies: nothing more reaches the pack, not even our CAN CAN.
          rig.toDevice.fault = () => new Uint8Array(0);
          controller.abort(new Error('tab closed'));
        }
      }
    });
    expect((await failure(pending)).kind).toBe('cancelled');
    expect(rig.bootloader.state).toBe('receiving');
    expect(rig.bootloader.transfer?.blocks).toBe(79);

    await clock.advance(10_500);
    expect(rig.bootloader.state).toBe('waiting');
    expect(rig.bootloader.transfer).toBeNull();
    expect(rig.commits).toHaveLength(0);
    expect(rig.bootloader.flash).toBe(OLD);

    rig.toDevice.fault = null;
    await send(clock, rig);
    expectCommittedNew(rig);
  });

  it('a link down for longer than the bootloader waits: the device cancels; a retry from the start succeeds', async () => {
    const { clock, rig } = setup();
    rig.toDevice.fault = deadBetween(100_000, 114_000);
    rig.toHost.fault = deadBetween(100_000, 114_000);
    const error = await failure(send(clock, rig));
    expect(error.kind).toBe('aborted-by-device');
    expect(error.message).toMatch(/gave up on the transfer at block \d+ \(CAN CAN\)/);
    expect(error.field).toBe('data');
    expect(rig.commits).toHaveLength(0);
    expect(rig.bootloader.state).toBe('waiting');
    expect(rig.bootloader.flash).toBe(OLD);

    await send(clock, rig);
    expectCommittedNew(rig);
  });

  it('a wrong-model image is refused at its first block: old flash stays, the bootloader waits, the right image then commits', async () => {
    const { clock, rig } = setup();
    const other = buildFirmwareImage(
      { model: 'P15S100A', hardwareCompat: '*', firmwareVersion: '2.00', builtAt_s: 1_754_000_000 },
      pseudoRandom(20_000, 3)
    );
    const error = await failure(send(clock, rig, { name: 'P15S100A-2.00.pkfw', bytes: other }));
    expect(error.kind).toBe('aborted-by-device');
    expect(error.message).toMatch(/refused the image at its first block/);
    expect(rig.toDevice.sent.filter(isDataBlock)).toHaveLength(1);
    expect(rig.bootloader.lastRefusal?.kind).toBe('wrong-model');
    expect(rig.commits).toHaveLength(0);
    expect(rig.bootloader.flash).toBe(OLD);
    expect(rig.bootloader.state).toBe('waiting');
    expect(rig.exits).toEqual([]);

    await send(clock, rig);
    expectCommittedNew(rig);
  });

  it('a board the image does not support is refused', async () => {
    const { clock, rig } = setup();
    const otherBoard = buildFirmwareImage(
      { model: 'P16S100A', hardwareCompat: '31916', firmwareVersion: '1.08', builtAt_s: 1_754_000_000 },
      pseudoRandom(3000, 4)
    );
    expect((await failure(send(clock, rig, { name: 'x.pkfw', bytes: otherBoard }))).kind).toBe('aborted-by-device');
    expect(rig.bootloader.lastRefusal?.field).toBe('hardware compatibility');
    expect(rig.bootloader.flash).toBe(OLD);
  });

  it('a corrupt image (payload CRC wrong) is refused and the old image stays', async () => {
    const { clock, rig } = setup();
    const corrupt = NEW_FILE.slice();
    corrupt[150_000] ^= 0xff;
    expect((await failure(send(clock, rig, { name: 'bad.pkfw', bytes: corrupt }))).kind).toBe('aborted-by-device');
    expect(rig.bootloader.lastRefusal?.kind).toBe('crc');
    expect(rig.bootloader.lastRefusal?.field).toBe('payload CRC-32');
    expect(rig.commits).toHaveLength(0);
    expect(rig.bootloader.flash).toBe(OLD);
    expect(rig.bootloader.state).toBe('waiting');
  });

  it('a file larger than the flash is refused at block 0, before any data', async () => {
    const clock = new VirtualClock();
    const rig = createTransferRig({ clock, bootloader: { currentImage: OLD, model: 'P16S100A', flashSize_bytes: 64 * 1024 } });
    const error = await failure(send(clock, rig));
    expect(error.kind).toBe('aborted-by-device');
    expect(error.message).toMatch(/refused the file header/);
    expect(rig.bootloader.lastRefusal?.kind).toBe('too-large');
    expect(rig.toDevice.sent.filter(isDataBlock)).toHaveLength(0);
  });

  it('a line that corrupts every block ends in nak-limit and the bootloader is told to stop', async () => {
    const { clock, rig } = setup();
    rig.toDevice.fault = (b) => {
      if (!isDataBlock(b)) return b;
      const out = b.slice();
      out[10] ^= 1;
      return out;
    };
    const error = await failure(send(clock, rig));
    expect(error.kind).toBe('nak-limit');
    expect(error.field).toBe('block 1');
    expect(error.message).toMatch(/refused block 1 10 times out of 10 tries/);
    expect(rig.toDevice.sent.filter(isDataBlock)).toHaveLength(10);
    expect(rig.toDevice.sent.at(-1)).toEqual(Uint8Array.of(CAN, CAN));
    await clock.advance(100);
    expect(rig.bootloader.state).toBe('waiting');
    expect(rig.commits).toHaveLength(0);
  });

  it('a pack that never asks for the file: timeout after the start deadline', async () => {
    const { clock, rig } = setup();
    rig.bootloader.close();
    const started = clock.now();
    const error = await failure(send(clock, rig, FILE, { startTimeout_ms: 30_000 }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/did not ask for the file \('C'\) within 30 s/);
    expect(clock.now() - started).toBe(30_000);
  });

  it('at 115200 baud the wire time is a twelfth; the programming time stays', async () => {
    const clock = new VirtualClock();
    const rig = createTransferRig({ clock, baud: 115_200, bootloader: { currentImage: OLD, model: 'P16S100A', board: '1812' } });
    const result = await send(clock, rig, FILE, { baud: 115_200 });
    expectCommittedNew(rig);
    expect(result.duration_ms).toBeGreaterThan((200 * BLOCK_WIRE_MS) / 12 + 200 * WRITE_MS);
    expect(result.duration_ms).toBeLessThan((200 * BLOCK_WIRE_MS) / 12 + 201 * WRITE_MS + 3000);
  });

  it('an image of more than 256 blocks (block numbers wrap) arrives intact', async () => {
    const clock = new VirtualClock();
    const rig = createTransferRig({ clock, baud: 115_200, bootloader: { currentImage: OLD, model: 'P16S100A', board: '1812' } });
    const big = buildFirmwareImage(
      { model: 'P16S100A', hardwareCompat: '*', firmwareVersion: '1.09', builtAt_s: 1_754_000_000 },
      pseudoRandom(300 * 1024, 5)
    );
    const result = await send(clock, rig, { name: 'big.pkfw', bytes: big }, { baud: 115_200 });
    expect(result.blocks).toBe(301);
    expect(rig.commits).toHaveLength(1);
    expect(sameBytes(rig.commits[0].bytes, big)).toBe(true);
  });
});

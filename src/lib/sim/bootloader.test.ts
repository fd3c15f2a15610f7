import { describe, expect, it } from 'vitest';
import { buildFirmwareImage, parseFirmwareImage, type FirmwareImage } from '../firmware/image';
import { ACK, CAN, CRC_REQUEST, EOT, NAK, encodeBlock, encodeEndOfBatchBlock, encodeHeaderBlock } from '../firmware/ymodem-block';
import { VirtualClock } from '../time/clock';
import { SimBootloader, type BootloaderExitReason, type BootloaderTiming, type FlashLayout } from './bootloader';

const C = CRC_REQUEST;
const OLD = parseFirmwareImage(
  buildFirmwareImage({ model: 'P16S100A', hardwareCompat: '*', firmwareVersion: '1.06', builtAt_s: 1_700_000_000 }, new Uint8Array(300).fill(7))
);
const NEW_FILE = buildFirmwareImage(
  { model: 'P16S100A', hardwareCompat: '*', firmwareVersion: '1.07', builtAt_s: 1_754_000_000 },
  new Uint8Array(2000).map((_, i) => (i * 7) & 0xff)
);

/** The file cut into 1 KiB blocks, numbered from 1. */
function dataBlocks(file: Uint8Array, size: 128 | 1024 = 1024): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  for (let at = 0, seq = 1; at < file.length; at += size, seq++) blocks.push(encodeBlock(seq, file.subarray(at, at + size), size));
  return blocks;
}

/**
 * A bootloader on a virtual clock. Block programming is instant unless a test sets blockWrite_ms,
 * so the protocol logic reads synchronously; its timing has tests of its own.
 */
function setup(
  options: { timing?: Partial<BootloaderTiming>; model?: string; currentImage?: FirmwareImage | null; layout?: FlashLayout; board?: string } = {}
) {
  const clock = new VirtualClock();
  const output: { at: number; bytes: number[] }[] = [];
  const commits: FirmwareImage[] = [];
  const exits: { at: number; reason: BootloaderExitReason }[] = [];
  const bootloader = new SimBootloader({
    clock,
    currentImage: options.currentImage === undefined ? OLD : options.currentImage,
    model: options.model ?? 'P16S100A',
    board: options.board,
    layout: options.layout,
    timing: { blockWrite_ms: 0, ...options.timing },
    onCommit: (image) => commits.push(image),
    onExit: (reason) => exits.push({ at: clock.now(), reason })
  });
  bootloader.onOutput((bytes) => output.push({ at: clock.now(), bytes: Array.from(bytes) }));
  /** Output since the last call, flattened. */
  const take = (): number[] => output.splice(0).flatMap((o) => o.bytes);
  return { clock, bootloader, output, commits, exits, take };
}

/** Header block accepted: the bootloader is receiving. */
function start(t: ReturnType<typeof setup>, file = NEW_FILE): void {
  t.bootloader.handle(encodeHeaderBlock('fw.pkfw', file.length));
  expect(t.take()).toEqual([ACK, C]);
  expect(t.bootloader.state).toBe('receiving');
}

describe('SimBootloader: waiting', () => {
  it("asks with 'C' right after its reset, then once a second; exits after 120 s without a transfer, keeping the old flash", async () => {
    const t = setup();
    expect(t.bootloader.state).toBe('waiting');
    await t.clock.advance(49);
    expect(t.output).toEqual([]);
    await t.clock.advance(4951);
    expect(t.output).toEqual([50, 1050, 2050, 3050, 4050].map((at) => ({ at, bytes: [C] })));

    await t.clock.advance(115_000);
    expect(t.exits).toEqual([{ at: 120_000, reason: 'timeout' }]);
    expect(t.bootloader.state).toBe('failed');
    expect(t.bootloader.exitReason).toBe('timeout');
    expect(t.bootloader.flash).toBe(OLD);
    expect(t.clock.pendingTimers).toBe(0);

    t.take();
    t.bootloader.handle(encodeHeaderBlock('fw.pkfw', NEW_FILE.length));
    await t.clock.advance(5000);
    expect(t.take()).toEqual([]);
  });

  it('accepts block 0 with name and size, stops asking and starts receiving', async () => {
    const t = setup();
    start(t);
    expect(t.bootloader.transfer).toEqual({ name: 'fw.pkfw', size_bytes: NEW_FILE.length, received_bytes: 0, blocks: 0 });
    await t.clock.advance(5000);
    expect(t.take()).toEqual([]);
  });

  it('leaves on an empty batch (the host has no image), so the intact application boots', () => {
    const t = setup();
    t.bootloader.handle(encodeEndOfBatchBlock());
    expect(t.take()).toEqual([ACK]);
    expect(t.exits).toEqual([{ at: 0, reason: 'ended-by-host' }]);
    expect(t.bootloader.state).toBe('failed');
    expect(t.bootloader.flash).toBe(OLD);
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('refuses block 0 without a size, and a file larger than the flash', () => {
    const t = setup();
    t.bootloader.handle(encodeBlock(0, Uint8Array.of(0x61, 0x00), 128, 0));
    expect(t.take()).toEqual([CAN, CAN]);
    expect(t.bootloader.lastRefusal?.field).toBe('block 0 size');
    expect(t.bootloader.state).toBe('waiting');

    t.bootloader.handle(encodeHeaderBlock('big.pkfw', 1024 * 1024 + 129));
    expect(t.take()).toEqual([CAN, CAN]);
    expect(t.bootloader.lastRefusal?.kind).toBe('too-large');
  });

  it('answers a data block of a transfer it already dropped with CAN CAN', () => {
    const t = setup();
    t.bootloader.handle(dataBlocks(NEW_FILE)[1]);
    expect(t.take()).toEqual([CAN, CAN]);
    expect(t.bootloader.state).toBe('waiting');
  });

  it('NAKs a corrupted block 0', () => {
    const t = setup();
    const header = encodeHeaderBlock('fw.pkfw', NEW_FILE.length);
    header[5] ^= 0x20;
    t.bootloader.handle(header);
    expect(t.take()).toEqual([NAK]);
    expect(t.bootloader.state).toBe('waiting');
  });
});

describe('SimBootloader: receiving', () => {
  it('NAKs a block with a bad CRC or sequence complement and takes the good one after', () => {
    const t = setup();
    start(t);
    const block = dataBlocks(NEW_FILE)[0];
    const badCrc = block.slice();
    badCrc[1000] ^= 1;
    t.bootloader.handle(badCrc);
    const badComplement = block.slice();
    badComplement[2] = 0;
    t.bootloader.handle(badComplement);
    expect(t.take()).toEqual([NAK, NAK]);
    expect(t.bootloader.transfer?.blocks).toBe(0);
    t.bootloader.handle(block);
    expect(t.take()).toEqual([ACK]);
    expect(t.bootloader.transfer).toMatchObject({ blocks: 1, received_bytes: 1024 });
  });

  it('NAKs a short block once the line has been quiet for a second', async () => {
    const t = setup();
    start(t);
    t.bootloader.handle(dataBlocks(NEW_FILE)[0].subarray(0, 800));
    await t.clock.advance(999);
    expect(t.take()).toEqual([]);
    await t.clock.advance(1);
    expect(t.take()).toEqual([NAK]);
    expect(t.bootloader.transfer?.blocks).toBe(0);
  });

  it('lets noise pass, then NAKs once, so a block hidden in noise is not taken', async () => {
    const t = setup();
    start(t);
    t.bootloader.handle(Uint8Array.of(0x55, ...dataBlocks(NEW_FILE)[0]));
    expect(t.take()).toEqual([]);
    await t.clock.advance(1000);
    expect(t.take()).toEqual([NAK]);
    expect(t.bootloader.transfer?.blocks).toBe(0);
  });

  it('acknowledges and ignores a repeated block (our ACK was lost), and a repeated block 0 gets its C again', () => {
    const t = setup();
    start(t);
    t.bootloader.handle(encodeHeaderBlock('fw.pkfw', NEW_FILE.length));
    expect(t.take()).toEqual([ACK, C]);
    const [b1] = dataBlocks(NEW_FILE);
    t.bootloader.handle(b1);
    t.bootloader.handle(b1);
    expect(t.take()).toEqual([ACK, ACK]);
    expect(t.bootloader.transfer).toMatchObject({ blocks: 1, received_bytes: 1024 });
  });

  it('gives up with CAN CAN on a block out of sequence', () => {
    const t = setup();
    start(t);
    t.bootloader.handle(dataBlocks(NEW_FILE)[1]);
    expect(t.take()).toEqual([CAN, CAN]);
    expect(t.bootloader.lastAbort).toMatch(/block number 2 arrived where 1 was due/);
    expect(t.bootloader.state).toBe('waiting');
    expect(t.bootloader.transfer).toBeNull();
  });

  it('gives up with CAN CAN on more data than block 0 announced', () => {
    const t = setup();
    t.bootloader.handle(encodeHeaderBlock('fw.pkfw', 1000));
    t.take();
    const blocks = dataBlocks(NEW_FILE);
    t.bootloader.handle(blocks[0]);
    t.bootloader.handle(blocks[1]);
    expect(t.take()).toEqual([ACK, CAN, CAN]);
    expect(t.bootloader.lastAbort).toMatch(/beyond the announced 1000 bytes/);
  });

  it('drops the transfer on CAN CAN from the host and asks again; a lone CAN is noise', async () => {
    const t = setup();
    start(t);
    const [b1, b2] = dataBlocks(NEW_FILE);
    t.bootloader.handle(Uint8Array.of(CAN));
    t.bootloader.handle(b1);
    expect(t.take()).toEqual([ACK]);
    t.bootloader.handle(Uint8Array.of(CAN, CAN));
    expect(t.bootloader.state).toBe('waiting');
    expect(t.bootloader.transfer).toBeNull();
    await t.clock.advance(1000);
    expect(t.take()).toEqual([C]);
    t.bootloader.handle(b2);
    expect(t.take()).toEqual([CAN, CAN]);
  });

  it('discards a transfer whose host has been silent for 10 s, then waits a fresh 120 s', async () => {
    const t = setup();
    await t.clock.advance(100_000);
    t.take();
    start(t);
    t.bootloader.handle(dataBlocks(NEW_FILE)[0]);
    t.take();
    await t.clock.advance(9999);
    expect(t.bootloader.state).toBe('receiving');
    await t.clock.advance(1);
    expect(t.bootloader.state).toBe('waiting');
    expect(t.bootloader.transfer).toBeNull();
    await t.clock.advance(1000);
    expect(t.take()).toEqual([C]);
    await t.clock.advance(118_999);
    expect(t.exits).toEqual([]);
    await t.clock.advance(1);
    expect(t.exits).toEqual([{ at: 230_000, reason: 'timeout' }]);
    expect(t.commits).toEqual([]);
    expect(t.bootloader.flash).toBe(OLD);
  });
});

describe('SimBootloader: end of file, verification and commit', () => {
  it('NAKs the first EOT, verifies on the second, commits, then closes the batch and exits', async () => {
    const t = setup();
    start(t);
    for (const block of dataBlocks(NEW_FILE)) t.bootloader.handle(block);
    expect(t.take()).toEqual([ACK, ACK, ACK]);
    t.bootloader.handle(Uint8Array.of(EOT));
    expect(t.take()).toEqual([NAK]);
    t.bootloader.handle(Uint8Array.of(EOT));
    expect(t.bootloader.state).toBe('verifying');
    expect(t.commits).toEqual([]);
    // Bytes during verification are ignored, not answered.
    t.bootloader.handle(Uint8Array.of(EOT));
    await t.clock.advance(499);
    expect(t.take()).toEqual([]);
    expect(t.bootloader.flash).toBe(OLD);

    await t.clock.advance(1);
    expect(t.take()).toEqual([ACK, C]);
    expect(t.bootloader.state).toBe('committed');
    expect(t.commits).toHaveLength(1);
    expect(t.commits[0].firmwareVersion).toBe('1.07');
    expect(Array.from(t.commits[0].bytes)).toEqual(Array.from(NEW_FILE));
    expect(t.bootloader.flash).toBe(t.commits[0]);
    expect(t.exits).toEqual([]);

    // Our ACK of the final EOT was lost: the host sends EOT again.
    t.bootloader.handle(Uint8Array.of(EOT));
    expect(t.take()).toEqual([ACK]);
    t.bootloader.handle(encodeEndOfBatchBlock());
    expect(t.take()).toEqual([ACK]);
    expect(t.exits).toEqual([{ at: 500, reason: 'committed' }]);
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('exits after committing even when the batch is never closed', async () => {
    const t = setup();
    start(t);
    for (const block of dataBlocks(NEW_FILE, 128)) t.bootloader.handle(block);
    t.bootloader.handle(Uint8Array.of(EOT));
    t.bootloader.handle(Uint8Array.of(EOT));
    await t.clock.advance(500);
    expect(t.commits).toHaveLength(1);
    await t.clock.advance(4999);
    expect(t.exits).toEqual([]);
    await t.clock.advance(1);
    expect(t.exits.map((e) => e.reason)).toEqual(['committed']);
    expect(t.bootloader.state).toBe('committed');
  });

  it('refuses a transfer that ends early: CAN CAN, old flash, waiting again', async () => {
    const t = setup();
    start(t);
    t.bootloader.handle(dataBlocks(NEW_FILE)[0]);
    t.bootloader.handle(Uint8Array.of(EOT, EOT));
    await t.clock.advance(500);
    expect(t.take()).toEqual([ACK, NAK, CAN, CAN]);
    expect(t.bootloader.lastRefusal?.kind).toBe('truncated');
    expect(t.bootloader.lastRefusal?.message).toMatch(/after 1024 of 2128 bytes/);
    expect(t.bootloader.state).toBe('waiting');
    expect(t.bootloader.flash).toBe(OLD);
    expect(t.commits).toEqual([]);
  });

  it('refuses an image for another model at its first block, before erasing anything', async () => {
    const t = setup({ model: 'P16S200A', layout: 'single-bank' });
    start(t);
    const [b1, b2] = dataBlocks(NEW_FILE);
    t.bootloader.handle(b1);
    expect(t.take()).toEqual([CAN, CAN]);
    expect(t.bootloader.lastRefusal?.kind).toBe('wrong-model');
    expect(t.bootloader.state).toBe('waiting');
    expect(t.bootloader.appValid).toBe(true);
    expect(t.bootloader.flash).toBe(OLD);
    // The rest of that transfer is answered with CAN CAN too.
    t.bootloader.handle(b2);
    expect(t.take()).toEqual([CAN, CAN]);
  });

  it('refuses a board the image does not list, and a corrupt header, at the first block', () => {
    const t = setup({ board: '31916' });
    const forBoard = buildFirmwareImage({ model: 'P16S100A', hardwareCompat: '1812', firmwareVersion: '1.07', builtAt_s: 1 }, new Uint8Array(2000));
    start(t, forBoard);
    t.bootloader.handle(dataBlocks(forBoard)[0]);
    expect(t.take()).toEqual([CAN, CAN]);
    expect(t.bootloader.lastRefusal?.field).toBe('hardware compatibility');

    const badHeader = NEW_FILE.slice();
    badHeader[20] ^= 0x01;
    start(t, badHeader);
    t.bootloader.handle(dataBlocks(badHeader)[0]);
    expect(t.take()).toEqual([CAN, CAN]);
    expect(t.bootloader.lastRefusal?.field).toBe('header CRC-32');
  });

  it('refuses a complete image whose payload is corrupt, keeping the old flash', async () => {
    const t = setup();
    const corrupt = NEW_FILE.slice();
    corrupt[1500] ^= 0x80;
    start(t, corrupt);
    for (const block of dataBlocks(corrupt)) t.bootloader.handle(block);
    t.bootloader.handle(Uint8Array.of(EOT, EOT));
    await t.clock.advance(500);
    expect(t.take()).toEqual([ACK, ACK, ACK, NAK, CAN, CAN]);
    expect(t.bootloader.lastRefusal?.kind).toBe('crc');
    expect(t.bootloader.flash).toBe(OLD);
    expect(t.commits).toEqual([]);
    expect(t.exits).toEqual([]);
  });

  it('takes a whole transfer fed one byte at a time', async () => {
    const t = setup({ currentImage: null });
    const bytes = [...encodeHeaderBlock('fw.pkfw', NEW_FILE.length), ...dataBlocks(NEW_FILE).flatMap((b) => Array.from(b)), EOT, EOT];
    for (const b of bytes) t.bootloader.handle(Uint8Array.of(b));
    await t.clock.advance(500);
    expect(t.commits).toHaveLength(1);
    expect(t.bootloader.flash?.firmwareVersion).toBe('1.07');
  });
});

describe('SimBootloader: block programming time', () => {
  it('ACKs each data block after blockWrite_ms, holding input that arrives meanwhile', async () => {
    const t = setup({ timing: { blockWrite_ms: 20 } });
    start(t);
    const [b1, b2, b3] = dataBlocks(NEW_FILE);
    t.bootloader.handle(b1);
    expect(t.take()).toEqual([]);
    // A block that arrives while the first is programmed waits in the receive buffer.
    t.bootloader.handle(Uint8Array.of(...b2, ...b3.subarray(0, 10)));
    t.bootloader.handle(b3.subarray(10));
    await t.clock.advance(19);
    expect(t.take()).toEqual([]);
    await t.clock.advance(1);
    expect(t.output.map((o) => o.at)).toEqual([20]);
    expect(t.take()).toEqual([ACK]);
    await t.clock.advance(40);
    expect(t.take()).toEqual([ACK, ACK]);
    expect(t.bootloader.transfer).toMatchObject({ blocks: 3, received_bytes: NEW_FILE.length });
  });
});

describe('SimBootloader: single-bank flash', () => {
  it('overwrites the application from the first written block: an interrupted transfer leaves no application', async () => {
    const t = setup({ layout: 'single-bank' });
    start(t);
    expect(t.bootloader.appValid).toBe(true);
    t.bootloader.handle(dataBlocks(NEW_FILE)[0]);
    expect(t.take()).toEqual([ACK]);
    expect(t.bootloader.appValid).toBe(false);
    expect(t.bootloader.flash).toBeNull();
    // The host goes away: the transfer is dropped, and with nothing to boot the bootloader keeps
    // asking for an image long after the idle timeout.
    await t.clock.advance(600_000);
    expect(t.exits).toEqual([]);
    expect(t.bootloader.state).toBe('waiting');
    expect(t.take().filter((b) => b === C).length).toBeGreaterThan(500);
    // An empty batch does not make it leave either.
    t.bootloader.handle(encodeEndOfBatchBlock());
    expect(t.take()).toEqual([ACK]);
    expect(t.exits).toEqual([]);
  });

  it('recovers with a complete image, then leaves with it', async () => {
    const t = setup({ layout: 'single-bank', currentImage: null, timing: {} });
    start(t);
    t.bootloader.handle(dataBlocks(NEW_FILE)[0]);
    t.bootloader.handle(Uint8Array.of(CAN, CAN));
    expect(t.take()).toEqual([ACK]);
    expect(t.bootloader.appValid).toBe(false);
    start(t);
    for (const block of dataBlocks(NEW_FILE)) t.bootloader.handle(block);
    t.bootloader.handle(Uint8Array.of(EOT, EOT));
    await t.clock.advance(500);
    expect(t.commits).toHaveLength(1);
    expect(t.bootloader.appValid).toBe(true);
    t.bootloader.handle(encodeEndOfBatchBlock());
    expect(t.exits.map((e) => e.reason)).toEqual(['committed']);
  });
});

describe('SimBootloader: lifecycle', () => {
  it('close() stops every timer and all output', async () => {
    const t = setup();
    start(t);
    t.bootloader.close();
    expect(t.clock.pendingTimers).toBe(0);
    t.bootloader.handle(dataBlocks(NEW_FILE)[0]);
    await t.clock.advance(200_000);
    expect(t.take()).toEqual([]);
    expect(t.exits).toEqual([]);
  });

  it('rejects nonsense options', () => {
    const base = { clock: new VirtualClock(), currentImage: null, model: 'P16S100A', onCommit: () => {}, onExit: () => {} };
    expect(() => new SimBootloader({ ...base, baud: 0 })).toThrow(RangeError);
    expect(() => new SimBootloader({ ...base, timing: { idleTimeout_ms: -1 } })).toThrow(/idleTimeout_ms/);
  });
});

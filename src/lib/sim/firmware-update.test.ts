// End to end through bytes: FF 50 hands the pack's UART to the bootloader, YMODEM-1K carries a
// new image, the pack reboots and C1H reports the new version.

import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader } from '../protocol/frame';
import { enterFirmwareUpgrade, readCellOverVoltage, setCellOverVoltage } from '../protocol/commands/settings';
import { readSoftwareVersion } from '../protocol/commands/info';
import { CID1_LFP, VER_PACE } from '../protocol/types';
import { buildFirmwareImage } from '../firmware/image';
import { sendYmodem } from '../firmware/ymodem';
import { transportByteIo } from '../firmware/byte-io';
import { VirtualClock } from '../time/clock';
import { SimTransport } from '../transport/sim';
import { createSimBank } from './bank';
import { TestHost } from './test-host';

function payload(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
}

async function enterUpgrade(host: TestHost) {
  return host.send(
    enterFirmwareUpgrade,
    { restore: { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false } },
    2,
    500
  );
}

describe('firmware update through the simulated pack', () => {
  it('commits a verified image and the pack reboots with the new version', async () => {
    const clock = new VirtualClock();
    const bank = createSimBank({ packCount: 2, seed: 'fw', clock });
    const host = new TestHost(bank, clock);
    const entry = await enterUpgrade(host);
    expect(entry.frame?.code).toBe(0);
    expect(bank.packAt(2)!.power).toBe('bootloader');
    // The pack no longer answers frames while its bootloader owns the UART.
    expect((await host.send(readSoftwareVersion, {}, 1, 200)).frame).toBeNull();

    const transport = new SimTransport(bank, { clock });
    await clock.run(transport.open());
    const io = transportByteIo(transport, clock);
    const image = buildFirmwareImage({ model: 'P16S100A', hardwareCompat: '1812', firmwareVersion: '1.10', builtAt_s: 1_750_000_000 }, payload(5000));
    const result = await clock.run(sendYmodem(io, { name: 'p16s100a-1.10.pkfw', bytes: image }, { clock, baud: bank.baud }), 600_000);
    io.close();
    expect(result.bytesSent).toBe(image.length);
    // The pack reboots; give it time to come up.
    await clock.advance(5000);
    expect(bank.packAt(2)!.power).toBe('on');
    const v = await host.send(readSoftwareVersion, {}, 2);
    expect(v.value?.version).toBe('P16S100A-1812-1.10');
    // The other pack was never touched.
    expect((await host.send(readSoftwareVersion, {}, 1)).value?.version).toBe('P16S100A-1812-1.00');
    expect(bank.packAt(2)!.history.get(0)?.powerOn).toBe(true);
  });

  it('the restore bits of FF 50 apply once the new image is committed', async () => {
    const clock = new VirtualClock();
    const bank = createSimBank({ packCount: 1, seed: 'fw4', clock });
    const host = new TestHost(bank, clock);
    const custom = { enabled: true, alarm_mV: 3500, protect_mV: 3600, release_mV: 3350, delay_ms: 3000 };
    await host.send(setCellOverVoltage, custom, 1);
    await host.send(
      enterFirmwareUpgrade,
      { restore: { capacity: false, cellAndNtcCount: false, protectionParameters: true, protocol: false } },
      1,
      500
    );
    // Entering the bootloader alone changes nothing.
    expect(bank.packs[0].params.cellOverVoltage).toEqual(custom);
    const transport = new SimTransport(bank, { clock });
    await clock.run(transport.open());
    const io = transportByteIo(transport, clock);
    const image = buildFirmwareImage({ model: 'P16S100A', hardwareCompat: '*', firmwareVersion: '1.20', builtAt_s: 1_750_000_000 }, payload(1500));
    await clock.run(sendYmodem(io, { name: 'fw.pkfw', bytes: image }, { clock, baud: bank.baud }), 600_000);
    io.close();
    await clock.advance(5000);
    const ov = await host.send(readCellOverVoltage, undefined, 1);
    expect(ov.value?.protect_mV).toBe(3700);
  });

  it('an image for another model is refused; the bootloader times out and the old firmware boots', async () => {
    const clock = new VirtualClock();
    const bank = createSimBank({ packCount: 1, seed: 'fw2', clock, addresses: [2] });
    const host = new TestHost(bank, clock);
    await enterUpgrade(host);
    const transport = new SimTransport(bank, { clock });
    await clock.run(transport.open());
    const io = transportByteIo(transport, clock);
    const wrong = buildFirmwareImage({ model: 'P16S200A', hardwareCompat: '*', firmwareVersion: '2.00', builtAt_s: 1_750_000_000 }, payload(2000));
    const outcome = await clock.run(
      sendYmodem(io, { name: 'wrong.pkfw', bytes: wrong }, { clock, baud: bank.baud }).then(
        () => 'sent',
        () => 'refused'
      ),
      600_000
    );
    io.close();
    expect(outcome).toBe('refused');
    expect(bank.bootloader?.lastRefusal).not.toBeNull();
    await clock.advance(130_000);
    expect(bank.packAt(2)!.power).toBe('on');
    expect((await host.send(readSoftwareVersion, {}, 2)).value?.version).toBe('P16S100A-1812-1.00');
  });

  it('the bootloader asks for the transfer with C on the wire', async () => {
    const clock = new VirtualClock();
    const bank = createSimBank({ packCount: 1, seed: 'fw3', clock });
    const reader = new FrameReader();
    const raw: number[] = [];
    bank.onOutput((c) => {
      raw.push(...c);
      reader.push(c);
    });
    bank.write(encodeFrame({ ver: VER_PACE, adr: 1, cid1: CID1_LFP, code: 0xff, info: Uint8Array.of(0x50, 0x00) }));
    await clock.advance(3500);
    const text = String.fromCharCode(...raw);
    expect(text.startsWith('~250146000000FDAE\r')).toBe(true);
    expect(
      text
        .slice(18)
        .split('')
        .filter((ch) => ch === 'C').length
    ).toBeGreaterThanOrEqual(3);
  });
});

describe('firmware-update faults of the simulated bank', () => {
  it("the manual's forced entry puts a pack into its bootloader without FF 50; it asks with 'C' and answers no frames", async () => {
    const clock = new VirtualClock();
    const bank = createSimBank({ packCount: 2, seed: 'force', clock });
    const host = new TestHost(bank, clock);
    bank.inject({ kind: 'force-bootloader', address: 2 });
    expect(bank.packInBootloader?.address).toBe(2);
    expect(bank.packAt(2)!.power).toBe('bootloader');
    const raw = await host.sendRaw(new Uint8Array(0), 3000);
    expect(Array.from(raw.raw).filter((b) => b === 0x43).length).toBeGreaterThanOrEqual(3);
    expect((await host.send(readSoftwareVersion, {}, 2, 500)).frame).toBeNull();
  });

  it('a power cycle brings a pack whose single-bank application was overwritten back into its bootloader', async () => {
    const clock = new VirtualClock();
    const bank = createSimBank({ packCount: 1, seed: 'lost', clock, bootloader: { layout: 'single-bank' } });
    const host = new TestHost(bank, clock);
    await host.send(
      enterFirmwareUpgrade,
      { restore: { capacity: false, cellAndNtcCount: false, protectionParameters: false, protocol: false } },
      1,
      500
    );
    expect(bank.packInBootloader?.address).toBe(1);
    const transport = new SimTransport(bank, { clock });
    await clock.run(transport.open());
    const io = transportByteIo(transport, clock);
    const image = buildFirmwareImage({ model: 'P16S100A', hardwareCompat: '*', firmwareVersion: '1.20', builtAt_s: 1_750_000_000 }, payload(8000));
    // The transfer stops after three blocks: the pack is cut off mid-update.
    let blocks = 0;
    const controller = new AbortController();
    const sending = clock.run(
      sendYmodem(
        io,
        { name: 'fw.pkfw', bytes: image },
        {
          clock,
          baud: bank.baud,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'data' && p.block > blocks && ++blocks === 4) controller.abort();
          }
        }
      ).catch(() => 'stopped')
    );
    expect(await sending).toBe('stopped');
    io.close();
    expect(bank.appLost(bank.packAt(1)!)).toBe(true);
    bank.inject({ kind: 'reboot', address: 1 });
    await clock.advance(300_000);
    expect(bank.packAt(1)!.power).toBe('bootloader');
    expect((await host.send(readSoftwareVersion, {}, 1, 500)).frame).toBeNull();
  });

  it('refuses an upgrade-block fault that names no block', () => {
    const bank = createSimBank({ packCount: 1, seed: 'x', clock: new VirtualClock() });
    expect(() => bank.inject({ kind: 'upgrade-block', block: 0, action: 'drop' })).toThrow(RangeError);
    expect(() => bank.inject({ kind: 'upgrade-block', block: 2, action: 'drop', count: 0 })).toThrow(RangeError);
  });
});

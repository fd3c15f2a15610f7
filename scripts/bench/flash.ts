// Bench group "flash": a whole firmware update of one pack of the 16-pack demo bank, through the
// real client and the update engine, against the simulated bootloader, on the virtual clock (so
// the figures are exact and repeatable). The image is the demo release 1.10 (scripts/
// firmware-images.ts): 198 500 bytes, what a BMS application with a dozen inverter protocols
// takes on this MCU class.
//
//   efficiency_9600   image bytes ÷ (the update's time from FF 50 to the new version confirmed by
//                     C1H × the line's 960 bytes/s). Target >= 0.95.
//   ratio_115200      the same update's time at 115200 baud ÷ (its bytes on the wire, both ways,
//                     at 11 520 bytes/s + data blocks × the bootloader's programming time per block
//                     + the pack's reboot time). Target <= 1.10.
//   image_kB          the image's size (KiB).
//   retries           blocks sent again on the clean link, both runs. Target 0.
//   duration_9600_s, duration_115200_s, blocks, block_write_ms, reboot_ms   the inputs.
//   efficiency_9600_write40ms   the same at 9600 with a bootloader twice as slow to program a block
//                     (40 ms): the programming time is our assumption (sim/bootloader.ts), so this
//                     shows how much the figure leans on it.

import type { BenchFigures } from '../bench';
import { PaceClient, type TrafficEntry } from '../../src/lib/protocol/client';
import { createSimBank } from '../../src/lib/sim/bank';
import { DEMO_RELEASES, demoContainer, demoFileName } from '../../src/lib/sim/firmware-releases';
import { SimTransport } from '../../src/lib/transport/sim';
import { VirtualClock } from '../../src/lib/time/clock';
import { loadFirmwareFile } from '../../src/lib/firmware/load';
import { preflight } from '../../src/lib/firmware/preflight';
import { updatePack } from '../../src/lib/firmware/updater';
import { ymodemBlocks } from '../../src/lib/firmware/ymodem-profile';

const TARGET = { efficiency_9600: 0.95, ratio_115200: 1.1 } as const;
const ADDRESS = 1;

interface Run {
  duration_ms: number;
  wireBytes: number;
  imageBytes: number;
  blocks: number;
  blockWrite_ms: number;
  boot_ms: number;
  retries: number;
}

async function measure(baud: number, writeTime_ms?: number): Promise<Run> {
  const clock = new VirtualClock();
  const bank = createSimBank({
    packCount: 16,
    seed: 'bench-flash',
    clock,
    baud,
    bootloader: writeTime_ms === undefined ? undefined : { timing: { blockWrite_ms: writeTime_ms } }
  });
  const transport = new SimTransport(bank, { clock });
  await transport.open();
  const client = new PaceClient(transport, { clock, trafficCapacity: 5000 });
  const release = DEMO_RELEASES.find((r) => r.model === 'P16S100A' && r.version === '1.10')!;
  const loaded = await loadFirmwareFile(demoContainer(release), demoFileName(release));
  const checked = preflight(loaded, { model: 'P16S100A', board: '1812' });
  if (!checked.ok) throw checked.error;
  const plan = checked.plan;

  const tx: TrafficEntry[] = [];
  client.onTraffic((e) => e.dir === 'tx' && tx.push(e));
  const rx: { t_ms: number; bytes: number }[] = [];
  transport.onData((chunk) => rx.push({ t_ms: clock.now(), bytes: chunk.length }));
  let blockWrite_ms = NaN;
  const final = await clock.run(
    updatePack({
      bus: client,
      address: ADDRESS,
      plan,
      // Not timed: the figures start at FF 50.
      backup: { snapshot: async () => ({ id: 'bench', label: 'bench' }) },
      onSnapshot: (s) => {
        if (s.phase === 'transfer' && Number.isNaN(blockWrite_ms)) blockWrite_ms = bank.bootloader?.timing.blockWrite_ms ?? NaN;
      }
    }),
    3_600_000
  );
  bank.dispose();
  if (final.phase !== 'done') throw new Error(`the update at ${baud} baud failed: ${final.failure.reason}: ${final.failure.message}`);
  const from = final.timeline.enter!;
  const to = final.timeline.done!;
  const inWindow = (t: number) => t >= from && t <= to;
  const wireBytes =
    tx.filter((e) => inWindow(e.t_ms)).reduce((n, e) => n + e.bytes.length, 0) + rx.filter((e) => inWindow(e.t_ms)).reduce((n, e) => n + e.bytes, 0);
  return {
    duration_ms: to - from,
    wireBytes,
    imageBytes: plan.image.bytes.length,
    blocks: ymodemBlocks(plan.image.bytes.length),
    blockWrite_ms,
    boot_ms: bank.packAt(ADDRESS)!.bootTime_ms,
    retries: final.result.retries
  };
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

export async function run(): Promise<BenchFigures> {
  const slow = await measure(9600);
  const fast = await measure(115_200);
  const slowWriter = await measure(9600, 40);
  const lineBytesPerSecond = (baud: number) => baud / 10;
  const efficiency = slow.imageBytes / ((slow.duration_ms / 1000) * lineBytesPerSecond(9600));
  const floor_ms = (fast.wireBytes / lineBytesPerSecond(115_200)) * 1000 + fast.blocks * fast.blockWrite_ms + fast.boot_ms;
  const ratio = fast.duration_ms / floor_ms;
  const retries = slow.retries + fast.retries;
  const out: BenchFigures = {
    efficiency_9600: round(efficiency),
    efficiency_9600_target: `>= ${TARGET.efficiency_9600}`,
    efficiency_9600_pass: efficiency >= TARGET.efficiency_9600,
    ratio_115200: round(ratio),
    ratio_115200_target: `<= ${TARGET.ratio_115200}`,
    ratio_115200_pass: ratio <= TARGET.ratio_115200,
    image_kB: round(slow.imageBytes / 1024, 1),
    retries,
    retries_target: '0',
    retries_pass: retries === 0,
    duration_9600_s: round(slow.duration_ms / 1000, 2),
    duration_115200_s: round(fast.duration_ms / 1000, 3),
    floor_115200_s: round(floor_ms / 1000, 3),
    wire_bytes_115200: fast.wireBytes,
    blocks: fast.blocks,
    block_write_ms: fast.blockWrite_ms,
    reboot_ms: fast.boot_ms,
    efficiency_9600_write40ms: round(slowWriter.imageBytes / ((slowWriter.duration_ms / 1000) * lineBytesPerSecond(9600)))
  };
  console.log(
    `flash: efficiency_9600 ${out.efficiency_9600} (${out.efficiency_9600_target}: ${out.efficiency_9600_pass ? 'pass' : 'FAIL'}), ` +
      `ratio_115200 ${out.ratio_115200} (${out.ratio_115200_target}: ${out.ratio_115200_pass ? 'pass' : 'FAIL'}), ` +
      `retries ${retries} (${retries === 0 ? 'pass' : 'FAIL'}), image ${out.image_kB} kB`
  );
  return out;
}

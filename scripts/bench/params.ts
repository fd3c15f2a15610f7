// Bench group "params": reading and writing parameters through the real client and write path,
// against the simulated bank at 9600 baud on the virtual clock (exact and repeatable).
//
//   read_all_16_s          every parameter group of 16 packs (plus each pack's C2H identity), as
//                          the one "read all packs" operation
//   read_floor_s           the physics of those exchanges: request and reply bytes at 10 bits per
//                          byte, plus the simulator's turnaround before each reply
//   read_ratio             read_all_16_s / read_floor_s, target <= 1.15
//   read_exchanges         exchanges in the operation
//   write_verify_s         one group written through the write path: identity, snapshot read,
//                          write, read back (the snapshot and log stores are in memory)
//   write_verify_floor_s   those exchanges' wire time plus turnaround
//   write_verify_ratio     write_verify_s / write_verify_floor_s, target <= 1.3
//   *_target, *_pass       the targets and whether they are met

import type { BenchFigures } from '../bench';
import type { TrafficEntry } from '../../src/lib/protocol/client';
import { writeParams } from '../../src/lib/params/param-writes';
import { readBankParams } from '../../src/lib/params/reader';
import { createParamRig, type ParamRig } from '../../src/lib/params/rig';

const BAUD = 9600;
const READ_TARGET = 1.15;
const WRITE_TARGET = 1.3;

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

/** Wire time plus turnaround of the exchanges in `traffic` (s). */
function floor_s(rig: ParamRig, traffic: TrafficEntry[]): { floor_s: number; exchanges: number } {
  const bytes = traffic.filter((e) => e.dir === 'tx' || e.dir === 'rx').reduce((n, e) => n + e.bytes.length, 0);
  const exchanges = traffic.filter((e) => e.dir === 'tx').length;
  const wire_ms = (bytes * rig.transport.timing.bitsPerByte * 1000) / BAUD + exchanges * rig.bank.turnaround_ms;
  return { floor_s: wire_ms / 1000, exchanges };
}

function check(traffic: TrafficEntry[], what: string): void {
  const errors = traffic.filter((e) => e.dir === 'error');
  if (errors.length > 0) throw new Error(`${what}: ${errors[0].error}`);
}

async function readAll(): Promise<BenchFigures> {
  const rig = await createParamRig({ packCount: 16, bank: { baud: BAUD } });
  const traffic: TrafficEntry[] = [];
  rig.client.onTraffic((e) => traffic.push(e));
  const t0 = rig.clock.now();
  const res = await rig.run(
    readBankParams(
      rig.client,
      Array.from({ length: 16 }, (_, i) => i + 1),
      { clock: rig.clock }
    )
  );
  const elapsed_s = (rig.clock.now() - t0) / 1000;
  rig.dispose();
  check(traffic, 'read all');
  if (!res.packs.every((p) => p.reachable && Object.values(p.groups).every((g) => g.status === 'ok')))
    throw new Error('read all: not every group was read');
  const f = floor_s(rig, traffic);
  const ratio = elapsed_s / f.floor_s;
  return {
    read_all_16_s: round(elapsed_s, 3),
    read_floor_s: round(f.floor_s, 3),
    read_ratio: round(ratio, 3),
    read_exchanges: f.exchanges,
    read_ratio_target: READ_TARGET,
    read_ratio_pass: ratio <= READ_TARGET
  };
}

async function writeOne(): Promise<BenchFigures> {
  const rig = await createParamRig({ packCount: 16, bank: { baud: BAUD } });
  const before = await rig.read(3);
  const traffic: TrafficEntry[] = [];
  rig.client.onTraffic((e) => traffic.push(e));
  const t0 = rig.clock.now();
  const report = await rig.run(
    writeParams(rig.path, {
      pack: rig.ref(3),
      base: before.values,
      edits: { 'cellOverVoltage.alarm_mV': 3400, 'cellOverVoltage.protect_mV': 3450, 'cellOverVoltage.release_mV': 3350 },
      cellCount: 16
    })
  );
  const elapsed_s = (rig.clock.now() - t0) / 1000;
  rig.dispose();
  check(traffic, 'write');
  if (report.outcome !== 'written') throw new Error(`write: ${report.outcome}: ${report.message}`);
  const f = floor_s(rig, traffic);
  const ratio = elapsed_s / f.floor_s;
  return {
    write_verify_s: round(elapsed_s),
    write_verify_floor_s: round(f.floor_s),
    write_verify_ratio: round(ratio, 3),
    write_verify_exchanges: f.exchanges,
    write_verify_ratio_target: WRITE_TARGET,
    write_verify_ratio_pass: ratio <= WRITE_TARGET
  };
}

export async function run(): Promise<BenchFigures> {
  return { ...(await readAll()), ...(await writeOne()) };
}

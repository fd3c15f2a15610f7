// Bench group "poll": how close the real client and poller get to the wire's physical limit, on the
// virtual clock, against the simulated bank (so the figures are exact and repeatable).
//
//   cycle_s         one full refresh (42H and 44H of every pack), steady state: the period between
//                   cycle starts with no pause between cycles. 16 packs at 9600 baud, broadcast.
//   floor_s         the physics: the two broadcast exchanges' request and reply bytes at 10 bits
//                   per byte, plus the simulator's turnaround before each reply.
//   ratio           cycle_s / floor_s. Target <= 1.10.
//   relay_ratio     the same refresh done per address (mode 'relay'), over the same floor.
//   discovery_s     connect to the first complete overview (every pack with analog and status).
//   p1_9600.*, p16_115200.*, p1_115200.*   the same figures for the other bank sizes and bauds.
//   heap_MB         heap in use after all runs (a rough footprint, not a leak test).

import type { BenchFigures } from '../bench';
import { targets } from './_targets';
import { PaceClient, type TrafficEntry } from '../../src/lib/protocol/client';
import { BankPoller, type PollMode } from '../../src/lib/protocol/poller';
import { createSimBank } from '../../src/lib/sim/bank';
import { SimTransport } from '../../src/lib/transport/sim';
import { VirtualClock } from '../../src/lib/time/clock';

/** Cycles skipped before measuring, then measured. */
const WARMUP_CYCLES = 2;
const MEASURED_CYCLES = 5;

interface RunResult {
  discovery_s: number;
  cycle_s: number;
  /** Wire time + turnaround of one steady-state cycle's exchanges (s). */
  wire_s: number;
  exchanges: number;
}

async function measure(packs: number, baud: number, mode: PollMode): Promise<RunResult> {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: packs, seed: 'bench', clock, baud });
  const transport = new SimTransport(bank, { clock });
  await transport.open();
  const client = new PaceClient(transport, { clock });
  const poller = new BankPoller(client, { clock, interval_ms: 0, mode, readIdentity: false });

  const traffic: TrafficEntry[] = [];
  client.onTraffic((e) => traffic.push(e));
  const analog = new Set<number>();
  const status = new Set<number>();
  let overview_ms: number | null = null;
  poller.onUpdate((u) => {
    if (u.analog) analog.add(u.address);
    if (u.status) status.add(u.address);
    if (overview_ms === null && analog.size === packs && status.size === packs) overview_ms = clock.now();
  });
  const starts: number[] = [];
  const t0 = clock.now();
  const done = new Promise<void>((resolve) =>
    poller.onCycle((c) => {
      starts.push(c.started_ms);
      if (starts.length > WARMUP_CYCLES + MEASURED_CYCLES) resolve();
    })
  );
  poller.start();
  await clock.run(done);
  await clock.run(poller.stop());
  bank.dispose();

  if (overview_ms === null) throw new Error(`${packs} packs at ${baud} baud (${mode}): never got a complete overview`);
  const from = starts[WARMUP_CYCLES];
  const to = starts[WARMUP_CYCLES + MEASURED_CYCLES];
  const cycleTraffic = traffic.filter((e) => e.t_ms >= from && e.t_ms < starts[WARMUP_CYCLES + 1]);
  const errors = traffic.filter((e) => e.t_ms >= from && e.t_ms < to && e.dir === 'error');
  if (errors.length > 0) throw new Error(`${packs} packs at ${baud} baud (${mode}): ${errors[0].error}`);
  const bytes = cycleTraffic.filter((e) => e.dir === 'tx' || e.dir === 'rx').reduce((n, e) => n + e.bytes.length, 0);
  const exchanges = cycleTraffic.filter((e) => e.dir === 'tx').length;
  const wire_ms = (bytes * transport.timing.bitsPerByte * 1000) / baud + exchanges * bank.turnaround_ms;
  return {
    discovery_s: (overview_ms - t0) / 1000,
    cycle_s: (to - from) / MEASURED_CYCLES / 1000,
    wire_s: wire_ms / 1000,
    exchanges
  };
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

async function figures(packs: number, baud: number, prefix: string): Promise<BenchFigures> {
  const broadcast = await measure(packs, baud, 'auto');
  const relay = await measure(packs, baud, 'relay');
  // The floor is the broadcast refresh's physics (for one pack: its two exchanges, as relay).
  const floor_s = broadcast.wire_s;
  return {
    [`${prefix}cycle_s`]: round(broadcast.cycle_s),
    [`${prefix}floor_s`]: round(floor_s),
    [`${prefix}ratio`]: round(broadcast.cycle_s / floor_s, 3),
    [`${prefix}relay_cycle_s`]: round(relay.cycle_s),
    [`${prefix}relay_ratio`]: round(relay.cycle_s / floor_s, 3),
    [`${prefix}discovery_s`]: round(broadcast.discovery_s),
    [`${prefix}exchanges`]: broadcast.exchanges
  };
}

export async function run(): Promise<BenchFigures> {
  const out: BenchFigures = {
    ...(await figures(16, 9600, '')),
    ...(await figures(1, 9600, 'p1_9600.')),
    ...(await figures(16, 115200, 'p16_115200.')),
    ...(await figures(1, 115200, 'p1_115200.'))
  };
  // The issue names this figure without the group prefix; keep both spellings.
  out['/discovery_s'] = out.discovery_s;
  out.heap_MB = round(process.memoryUsage().heapUsed / 2 ** 20, 1);
  return { ...out, ...targets(out, { ratio: ['<=', 1.1] }) };
}

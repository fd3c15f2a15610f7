// The check the statistics page will be held to in the browser: energy in and out computed from
// what the app samples matches the simulator's own meters within 2 %. Here on virtual time: the
// demo bank (16 packs, 115 200 baud, as browser-links.ts builds it) through the real SimTransport,
// PaceClient and BankPoller at the app's poll rate (attachPaceLink's 1 s pause between cycles),
// a charge and discharge on the bus, statistics from the sampled 42H values, against the packs'
// counters integrated inside the physics at its own 250 ms step.

import { describe, expect, it } from 'vitest';
import { PaceClient } from '../protocol/client';
import { BankPoller } from '../protocol/poller';
import { createSimBank } from '../sim/bank';
import type { LoadStep } from '../sim/scenarios';
import { VirtualClock } from '../time/clock';
import { SimTransport } from '../transport/sim';
import { bankStats } from './bank';
import { sampleFromAnalog } from './from-analog';
import type { StatsSample } from './sample';

/** Per pack: a solar morning, a pause, the evening with a kettle, a quiet night. 15 minutes. */
const PROFILE: LoadStep[] = [
  { duration_s: 360, current_A: 40 },
  { duration_s: 60, current_A: 0 },
  { duration_s: 300, current_A: -30 },
  { duration_s: 60, current_A: -75 },
  { duration_s: 60, current_A: -12 },
  { duration_s: 60, current_A: 0 }
];
const RUN_ms = PROFILE.reduce((s, x) => s + x.duration_s, 0) * 1000;
/** Where virtual time 0 sits on the calendar (day buckets need a date). */
const EPOCH_ms = Date.UTC(2025, 5, 1, 8);

type Counters = ReturnType<ReturnType<typeof createSimBank>['energyCounters']>;

describe('statistics from sampled readings against the simulator’s energy meters', () => {
  it('energy in and out of the demo bank and of each pack within 2 %', async () => {
    const clock = new VirtualClock();
    const bank = createSimBank({
      packCount: 16,
      seed: 'demo',
      clock,
      baud: 115_200,
      initialSoc: 0.35,
      scenario: { name: 'load', params: { load: { kind: 'profile', steps: PROFILE } } }
    });
    const transport = new SimTransport(bank, { clock });
    await clock.run(transport.open());
    const client = new PaceClient(transport, { clock });
    const poller = new BankPoller(client, { clock, interval_ms: 1000 });

    const samples = new Map<string, StatsSample[]>();
    let first: Counters | null = null;
    let last: Counters | null = null;
    poller.onUpdate((u) => {
      const s = u.analog && sampleFromAnalog(EPOCH_ms + u.received_ms, u.analog);
      if (!s) return;
      const id = String(u.address);
      if (!samples.has(id)) samples.set(id, []);
      samples.get(id)!.push(s);
      // The meters at the moment of the reading; a broadcast delivers every pack at one instant.
      last = bank.energyCounters();
      first ??= last;
    });
    poller.start();
    await clock.advance(RUN_ms);
    await clock.run(poller.stop());
    bank.dispose();

    const start = first as Counters | null;
    const end = last as Counters | null;
    if (!start || !end) throw new Error('no readings');
    expect(samples.size).toBe(16);
    const stats = bankStats(samples, { period: 'day', timeZone: 'UTC' });
    const deviation = (measured: number, truth: number) => Math.abs(measured - truth) / truth;

    const busIn = end.charged_kWh - start.charged_kWh;
    const busOut = end.discharged_kWh - start.discharged_kWh;
    // 16 packs x 40 A x ~53 V x 6 min is ~3.4 kWh in; out is a little less.
    expect(busIn).toBeGreaterThan(3);
    expect(busOut).toBeGreaterThan(2.5);
    const devIn = deviation(stats.total.charged_kWh, busIn);
    const devOut = deviation(stats.total.discharged_kWh, busOut);

    let worstPack = 0;
    for (const [i, p] of end.packs.entries()) {
      const t = stats.perPack.get(String(p.address))!.total;
      worstPack = Math.max(
        worstPack,
        deviation(t.charged_kWh, p.charged_kWh - start.packs[i].charged_kWh),
        deviation(t.discharged_kWh, p.discharged_kWh - start.packs[i].discharged_kWh)
      );
    }
    console.info(
      JSON.stringify({
        sim_energy: {
          readings_per_pack: samples.get('1')!.length,
          bus_in_kWh: +busIn.toFixed(4),
          stats_in_kWh: +stats.total.charged_kWh.toFixed(4),
          bus_out_kWh: +busOut.toFixed(4),
          stats_out_kWh: +stats.total.discharged_kWh.toFixed(4),
          deviation_in_pct: +(100 * devIn).toFixed(3),
          deviation_out_pct: +(100 * devOut).toFixed(3),
          worst_pack_deviation_pct: +(100 * worstPack).toFixed(3)
        }
      })
    );
    expect(devIn).toBeLessThan(0.02);
    expect(devOut).toBeLessThan(0.02);
    // One pack alone carries its own sensor errors (the simulated boards have a current offset of
    // σ 80 mA and gain errors of σ 0.4 %, as real shunts do); across the bank they average out.
    expect(worstPack).toBeLessThan(0.025);
    // The readings bridged the whole run: the poll rate never left a gap the statistics skip.
    expect(stats.total.covered_ms).toBeGreaterThan(RUN_ms - 15_000);
    expect(stats.total.charging_ms).toBeGreaterThan(355_000);
    expect(stats.total.charging_ms).toBeLessThan(365_000);
  }, 120_000);
});

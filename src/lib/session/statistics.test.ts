// What the statistics page shows, end to end on virtual time: the demo bank polled by the
// session, recorded by the app-wide recorder into fake-indexeddb, summed from the minute
// aggregates, against the simulator's own energy meters (integrated inside its physics) read at the
// first and the last reading, within 2 %. The browser test (tests/e2e/stats.spec.ts) checks the same
// on the page.

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { bankStats, sampleFromAnalog, type StatsSample } from '$lib/stats';
import { RecordingFeature } from './recording.svelte';
import { bankChoices, loadStatistics } from './statistics';
import { simSession } from './testing/sim-session';

type Counters = ReturnType<ReturnType<typeof simSession>['bank']['energyCounters']>;

describe('statistics from the recording', { timeout: 120_000 }, () => {
  it('energy in and out of the bank and of each pack match the simulator’s meters within 2 %', async () => {
    const s = simSession({
      packCount: 4,
      seed: 'stats-minutes',
      initialSoc: 0.4,
      scenario: {
        name: 'load',
        params: {
          load: {
            kind: 'profile',
            steps: [
              { duration_s: 400, current_A: 35 },
              { duration_s: 100, current_A: 0 },
              { duration_s: 300, current_A: -45 },
              { duration_s: 100, current_A: -10 }
            ]
          }
        }
      }
    });
    const f = new RecordingFeature(s.session, { now: s.now, pageEvents: false });
    f.start();
    let first: Counters | null = null;
    let last: Counters | null = null;
    const samples = new Map<string, StatsSample[]>();
    s.session.onUpdate((u) => {
      if (!u.analog || u.analog.empty) return;
      last = s.bank.energyCounters();
      first ??= last;
      const id = String(u.address);
      samples.set(id, [...(samples.get(id) ?? []), sampleFromAnalog(s.now() - s.clock.now() + u.received_ms, u.analog)!]);
    });
    await s.connect();
    await s.clock.advance(900_000);
    await s.clock.run(s.session.disconnect());
    await s.clock.run(f.dispose());

    const db = await s.storage();
    const [choice] = await bankChoices(db);
    expect(choice.devices.map((d) => d.lastAddress)).toEqual([1, 2, 3, 4]);
    const stats = await loadStatistics(db, {
      devices: choice.devices.map((d) => d.key),
      from_ms: s.now() - 86_400_000,
      to_ms: s.now() + 86_400_000,
      period: 'day',
      timeZone: 'UTC'
    });
    const start = first as Counters | null;
    const end = last as Counters | null;
    if (!start || !end) throw new Error('no readings');
    const dev = (measured: number, truth: number) => Math.abs(measured - truth) / truth;
    const busIn = end.charged_kWh - start.charged_kWh;
    const busOut = end.discharged_kWh - start.discharged_kWh;
    expect(busIn).toBeGreaterThan(0.5);
    expect(busOut).toBeGreaterThan(0.5);
    expect(dev(stats.total.charged_kWh, busIn)).toBeLessThan(0.02);
    expect(dev(stats.total.discharged_kWh, busOut)).toBeLessThan(0.02);
    for (const [i, p] of end.packs.entries()) {
      const key = choice.devices.find((d) => d.lastAddress === p.address)!.key;
      const t = stats.perPack.get(key)!.total;
      expect(dev(t.charged_kWh, p.charged_kWh - start.packs[i].charged_kWh)).toBeLessThan(0.025);
      expect(dev(t.discharged_kWh, p.discharged_kWh - start.packs[i].discharged_kWh)).toBeLessThan(0.025);
    }
    // The minutes hold what the readings give: the same integrals as the sample-based statistics.
    const fromSamples = bankStats(samples, { period: 'day', timeZone: 'UTC' });
    expect(dev(stats.total.discharged_kWh, fromSamples.total.discharged_kWh)).toBeLessThan(0.005);
    expect(stats.total.packs).toBe(4);
    expect(stats.periods).toHaveLength(1);
    // 400 s of charging at 35 A; in the 0 A pause after it the packs level out through each other
    // (a pack above the 0.5 A idle band counts as charging for a while).
    expect(stats.total.charging_ms / 1000).toBeGreaterThan(380);
    expect(stats.total.charging_ms / 1000).toBeLessThan(440);
    console.info(
      JSON.stringify({
        stats_minutes: {
          bus_in_kWh: +busIn.toFixed(4),
          stats_in_kWh: +stats.total.charged_kWh.toFixed(4),
          bus_out_kWh: +busOut.toFixed(4),
          stats_out_kWh: +stats.total.discharged_kWh.toFixed(4),
          deviation_in_pct: +(100 * dev(stats.total.charged_kWh, busIn)).toFixed(3),
          deviation_out_pct: +(100 * dev(stats.total.discharged_kWh, busOut)).toFixed(3)
        }
      })
    );
    expect(stats.total.equivalentCycles).toBeGreaterThan(0);
    expect(stats.total.cellSpreadMax_mV).toBeGreaterThan(0);
    expect(stats.capacity.length).toBeGreaterThan(0);
    await s.close();
  });
});

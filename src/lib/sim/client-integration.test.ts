// The simulator through the app's real stack: SimTransport -> PaceClient -> BankPoller, on a
// VirtualClock. Checks that what the poller makes of the bytes matches the simulated packs.

import { describe, expect, it } from 'vitest';
import { PaceClient } from '../protocol/client';
import { BankPoller } from '../protocol/poller';
import type { BankTopology, PackUpdate, PollCycle } from '../protocol/bank-types';
import { readCellOverVoltage, setCellOverVoltage } from '../protocol/commands/settings';
import { VirtualClock } from '../time/clock';
import { SimTransport } from '../transport/sim';
import { createSimBank, type SimBankOptions } from './bank';

async function rig(o: Partial<SimBankOptions>) {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: 16, seed: 'integration', clock, ...o });
  const transport = new SimTransport(bank, { clock });
  await clock.run(transport.open());
  const client = new PaceClient(transport, { clock });
  const poller = new BankPoller(client, { clock, interval_ms: 1000 });
  const updates: PackUpdate[] = [];
  const cycles: PollCycle[] = [];
  let topology: BankTopology | null = null;
  poller.onUpdate((u) => updates.push(u));
  poller.onCycle((c) => cycles.push(c));
  poller.onTopology((t) => (topology = t));
  return { clock, bank, transport, client, poller, updates, cycles, topology: () => topology };
}

describe('simulator through the real client and poller', () => {
  it('discovers a 16-pack bank, polls it by broadcast, and the values match the packs', async () => {
    const r = await rig({ scenario: 'load' });
    r.poller.start();
    while (r.cycles.length < 3) await r.clock.advance(1000);
    await r.poller.stop();
    const topo = r.topology()!;
    expect(topo.addresses).toHaveLength(16);
    expect(topo.broadcast).toBe(true);
    const last = r.cycles[r.cycles.length - 1];
    expect(last.answered).toHaveLength(16);
    expect(last.missed).toEqual([]);
    // At 9600 baud one cycle (42H + 44H broadcasts, ~3.3 kB) takes several seconds of wire time.
    expect(last.ended_ms - last.started_ms).toBeGreaterThan(3000);
    const latest = new Map<number, PackUpdate>();
    for (const u of r.updates) if (u.analog) latest.set(u.address, u);
    for (const p of r.bank.packs) {
      const u = latest.get(p.address)!;
      expect(u.analog!.cells_mV).toHaveLength(16);
      expect(u.analog!.cycles).toBe(p.gauge.cycles);
      expect(Math.abs(u.analog!.voltage_V - p.readings.packVoltage_mV / 1000)).toBeLessThan(0.2);
    }
    expect(r.client.stats.timeouts).toBe(0);
    expect(r.client.stats.badFrames).toBe(0);
    r.bank.dispose();
  });

  it('an offline slave is reported stale while the rest keep updating', async () => {
    const r = await rig({ packCount: 3, scenario: { name: 'offline-slave', params: { pack: 3 } }, baud: 115_200 });
    r.poller.start();
    while (r.cycles.length < 4) await r.clock.advance(1000);
    await r.poller.stop();
    const health = new Map(r.poller.health().map((h) => [h.address, h]));
    expect(health.get(1)?.state).toBe('ok');
    expect(health.get(2)?.state).toBe('ok');
    expect(health.get(3)?.state).not.toBe('ok');
    r.bank.dispose();
  });

  it('a parameter written through the client reads back and drives the pack', async () => {
    const r = await rig({ packCount: 2 });
    const ov = { enabled: true, alarm_mV: 3550, protect_mV: 3650, release_mV: 3400, delay_ms: 2000 };
    await r.clock.run(r.client.call(setCellOverVoltage, 2, ov));
    expect(await r.clock.run(r.client.call(readCellOverVoltage, 2, undefined))).toEqual(ov);
    expect(r.bank.packAt(2)!.params.cellOverVoltage).toEqual(ov);
    expect(r.bank.packAt(1)!.params.cellOverVoltage.protect_mV).toBe(3700);
    r.bank.dispose();
  });
});

// Report mode: an opened report is the bank the pages read, as at its own time, and the session
// says so (phase 'report'); connecting or disconnecting leaves it.

import { describe, expect, it } from 'vitest';
import { sampleReport } from '$lib/report/testing';
import { VirtualClock } from '$lib/time/clock';
import type { LinkFactory } from './ports';
import { DeviceSession } from './session.svelte';
import { SettingsStore } from './settings.svelte';
import { MemoryStorage } from './storage';
import { ReportSource } from './report-source';

function idleSession(): DeviceSession {
  const refuse = async () => {
    throw new Error('no device in this test');
  };
  const links: LinkFactory = {
    request: refuse,
    remembered: async () => null,
    setBaud: async () => undefined,
    probe: async () => true,
    attach: () => {
      throw new Error('no device in this test');
    }
  };
  const storage = new MemoryStorage();
  return new DeviceSession({ links, clock: new VirtualClock(5_000), storage, settings: new SettingsStore(storage), frame: null });
}

describe('a report as the bank', () => {
  it('gives the pages its packs, totals and trends, as at the time of its newest values', () => {
    const report = sampleReport();
    const source = new ReportSource(report);
    expect(source.topology.addresses).toEqual([1, 2]);
    // Nothing in a report is live now; its values are marked as from the report.
    expect(source.packs.map((p) => [p.address, p.fresh, p.fromReport, p.isMaster])).toEqual([
      [1, false, true, true],
      [2, false, true, false]
    ]);
    expect(source.pack(2)?.analog?.cells_mV).toEqual(report.packs[1].analog?.cells_mV);
    expect(source.totals).toMatchObject({ freshPacks: 2, totalPacks: 2, state: 'discharging' });
    expect(source.totals.busCurrent_A).toBeCloseTo(-24.68, 2);
    expect(source.now_ms).toBe(report.packs[0].received_ms);
    expect(source.trend(1)?.length).toBe(6);
    expect(source.trend(1)?.first_ms).toBe(report.packs[0].samples[0].t_ms);
    expect(source.link).toMatchObject({ phase: 'report', timeouts: 0 });
  });

  it('the session shows it in report mode, and closing, disconnecting or connecting leaves it', async () => {
    const session = idleSession();
    expect(session.phase).toBe('idle');
    await session.showReport(sampleReport());
    expect(session.phase).toBe('report');
    expect(session.active).toBe(true);
    expect(session.client).toBeNull();
    expect(session.packs).toHaveLength(2);
    expect(session.transportInfo?.label).toBe('USB CP210x (10c4:ea60)');
    expect(session.now_ms).toBe(sampleReport().packs[0].received_ms);
    expect(session.epochOffset_ms).toBe(0);
    expect(session.report?.report.request.ticket).toBe('T-42');

    await session.disconnect();
    expect(session.phase).toBe('idle');
    expect(session.packs).toEqual([]);

    await session.showReport(sampleReport());
    session.closeReport();
    expect(session.phase).toBe('idle');

    await session.showReport(sampleReport());
    expect(await session.connect({ kind: 'serial' })).toBe(false);
    expect(session.report).toBeNull();
    expect(session.phase).toBe('error');
  });
});

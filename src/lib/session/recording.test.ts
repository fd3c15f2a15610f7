// The app-wide recorder on virtual time: the session's own poller over a simulated bank, the real
// Recorder into fake-indexeddb. Every reading of every pack ends up stored under the pack's serial
// (those that arrived before the serial was read included), a full disk stops recording cleanly
// with every row written before it intact, and recording restarts once there is room.

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { PackUpdate } from '$lib/protocol/bank-types';
import { installFakeQuota } from '$lib/storage/testing/fake-quota';
import { RecordingFeature } from './recording.svelte';
import { simSession } from './testing/sim-session';

/** Readings with values per address, as the session reported them (the test's own listener). */
function countReadings(s: { session: { onUpdate(l: (u: PackUpdate) => void): () => void } }) {
  const counts = new Map<number, number>();
  const first = new Map<number, number>();
  s.session.onUpdate((u) => {
    if (!u.analog || u.analog.empty) return;
    counts.set(u.address, (counts.get(u.address) ?? 0) + 1);
    if (!first.has(u.address)) first.set(u.address, u.received_ms);
  });
  return { counts, first };
}

async function storedRows(storage: Awaited<ReturnType<ReturnType<typeof simSession>['storage']>>, device: string): Promise<number[]> {
  const t: number[] = [];
  for await (const r of storage.telemetry.samples(device, { from_ms: 0, to_ms: Number.MAX_SAFE_INTEGER })) t.push(r.t_ms);
  return t;
}

describe('RecordingFeature', { timeout: 60_000 }, () => {
  it('stores every reading of every pack under its serial, those before the serial was known too', async () => {
    const s = simSession();
    const f = new RecordingFeature(s.session, { now: s.now, pageEvents: false });
    f.start();
    const seen = countReadings(s);
    await s.connect();
    expect(f.phase.kind).toBe('waiting');
    await s.clock.advance(60_000);
    expect(f.phase.kind).toBe('recording');
    for (const a of [1, 2, 3]) expect(f.deviceKey(a)).toEqual({ key: `sn:${s.bank.packAt(a)!.identity.bmsSerial}`, kind: 'serial', reason: null });
    expect(f.bank).toBe(`bank:sn:${s.bank.packAt(1)!.identity.bmsSerial}`);
    await s.clock.run(s.session.disconnect());
    await s.clock.run(f.dispose());
    expect(f.phase.kind).toBe('off');

    const db = await s.storage();
    let total = 0;
    for (const a of [1, 2, 3]) {
      const rows = await storedRows(db, `sn:${s.bank.packAt(a)!.identity.bmsSerial}`);
      expect(rows.length).toBe(seen.counts.get(a));
      // The first reading of each pack, held until its serial was read, is the first row (times are stored to the ms).
      expect(Math.abs(rows[0] - (s.now() - s.clock.now() + seen.first.get(a)!))).toBeLessThanOrEqual(0.5);
      total += rows.length;
    }
    expect(total).toBeGreaterThan(3 * 30);
    expect(f.written).toBe(total);
    const recordings = await db.telemetry.recordings();
    expect(recordings.map((r) => r.address).sort()).toEqual([1, 2, 3]);
    const device = await db.devices.get(`sn:${s.bank.packAt(2)!.identity.bmsSerial}`);
    expect(device).toMatchObject({ lastAddress: 2, model: 'P16S100A', cellCount: 16 });
    await s.close();
  });

  it('a full disk stops recording with the reason, keeps every row written before, and polling goes on', async () => {
    const s = simSession();
    const f = new RecordingFeature(s.session, { now: s.now, pageEvents: false, flushEvery_ms: 5_000 });
    f.start();
    await s.connect();
    await s.clock.advance(40_000);
    expect(f.phase.kind).toBe('recording');
    const quota = await installFakeQuota({ failAfterWrites: 0 });
    try {
      await s.clock.advance(20_000);
      expect(f.phase).toMatchObject({ kind: 'stopped', reason: { kind: 'quota' } });
      const reason = f.phase.kind === 'stopped' ? f.phase.reason : null;
      expect(reason!.lost).toBeGreaterThan(0);
      expect(reason!.message).toMatch(/no more room/);
      // Polling is untouched: the packs are live.
      expect(s.session.packs.every((p) => p.fresh)).toBe(true);
    } finally {
      quota.restore();
    }
    const db = await s.storage();
    let stored = 0;
    for (const a of [1, 2, 3]) stored += (await storedRows(db, `sn:${s.bank.packAt(a)!.identity.bmsSerial}`)).length;
    expect(stored).toBe(f.written);
    expect(stored).toBeGreaterThan(0);

    // Room again: recording restarts as a new session, and its rows are stored after the others.
    await s.clock.run(f.restart());
    await s.clock.advance(20_000);
    expect(f.phase.kind).toBe('recording');
    await s.clock.run(f.dispose());
    let after = 0;
    for (const a of [1, 2, 3]) after += (await storedRows(db, `sn:${s.bank.packAt(a)!.identity.bmsSerial}`)).length;
    expect(after).toBe(f.written);
    expect(after).toBeGreaterThan(stored);
    expect(new Set((await db.telemetry.recordings()).map((r) => r.session)).size).toBe(2);
    await s.close();
  });

  it('writes what it holds when the link is lost, and stops (all written) when it is let go', async () => {
    const s = simSession();
    const f = new RecordingFeature(s.session, { now: s.now, pageEvents: false, flushEvery_ms: 60_000 });
    f.start();
    await s.connect();
    await s.clock.advance(30_000);
    expect(f.stats?.written ?? 0).toBe(0);
    s.bank.inject({ kind: 'unplug' });
    await s.clock.advance(100);
    await s.clock.run(f.flush());
    expect(f.stats!.written).toBeGreaterThan(0);
    expect(f.stats!.pending + f.stats!.unsaved).toBe(0);
    await s.close();
    await f.dispose();
  });

  it('turned off, it records nothing and says so; turned on, it records again', async () => {
    const s = simSession();
    const f = new RecordingFeature(s.session, { now: s.now, pageEvents: false });
    f.start();
    await s.connect();
    await s.clock.advance(20_000);
    await s.clock.run(f.turnOff());
    expect(f.phase.kind).toBe('disabled');
    const before = f.written;
    await s.clock.advance(20_000);
    expect(f.written).toBe(before);
    await s.clock.run(f.restart());
    await s.clock.advance(20_000);
    expect(f.phase.kind).toBe('recording');
    await s.clock.run(f.dispose());
    expect(f.written).toBeGreaterThan(before);
    await s.close();
  });
});

// The history page's session side on virtual time: a simulated bank's event log read into
// fake-indexeddb through the app's bridge, read again without duplicates, exported (streamed into a
// file the test holds) and only then cleared on the pack, through the write authority.

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { historyFeature } from './history-feature.svelte';
import { recordingFeature } from './recording.svelte';
import { simSession } from './testing/sim-session';

/** A save dialog that hands out a writable collecting the file's text. */
function fakeSavePicker(): { text: () => string; names: string[]; restore: () => void } {
  const chunks: Uint8Array[] = [];
  const names: string[] = [];
  const g = globalThis as { showSaveFilePicker?: unknown };
  const before = g.showSaveFilePicker;
  g.showSaveFilePicker = async (o: { suggestedName: string }) => {
    names.push(o.suggestedName);
    chunks.length = 0;
    return { createWritable: async () => new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) }) };
  };
  return {
    names,
    text: () => new TextDecoder().decode(Uint8Array.from(chunks.flatMap((c) => [...c]))),
    restore: () => {
      g.showSaveFilePicker = before;
    }
  };
}

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

describe('HistoryFeature', { timeout: 120_000 }, () => {
  it('reads a pack’s log, decoded, once; exports it; clears the pack only after that, in installer mode', async () => {
    const s = simSession({ packCount: 2, seed: 'history-feature' });
    recordingFeature(s.session, { now: s.now, pageEvents: false });
    const h = historyFeature(s.session);
    await s.connect();
    await s.clock.advance(15_000);
    const pack = s.bank.packAt(2)!;
    const size = pack.history.size;
    expect(h.packs.map((p) => [p.address, p.reach])).toEqual([
      [1, 'readable'],
      [2, 'readable']
    ]);
    const device = `sn:${pack.identity.bmsSerial}`;
    expect(h.packs[1].device).toBe(device);

    const first = await s.clock.run(h.read(2));
    expect(first).toMatchObject({ stop: 'end', read: size, added: size, complete: true, problem: null });
    const again = await s.clock.run(h.read(2));
    expect(again).toMatchObject({ stop: 'overlap', added: 0 });
    const rows = await h.rows([device]);
    expect(rows).toHaveLength(size);
    expect(rows[rows.length - 1].rec.event.kind).toBe('power-on');
    expect(rows.every((r) => r.address === 2 && r.device === device)).toBe(true);

    expect((await h.clearGate(device)).refusal).toEqual({ reason: 'not-exported' });
    const picker = fakeSavePicker();
    restore = picker.restore;
    const out = await s.clock.run(h.export([device], 'csv', 'pack-2-history.csv'));
    expect(out.result).toMatchObject({ kind: 'saved', via: 'file-system-access' });
    expect(out.records).toBe(size);
    const lines = picker
      .text()
      .split('\r\n')
      .filter((l) => l);
    expect(lines).toHaveLength(size + 1);
    expect(lines[0]).toMatch(/^"pack time \(pack clock, no zone\)",pack time valid,device,address/);
    expect(lines.filter((l) => l.includes('Power-on')).length).toBeGreaterThan(0);
    expect((await h.clearGate(device)).refusal).toBeNull();

    // Locked installer mode: the write authority refuses B3H, the pack keeps its log.
    const refused = await s.clock.run(h.clear(2, pack.identity.bmsSerial));
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && 'error' in refused ? refused.error.message : '').toMatch(/installer mode/);
    expect(pack.history.size).toBe(size);

    expect(await s.clock.run(s.session.installer.setPin('2468'))).toBeNull();
    const cleared = await s.clock.run(h.clear(2, pack.identity.bmsSerial));
    expect(cleared).toMatchObject({ ok: true, address: 2 });
    expect(pack.history.size).toBeLessThanOrEqual(1);
    // The stored copy stays.
    expect(await h.rows([device])).toHaveLength(size);
    await s.close();
  });

  it('refuses to clear before the log is stored and exported, whatever the installer mode', async () => {
    const s = simSession({ packCount: 2, seed: 'history-feature-2' });
    const h = historyFeature(s.session);
    await s.connect();
    await s.clock.advance(15_000);
    await s.clock.run(s.session.installer.setPin('2468'));
    const pack = s.bank.packAt(1)!;
    const size = pack.history.size;
    expect(await s.clock.run(h.clear(1, pack.identity.bmsSerial))).toMatchObject({ ok: false, refusal: { reason: 'nothing-stored' } });
    await s.clock.run(h.read(1));
    expect(await s.clock.run(h.clear(1, pack.identity.bmsSerial))).toMatchObject({ ok: false, refusal: { reason: 'not-exported' } });
    expect(pack.history.size).toBe(size);
    await s.close();
  });

  it('a cancelled read keeps what it stored and leaves the copy incomplete', async () => {
    const s = simSession({ packCount: 2, seed: 'history-feature-3' });
    const h = historyFeature(s.session);
    await s.connect();
    await s.clock.advance(15_000);
    const reading = h.read(1);
    let cancelled = false;
    const stop = () => {
      if (!cancelled && (h.reading?.progress.read ?? 0) >= 20) {
        cancelled = true;
        h.cancel();
      }
    };
    const timer = setInterval(stop, 0);
    const r = await s.clock.run(reading);
    clearInterval(timer);
    expect(r.stop).toBe('cancelled');
    expect(r.added).toBeGreaterThan(0);
    expect(r.complete).toBe(false);
    const device = h.packs[0].device!;
    expect(await h.rows([device])).toHaveLength(r.added);
    expect((await h.clearGate(device)).refusal).toEqual({ reason: 'incomplete' });
    await s.close();
  });
});

// The diagnose run end to end on virtual time: a DeviceSession (real client, poller and bank state)
// on a simulated 4-pack bank with one hot pack and one weak cell, read-only as the diagnose page
// holds it. The report must judge those two packs and no other, survive its own file check, carry
// the frames it was read from, and nothing but reads may have gone down the wire.

import { describe, expect, it } from 'vitest';
import type { PaceClient } from '$lib/protocol/client';
import type { BankPoller } from '$lib/protocol/poller';
import { ProtocolError } from '$lib/protocol/errors';
import { encodeFrame, FrameReader, type Frame } from '$lib/protocol/frame';
import { findCommands } from '$lib/protocol/registry';
import { setChargeMos } from '$lib/protocol/commands/control';
import { createSimBank, type SimBank, type SimBankOptions } from '$lib/sim/bank';
import { VirtualClock } from '$lib/time/clock';
import { SimTransport } from '$lib/transport/sim';
import { parseReport, reportJson, type DiagnoseReport } from '$lib/report';
import { InstallerMode, MemoryPinStore } from '$lib/params';
import { attachPaceLink } from './pace-link';
import type { LinkFactory } from './ports';
import { DeviceSession } from './session.svelte';
import { SettingsStore } from './settings.svelte';
import { MemoryStorage } from './storage';
import { runDiagnose } from './diagnose-run';
import { demoScenario } from './demo-scenarios';

interface Rig {
  clock: VirtualClock;
  bank: SimBank;
  session: DeviceSession<PaceClient, BankPoller>;
  /** Every frame the host put on the wire. */
  sent: Frame[];
}

async function rig(o: Partial<SimBankOptions> = {}): Promise<Rig> {
  const clock = new VirtualClock(Date.UTC(2026, 2, 12, 14, 0, 0));
  const bank = createSimBank({ packCount: 4, seed: 'diagnose', clock, baud: 115_200, scenario: demoScenario('faults', [1, 2, 3, 4]), ...o });
  const transport = new SimTransport(bank, { clock });
  const sent: Frame[] = [];
  const reader = new FrameReader();
  const write = transport.write.bind(transport);
  transport.write = (bytes: Uint8Array) => {
    for (const ev of reader.push(bytes)) if (ev.type === 'frame') sent.push(ev.frame);
    return write(bytes);
  };
  const links: LinkFactory<PaceClient, BankPoller> = {
    request: async () => transport,
    remembered: async () => null,
    setBaud: async () => undefined,
    probe: async () => true,
    attach: (t, opts) => attachPaceLink(t, opts)
  };
  const storage = new MemoryStorage();
  const installer = new InstallerMode({ store: new MemoryPinStore(), clock, iterations: 1000 });
  const session = new DeviceSession({ links, clock, storage, settings: new SettingsStore(storage), frame: null, installer });
  expect(await clock.run(session.connect({ kind: 'sim' }))).toBe(true);
  return { clock, bank, session, sent };
}

function isRead(f: Frame): boolean {
  const cmds = findCommands(f.code, f.ver, f.cid1);
  return cmds.length > 0 && cmds.every((c) => c.kind === 'read');
}

async function diagnose(r: Rig, watch_ms = 90_000): Promise<DiagnoseReport> {
  return r.clock.run(
    runDiagnose(r.session, {
      watch_ms,
      ticket: 'T-1234',
      expectedPacks: 4,
      language: 'en',
      appVersion: 'test',
      userAgent: null,
      now: () => r.clock.now()
    })
  );
}

describe('the diagnose run', () => {
  it('finds the hot pack and the weak cell, says the others are good, and sends only reads', { timeout: 60_000 }, async () => {
    const r = await rig();
    const release = r.session.writes.enterReadOnly('the diagnose page only reads');
    const report = await diagnose(r);
    release();

    const verdicts = Object.fromEntries(report.verdicts.map((v) => [v.address, v.verdict]));
    expect(verdicts).toEqual({ 1: 'good', 2: 'watch', 3: 'good', 4: 'watch' });
    const weak = report.findings.find((f) => f.id === 'weak-cell' && f.pack === 2);
    expect(weak?.severity).toBe('watch');
    expect(weak?.values.cell).toBe(7);
    const hot = report.findings.find((f) => f.id === 'pack-hotter');
    expect(hot?.pack).toBe(4);
    expect(hot?.values.delta_C as number).toBeGreaterThanOrEqual(8);
    // Nothing else about the other packs is worth a word but notes.
    for (const f of report.findings) if (f.pack === 1 || f.pack === 3) expect(['ok', 'note']).toContain(f.severity);

    // Everything was read: identity, clock, parameters, history, samples over the watch.
    for (const p of report.packs) {
      expect(p.identity?.bmsSerial).toMatch(/^P1812/);
      expect(p.clock.status).toBe('ok');
      expect(p.params?.reachable).toBe(true);
      expect(p.params?.values['cellOverVoltage.protect_mV']).toBe(3700);
      expect(p.history?.records.length).toBe(32);
      expect(p.samples.length).toBeGreaterThan(30);
      expect(p.polls.missed).toBe(0);
    }
    expect(report.request).toEqual({ ticket: 'T-1234', expectedPacks: 4, watch_s: 90, language: 'en' });
    expect(report.summary.text).toContain('2 of 4 packs need attention.');
    expect(report.summary.text).toContain('Cell 7 is weak');

    // The raw frames are in it, and they are what went down the wire.
    const tx = report.traffic.entries.filter((e) => e.dir === 'tx');
    expect(tx.length).toBeGreaterThan(100);
    expect(tx.some((e) => e.text.startsWith('~250146A1'))).toBe(true);
    expect(r.sent.length).toBeGreaterThan(100);
    expect(r.sent.filter((f) => !isRead(f))).toEqual([]);

    // The file it makes opens again, as it was.
    const opened = parseReport(reportJson(report));
    expect(opened.ok && opened.report).toEqual(JSON.parse(JSON.stringify(report)));
    await r.clock.run(r.session.disconnect());
    r.bank.dispose();
  });

  it('a write from anywhere is refused at the client while the session is read-only, and no byte of it leaves', { timeout: 60_000 }, async () => {
    const r = await rig({ packCount: 2, scenario: 'load' });
    const release = r.session.writes.enterReadOnly('the diagnose page only reads');
    const client = r.session.client!;
    // With installer mode unlocked and a path holding a grant, read-only still wins.
    await r.session.installer.setPin('2468');
    expect((await r.session.installer.unlock('2468')).ok).toBe(true);
    const before = r.sent.length;
    await expect(r.clock.run(client.call(setChargeMos, 1, { on: false }))).rejects.toMatchObject({ kind: 'write-refused' });
    const raw = encodeFrame({ ver: 0x25, adr: 1, cid1: 0x46, code: setChargeMos.cid2, info: setChargeMos.encodeRequest({ on: false }) });
    const refused = await r.clock.run(client.raw(raw)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect((refused as ProtocolError).message).toContain('only reads');
    await r.clock.advance(3000);
    expect(r.sent.slice(before).filter((f) => !isRead(f))).toEqual([]);
    // Released: the same request is refused for the ordinary reason (no checked path holds a grant), still not sent.
    release();
    await expect(r.clock.run(client.call(setChargeMos, 1, { on: false }))).rejects.toThrow(/checked paths/);
    expect(r.sent.filter((f) => !isRead(f))).toEqual([]);
    await r.clock.run(r.session.disconnect());
    r.bank.dispose();
  });
});

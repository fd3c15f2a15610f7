// The app-wide features load after the first paint (app-features.ts), and the pieces that make
// that safe: the session's beforeConnect gate (no link comes up before they listen), and the
// browser's link factory loading the protocol with the transport (browser-links.ts).

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { PaceClient } from '$lib/protocol/client';
import { BankPoller } from '$lib/protocol/poller';
import { createSimBank } from '$lib/sim/bank';
import { VirtualClock } from '$lib/time/clock';
import { SimTransport } from '$lib/transport/sim';
import { DEFAULT_DECODE_OPTIONS } from '$lib/protocol/types';
import { loadAppFeatures } from './app-features';
import { browserLinks } from './browser-links';
import { firmwareWatch } from './firmware-watch.svelte';
import { attachPaceLink } from './pace-link';
import type { LinkFactory } from './ports';
import { probeLink } from './probe';
import { recordingFeature } from './recording.svelte';
import { DeviceSession, type LinkEvent } from './session.svelte';
import { simSession } from './testing/sim-session';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A session on a two-pack simulated bank whose connects wait for `gate`; counts the transports asked for. */
function gatedSession(gate: () => Promise<void>) {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: 2, seed: 'gate', clock, baud: 115_200, scenario: 'load' });
  const asked = { count: 0 };
  const links: LinkFactory = {
    request: async () => {
      asked.count++;
      return new SimTransport(bank, { clock, label: 'Demo bank (test)' });
    },
    remembered: async () => null,
    setBaud: async () => undefined,
    probe: (t, profile, o) => probeLink(t, profile, o),
    attach: (t, o) => attachPaceLink(t, o)
  };
  const session = new DeviceSession({
    links,
    clock,
    storage: null,
    frame: null,
    database: () => Promise.reject(new Error('no storage in this test')),
    beforeConnect: gate
  });
  return { clock, bank, session, asked };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the beforeConnect gate', () => {
  it('holds a connect until it settles, so a feature that starts listening meanwhile hears the attach', async () => {
    const gate = deferred();
    const { clock, bank, session, asked } = gatedSession(() => gate.promise);
    const connecting = session.connect({ kind: 'sim' });
    await settle();
    expect(session.phase).toBe('connecting');
    expect(asked.count).toBe(0);

    const events: LinkEvent[] = [];
    session.onLink((e) => events.push(e));
    gate.resolve();
    expect(await clock.run(connecting)).toBe(true);
    expect(asked.count).toBe(1);
    expect(events).toEqual(['attached']);
    await clock.run(session.disconnect());
    expect(events).toEqual(['attached', 'detached']);
    bank.dispose();
  });

  it('a disconnect while the gate holds ends the connect without asking for a device', async () => {
    const gate = deferred();
    const { clock, bank, session, asked } = gatedSession(() => gate.promise);
    const connecting = session.connect({ kind: 'sim' });
    await settle();
    await clock.run(session.disconnect());
    gate.resolve();
    expect(await clock.run(connecting)).toBe(false);
    expect(asked.count).toBe(0);
    expect(session.phase).toBe('idle');
    expect(session.error).toBeNull();
    bank.dispose();
  });
});

describe('loadAppFeatures', { timeout: 60_000 }, () => {
  it("loads the session's own recorder and firmware watch, and the recorder follows the next connect", async () => {
    const s = simSession();
    const load = loadAppFeatures(s.session);
    await load.whenReady();
    const features = await load.features;
    expect(features.recording).toBe(recordingFeature(s.session));
    expect(features.firmware).toBe(firmwareWatch(s.session));
    expect(features.recording.phase.kind).toBe('off');
    await s.connect();
    expect(features.recording.phase.kind).toBe('waiting');
    await s.clock.advance(60_000);
    expect(features.recording.phase.kind).toBe('recording');
    expect(features.firmware.flashing).toBe(false);
    await s.clock.run(features.recording.dispose());
    features.firmware.dispose();
    await s.close();
  });
});

describe('browserLinks', () => {
  const attachOptions = (clock: VirtualClock) => ({
    profile: 'pace' as const,
    ver: 0x25,
    cid1: 0x46,
    masterAddress: 1,
    addressing: 'relay' as const,
    clock,
    decodeOptions: DEFAULT_DECODE_OPTIONS
  });

  it('hands out a transport only with the protocol loaded, so attach() can run on it at once', async () => {
    const clock = new VirtualClock();
    const links = browserLinks({ clock });
    const stray = new SimTransport(createSimBank({ packCount: 1, seed: 'stray', clock, baud: 115_200 }), { clock });
    expect(() => links.attach(stray, attachOptions(clock))).toThrow(/before a transport was obtained/);

    const transport = await links.request({ kind: 'sim', baud: 9600, demoPacks: 2, demoScenario: 'household' });
    expect(transport.info.label).toBe('Demo bank (2 packs)');
    const link = links.attach(transport, attachOptions(clock));
    expect(link.client).toBeInstanceOf(PaceClient);
    expect(link.poller).toBeInstanceOf(BankPoller);
    link.client.dispose();
    await transport.open(new AbortController().signal);
    await transport.close();
  });
});

// A Pylontech group through the whole session as the app wires it (detection, attachPaceLink, the
// poller, the bank state the pages read): each module of the group is a pack of its own, fresh
// from the group master's one frame.

import { describe, expect, it } from 'vitest';
import '$lib/protocol/registry';
import { FakeTransport } from '$lib/protocol/fixtures/fake-transport';
import { PylonGroupBus } from '$lib/protocol/fixtures/pylon-group';
import { VirtualClock } from '$lib/time/clock';
import { attachPaceLink } from './pace-link';
import type { LinkFactory } from './ports';
import { probeLink } from './probe';
import { DeviceSession } from './session.svelte';
import { SettingsStore } from './settings.svelte';
import { MemoryStorage } from './storage';

function harness() {
  const clock = new VirtualClock(1_000_000);
  const transport = new FakeTransport({ clock, state: 'closed' });
  const bus = new PylonGroupBus({ modules: 3 });
  transport.responder = bus.respond;
  const storage = new MemoryStorage();
  const links: LinkFactory = {
    request: async () => transport,
    remembered: async () => transport,
    setBaud: async () => undefined,
    probe: (t, profile, o) => probeLink(t, profile, o),
    attach: (t, o) => attachPaceLink(t, o)
  };
  const session = new DeviceSession({ links, clock, storage, settings: new SettingsStore(storage) });
  return { clock, bus, session };
}

describe('DeviceSession on a Pylontech group', () => {
  it('detects Pylontech, asks the group master with COMMAND FF, and shows every module as a fresh pack', async () => {
    const h = harness();
    expect(await h.clock.run(h.session.connect({ kind: 'serial' }))).toBe(true);
    await h.clock.advance(10_000);
    const s = h.session;
    expect(s.detected).toMatchObject({ profile: 'pylon', ver: 0x20, masterAddress: 2 });
    expect(s.topology).toMatchObject({ masterAddress: 2, addresses: [2, 3, 4], broadcast: true, pylonGroup: 0 });
    expect(s.packs.map((p) => [p.address, p.isMaster, p.fresh])).toEqual([
      [2, true, true],
      [3, false, true],
      [4, false, true]
    ]);
    expect(s.packs.map((p) => p.analog?.cells_mV[0])).toEqual([3300, 3310, 3320]);
    expect(s.packs.map((p) => p.analog?.current_A)).toEqual([-1.5, -3, -4.5]);
    expect(s.packs.every((p) => p.status !== null)).toBe(true);
    expect(s.totals.freshPacks).toBe(3);
    expect(h.bus.requests.some((r) => r.adr === 2 && r.code === 0x42 && r.info[0] === 0xff)).toBe(true);

    // The whole group falls silent: no module stays fresh.
    h.bus.silent = true;
    await h.clock.advance(10_000);
    expect(s.packs.map((p) => p.fresh)).toEqual([false, false, false]);
  });
});

// Issue 16, point 3, end to end below the DOM: a DeviceSession (real detection, client and poller
// on virtual time) connected to a VER 20 module (Pylontech UP2500, 8 cells) at address 2 that
// refuses 44H with RTN 04, and what the pages' models make of it.

import { describe, expect, it } from 'vitest';
import { FakeTransport } from '$lib/protocol/fixtures/fake-transport';
import { Ver20Module } from '$lib/protocol/fixtures/ver20-module';
import { VirtualClock } from '$lib/time/clock';
import { attachPaceLink } from '$lib/session/pace-link';
import type { LinkFactory } from '$lib/session/ports';
import { probeLink } from '$lib/session/probe';
import { DeviceSession } from '$lib/session/session.svelte';
import { SettingsStore } from '$lib/session/settings.svelte';
import { MemoryStorage } from '$lib/session/storage';
import { NAV_ITEMS, navHref } from './nav-items';
import { packCardModel } from './pack-card';
import { statusFigures } from './pack-detail';
import { packFreshness } from './freshness';

async function connectedModule() {
  const clock = new VirtualClock(1_000_000);
  const transport = new FakeTransport({ clock, state: 'closed' });
  const module = new Ver20Module({ echo: 'asked' });
  transport.responder = module.respond;
  const links: LinkFactory = {
    request: async () => transport,
    remembered: async () => null,
    setBaud: async () => undefined,
    probe: (t, profile, o) => probeLink(t, profile, o),
    attach: (t, o) => attachPaceLink(t, o)
  };
  const storage = new MemoryStorage();
  const session = new DeviceSession({ links, clock, storage, settings: new SettingsStore(storage), frame: null });
  expect(await clock.run(session.connect({ kind: 'serial' }))).toBe(true);
  await clock.advance(12_000);
  return { clock, session, module };
}

describe('a VER 20 module at address 2 that refuses 44H, as the pages see it', () => {
  it('is found as Pylontech at address 2, and the only pack the pages offer is Pack 2', async () => {
    const { session } = await connectedModule();
    expect(session.detected).toMatchObject({ profile: 'pylon', masterAddress: 2, ver: 0x20 });
    expect(session.packs.map((p) => p.address)).toEqual([2]);
    const packsItem = NAV_ITEMS.find((i) => i.label() === 'Packs')!;
    expect(navHref(packsItem, { firstPackAddress: session.packs[0].address })).toBe('/pack/2');
  });

  it('shows its analog values as live although 44H is refused, and the status as not supported', async () => {
    const { session, clock } = await connectedModule();
    const view = session.pack(2)!;
    expect(view.fresh).toBe(true);
    expect(packFreshness(view)).toBe('live');
    expect(view.status).toBeNull();
    expect(view.statusUnsupported).toBe(true);
    const card = packCardModel(view, clock.now());
    expect(card.freshness).toBe('live');
    expect(card.alarmText).toBe('Status not supported by this pack');
    expect(card.voltage).toBe('26.40\u00a0V');
  });

  it('shows "—" for the design capacity and SOH its reply does not carry, never 0', async () => {
    const { session } = await connectedModule();
    const figures = Object.fromEntries(statusFigures(session.pack(2)!.analog!).map((f) => [f.id, f.value]));
    expect(figures.design).toBe('—');
    expect(figures.soh).toBe('—');
    expect(figures.full).toBe('50.0\u00a0Ah');
  });

  it('names its temperature sensors by its 8 cells', async () => {
    const { session } = await connectedModule();
    expect(session.pack(2)!.analog!.tempLabels).toEqual(['BMS board', 'Cells 1–2', 'Cells 3–4', 'Cells 5–6', 'Cells 7–8']);
  });
});

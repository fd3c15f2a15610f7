// Test kit: a DeviceSession on virtual time whose "demo bank" is a simulated bank built here (so
// the test holds it), through the app's own wiring (SimTransport, attachPaceLink, probeLink), with
// a fresh fake-indexeddb database. Import 'fake-indexeddb/auto' in the test file first.

import { createSimBank, type SimBank, type SimBankOptions } from '$lib/sim/bank';
import { openStorage, type AppStorage } from '$lib/storage';
import { VirtualClock } from '$lib/time/clock';
import { SimTransport } from '$lib/transport/sim';
import { attachPaceLink } from '../pace-link';
import type { LinkFactory } from '../ports';
import { probeLink } from '../probe';
import { DeviceSession } from '../session.svelte';

/** Where virtual time 0 sits on the calendar. */
export const SIM_EPOCH_ms = Date.UTC(2025, 5, 2, 8);

let dbCount = 0;

export interface SimSession {
  clock: VirtualClock;
  bank: SimBank;
  session: DeviceSession;
  storage: () => Promise<AppStorage>;
  /** Wall time for features: the epoch plus virtual time. */
  now: () => number;
  connect(): Promise<void>;
  close(): Promise<void>;
}

export function simSession(options: Partial<SimBankOptions> = {}): SimSession {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: 3, seed: 'sim-session', clock, baud: 115_200, scenario: 'load', pastHistory_days: 20, ...options });
  const links: LinkFactory = {
    request: async () => new SimTransport(bank, { clock, label: 'Demo bank (test)' }),
    remembered: async () => null,
    setBaud: async () => undefined,
    probe: (t, profile, o) => probeLink(t, profile, o),
    attach: (t, o) => attachPaceLink(t, o)
  };
  let opened: Promise<AppStorage> | null = null;
  const name = `sim-session-${dbCount++}`;
  const storage = () => (opened ??= openStorage({ name, storageManager: null, now: () => SIM_EPOCH_ms + clock.now() }));
  const session = new DeviceSession({ links, clock, storage: null, frame: null, database: storage });
  return {
    clock,
    bank,
    session,
    storage,
    now: () => SIM_EPOCH_ms + clock.now(),
    async connect() {
      const ok = await clock.run(session.connect({ kind: 'sim' }));
      if (!ok) throw new Error(`the simulated bank did not connect: ${session.error?.message ?? session.phase}`);
    },
    async close() {
      await clock.run(session.disconnect());
      bank.dispose();
      if (opened) (await opened).close();
    }
  };
}

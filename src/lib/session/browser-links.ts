// The app's LinkFactory: Web Serial, Web Bluetooth, or the simulated demo bank. Everything behind
// a link is imported on demand: the simulator and the Bluetooth code when they are chosen, the
// serial transport and the protocol (client, poller, command codecs) at the first connect. The
// page people land on then paints without them, and a person who only ever plugs in a cable
// does not download the simulator.

import { realClock, type Clock } from '$lib/time/clock';
import type { Transport } from '$lib/transport/types';
import { demoScenario } from './demo-scenarios';
import { pickRemembered, type LastDevice } from './last-device';
import type { AttachOptions, Link, LinkChoice, LinkFactory } from './ports';

type SerialModule = typeof import('$lib/transport/serial');

/** What the session runs on a link; loaded with the first request, before any attach. */
interface Protocol {
  attach(transport: Transport, options: AttachOptions): Link;
  probe: typeof import('./probe').probeLink;
}

async function loadProtocol(): Promise<Protocol> {
  const [{ attachPaceLink }, { probeLink }] = await Promise.all([import('./pace-link'), import('./probe')]);
  return { attach: (transport, options) => attachPaceLink(transport, options), probe: probeLink };
}

export interface BrowserLinkOptions {
  /** Default realClock. */
  clock?: Clock;
  /**
   * Line rate of the demo bank's simulated wire. Default 115200: a 16-pack bank then refreshes
   * about once a second, where 9600 would take four (as a real 16-pack bank does).
   */
  demoBaud?: number;
  /** Seed of the demo bank, so every visitor sees the same bank. Default 'demo'. */
  demoSeed?: string;
}

async function openDemoBank(choice: LinkChoice, clock: Clock, options: BrowserLinkOptions): Promise<Transport> {
  const [{ createSimBank }, { SimTransport }] = await Promise.all([import('$lib/sim'), import('$lib/transport/sim')]);
  const packs = choice.demoPacks;
  const faults = choice.demoScenario === 'faults';
  const bank = createSimBank({
    packCount: packs,
    seed: options.demoSeed ?? 'demo',
    clock,
    baud: options.demoBaud ?? 115_200,
    // A household day: values move on every poll, which is the point of a demo. With "faults",
    // one pack runs hot and another has a weak cell, for the diagnose wizard to find.
    scenario: demoScenario(
      choice.demoScenario,
      Array.from({ length: packs }, (_, i) => i + 1)
    )
  });
  const size = `${packs} ${packs === 1 ? 'pack' : 'packs'}`;
  const transport = new SimTransport(bank, { clock, label: faults ? `Demo bank with faults (${size})` : `Demo bank (${size})` });
  // The bank runs its physics on timers; a closed demo must stop costing battery and CPU.
  const stop = transport.onStatus((s) => {
    if (s.state === 'closed' && s.reason === 'user') {
      stop();
      bank.dispose();
    }
  });
  return transport;
}

export interface BrowserLinks extends LinkFactory {
  /**
   * Load the serial transport and the protocol now (call when the page is idle after its first
   * paint), so that a click on Connect does not wait for them. Failures are left to the connect.
   */
  preload(): void;
}

/**
 * A module loaded on first use. A failed load is not kept (offline before the chunk was stored):
 * the next use tries again. `value` is there once a load succeeded.
 */
function onDemand<T>(load: () => Promise<T>): { get(): Promise<T>; readonly value: T | null } {
  let pending: Promise<T> | null = null;
  let value: T | null = null;
  return {
    get: () =>
      (pending ??= load().then(
        (v) => (value = v),
        (e: unknown) => {
          pending = null;
          throw e;
        }
      )),
    get value() {
      return value;
    }
  };
}

export function browserLinks(options: BrowserLinkOptions = {}): BrowserLinks {
  const clock = options.clock ?? realClock;
  const serial = onDemand<SerialModule>(() => import('$lib/transport/serial'));
  const protocol = onDemand(loadProtocol);

  /**
   * A transport, once the protocol that will run on it is loaded too. The protocol loads while the
   * device is being picked or the demo bank built (in parallel, so a click costs no extra round
   * trip); the picker itself is asked at once, while the click still counts as a user gesture.
   */
  async function withProtocol<T>(obtain: Promise<T>): Promise<T> {
    const ready = protocol.get();
    // Settled here so that a failed load is not reported unhandled when the picker fails first.
    ready.catch(() => undefined);
    const got = await obtain;
    await ready;
    return got;
  }

  return {
    preload() {
      serial.get().catch(() => undefined);
      protocol.get().catch(() => undefined);
    },

    request(choice) {
      switch (choice.kind) {
        case 'serial':
          return withProtocol(serial.get().then((mod) => mod.SerialTransport.request({ clock, baud: choice.baud })));
        case 'ble':
          return withProtocol(import('$lib/transport/ble').then(({ BleTransport }) => BleTransport.request({ clock })));
        case 'sim':
          return withProtocol(openDemoBank(choice, clock, options));
      }
    },

    remembered(last: LastDevice, choice) {
      switch (last.kind) {
        case 'serial':
          return withProtocol(
            serial.get().then(async ({ SerialTransport }) => {
              const ports = await SerialTransport.fromGrantedPorts({ clock, baud: last.baud ?? choice.baud });
              return pickRemembered(last, ports, (t) => ({ usbVendorId: t.info.usbVendorId, usbProductId: t.info.usbProductId }));
            })
          );
        case 'ble':
          return withProtocol(
            import('$lib/transport/ble').then(async ({ BleTransport }) => {
              const devices = await BleTransport.fromGrantedDevices({ clock });
              return pickRemembered(last, devices, (t) => ({ bleName: t.info.bleName }));
            })
          );
        case 'sim':
          return withProtocol(openDemoBank(choice, clock, options));
      }
    },

    async setBaud(transport, baud) {
      // A serial transport can only come from the serial module, so it is loaded when one exists.
      if (serial.value && transport instanceof serial.value.SerialTransport) await transport.setBaud(baud);
    },

    probe: async (transport, profile, o) => (await protocol.get()).probe(transport, profile, o),

    attach(transport, o) {
      // request() and remembered() resolve only once the protocol is loaded, and a link is attached
      // only on a transport one of them returned.
      if (!protocol.value) throw new Error('browserLinks: attach() before a transport was obtained');
      return protocol.value.attach(transport, o);
    }
  };
}

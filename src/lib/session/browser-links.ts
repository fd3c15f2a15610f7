// The app's LinkFactory: Web Serial, Web Bluetooth, or the simulated demo bank. The simulator and
// the Bluetooth code are imported on demand, so a person who only ever plugs in a cable does not
// download them.

import { realClock, type Clock } from '$lib/time/clock';
import { SerialTransport } from '$lib/transport/serial';
import type { Transport } from '$lib/transport/types';
import { demoScenario } from './demo-scenarios';
import { pickRemembered, type LastDevice } from './last-device';
import { attachPaceLink } from './pace-link';
import type { LinkChoice, LinkFactory } from './ports';
import { probeLink } from './probe';

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

export function browserLinks(options: BrowserLinkOptions = {}): LinkFactory {
  const clock = options.clock ?? realClock;
  return {
    async request(choice) {
      switch (choice.kind) {
        case 'serial':
          return SerialTransport.request({ clock, baud: choice.baud });
        case 'ble': {
          const { BleTransport } = await import('$lib/transport/ble');
          return BleTransport.request({ clock });
        }
        case 'sim':
          return openDemoBank(choice, clock, options);
      }
    },

    async remembered(last: LastDevice, choice) {
      switch (last.kind) {
        case 'serial': {
          const ports = await SerialTransport.fromGrantedPorts({ clock, baud: last.baud ?? choice.baud });
          return pickRemembered(last, ports, (t) => ({ usbVendorId: t.info.usbVendorId, usbProductId: t.info.usbProductId }));
        }
        case 'ble': {
          const { BleTransport } = await import('$lib/transport/ble');
          const devices = await BleTransport.fromGrantedDevices({ clock });
          return pickRemembered(last, devices, (t) => ({ bleName: t.info.bleName }));
        }
        case 'sim':
          return openDemoBank(choice, clock, options);
      }
    },

    async setBaud(transport, baud) {
      if (transport instanceof SerialTransport) await transport.setBaud(baud);
    },

    probe: (transport, profile, o) => probeLink(transport, profile, o),

    attach: (transport, o) => attachPaceLink(transport, o)
  };
}

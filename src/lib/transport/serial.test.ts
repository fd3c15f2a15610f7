import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/clock';
import { runTransportContract, REQUEST_90H } from './contract';
import { FakeSerial, type FakeSerialDevice } from './fixtures/serial';
import { SerialTransport } from './serial';
import { TransportError, type TransportStatus } from './types';
import { concatBytes } from './bytes';

const CP2102 = { usbVendorId: 0x10c4, usbProductId: 0xea60 };

runTransportContract('SerialTransport over FakeSerial', {
  kind: 'serial',
  async create() {
    const clock = new VirtualClock();
    const serial = new FakeSerial();
    const device = serial.attachDevice(CP2102);
    const transport = new SerialTransport(device.port!, { serial, clock });
    return {
      transport,
      sendFromDevice: async (bytes) => {
        device.push(bytes);
      },
      receivedByDevice: () => device.written(),
      dropLink: async () => device.unplug(),
      advance: (ms) => clock.advance(ms),
      settle: (p) => clock.run(p),
      dispose: async () => undefined
    };
  }
});

interface Rig {
  clock: VirtualClock;
  serial: FakeSerial;
  device: FakeSerialDevice;
  transport: SerialTransport;
  statuses: TransportStatus[];
  received: Uint8Array[];
}

describe('SerialTransport', () => {
  let rig: Rig | null = null;

  function makeRig(options: { autoReconnect?: boolean; granted?: boolean } = {}): Rig {
    const clock = new VirtualClock();
    const serial = new FakeSerial();
    const device = serial.attachDevice({ ...CP2102, granted: options.granted ?? true });
    const transport = new SerialTransport(device.port!, { serial, clock, autoReconnect: options.autoReconnect });
    const statuses: TransportStatus[] = [];
    const received: Uint8Array[] = [];
    transport.onStatus((s) => statuses.push(s));
    transport.onData((c) => received.push(c.slice()));
    rig = { clock, serial, device, transport, statuses, received };
    return rig;
  }

  afterEach(async () => {
    if (rig) await rig.clock.run(rig.transport.close());
    rig = null;
  });

  describe('finding a port', () => {
    it('request() needs a click: without user activation it fails as a permission error', async () => {
      const serial = new FakeSerial();
      serial.attachDevice(CP2102);
      const err = await SerialTransport.request({ serial }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).kind).toBe('permission');
      expect((err as TransportError).link).toBe('serial');
    });

    it('request() maps a dismissed picker to picker-cancelled (troubleshooting advice: session/advice.ts)', async () => {
      const serial = new FakeSerial();
      serial.attachDevice(CP2102);
      serial.chooser = () => null;
      serial.simulateUserGesture();
      const err = await SerialTransport.request({ serial }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).kind).toBe('picker-cancelled');
      expect((err as TransportError).link).toBe('serial');
    });

    it('request() returns an unopened transport for the chosen port, labelled by its USB ids', async () => {
      const serial = new FakeSerial();
      serial.attachDevice({ usbVendorId: 0x1a86, usbProductId: 0x7523 });
      const second = serial.attachDevice(CP2102);
      serial.chooser = (ports) => ports[1];
      serial.simulateUserGesture();
      const t = await SerialTransport.request({ serial });
      expect(t.status.state).toBe('closed');
      expect(t.info).toEqual({ kind: 'serial', label: 'USB CP210x (10c4:ea60)', usbVendorId: 0x10c4, usbProductId: 0xea60 });
      expect(second.granted).toBe(true);
    });

    it('request() without navigator.serial is unsupported', async () => {
      const err = await SerialTransport.request({}).catch((e: unknown) => e);
      expect((err as TransportError).kind).toBe('unsupported');
    });

    it('fromGrantedPorts() re-uses only ports granted earlier', async () => {
      const serial = new FakeSerial();
      serial.attachDevice({ usbVendorId: 0x0403, usbProductId: 0x6001, granted: true });
      serial.attachDevice(CP2102);
      const ts = await SerialTransport.fromGrantedPorts({ serial });
      expect(ts.map((t) => t.info.label)).toEqual(['USB FTDI (0403:6001)']);
      expect(await SerialTransport.fromGrantedPorts({})).toEqual([]);
    });
  });

  describe('opening', () => {
    it('opens at 9600 8N1 by default and reports the link timing', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.open());
      expect(r.transport.timing).toMatchObject({ baud: 9600, bitsPerByte: 10 });
      expect(r.device.opens).toBe(1);
    });

    it('accepts 19200 and 115200 but refuses rates the packs do not use', () => {
      const serial = new FakeSerial();
      const dev = serial.attachDevice(CP2102);
      expect(new SerialTransport(dev.port!, { serial, baud: 19200 }).timing.baud).toBe(19200);
      expect(new SerialTransport(dev.port!, { serial, baud: 115200 }).timing.baud).toBe(115200);
      expect(new SerialTransport(dev.port!, { serial, baud: 57600 }).timing.baud).toBe(57600);
      for (const bad of [0, -9600, 9600.5, Number.NaN]) expect(() => new SerialTransport(dev.port!, { serial, baud: bad })).toThrow(RangeError);
    });

    it('retries open() on InvalidStateError with bounded, growing delays on the clock', async () => {
      const r = makeRig();
      r.device.failNextOpen('InvalidStateError', 'InvalidStateError');
      const opened = r.transport.open();
      const t0 = r.clock.now();
      await r.clock.run(opened);
      expect(r.transport.status.state).toBe('open');
      // 250 ms then 500 ms of retry pauses, nothing else.
      expect(r.clock.now() - t0).toBe(750);
    });

    it('gives up after the last retry and classifies a port that stays open elsewhere as busy', async () => {
      const r = makeRig();
      r.device.failNextOpen('InvalidStateError', 'InvalidStateError', 'InvalidStateError', 'InvalidStateError');
      const err = await r.clock.run(r.transport.open().catch((e: unknown) => e));
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).kind).toBe('busy');
      expect(r.transport.status).toMatchObject({ state: 'closed', reason: 'open-failed' });
      expect(r.device.opens).toBe(0);
    });

    it('classifies NetworkError on open (port held by another program) as in-use, without retrying', async () => {
      const r = makeRig();
      r.device.heldByOtherProgram = true;
      const t0 = r.clock.now();
      const err = (await r.clock.run(r.transport.open().catch((e: unknown) => e))) as TransportError;
      expect(err.kind).toBe('in-use');
      expect(err.message).toMatch(/another program or tab/i);
      expect(err.cause).toBeInstanceOf(DOMException);
      expect(r.clock.now()).toBe(t0);
    });

    it('classifies SecurityError as permission and NotFoundError as gone', async () => {
      const r = makeRig();
      r.device.failNextOpen('SecurityError');
      expect(((await r.clock.run(r.transport.open().catch((e: unknown) => e))) as TransportError).kind).toBe('permission');
      r.device.failNextOpen('NotFoundError');
      expect(((await r.clock.run(r.transport.open().catch((e: unknown) => e))) as TransportError).kind).toBe('gone');
    });

    it('works with a port handed in directly where there is no navigator.serial', async () => {
      const clock = new VirtualClock();
      const device = new FakeSerial().attachDevice(CP2102);
      const t = new SerialTransport(device.port!, { clock });
      await clock.run(t.open());
      await clock.run(t.write(REQUEST_90H));
      expect(device.written()).toEqual(REQUEST_90H);
      device.unplug();
      await clock.advance(10);
      expect(t.status).toMatchObject({ state: 'lost', reason: 'unplugged' });
      await clock.run(t.close());
      expect(clock.pendingTimers).toBe(0);
    });

    it('closes a port left open by an earlier session before opening it again', async () => {
      const r = makeRig();
      await r.device.port!.open({ baudRate: 9600 });
      await r.clock.run(r.transport.open());
      expect(r.transport.status.state).toBe('open');
      expect(r.device.opens).toBe(2);
    });

    it('close() during the retry pauses stops the retries at once', async () => {
      const r = makeRig();
      r.device.failNextOpen('InvalidStateError', 'InvalidStateError', 'InvalidStateError');
      const opening = r.transport.open().catch((e: unknown) => e);
      await r.clock.advance(100);
      const closing = r.transport.close();
      const err = (await r.clock.run(opening)) as TransportError;
      await r.clock.run(closing);
      expect(err.kind).toBe('not-open');
      expect(r.clock.now()).toBeLessThan(250);
      expect(r.transport.status).toMatchObject({ state: 'closed', reason: 'user' });
    });
  });

  describe('reading', () => {
    it('keeps reading through recoverable line errors with a new reader each time', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.open());
      r.device.push([1, 2]);
      await r.clock.advance(1);
      for (const name of ['FramingError', 'ParityError', 'BreakError', 'BufferOverrunError']) {
        r.device.readError(name);
        await r.clock.advance(1);
        r.device.push([3]);
        await r.clock.advance(1);
      }
      expect(r.transport.status.state).toBe('open');
      expect(r.transport.lineErrors).toBe(4);
      expect(concatBytes(r.received)).toEqual(Uint8Array.of(1, 2, 3, 3, 3, 3));
    });

    it('an unrecoverable read error ends at lost/read-error and releases the port', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.open());
      r.device.readError('UnknownError');
      await r.clock.advance(10);
      expect(r.transport.status).toMatchObject({ state: 'lost', reason: 'read-error' });
      expect(r.transport.status.reconnecting ?? false).toBe(false);
      expect(r.device.port!.isOpen).toBe(false);
      // The port can be opened again by the session.
      await r.clock.run(r.transport.open());
      expect(r.transport.status.state).toBe('open');
    });
  });

  describe('unplug and replug', () => {
    it('unplug -> lost/unplugged, reconnecting; replug (new SerialPort object) -> open by itself', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.open());
      const firstPort = r.device.port;
      r.device.unplug();
      await r.clock.advance(10);
      expect(r.transport.status).toMatchObject({ state: 'lost', reason: 'unplugged', reconnecting: true });
      await expect(r.transport.write(REQUEST_90H)).rejects.toMatchObject({ kind: 'lost' });

      const newPort = r.device.replug();
      expect(newPort).not.toBe(firstPort);
      await r.clock.advance(10);
      expect(r.transport.status.state).toBe('open');
      expect(r.transport.port).toBe(newPort);
      expect(r.statuses.map((s) => s.state)).toEqual(['opening', 'open', 'lost', 'opening', 'open']);

      await r.clock.run(r.transport.write(REQUEST_90H));
      expect(r.device.written()).toEqual(REQUEST_90H);
      r.device.push([0x7e]);
      await r.clock.advance(1);
      expect(concatBytes(r.received)).toEqual(Uint8Array.of(0x7e));
    });

    it('finds the replugged adapter through getPorts() when no connect event is seen', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.open());
      r.device.unplug();
      await r.clock.advance(10);
      // Swallow the event: the transport must notice the port by polling getPorts().
      const origDispatch = r.serial.dispatchEvent.bind(r.serial);
      r.serial.dispatchEvent = (ev: Event) => (ev.type === 'connect' ? true : origDispatch(ev));
      r.device.replug();
      await r.clock.advance(10);
      expect(r.transport.status.state).toBe('lost');
      await r.clock.advance(1000);
      expect(r.transport.status.state).toBe('open');
    });

    it('ignores unplug and connect events of other adapters', async () => {
      const r = makeRig();
      const other = r.serial.attachDevice({ usbVendorId: 0x0403, usbProductId: 0x6001, granted: true });
      await r.clock.run(r.transport.open());
      other.unplug();
      other.replug();
      await r.clock.advance(10);
      expect(r.transport.status.state).toBe('open');
      r.device.unplug();
      await r.clock.advance(10);
      other.unplug();
      other.replug();
      await r.clock.advance(10);
      expect(r.transport.status.state).toBe('lost');
      expect(r.transport.port).not.toBe(other.port);
    });

    it('keeps waiting when the replugged adapter cannot be opened yet, and opens on a later try', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.open());
      r.device.unplug();
      await r.clock.advance(10);
      r.device.failNextOpen('NetworkError');
      r.device.replug();
      await r.clock.advance(10);
      expect(r.transport.status).toMatchObject({ state: 'lost', reason: 'unplugged', reconnecting: true });
      await r.clock.advance(1000);
      expect(r.transport.status.state).toBe('open');
    });

    it('with autoReconnect off, an unplug ends at lost without reconnecting', async () => {
      const r = makeRig({ autoReconnect: false });
      await r.clock.run(r.transport.open());
      r.device.unplug();
      await r.clock.advance(10);
      expect(r.transport.status).toMatchObject({ state: 'lost', reason: 'unplugged' });
      expect(r.transport.status.reconnecting ?? false).toBe(false);
      r.device.replug();
      await r.clock.advance(2000);
      expect(r.transport.status.state).toBe('lost');
    });

    it('close() while waiting for a replug stops waiting', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.open());
      r.device.unplug();
      await r.clock.advance(10);
      await r.clock.run(r.transport.close());
      expect(r.clock.pendingTimers).toBe(0);
      r.device.replug();
      await r.clock.advance(2000);
      expect(r.transport.status).toMatchObject({ state: 'closed', reason: 'user' });
      expect(r.device.opens).toBe(1);
    });

    it('open() on an unplugged adapter fails as gone', async () => {
      const r = makeRig({ autoReconnect: false });
      await r.clock.run(r.transport.open());
      r.device.unplug();
      await r.clock.advance(10);
      const err = (await r.clock.run(r.transport.open().catch((e: unknown) => e))) as TransportError;
      expect(err.kind).toBe('gone');
    });
  });

  describe('closing', () => {
    it('releases the reader and the writer before port.close(), which the fake refuses while locked', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.open());
      const port = r.device.port!;
      // While open, the transport's read loop holds the lock: closing the port directly must fail.
      expect(port.readable?.locked).toBe(true);
      await expect(port.close()).rejects.toBeInstanceOf(TypeError);
      await r.clock.run(r.transport.close());
      expect(port.isOpen).toBe(false);
      expect(port.readable).toBeNull();
      expect(port.writable).toBeNull();
      // And the port is free for anyone else.
      await port.open({ baudRate: 9600 });
      await port.close();
    });
  });

  describe('setBaud', () => {
    it('reopens the open port at the new rate without passing through closed', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.open());
      await r.clock.run(r.transport.setBaud(19200));
      expect(r.transport.timing.baud).toBe(19200);
      expect(r.transport.status.state).toBe('open');
      expect(r.device.opens).toBe(2);
      expect(r.statuses.map((s) => s.state)).toEqual(['opening', 'open', 'opening', 'open']);
      await r.clock.run(r.transport.write(REQUEST_90H));
      expect(r.device.written()).toEqual(REQUEST_90H);
    });

    it('only records the rate while closed', async () => {
      const r = makeRig();
      await r.clock.run(r.transport.setBaud(115200));
      expect(r.device.opens).toBe(0);
      await r.clock.run(r.transport.open());
      expect(r.transport.timing.baud).toBe(115200);
    });
  });
});

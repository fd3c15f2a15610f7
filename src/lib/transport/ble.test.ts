import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame, FrameReader, type FrameEvent } from '../protocol/frame';
import { VirtualClock } from '../time/clock';
import { BLE_UART_PROFILES } from './ble-profiles';
import { BleTransport, requestOptionsFor } from './ble';
import { runTransportContract } from './contract';
import { FakeBluetooth, FakeGattCharacteristic, hm10Peripheral, type FakePeripheral, type FakePeripheralOptions } from './fixtures/bluetooth';
import { TransportError, type TransportStatus } from './types';
import { concatBytes } from './bytes';

const FFE1 = 0xffe1;

/** What an HM-10 does with a UART reply: notifications of at most 20 bytes. */
function notifyInPieces(p: FakePeripheral, characteristic: number | string, bytes: Uint8Array, piece_bytes = 20): void {
  for (let at = 0; at < bytes.length; at += piece_bytes) p.notify(characteristic, bytes.subarray(at, at + piece_bytes));
}

runTransportContract('BleTransport over FakeBluetooth (HM-10)', {
  kind: 'ble',
  async create() {
    const clock = new VirtualClock();
    const bluetooth = new FakeBluetooth();
    const hm10 = bluetooth.addPeripheral(hm10Peripheral());
    bluetooth.simulateUserGesture();
    const transport = await BleTransport.request({ bluetooth, clock });
    return {
      transport,
      sendFromDevice: async (bytes) => notifyInPieces(hm10, FFE1, bytes),
      receivedByDevice: () => hm10.written(FFE1),
      dropLink: async () => {
        // Walk out of range: the link drops and stays down.
        hm10.connectable = false;
        hm10.dropConnection();
      },
      advance: (ms) => clock.advance(ms),
      settle: (p) => clock.run(p),
      dispose: async () => undefined
    };
  }
});

/** A 42H-style reply frame long enough to need several notifications (58 bytes on the wire). */
const REPLY = encodeFrame({ ver: 0x25, adr: 1, cid1: 0x46, code: 0x00, info: Uint8Array.from({ length: 20 }, (_, i) => i * 13) });
/** A 40-byte frame, the size the brief names for chunking. */
const FRAME_40 = encodeFrame({ ver: 0x25, adr: 1, cid1: 0x46, code: 0xd0, info: Uint8Array.from({ length: 11 }, (_, i) => 0x10 + i) });

interface Rig {
  clock: VirtualClock;
  bluetooth: FakeBluetooth;
  peripheral: FakePeripheral;
  transport: BleTransport;
  statuses: TransportStatus[];
  received: Uint8Array[];
}

describe('BleTransport', () => {
  let rig: Rig | null = null;

  async function makeRig(peripheral: FakePeripheralOptions = hm10Peripheral(), options: { reconnectDelays_ms?: number[] } = {}): Promise<Rig> {
    const clock = new VirtualClock();
    const bluetooth = new FakeBluetooth();
    const p = bluetooth.addPeripheral(peripheral);
    bluetooth.simulateUserGesture();
    const transport = await BleTransport.request({ bluetooth, clock, ...options });
    const statuses: TransportStatus[] = [];
    const received: Uint8Array[] = [];
    transport.onStatus((s) => statuses.push(s));
    transport.onData((c) => received.push(c.slice()));
    rig = { clock, bluetooth, peripheral: p, transport, statuses, received };
    return rig;
  }

  afterEach(async () => {
    if (rig) await rig.clock.run(rig.transport.close());
    rig = null;
  });

  describe('choosing a device', () => {
    it('asks for every profile service, by service and by name prefix, and unlocks them all', () => {
      const opts = requestOptionsFor(BLE_UART_PROFILES) as { filters: BluetoothLEScanFilter[]; optionalServices: string[] };
      const services = BLE_UART_PROFILES.map((p) => p.service);
      expect(opts.optionalServices).toEqual(services);
      expect(opts.filters.filter((f) => f.services).map((f) => f.services)).toEqual(services.map((s) => [s]));
      expect(opts.filters.some((f) => f.namePrefix === 'PC-')).toBe(true);
      expect(services).toContain('0000ffe0-0000-1000-8000-00805f9b34fb');
      expect(services).toContain('6e400001-b5a3-f393-e0a9-e50e24dcca9e');
      expect(requestOptionsFor(BLE_UART_PROFILES, true)).toEqual({ acceptAllDevices: true, optionalServices: services });
    });

    it('needs a click: without user activation requestDevice fails as a permission error', async () => {
      const bluetooth = new FakeBluetooth();
      bluetooth.addPeripheral(hm10Peripheral());
      const err = (await BleTransport.request({ bluetooth }).catch((e: unknown) => e)) as TransportError;
      expect(err).toBeInstanceOf(TransportError);
      expect(err.kind).toBe('permission');
    });

    it('a dismissed chooser is picker-cancelled; Bluetooth off is unavailable (worded in session/advice.ts)', async () => {
      const bluetooth = new FakeBluetooth();
      bluetooth.addPeripheral(hm10Peripheral());
      bluetooth.chooser = () => null;
      bluetooth.simulateUserGesture();
      expect(((await BleTransport.request({ bluetooth }).catch((e: unknown) => e)) as TransportError).kind).toBe('picker-cancelled');
      const off = new FakeBluetooth({ available: false });
      off.simulateUserGesture();
      const err = (await BleTransport.request({ bluetooth: off }).catch((e: unknown) => e)) as TransportError;
      expect(err.kind).toBe('unavailable');
      expect(err.link).toBe('ble');
    });

    it('a device that hides its service is still listed through its name prefix', async () => {
      const bluetooth = new FakeBluetooth();
      bluetooth.addPeripheral(hm10Peripheral({ name: 'HMSoft', advertisedServices: [] }));
      bluetooth.simulateUserGesture();
      const t = await BleTransport.request({ bluetooth });
      expect(t.info.bleName).toBe('HMSoft');
    });

    it('fromGrantedDevices() returns devices granted earlier, waits for an advertisement, then connects', async () => {
      const clock = new VirtualClock();
      const bluetooth = new FakeBluetooth();
      const p = bluetooth.addPeripheral(hm10Peripheral({ granted: true, name: 'BT-PACK-1' }));
      bluetooth.addPeripheral(hm10Peripheral({ name: 'NOT-GRANTED' }));
      p.inRange = false;
      const ts = await BleTransport.fromGrantedDevices({ bluetooth, clock });
      expect(ts.map((t) => t.info.bleName)).toEqual(['BT-PACK-1']);
      const t = ts[0];
      const opening = t.open();
      await clock.advance(3000);
      expect(t.status.state).toBe('opening');
      expect(p.connects).toBe(0);
      p.inRange = true;
      await clock.run(opening);
      expect(t.status.state).toBe('open');
      expect(clock.now()).toBe(3000);
      await clock.run(t.close());
    });

    it('fromGrantedDevices() gives up waiting after advertisementWait_ms and reports the failed connect', async () => {
      const clock = new VirtualClock();
      const bluetooth = new FakeBluetooth();
      const p = bluetooth.addPeripheral(hm10Peripheral({ granted: true }));
      p.inRange = false;
      const [t] = await BleTransport.fromGrantedDevices({ bluetooth, clock, advertisementWait_ms: 4000 });
      const err = (await clock.run(t.open().catch((e: unknown) => e))) as TransportError;
      expect(err.kind).toBe('gone');
      expect(clock.now()).toBe(4000);
      expect(t.status).toMatchObject({ state: 'closed', reason: 'open-failed' });
    });
  });

  describe('profiles', () => {
    const cases: { name: string; service: number | string; notify: number | string; write: number | string; id: string }[] = [
      { name: 'FF00 (FF01 notify, FF02 write)', service: 0xff00, notify: 0xff01, write: 0xff02, id: 'ff00' },
      {
        name: 'Nordic UART',
        service: '6e400001-b5a3-f393-e0a9-e50e24dcca9e',
        notify: '6e400003-b5a3-f393-e0a9-e50e24dcca9e',
        write: '6e400002-b5a3-f393-e0a9-e50e24dcca9e',
        id: 'nus'
      },
      { name: 'FFF0 (FFF1 notify, FFF2 write)', service: 0xfff0, notify: 0xfff1, write: 0xfff2, id: 'fff0' }
    ];
    for (const c of cases) {
      it(`finds ${c.name}: reads from the notify characteristic, writes to the write one`, async () => {
        const r = await makeRig({
          name: 'Module',
          services: [
            { uuid: 0x180a, characteristics: [] },
            {
              uuid: c.service,
              characteristics: [
                { uuid: c.notify, properties: { notify: true }, descriptors: [0x2902] },
                { uuid: c.write, properties: { writeWithoutResponse: true, write: true } }
              ]
            }
          ]
        });
        await r.clock.run(r.transport.open());
        expect(r.transport.info.bleProfile).toBe(c.id);
        expect(r.transport.info.label).toMatch(/^Module \(/);
        await r.clock.run(r.transport.write(Uint8Array.of(1, 2, 3)));
        expect(r.peripheral.written(c.write)).toEqual(Uint8Array.of(1, 2, 3));
        r.peripheral.notify(c.notify, [4, 5]);
        await r.clock.advance(1);
        expect(concatBytes(r.received)).toEqual(Uint8Array.of(4, 5));
      });
    }

    it('prefers the first profile when a device offers several', async () => {
      const r = await makeRig({
        name: 'Both',
        services: [
          {
            uuid: 0xfff0,
            characteristics: [
              { uuid: 0xfff1, properties: { notify: true }, descriptors: [0x2902] },
              { uuid: 0xfff2, properties: { write: true } }
            ]
          },
          { uuid: 0xffe0, characteristics: [{ uuid: 0xffe1, properties: { notify: true, write: true }, descriptors: [0x2902] }] }
        ]
      });
      await r.clock.run(r.transport.open());
      expect(r.transport.info.bleProfile).toBe('hm10');
      expect(r.transport.info.label).toBe('Both (FFE0)');
    });

    it('a device without a known UART service fails as no-service', async () => {
      const clock = new VirtualClock();
      const bluetooth = new FakeBluetooth();
      bluetooth.addPeripheral({ name: 'HM-Heart', services: [{ uuid: 0x180d, characteristics: [] }] });
      bluetooth.simulateUserGesture();
      const t = await BleTransport.request({ bluetooth, clock });
      const err = (await clock.run(t.open().catch((e: unknown) => e))) as TransportError;
      expect(err.kind).toBe('no-service');
      expect(t.status.state).toBe('closed');
      expect(bluetooth.peripherals[0].connected).toBe(false);
    });

    it('a notify characteristic without a CCCD cannot subscribe: no-service, link released', async () => {
      const r = await makeRig(
        hm10Peripheral({
          services: [{ uuid: 0xffe0, characteristics: [{ uuid: 0xffe1, properties: { notify: true, write: true } }] }]
        })
      );
      const err = (await r.clock.run(r.transport.open().catch((e: unknown) => e))) as TransportError;
      expect(err.kind).toBe('no-service');
      expect(r.peripheral.connected).toBe(false);
    });
  });

  describe('writing', () => {
    it('splits a 40-byte frame into two 20-byte writes without response', async () => {
      const r = await makeRig();
      await r.clock.run(r.transport.open());
      expect(FRAME_40.length).toBe(40);
      await r.clock.run(r.transport.write(FRAME_40));
      expect(r.peripheral.writes.map((w) => w.bytes.length)).toEqual([20, 20]);
      expect(r.peripheral.writes.every((w) => w.type === 'without-response')).toBe(true);
      expect(r.peripheral.written(FFE1)).toEqual(FRAME_40);
    });

    it('uses write-with-response where the characteristic has no write-without-response', async () => {
      const r = await makeRig(
        hm10Peripheral({
          services: [{ uuid: 0xffe0, characteristics: [{ uuid: 0xffe1, properties: { notify: true, write: true }, descriptors: [0x2902] }] }]
        })
      );
      await r.clock.run(r.transport.open());
      await r.clock.run(r.transport.write(FRAME_40));
      expect(r.peripheral.writes.map((w) => w.type)).toEqual(['with-response', 'with-response']);
    });

    it('serializes concurrent writes: one GATT operation at a time, each write whole and in call order', async () => {
      const r = await makeRig();
      await r.clock.run(r.transport.open());
      const a = Uint8Array.from({ length: 45 }, (_, i) => i);
      const b = Uint8Array.from({ length: 7 }, (_, i) => 100 + i);
      const c = Uint8Array.from({ length: 30 }, (_, i) => 200 + i);
      // The fake rejects overlapping operations ("GATT operation already in progress").
      await r.clock.run(Promise.all([r.transport.write(a), r.transport.write(b), r.transport.write(c)]));
      expect(r.peripheral.writes.map((w) => w.bytes.length)).toEqual([20, 20, 5, 7, 20, 10]);
      expect(r.peripheral.written(FFE1)).toEqual(concatBytes([a, b, c]));
    });

    it('honours a profile chunk size', async () => {
      const clock = new VirtualClock();
      const bluetooth = new FakeBluetooth();
      const p = bluetooth.addPeripheral(hm10Peripheral({ maxWrite_bytes: 64 }));
      bluetooth.simulateUserGesture();
      const profiles = BLE_UART_PROFILES.map((x) => (x.id === 'hm10' ? { ...x, writeChunk_bytes: 64 } : x));
      const t = await BleTransport.request({ bluetooth, clock, profiles });
      await clock.run(t.open());
      await clock.run(t.write(new Uint8Array(100)));
      expect(p.writes.map((w) => w.bytes.length)).toEqual([64, 36]);
      await clock.run(t.close());
    });

    it('the fake enforces the module limit, so unchunked writes would fail', async () => {
      const bluetooth = new FakeBluetooth();
      const p = bluetooth.addPeripheral(hm10Peripheral({ granted: true }));
      await p.device.gatt.connect();
      const ch = await (await p.device.gatt.getPrimaryService(0xffe0)).getCharacteristic(0xffe1);
      await expect(ch.writeValueWithoutResponse(new Uint8Array(21))).rejects.toMatchObject({ name: 'NetworkError' });
      await expect(
        Promise.all([ch.writeValueWithoutResponse(new Uint8Array(2)), ch.writeValueWithoutResponse(new Uint8Array(2))])
      ).rejects.toMatchObject({
        name: 'NetworkError'
      });
    });
  });

  describe('receiving', () => {
    it('notifications split anywhere reassemble into the frame through the frame reader', async () => {
      const r = await makeRig();
      await r.clock.run(r.transport.open());
      const reader = new FrameReader();
      const frames: FrameEvent[] = [];
      const errors: string[] = [];
      r.transport.onData((chunk) => {
        for (const ev of reader.push(chunk)) {
          if (ev.type === 'frame') frames.push(ev);
          else errors.push(ev.kind);
        }
      });
      const splits: number[][] = [];
      for (let i = 1; i < REPLY.length; i++) splits.push([i]);
      for (let size = 1; size <= 25; size++) {
        const cuts: number[] = [];
        for (let at = size; at < REPLY.length; at += size) cuts.push(at);
        splits.push(cuts);
      }
      splits.push([3, 4, 30, 31, 57]);
      for (const cuts of splits) {
        let from = 0;
        for (const cut of [...cuts, REPLY.length]) {
          r.peripheral.notify(FFE1, REPLY.subarray(from, cut));
          from = cut;
        }
        await r.clock.advance(1);
      }
      expect(errors).toEqual([]);
      expect(frames).toHaveLength(splits.length);
      for (const f of frames) expect(f.raw).toEqual(REPLY);
    });

    it('copies each notification, so a reused buffer cannot change bytes already delivered', async () => {
      const r = await makeRig();
      await r.clock.run(r.transport.open());
      const got: Uint8Array[] = [];
      r.transport.onData((c) => got.push(c));
      r.peripheral.notify(FFE1, [1, 2, 3]);
      r.peripheral.notify(FFE1, [4, 5, 6]);
      await r.clock.advance(1);
      expect(got).toEqual([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6)]);
    });
  });

  describe('link loss', () => {
    it('gatt disconnect -> lost/gatt-disconnected -> reconnect after back-off -> resubscribed and open', async () => {
      const r = await makeRig();
      await r.clock.run(r.transport.open());
      expect(r.peripheral.subscribed(FFE1)).toBe(true);
      const t0 = r.clock.now();
      r.peripheral.dropConnection();
      expect(r.transport.status).toMatchObject({ state: 'lost', reason: 'gatt-disconnected', reconnecting: true });
      expect(r.peripheral.subscribed(FFE1)).toBe(false);
      await expect(r.transport.write(Uint8Array.of(1))).rejects.toMatchObject({ kind: 'lost' });
      await r.clock.advance(499);
      expect(r.peripheral.connects).toBe(1);
      await r.clock.advance(1);
      expect(r.clock.now() - t0).toBe(500);
      expect(r.transport.status.state).toBe('open');
      expect(r.peripheral.connects).toBe(2);
      // Notifications on the new connection reach onData; writes use the new characteristic object.
      expect(r.peripheral.subscribed(FFE1)).toBe(true);
      r.peripheral.notify(FFE1, [0x7e, 0x0d]);
      await r.clock.run(r.transport.write(FRAME_40));
      expect(concatBytes(r.received)).toEqual(Uint8Array.of(0x7e, 0x0d));
      expect(r.peripheral.written(FFE1)).toEqual(FRAME_40);
      expect(r.statuses.map((s) => s.state)).toEqual(['opening', 'open', 'lost', 'open']);
    });

    it('retries with growing pauses, then gives up at lost without reconnecting', async () => {
      const r = await makeRig(hm10Peripheral(), { reconnectDelays_ms: [100, 200, 400] });
      await r.clock.run(r.transport.open());
      r.peripheral.connectable = false;
      r.peripheral.dropConnection();
      await r.clock.advance(10_000);
      expect(r.transport.status).toMatchObject({ state: 'lost', reason: 'gatt-disconnected' });
      expect(r.transport.status.reconnecting ?? false).toBe(false);
      expect(r.transport.status.message).toMatch(/Could not reconnect/);
      const attempts = r.statuses.filter((s) => s.message?.startsWith('The Bluetooth link dropped. Reconnect attempt'));
      expect(attempts.map((s) => s.reconnecting ?? false)).toEqual([true, true, false]);
      expect(r.peripheral.connects).toBe(1);
      expect(r.clock.pendingTimers).toBe(0);
      // The person can try again once back in range.
      r.peripheral.connectable = true;
      await r.clock.run(r.transport.open());
      expect(r.transport.status.state).toBe('open');
    });

    it('reconnects when the module comes back between attempts', async () => {
      const r = await makeRig(hm10Peripheral(), { reconnectDelays_ms: [100, 200, 400] });
      await r.clock.run(r.transport.open());
      r.peripheral.connectable = false;
      r.peripheral.dropConnection();
      await r.clock.advance(150);
      expect(r.transport.status).toMatchObject({ state: 'lost', reconnecting: true });
      r.peripheral.connectable = true;
      await r.clock.advance(200);
      expect(r.transport.status.state).toBe('open');
      expect(r.peripheral.subscribed(FFE1)).toBe(true);
    });

    it('a link that drops while subscribing is not reported open', async () => {
      const r = await makeRig();
      const original = FakeGattCharacteristic.prototype.startNotifications;
      const spy = vi.spyOn(FakeGattCharacteristic.prototype, 'startNotifications').mockImplementation(async function (this: FakeGattCharacteristic) {
        const out = await original.call(this);
        r.peripheral.dropConnection();
        return out;
      });
      try {
        const err = (await r.clock.run(r.transport.open().catch((e: unknown) => e))) as TransportError;
        expect(err.kind).toBe('gone');
        expect(r.transport.status).toMatchObject({ state: 'closed', reason: 'open-failed' });
      } finally {
        spy.mockRestore();
      }
    });

    it('close() during the back-off stops reconnecting and leaves no timers', async () => {
      const r = await makeRig();
      await r.clock.run(r.transport.open());
      r.peripheral.dropConnection();
      await r.clock.advance(100);
      await r.clock.run(r.transport.close());
      expect(r.clock.pendingTimers).toBe(0);
      await r.clock.advance(20_000);
      expect(r.peripheral.connects).toBe(1);
      expect(r.transport.status).toMatchObject({ state: 'closed', reason: 'user' });
    });

    it('close() unsubscribes and disconnects, and its own disconnect is not a lost link', async () => {
      const r = await makeRig();
      await r.clock.run(r.transport.open());
      await r.clock.run(r.transport.close());
      expect(r.peripheral.connected).toBe(false);
      expect(r.peripheral.subscribed(FFE1)).toBe(false);
      expect(r.statuses.map((s) => s.state)).toEqual(['opening', 'open', 'closed']);
    });
  });
});

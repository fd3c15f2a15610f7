// The doubles are only worth something if they refuse what the real APIs refuse. These tests pin
// the rules the transports (and the e2e doubles) rely on.

import { describe, expect, it } from 'vitest';
import { FakeBluetooth, hm10Peripheral } from './bluetooth';
import { FakeSerial } from './serial';

async function rejection(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'resolved',
    (e: unknown) => (e as { name?: string }).name ?? String(e)
  );
}

describe('FakeSerial', () => {
  function setup() {
    const serial = new FakeSerial();
    const device = serial.attachDevice({ usbVendorId: 0x10c4, usbProductId: 0xea60, granted: true });
    return { serial, device, port: device.port! };
  }

  it('streams are null until open() and after close(); readable is one object while open', async () => {
    const { port } = setup();
    expect(port.readable).toBeNull();
    expect(port.writable).toBeNull();
    await port.open({ baudRate: 9600 });
    expect(port.readable).not.toBeNull();
    expect(port.readable).toBe(port.readable);
    expect(port.writable).not.toBeNull();
    await port.close();
    expect(port.readable).toBeNull();
    expect(port.writable).toBeNull();
  });

  it('close() rejects while readable or writable is locked, and when not open', async () => {
    const { port } = setup();
    expect(await rejection(port.close())).toBe('InvalidStateError');
    await port.open({ baudRate: 9600 });
    const reader = port.readable!.getReader();
    expect(await rejection(port.close())).toBe('TypeError');
    reader.releaseLock();
    const writer = port.writable!.getWriter();
    expect(await rejection(port.close())).toBe('TypeError');
    writer.releaseLock();
    expect(await rejection(port.close())).toBe('resolved');
  });

  it('open() refuses a second open, bad options, and a port held by another program', async () => {
    const { port, device } = setup();
    expect(await rejection(port.open({ baudRate: 0 }))).toBe('TypeError');
    expect(await rejection(port.open({ baudRate: 9600, dataBits: 9 as 8 }))).toBe('TypeError');
    await port.open({ baudRate: 9600 });
    expect(await rejection(port.open({ baudRate: 9600 }))).toBe('InvalidStateError');
    await port.close();
    device.heldByOtherProgram = true;
    expect(await rejection(port.open({ baudRate: 9600 }))).toBe('NetworkError');
  });

  it('bytes that arrive before anyone reads wait in the OS buffer; bytes while closed are lost', async () => {
    const { port, device } = setup();
    expect(device.push([1])).toBe(false);
    await port.open({ baudRate: 9600 });
    expect(device.push([2, 3])).toBe(true);
    const reader = port.readable!.getReader();
    expect((await reader.read()).value).toEqual(Uint8Array.of(2, 3));
    reader.releaseLock();
    await port.close();
  });

  it('a recoverable read error ends the stream but the port hands out a new one; a fatal one leaves null', async () => {
    const { port, device } = setup();
    await port.open({ baudRate: 9600 });
    const first = port.readable!;
    const reader = first.getReader();
    const pending = rejection(reader.read());
    device.readError('FramingError');
    expect(await pending).toBe('FramingError');
    reader.releaseLock();
    const second = port.readable;
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    const r2 = second!.getReader();
    const pending2 = rejection(r2.read());
    device.readError('UnknownError');
    expect(await pending2).toBe('UnknownError');
    r2.releaseLock();
    expect(port.readable).toBeNull();
    await port.close();
  });

  it('requestPort needs a gesture, honours filters, and a dismissed chooser is NotFoundError', async () => {
    const serial = new FakeSerial();
    serial.attachDevice({ usbVendorId: 0x0403, usbProductId: 0x6001 });
    const cp = serial.attachDevice({ usbVendorId: 0x10c4, usbProductId: 0xea60 });
    expect(await rejection(serial.requestPort())).toBe('SecurityError');
    serial.simulateUserGesture();
    expect(await serial.requestPort({ filters: [{ usbVendorId: 0x10c4 }] })).toBe(cp.port);
    expect(await serial.getPorts()).toEqual([cp.port]);
    serial.chooser = () => null;
    serial.simulateUserGesture();
    expect(await rejection(serial.requestPort())).toBe('NotFoundError');
  });

  it('unplug errors the streams with NetworkError and bubbles disconnect to navigator.serial; replug is a new port', async () => {
    const { serial, device, port } = setup();
    const events: string[] = [];
    serial.addEventListener('disconnect', (e) => events.push(`disconnect:${e.target === port}`));
    serial.addEventListener('connect', (e) => events.push(`connect:${e.target === device.port}`));
    await port.open({ baudRate: 9600 });
    const reader = port.readable!.getReader();
    const pending = rejection(reader.read());
    device.unplug();
    expect(await pending).toBe('NetworkError');
    expect(port.connected).toBe(false);
    expect(await serial.getPorts()).toEqual([]);
    reader.releaseLock();
    expect(await rejection(port.close())).toBe('resolved');
    const again = device.replug();
    expect(again).not.toBe(port);
    expect(events).toEqual(['disconnect:true', 'connect:true']);
    expect(await serial.getPorts()).toEqual([again]);
    expect(await rejection(port.open({ baudRate: 9600 }))).toBe('NetworkError');
  });
});

describe('FakeBluetooth', () => {
  async function connected() {
    const bt = new FakeBluetooth();
    const p = bt.addPeripheral(hm10Peripheral());
    bt.simulateUserGesture();
    const device = await bt.requestDevice({ filters: [{ services: [0xffe0] }] });
    await device.gatt.connect();
    const ch = await (await device.gatt.getPrimaryService(0xffe0)).getCharacteristic(0xffe1);
    return { bt, p, device, ch };
  }

  it('requestDevice needs a gesture and exactly one of filters / acceptAllDevices', async () => {
    const bt = new FakeBluetooth();
    bt.addPeripheral(hm10Peripheral());
    expect(await rejection(bt.requestDevice({ filters: [{ services: [0xffe0] }] }))).toBe('SecurityError');
    bt.simulateUserGesture();
    expect(await rejection(bt.requestDevice({ filters: [{ services: [0xffe0] }], acceptAllDevices: true } as unknown as RequestDeviceOptions))).toBe(
      'TypeError'
    );
    bt.simulateUserGesture();
    expect(await rejection(bt.requestDevice({ filters: [{ services: [0xfff0] }] }))).toBe('NotFoundError');
  });

  it('services outside filters and optionalServices are off limits; nothing works while disconnected', async () => {
    const bt = new FakeBluetooth();
    bt.addPeripheral(hm10Peripheral({ name: 'HM-10' }));
    bt.simulateUserGesture();
    const device = await bt.requestDevice({ filters: [{ name: 'HM-10' }] });
    expect(await rejection(device.gatt.getPrimaryService(0xffe0))).toBe('NetworkError');
    await device.gatt.connect();
    expect(await rejection(device.gatt.getPrimaryService(0xffe0))).toBe('SecurityError');
  });

  it('GATT objects die with their connection', async () => {
    const { p, device, ch } = await connected();
    p.dropConnection();
    expect(await rejection(ch.writeValueWithoutResponse(new Uint8Array(1)))).toBe('NetworkError');
    await device.gatt.connect();
    expect(await rejection(ch.writeValueWithoutResponse(new Uint8Array(1)))).toBe('InvalidStateError');
    const fresh = await (await device.gatt.getPrimaryService(0xffe0)).getCharacteristic(0xffe1);
    expect(await rejection(fresh.writeValueWithoutResponse(new Uint8Array(1)))).toBe('resolved');
  });

  it('one operation at a time per characteristic; size and property rules', async () => {
    const { ch } = await connected();
    const both = [ch.writeValueWithoutResponse(new Uint8Array(1)), ch.writeValueWithoutResponse(new Uint8Array(1))];
    expect(await Promise.all(both.map(rejection))).toEqual(['resolved', 'NetworkError']);
    expect(await rejection(ch.writeValueWithoutResponse(new Uint8Array(513)))).toBe('InvalidModificationError');
    expect(await rejection(ch.writeValueWithoutResponse(new Uint8Array(21)))).toBe('NetworkError');
  });

  it('write type must match the properties; notifications need the CCCD', async () => {
    const bt = new FakeBluetooth();
    bt.addPeripheral({
      name: 'X',
      granted: true,
      services: [
        {
          uuid: 0xfff0,
          characteristics: [
            { uuid: 0xfff1, properties: { notify: true } },
            { uuid: 0xfff2, properties: { write: true } }
          ]
        }
      ]
    });
    const [device] = await bt.getDevices();
    await device.gatt.connect();
    const svc = await device.gatt.getPrimaryService(0xfff0);
    expect(await rejection((await svc.getCharacteristic(0xfff2)).writeValueWithoutResponse(new Uint8Array(1)))).toBe('NotSupportedError');
    expect(await rejection((await svc.getCharacteristic(0xfff2)).writeValueWithResponse(new Uint8Array(1)))).toBe('resolved');
    expect(await rejection((await svc.getCharacteristic(0xfff1)).startNotifications())).toBe('NotSupportedError');
  });

  it('notifications reach only subscribed characteristics; disconnects fire gattserverdisconnected', async () => {
    const { p, device, ch } = await connected();
    const values: number[][] = [];
    ch.addEventListener('characteristicvaluechanged', () => values.push([...new Uint8Array(ch.value!.buffer)]));
    expect(p.notify(0xffe1, [1])).toBe(false);
    await ch.startNotifications();
    expect(p.notify(0xffe1, [2, 3])).toBe(true);
    expect(values).toEqual([[2, 3]]);
    let drops = 0;
    device.addEventListener('gattserverdisconnected', () => drops++);
    p.dropConnection();
    expect(p.notify(0xffe1, [4])).toBe(false);
    await device.gatt.connect();
    device.gatt.disconnect();
    expect(drops).toBe(2);
  });
});

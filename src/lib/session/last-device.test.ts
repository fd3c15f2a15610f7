import { describe, expect, it } from 'vitest';
import { LAST_DEVICE_KEY, loadLastDevice, parseLastDevice, pickRemembered, saveLastDevice, type LastDevice } from './last-device';
import { MemoryStorage } from './storage';

describe('last device memory', () => {
  it('round-trips through storage', () => {
    const storage = new MemoryStorage();
    const dev: LastDevice = { kind: 'serial', usbVendorId: 0x1a86, usbProductId: 0x7523, baud: 19200, label: 'USB CH340', autoReconnect: true };
    expect(saveLastDevice(storage, dev)).toBeNull();
    expect(loadLastDevice(storage)).toEqual(dev);
    saveLastDevice(storage, null);
    expect(storage.getItem(LAST_DEVICE_KEY)).toBeNull();
    expect(loadLastDevice(storage)).toBeNull();
  });

  it('reads garbage as no device and drops implausible fields', () => {
    expect(parseLastDevice('{')).toBeNull();
    expect(parseLastDevice('"serial"')).toBeNull();
    expect(parseLastDevice(JSON.stringify({ kind: 'usb' }))).toBeNull();
    expect(parseLastDevice(JSON.stringify({ kind: 'serial', usbVendorId: -1, baud: 'fast', label: 7 }))).toEqual({
      kind: 'serial',
      autoReconnect: true
    });
    expect(parseLastDevice(JSON.stringify({ kind: 'sim', autoReconnect: false }))).toEqual({ kind: 'sim', autoReconnect: false });
  });

  it('picks the granted port with the same USB ids, or the only one, never a guess', () => {
    const last: LastDevice = { kind: 'serial', usbVendorId: 0x10c4, usbProductId: 0xea60, autoReconnect: true };
    const ports = [
      { id: 'a', vid: 0x1a86, pid: 0x7523 },
      { id: 'b', vid: 0x10c4, pid: 0xea60 }
    ];
    const describe = (p: (typeof ports)[number]) => ({ usbVendorId: p.vid, usbProductId: p.pid });
    expect(pickRemembered(last, ports, describe)?.id).toBe('b');
    expect(pickRemembered(last, [ports[0]], describe)?.id).toBe('a');
    expect(pickRemembered(last, [ports[0], { id: 'c', vid: 0x0403, pid: 0x6001 }], describe)).toBeNull();
    expect(pickRemembered(last, [], describe)).toBeNull();
  });

  it('matches Bluetooth devices by name', () => {
    const last: LastDevice = { kind: 'ble', bleName: 'BT-PACK-2', autoReconnect: true };
    const devs = [{ name: 'BT-PACK-1' }, { name: 'BT-PACK-2' }];
    expect(pickRemembered(last, devs, (d) => ({ bleName: d.name }))?.name).toBe('BT-PACK-2');
  });
});

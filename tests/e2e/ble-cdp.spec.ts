// Web Bluetooth through Chromium's own emulation (CDP BluetoothEmulation), driven through the real
// Connect page: the device chooser, GATT connect, service discovery, subscribing, and the app's
// first request arriving at the peripheral in chunks of at most 20 bytes.
//
// What CDP can and cannot do here (reference/toolchain.md §5): BluetoothEmulation lives on the
// BROWSER session and DeviceAccess (the chooser) on the PAGE session; every chooser prompt id must
// be answered exactly once (a second selectPrompt crashes the browser); startNotifications needs
// the 0x2902 descriptor; and a peripheral cannot push notifications, so no reply can reach the
// page. The inbound direction is covered with the JS double (tests/fixtures/ble-double.ts).

import { expect, test, type CDPSession } from '@playwright/test';
import { FrameReader, type Frame } from '../../src/lib/protocol/frame';

const ADDRESS = '09:09:09:09:09:09';
const FFE0 = '0000ffe0-0000-1000-8000-00805f9b34fb';
const FFE1 = '0000ffe1-0000-1000-8000-00805f9b34fb';
const CCCD = '00002902-0000-1000-8000-00805f9b34fb';

interface CharacteristicOperation {
  characteristicId: string;
  type: 'read' | 'write' | 'subscribe-to-notifications' | 'unsubscribe-from-notifications';
  data?: string;
  writeType?: 'write-default-deprecated' | 'write-with-response' | 'write-without-response';
}

interface Peripheral {
  /** Every write that reached FFE1, in order. */
  writes: { bytes: Uint8Array; writeType: string | undefined }[];
  /** GATT operations the page caused, in order ("connection", "discovery", "subscribe-to-notifications", ...). */
  operations: string[];
  /** Chooser prompt ids answered. */
  prompts: string[];
}

/** An HM-10 on an emulated, powered adapter that answers every request with success. */
async function emulateHm10(bcdp: CDPSession, pcdp: CDPSession): Promise<Peripheral> {
  const peripheral: Peripheral = { writes: [], operations: [], prompts: [] };

  await bcdp.send('BluetoothEmulation.enable', { state: 'powered-on', leSupported: true });
  await bcdp.send('BluetoothEmulation.simulatePreconnectedPeripheral', {
    address: ADDRESS,
    name: 'HM-10',
    manufacturerData: [],
    knownServiceUuids: [FFE0]
  });
  const { serviceId } = await bcdp.send('BluetoothEmulation.addService', { address: ADDRESS, serviceUuid: FFE0 });
  const { characteristicId } = await bcdp.send('BluetoothEmulation.addCharacteristic', {
    serviceId,
    characteristicUuid: FFE1,
    properties: { read: true, write: true, writeWithoutResponse: true, notify: true }
  });
  await bcdp.send('BluetoothEmulation.addDescriptor', { characteristicId, descriptorUuid: CCCD });

  bcdp.on('BluetoothEmulation.gattOperationReceived', (ev: { address: string; type: 'connection' | 'discovery' }) => {
    peripheral.operations.push(ev.type);
    void bcdp.send('BluetoothEmulation.simulateGATTOperationResponse', { address: ev.address, type: ev.type, code: 0 }).catch(() => undefined);
  });
  bcdp.on('BluetoothEmulation.characteristicOperationReceived', (ev: CharacteristicOperation) => {
    peripheral.operations.push(ev.type);
    if (ev.type === 'write') {
      peripheral.writes.push({ bytes: Uint8Array.from(Buffer.from(ev.data ?? '', 'base64')), writeType: ev.writeType });
      // A write without response expects no answer; every other operation does.
      if (ev.writeType === 'write-without-response') return;
    }
    void bcdp
      .send('BluetoothEmulation.simulateCharacteristicOperationResponse', {
        characteristicId: ev.characteristicId,
        type: ev.type,
        code: 0,
        ...(ev.type === 'read' ? { data: '' } : {})
      })
      .catch(() => undefined);
  });

  await pcdp.send('DeviceAccess.enable');
  pcdp.on('DeviceAccess.deviceRequestPrompted', (ev: { id: string; devices: { id: string; name: string }[] }) => {
    // The prompt is announced again as devices turn up; answering an id twice crashes Chromium.
    if (ev.devices.length === 0 || peripheral.prompts.includes(ev.id)) return;
    const device = ev.devices.find((d) => d.id === ADDRESS);
    if (!device) return;
    peripheral.prompts.push(ev.id);
    void pcdp.send('DeviceAccess.selectPrompt', { id: ev.id, deviceId: device.id }).catch(() => undefined);
  });
  return peripheral;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function framesIn(bytes: Uint8Array): { frames: Frame[]; errors: string[] } {
  const reader = new FrameReader();
  const frames: Frame[] = [];
  const errors: string[] = [];
  for (const ev of reader.push(bytes)) {
    if (ev.type === 'frame') frames.push(ev.frame);
    else errors.push(`${ev.kind}: ${ev.message}`);
  }
  return { frames, errors };
}

test('Connect Bluetooth: chooser, connect, discovery, subscribe, and the first request arriving in chunks of at most 20 bytes', async ({
  browser,
  page
}) => {
  const bcdp = await browser.newBrowserCDPSession();
  const pcdp = await page.context().newCDPSession(page);
  const peripheral = await emulateHm10(bcdp, pcdp);
  try {
    await page.goto('/connect');
    await page.getByRole('button', { name: 'Connect Bluetooth' }).click();

    await expect.poll(() => peripheral.prompts.length, { message: 'the device chooser was answered' }).toBe(1);
    await expect.poll(() => peripheral.operations.includes('subscribe-to-notifications'), { message: 'the page subscribed to FFE1' }).toBe(true);
    await expect
      .poll(() => framesIn(concat(peripheral.writes.map((w) => w.bytes))).frames.length, {
        message: 'a whole request frame arrived at the peripheral'
      })
      .toBeGreaterThan(0);

    // Connect first, then discovery, then the subscription; writes only after that.
    expect(peripheral.operations.slice(0, 2)).toEqual(['connection', 'discovery']);
    const firstWrite = peripheral.operations.indexOf('write');
    expect(peripheral.operations.indexOf('subscribe-to-notifications')).toBeLessThan(firstWrite);

    expect(peripheral.writes.length).toBeGreaterThan(0);
    for (const w of peripheral.writes) {
      expect(w.bytes.length).toBeGreaterThan(0);
      expect(w.bytes.length).toBeLessThanOrEqual(20);
      expect(w.writeType).toBe('write-without-response');
    }

    const { frames, errors } = framesIn(concat(peripheral.writes.map((w) => w.bytes)));
    expect(errors).toEqual([]);
    // The app's first request goes to the master (address 1) in the PACE dialect: 90H (pack
    // count, `~250146900000FDA5\r`) or the 42H probe of the master's own analog block
    // (`~25014642E00201FD30\r`), whichever the session starts with.
    const first = frames[0];
    expect({ ver: first.ver, adr: first.adr, cid1: first.cid1 }).toEqual({ ver: 0x25, adr: 1, cid1: 0x46 });
    const expected: Record<number, string> = { 0x90: '~250146900000FDA5\r', 0x42: '~25014642E00201FD30\r' };
    expect(Object.keys(expected).map(Number)).toContain(first.code);
    expect(new TextDecoder().decode(concat(peripheral.writes.map((w) => w.bytes))).startsWith(expected[first.code])).toBe(true);
  } finally {
    // Leave the page first, so no GATT operation is in flight when the emulated adapter goes away.
    await page.goto('about:blank').catch(() => undefined);
    await bcdp.send('BluetoothEmulation.disable').catch(() => undefined);
    await bcdp.detach().catch(() => undefined);
  }
});

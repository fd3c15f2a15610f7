// The serial and Bluetooth doubles in real Chromium: the page's navigator.serial /
// navigator.bluetooth reach a simulated bank running in Node, bytes flow both ways, and unplug,
// replug and link loss look to the page the way the real APIs make them look. These run at the
// Web API level so that a failure here points at the doubles, not at the app.

import { expect, test } from '@playwright/test';
import { FrameReader } from '../../src/lib/protocol/frame';
import { createSimBank, type SimBank } from '../../src/lib/sim/bank';
import { realClock } from '../../src/lib/time/clock';
import { installBleDouble } from '../fixtures/ble-double';
import { installSerialDouble } from '../fixtures/serial-double';

const REQUEST_90H = '~250146900000FDA5\r';

function firstFrame(text: string) {
  const reader = new FrameReader();
  const events = reader.push(Uint8Array.from(text, (c) => c.charCodeAt(0)));
  return events.find((e) => e.type === 'frame');
}

let bank: SimBank | null = null;

test.afterEach(() => {
  bank?.dispose();
  bank = null;
});

test('serial double: a request reaches the simulated bank and its reply comes back through port.readable', async ({ page }) => {
  bank = createSimBank({ packCount: 3, seed: 7, clock: realClock });
  const usb = await installSerialDouble(page, bank);
  // A page load is no user gesture: Chromium refuses the chooser there, and so does the double.
  // (page.evaluate itself carries a gesture, so this must run from the page's own scripts.)
  await page.addInitScript(() => {
    (window as unknown as Record<string, unknown>).__noGesture = new Promise<string>((resolve) =>
      addEventListener('load', () =>
        navigator.serial
          .requestPort()
          .then(
            () => 'granted',
            (e: Error) => e.name
          )
          .then(resolve)
      )
    );
  });
  await page.goto('/connect');
  expect(await page.evaluate(() => (window as unknown as { __noGesture: Promise<string> }).__noGesture)).toBe('SecurityError');

  const reply = await page.evaluate(async (request) => {
    const port = await navigator.serial.requestPort();
    if (port.readable !== null) throw new Error('readable must be null before open()');
    await port.open({ baudRate: 9600 });
    const writer = port.writable!.getWriter();
    await writer.write(new TextEncoder().encode(request));
    writer.releaseLock();
    const reader = port.readable!.getReader();
    let text = '';
    while (!text.includes('\r')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    // Web Serial refuses to close while the reader holds the stream.
    const lockedClose = await port.close().then(
      () => 'closed',
      (e: Error) => e.name
    );
    reader.releaseLock();
    await port.close();
    return { text, lockedClose, info: port.getInfo() };
  }, REQUEST_90H);

  expect(new TextDecoder().decode(usb.written())).toBe(REQUEST_90H);
  const frame = firstFrame(reply.text);
  expect(frame?.type).toBe('frame');
  if (frame?.type === 'frame') {
    expect(frame.frame.code).toBe(0x00);
    expect(frame.frame.info[frame.frame.info.length - 1]).toBe(3);
  }
  expect(reply.lockedClose).toBe('TypeError');
  expect(reply.info).toEqual({ usbVendorId: 0x10c4, usbProductId: 0xea60 });
  usb.dispose();
});

test('serial double: unplug errors the stream and fires disconnect; replug brings a new, granted port', async ({ page }) => {
  bank = createSimBank({ packCount: 1, seed: 1, clock: realClock });
  const usb = await installSerialDouble(page, bank);
  await page.goto('/connect');
  await page.evaluate(async () => {
    const w = window as unknown as Record<string, unknown>;
    const port = await navigator.serial.requestPort();
    await port.open({ baudRate: 9600 });
    w.__events = [] as string[];
    navigator.serial.addEventListener('disconnect', (e) => (w.__events as string[]).push('disconnect:' + (e.target === port)));
    navigator.serial.addEventListener('connect', (e) => (w.__events as string[]).push('connect:' + (e.target !== port)));
    const reader = port.readable!.getReader();
    w.__read = reader.read().then(
      () => 'resolved',
      (e: Error) => e.name
    );
  });
  await usb.unplug();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __read: Promise<string> }).__read)).toBe('NetworkError');
  expect(await page.evaluate(async () => (await navigator.serial.getPorts()).length)).toBe(0);
  await usb.replug();
  expect(await page.evaluate(() => (window as unknown as { __events: string[] }).__events)).toEqual(['disconnect:true', 'connect:true']);
  expect(await page.evaluate(async () => (await navigator.serial.getPorts()).length)).toBe(1);

  // The grant and the plug state survive a reload, as in a real tab.
  await page.reload();
  expect(await page.evaluate(async () => (await navigator.serial.getPorts()).length)).toBe(1);
  usb.dispose();
});

test('BLE double: writes to FFE1 reach the bank in 20-byte chunks and the reply arrives as notifications', async ({ page }) => {
  bank = createSimBank({ packCount: 2, seed: 3, clock: realClock });
  const ble = await installBleDouble(page, bank);
  await page.goto('/connect');
  const result = await page.evaluate(async (request) => {
    const device = await navigator.bluetooth.requestDevice({ filters: [{ services: [0xffe0] }] });
    const server = await device.gatt!.connect();
    const service = await server.getPrimaryService(0xffe0);
    const ch = await service.getCharacteristic(0xffe1);
    const pieces: number[] = [];
    let text = '';
    const done = new Promise<void>((resolve) => {
      ch.addEventListener('characteristicvaluechanged', () => {
        const v = ch.value!;
        pieces.push(v.byteLength);
        text += new TextDecoder().decode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        if (text.includes('\r')) resolve();
      });
    });
    await ch.startNotifications();
    const bytes = new TextEncoder().encode(request);
    await ch.writeValueWithoutResponse(bytes.slice(0, 10));
    await ch.writeValueWithoutResponse(bytes.slice(10));
    // A write longer than the module's 20 bytes fails, as it would on an HM-10.
    const long = await ch.writeValueWithoutResponse(new Uint8Array(21)).then(
      () => 'ok',
      (e: Error) => e.name
    );
    await done;
    const dropped = new Promise<string>((resolve) => device.addEventListener('gattserverdisconnected', () => resolve('disconnected')));
    return { name: device.name, text, pieces, long, dropped: await Promise.race([dropped, Promise.resolve('still connected')]) };
  }, REQUEST_90H);
  expect(result.name).toBe('HM-10');
  expect(result.long).toBe('NetworkError');
  expect(result.pieces.every((n) => n <= 20)).toBe(true);
  const frame = firstFrame(result.text);
  expect(frame?.type).toBe('frame');
  expect(ble.writes().map((w) => w.bytes.length)).toEqual([10, 8]);
  expect(new TextDecoder().decode(ble.written())).toBe(REQUEST_90H);

  await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    w.__drops = 0;
    return navigator.bluetooth.getDevices().then((ds) => ds[0].addEventListener('gattserverdisconnected', () => (w.__drops as number)++));
  });
  await ble.dropConnection();
  expect(await page.evaluate(() => (window as unknown as { __drops: number }).__drops)).toBe(1);
  ble.dispose();
});

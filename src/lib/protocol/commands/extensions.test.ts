import { describe, expect, it } from 'vitest';
import { DecodeError, type AnyCommand } from '../command';
import { bytesToHex } from '../hex';
import { decodeCaptured, decodeCapturedRequest, replyText, requestText, WRITE_ACK_TEXT } from '../fixtures/capture-helpers';
import {
  ASSUMED_EXTENSION_CODES,
  createExtensionCommands,
  EXTENSION_CID2,
  exitModule,
  extensionCommands,
  setCanBitrate,
  setHost,
  setSerialBaud,
  setSoftwareAddress,
  setWifi,
  wifiCredentialsProblem,
  type CanBitrate_kbps
} from './extensions';
import { settingsCommands } from './settings';
import type { PackBaud } from '../types';

describe('vendor extension commands', () => {
  it('take their CID2 from the one table, are marked extension and never collide with documented codes', () => {
    const table = Object.values(EXTENSION_CID2);
    expect(extensionCommands.map((c) => c.cid2)).toEqual(table);
    for (const c of extensionCommands) {
      expect(c.extension).toBe(true);
      expect(c.kind).toBe('write');
    }
    const documented = settingsCommands.filter((c) => !c.extension).map((c) => c.cid2);
    for (const code of table) expect(documented).not.toContain(code);
    expect(new Set(table).size).toBe(table.length);
  });

  it('answer with the empty acknowledgement', () => {
    for (const c of extensionCommands) {
      const cmd: AnyCommand = c;
      const { frame, value } = decodeCaptured(cmd, WRITE_ACK_TEXT);
      expect(replyText(cmd, value, undefined, frame)).toBe(WRITE_ACK_TEXT);
    }
  });

  it('address commands carry one address byte 0..0x10', () => {
    expect(requestText(setSoftwareAddress, { address: 3 }, 1)).toMatch(/^~250146F0E00203[0-9A-F]{4}\r$/);
    expect(decodeCapturedRequest(setHost, requestText(setHost, { address: 0x10 }, 1))).toEqual({ address: 0x10 });
    expect(Array.from(exitModule.encodeRequest({ address: 2 }))).toEqual([2]);
    expect(() => setSoftwareAddress.encodeRequest({ address: 0x11 })).toThrowError(/address.*17.*0\.\.16/);
    expect(() => setHost.encodeRequest({ address: -1 })).toThrowError(RangeError);
  });

  it('serial baud rate is a u32 from the offered set', () => {
    expect(bytesToHex(setSerialBaud.encodeRequest({ baud: 115200 }))).toBe('0001C200');
    expect(setSerialBaud.decodeRequest(Uint8Array.of(0, 0, 0x25, 0x80))).toEqual({ baud: 9600 });
    expect(() => setSerialBaud.encodeRequest({ baud: 14400 as PackBaud })).toThrowError(/baud.*14400 bit\/s.*9600, 19200/);
  });

  it('CAN bit rate is a u16 in kbit/s from the offered set', () => {
    expect(bytesToHex(setCanBitrate.encodeRequest({ bitrate_kbps: 250 }))).toBe('00FA');
    expect(setCanBitrate.decodeRequest(Uint8Array.of(0x01, 0xf4))).toEqual({ bitrate_kbps: 500 });
    expect(() => setCanBitrate.encodeRequest({ bitrate_kbps: 300 as CanBitrate_kbps })).toThrowError(/bitrate_kbps.*300 kbit\/s/);
  });

  it('Wi-Fi credentials: length-prefixed UTF-8 SSID and ASCII password, round trip', () => {
    const creds = { ssid: 'Garage ☀', password: 'correct horse' };
    const info = setWifi.encodeRequest(creds);
    expect(info[0]).toBe(10); // 'Garage ' (7) + U+2600 (3 bytes)
    expect(info[11]).toBe(13);
    expect(setWifi.decodeRequest(info)).toEqual(creds);
    expect(setWifi.decodeRequest(setWifi.encodeRequest({ ssid: 'open', password: '' }))).toEqual({ ssid: 'open', password: '' });
  });

  it('Wi-Fi credentials are checked before sending', () => {
    expect(wifiCredentialsProblem({ ssid: '', password: '' })).toMatch(/ssid.*1\.\.32 bytes/);
    expect(wifiCredentialsProblem({ ssid: 'x'.repeat(33), password: '' })).toMatch(/33 bytes/);
    expect(wifiCredentialsProblem({ ssid: 'home', password: 'short' })).toMatch(/password.*5 characters.*8\.\.63/);
    expect(wifiCredentialsProblem({ ssid: 'home', password: 'pässwörter' })).toMatch(/printable ASCII/);
    expect(() => setWifi.encodeRequest({ ssid: 'home', password: 'short' })).toThrowError(RangeError);
    expect(() => setWifi.decodeRequest(Uint8Array.of(2, 0xff, 0xfe, 0))).toThrowError(DecodeError);
    expect(() => setWifi.decodeRequest(Uint8Array.of(5, 0x41))).toThrowError(DecodeError);
  });
});

describe('extension commands built from another code/layout table (an extension profile)', () => {
  const cmds = createExtensionCommands({
    ...ASSUMED_EXTENSION_CODES,
    setSerialBaud: { cid2: 0xf9, layout: { kind: 'u16-bps-div100' } },
    setCanBitrate: { cid2: 0xfa, layout: { kind: 'u8-index', rates_kbps: [125, 250, 500] } },
    setWifi: { cid2: 0xfb, layout: { kind: 'fixed', ssidBytes: 8, passwordBytes: 10 } }
  });

  it('takes the codes given', () => {
    expect([cmds.setSerialBaud.cid2, cmds.setCanBitrate.cid2, cmds.setWifi.cid2]).toEqual([0xf9, 0xfa, 0xfb]);
    expect(cmds.setSoftwareAddress.cid2).toBe(EXTENSION_CID2.setSoftwareAddress);
  });

  it('baud as u16 / 100, CAN bit rate as an index into the pack list, both ways', () => {
    expect(bytesToHex(cmds.setSerialBaud.encodeRequest({ baud: 115200 }))).toBe('0480');
    expect(cmds.setSerialBaud.decodeRequest(Uint8Array.of(0x00, 0x60))).toEqual({ baud: 9600 });
    expect(bytesToHex(cmds.setCanBitrate.encodeRequest({ bitrate_kbps: 500 }))).toBe('02');
    expect(() => cmds.setCanBitrate.encodeRequest({ bitrate_kbps: 1000 })).toThrowError(
      /CAN bit rate 1000 is not in this pack's list \(125, 250, 500\)/
    );
    expect(() => cmds.setCanBitrate.decodeRequest(Uint8Array.of(7))).toThrowError(DecodeError);
  });

  it('Wi-Fi in zero-padded fixed fields, limited by their size', () => {
    const info = cmds.setWifi.encodeRequest({ ssid: 'site', password: 'installer' });
    // 'site' + 4 zero bytes | 'installer' + 1 zero byte
    expect(bytesToHex(info)).toBe('7369746500000000696E7374616C6C657200');
    expect(cmds.setWifi.decodeRequest(info)).toEqual({ ssid: 'site', password: 'installer' });
    expect(() => cmds.setWifi.encodeRequest({ ssid: 'a-long-ssid', password: 'installer' })).toThrowError(/1\.\.8 bytes/);
  });
});

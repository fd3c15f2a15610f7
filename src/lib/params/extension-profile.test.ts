import { afterEach, describe, expect, it } from 'vitest';
import type { TrafficEntry } from '../protocol/client';
import { EXTENSION_IDS } from '../protocol/commands/extensions';
import { EXTENSION_PROFILE_FORMAT, Extensions, parseExtensionProfile } from './extension-profile';
import { setExtension } from './extension-writes';
import { createParamRig, type ParamRig } from './rig';

let rig: ParamRig;
afterEach(() => rig?.dispose());

const good = {
  format: EXTENSION_PROFILE_FORMAT,
  version: 1,
  name: 'Vendor X 1.06',
  commands: {
    setSoftwareAddress: { cid2: 'F8' },
    setSerialBaud: { cid2: '0xF9', layout: { kind: 'u8-index', rates: [9600, 19200, 115200] } },
    setWifi: { cid2: 250, layout: { kind: 'fixed', ssidBytes: 32, passwordBytes: 64 } }
  }
};

describe('extension profile files', () => {
  it('a good file gives the codes and layouts it names, and nothing else', () => {
    const r = parseExtensionProfile(JSON.stringify(good));
    expect(r).toEqual({
      ok: true,
      profile: {
        format: EXTENSION_PROFILE_FORMAT,
        version: 1,
        name: 'Vendor X 1.06',
        commands: {
          setSoftwareAddress: { cid2: 0xf8 },
          setSerialBaud: { cid2: 0xf9, layout: { kind: 'u8-index', rates: [9600, 19200, 115200] } },
          setWifi: { cid2: 0xfa, layout: { kind: 'fixed', ssidBytes: 32, passwordBytes: 64 } }
        }
      }
    });
  });

  it('a malformed file is refused whole, with every field named', () => {
    const r = parseExtensionProfile(
      JSON.stringify({
        format: EXTENSION_PROFILE_FORMAT,
        version: 1,
        name: 'bad',
        commands: {
          setSoftwareAddress: { cid2: 'D0' },
          setHost: { cid2: 'F8', extra: 1 },
          exitModule: { cid2: 'F8' },
          setSerialBaud: { cid2: 'F3', layout: { kind: 'u8-index', rates: [9600, 14400] } },
          setCanBitrate: { cid2: 'XYZ' },
          setWifi: { cid2: 'F5', layout: { kind: 'fixed', ssidBytes: 0, passwordBytes: 64 } },
          setLights: { cid2: 'F6' }
        }
      })
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { field: 'commands.setSoftwareAddress.cid2', reason: 'D0H is the documented command setCellOverVoltage; an extension cannot reuse it' },
      { field: 'commands.setHost.extra', reason: 'is not a field of an extension command' },
      { field: 'commands.exitModule.cid2', reason: 'F8H is already used by setHost' },
      {
        field: 'commands.setSerialBaud.layout.rates',
        reason: '14400 is not among the rates this tool offers (9600, 19200, 115200 bit/s)'
      },
      { field: 'commands.setCanBitrate.cid2', reason: 'must be a CID2 byte, e.g. "F0"' },
      { field: 'commands.setWifi.layout.ssidBytes', reason: 'must be the SSID field size in bytes, 1..64' },
      { field: 'commands.setLights', reason: `is not a vendor extension this tool knows (${EXTENSION_IDS.join(', ')})` }
    ]);
    expect(parseExtensionProfile('nope')).toMatchObject({ ok: false, problems: [{ field: '(file)' }] });
    expect(parseExtensionProfile(JSON.stringify({ ...good, version: 3 }))).toMatchObject({
      ok: false,
      problems: [{ field: 'version', reason: expect.stringMatching(/newer/) }]
    });
    expect(parseExtensionProfile(JSON.stringify({ ...good, commands: { setSerialBaud: { cid2: 'F3' } } }))).toMatchObject({
      ok: false,
      problems: [{ field: 'commands.setSerialBaud.layout' }]
    });
  });
});

describe('enabled, and why not', () => {
  it('real pack without a profile: every extension greyed with the reason', () => {
    const e = new Extensions('real');
    expect(e.availability().every((a) => !a.enabled && a.reason === 'no-profile')).toBe(true);
    expect(e.of('setWifi').message).toMatch(/never sent to a real pack by default/);
    expect(e.command('setWifi')).toBeNull();
  });

  it('real pack with a profile: what it covers is enabled with its codes', () => {
    const r = parseExtensionProfile(JSON.stringify(good));
    if (!r.ok) throw new Error('profile');
    const e = new Extensions('real', r.profile);
    expect(e.availability().map((a) => [a.id, a.reason])).toEqual([
      ['setSoftwareAddress', 'profile'],
      ['setHost', 'not-in-profile'],
      ['exitModule', 'not-in-profile'],
      ['setSerialBaud', 'profile'],
      ['setCanBitrate', 'not-in-profile'],
      ['setWifi', 'profile']
    ]);
    expect(e.command('setSerialBaud')!.cid2).toBe(0xf9);
    expect(Array.from(e.command('setSerialBaud')!.encodeRequest({ baud: 115200 }))).toEqual([2]);
    const wifi = e.command('setWifi')!.encodeRequest({ ssid: 'site', password: 'installer' });
    expect(wifi.length).toBe(96);
  });

  it('demo bank: all enabled', () => {
    expect(new Extensions('demo').availability().every((a) => a.enabled && a.reason === 'demo')).toBe(true);
  });
});

describe('extension writes on the demo bank', () => {
  function sent(r: ParamRig): TrafficEntry[] {
    const t: TrafficEntry[] = [];
    r.client.onTraffic((e) => e.dir === 'tx' && e.frame && e.frame.code >= 0xf0 && t.push(e));
    return t;
  }

  it('address setting: confirmed by the pack answering at its new address with its serial', async () => {
    rig = await createParamRig({ packCount: 3 });
    const res = await rig.run(setExtension(rig.path, rig.ref(3), new Extensions('demo'), { id: 'setSoftwareAddress', address: 9 }));
    expect(res.outcome, res.message).toBe('written');
    expect(rig.bank.packAt(9)).toBeDefined();
  });

  it('baud rate, CAN bit rate, Wi-Fi: acknowledged but "unverified", with how to check', async () => {
    rig = await createParamRig({ packCount: 1 });
    const ext = new Extensions('demo');
    const can = await rig.run(setExtension(rig.path, rig.ref(1), ext, { id: 'setCanBitrate', bitrate_kbps: 500 }));
    expect(can.outcome).toBe('unverified');
    expect(can.message).toMatch(/no command reads the CAN bit rate back/);
    const wifi = await rig.run(setExtension(rig.path, rig.ref(1), ext, { id: 'setWifi', ssid: 'site', password: 'installer' }));
    expect(wifi.outcome).toBe('unverified');
    expect(rig.bank.packAt(1)!.extras.wifi).toEqual({ ssid: 'site', password: 'installer' });
  });

  it('a real pack without a profile: nothing is sent, and the reason is logged', async () => {
    rig = await createParamRig({ packCount: 1 });
    const tx = sent(rig);
    const res = await rig.run(setExtension(rig.path, rig.ref(1), new Extensions('real'), { id: 'setCanBitrate', bitrate_kbps: 500 }));
    expect(res.outcome).toBe('not-sent');
    expect(res.message).toMatch(/never sent to a real pack by default/);
    expect(tx).toEqual([]);
    expect(rig.log.entries[0].outcome).toBe('not-sent');
  });

  it('codes the pack does not know: RTN 04 refused, and the feature greyed from then on', async () => {
    rig = await createParamRig({ packCount: 1 });
    const r = parseExtensionProfile(JSON.stringify(good));
    if (!r.ok) throw new Error('profile');
    const ext = new Extensions('real', r.profile);
    const res = await rig.run(setExtension(rig.path, rig.ref(1), ext, { id: 'setSoftwareAddress', address: 5 }));
    expect(res.outcome).toBe('refused');
    expect(res.message).toMatch(/does not know the address setting command \(RTN 04\)/);
    expect(ext.of('setSoftwareAddress')).toMatchObject({ enabled: false, reason: 'unsupported' });
  });

  it('a bad value is refused before anything is sent', async () => {
    rig = await createParamRig({ packCount: 1 });
    const res = await rig.run(setExtension(rig.path, rig.ref(1), new Extensions('demo'), { id: 'setWifi', ssid: 'site', password: 'short' }));
    expect(res.outcome).toBe('invalid');
    expect(res.message).toMatch(/password.*8\.\.63/);
  });
});

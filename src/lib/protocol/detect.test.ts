import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_OPTIONS } from './types';
import * as F from './fixtures/telemetry-frames';
import { detectProfile, isProfileSetting, pickProfile, requestHeader, telemetryCommandsFor } from './detect';
import { readAnalog } from './commands/analog';
import { eg4ReadAnalog } from './commands/pylon';

describe('detectProfile', () => {
  it.each([
    ['PACE 42H', F.ANALOG_PBMSTOOLS, 0x42, 'pace', 'certain'],
    ['PACE 44H', F.STATUS_PBMSTOOLS, 0x44, 'pace', 'certain'],
    ['Pylon 42H P = 2', F.PYLON_ANALOG, 0x42, 'pylon', 'likely'],
    ['Pylon 42H P = 4', F.PYLON_ANALOG_P4, 0x42, 'pylon', 'likely'],
    ['Seplos 42H P = 10', F.SEPLOS_ANALOG, 0x42, 'seplos', 'likely'],
    ['EG4 42H by CID1', F.EG4_ANALOG, 0x42, 'eg4', 'certain'],
    ['EG4 44H by CID1', F.EG4_STATUS, 0x44, 'eg4', 'certain']
  ] as const)('%s', (_name, fixture, cid2, profile, confidence) => {
    const g = detectProfile(F.frameOf(fixture), cid2);
    expect(g.profile).toBe(profile);
    expect(g.confidence).toBe(confidence);
    expect(g.reason.length).toBeGreaterThan(10);
  });

  it('finds EG4 by its P = 15 layout when the CID1 is 46H', () => {
    const f = { ...F.frameOf(F.EG4_ANALOG), cid1: 0x46 };
    expect(detectProfile(f, 0x42)).toMatchObject({ profile: 'eg4', confidence: 'likely' });
  });

  it('finds Seplos and EG4 44H by their P bytes', () => {
    const seplos = Uint8Array.from([
      0,
      1,
      16,
      ...new Array<number>(16).fill(0),
      6,
      ...new Array<number>(6).fill(0),
      0,
      0,
      20,
      ...new Array<number>(20).fill(0)
    ]);
    expect(detectProfile({ ver: 0x20, cid1: 0x46, info: seplos }, 0x44).profile).toBe('seplos');
    const eg4 = { ...F.frameOf(F.EG4_STATUS), cid1: 0x46 };
    expect(detectProfile(eg4, 0x44).profile).toBe('eg4');
  });

  it('reads a PACE layout behind a faked VER', () => {
    const f = { ...F.frameOf(F.ANALOG_PBMSTOOLS), ver: 0x26 };
    expect(detectProfile(f, 0x42)).toMatchObject({ profile: 'pace', confidence: 'likely' });
  });

  it('falls back to Pylon for VER 20 replies without a telling layout', () => {
    expect(detectProfile({ ver: 0x20, cid1: 0x46, info: Uint8Array.of(2) }, 0x90)).toMatchObject({ profile: 'pylon', confidence: 'guess' });
  });
});

describe('profile settings', () => {
  it('uses the setting unless it is auto', () => {
    expect(pickProfile('seplos', 'pace')).toBe('seplos');
    expect(pickProfile('auto', detectProfile(F.frameOf(F.SEPLOS_ANALOG), 0x42))).toBe('seplos');
    expect(pickProfile('auto', 'eg4')).toBe('eg4');
    expect(pickProfile('auto')).toBe('pace');
  });

  it('validates setting strings', () => {
    expect(isProfileSetting('eg4')).toBe(true);
    expect(isProfileSetting('auto')).toBe(true);
    expect(isProfileSetting('jbd')).toBe(false);
  });

  it('gives each profile its request header and commands', () => {
    expect(requestHeader('pace')).toEqual({ ver: 0x25, cid1: 0x46 });
    expect(requestHeader('seplos')).toEqual({ ver: 0x20, cid1: 0x46 });
    expect(requestHeader('eg4')).toEqual({ ver: 0x20, cid1: 0x4a });
    expect(telemetryCommandsFor('eg4').analog).toBe(eg4ReadAnalog);
    expect(telemetryCommandsFor('pylon').analog).toBe(readAnalog);
    const r = telemetryCommandsFor('seplos').analog.decodeReply(F.frameOf(F.SEPLOS_ANALOG).info, {
      request: { command: 0 },
      options: { ...DEFAULT_DECODE_OPTIONS, profile: 'seplos' }
    });
    expect(r.packs[0].voltage_V).toBe(52.8);
  });
});

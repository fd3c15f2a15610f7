import { describe, expect, it } from 'vitest';
import { applySettings, decodeOptionsFor, DEFAULT_SETTINGS, parseStoredSettings } from './settings';
import { SettingsStore, SETTINGS_KEY } from './settings.svelte';
import { MemoryStorage, type KeyValueStorage } from './storage';

describe('applySettings', () => {
  it('accepts form strings and stored numbers for numeric fields', () => {
    const { settings, problems } = applySettings(DEFAULT_SETTINGS, { baud: '19200', demoPacks: '4' });
    expect(problems).toEqual([]);
    expect(settings.baud).toBe(19200);
    expect(settings.demoPacks).toBe(4);
    expect(applySettings(DEFAULT_SETTINGS, { baud: 115200 }).settings.baud).toBe(115200);
    expect(applySettings(DEFAULT_SETTINGS, { baud: 'auto' }).settings.baud).toBe('auto');
  });

  it('keeps the old value of a bad field, applies the good ones and says what was wrong', () => {
    const base = { ...DEFAULT_SETTINGS, baud: 19200 as const };
    const { settings, problems } = applySettings(base, { baud: 4800, demoPacks: 17, profile: 'seplos', theme: 'neon' });
    expect(settings.baud).toBe(19200);
    expect(settings.demoPacks).toBe(DEFAULT_SETTINGS.demoPacks);
    expect(settings.profile).toBe('seplos');
    expect(settings.theme).toBe(DEFAULT_SETTINGS.theme);
    expect(problems.map((p) => p.field).sort()).toEqual(['baud', 'demoPacks', 'theme']);
    expect(problems.find((p) => p.field === 'baud')?.message).toMatch(/9600, 19200, 115200/);
  });

  it('rejects fractional and out-of-range demo bank sizes', () => {
    for (const bad of [0, 1.5, 17, '', 'x', null]) {
      expect(applySettings(DEFAULT_SETTINGS, { demoPacks: bad }).problems).toHaveLength(1);
    }
    expect(applySettings(DEFAULT_SETTINGS, { demoPacks: 1 }).settings.demoPacks).toBe(1);
    expect(applySettings(DEFAULT_SETTINGS, { demoPacks: 16 }).settings.demoPacks).toBe(16);
  });

  it('validates the two UNCERTAIN decode options', () => {
    const ok = applySettings(DEFAULT_SETTINGS, { balanceByteOrder: 'u16', controlPolarity: 'forced-off' });
    expect(ok.problems).toEqual([]);
    expect(ok.settings.balanceByteOrder).toBe('u16');
    expect(ok.settings.controlPolarity).toBe('forced-off');
    const bad = applySettings(DEFAULT_SETTINGS, { balanceByteOrder: 'le', controlPolarity: true });
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['balanceByteOrder', 'controlPolarity']);
  });

  it('ignores unknown keys and rejects non-objects', () => {
    expect(applySettings(DEFAULT_SETTINGS, { future: 1 }).problems).toEqual([]);
    expect(applySettings(DEFAULT_SETTINGS, [1, 2]).problems).toHaveLength(1);
    expect(applySettings(DEFAULT_SETTINGS, 'x').settings).toEqual(DEFAULT_SETTINGS);
  });
});

describe('parseStoredSettings', () => {
  it('gives defaults for nothing stored and for broken JSON', () => {
    expect(parseStoredSettings(null)).toEqual({ settings: { ...DEFAULT_SETTINGS }, problems: [] });
    const broken = parseStoredSettings('{nope');
    expect(broken.settings).toEqual({ ...DEFAULT_SETTINGS });
    expect(broken.problems).toHaveLength(1);
  });
});

describe('decodeOptionsFor', () => {
  it('uses the detected profile under auto, and a manual choice over detection', () => {
    expect(decodeOptionsFor({ ...DEFAULT_SETTINGS, profile: 'auto' }, 'seplos').profile).toBe('seplos');
    expect(decodeOptionsFor({ ...DEFAULT_SETTINGS, profile: 'auto' }).profile).toBe('pace');
    expect(decodeOptionsFor({ ...DEFAULT_SETTINGS, profile: 'eg4' }, 'pace').profile).toBe('eg4');
    expect(decodeOptionsFor({ ...DEFAULT_SETTINGS, balanceByteOrder: 'u16' }).balanceByteOrder).toBe('u16');
  });
});

describe('SettingsStore', () => {
  it('loads what was stored and reports bad stored fields', () => {
    const storage = new MemoryStorage();
    storage.setItem(SETTINGS_KEY, JSON.stringify({ baud: 19200, demoPacks: 99 }));
    const store = new SettingsStore(storage);
    expect(store.current.baud).toBe(19200);
    expect(store.current.demoPacks).toBe(16);
    expect(store.loadProblems.map((p) => p.field)).toEqual(['demoPacks']);
  });

  it('saves valid updates so a new store (a reload) sees them', () => {
    const storage = new MemoryStorage();
    const store = new SettingsStore(storage);
    expect(store.update({ baud: 'auto', demoPacks: 3, theme: 'dark' })).toEqual([]);
    const again = new SettingsStore(storage);
    expect(again.current).toMatchObject({ baud: 'auto', demoPacks: 3, theme: 'dark' });
  });

  it('reset() goes back to defaults and forgets the stored value', () => {
    const storage = new MemoryStorage();
    const store = new SettingsStore(storage);
    store.update({ demoPacks: 2 });
    store.reset();
    expect(store.current.demoPacks).toBe(16);
    expect(storage.getItem(SETTINGS_KEY)).toBeNull();
  });

  it('keeps working in memory and says so when storage throws', () => {
    const throwing: KeyValueStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined
    };
    const store = new SettingsStore(throwing);
    expect(store.current).toEqual({ ...DEFAULT_SETTINGS });
    store.update({ demoPacks: 5 });
    expect(store.current.demoPacks).toBe(5);
    expect(store.saveError).toMatch(/QuotaExceededError/);
  });
});

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { InstallerMode } from '$lib/params/installer';
import { openStorage } from '$lib/storage';
import { VirtualClock } from '$lib/time/clock';
import { KvPinStore } from './pin-store';

describe('installer PIN in the key-value store', () => {
  it('keeps only a salted hash, survives a new session on the same database, and a damaged record asks for a new PIN', async () => {
    const name = `pin-store-${Math.random()}`;
    const storage = await openStorage({ name, storageManager: null });
    const store = new KvPinStore(async () => storage);
    const clock = new VirtualClock();
    const first = new InstallerMode({ store, clock, iterations: 1000 });
    expect(await first.init()).toBe('no-pin');
    expect(await first.setPin('4821')).toBeNull();
    const stored = JSON.stringify(await storage.kv.get('installer.pin'));
    expect(stored).not.toContain('4821');
    expect(stored).toMatch(/"salt":"[A-Za-z0-9+/=]{16,}"/);

    const second = new InstallerMode({ store: new KvPinStore(async () => storage), clock, iterations: 1000 });
    expect(await second.init()).toBe('locked');
    expect((await second.unlock('0000')).ok).toBe(false);
    expect((await second.unlock('4821')).ok).toBe(true);

    await storage.kv.set('installer.pin', { version: 1, algorithm: 'PBKDF2-SHA-256', iterations: 'many' });
    const third = new InstallerMode({ store: new KvPinStore(async () => storage), clock, iterations: 1000 });
    expect(await third.init()).toBe('no-pin');
    storage.close();
  });
});

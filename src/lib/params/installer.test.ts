import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/clock';
import { DEFAULT_IDLE_MS, InstallerMode, MemoryPinStore, pinProblem } from './installer';

// Few iterations keep the tests fast; the default is checked separately.
const make = (store = new MemoryPinStore(), clock = new VirtualClock()) => ({
  store,
  clock,
  mode: new InstallerMode({ store, clock, iterations: 1000 })
});

describe('installer PIN', () => {
  it('set on first use, kept only as a salted PBKDF2 hash', async () => {
    const { store, mode } = make();
    expect(await mode.init()).toBe('no-pin');
    expect(mode.permit()).toMatch(/set an installer PIN on this computer first \(a safety interlock, not a password for the pack\)/);
    expect(await mode.setPin('12a4')).toBe('The PIN is 4 to 12 digits.');
    expect(await mode.setPin('2468')).toBeNull();
    expect(mode.state).toBe('unlocked');
    expect(store.record).toMatchObject({ version: 1, algorithm: 'PBKDF2-SHA-256', iterations: 1000 });
    expect(JSON.stringify(store.record)).not.toContain('2468');
    expect(atob(store.record!.salt)).toHaveLength(16);
    expect(atob(store.record!.hash)).toHaveLength(32);
    // another computer (another salt) stores another hash for the same PIN
    const other = make();
    await other.mode.setPin('2468');
    expect(other.store.record!.hash).not.toBe(store.record!.hash);
  });

  it('a stored PIN starts locked; the right PIN unlocks, a wrong one does not', async () => {
    const first = make();
    await first.mode.setPin('135790');
    const { mode } = make(first.store);
    expect(await mode.init()).toBe('locked');
    expect(mode.permit()).toMatch(/locked\. Enter the installer PIN/);
    expect(await mode.unlock('135791')).toEqual({ ok: false, reason: 'wrong', message: 'Wrong PIN.' });
    expect(await mode.unlock('135790')).toEqual({ ok: true });
    expect(mode.permit()).toBeNull();
  });

  it('locks again after 15 idle minutes; activity pushes the lock out', async () => {
    const { mode, clock } = make();
    const states: string[] = [];
    mode.onChange((s) => states.push(s));
    await mode.setPin('2468');
    await clock.advance(DEFAULT_IDLE_MS - 60_000);
    expect(mode.isUnlocked()).toBe(true);
    mode.touch();
    await clock.advance(DEFAULT_IDLE_MS - 1);
    expect(mode.isUnlocked()).toBe(true);
    expect(mode.permit()).toBeNull(); // a write counts as activity
    await clock.advance(DEFAULT_IDLE_MS - 1);
    expect(mode.isUnlocked()).toBe(true);
    await clock.advance(1);
    expect(mode.state).toBe('locked');
    expect(states.at(-1)).toBe('locked');
  });

  it('changing the PIN needs the current one', async () => {
    const { mode } = make();
    await mode.setPin('2468');
    mode.lock();
    expect(await mode.setPin('1111')).toMatch(/Unlock installer mode with the current PIN/);
    await mode.unlock('2468');
    expect(await mode.setPin('1111')).toBeNull();
    mode.lock();
    expect((await mode.unlock('2468')).ok).toBe(false);
    expect((await mode.unlock('1111')).ok).toBe(true);
  });

  it('five wrong PINs in a row make it wait 30 s', async () => {
    const { mode, clock } = make();
    await mode.setPin('2468');
    mode.lock();
    for (let i = 0; i < 4; i++) expect((await mode.unlock('0000')).ok).toBe(false);
    expect(await mode.unlock('0000')).toMatchObject({ ok: false, reason: 'wait' });
    expect(await mode.unlock('2468')).toMatchObject({ ok: false, reason: 'wait', message: 'Too many wrong PINs. Try again in 30 s.' });
    await clock.advance(30_000);
    expect((await mode.unlock('2468')).ok).toBe(true);
  });

  it('the default hash strength is 100 000 iterations', async () => {
    const store = new MemoryPinStore();
    const mode = new InstallerMode({ store, clock: new VirtualClock() });
    await mode.setPin('2468');
    expect(store.record!.iterations).toBe(100_000);
    expect(pinProblem('123')).not.toBeNull();
    expect(pinProblem('1234567890123')).not.toBeNull();
  });
});

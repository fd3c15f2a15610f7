import { describe, expect, it } from 'vitest';
import {
  attemptFailed,
  checkRules,
  clearProbe,
  failed,
  freshFor_ms,
  heldUp,
  initialHealth,
  isLive,
  linkDown,
  skipUntilProbe,
  startCycle,
  succeeded,
  type HealthRules,
  type PackHealthState
} from './pack-health';

// The pack-health state machine on its own: no poller, no clock, no bus. Times are plain numbers.

const RULES: HealthRules = { staleAfterMisses: 1, offlineAfterMisses: 3, probeBackoff_ms: [2000, 5000] };
const TIMEOUT = { kind: 'timeout', message: 'No reply to readAnalog (42H) to address 2 within 325 ms.' };

/** A pack that answered at t = 1000 ms with values live for 2 s. */
function answered(): PackHealthState {
  return succeeded(initialHealth(2), 1000, 2000);
}

describe('pack health: freshness as a matter of age', () => {
  it('a new pack has no live values until its first good reply', () => {
    const s = initialHealth(2);
    expect(s.health).toMatchObject({ address: 2, state: 'stale', lastGood_ms: null, freshUntil_ms: null });
    expect(isLive(s.health, 0)).toBe(false);
  });

  it('values are live for one refresh interval plus one reply deadline, and not a millisecond longer', () => {
    expect(freshFor_ms(1900, 325)).toBe(2225);
    const s = succeeded(initialHealth(2), 1000, freshFor_ms(1900, 325));
    expect(s.health).toMatchObject({ state: 'ok', lastGood_ms: 1000, freshUntil_ms: 3225, consecutiveFailures: 0 });
    expect(isLive(s.health, 3224)).toBe(true);
    expect(isLive(s.health, 3225)).toBe(false);
  });

  it('time the poller spent on another pack between cycles delays this one’s next poll: live values last that much longer, expired ones stay expired', () => {
    const s = answered(); // live until 3000
    expect(heldUp(s, 2000, 700).health.freshUntil_ms).toBe(3700);
    expect(heldUp(s, 2000, 0)).toBe(s);
    expect(heldUp(s, 3000, 700)).toBe(s);
    const stale = attemptFailed(s, TIMEOUT.message);
    expect(heldUp(stale, 2000, 700)).toBe(stale);
  });

  it('a reply without analog values (status only) keeps the analog values as old as they are', () => {
    const s = succeeded(answered(), 2500, null);
    expect(s.health.lastGood_ms).toBe(2500);
    expect(s.health.freshUntil_ms).toBe(3000);
  });

  it('the first attempt without a reply makes the pack stale at once, without counting a miss; a retry that succeeds makes it live again', () => {
    const s = attemptFailed(answered(), TIMEOUT.message);
    expect(s.health.state).toBe('stale');
    expect(s.health.consecutiveFailures).toBe(0);
    expect(s.health.lastError).toMatch(/No reply/);
    expect(isLive(s.health, 1500)).toBe(false);
    // The retry brings the status; the analog values from before are still young enough.
    const back = succeeded(s, 1600, null);
    expect(isLive(back.health, 1700)).toBe(true);
    // An attempt failing on a pack that is already stale changes nothing.
    expect(attemptFailed(s, 'again')).toBe(s);
  });

  it('a lost link takes liveness away and says why', () => {
    const s = linkDown(answered(), 'The USB cable was unplugged.');
    expect(s.health).toMatchObject({ state: 'stale', lastError: 'The USB cable was unplugged.' });
    expect(linkDown(s, 'The USB cable was unplugged.')).toBe(s);
  });
});

describe('pack health: missed polls', () => {
  it('stale after one miss, offline after three, back to ok on the first good reply', () => {
    let s = answered();
    s = failed(startCycle(s), 3000, TIMEOUT, RULES, true);
    expect(s.health).toMatchObject({ state: 'stale', consecutiveFailures: 1, noReplyCount: 1, nextProbe_ms: null });
    s = failed(startCycle(s), 5000, TIMEOUT, RULES, true);
    s = failed(startCycle(s), 7000, TIMEOUT, RULES, true);
    expect(s.health).toMatchObject({ state: 'offline', consecutiveFailures: 3, noReplyCount: 3, nextProbe_ms: 9000 });
    expect(skipUntilProbe(s, 8999)).toBe(true);
    expect(skipUntilProbe(s, 9000)).toBe(false);
    s = succeeded(startCycle(s), 9100, 2000);
    expect(s.health).toMatchObject({ state: 'ok', consecutiveFailures: 0, nextProbe_ms: null, lastError: null, freshUntil_ms: 11_100 });
    expect(s.probeStep).toBe(0);
  });

  it('an offline pack is re-probed with growing back-off, the last delay repeating', () => {
    let s = answered();
    for (const t of [3000, 5000, 7000]) s = failed(startCycle(s), t, TIMEOUT, RULES, true);
    expect(s.health.nextProbe_ms).toBe(9000);
    s = failed(startCycle(s), 9000, TIMEOUT, RULES, true);
    expect(s.health.nextProbe_ms).toBe(14_000);
    s = failed(startCycle(s), 14_000, TIMEOUT, RULES, true);
    expect(s.health.nextProbe_ms).toBe(19_000);
    // A broadcast asks everyone every cycle: no probe times there.
    expect(clearProbe(s).health.nextProbe_ms).toBeNull();
    expect(failed(startCycle(s), 20_000, TIMEOUT, RULES, false).health.nextProbe_ms).toBeNull();
  });

  it('a pack that failed earlier in a cycle stays stale when a later exchange of the same cycle succeeds', () => {
    let s = startCycle(answered());
    s = failed(s, 3000, TIMEOUT, RULES, true);
    s = succeeded(s, 3200, null);
    expect(s.health.state).toBe('stale');
    expect(s.health.lastGood_ms).toBe(1000);
    // Two failures in one cycle are one miss.
    s = failed(s, 3300, TIMEOUT, RULES, true);
    expect(s.health.consecutiveFailures).toBe(1);
  });

  it('counts corrupted and undecodable replies apart from silence', () => {
    let s = failed(startCycle(answered()), 3000, { kind: 'checksum', message: 'bad', badFrames: 2 }, RULES, true);
    expect(s.health).toMatchObject({ badReplyCount: 2, noReplyCount: 0 });
    s = failed(startCycle(s), 4000, { kind: 'decode', message: 'does not fit' }, RULES, true);
    expect(s.health).toMatchObject({ badReplyCount: 3, noReplyCount: 0 });
    s = succeeded(startCycle(s), 5000, 2000, 1);
    expect(s.health.badReplyCount).toBe(4);
  });

  it('transitions never change the state they are given', () => {
    const s = answered();
    const copy = JSON.stringify(s);
    failed(s, 3000, TIMEOUT, RULES, true);
    attemptFailed(s, 'x');
    linkDown(s, 'y');
    succeeded(s, 4000, 10);
    expect(JSON.stringify(s)).toBe(copy);
  });

  it('rejects rules that make no sense', () => {
    expect(() => checkRules({ ...RULES, staleAfterMisses: 0 })).toThrow(RangeError);
    expect(() => checkRules({ ...RULES, staleAfterMisses: 3, offlineAfterMisses: 2 })).toThrow(RangeError);
  });
});

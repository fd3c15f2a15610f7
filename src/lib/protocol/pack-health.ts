// How trustworthy one pack's values are, as a pure state machine the poller drives: a pack that
// misses a poll is stale at once, offline after a few misses (then re-probed with back-off), and
// live only while its newest values are younger than its expected refresh interval plus the reply
// deadline of the exchange that refreshes it (design.md "Polling": a pack that stops answering is
// marked stale at once; its last values are never shown as fresh). No timers and no I/O: every
// function takes the clock time and returns a new state.

import type { PackHealth } from './bank-types';
import { backoffDelay_ms } from './backoff';

export interface HealthRules {
  /** Failed polls after which a pack is stale. */
  staleAfterMisses: number;
  /** Failed polls after which a pack is offline and only re-probed with back-off. */
  offlineAfterMisses: number;
  /** Delays (ms) between re-probes of an offline pack; the last repeats. */
  probeBackoff_ms: readonly number[];
}

/** One pack's health and the poller's bookkeeping for it. Never mutated; every transition returns a new one. */
export interface PackHealthState {
  readonly health: Readonly<PackHealth>;
  /** Failed re-probes since the pack went offline (indexes the back-off). */
  readonly probeStep: number;
  /** A poll of this pack failed in the current cycle: a later success in it does not make the pack 'ok'. */
  readonly failedThisCycle: boolean;
}

/** What a failed poll was, for the counters. */
export interface PollFailure {
  /** ProtocolError kind ('timeout', 'rtn', …); 'timeout' also for a pack missing from a broadcast reply. */
  kind: string;
  message: string;
  /** Corrupted frames seen on the way (the exchange report's badFrames). */
  badFrames?: number;
}

export function initialHealth(address: number): PackHealthState {
  return {
    health: {
      address,
      state: 'stale',
      lastGood_ms: null,
      freshUntil_ms: null,
      noReplyCount: 0,
      badReplyCount: 0,
      consecutiveFailures: 0,
      nextProbe_ms: null,
      lastError: null
    },
    probeStep: 0,
    failedThisCycle: false
  };
}

/**
 * How long new values stay live: the expected time until the next refresh (the last cycle's
 * length) plus the deadline of the exchange that brings it. A refresh that has not come by then
 * is late by more than any reply can be, so the values are old.
 */
export function freshFor_ms(refreshInterval_ms: number, deadline_ms: number): number {
  return Math.max(0, refreshInterval_ms) + Math.max(0, deadline_ms);
}

/** Whether the pack's values count as live at `now_ms`. */
export function isLive(health: Pick<PackHealth, 'state' | 'freshUntil_ms'>, now_ms: number): boolean {
  return health.state === 'ok' && health.freshUntil_ms !== null && now_ms < health.freshUntil_ms;
}

export function startCycle(s: PackHealthState): PackHealthState {
  return s.failedThisCycle ? { ...s, failedThisCycle: false } : s;
}

/**
 * A poll of the pack succeeded at `now_ms`. `freshFor` is how long the values it brought stay live
 * (freshFor_ms(); null when the reply carried no analog values, e.g. a status-only reply).
 */
export function succeeded(s: PackHealthState, now_ms: number, freshFor: number | null, badFrames = 0): PackHealthState {
  const h = { ...s.health, badReplyCount: s.health.badReplyCount + badFrames };
  if (s.failedThisCycle) return { ...s, health: h };
  h.state = 'ok';
  h.consecutiveFailures = 0;
  h.lastGood_ms = now_ms;
  h.nextProbe_ms = null;
  h.lastError = null;
  if (freshFor !== null) h.freshUntil_ms = now_ms + freshFor;
  return { health: h, probeStep: 0, failedThisCycle: false };
}

/**
 * A poll of the pack failed. The first miss of a cycle counts towards stale and offline; an
 * offline pack gets its next probe time when `backoff` (relay polling; a broadcast asks everyone
 * every cycle anyway).
 */
export function failed(s: PackHealthState, now_ms: number, failure: PollFailure, rules: HealthRules, backoff: boolean): PackHealthState {
  const h = { ...s.health, badReplyCount: s.health.badReplyCount + (failure.badFrames ?? 0), lastError: failure.message };
  if (failure.kind === 'decode') h.badReplyCount++;
  if (failure.kind === 'timeout' || failure.kind === 'echo' || failure.kind === 'rtn' || failure.kind === 'unsupported') h.noReplyCount++;
  const wasOffline = h.state === 'offline';
  if (!s.failedThisCycle) h.consecutiveFailures++;
  if (h.consecutiveFailures >= rules.offlineAfterMisses) h.state = 'offline';
  else if (h.consecutiveFailures >= rules.staleAfterMisses) h.state = 'stale';
  let probeStep = s.probeStep;
  if (h.state === 'offline' && backoff) {
    // Entering offline, or a re-probe that failed: wait longer before the next try.
    if (!wasOffline) probeStep = 0;
    if (!wasOffline || h.nextProbe_ms === null || now_ms >= h.nextProbe_ms) {
      h.nextProbe_ms = now_ms + backoffDelay_ms(rules.probeBackoff_ms, probeStep);
      probeStep++;
    }
  } else {
    h.nextProbe_ms = null;
  }
  return { health: h, probeStep, failedThisCycle: true };
}

/**
 * One attempt of an exchange for this pack got no reply. Its values are not live any more, at
 * once; the retries go on, and their success makes it 'ok' again. Not a miss: the exchange's
 * result counts that.
 */
export function attemptFailed(s: PackHealthState, message: string): PackHealthState {
  if (s.health.state !== 'ok') return s;
  return { ...s, health: { ...s.health, state: 'stale', lastError: message } };
}

/**
 * The poller spent `lost_ms` on another pack outside its cycles (an identity read): this pack's
 * next poll comes that much later than its refresh interval said, so its values stay live that
 * much longer (relay polling: the packs polled first must not blink stale). Only values still
 * live are extended; expired ones stay expired.
 */
export function heldUp(s: PackHealthState, now_ms: number, lost_ms: number): PackHealthState {
  const h = s.health;
  if (!(lost_ms > 0) || !isLive(h, now_ms)) return s;
  return { ...s, health: { ...h, freshUntil_ms: h.freshUntil_ms! + lost_ms } };
}

/** The link went away: nothing is live, and why is said. */
export function linkDown(s: PackHealthState, why: string): PackHealthState {
  const h = s.health;
  if (h.state !== 'ok' && h.lastError === why) return s;
  return { ...s, health: { ...h, state: h.state === 'ok' ? 'stale' : h.state, lastError: why } };
}

/** Offline packs wait for their next probe time before they are asked again. */
export function skipUntilProbe(s: PackHealthState, now_ms: number): boolean {
  const h = s.health;
  return h.state === 'offline' && h.nextProbe_ms !== null && now_ms < h.nextProbe_ms;
}

/** Rediscovery found the pack again on a bank polled by broadcast: nothing to wait for. */
export function clearProbe(s: PackHealthState): PackHealthState {
  return s.health.nextProbe_ms === null ? s : { ...s, health: { ...s.health, nextProbe_ms: null } };
}

export function checkRules(rules: HealthRules): HealthRules {
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be an integer >= 1, got ${v}`);
  };
  positive('staleAfterMisses', rules.staleAfterMisses);
  positive('offlineAfterMisses', rules.offlineAfterMisses);
  if (rules.offlineAfterMisses < rules.staleAfterMisses) throw new RangeError('offlineAfterMisses must be >= staleAfterMisses');
  return rules;
}

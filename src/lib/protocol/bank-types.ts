// What the poller tells the layers above about the bank. The session turns these into reactive
// state; nothing above protocol/ sees frames.

import type { PackAnalog, PackStatus, ProtocolProfile } from './types';

/** Link health of one pack as the poller sees it. */
export type PackLinkState =
  /** Answered the last poll (live while its values are younger than `freshUntil_ms`). */
  | 'ok'
  /** Missed the last poll(s); its values are old and must not be shown as fresh. */
  | 'stale'
  /** Has not answered for a while; re-probed with back-off. */
  | 'offline';

export interface PackHealth {
  address: number;
  state: PackLinkState;
  /** Clock time (ms) of the last good reply, null if never. */
  lastGood_ms: number | null;
  /**
   * Clock time (ms) until which the newest analog values count as live: their arrival plus the
   * expected refresh interval (the last cycle's length) plus the deadline of the exchange that
   * refreshes them. Null before any. A pack is live only while state is 'ok' and now is before it
   * (pack-health.ts isLive).
   */
  freshUntil_ms: number | null;
  /** Polls that got no reply at all. */
  noReplyCount: number;
  /** Replies that failed checksum / length / decode. */
  badReplyCount: number;
  /** Failures since the last good reply. */
  consecutiveFailures: number;
  /** When the poller will next try an offline pack (ms on its clock), null when polled every cycle. */
  nextProbe_ms: number | null;
  /** Last error message, for tooltips and the diagnose report. */
  lastError: string | null;
}

/** One pack's latest values, streamed as soon as they arrive. */
export interface PackUpdate {
  address: number;
  /** Present when this update carries new analog values. */
  analog?: PackAnalog;
  status?: PackStatus;
  /** The pack refused the status read (44H) with RTN 04: it has no status to show, and that is not a fault. */
  statusUnsupported?: true;
  /** Clock time (ms) the values were received. */
  received_ms: number;
  health: PackHealth;
}

/** Result of discovery: who is on the bus and how to talk to them. */
export interface BankTopology {
  /** Address of the pack the cable is plugged into (the master, normally 1; 0 = stand-alone). */
  masterAddress: number;
  /** All pack addresses in the bank, master first. */
  addresses: number[];
  /** Whether 42/44 with COMMAND FF answers for the whole bank. */
  broadcast: boolean;
  /**
   * Set when the bank is a Pylontech group (0..7) whose master answers COMMAND FF for every module
   * (§10.2): each module is a pack at master + i, refreshed by that one frame.
   */
  pylonGroup?: number;
  profile: ProtocolProfile;
  /** VER byte the packs answer with. */
  ver: number;
  cid1: number;
}

export interface PollCycle {
  /** Clock time (ms) the cycle started and ended. */
  started_ms: number;
  ended_ms: number;
  /**
   * Expected time (ms) from one refresh of a pack to the next: the last cycle's length from start
   * to start, without time the poller was held by exclusive work; an estimate before there is one.
   */
  refreshInterval_ms: number;
  /** Addresses that answered in this cycle. */
  answered: number[];
  /** Addresses that did not. */
  missed: number[];
}

export type PollerState =
  /** Not started, or stopped. */
  | 'idle'
  /** Finding out who is on the bus (90H, then a broadcast or a relay probe). */
  | 'discovering'
  | 'polling'
  /** pause() or exclusive work holds it. */
  | 'paused'
  /** The transport is not open; waiting for it to come back. */
  | 'waiting-link'
  /** Discovery failed; it will try again after a back-off. */
  | 'retrying';

export interface PollerStatus {
  state: PollerState;
  /** Why, in words, when something is wrong. */
  message: string | null;
}

/** C1H/C2H identity of one pack; null fields where the pack did not say. */
export interface PackIdentityReport {
  address: number;
  softwareVersion: string | null;
  bluetoothName: string | null;
  bmsSerial: string | null;
  packSerial: string | null;
}

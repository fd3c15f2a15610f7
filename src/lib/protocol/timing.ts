// Deadlines from physics. The bus is half duplex and replies can be long (a 16-pack broadcast is
// ~2 000 characters, ~2 s at 9600 baud), so how long to wait follows from the baud rate and the
// expected reply size, never from a fixed constant (design.md "Polling").

import { FRAME_OVERHEAD_CHARS, MAX_INFO_CHARS, frameWireLength } from './frame';
import type { LinkTiming } from '../transport/types';

/** Milliseconds `bytes` take on the wire at the link's baud rate and bits per byte. */
export function wireTime_ms(bytes: number, timing: LinkTiming): number {
  return (bytes * timing.bitsPerByte * 1000) / timing.baud;
}

export interface DeadlinePolicy {
  /** Allowance for the pack's reply delay (ms). */
  turnaround_ms: number;
  /** Multiplier on the computed exchange time; covers adapter latency and slow packs. */
  safetyFactor: number;
  /** Never wait less than this (ms): USB adapters and BLE bridges add latency of their own. */
  floor_ms: number;
}

export interface ExchangeSize {
  /** Request length on the wire, bytes. */
  requestBytes: number;
  /** Expected reply INFO size in binary bytes (Command.expectedReplyBytes). */
  replyInfoBytes: number;
}

/**
 * Time (ms) from the first request byte until the last reply byte if everything goes to plan,
 * including the latency the link itself adds once per round trip (USB latency timer, BLE interval).
 */
function exchangeTime_ms(size: ExchangeSize, timing: LinkTiming, turnaround_ms: number): number {
  return (
    wireTime_ms(size.requestBytes, timing) + turnaround_ms + wireTime_ms(frameWireLength(size.replyInfoBytes), timing) + (timing.latency_ms ?? 0)
  );
}

/** How long after the first request byte the client gives up on a reply that has not started. */
export function replyDeadline_ms(size: ExchangeSize, timing: LinkTiming, policy: DeadlinePolicy): number {
  return Math.max(policy.floor_ms, exchangeTime_ms(size, timing, policy.turnaround_ms) * policy.safetyFactor);
}

/**
 * Absolute cap on one attempt: the longest frame the protocol can carry (LENID 4095), so a reply
 * that keeps trickling in cannot hold the bus forever.
 */
export function hardCap_ms(requestBytes: number, timing: LinkTiming, policy: DeadlinePolicy): number {
  const longest = wireTime_ms(requestBytes + FRAME_OVERHEAD_CHARS + MAX_INFO_CHARS, timing) + policy.turnaround_ms + (timing.latency_ms ?? 0);
  return Math.max(policy.floor_ms, longest * policy.safetyFactor);
}

/**
 * Silence (ms) after which a reply that had started is taken to have stopped. At least `min_ms`
 * (USB latency timers and BLE connection intervals deliver bytes in bursts), and never less
 * than 20 character times so slow links are not cut mid-stream.
 */
export function idleGap_ms(timing: LinkTiming, min_ms: number): number {
  return Math.max(min_ms, timing.latency_ms ?? 0, wireTime_ms(20, timing));
}

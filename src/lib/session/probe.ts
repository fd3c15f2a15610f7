// One detection probe: does the bank on this (open) link answer in this dialect at this baud?
// It asks the master for its own 42H analog block, the one command every family answers.

import { PaceClient } from '$lib/protocol/client';
import { readAnalog } from '$lib/protocol/commands/analog';
import { frameWireLength } from '$lib/protocol/frame';
import { isWrongDialectRtn } from '$lib/protocol/rtn';
import { DEFAULT_DECODE_OPTIONS } from '$lib/protocol/types';
import type { Clock } from '$lib/time/clock';
import type { Transport } from '$lib/transport/types';
import type { LinkProfile } from './ports';

export interface ProbeOptions {
  clock: Clock;
  signal: AbortSignal;
  /** Extra attempts: the first request after opening a port can meet a half-initialised adapter. Default 1. */
  retries?: number;
  /**
   * Deadline per attempt (ms), at least the client's own. Default 1500: detection asks "does
   * anything answer?", and a slow USB adapter or BLE bridge must not be mistaken for silence.
   */
  timeout_ms?: number;
}

const PROBE_TIMEOUT_MS = 1500;

/**
 * True when a well-formed reply in this dialect came back, even one the decoder does not fully
 * understand (a variant layout is the poller's business, not a reason to try another baud).
 * Rejects only when aborted.
 */
export async function probeLink(transport: Transport, profile: LinkProfile, options: ProbeOptions): Promise<boolean> {
  const client = new PaceClient(transport, {
    clock: options.clock,
    ver: profile.ver,
    cid1: profile.cid1,
    decodeOptions: { ...DEFAULT_DECODE_OPTIONS, profile: profile.profile }
  });
  try {
    const adr = profile.masterAddress;
    const req = { command: adr };
    const derived_ms = client.deadlineFor(frameWireLength(readAnalog.encodeRequest(req).length), readAnalog.expectedReplyBytes(req));
    const timeout_ms = Math.max(derived_ms, options.timeout_ms ?? PROBE_TIMEOUT_MS);
    const r = await client.exchange(readAnalog, adr, req, { signal: options.signal, retries: options.retries ?? 1, timeout_ms });
    if (r.ok) return true;
    if (r.error.kind === 'aborted') options.signal.throwIfAborted();
    const reply = r.reply;
    if (!reply || reply.ver !== profile.ver) return false;
    if ((r.error.kind === 'rtn' || r.error.kind === 'unsupported') && r.error.rtn !== undefined && isWrongDialectRtn(r.error.rtn)) return false;
    return true;
  } finally {
    client.dispose();
  }
}

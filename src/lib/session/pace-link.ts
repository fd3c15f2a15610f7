// The protocol half of a link: a PaceClient and a BankPoller on an open transport, configured
// from what detection found. Shared by the browser's link factory and the session's tests, so
// the tests drive exactly the wiring the app uses.

import { PaceClient } from '$lib/protocol/client';
import { BankPoller } from '$lib/protocol/poller';
import type { Transport } from '$lib/transport/types';
import type { AttachOptions, Link } from './ports';

export interface PaceLinkTuning {
  /** Pause between poll cycles (ms). Default 1000, like the vendor tool's "sample interval". */
  interval_ms?: number;
}

export function attachPaceLink(transport: Transport, options: AttachOptions, tuning: PaceLinkTuning = {}): Link<PaceClient, BankPoller> {
  const client = new PaceClient(transport, {
    clock: options.clock,
    ver: options.ver,
    cid1: options.cid1,
    decodeOptions: options.decodeOptions
  });
  const poller = new BankPoller(client, {
    clock: options.clock,
    masterAddress: options.masterAddress,
    addressing: options.addressing,
    interval_ms: tuning.interval_ms ?? 1000
  });
  return { client, poller };
}

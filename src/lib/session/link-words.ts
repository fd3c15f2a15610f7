// The link message under the health strip, worded from what the layers below report (a
// TransportStatus's reason, the poller's state), in the app's language. The transports' and the
// poller's own messages are factual English for logs and reports; they stay in
// `TransportStatus.message` and `PollerStatus.message`.

import { m } from '$lib/paraglide/messages';
import type { PollerStatus } from '$lib/protocol/bank-types';
import type { TransportKind, TransportStatus } from '$lib/transport/types';
import type { Words } from './advice';

/** Why the link is down (or what it is doing about it), from a transport's status. */
export function transportStatusWords(s: TransportStatus, kind: TransportKind | null): Words {
  switch (s.reason) {
    case 'unplugged':
      return kind === 'sim' ? m.link_sim_unplugged : m.link_usb_unplugged;
    case 'gatt-disconnected':
      return s.reconnecting ? m.link_ble_dropped_reconnecting : m.link_ble_dropped;
    case 'read-error':
      return m.link_read_error;
    case 'write-error':
      return m.link_write_error;
    case 'device-reset':
      return m.link_device_reset;
    case 'open-failed':
      return m.link_reopen_failed;
    default:
      return m.link_lost_message;
  }
}

/** The session's own re-open attempt failed; the next one is scheduled. */
export const REOPEN_FAILED: Words = m.link_reopen_failed;

/** What the poller's state means for the person, or null when it says nothing worth showing. */
export function pollerStatusWords(s: PollerStatus): Words | null {
  if (s.message === null) return null;
  switch (s.state) {
    case 'paused':
      return m.link_bus_busy;
    case 'retrying':
      return m.link_discovery_retrying;
    case 'waiting-link':
      return m.link_waiting;
    default:
      return null;
  }
}

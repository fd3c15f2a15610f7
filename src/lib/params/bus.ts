// What the parameter engine needs of the client: its exclusive bus lease (design.md: writes and
// reading all parameters hold the bus, which pauses polling), and through the lease one exchange
// at a time. Narrow on purpose, so a test can hand in a fake and the engine never reaches for the
// queue.
//
// Which pack answered: only 42H/44H are multi-pack (reference §10.1). Every other command reaches
// the pack its ADR names only on an RS485 bus, where each pack answers its own address; on RS232
// "the BMS does not strictly check ADR" and the pack on the cable answers whatever ADR was asked,
// with its real address in the reply. So every parameter exchange here checks the reply's ADR:
// a different pack answering is 'wrong-pack', never a value of the pack that was asked for.

import type { Command } from '../protocol/command';
import type { BusLease, CallOptions, RequestPriority } from '../protocol/client';
import type { ProtocolErrorKind } from '../protocol/errors';
import type { Frame } from '../protocol/frame';

export type ParamBus = Pick<BusLease, 'exchange'>;

/** PaceClient satisfies this. */
export interface BusOwner {
  exclusive<T>(fn: (bus: ParamBus) => Promise<T>, opts?: { signal?: AbortSignal; priority?: RequestPriority }): Promise<T>;
}

export type AnswerFailure = ProtocolErrorKind | 'wrong-pack';

export type Answer<Res> =
  | { ok: true; value: Res; reply: Frame }
  | {
      ok: false;
      kind: AnswerFailure;
      message: string;
      rtn?: number;
      /** The reply frame when one came (a refusal carries the RTN and sometimes a state byte). */
      reply?: Frame;
      /** False when the request never left (link already down, cancelled while queued). */
      sent: boolean;
    };

function wrongPackMessage(asked: number, answered: number): string {
  return (
    `The pack at address ${answered} answered a request for address ${asked}. Over an RS232 cable only the pack the cable is ` +
    `plugged into answers, whatever address is asked: connect to the RS485 link (each pack answers its own address) or plug the ` +
    `cable into pack ${asked}.`
  );
}

/**
 * One exchange with the reply's sender checked. ADR 0 ("stand-alone", or whichever pack is on
 * the cable) accepts any answering address.
 */
export async function ask<Req, Res>(bus: ParamBus, cmd: Command<Req, Res>, adr: number, req: Req, opts: CallOptions = {}): Promise<Answer<Res>> {
  const r = await bus.exchange(cmd, adr, req, opts);
  if (r.reply && adr !== 0 && r.reply.adr !== adr) {
    return { ok: false, kind: 'wrong-pack', message: wrongPackMessage(adr, r.reply.adr), reply: r.reply, sent: true };
  }
  if (r.ok) return { ok: true, value: r.value, reply: r.reply };
  return { ok: false, kind: r.error.kind, message: r.error.message, rtn: r.error.rtn, reply: r.reply, sent: r.report.attempts > 0 };
}

/** Pack the bank's answers come from, for logs and snapshots. */
export interface PackRef {
  address: number;
  /** C2H BMS serial; null when the pack did not report one (then writes are refused: snapshots are keyed by it). */
  bmsSerial: string | null;
}

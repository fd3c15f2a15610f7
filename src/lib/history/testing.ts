// Test kit: a HistoryClient whose bus lease answers from a function, for firmware behaviour the
// simulator does not model (a pack that ignores the index, a clear that does nothing).

import type { BusLease, ExchangeReport } from '../protocol/client';
import { ProtocolError } from '../protocol/errors';
import type { Frame } from '../protocol/frame';
import { DEFAULT_DECODE_OPTIONS } from '../protocol/types';
import type { HistoryClient } from './reader';

export interface ScriptedReply {
  /** RTN; 0 (default) = success. */
  rtn?: number;
  /** Reply ADR; default the request's. */
  adr?: number;
  info?: Uint8Array;
}

/** `answer` gets each request's CID2, ADR and typed request; it may throw, as a broken link would. */
export function scripted(answer: (cid2: number, adr: number, req: unknown) => ScriptedReply): HistoryClient & { sent: number[] } {
  const sent: number[] = [];
  const report: ExchangeReport = { attempts: 1, timeouts: 0, badFrames: 0, echoes: 0, started_ms: 0, ended_ms: 0, deadline_ms: 250 };
  const exchange: BusLease['exchange'] = async (cmd, adr, req) => {
    sent.push(cmd.cid2);
    const a = answer(cmd.cid2, adr, req);
    const reply: Frame = { ver: 0x25, adr: a.adr ?? adr, cid1: 0x46, code: a.rtn ?? 0, info: a.info ?? new Uint8Array(0) };
    if (a.rtn) {
      const error = new ProtocolError(a.rtn === 0x04 ? 'unsupported' : 'rtn', `RTN ${a.rtn}`, { rtn: a.rtn, cid2: cmd.cid2 });
      return { ok: false, error, reply, report };
    }
    // As the client does: a reply that does not decode is a failed exchange, not a throw.
    try {
      return { ok: true, value: cmd.decodeReply(reply.info, { request: req, options: DEFAULT_DECODE_OPTIONS }), reply, report };
    } catch (e) {
      return { ok: false, error: new ProtocolError('decode', String(e), { cid2: cmd.cid2 }), reply, report };
    }
  };
  const lease = { exchange } as BusLease;
  return { sent, exclusive: (fn) => fn(lease) };
}

// One exchange with a pack: the request a command (or a raw frame) turns into, how its reply is
// judged, and the attempts with retries it takes. The client owns the bus and runs these in turn;
// the single attempt on the wire is exchange-attempt.ts.

import type { AnyCommand, Command } from './command';
import { DecodeError } from './command';
import type { RequestPriority } from './bus-queue';
import { abortedError } from './bus-queue';
import { ProtocolError, classifyReply } from './errors';
import { transportMessage, type AttemptOutcome } from './exchange-attempt';
import { encodeFrame, type Frame } from './frame';
import { hex2, printableAscii } from './hex';
import { isRetryableRtn } from './rtn';
import type { TrafficLog } from './traffic-log';
import type { DecodeOptions } from './types';
import { commandWrite, describeCommand, rawBytesWrite, rawFrameWrite, type WriteAttempt } from './write-guard';
import type { Clock } from '../time/clock';
import type { Transport } from '../transport/types';

/** An attempt that got no usable reply, reported while the exchange goes on (or gives up). */
export interface AttemptFailure {
  /** 1-based. */
  attempt: number;
  /** 'timeout': silence (or a reply cut off); 'echo': only our own request; 'checksum': corrupted; 'rtn': RTN 02/03. */
  kind: 'timeout' | 'echo' | 'checksum' | 'rtn';
  message: string;
  /** Another attempt follows. */
  willRetry: boolean;
  /** Clock time the attempt ended. */
  t_ms: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Replace the derived deadline (ms from the first request byte). A reply still arriving extends it. */
  timeout_ms?: number;
  /** Extra attempts after the first. Default: the client's `retries` (raw(): 0). */
  retries?: number;
  /** 'interactive' jumps ahead of queued polling. Default 'normal'. */
  priority?: RequestPriority;
  /** Packs in the bank, so a broadcast's reply size (and deadline) can be estimated. */
  packCount?: number;
  /** Override the client's VER / CID1 for this request. */
  ver?: number;
  cid1?: number;
  /** Told about every failed attempt as it happens (the poller marks packs stale on the first). */
  onAttemptFailed?: (failure: AttemptFailure) => void;
}

export interface RawOptions extends CallOptions {
  /** Expected reply INFO size in bytes, for the deadline. Default 64. */
  expectedReplyBytes?: number;
}

/** What one exchange cost; the poller counts these per pack. */
export interface ExchangeReport {
  /** Requests sent (1 + retries used); 0 when refused or cancelled before sending. */
  attempts: number;
  /** Attempts that ended with nothing but silence or a cut-off frame. */
  timeouts: number;
  /** Frames that failed checksum / length / format checks. */
  badFrames: number;
  /** Copies of our own request that came back. */
  echoes: number;
  /** Clock time the first request went out (null if none was sent) and the exchange ended. */
  started_ms: number | null;
  ended_ms: number;
  /** Deadline of each attempt (ms from its first request byte), before any extension. */
  deadline_ms: number;
}

export type ExchangeResult<Res> =
  { ok: true; value: Res; reply: Frame; report: ExchangeReport } | { ok: false; error: ProtocolError; reply?: Frame; report: ExchangeReport };

type Verdict<T> = { kind: 'ok'; value: T } | { kind: 'retry'; error: ProtocolError } | { kind: 'fail'; error: ProtocolError };

/** One exchange, ready to run: what to send, how to judge the reply, and whether it writes. */
export interface ExchangeSpec<T> {
  request: Frame;
  bytes: Uint8Array;
  replyInfoBytes: number;
  /** e.g. "readAnalog (42H) to address 1" */
  what: string;
  details: { cid2?: number; adr?: number };
  retries: number;
  options: CallOptions;
  /** The guard's question, null for a read. */
  write(): WriteAttempt | null | Promise<WriteAttempt | null>;
  judge(frame: Frame): Verdict<T>;
}

const RAW_DEFAULT_REPLY_BYTES = 64;

export function checkNonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  return value;
}

export function checkByte(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${name} must be a byte (0..255), got ${value}`);
  return value;
}

export function checkRetries(value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`retries must be an integer >= 0, got ${value}`);
  return value;
}

/** The request header the client fills in when the call does not. */
export interface SpecDefaults {
  ver: number;
  cid1: number;
  retries: number;
  decodeOptions(): DecodeOptions;
}

export function commandSpec<Req, Res>(cmd: Command<Req, Res>, adr: number, req: Req, opts: CallOptions, d: SpecDefaults): ExchangeSpec<Res> {
  checkByte('adr', adr);
  const request: Frame = {
    ver: checkByte('ver', opts.ver ?? d.ver),
    adr,
    cid1: checkByte('cid1', opts.cid1 ?? d.cid1),
    code: cmd.cid2,
    info: cmd.encodeRequest(req)
  };
  const what = describeCommand(cmd.id, cmd.cid2, adr);
  const details = { cid2: cmd.cid2, adr };
  return {
    request,
    bytes: encodeFrame(request),
    replyInfoBytes: cmd.expectedReplyBytes(req, opts.packCount),
    what,
    details,
    retries: checkRetries(opts.retries ?? d.retries),
    options: opts,
    write: () => commandWrite(cmd as AnyCommand, adr, what),
    judge: (frame): Verdict<Res> => {
      const verdict = classifyReply(frame, cmd.cid2);
      if (!verdict.ok) {
        const { kind, rtn } = verdict.error;
        const error = new ProtocolError(kind, `${verdict.error.message} (${what})`, { ...details, rtn });
        // RTN 02/03: our request arrived corrupted; sending it again can work.
        return rtn !== undefined && isRetryableRtn(rtn) ? { kind: 'retry', error } : { kind: 'fail', error };
      }
      try {
        return { kind: 'ok', value: cmd.decodeReply(frame.info, { request: req, options: d.decodeOptions() }) };
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        const prefix = e instanceof DecodeError ? 'The reply does not fit' : 'The reply could not be decoded as';
        // Asked again, as after a corrupted reply: on a half-duplex bus a frame that does not fit
        // is most often a late reply to an earlier request (a pack that stalled answers everything
        // it heard meanwhile at once). One that still does not fit is reported as it is.
        return { kind: 'retry', error: new ProtocolError('decode', `${prefix} ${what}: ${why}`, { ...details, cause: e }) };
      }
    }
  };
}

/** A raw frame or raw bytes; the first frame that is not our echo is the answer, whatever its RTN. */
export function rawSpec(frame: Frame | Uint8Array, opts: RawOptions): ExchangeSpec<Frame> {
  const isBytes = frame instanceof Uint8Array;
  const bytes = isBytes ? frame.slice() : encodeFrame(frame);
  const request: Frame = isBytes ? { ver: 0, adr: 0, cid1: 0, code: 0, info: new Uint8Array(0) } : frame;
  const replyInfoBytes = checkNonNegative('expectedReplyBytes', opts.expectedReplyBytes ?? RAW_DEFAULT_REPLY_BYTES);
  const what = isBytes ? `raw bytes "${printableAscii(bytes)}"` : `raw frame ${hex2(frame.code)}H to address ${frame.adr}`;
  return {
    request,
    bytes,
    replyInfoBytes,
    what,
    details: isBytes ? {} : { cid2: frame.code, adr: frame.adr },
    retries: checkRetries(opts.retries ?? 0),
    options: opts,
    write: () => (isBytes ? rawBytesWrite(bytes, what) : rawFrameWrite(frame, what)),
    judge: (reply) => ({ kind: 'ok', value: reply })
  };
}

/** What an exchange needs of the client that runs it. */
export interface ExchangeHost {
  clock: Clock;
  transport: Transport;
  log: TrafficLog;
  /** The deadline derived for this size of exchange. */
  deadlineFor(requestBytes: number, replyInfoBytes: number): number;
  /** Throws ProtocolError 'write-refused' (already logged) when the guard says no; undefined when no guard is installed. */
  refuse: ((attempt: WriteAttempt) => void) | null;
  /** Resolves when the line is quiet enough to send; rejects when aborted. */
  waitQuiet(signal: AbortSignal | undefined): Promise<void>;
  /** One request on the wire; adds its counts to `report`. */
  attempt(spec: ExchangeSpec<unknown>, deadline_ms: number, report: ExchangeReport): Promise<AttemptOutcome>;
  /** Counts an attempt beyond the first. */
  retried(): void;
}

/** Attempts with retries until a reply is judged good or final, or the attempts run out. */
export async function runExchange<T>(spec: ExchangeSpec<T>, host: ExchangeHost): Promise<ExchangeResult<T>> {
  const { options: opts, details } = spec;
  const { clock, transport, log } = host;
  const deadline_ms = checkNonNegative('timeout_ms', opts.timeout_ms ?? host.deadlineFor(spec.bytes.length, spec.replyInfoBytes));
  const report: ExchangeReport = { attempts: 0, timeouts: 0, badFrames: 0, echoes: 0, started_ms: null, ended_ms: clock.now(), deadline_ms };
  const finish = (error: ProtocolError, reply?: Frame): ExchangeResult<T> => {
    report.ended_ms = clock.now();
    if (error.kind !== 'write-refused') log.error(report.ended_ms, error.message);
    return { ok: false, error, reply, report };
  };

  if (host.refuse) {
    const write = await spec.write();
    try {
      if (write) host.refuse(write);
    } catch (e) {
      if (e instanceof ProtocolError) return finish(e);
      throw e;
    }
  }

  let lastError: ProtocolError | null = null;
  let lastReply: Frame | undefined;
  for (let attempt = 0; attempt <= spec.retries; attempt++) {
    if (opts.signal?.aborted) return finish(abortedError(details));
    if (transport.status.state !== 'open') {
      return finish(new ProtocolError('transport', `${transportMessage(transport.status)} Cannot send ${spec.what}.`, details));
    }
    if (attempt > 0) host.retried();
    try {
      await host.waitQuiet(opts.signal);
    } catch {
      return finish(abortedError(details));
    }
    report.attempts++;
    const outcome = await host.attempt(spec, deadline_ms, report);
    if (outcome.type === 'frame') {
      const verdict = spec.judge(outcome.frame);
      if (verdict.kind === 'ok') {
        report.ended_ms = clock.now();
        return { ok: true, value: verdict.value, reply: outcome.frame, report };
      }
      lastReply = outcome.frame;
      if (verdict.kind === 'fail') return finish(verdict.error, outcome.frame);
      lastError = verdict.error;
    } else if (outcome.type === 'aborted') {
      return finish(abortedError(details));
    } else if (outcome.type === 'transport') {
      return finish(new ProtocolError('transport', `${outcome.message} ${spec.what} was not answered.`, { ...details, cause: outcome.cause }));
    } else {
      lastError = failedAttemptError(outcome, spec.what, deadline_ms, details);
    }
    const willRetry = attempt < spec.retries;
    opts.onAttemptFailed?.({
      attempt: attempt + 1,
      kind: lastError.kind === 'rtn' || lastError.kind === 'echo' || lastError.kind === 'checksum' ? lastError.kind : 'timeout',
      message: lastError.message,
      willRetry,
      t_ms: clock.now()
    });
    if (willRetry) log.error(clock.now(), `${lastError.message} Retrying.`);
  }
  return finish(lastError ?? new ProtocolError('timeout', `No reply to ${spec.what}.`, details), lastReply);
}

function failedAttemptError(outcome: AttemptOutcome, what: string, deadline_ms: number, details: { cid2?: number; adr?: number }): ProtocolError {
  switch (outcome.type) {
    case 'echo':
      return new ProtocolError(
        'echo',
        `Only our own request came back for ${what}: the adapter echoes what it sends (or its RX and TX lines are bridged), and no pack answered.`,
        details
      );
    case 'bad':
      return new ProtocolError(
        'checksum',
        `The reply to ${what} was corrupted (${outcome.message}). Check the cable, the bus termination and the baud rate.`,
        details
      );
    case 'timeout':
      return new ProtocolError('timeout', `No reply to ${what} within ${Math.round(deadline_ms)} ms${outcome.message}.`, details);
    default:
      return new ProtocolError('timeout', `No reply to ${what}.`, details);
  }
}

export function valueOf<T>(result: ExchangeResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

// The debug console's state: the client's raw traffic (TX, RX, errors) with times, each frame
// decoded (protocol/explain.ts; a reply is read as the answer to the request before it), pause and
// filter, a decoder for pasted frames, and sending a hand-written frame.
//
// Sending: a frame every definition of whose CID2 is a read goes out as it is (the client judges
// that too). Anything else changes a pack: it needs installer mode, the person's confirmation
// (the page asks), and then goes out inside this console's grant from the session's write
// authority, scoped to exactly that frame; the attempt and its outcome go into the write log.

import { explainFrame, type ExplainResult } from '$lib/protocol/explain';
import { encodeFrameText, parseFrameText, type Frame } from '$lib/protocol/frame';
import { printableAscii } from '$lib/protocol/hex';
import { rawFrameWrite, type WriteAttempt } from '$lib/protocol/write-guard';
import { ProtocolError } from '$lib/protocol/errors';
import type { TrafficEntry } from '$lib/protocol/traffic-log';
import { bankLabelFor, deviceKeyFor } from '$lib/storage';
import type { Unsubscribe } from '$lib/transport/types';
import { diagnoseClient, type DiagnoseClient } from './diagnose-run';
import type { DeviceSession } from './session.svelte';
import { ScopedGrant } from './write-authority';

export type { ExplainResult } from '$lib/protocol/explain';

export type Direction = 'tx' | 'rx' | 'error';

export interface ConsoleEntry {
  id: number;
  /** Unix ms. */
  t_ms: number;
  dir: Direction;
  /** The bytes as printable wire text ('\r' for CR). */
  text: string;
  error: string | null;
  /** What the frame says (JSON of explainFrame), null for errors and unframed bytes. */
  decoded: ExplainResult | null;
  /** Set for the frames this console sent by hand. */
  byHand: boolean;
}

export interface ConsoleFilter {
  text: string;
  tx: boolean;
  rx: boolean;
  error: boolean;
}

/** What a hand-written frame is, before sending. */
export type Prepared =
  | { ok: false; message: string }
  | { ok: true; frame: Frame; text: string; kind: 'read' }
  | { ok: true; frame: Frame; text: string; kind: 'write'; attempt: WriteAttempt };

export type SendOutcome =
  { ok: true; reply: ConsoleEntry | null; replyText: string; decoded: ExplainResult } | { ok: false; message: string; refused: boolean };

/** Entries kept on screen; older ones fall off the top. */
export const CONSOLE_CAPACITY = 2000;

export function matches(e: ConsoleEntry, f: ConsoleFilter): boolean {
  if (!f[e.dir]) return false;
  const q = f.text.trim().toLowerCase();
  if (!q) return true;
  const decoded = e.decoded && e.decoded.ok ? `${'command' in e.decoded ? e.decoded.command : ''}` : '';
  return e.text.toLowerCase().includes(q) || decoded.toLowerCase().includes(q) || (e.error ?? '').toLowerCase().includes(q);
}

/** One entry as a line of text (copy, save). */
export function entryLine(e: ConsoleEntry): string {
  // A moment formatted at once, not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const t = new Date(e.t_ms).toISOString();
  const what = e.decoded?.ok
    ? ` [${'command' in e.decoded ? e.decoded.command : ''}]`
    : e.decoded
      ? ` [${e.decoded.error}: ${e.decoded.message}]`
      : '';
  return `${t} ${e.dir.toUpperCase().padEnd(5)} ${e.error ?? e.text}${what}${e.byHand ? ' (by hand)' : ''}`;
}

/**
 * Frame text as people paste it and as the traffic log writes it: spaces around, the CR at the end
 * as a character or written out ("\r"), or none.
 */
export function frameText(text: string): string {
  return text
    .trim()
    .replace(/(\\r|\\n|\r|\n)+$/, '')
    .trim();
}

/** Decode text pasted into the decoder: as a request, or as the reply to `cmd`. */
export function decodePasted(text: string, cmd: number | null): ExplainResult {
  return safeExplain(text, cmd ?? undefined);
}

/** A frame as the traffic log writes it ("~…\r"). */
export function wireText(frame: Frame): string {
  return printableAscii(new TextEncoder().encode(encodeFrameText(frame)));
}

export class DebugConsole {
  readonly #session: DeviceSession;
  entries = $state.raw<ConsoleEntry[]>([]);
  paused = $state(false);
  /** Arrived while paused, shown on resume. */
  held = $state(0);
  filter = $state<ConsoleFilter>({ text: '', tx: true, rx: true, error: true });
  readonly #grant = new ScopedGrant('the debug console');
  #pending: ConsoleEntry[] = [];
  #nextId = 1;
  #lastTxCode: number | null = null;
  #client: DiagnoseClient | null = null;
  #stop: Unsubscribe | null = null;
  #byHand = new WeakSet<TrafficEntry>();
  #sendingByHand = false;

  constructor(session: DeviceSession) {
    this.#session = session;
  }

  get visible(): ConsoleEntry[] {
    return this.entries.filter((e) => matches(e, this.filter));
  }

  /** Follow the session's client (call again when the link changes); returns the cleanup. */
  attach(): Unsubscribe {
    const stopGrant = this.#session.writes.register(this.#grant);
    const follow = () => {
      const client = diagnoseClient(this.#session.client);
      if (client === this.#client) return;
      this.#stop?.();
      this.#client = client;
      this.#stop = null;
      if (!client) return;
      this.#lastTxCode = null;
      for (const e of client.recentTraffic()) this.#take(e);
      this.#flush();
      this.#stop = client.onTraffic((e) => {
        if (this.#sendingByHand && e.dir === 'tx') this.#byHand.add(e);
        this.#take(e);
        if (!this.paused) this.#flush();
      });
    };
    follow();
    const stopLink = this.#session.onLink(() => queueMicrotask(follow));
    return () => {
      stopLink();
      stopGrant();
      this.#stop?.();
      this.#stop = null;
      this.#client = null;
    };
  }

  get connected(): boolean {
    return this.#client !== null;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.#flush();
  }

  clear(): void {
    this.entries = [];
    this.#pending = [];
    this.held = 0;
  }

  #take(e: TrafficEntry): void {
    const offset = Date.now() - this.#session.clock.now();
    let decoded: ExplainResult | null = null;
    if (e.frame && e.dir === 'tx') {
      this.#lastTxCode = e.frame.code;
      decoded = safeExplain(e.text);
    } else if (e.frame && e.dir === 'rx') {
      decoded = safeExplain(e.text, this.#lastTxCode ?? undefined);
    }
    this.#pending.push({
      id: this.#nextId++,
      t_ms: Math.round(e.t_ms + offset),
      dir: e.dir,
      text: e.text,
      error: e.error ?? null,
      decoded,
      byHand: this.#byHand.has(e)
    });
    if (this.paused) this.held = this.#pending.length;
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const next = this.entries.concat(this.#pending);
    this.#pending = [];
    this.held = 0;
    this.entries = next.length > CONSOLE_CAPACITY ? next.slice(next.length - CONSOLE_CAPACITY) : next;
  }

  /** Check a hand-written frame ('~' and CR optional, either case): what it is and whether it changes a pack. */
  async prepare(text: string): Promise<Prepared> {
    const ev = parseFrameText(frameText(text));
    if (ev.type === 'error') return { ok: false, message: ev.message };
    const frame = ev.frame;
    const wire = wireText(frame);
    const attempt = await rawFrameWrite(frame, `raw frame ${frame.code.toString(16).toUpperCase().padStart(2, '0')}H to address ${frame.adr}`);
    if (!attempt) return { ok: true, frame, text: wire, kind: 'read' };
    return { ok: true, frame, text: wire, kind: 'write', attempt };
  }

  /**
   * Send a prepared frame and wait for the answer. A write must be confirmed by the page first
   * (`confirmed`); it goes out inside this console's grant for exactly this frame, and is logged.
   */
  async send(p: Extract<Prepared, { ok: true }>, confirmed = false): Promise<SendOutcome> {
    const client = this.#client;
    if (!client) return { ok: false, message: 'Nothing is connected.', refused: false };
    if (p.kind === 'write' && !confirmed) return { ok: false, message: 'A write must be confirmed first.', refused: true };
    const frame = p.frame;
    const run = () => client.raw(frame, { priority: 'interactive' });
    this.#sendingByHand = true;
    let reply: Frame | null = null;
    let failure: string | null = null;
    let refused = false;
    try {
      reply =
        p.kind === 'write'
          ? await this.#grant.during((a) => a.via === 'raw-frame' && a.cid2 === frame.code && a.adr === frame.adr, run)
          : await run();
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
      refused = e instanceof ProtocolError && e.kind === 'write-refused';
    } finally {
      this.#sendingByHand = false;
      this.#flush();
    }
    if (p.kind === 'write' && !refused) await this.#log(p, reply, failure);
    if (!reply) return { ok: false, message: failure ?? 'No reply.', refused };
    const replyText = wireText(reply);
    const replyEntry = [...this.entries].reverse().find((e) => e.dir === 'rx') ?? null;
    return { ok: true, reply: replyEntry, replyText, decoded: safeExplain(replyText, frame.code) };
  }

  async #log(p: Extract<Prepared, { kind: 'write' }>, reply: Frame | null, failure: string | null): Promise<void> {
    const view = this.#session.pack(p.frame.adr);
    const serial = view?.identity?.bmsSerial ?? null;
    const master = this.#session.packs.find((v) => v.isMaster)?.identity?.bmsSerial ?? null;
    const key = deviceKeyFor(serial, bankLabelFor(master, this.#session.transportInfo?.label ?? ''), p.frame.adr);
    try {
      const db = await this.#session.database();
      await db.writeLog.add({
        t_ms: Date.now(),
        device: key.key,
        address: p.frame.adr,
        what: `debug console: raw frame ${p.attempt.commands.join(', ') || `CID2 ${p.frame.code.toString(16).toUpperCase()}H`}`,
        command: p.attempt.commands[0] ?? null,
        old: null,
        new: p.text,
        readBack: reply ? wireText(reply) : null,
        result: failure ? 'failed' : 'ok',
        message: failure,
        snapshotId: null
      });
    } catch {
      // The console still shows what happened; a full disk must not hide the reply.
    }
  }
}

function safeExplain(text: string, cmd?: number): ExplainResult {
  try {
    return explainFrame(frameText(text), cmd === undefined ? {} : { cmd });
  } catch (e) {
    return { ok: false, error: 'format', message: e instanceof Error ? e.message : String(e) };
  }
}

const consoles = new WeakMap<DeviceSession, DebugConsole>();

/** The console of this session (one per session, so its history survives leaving the page). */
export function debugConsole(session: DeviceSession): DebugConsole {
  let c = consoles.get(session);
  if (!c) consoles.set(session, (c = new DebugConsole(session)));
  return c;
}

// The diagnose run: with a bank connected and polling, read everything a support person needs
// and make the report. Read-only by construction (only read commands are sent) and by the session
// (the diagnose page holds session.writes.enterReadOnly for as long as it is open).
//
//   1. wait until every pack of the bank has been polled once;
//   2. identity (C1H, C2H) and clock (B1H) of each pack, in one bus lease;
//   3. every parameter group of each pack (params' readBankParams, one lease);
//   4. watch the bank for `watch_ms` (every poll of every pack kept as a sample) while the event
//      history (A1H, the newest records) is read pack by pack in the gaps between polls;
//   5. the bank as it is at the end, judged (report/health.ts) and summarised.
// Every frame on the wire from the bank's discovery on goes into the report (the client's
// traffic log), so support can decode it again.
//
// Reads over RS232 reach only the pack on the cable (reference §10.1): identity, clock,
// parameters and history of the other packs are then "not read", with why, never the wrong pack's.

import type { BankTopology, PackUpdate } from '$lib/protocol/bank-types';
import type { BusLease, ClientStats, RawOptions, TrafficEntry } from '$lib/protocol/client';
import type { Frame } from '$lib/protocol/frame';
import { readDateTime, bmsDateTimeToDate, dateTimeProblem, formatBmsDateTime } from '$lib/protocol/commands/datetime';
import { readProductInfo, readSoftwareVersion } from '$lib/protocol/commands/info';
import { ask, readBankParams, type PackParamRead } from '$lib/params';
import { MemoryHistoryStore, readPackHistory, type HistoryReadResult } from '$lib/history';
import { problemWords } from '$lib/history/words';
import { isNotable } from '$lib/history/events';
import {
  buildReport,
  type DiagnoseReport,
  type ReportClock,
  type ReportHistory,
  type ReportIdentity,
  type ReportLocale,
  type ReportPack,
  type ReportParams,
  type ReportSample,
  type ReportTrafficEntry
} from '$lib/report';
import { sleep, type Clock } from '$lib/time/clock';
import type { TransportInfo, Unsubscribe } from '$lib/transport/types';
import type { DetectionAttempt } from './detect';
import type { ClientPort } from './ports';
import type { PackView } from './types';

/** What the run needs of the client: the PaceClient's bus lease and traffic log. */
export interface DiagnoseClient extends ClientPort {
  exclusive<T>(fn: (bus: BusLease) => Promise<T>, opts?: { signal?: AbortSignal; priority?: 'normal' | 'interactive' }): Promise<T>;
  onTraffic(listener: (entry: TrafficEntry) => void): Unsubscribe;
  recentTraffic(): TrafficEntry[];
  raw(frame: Frame | Uint8Array, opts?: RawOptions): Promise<Frame>;
  readonly stats: Readonly<ClientStats>;
}

/** The session's client when it is one the diagnose run and the debug console can use (the app's always is). */
export function diagnoseClient(client: ClientPort | null): DiagnoseClient | null {
  const c = client as (ClientPort & Partial<DiagnoseClient>) | null;
  if (
    !c ||
    typeof c.exclusive !== 'function' ||
    typeof c.onTraffic !== 'function' ||
    typeof c.recentTraffic !== 'function' ||
    typeof c.raw !== 'function'
  )
    return null;
  return c as DiagnoseClient;
}

/** What the run reads of the session (DeviceSession has it). */
export interface DiagnoseSessionPort {
  readonly clock: Clock;
  readonly client: ClientPort | null;
  readonly topology: BankTopology | null;
  readonly packs: PackView[];
  readonly detected: DetectionAttempt | null;
  readonly transportInfo: TransportInfo | null;
  onUpdate(listener: (u: PackUpdate) => void): Unsubscribe;
}

export type DiagnoseStep = 'bank' | 'identity' | 'params' | 'watch' | 'judge';

export interface DiagnoseProgress {
  step: DiagnoseStep;
  /** Share of the whole run done, 0..1 (weighted by each step's expected time). */
  fraction: number;
  /** Watch: time left (ms). */
  watchLeft_ms?: number;
  /** Packs whose event history is read so far, and of how many. */
  historyDone?: number;
  historyTotal?: number;
}

export interface DiagnoseOptions {
  /** How long to watch the bank (ms on the session clock). */
  watch_ms: number;
  /** Newest event-history records read per pack. Default 32 (about 8 s per pack at 9600 baud). */
  historyRecords?: number;
  ticket: string | null;
  expectedPacks: number | null;
  language: ReportLocale;
  appVersion: string;
  userAgent: string | null;
  /** Computer time (Unix ms). Default Date.now. */
  now?: () => number;
  /** Longest wait for the first poll of every pack (ms). Default 60 s. */
  bankTimeout_ms?: number;
  /** Traffic entries kept; older ones beyond are counted as dropped. Default 200 000. */
  trafficCap?: number;
  signal?: AbortSignal;
  onProgress?: (p: DiagnoseProgress) => void;
}

export class DiagnoseError extends Error {
  readonly kind: 'no-client' | 'no-bank';
  constructor(kind: 'no-client' | 'no-bank', message: string) {
    super(message);
    this.name = 'DiagnoseError';
    this.kind = kind;
  }
}

/** Weights of the steps in the progress bar (their rough share of a 16-pack run at 9600 baud). */
const WEIGHTS: Record<DiagnoseStep, number> = { bank: 0.05, identity: 0.1, params: 0.3, watch: 0.5, judge: 0.05 };
const ORDER: DiagnoseStep[] = ['bank', 'identity', 'params', 'watch', 'judge'];

function progressAt(step: DiagnoseStep, within: number): number {
  let before = 0;
  for (const s of ORDER) {
    if (s === step) break;
    before += WEIGHTS[s];
  }
  return Math.min(1, before + WEIGHTS[step] * Math.max(0, Math.min(1, within)));
}

function everyPackPolled(packs: readonly PackView[], topology: BankTopology | null): boolean {
  if (!topology || topology.addresses.length === 0) return false;
  return topology.addresses.every((a) => {
    const p = packs.find((v) => v.address === a);
    return !!p && (p.analog !== null || p.health.state !== 'ok' || p.health.consecutiveFailures > 0);
  });
}

export async function runDiagnose(session: DiagnoseSessionPort, o: DiagnoseOptions): Promise<DiagnoseReport> {
  const client = diagnoseClient(session.client);
  if (!client) throw new DiagnoseError('no-client', 'Nothing is connected.');
  const { clock } = session;
  const sig = o.signal;
  const now = o.now ?? Date.now;
  // Session-clock ms to Unix ms: the report outlives the page.
  const offset_ms = now() - clock.now();
  const epoch = (t: number) => Math.round(t + offset_ms);
  const started_ms = now();
  const report = (p: DiagnoseProgress) => o.onProgress?.(p);

  // Every frame from the bank's discovery on.
  const cap = o.trafficCap ?? 200_000;
  const traffic: ReportTrafficEntry[] = [];
  let dropped = 0;
  const keep = (e: TrafficEntry) => {
    if (traffic.length >= cap) {
      dropped++;
      return;
    }
    traffic.push({ t_ms: epoch(e.t_ms), dir: e.dir, text: e.text, ...(e.error ? { error: e.error } : {}) });
  };
  for (const e of client.recentTraffic()) keep(e);
  const stopTraffic = client.onTraffic(keep);

  try {
    // 1. The bank, polled once.
    report({ step: 'bank', fraction: 0 });
    const deadline = clock.now() + (o.bankTimeout_ms ?? 60_000);
    while (!everyPackPolled(session.packs, session.topology)) {
      if (clock.now() >= deadline) {
        throw new DiagnoseError(
          'no-bank',
          session.topology ? 'Some packs were never polled.' : 'No pack answered: the bank was not found on this connection.'
        );
      }
      await sleep(clock, 200, sig);
    }
    const topology = session.topology!;
    const addresses = [...topology.addresses];

    // 2. Identity and clock.
    report({ step: 'identity', fraction: progressAt('identity', 0) });
    const identities = new Map<number, ReportIdentity | null>();
    const clocks = new Map<number, ReportClock>();
    await client.exclusive(
      async (bus) => {
        for (let i = 0; i < addresses.length; i++) {
          sig?.throwIfAborted();
          const adr = addresses[i];
          const version = await ask(bus, readSoftwareVersion, adr, {}, { signal: sig });
          const serials = await ask(bus, readProductInfo, adr, {}, { signal: sig });
          const read_ms = now();
          const time = await ask(bus, readDateTime, adr, undefined, { signal: sig });
          identities.set(
            adr,
            version.ok || serials.ok
              ? {
                  softwareVersion: version.ok ? version.value.version : null,
                  bluetoothName: version.ok ? (version.value.bluetoothName ?? null) : null,
                  bmsSerial: serials.ok ? serials.value.bmsSerial.trim() || null : null,
                  packSerial: serials.ok ? (serials.value.packSerial?.trim() ?? null) || null : null
                }
              : null
          );
          if (time.ok) {
            const valid = dateTimeProblem(time.value) === null;
            clocks.set(adr, {
              status: 'ok',
              read_ms,
              pack: formatBmsDateTime(time.value),
              valid,
              drift_s: valid ? Math.round((bmsDateTimeToDate(time.value).getTime() - read_ms) / 1000) : null
            });
          } else {
            clocks.set(adr, { status: 'unread', reason: time.message });
          }
          report({ step: 'identity', fraction: progressAt('identity', (i + 1) / addresses.length) });
        }
      },
      { signal: sig, priority: 'interactive' }
    );

    // 3. Parameters.
    report({ step: 'params', fraction: progressAt('params', 0) });
    const params = await readBankParams(client, addresses, {
      clock,
      signal: sig,
      onProgress: (p) => report({ step: 'params', fraction: progressAt('params', p.done / p.total) })
    });
    sig?.throwIfAborted();

    // 4. Watch, and the event history meanwhile.
    const samples = new Map<number, ReportSample[]>(addresses.map((a) => [a, []]));
    const polls = new Map<number, { answered: number; missed: number }>(addresses.map((a) => [a, { answered: 0, missed: 0 }]));
    const stopWatch = session.onUpdate((u) => {
      const count = polls.get(u.address);
      if (!count) return;
      if (u.analog && !u.analog.empty) {
        count.answered++;
        samples.get(u.address)!.push({
          t_ms: epoch(u.received_ms),
          current_A: u.analog.current_A,
          voltage_V: u.analog.voltage_V,
          soc_pct: u.analog.soc_pct,
          cells_mV: u.analog.cells_mV.slice(),
          temps_C: u.analog.temps_C.slice()
        });
      } else if (!u.analog && !u.status && u.health.state !== 'ok') count.missed++;
      else if (u.analog?.empty) count.missed++;
    });
    const histories = new Map<number, ReportHistory>();
    try {
      const watchStart = clock.now();
      const watchEnd = watchStart + o.watch_ms;
      let historyDone = 0;
      const tick = () =>
        report({
          step: 'watch',
          fraction: progressAt('watch', Math.min((clock.now() - watchStart) / Math.max(1, o.watch_ms), (historyDone + 1) / (addresses.length + 1))),
          watchLeft_ms: Math.max(0, watchEnd - clock.now()),
          historyDone,
          historyTotal: addresses.length
        });
      const watching = (async () => {
        while (clock.now() < watchEnd) {
          tick();
          await sleep(clock, Math.min(1000, watchEnd - clock.now()), sig);
        }
      })();
      const reading = (async () => {
        for (const adr of addresses) {
          sig?.throwIfAborted();
          const store = new MemoryHistoryStore();
          const serial = identities.get(adr)?.bmsSerial ?? undefined;
          const r = await readPackHistory(client, {
            address: adr,
            store,
            mode: 'all',
            maxRecords: o.historyRecords ?? 32,
            ...(serial ? { expectedSerial: serial } : {}),
            signal: sig
          });
          histories.set(adr, await historyOf(r, store, o.language));
          historyDone++;
          tick();
        }
      })();
      await Promise.all([watching, reading]);
    } finally {
      stopWatch();
    }
    sig?.throwIfAborted();

    // 5. The bank at the end, judged.
    report({ step: 'judge', fraction: progressAt('judge', 0) });
    const views = new Map(session.packs.map((p) => [p.address, p]));
    const packs: ReportPack[] = addresses.map((adr) => {
      const v = views.get(adr);
      const h = v?.health;
      return {
        address: adr,
        isMaster: adr === topology.masterAddress,
        identity: identities.get(adr) ?? null,
        analog: v?.analog ? structuredClone(v.analog) : null,
        status: v?.status ? structuredClone(v.status) : null,
        statusUnsupported: v?.statusUnsupported ?? false,
        health: {
          address: adr,
          state: h?.state ?? 'offline',
          lastGood_ms: h?.lastGood_ms != null ? epoch(h.lastGood_ms) : null,
          freshUntil_ms: h?.freshUntil_ms != null ? epoch(h.freshUntil_ms) : null,
          noReplyCount: h?.noReplyCount ?? 0,
          badReplyCount: h?.badReplyCount ?? 0,
          consecutiveFailures: h?.consecutiveFailures ?? 0,
          nextProbe_ms: h?.nextProbe_ms != null ? epoch(h.nextProbe_ms) : null,
          lastError: h?.lastError ?? null
        },
        received_ms: v?.received_ms != null ? epoch(v.received_ms) : null,
        clock: clocks.get(adr) ?? { status: 'unread', reason: 'not asked' },
        params: paramsOf(params.packs.find((p) => p.address === adr)),
        history: histories.get(adr) ?? null,
        samples: samples.get(adr) ?? [],
        polls: polls.get(adr) ?? { answered: 0, missed: 0 }
      };
    });
    const detected = session.detected;
    const info = session.transportInfo;
    const result = buildReport({
      started_ms,
      created_ms: now(),
      app: { version: o.appVersion, userAgent: o.userAgent },
      request: { ticket: o.ticket, expectedPacks: o.expectedPacks, watch_s: Math.round(o.watch_ms / 1000), language: o.language },
      link: {
        kind: info?.kind ?? 'sim',
        label: info?.label ?? '',
        baud: info?.kind === 'serial' ? (detected?.baud ?? null) : null,
        profile: topology.profile,
        ver: topology.ver,
        cid1: topology.cid1,
        masterAddress: topology.masterAddress,
        addressing: detected?.addressing ?? 'relay',
        broadcast: topology.broadcast
      },
      packs,
      stats: { ...client.stats },
      traffic: { entries: traffic, dropped }
    });
    report({ step: 'judge', fraction: 1 });
    return result;
  } finally {
    stopTraffic();
  }
}

function paramsOf(read: PackParamRead | undefined): ReportParams | null {
  if (!read) return null;
  const groups: ReportParams['groups'] = {};
  for (const [id, g] of Object.entries(read.groups)) {
    if (!g) continue;
    groups[id] = g.status === 'ok' ? { status: 'ok' } : { status: g.status, message: g.message };
  }
  return { reachable: read.reachable, problem: read.problem ?? null, groups, values: { ...read.values } };
}

async function historyOf(r: HistoryReadResult, store: MemoryHistoryStore, locale: ReportLocale): Promise<ReportHistory> {
  const records = r.device ? await store.records(r.device) : [];
  return {
    stop: r.stop,
    problem: r.problem ? problemWords(r.problem, { locale }) : null,
    records: records.map((rec) => ({
      packTime: formatBmsDateTime(rec.record.time),
      timeValid: rec.timeValid,
      kind: rec.event.kind,
      flags: rec.event.flags.filter(isNotable).map((f) => f.id),
      raw_hex: rec.raw_hex
    }))
  };
}

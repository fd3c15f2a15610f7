// What a workload is to the matrix, and the small helpers workloads share: start a fault at a
// moment on the wire, and watch which packs the session showed stale.

import { FrameReader, isEchoOf, type Frame } from '../../src/lib/protocol/frame';
import type { FaultSpec } from './faults';
import type { World, WorldOptions } from './world';

export type WorkloadId = 'monitoring' | 'monitoring-relay' | 'parameter-write' | 'history-read' | 'firmware-transfer';

export const WORKLOAD_IDS: readonly WorkloadId[] = ['monitoring', 'monitoring-relay', 'parameter-write', 'history-read', 'firmware-transfer'];

/** How one workload ended under one fault, as judged against the simulator. */
export interface Outcome {
  /** One line: what the engine reported, and what is true. */
  summary: string;
  /** Writes reported done that the pack does not hold, or failures reported where the pack took the write. */
  unverifiedWrites: number;
  /** Packs left on neither their old nor their new firmware. */
  unbootablePacks: number;
  /** Stored records (history) that were stored before the fault and are gone after. */
  lostRows: number;
  /** What should have happened and did not (each one fails the scenario). */
  unmet: string[];
}

export interface Workload {
  id: WorkloadId;
  /** The pack it works on (a slave: the master also relays the bank). */
  target: number;
  /** How its bank differs from the default one. */
  bank?: WorldOptions['bank'];
  run(world: World, fault: FaultSpec): Promise<Outcome>;
}

export function outcome(summary: string, o: Partial<Omit<Outcome, 'summary'>> = {}): Outcome {
  return { summary, unverifiedWrites: 0, unbootablePacks: 0, lostRows: 0, unmet: [], ...o };
}

/** The request frame in a host write, or null (firmware blocks, raw bytes). */
export function requestIn(bytes: Uint8Array): Frame | null {
  const ev = new FrameReader().push(bytes).find((e) => e.type === 'frame');
  return ev && ev.type === 'frame' ? ev.frame : null;
}

/**
 * Start `fault` on `target` when the host writes something `when` accepts (the `nth` such write).
 * Resolves with the fault's own end, or never starts (then `started` stays false).
 */
export function armFault(
  world: World,
  fault: FaultSpec,
  target: number,
  when: (bytes: Uint8Array) => boolean,
  nth = 1
): { readonly started: boolean; readonly startedAt_ms: number | null; done: Promise<void> } {
  let seen = 0;
  let started = false;
  let startedAt_ms: number | null = null;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const off = world.onWrite((bytes) => {
    if (!when(bytes) || ++seen < nth) return;
    off();
    started = true;
    startedAt_ms = world.clock.now();
    fault.start(world, target).then(finish, (e: unknown) => {
      world.escapes.push({ where: `fault ${fault.id}`, message: e instanceof Error ? e.message : String(e) });
      finish();
    });
  });
  return {
    get started() {
      return started;
    },
    get startedAt_ms() {
      return startedAt_ms;
    },
    done
  };
}

/** Which packs the session showed not live while it runs (checked before every timer). */
export function staleWatch(world: World): { readonly seen: Set<number>; stop(): void } {
  const seen = new Set<number>();
  const stop = world.clock.watch(() => {
    for (const p of world.session.packs) if (!p.fresh) seen.add(p.address);
  });
  return { seen, stop };
}

/** A reply on the wire and the request it followed (read with a frame reader of our own). */
export interface WireExchange {
  request: Frame;
  reply: Frame;
  /** Clock time the reply was complete. */
  at_ms: number;
}

/**
 * Every valid frame the host received after a request, paired with that request, from now on.
 * Like the client, a frame begun before the request is not its answer.
 */
export function wireLog(world: World): { readonly exchanges: WireExchange[]; stop(): void } {
  const exchanges: WireExchange[] = [];
  const reader = new FrameReader();
  let request: { frame: Frame; bytes: Uint8Array } | null = null;
  const offWrite = world.onWrite((bytes) => {
    reader.reset();
    const frame = requestIn(bytes);
    request = frame ? { frame, bytes: bytes.slice() } : null;
  });
  const offData = world.transport.onData((chunk) => {
    for (const ev of reader.push(chunk)) {
      if (ev.type !== 'frame' || !request || isEchoOf(ev.raw, request.bytes)) continue;
      exchanges.push({ request: request.frame, reply: ev.frame, at_ms: world.clock.now() });
    }
  });
  return {
    exchanges,
    stop: () => {
      offWrite();
      offData();
    }
  };
}

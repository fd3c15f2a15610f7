import { describe, expect, it } from 'vitest';
import type { BankTopology } from './bank-types';
import type { ExchangeResult } from './client';
import type { Command } from './command';
import { readAnalog } from './commands/analog';
import { readStatus } from './commands/status';
import type { ProtocolError } from './errors';
import type { Frame } from './frame';
import { initialHealth } from './pack-health';
import { relayCycle, type CycleHost, type PackValues } from './poll-cycle';
import type { PackAnalog, PackStatus } from './types';

const FRAME: Frame = { ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: new Uint8Array(0) };
const REPORT = { attempts: 1, timeouts: 0, badFrames: 0, echoes: 0, started_ms: 0, ended_ms: 0, deadline_ms: 100 };

/** A host whose master answers 42H and 44H relayed for `address` with the blocks `blockOf` names. */
function host(blockOf: (cid2: number, asked: number) => number) {
  const succeeded: { address: number; values: PackValues }[] = [];
  const failed: { address: number; why: string }[] = [];
  const h: CycleHost = {
    async ask<Req, Res>(cmd: Command<Req, Res>, _adr: number, req: Req): Promise<ExchangeResult<Res>> {
      const asked = (req as { command: number }).command;
      const command = blockOf(cmd.cid2, asked);
      const pack = cmd === (readAnalog as unknown) ? ({ empty: false, voltage_V: 50 + command } as PackAnalog) : ({ empty: false } as PackStatus);
      const value = { infoFlag: 0, broadcast: false, command, packs: [pack], trailingBytes: 0 } as Res;
      return { ok: true, value, reply: FRAME, report: REPORT };
    },
    succeed: (address, values) => succeeded.push({ address, values }),
    fail: (address, error: ProtocolError | string) => failed.push({ address, why: typeof error === 'string' ? error : error.message }),
    deadlineOf: () => 100,
    health: (address) => ({ health: initialHealth(address).health, probeStep: 0, failedThisCycle: false }),
    skip: () => false,
    noStatus: new Set(),
    addressing: 'relay',
    rediscover: () => undefined
  };
  return { h, succeeded, failed };
}

const TOPOLOGY: BankTopology = { masterAddress: 1, addresses: [1, 2, 3], broadcast: false, profile: 'pace', ver: 0x25, cid1: 0x46 };

describe('relayCycle: whose block a relayed reply is', () => {
  it('files a relayed 44H block that names another pack under nobody: the pack asked for fails, with why', async () => {
    // The master answers the 44H for pack 3 with pack 2's status block.
    const s = host((cid2, asked) => (cid2 === readStatus.cid2 && asked === 3 ? 2 : asked));
    await relayCycle(s.h, TOPOLOGY, new Map());
    const statusOf = (a: number) => s.succeeded.filter((x) => x.address === a && x.values.status);
    expect(statusOf(1)).toHaveLength(1);
    expect(statusOf(2)).toHaveLength(1);
    expect(statusOf(3)).toEqual([]);
    expect(s.failed).toEqual([{ address: 3, why: "asked the master at address 1 for pack 3, but the reply carries pack 2's block." }]);
    // Its analog values (the right block) still count.
    expect(s.succeeded.some((x) => x.address === 3 && x.values.analog?.voltage_V === 53)).toBe(true);
  });

  it('a relayed 42H block that names another pack is not filed under the pack asked for either', async () => {
    const s = host((cid2, asked) => (cid2 === readAnalog.cid2 && asked === 2 ? 3 : asked));
    await relayCycle(s.h, TOPOLOGY, new Map());
    expect(s.succeeded.filter((x) => x.address === 2 && x.values.analog)).toEqual([]);
    expect(s.failed).toEqual([{ address: 2, why: 'The reply was for address 3, not this pack.' }]);
  });
});

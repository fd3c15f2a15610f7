// Reading parameters of one pack and of the whole bank, through the real client and the simulated
// bank: progress, cancel, polling paused for the duration, groups a pack does not have, packs that
// do not answer, and answers from the wrong pack.

import { afterEach, describe, expect, it } from 'vitest';
import type { TrafficEntry } from '../protocol/client';
import { BankPoller } from '../protocol/poller';
import type { BusOwner } from './bus';
import { defaultParamValues, PARAM_GROUPS } from './model';
import { readBankParams, readPackParams, type ReadProgress } from './reader';
import { createParamRig, type ParamRig } from './rig';

let rig: ParamRig;
afterEach(() => rig?.dispose());

const ALL16 = Array.from({ length: 16 }, (_, i) => i + 1);
const GROUPS = PARAM_GROUPS.length;

describe('reading every group of all 16 packs', () => {
  it('one operation, with progress, every pack and group read and identified', async () => {
    rig = await createParamRig({ packCount: 16 });
    const progress: ReadProgress[] = [];
    const res = await rig.run(readBankParams(rig.client, ALL16, { clock: rig.clock, onProgress: (p) => progress.push(p) }));
    expect(res.cancelled).toBe(false);
    expect(res.packs.map((p) => p.address)).toEqual(ALL16);
    for (const p of res.packs) {
      expect(p.reachable).toBe(true);
      expect(p.bmsSerial).toBe(rig.bank.packAt(p.address)!.identity.bmsSerial);
      expect(Object.values(p.groups).every((g) => g.status === 'ok')).toBe(true);
      expect(p.values).toEqual(defaultParamValues());
    }
    expect(new Set(res.packs.map((p) => p.bmsSerial)).size).toBe(16);
    expect(progress).toHaveLength(16 * (GROUPS + 1));
    expect(progress.map((p) => p.done)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.at(-1)).toMatchObject({ address: 16, done: 16 * (GROUPS + 1), total: 16 * (GROUPS + 1) });
  });

  it('polling pauses for the read (one exclusive lease) and resumes after it', async () => {
    rig = await createParamRig({ packCount: 4 });
    const traffic: TrafficEntry[] = [];
    rig.client.onTraffic((e) => e.dir === 'tx' && e.frame && traffic.push(e));
    const poller = new BankPoller(rig.client, { clock: rig.clock, interval_ms: 0, readIdentity: false });
    poller.start();
    await rig.clock.advance(3000);
    const read = await rig.run(readBankParams(rig.client, [1, 2, 3, 4], { clock: rig.clock }));
    await rig.clock.advance(3000);
    await rig.run(poller.stop());
    const codes = traffic.map((e) => e.frame!.code);
    const first = codes.indexOf(0xc2);
    const last = codes.lastIndexOf(0xbc);
    expect(read.packs.every((p) => p.reachable)).toBe(true);
    expect(codes.slice(0, first).some((c) => c === 0x42)).toBe(true);
    // between the first and the last parameter request: nothing but parameter requests
    expect(codes.slice(first, last + 1).filter((c) => c === 0x42 || c === 0x44)).toEqual([]);
    expect(codes.slice(last + 1).some((c) => c === 0x42 || c === 0x44)).toBe(true);
  });

  it('cancel: stops at once, keeps what was read, marks the rest skipped', async () => {
    rig = await createParamRig({ packCount: 4 });
    const ac = new AbortController();
    const res = await rig.run(
      readBankParams(rig.client, [1, 2, 3, 4], {
        clock: rig.clock,
        signal: ac.signal,
        onProgress: (p) => p.address === 2 && p.step === 'balance' && ac.abort()
      })
    );
    expect(res.cancelled).toBe(true);
    expect(Object.values(res.packs[0].groups).every((g) => g.status === 'ok')).toBe(true);
    expect(res.packs[1].groups.balance).toMatchObject({ status: 'ok' });
    expect(res.packs[1].groups.sleep).toEqual({ status: 'skipped', message: 'Cancelled.' });
    expect(res.packs[3].reachable).toBe(false);
    expect(Object.values(res.packs[3].groups).every((g) => g.status === 'skipped')).toBe(true);
  });
});

describe('what a pack cannot give', () => {
  it('groups the firmware lacks (RTN 04) are "not supported", not an error for the rest', async () => {
    rig = await createParamRig({ packCount: 1, bank: { firmware: { timedStorage: false } } });
    const p = await rig.read(1);
    expect(p.reachable).toBe(true);
    const statuses = Object.entries(p.groups).map(([id, g]) => [id, g.status]);
    expect(statuses.filter(([, s]) => s === 'unsupported').map(([id]) => id)).toEqual(['storageInterval', 'storageStart', 'storageEnd']);
    expect(statuses.filter(([, s]) => s === 'ok')).toHaveLength(GROUPS - 3);
  });

  it('a pack that does not answer is skipped after its identity read, not waited on group by group', async () => {
    rig = await createParamRig({ packCount: 3 });
    const traffic: TrafficEntry[] = [];
    rig.client.onTraffic((e) => e.dir === 'tx' && traffic.push(e));
    const res = await rig.run(readBankParams(rig.client, [1, 7, 3], { clock: rig.clock }));
    expect(res.packs.map((p) => p.reachable)).toEqual([true, false, true]);
    expect(res.packs[1].problem).toMatch(/No reply/);
    expect(Object.values(res.packs[1].groups).every((g) => g.status === 'skipped')).toBe(true);
    // 3 attempts of C2H at address 7, nothing else
    expect(traffic.filter((e) => e.frame?.adr === 7).map((e) => e.frame!.code)).toEqual([0xc2, 0xc2, 0xc2]);
  });

  it("an answer from another pack (RS232 answers every address) is never taken as this pack's", async () => {
    rig = await createParamRig({ packCount: 2 });
    const client = rig.client;
    // As over RS232: the pack on the cable (address 1) answers whatever address is asked.
    const rs232: BusOwner = {
      exclusive: (fn, o) =>
        client.exclusive(
          (bus) =>
            fn({
              exchange: (cmd, _adr, req, opts) => bus.exchange(cmd, 1, req, opts)
            }),
          o
        )
    };
    const res = await rig.run(rs232.exclusive((bus) => readPackParams(bus, 2, { clock: rig.clock })));
    expect(res.reachable).toBe(false);
    expect(res.problem).toMatch(
      /The pack at address 1 answered a request for address 2\. Over an RS232 cable only the pack the cable is plugged into answers/
    );
    expect(res.values).toEqual({});
  });
});

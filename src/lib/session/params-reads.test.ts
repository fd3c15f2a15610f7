// What the parameter pages know of each pack's values, on the real client and a simulated bank on
// virtual time: a pack that stops answering keeps the values read before, with their time and why
// the new read failed (never an empty read); reading the bank shows its full count from the
// start; a cancel keeps what was read before; nothing connected is said, not thrown.

import { afterEach, describe, expect, it } from 'vitest';
import { PARAM_GROUPS } from '$lib/params';
import { createParamRig, RIG_EPOCH_ms, type ParamRig } from '$lib/params/rig';
import { ParamReads } from './params-reads.svelte';

let rig: ParamRig | null = null;
afterEach(() => {
  rig?.dispose();
  rig = null;
});

async function setup(): Promise<{ rig: ParamRig; reads: ParamReads }> {
  rig = await createParamRig({ packCount: 3 });
  const r = rig;
  const reads = new ParamReads({ client: () => r.client, clock: r.clock, wallClock: () => RIG_EPOCH_ms + r.clock.now() });
  return { rig: r, reads };
}

describe('the values the parameter pages show', () => {
  it('a pack that stops answering keeps the values read before, with their time and the reason', async () => {
    const { rig, reads } = await setup();
    const first = await rig.run(reads.readPack(2));
    expect(first?.read.values['cellOverVoltage.protect_mV']).toBe(3700);
    const firstTime = first!.read_ms;
    expect(reads.error(2)).toBeNull();
    expect(reads.activity(2)).toBeNull();

    await rig.clock.advance(60_000);
    rig.bank.inject({ kind: 'silence', on: true });
    expect(await rig.run(reads.readPack(2))).toBeNull();
    expect(reads.params(2)?.read_ms).toBe(firstTime);
    expect(reads.params(2)?.read.values['cellOverVoltage.protect_mV']).toBe(3700);
    expect(reads.error(2)).toMatch(/^No reply to readProductInfo \(C2H\) to address 2/);
    expect(reads.activity(2)).toBeNull();

    // Back: the fresh read replaces the old one and the error goes.
    rig.bank.inject({ kind: 'silence', on: false });
    const again = await rig.run(reads.readPack(2));
    expect(again!.read_ms).toBeGreaterThan(firstTime);
    expect(reads.error(2)).toBeNull();
  });

  it('the bank read has its full count from the start, and a cancel keeps what was read before', async () => {
    const { rig, reads } = await setup();
    await rig.run(reads.readPack(3));
    const before = reads.params(3)!;

    const running = reads.readAll([1, 2, 3]);
    expect(reads.bank).toMatchObject({ running: true, done: 0, total: 3 * (PARAM_GROUPS.length + 1), address: 1 });
    // A second bank read while one runs is not started.
    expect(await reads.readAll([1, 2, 3])).toBeNull();
    reads.cancelReadAll();
    const result = await rig.run(running);
    expect(result?.cancelled).toBe(true);
    expect(reads.bank.running).toBe(false);
    expect(reads.bank.result).toBe(result);
    // Pack 3 was not reached: what was read of it before stays, unchanged.
    expect(reads.params(3)).toBe(before);
    expect(reads.params(1)).toBeNull();
  });

  it('nothing connected: the pack says so, the bank read does not start', async () => {
    const { rig } = await setup();
    const reads = new ParamReads({ client: () => null, clock: rig.clock, wallClock: () => 0 });
    expect(await reads.readPack(1)).toBeNull();
    expect(reads.error(1)).toBe('No bank is connected.');
    expect(await reads.readAll([1, 2])).toBeNull();
    expect(reads.bank.running).toBe(false);
  });
});

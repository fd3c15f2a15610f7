// The simulator honours written parameters, end to end through the real client on the virtual
// clock: lower the cell over-voltage protection of pack 3, write it, read it back, charge the
// bank, and see pack 3 trip at the new threshold while the packs with the old threshold do not;
// restore the snapshot and see the old value back. Then the other half of the promise: a link
// pulled in the middle of a write is "not confirmed", never "written", and the pack's true
// values are read once the link is back.

import { afterEach, describe, expect, it } from 'vitest';
import { readAnalog } from '../protocol/commands/analog';
import { readStatus } from '../protocol/commands/status';
import type { BusOwner } from './bus';
import { diffParams } from './diff';
import { restoreSnapshot, writeParams } from './param-writes';
import { readBankParams } from './reader';
import { createParamRig, type ParamRig } from './rig';
import { WritePath } from './write-path';

let rig: ParamRig;
afterEach(() => rig?.dispose());

const CELL_OV_PROTECT = 0x01; // protection status 1, bit 0

async function packState(r: ParamRig, address: number): Promise<{ maxCell_mV: number; cellOvProtect: boolean }> {
  const analog = await r.run(r.client.call(readAnalog, address, { command: address }));
  const status = await r.run(r.client.call(readStatus, address, { command: address }));
  return { maxCell_mV: Math.max(...analog.packs[0].cells_mV), cellOvProtect: (status.packs[0].bytes.protection1 & CELL_OV_PROTECT) !== 0 };
}

describe('written parameters change what the simulated BMS does', () => {
  // Simulates about an hour of charging: seconds of real time, so the default 5 s limit is too tight under load.
  it(
    'pack 3 trips at the lowered cell over-voltage threshold, the others not; the snapshot brings the old value back',
    { timeout: 30_000 },
    async () => {
      // The bank runs its own physics on the clock, 20 s of battery time per clock second.
      rig = await createParamRig({ packCount: 4, bank: { realTimeStep_ms: 500, timeScale: 20, initialSoc: 0.9 } });
      const bank = await rig.run(readBankParams(rig.client, [1, 2, 3, 4], { clock: rig.clock }));
      const pack3 = bank.packs[2];
      expect(pack3.values['cellOverVoltage.protect_mV']).toBe(3700);

      const edits = { 'cellOverVoltage.alarm_mV': 3400, 'cellOverVoltage.protect_mV': 3450, 'cellOverVoltage.release_mV': 3350 };
      expect(diffParams(pack3.values, edits).map((g) => [g.group, g.changes.map((c) => c.text)])).toEqual([
        ['cellOverVoltage', ['3600 mV → 3400 mV', '3700 mV → 3450 mV', '3380 mV → 3350 mV']]
      ]);
      const written = await rig.run(writeParams(rig.path, { pack: rig.ref(3), base: pack3.values, edits, cellCount: 16 }));
      expect(written.outcome).toBe('written');
      expect((await rig.read(3)).values['cellOverVoltage.protect_mV']).toBe(3450);

      rig.bank.setScenario('charge');
      // Phase 1: watch pack 3 closely (each look takes ~0.4 s of bus time, ~8 s of battery time).
      let lastUntripped_mV = 0;
      let tripped: { maxCell_mV: number } | null = null;
      const start_ms = rig.clock.now();
      while (!tripped && rig.clock.now() - start_ms < 180_000) {
        const s3 = await packState(rig, 3);
        if (s3.cellOvProtect) tripped = s3;
        else lastUntripped_mV = s3.maxCell_mV;
      }
      expect(tripped, 'pack 3 never tripped within an hour of charging').not.toBeNull();
      // It ran up to the new threshold without tripping, then tripped, far below the old 3700 mV.
      expect(lastUntripped_mV).toBeGreaterThan(3400);
      expect(lastUntripped_mV).toBeLessThan(3450 + 15);
      expect(tripped!.maxCell_mV).toBeLessThan(3700);

      // Phase 2: the packs still set to 3700 mV go on charging past 3450 mV and do not trip.
      const highest = new Map<number, number>();
      for (let i = 0; i < 20; i++) {
        await rig.clock.advance(3000); // a minute of battery time
        for (const other of [1, 2, 4]) {
          const s = await packState(rig, other);
          expect(s.cellOvProtect, `pack ${other} at ${s.maxCell_mV} mV`).toBe(false);
          highest.set(other, Math.max(highest.get(other) ?? 0, s.maxCell_mV));
        }
        expect((await packState(rig, 3)).cellOvProtect, 'pack 3 stays off while above its release').toBe(true);
      }
      for (const other of [1, 2, 4]) expect(highest.get(other), `pack ${other}`).toBeGreaterThan(3460);

      const snapshot = (await rig.snapshots.get(written.snapshotId!))!;
      const now = await rig.read(3);
      const restored = await rig.run(restoreSnapshot(rig.path, snapshot, { pack: rig.ref(3), base: now.values, cellCount: 16 }));
      expect(restored.outcome).toBe('written');
      expect((await rig.read(3)).values['cellOverVoltage.protect_mV']).toBe(3700);
    }
  );
});

describe('a pulled link in the middle of a write', () => {
  /** A bus that pulls the cable at the moment the given write command goes out. */
  function pullDuring(r: ParamRig, commandId: string, afterReplyBytes?: number): BusOwner {
    return {
      exclusive: (fn, o) =>
        r.client.exclusive(
          (bus) =>
            fn({
              exchange: (cmd, adr, req, opts) => {
                if (cmd.id === commandId) {
                  if (afterReplyBytes === undefined)
                    r.clock.setTimeout(() => r.transport.unplug(), 5); // request still on the wire
                  else r.transport.unplug(afterReplyBytes); // the pack got it; its answer is cut
                }
                return bus.exchange(cmd, adr, req, opts);
              }
            }),
          o
        )
    };
  }

  it('after the pack took it: "not confirmed"; after reconnect the read-back finds the new value and logs it', async () => {
    rig = await createParamRig();
    const before = await rig.read(2);
    const path = new WritePath({ bus: pullDuring(rig, 'setSleep', 4), snapshots: rig.snapshots, log: rig.log });
    const report = await rig.run(writeParams(path, { pack: rig.ref(2), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(report.outcome).toBe('not-confirmed');
    expect(report.message).toMatch(/not known whether the pack took it/);
    expect(rig.log.entries.map((e) => e.outcome)).toEqual(['not-confirmed']);
    expect(rig.log.entries.some((e) => e.outcome === 'written')).toBe(false);
    expect(path.unconfirmed).toHaveLength(1);

    // While the link is down nothing can be settled.
    expect(await rig.run(path.recheck())).toEqual([]);
    expect(path.unconfirmed).toHaveLength(1);

    rig.transport.replug();
    await rig.clock.advance(10);
    expect(rig.transport.status.state).toBe('open');
    const settled = await rig.run(path.recheck());
    expect(settled.map((s) => s.outcome)).toEqual(['written']);
    expect(path.unconfirmed).toHaveLength(0);
    const last = rig.log.entries.at(-1)!;
    expect(last).toMatchObject({ outcome: 'written', operationId: report.operationId });
    expect(last.changes[0].text).toBe('5 min → 9 min (read back 9 min)');
    expect(rig.bank.packAt(2)!.params.sleepDelay_min).toBe(9);
  });

  it('cut while the request is on the wire: "not confirmed"; the re-read after reconnect shows the old value', async () => {
    rig = await createParamRig();
    const before = await rig.read(2);
    const path = new WritePath({ bus: pullDuring(rig, 'setSleep'), snapshots: rig.snapshots, log: rig.log });
    const report = await rig.run(writeParams(path, { pack: rig.ref(2), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(report.outcome).toBe('not-confirmed');
    expect(rig.bank.packAt(2)!.params.sleepDelay_min).toBe(5);

    rig.transport.replug();
    await rig.clock.advance(10);
    const settled = await rig.run(path.recheck());
    expect(settled.map((s) => s.outcome)).toEqual(['mismatch']);
    expect(settled[0].message).toMatch(/did not take/);
    expect(rig.log.entries.at(-1)!.changes[0]).toMatchObject({ from: 5, to: 9, readBack: 5 });
    // Nothing in the log claims it was written.
    expect(rig.log.entries.some((e) => e.outcome === 'written')).toBe(false);
  });

  it('with the link already down, the write path sends nothing and says so', async () => {
    rig = await createParamRig();
    const before = await rig.read(1);
    rig.transport.unplug();
    const report = await rig.run(writeParams(rig.path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(report.outcome).toBe('not-sent');
    expect(rig.path.unconfirmed).toHaveLength(0);
  });
});

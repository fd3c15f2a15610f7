// The write path for parameters, through the real client against the simulated bank on the
// virtual clock: validate → snapshot → write → read back → compare → log, and every way it can
// end.

import { afterEach, describe, expect, it } from 'vitest';
import type { TrafficEntry } from '../protocol/client';
import type { BusOwner } from './bus';
import { restoreFactoryDefaults, restoreSnapshot, writeParams } from './param-writes';
import { createParamRig, type ParamRig } from './rig';
import { WritePath } from './write-path';

let rig: ParamRig;
afterEach(() => rig?.dispose());

/** CID2 of every request the client put on the wire, in order, as "D1@3". */
function requests(traffic: TrafficEntry[]): string[] {
  return traffic.filter((e) => e.dir === 'tx' && e.frame).map((e) => `${e.frame!.code.toString(16).toUpperCase()}@${e.frame!.adr}`);
}

function record(r: ParamRig): TrafficEntry[] {
  const t: TrafficEntry[] = [];
  r.client.onTraffic((e) => t.push(e));
  return t;
}

const LOWER_OV = { 'cellOverVoltage.alarm_mV': 3400, 'cellOverVoltage.protect_mV': 3450, 'cellOverVoltage.release_mV': 3350 };

describe('writing parameters', () => {
  it('writes only the changed group, byte for byte, reads it back and logs old → new with the snapshot', async () => {
    rig = await createParamRig();
    const before = await rig.read(3);
    const traffic = record(rig);
    const report = await rig.run(
      writeParams(rig.path, { pack: rig.ref(3), base: before.values, edits: { ...before.values, ...LOWER_OV }, cellCount: 16 })
    );

    expect(report.outcome).toBe('written');
    // identity, snapshot of the one touched group, the write, its read-back: nothing else
    expect(requests(traffic)).toEqual(['C2@3', 'D1@3', 'D0@3', 'D1@3']);
    const write = traffic.find((e) => e.dir === 'tx' && e.frame?.code === 0xd0)!;
    // FC 01 | alarm 0D48 (3400) | protect 0D7A (3450) | release 0D16 (3350) | delay 0A
    // checksum computed independently of frame.ts
    expect(new TextDecoder().decode(write.bytes)).toBe('~250346D0F010010D480D7A0D160AFA08\r');
    expect(rig.bank.packAt(3)!.params.cellOverVoltage).toMatchObject({ alarm_mV: 3400, protect_mV: 3450, release_mV: 3350 });

    const [entry] = rig.log.entries;
    expect(entry).toMatchObject({ kind: 'parameters', outcome: 'written', pack: rig.ref(3), command: { id: 'setCellOverVoltage', cid2: 0xd0 } });
    expect(entry.changes.map((c) => c.text)).toEqual([
      '3600 mV → 3400 mV (read back 3400 mV)',
      '3700 mV → 3450 mV (read back 3450 mV)',
      '3380 mV → 3350 mV (read back 3350 mV)'
    ]);
    const snap = await rig.snapshots.get(entry.snapshotId!);
    expect(snap).toMatchObject({ bmsSerial: rig.ref(3).bmsSerial, reason: 'before-write', groups: ['cellOverVoltage'] });
    expect(snap!.values['cellOverVoltage.protect_mV']).toBe(3700);
    expect(report.snapshotId).toBe(entry.snapshotId);
  });

  it('refuses values that break a rule before anything is sent, naming the rule', async () => {
    rig = await createParamRig();
    const before = await rig.read(3);
    const traffic = record(rig);
    const report = await rig.run(writeParams(rig.path, { pack: rig.ref(3), base: before.values, edits: { 'cellOverVoltage.protect_mV': 3450 } }));
    expect(report.outcome).toBe('invalid');
    expect(report.violations.map((v) => v.rule)).toEqual(['cellOverVoltage.alarm-before-protect']);
    expect(traffic).toEqual([]);
    expect(rig.log.entries.map((e) => e.outcome)).toEqual(['invalid']);
    expect(rig.bank.packAt(3)!.params.cellOverVoltage.protect_mV).toBe(3700);
  });

  it('out-of-range values are refused with the field named', async () => {
    rig = await createParamRig();
    const before = await rig.read(1);
    const report = await rig.run(writeParams(rig.path, { pack: rig.ref(1), base: before.values, edits: { 'chargeOverCurrent.delay_ms': 30000 } }));
    expect(report.outcome).toBe('invalid');
    expect(report.violations[0]).toMatchObject({ rule: 'range', params: ['chargeOverCurrent.delay_ms'] });
    expect(report.message).toMatch(/Charge OCP Delay Time must be between 500 ms and 25000 ms; you entered 30000 ms/);
  });

  it('checks the rules again against the values the pack holds now, and writes untouched fields from that fresh read', async () => {
    rig = await createParamRig();
    const before = await rig.read(2);
    // Someone changed the delay on the pack since it was read.
    rig.bank.packAt(2)!.params.cellOverVoltage.delay_ms = 3000;
    const report = await rig.run(writeParams(rig.path, { pack: rig.ref(2), base: before.values, edits: { 'cellOverVoltage.alarm_mV': 3550 } }));
    expect(report.outcome).toBe('written');
    expect(rig.bank.packAt(2)!.params.cellOverVoltage).toMatchObject({ alarm_mV: 3550, delay_ms: 3000 });

    // The pack's protect was lowered behind our back: the edit is now inconsistent with it.
    rig.bank.packAt(2)!.params.cellOverVoltage.protect_mV = 3500;
    const late = await rig.run(writeParams(rig.path, { pack: rig.ref(2), base: before.values, edits: { 'cellOverVoltage.alarm_mV': 3650 } }));
    expect(late.outcome).toBe('invalid');
    expect(late.violations.map((v) => v.rule)).toEqual(['cellOverVoltage.alarm-before-protect']);
    expect(rig.bank.packAt(2)!.params.cellOverVoltage.alarm_mV).toBe(3550);
  });

  it('a rule broken only by values nobody changed does not block an unrelated write', async () => {
    rig = await createParamRig();
    rig.bank.packAt(1)!.params.sleepCell_mV = 2400; // below cell UV protect: 'sleep-above-cell-uv'
    const before = await rig.read(1);
    const report = await rig.run(writeParams(rig.path, { pack: rig.ref(1), base: before.values, edits: { 'balance.startDelta_mV': 40 } }));
    expect(report.outcome).toBe('written');
  });

  it('edits equal to the pack are no change: nothing is written or logged', async () => {
    rig = await createParamRig();
    const before = await rig.read(1);
    const traffic = record(rig);
    const report = await rig.run(
      writeParams(rig.path, { pack: rig.ref(1), base: before.values, edits: { 'cellHighTemperature.chargeAlarm_C': 51.0000001 } })
    );
    expect(report.outcome).toBe('unchanged');
    expect(requests(traffic)).toEqual([]);
    expect(rig.log.entries).toEqual([]);
  });

  it('several groups: each written and verified on its own, one log entry each, one snapshot for all', async () => {
    rig = await createParamRig();
    const before = await rig.read(1);
    const report = await rig.run(
      writeParams(rig.path, {
        pack: rig.ref(1),
        base: before.values,
        edits: { 'balance.startVoltage_mV': 3450, 'sleep.delay_min': 10, 'overCurrent2.discharge_A': 160, 'fullCharge.lowSocAlarm_pct': 10 }
      })
    );
    expect(report.steps.map((s) => [s.what, s.outcome])).toEqual([
      ['Over-current (fast, level 2) (E2H)', 'written'],
      ['Cell balancing (B5H)', 'written'],
      ['Sleep (A8H)', 'written'],
      ['Full charge and low SOC (AEH)', 'written']
    ]);
    expect(new Set(rig.log.entries.map((e) => e.snapshotId)).size).toBe(1);
    expect((await rig.snapshots.get(report.snapshotId!))!.groups).toEqual(['overCurrent2', 'balance', 'sleep', 'fullCharge']);
    // E2 was sent as the 3-byte PbmsTools form; the charge half stayed as it was.
    expect(rig.bank.packAt(1)!.params.overCurrent2).toEqual({ discharge_A: 160, dischargeDelay_ms: 100, charge_A: 150, chargeDelay_ms: 100 });
  });

  it('a read-back that differs is a failure carrying both values', async () => {
    rig = await createParamRig();
    const before = await rig.read(1);
    // A bus that corrupts what is sent: the pack acknowledges a value other than the one asked for.
    const client = rig.client;
    const lying: BusOwner = {
      exclusive: (fn, o) =>
        client.exclusive(
          (bus) =>
            fn({
              exchange: (cmd, adr, req, opts) =>
                cmd.id === 'setCellOverVoltage'
                  ? bus.exchange(cmd, adr, { ...(req as object), release_mV: 3300 } as never, opts)
                  : bus.exchange(cmd, adr, req, opts)
            }),
          o
        )
    };
    const path = new WritePath({ bus: lying, snapshots: rig.snapshots, log: rig.log });
    const report = await rig.run(writeParams(path, { pack: rig.ref(1), base: before.values, edits: { 'cellOverVoltage.release_mV': 3350 } }));
    expect(report.outcome).toBe('mismatch');
    expect(report.message).toMatch(/Cell OVP Release: sent 3350 mV, reads 3300 mV/);
    expect(rig.log.entries[0].changes[0]).toMatchObject({ from: 3380, to: 3350, readBack: 3300, text: '3380 mV → 3350 mV (read back 3300 mV)' });
  });

  it('refuses when a different pack answers at the address (serial changed since the read)', async () => {
    rig = await createParamRig();
    const before = await rig.read(2);
    const traffic = record(rig);
    const report = await rig.run(
      writeParams(rig.path, { pack: { address: 2, bmsSerial: 'P1812SOMEONEELSE' }, base: before.values, edits: { 'sleep.delay_min': 9 } })
    );
    expect(report.outcome).toBe('not-sent');
    expect(report.message).toMatch(/has serial P1812\w+, not P1812SOMEONEELSE/);
    expect(requests(traffic)).toEqual(['C2@2']);
    expect(rig.bank.packAt(2)!.params.sleepDelay_min).toBe(5);
  });

  it('a group the pack does not have (RTN 04) is refused before writing, and says so', async () => {
    rig = await createParamRig({ bank: { firmware: { timedStorage: false } } });
    const before = await rig.read(1);
    expect(before.groups.storageInterval).toEqual({
      status: 'unsupported',
      message: 'This pack does not have "Timed storage interval" (it answered RTN 04).'
    });
    const report = await rig.run(writeParams(rig.path, { pack: rig.ref(1), base: before.values, edits: { 'storageInterval.interval_min': 30 } }));
    expect(report.outcome).toBe('not-sent');
    expect(report.message).toMatch(/does not have "Timed storage interval" \(RTN 04\)/);
  });

  it('timed storage where the pack has it: interval and window written and read back', async () => {
    rig = await createParamRig();
    const before = await rig.read(1);
    const report = await rig.run(
      writeParams(rig.path, {
        pack: rig.ref(1),
        base: before.values,
        edits: { 'storageInterval.interval_min': 30, 'storageStart.time': '2025-06-01 00:00:00', 'storageEnd.time': '2025-09-01 00:00:00' }
      })
    );
    expect(report.outcome).toBe('written');
    expect(rig.bank.packAt(1)!.params.storageEnd).toEqual({ year: 2025, month: 9, day: 1, hour: 0, minute: 0, second: 0 });
  });

  it('a snapshot that cannot be saved stops the write before anything is sent', async () => {
    rig = await createParamRig();
    const before = await rig.read(1);
    const path = new WritePath({
      bus: rig.client,
      log: rig.log,
      snapshots: {
        save: () => Promise.reject(new Error('QuotaExceededError')),
        list: () => Promise.resolve([]),
        get: () => Promise.resolve(undefined)
      }
    });
    const report = await rig.run(writeParams(path, { pack: rig.ref(1), base: before.values, edits: { 'sleep.delay_min': 9 } }));
    expect(report.outcome).toBe('not-sent');
    expect(report.message).toMatch(/snapshot.*could not be saved \(QuotaExceededError\)/);
    expect(rig.bank.packAt(1)!.params.sleepDelay_min).toBe(5);
  });

  it('cancel between groups: the group in flight finishes, the rest is not sent', async () => {
    rig = await createParamRig();
    const before = await rig.read(1);
    const ac = new AbortController();
    rig.client.onTraffic((e) => {
      if (e.dir === 'tx' && e.frame?.code === 0xb5) ac.abort();
    });
    const report = await rig.run(
      writeParams(
        rig.path,
        { pack: rig.ref(1), base: before.values, edits: { 'balance.startDelta_mV': 40, 'sleep.delay_min': 9 } },
        { signal: ac.signal }
      )
    );
    expect(report.steps.map((s) => s.outcome)).toEqual(['written', 'not-sent']);
    expect(report.outcome).toBe('not-sent');
    expect(rig.bank.packAt(1)!.params.sleepDelay_min).toBe(5);
  });
});

describe('restore', () => {
  it('a snapshot goes back through the same path and the old values read back', async () => {
    rig = await createParamRig();
    const before = await rig.read(3);
    const w = await rig.run(writeParams(rig.path, { pack: rig.ref(3), base: before.values, edits: LOWER_OV, cellCount: 16 }));
    const snapshot = (await rig.snapshots.get(w.snapshotId!))!;
    const now = await rig.read(3);
    const r = await rig.run(restoreSnapshot(rig.path, snapshot, { pack: rig.ref(3), base: now.values, cellCount: 16 }));
    expect(r.outcome).toBe('written');
    expect(r.kind).toBe('restore-snapshot');
    expect(rig.bank.packAt(3)!.params.cellOverVoltage).toMatchObject({ alarm_mV: 3600, protect_mV: 3700, release_mV: 3380 });
    // the restore took its own snapshot first: the lowered values can be restored in turn
    expect((await rig.snapshots.get(r.snapshotId!))!.values['cellOverVoltage.protect_mV']).toBe(3450);
    expect(rig.log.entries.map((e) => [e.kind, e.outcome])).toEqual([
      ['parameters', 'written'],
      ['restore-snapshot', 'written']
    ]);
  });

  it('factory defaults (A4H): full snapshot first, every group read again, old → new logged', async () => {
    rig = await createParamRig({ bank: { firmware: { timedStorage: false } } });
    const before = await rig.read(2);
    await rig.run(writeParams(rig.path, { pack: rig.ref(2), base: before.values, edits: { 'sleep.delay_min': 9, 'limiter.startCurrent_A': 50 } }));
    const traffic = record(rig);
    const r = await rig.run(restoreFactoryDefaults(rig.path, rig.ref(2)));
    expect(r.outcome).toBe('written');
    const sent = requests(traffic);
    expect(sent.filter((x) => x === 'A4@2')).toHaveLength(1);
    // 16 groups before (timed storage answers RTN 04 and is left out), 16 after
    expect(sent.length).toBe(1 + (16 + 3) + 1 + 16);
    expect((await rig.snapshots.get(r.snapshotId!))!.groups).toHaveLength(16);
    expect(r.steps[0].changes.map((c) => c.text).sort()).toEqual(['50 A → 100 A (read back 100 A)', '9 min → 5 min (read back 5 min)']);
    expect(rig.bank.packAt(2)!.params.sleepDelay_min).toBe(5);
  });
});
